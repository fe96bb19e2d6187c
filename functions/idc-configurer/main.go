// Command idc-configurer is the IDC stack's custom resource: it creates or
// finds the Innovation Sandbox groups and permission sets in IAM Identity
// Center. See package idcsetup.
package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/cfn"
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/aws/aws-sdk-go-v2/service/identitystore"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"

	"github.com/isb-go/isb/common/awscfg"
	"github.com/isb-go/isb/functions/idc-configurer/idcsetup"
)

func main() {
	slog.SetDefault(lambdacontext.NewLogger())
	cfg, err := awscfg.Load(context.Background(), awscfg.FromEnv())
	if err != nil {
		fmt.Fprintln(os.Stderr, "idc-configurer: load AWS config:", err)
		os.Exit(1)
	}
	svc := idcsetup.New(identitystore.NewFromConfig(cfg), ssoadmin.NewFromConfig(cfg))
	h := &handler{svc: svc}
	lambda.Start(cfn.LambdaWrap(h.Handle))
}
