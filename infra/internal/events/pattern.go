package events

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2/awsevents"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/isb-go/isb/common/names"
)

// Pattern is the event pattern matching detailTypes only from the sources
// names.DetailTypeSources allows for each: one "$or" branch per source,
// so an event another component forges is never delivered.
func Pattern(detailTypes []string) map[string]any { return names.RulePattern(detailTypes) }

// NewRule creates a rule on bus matching detailTypes from their allowed
// sources (Pattern). The L2 EventPattern has no "$or", so the pattern
// is set on the CfnRule.
func NewRule(
	scope constructs.Construct,
	id, description string,
	bus awsevents.IEventBus,
	detailTypes []string,
) awsevents.Rule {
	rule := awsevents.NewRule(scope, jsii.String(id), &awsevents.RuleProps{
		EventBus: bus, Description: jsii.String(description),
		EventPattern: &awsevents.EventPattern{DetailType: jsii.Strings(detailTypes...)},
	})
	rule.Node().DefaultChild().(awsevents.CfnRule).AddPropertyOverride(
		jsii.String("EventPattern"),
		Pattern(detailTypes),
	)
	return rule
}

// Emits is what a function may put on the bus: detail-types by source.
type Emits map[string][]string

// EmitsAll is every detail-type each of sources may emit.
func EmitsAll(sources ...string) Emits {
	all := names.BySource(names.DetailTypes)
	e := Emits{}
	for _, s := range sources {
		e[s] = all[s]
	}
	return e
}

// And adds the detail-types source may emit to e; it panics (a synth
// error) when names.DetailTypeSources does not allow one of them.
func (e Emits) And(source string, detailTypes ...string) Emits {
	for _, dt := range detailTypes {
		if !names.SourceMayEmit(source, dt) {
			panic(fmt.Sprintf("events: %s may not emit %s", source, dt))
		}
	}
	e[source] = append(e[source], detailTypes...)
	return e
}

// GrantPut lets grantee put on bus exactly what emits names: one
// statement per source, bound by the events:source and events:detail-type
// conditions, so a function cannot announce another component's events.
func GrantPut(bus awsevents.IEventBus, grantee awsiam.IGrantable, emits Emits) {
	for _, s := range names.Sources {
		dts, ok := emits[s]
		if !ok {
			continue
		}
		grantee.GrantPrincipal().AddToPrincipalPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Actions:   jsii.Strings("events:PutEvents"),
			Resources: &[]*string{bus.EventBusArn()},
			Conditions: &map[string]any{"StringEquals": map[string]any{
				"events:source": s, "events:detail-type": toAny(dts),
			}},
		}))
	}
}

func toAny(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}
