package api

import (
	"fmt"
	"net/netip"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awswafv2"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/isb-go/isb/common/names"
	"github.com/isb-go/isb/infra/internal/config"
	"github.com/isb-go/isb/infra/internal/platform"
)

// WAF settings.
const (
	// RateLimitPer60s is how many requests one client address may send in
	// 60 seconds before it is answered 429 (upstream: 200).
	RateLimitPer60s = 200
	rateWindowSec   = 60
)

// Every address, for an allow-list that allows all.
var everyAddress = []string{"0.0.0.0/1", "128.0.0.0/1", "::/1", "8000::/1"}

// WebACLProps configures the API's web ACL.
type WebACLProps struct {
	Namespace string
	// StageArn is the API stage the ACL protects.
	StageArn string
	// AllowedIPRanges are the CIDRs allowed in; empty allows every address.
	AllowedIPRanges []string
	// Key encrypts the log of blocked requests.
	Key              awskms.IKey
	LogRetentionDays int
	Mode             config.Mode
}

// WebACL is the regional web ACL on the API stage.
type WebACL struct {
	constructs.Construct
	ACL awswafv2.CfnWebACL
}

// NewWebACL creates the ACL: an IP allow-list, a rate limit per client
// address, and the AWS managed common, IP reputation and anonymous IP rule
// groups. Both the allow-list and the rate limit key on the address of the
// connection (IP), never on X-Forwarded-For, which the client writes
// (upstream keyed on its first entry, which anyone can spoof). Blocked
// requests are logged with the Authorization header redacted.
func NewWebACL(scope constructs.Construct, id string, props *WebACLProps) *WebACL {
	c := constructs.NewConstruct(scope, jsii.String(id))
	ranges := props.AllowedIPRanges
	if len(ranges) == 0 {
		ranges = everyAddress
	}
	var v4, v6 []*string
	for _, r := range ranges {
		p, err := netip.ParsePrefix(r)
		if err != nil {
			panic(fmt.Sprintf("api.NewWebACL: allowed range %q is not a CIDR: %v", r, err))
		}
		if p.Addr().Is4() {
			v4 = append(v4, jsii.String(p.Masked().String()))
		} else {
			v6 = append(v6, jsii.String(p.Masked().String()))
		}
	}
	var allowed []any
	for _, set := range []struct {
		id, version string
		addrs       []*string
	}{{"AllowedIPv4", "IPV4", v4}, {"AllowedIPv6", "IPV6", v6}} {
		if len(set.addrs) == 0 {
			continue
		}
		ipset := awswafv2.NewCfnIPSet(c, jsii.String(set.id), &awswafv2.CfnIPSetProps{
			Name:             jsii.String(names.Physical(props.Namespace, set.id)),
			Scope:            jsii.String("REGIONAL"),
			IpAddressVersion: jsii.String(set.version),
			Addresses:        &set.addrs,
			Description:      jsii.String("Client addresses allowed to call the Innovation Sandbox API"),
		})
		allowed = append(allowed, &awswafv2.CfnWebACL_StatementProperty{
			IpSetReferenceStatement: &awswafv2.CfnWebACL_IPSetReferenceStatementProperty{Arn: ipset.AttrArn()},
		})
	}
	inAllowList := allowed[0]
	if len(allowed) > 1 {
		inAllowList = &awswafv2.CfnWebACL_StatementProperty{
			OrStatement: &awswafv2.CfnWebACL_OrStatementProperty{Statements: &allowed},
		}
	}
	visibility := func(metric string) *awswafv2.CfnWebACL_VisibilityConfigProperty {
		return &awswafv2.CfnWebACL_VisibilityConfigProperty{
			CloudWatchMetricsEnabled: jsii.Bool(true),
			MetricName:               jsii.String(metric),
			SampledRequestsEnabled:   jsii.Bool(true),
		}
	}
	managed := func(name string, priority float64) *awswafv2.CfnWebACL_RuleProperty {
		return &awswafv2.CfnWebACL_RuleProperty{
			Name:           jsii.String(name),
			Priority:       jsii.Number(priority),
			OverrideAction: &awswafv2.CfnWebACL_OverrideActionProperty{None: map[string]any{}},
			Statement: &awswafv2.CfnWebACL_StatementProperty{
				ManagedRuleGroupStatement: &awswafv2.CfnWebACL_ManagedRuleGroupStatementProperty{
					VendorName: jsii.String("AWS"), Name: jsii.String(name),
				},
			},
			VisibilityConfig: visibility(name),
		}
	}
	rules := []any{
		&awswafv2.CfnWebACL_RuleProperty{
			Name:     jsii.String("AllowListedAddresses"),
			Priority: jsii.Number(0),
			Action:   &awswafv2.CfnWebACL_RuleActionProperty{Block: &awswafv2.CfnWebACL_BlockActionProperty{}},
			Statement: &awswafv2.CfnWebACL_StatementProperty{
				NotStatement: &awswafv2.CfnWebACL_NotStatementProperty{Statement: inAllowList},
			},
			VisibilityConfig: visibility("NotAllowListed"),
		},
		&awswafv2.CfnWebACL_RuleProperty{
			Name:     jsii.String("RateLimitPerAddress"),
			Priority: jsii.Number(1),
			Action: &awswafv2.CfnWebACL_RuleActionProperty{Block: &awswafv2.CfnWebACL_BlockActionProperty{
				CustomResponse: &awswafv2.CfnWebACL_CustomResponseProperty{
					ResponseCode: jsii.Number(429), CustomResponseBodyKey: jsii.String("TooManyRequests"),
				},
			}},
			Statement: &awswafv2.CfnWebACL_StatementProperty{
				RateBasedStatement: &awswafv2.CfnWebACL_RateBasedStatementProperty{
					AggregateKeyType:    jsii.String("IP"),
					Limit:               jsii.Number(RateLimitPer60s),
					EvaluationWindowSec: jsii.Number(rateWindowSec),
				},
			},
			VisibilityConfig: visibility("RateLimited"),
		},
		managed("AWSManagedRulesCommonRuleSet", 2),
		managed("AWSManagedRulesAmazonIpReputationList", 3),
		managed("AWSManagedRulesAnonymousIpList", 4),
	}
	acl := awswafv2.NewCfnWebACL(c, jsii.String("Acl"), &awswafv2.CfnWebACLProps{
		Name:          jsii.String(names.Physical(props.Namespace, "Api")),
		Scope:         jsii.String("REGIONAL"),
		DefaultAction: &awswafv2.CfnWebACL_DefaultActionProperty{Allow: &awswafv2.CfnWebACL_AllowActionProperty{}},
		Rules:         &rules,
		CustomResponseBodies: map[string]any{
			"TooManyRequests": &awswafv2.CfnWebACL_CustomResponseBodyProperty{
				ContentType: jsii.String("APPLICATION_JSON"),
				Content: jsii.String(
					`{"status":"fail","data":{"errors":[{"message":"Too many requests: slow down and retry"}]}}`,
				),
			},
		},
		VisibilityConfig: visibility(names.Physical(props.Namespace, "Api")),
	})
	awswafv2.NewCfnWebACLAssociation(c, jsii.String("Association"), &awswafv2.CfnWebACLAssociationProps{
		ResourceArn: jsii.String(props.StageArn), WebAclArn: acl.AttrArn(),
	})
	logName := "aws-waf-logs-" + names.Physical(props.Namespace, "Api")
	logs := platform.NewLogGroup(c, "BlockedRequests", &platform.LogGroupProps{
		Name: logName, Key: props.Key, RetentionDays: props.LogRetentionDays, Mode: props.Mode,
	})
	logging := awswafv2.NewCfnLoggingConfiguration(c, jsii.String("Logging"), &awswafv2.CfnLoggingConfigurationProps{
		ResourceArn: acl.AttrArn(),
		// WAF wants the log group ARN without the ":*" suffix.
		LogDestinationConfigs: &[]any{awscdk.Stack_Of(c).FormatArn(&awscdk.ArnComponents{
			Service: jsii.String("logs"), Resource: jsii.String("log-group"), ResourceName: jsii.String(logName),
			ArnFormat: awscdk.ArnFormat_COLON_RESOURCE_NAME,
		})},
		RedactedFields: &[]any{&awswafv2.CfnLoggingConfiguration_FieldToMatchProperty{
			SingleHeader: map[string]any{"Name": "authorization"},
		}},
		LoggingFilter: map[string]any{
			"DefaultBehavior": "DROP",
			"Filters": []any{map[string]any{
				"Behavior": "KEEP", "Requirement": "MEETS_ANY",
				"Conditions": []any{map[string]any{"ActionCondition": map[string]any{"Action": "BLOCK"}}},
			}},
		},
	})
	logging.Node().AddDependency(logs)
	return &WebACL{Construct: c, ACL: acl}
}
