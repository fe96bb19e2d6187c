// Package api holds the REST API: the API Gateway REST API built from the
// one route table (common/routes), its request authorizer and its WAF.
package api

import (
	"fmt"
	"sort"
	"strconv"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsapigateway"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatchactions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/isb-go/isb/common/names"
	"github.com/isb-go/isb/common/routes"
	"github.com/isb-go/isb/infra/internal/config"
	"github.com/isb-go/isb/infra/internal/platform"
)

// Stage settings (upstream: stage prod, 100 requests/s, burst 200).
const (
	StageName          = "prod"
	ThrottleRateLimit  = 100
	ThrottleBurstLimit = 200
	// AuthorizerCacheSeconds is how long API Gateway reuses an authorizer
	// answer for the same token, path and method. Short: a maintenance
	// switch takes effect within it (upstream: 300 s).
	AuthorizerCacheSeconds = 60
)

// RestAPIProps configures the REST API.
type RestAPIProps struct {
	Namespace string
	// Integrations serves each route family; every family in routes.Table
	// must be present, except routes.Auth: until the SSO handler exists
	// its routes are left out rather than served by a stub.
	Integrations map[routes.Family]awslambda.IFunction
	// Authorizer is the request authorizer function (NewAuthorizer).
	Authorizer awslambda.IFunction
	// Key encrypts the access and WAF logs.
	Key              awskms.IKey
	LogRetentionDays int
	Mode             config.Mode
	// AllowedIPRanges are the CIDRs (IPv4 or IPv6) the WAF lets in; empty
	// allows every address.
	AllowedIPRanges []string
	// AlarmTopic receives the API's alarms (5XX errors, WAF blocks).
	AlarmTopic awssns.ITopic
}

// RestAPI is the API, its stage, authorizer and WAF.
type RestAPI struct {
	constructs.Construct
	Api        awsapigateway.RestApi
	Authorizer awsapigateway.RequestAuthorizer
	WebACL     *WebACL
}

// NewRestAPI builds one method per row of routes.Table, each a Lambda
// proxy integration of its family's function, behind the request
// authorizer unless the route is public.
func NewRestAPI(scope constructs.Construct, id string, props *RestAPIProps) *RestAPI {
	for _, f := range routes.Families {
		if props.Integrations[f] == nil && f != routes.Auth {
			panic(fmt.Sprintf("api.NewRestAPI: no function for route family %q", f))
		}
	}
	c := constructs.NewConstruct(scope, jsii.String(id))
	accessLogs := platform.NewLogGroup(c, "AccessLogs", &platform.LogGroupProps{
		Key: props.Key, RetentionDays: props.LogRetentionDays, Mode: props.Mode,
	})
	api := awsapigateway.NewRestApi(c, jsii.String("Api"), &awsapigateway.RestApiProps{
		RestApiName: jsii.String(names.Physical(props.Namespace, "Api")),
		Description: jsii.String("Innovation Sandbox lease lifecycle API"),
		EndpointConfiguration: &awsapigateway.EndpointConfiguration{
			Types: &[]awsapigateway.EndpointType{awsapigateway.EndpointType_REGIONAL},
		},
		// API Gateway writes access and execution logs only once the
		// account's API Gateway CloudWatch role is set (AWS::ApiGateway::Account,
		// one per account and region); without it the stage fails to deploy.
		CloudWatchRole:              jsii.Bool(true),
		CloudWatchRoleRemovalPolicy: awscdk.RemovalPolicy_RETAIN,
		Deploy:                      jsii.Bool(true),
		DeployOptions: &awsapigateway.StageOptions{
			StageName:            jsii.String(StageName),
			ThrottlingRateLimit:  jsii.Number(ThrottleRateLimit),
			ThrottlingBurstLimit: jsii.Number(ThrottleBurstLimit),
			TracingEnabled:       jsii.Bool(true),
			MetricsEnabled:       jsii.Bool(true),
			// Errors only, and never request or response bodies: they carry
			// tokens and personal data.
			LoggingLevel:         awsapigateway.MethodLoggingLevel_ERROR,
			DataTraceEnabled:     jsii.Bool(false),
			AccessLogDestination: awsapigateway.NewLogGroupLogDestination(accessLogs),
			AccessLogFormat: awsapigateway.AccessLogFormat_JsonWithStandardFields(
				&awsapigateway.JsonWithStandardFieldProps{
					Caller: jsii.Bool(
						true,
					), HttpMethod: jsii.Bool(true), Ip: jsii.Bool(true), Protocol: jsii.Bool(true),
					RequestTime: jsii.Bool(true), ResourcePath: jsii.Bool(true), ResponseLength: jsii.Bool(true),
					Status: jsii.Bool(true), User: jsii.Bool(true),
				},
			),
		},
	})
	authorizer := awsapigateway.NewRequestAuthorizer(
		c,
		jsii.String("Authorizer"),
		&awsapigateway.RequestAuthorizerProps{
			AuthorizerName: jsii.String(names.Physical(props.Namespace, "Authorizer")),
			Handler:        props.Authorizer,
			// The answer is a policy for one method ARN, so the cache key must
			// hold the token, the path and the method.
			IdentitySources: &[]*string{
				awsapigateway.IdentitySource_Header(jsii.String("Authorization")),
				awsapigateway.IdentitySource_Context(jsii.String("path")),
				awsapigateway.IdentitySource_Context(jsii.String("httpMethod")),
			},
			ResultsCacheTtl: awscdk.Duration_Seconds(jsii.Number(AuthorizerCacheSeconds)),
		},
	)
	platform.Suppress(api, platform.Suppression{
		Rule: "AwsSolutions-APIG2",
		Reason: "Every handler validates its request strictly (unknown fields refused, each error naming its field; common/httpapi); " +
			"API Gateway models would be a second copy of the schemas in docs/openapi.yaml that could drift.",
	})
	integrations := map[routes.Family]awsapigateway.LambdaIntegration{}
	families := make([]string, 0, len(props.Integrations))
	for f := range props.Integrations {
		families = append(families, string(f))
	}
	sort.Strings(families)
	for _, f := range families {
		integrations[routes.Family(f)] = awsapigateway.NewLambdaIntegration(
			props.Integrations[routes.Family(f)],
			&awsapigateway.LambdaIntegrationOptions{
				Proxy: jsii.Bool(true),
				// One invoke permission per method, not two.
				AllowTestInvoke: jsii.Bool(false),
			},
		)
	}
	for _, r := range routes.Table {
		if _, ok := integrations[r.Family]; !ok {
			continue // routes.Auth without the SSO handler
		}
		opts := &awsapigateway.MethodOptions{}
		if r.Public {
			opts.AuthorizationType = awsapigateway.AuthorizationType_NONE
		} else {
			opts.AuthorizationType = awsapigateway.AuthorizationType_CUSTOM
			opts.Authorizer = authorizer
		}
		m := api.Root().
			ResourceForPath(jsii.String(r.Path)).
			AddMethod(jsii.String(r.Method), integrations[r.Family], opts)
		if r.Public {
			platform.Suppress(m, platform.Suppression{
				Rule:   "AwsSolutions-APIG4",
				Reason: "Sign-in route (SAML with IAM Identity Center): it is how a caller gets a token, so it cannot require one.",
			}, platform.Suppression{
				Rule:   "AwsSolutions-COG4",
				Reason: "Sign-in route: public by design; every other route uses the JWT request authorizer.",
			})
			continue
		}
		platform.Suppress(m, platform.Suppression{
			Rule:   "AwsSolutions-COG4",
			Reason: "Users sign in with IAM Identity Center (SAML), not Cognito; the request authorizer verifies the session token and the route's roles.",
		})
	}
	platform.Suppress(api, platform.Suppression{
		Rule: "AwsSolutions-IAM4",
		Reason: "The account's API Gateway logging role uses AmazonAPIGatewayPushToCloudWatchLogs, the service's documented policy " +
			"(log groups and streams only); API Gateway needs it to write the access and execution logs.",
		AppliesTo: []string{
			"Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs",
		},
	})
	addGatewayResponses(api)
	waf := NewWebACL(c, "Waf", &WebACLProps{
		Namespace: props.Namespace, StageArn: *api.DeploymentStage().StageArn(), AllowedIPRanges: props.AllowedIPRanges,
		Key: props.Key, LogRetentionDays: props.LogRetentionDays, Mode: props.Mode,
	})
	if props.AlarmTopic != nil {
		action := awscloudwatchactions.NewSnsAction(props.AlarmTopic)
		alarm := api.MetricServerError(&awscloudwatch.MetricOptions{
			Period: awscdk.Duration_Minutes(jsii.Number(5)), Statistic: jsii.String("Sum"),
		}).CreateAlarm(c, jsii.String("ServerErrors"), &awscloudwatch.CreateAlarmOptions{
			AlarmName:          jsii.String(names.Physical(props.Namespace, "ApiServerErrors")),
			AlarmDescription:   jsii.String("The REST API answered 5XX (handler, authorizer or integration fault)"),
			Threshold:          jsii.Number(1),
			EvaluationPeriods:  jsii.Number(1),
			ComparisonOperator: awscloudwatch.ComparisonOperator_GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
			TreatMissingData:   awscloudwatch.TreatMissingData_NOT_BREACHING,
		})
		alarm.AddAlarmAction(action)
		alarm.AddOkAction(action)
	}
	awscdk.NewCfnOutput(awscdk.Stack_Of(c), jsii.String("ApiUrl"), &awscdk.CfnOutputProps{Value: api.Url()})
	return &RestAPI{Construct: c, Api: api, Authorizer: authorizer, WebACL: waf}
}

// GatewayResponses are the JSend bodies of the errors API Gateway answers
// itself (authorizer refusals, throttling, unknown routes, integration
// faults), from routes.GatewayResponses, so a client reads one envelope
// whatever answered (local mode answers the same).
var GatewayResponses = func() map[string]struct {
	Type   awsapigateway.ResponseType
	Status string
	Body   string
} {
	types := map[string]awsapigateway.ResponseType{
		"Unauthorized": awsapigateway.ResponseType_UNAUTHORIZED(), "AccessDenied": awsapigateway.ResponseType_ACCESS_DENIED(),
		"Throttled": awsapigateway.ResponseType_THROTTLED(), "WafFiltered": awsapigateway.ResponseType_WAF_FILTERED(),
		"Default4XX": awsapigateway.ResponseType_DEFAULT_4XX(), "Default5XX": awsapigateway.ResponseType_DEFAULT_5XX(),
	}
	out := map[string]struct {
		Type   awsapigateway.ResponseType
		Status string
		Body   string
	}{}
	for id, r := range routes.GatewayResponses {
		status := ""
		if r.Status != 0 {
			status = strconv.Itoa(r.Status)
		}
		out[id] = struct {
			Type   awsapigateway.ResponseType
			Status string
			Body   string
		}{types[id], status, r.Body}
	}
	return out
}()

func addGatewayResponses(api awsapigateway.RestApi) {
	ids := make([]string, 0, len(GatewayResponses))
	for id := range GatewayResponses {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		r := GatewayResponses[id]
		opts := &awsapigateway.GatewayResponseOptions{
			Type:      r.Type,
			Templates: &map[string]*string{"application/json": jsii.String(r.Body)},
			ResponseHeaders: &map[string]*string{
				"Content-Type":           jsii.String("'application/json'"),
				"X-Content-Type-Options": jsii.String("'nosniff'"),
				"Cache-Control":          jsii.String("'no-store'"),
			},
		}
		if r.Status != "" {
			opts.StatusCode = jsii.String(r.Status)
		}
		api.AddGatewayResponse(jsii.String(id), opts)
	}
}
