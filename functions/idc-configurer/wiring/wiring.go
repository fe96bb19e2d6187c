// Package wiring builds the IDC stack's custom resource: the CloudFormation
// handler (handler.go) over idcsetup, which creates or finds the groups and
// permission sets in IAM Identity Center.
package wiring

import (
	"context"

	"github.com/aws/aws-lambda-go/cfn"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/identitystore"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"

	"github.com/isb-go/isb/common/names"
	"github.com/isb-go/isb/functions/boot"
	"github.com/isb-go/isb/functions/idc-configurer/idcsetup"
)

// Function is the custom resource's handler.
var Function = boot.Function{
	Name:  names.LambdaIdcConfigurer,
	Needs: names.LambdaEnv(names.LambdaIdcConfigurer),
	Build: build,
}

func build(_ context.Context, _ boot.Env, cfg aws.Config) (any, error) {
	h := &handler{svc: idcsetup.New(identitystore.NewFromConfig(cfg), ssoadmin.NewFromConfig(cfg))}
	return cfn.LambdaWrap(h.Handle), nil
}
