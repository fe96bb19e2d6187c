package e2e

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/isb-go/isb/cmd/localmode"
	"github.com/isb-go/isb/common/awscfg/rolechain"
	"github.com/isb-go/isb/common/lessee/iamrevoke"
	"github.com/isb-go/isb/common/names"
)

func TestAPipelineActsInItsLeasedAccountWithTheCredentialsItIsGiven(t *testing.T) {
	ci, other := as(t, "user@example.com"), as(t, "manager@example.com")
	l := ci.request(autoTemplate(t, "e2e credentials", 10, 24))
	if l.Status != "Active" || l.AccountID == "" {
		t.Fatalf("lease = %+v", l)
	}
	path := "/leases/" + l.LeaseID + "/credentials"
	var c struct {
		Version                                   int
		AccessKeyID                               string `json:"AccessKeyId"`
		SecretAccessKey, SessionToken, Expiration string
	}
	ci.must(http.StatusOK, http.MethodGet, path, nil, &c)
	if c.Version != 1 || c.Expiration == "" {
		t.Fatalf("credentials = %+v", c)
	}
	cfg := platform.AWS().Copy()
	cfg.Credentials = credentials.NewStaticCredentialsProvider(c.AccessKeyID, c.SecretAccessKey, c.SessionToken)
	who, err := sts.NewFromConfig(cfg).GetCallerIdentity(t.Context(), &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatal(err)
	}
	role := names.RoleName(localmode.Namespace, names.LesseeRole)
	if aws.ToString(who.Account) != l.AccountID || !strings.Contains(aws.ToString(who.Arn), ":assumed-role/"+role+"/") {
		t.Errorf("the session is %s in %s, want the lessee role in %s", aws.ToString(who.Arn),
			aws.ToString(who.Account), l.AccountID)
	}
	// The lessee role is in the account, as the StackSet puts it there.
	_, err = iam.NewFromConfig(cfg).GetRole(t.Context(), &iam.GetRoleInput{RoleName: aws.String(role)})
	if err != nil {
		t.Errorf("lessee role %s in %s: %v", role, l.AccountID, err)
	}
	other.must(http.StatusForbidden, http.MethodGet, path, nil, nil)

	ci.must(http.StatusOK, http.MethodPost, "/leases/"+l.LeaseID+"/terminate", nil, nil)
	ci.must(http.StatusConflict, http.MethodGet, path, nil, nil)

	// The lifecycle manager denies the lessee role's sessions issued
	// before the end.
	admin := iam.NewFromConfig(rolechain.Chain(platform.AWS(), "e2e",
		"arn:aws:iam::"+l.AccountID+":role/OrganizationAccountAccessRole"))
	eventually(t, time.Minute, func() string {
		out, err := admin.GetRolePolicy(t.Context(), &iam.GetRolePolicyInput{RoleName: aws.String(role),
			PolicyName: aws.String(iamrevoke.PolicyName)})
		if err != nil {
			return fmt.Sprintf("no revocation policy on %s in %s: %v", role, l.AccountID, err)
		}
		if doc, _ := url.QueryUnescape(aws.ToString(out.PolicyDocument)); !strings.Contains(doc, "aws:TokenIssueTime") {
			return "revocation policy " + doc
		}
		return ""
	})
}
