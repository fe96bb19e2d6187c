package platform

import (
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"
)

// Suppression is one cdk-nag rule waived on a construct, with the reason
// a reviewer needs. AppliesTo narrows an IAM5 waiver to named findings
// (for example "Resource::*").
type Suppression struct {
	Rule      string
	Reason    string
	AppliesTo []string
}

// Suppress waives cdk-nag rules on a construct and its children. Every
// waiver must carry a reason of at least 10 characters (cdk-nag enforces
// it too).
func Suppress(c constructs.IConstruct, sups ...Suppression) {
	packs := make([]*cdknag.NagPackSuppression, 0, len(sups))
	for _, s := range sups {
		if len(s.Reason) < 10 {
			panic("nag suppression " + s.Rule + " needs a real reason")
		}
		p := &cdknag.NagPackSuppression{Id: jsii.String(s.Rule), Reason: jsii.String(s.Reason)}
		if len(s.AppliesTo) > 0 {
			applies := make([]any, 0, len(s.AppliesTo))
			for _, a := range s.AppliesTo {
				applies = append(applies, a)
			}
			p.AppliesTo = &applies
		}
		packs = append(packs, p)
	}
	cdknag.NagSuppressions_AddResourceSuppressions(c, &packs, jsii.Bool(true))
}
