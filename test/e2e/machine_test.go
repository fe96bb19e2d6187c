package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/isb-go/isb/cmd/localmode"
	"github.com/isb-go/isb/common/awsauth"
)

// pipelinePrincipal is the IAM user the test creates, mapped in the
// platform's global configuration. The emulator puts it in its default
// account: local mode's keys name no account of their own.
const pipelinePrincipal = "arn:aws:iam::123456789012:user/e2e-pipeline"

func TestAPipelineSignsInWithItsAWSIdentityRequestsALeaseAndGetsIt(t *testing.T) {
	ctx := t.Context()
	im := iam.NewFromConfig(platform.AWS())
	u, err := im.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("e2e-pipeline")})
	if err != nil {
		t.Fatal(err)
	}
	if got := aws.ToString(u.User.Arn); got != pipelinePrincipal {
		t.Fatalf("the emulator created %s, but the configuration maps %s", got, pipelinePrincipal)
	}
	key, err := im.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("e2e-pipeline")})
	if err != nil {
		t.Fatal(err)
	}
	pipeline := platform.AWS().Copy()
	pipeline.Credentials = aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
		return aws.Credentials{AccessKeyID: *key.AccessKey.AccessKeyId,
			SecretAccessKey: *key.AccessKey.SecretAccessKey}, nil
	})
	// The emulator names the caller only from a header signature.
	signed, err := awsauth.Presign(ctx, sts.NewFromConfig(pipeline), localmode.Namespace,
		func(o *sts.PresignOptions) { o.Presigner = awsauth.HeaderPresigner{} })
	if err != nil {
		t.Fatal(err)
	}
	body, _ := json.Marshal(signed)
	resp, err := http.Post(platform.APIURL()+"/auth/aws", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	var out struct {
		Data struct {
			Token string `json:"token"`
			Owner string `json:"owner"`
		} `json:"data"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("POST /auth/aws: HTTP %d (%v)\nplatform log (tail):\n%s", resp.StatusCode, err, logs.Tail(8<<10))
	}
	if out.Data.Owner != "pipeline@example.com" {
		t.Errorf("signed in as %s, want pipeline@example.com", out.Data.Owner)
	}

	ci := &client{t: t, token: out.Data.Token}
	tpl := autoTemplate(t, "e2e pipeline", 10, 1)
	l := ci.request(tpl)
	if l.Status != "Active" || l.AccountID == "" {
		t.Fatalf("the pipeline's request answered %+v, want Active with an account", l)
	}
	ci.must(http.StatusOK, http.MethodPost, "/leases/"+l.LeaseID+"/terminate", nil, nil)
	ci.leaseIs(l.LeaseID, "ManuallyTerminated")
	as(t, "admin@example.com").accountIs(l.AccountID, "Available")
}
