package platform

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/isb-go/isb/infra/internal/config"
)

// BucketProps configures a private bucket.
type BucketProps struct {
	// Key encrypts the objects (SSE-KMS with a bucket key).
	Key  awskms.IKey
	Mode config.Mode
}

// accessLogDays is how long S3 server access logs are kept.
const accessLogDays = 365

// NewBucket creates a private, versioned, KMS-encrypted, SSL-only bucket
// whose server access logs go to a second bucket ("AccessLogs";
// S3 delivers access logs only to SSE-S3 buckets). Prod mode retains both.
func NewBucket(scope constructs.Construct, id string, props *BucketProps) awss3.Bucket {
	c := constructs.NewConstruct(scope, jsii.String(id))
	// Grant log delivery with a bucket policy, not the legacy ACL.
	c.Node().SetContext(jsii.String("@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy"), true)
	logs := awss3.NewBucket(c, jsii.String("AccessLogs"), &awss3.BucketProps{
		Encryption:        awss3.BucketEncryption_S3_MANAGED,
		BlockPublicAccess: awss3.BlockPublicAccess_BLOCK_ALL(),
		EnforceSSL:        jsii.Bool(true),
		ObjectOwnership:   awss3.ObjectOwnership_BUCKET_OWNER_ENFORCED,
		RemovalPolicy:     RemovalPolicy(props.Mode),
		LifecycleRules: &[]*awss3.LifecycleRule{{
			Expiration: awscdk.Duration_Days(jsii.Number(accessLogDays)),
		}},
	})
	Suppress(logs, Suppression{Rule: "AwsSolutions-S1",
		Reason: "This bucket receives the server access logs of its sibling; logging it too would recurse."})
	return awss3.NewBucket(c, jsii.String("Bucket"), &awss3.BucketProps{
		Encryption:             awss3.BucketEncryption_KMS,
		EncryptionKey:          props.Key,
		BucketKeyEnabled:       jsii.Bool(true),
		BlockPublicAccess:      awss3.BlockPublicAccess_BLOCK_ALL(),
		EnforceSSL:             jsii.Bool(true),
		Versioned:              jsii.Bool(true),
		ObjectOwnership:        awss3.ObjectOwnership_BUCKET_OWNER_ENFORCED,
		ServerAccessLogsBucket: logs,
		RemovalPolicy:          RemovalPolicy(props.Mode),
	})
}
