package stacks

import (
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"

	"github.com/isb-go/isb/common/names"
)

func TestDataTables(t *testing.T) {
	tpl := template(t, StackData)
	tpl.ResourceCountIs(jsii.String("AWS::DynamoDB::Table"), jsii.Number(6))
	tpl.ResourceCountIs(jsii.String("AWS::KMS::Key"), jsii.Number(1))
	tpl.HasResourceProperties(jsii.String("AWS::KMS::Key"), props{"EnableKeyRotation": true})

	common := props{
		"BillingMode":                      "PAY_PER_REQUEST",
		"PointInTimeRecoverySpecification": props{"PointInTimeRecoveryEnabled": true},
		"SSESpecification":                 props{"SSEEnabled": true, "SSEType": "KMS", "KMSMasterKeyId": assertions.Match_AnyValue()},
		"DeletionProtectionEnabled":        false,
	}
	statusIndex := []any{props{
		"IndexName": names.StatusIndex,
		"KeySchema": []any{
			props{"AttributeName": names.AttrStatus, "KeyType": "HASH"},
			props{"AttributeName": names.AttrStatusChangedAt, "KeyType": "RANGE"},
		},
		"Projection": props{"ProjectionType": "ALL"},
	}}
	for _, tc := range []struct {
		name  string
		extra props
	}{
		{"lease table has email/uuid keys, the status and heartbeat indexes and TTL", props{
			"TableName": names.Physical(testCfg.Namespace, names.LeaseTable),
			"KeySchema": []any{
				props{"AttributeName": names.AttrUserEmail, "KeyType": "HASH"},
				props{"AttributeName": names.AttrUUID, "KeyType": "RANGE"},
			},
			"GlobalSecondaryIndexes": []any{statusIndex[0], props{
				"IndexName": names.HeartbeatIndex,
				"KeySchema": []any{
					props{"AttributeName": names.AttrBeating, "KeyType": "HASH"},
					props{"AttributeName": names.AttrHeartbeatDeadline, "KeyType": "RANGE"},
				},
				"Projection": props{"ProjectionType": "ALL"},
			}},
			"TimeToLiveSpecification": props{"AttributeName": names.AttrTTL, "Enabled": true},
		}},
		{"account table has the account id key and the status index", props{
			"TableName":               names.Physical(testCfg.Namespace, names.AccountTable),
			"KeySchema":               []any{props{"AttributeName": names.AttrAccountID, "KeyType": "HASH"}},
			"GlobalSecondaryIndexes":  statusIndex,
			"TimeToLiveSpecification": assertions.Match_Absent(),
		}},
		{"lease template table has the uuid key and no index", props{
			"TableName":              names.Physical(testCfg.Namespace, names.LeaseTemplateTable),
			"KeySchema":              []any{props{"AttributeName": names.AttrUUID, "KeyType": "HASH"}},
			"GlobalSecondaryIndexes": assertions.Match_Absent(),
		}},
		{"outbox table has the id key, TTL and the pending index ordered by time", props{
			"TableName":               names.Physical(testCfg.Namespace, names.OutboxTable),
			"KeySchema":               []any{props{"AttributeName": names.AttrID, "KeyType": "HASH"}},
			"TimeToLiveSpecification": props{"AttributeName": names.AttrTTL, "Enabled": true},
			"GlobalSecondaryIndexes": []any{props{
				"IndexName": names.OutboxPendingIndex,
				"KeySchema": []any{
					props{"AttributeName": names.AttrPending, "KeyType": "HASH"},
					props{"AttributeName": names.AttrCreatedAt, "KeyType": "RANGE"},
				},
				"Projection": props{"ProjectionType": "ALL"},
			}},
		}},
		{"delivery table has the id key and TTL", props{
			"TableName":               names.Physical(testCfg.Namespace, names.DeliveryTable),
			"KeySchema":               []any{props{"AttributeName": names.AttrID, "KeyType": "HASH"}},
			"TimeToLiveSpecification": props{"AttributeName": names.AttrTTL, "Enabled": true},
		}},
		{"session table has the id key and TTL", props{
			"TableName":               names.Physical(testCfg.Namespace, names.SessionTable),
			"KeySchema":               []any{props{"AttributeName": names.AttrID, "KeyType": "HASH"}},
			"TimeToLiveSpecification": props{"AttributeName": names.AttrTTL, "Enabled": true},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := props{}
			for k, v := range common {
				p[k] = v
			}
			for k, v := range tc.extra {
				p[k] = v
			}
			tpl.HasResourceProperties(jsii.String("AWS::DynamoDB::Table"), p)
		})
	}
	t.Run("dev tables may be destroyed", func(t *testing.T) {
		tpl.AllResources(jsii.String("AWS::DynamoDB::Table"), props{"DeletionPolicy": "Delete"})
	})
}

func TestDataAppConfig(t *testing.T) {
	tpl := template(t, StackData)
	tpl.ResourceCountIs(jsii.String("AWS::AppConfig::Application"), jsii.Number(1))
	tpl.ResourceCountIs(jsii.String("AWS::AppConfig::Environment"), jsii.Number(1))
	tpl.ResourceCountIs(jsii.String("AWS::AppConfig::ConfigurationProfile"), jsii.Number(3))
	tpl.ResourceCountIs(jsii.String("AWS::AppConfig::HostedConfigurationVersion"), jsii.Number(3))
	tpl.ResourceCountIs(jsii.String("AWS::AppConfig::Deployment"), jsii.Number(3))
	tpl.HasResourceProperties(jsii.String("AWS::AppConfig::DeploymentStrategy"), props{
		"GrowthFactor": 100, "DeploymentDurationInMinutes": 0, "FinalBakeTimeInMinutes": 0,
	})
	for _, name := range []string{"global-config", "nuke-config", "reporting-config"} {
		tpl.HasResourceProperties(jsii.String("AWS::AppConfig::ConfigurationProfile"), props{"Name": name, "LocationUri": "hosted"})
	}
	tpl.AllResourcesProperties(jsii.String("AWS::AppConfig::HostedConfigurationVersion"), props{
		"ContentType": "application/x-yaml",
		"Content":     assertions.Match_StringLikeRegexp(jsii.String(".+")),
	})
}

// TestDataProdModeRetainsAndProtects builds a Data stack of its own in
// prod mode (the shared app is dev).
func TestDataProdModeRetainsAndProtects(t *testing.T) {
	cfg := testCfg
	cfg.Mode = "prod"
	app := awscdk.NewApp(nil)
	tpl := assertions.Template_FromStack(NewDataStack(app, cfg).Stack, nil)
	tpl.AllResources(jsii.String("AWS::DynamoDB::Table"), props{
		"DeletionPolicy":      "Retain",
		"UpdateReplacePolicy": "Retain",
		"Properties":          objectLike(props{"DeletionProtectionEnabled": true}),
	})
	tpl.AllResources(jsii.String("AWS::KMS::Key"), props{"DeletionPolicy": "Retain"})
}
