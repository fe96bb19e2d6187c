// Command sso is the SAML sign-in handler of the /auth routes. See package
// signin.
package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/identitystore"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/ssm"

	"github.com/isb-go/isb/common/appconfig"
	"github.com/isb-go/isb/common/auth"
	"github.com/isb-go/isb/common/awscfg"
	"github.com/isb-go/isb/common/config"
	"github.com/isb-go/isb/common/ddbstore"
	"github.com/isb-go/isb/common/names"
	"github.com/isb-go/isb/functions/sso/signin"
)

func main() {
	slog.SetDefault(lambdacontext.NewLogger())
	env := map[string]string{}
	for _, k := range []string{names.EnvNamespace, names.EnvSessionKeys, names.EnvIdpMetadataSecret,
		names.EnvIdcConfigParam, names.EnvHubAccountID, names.EnvSessionTable} {
		if env[k] = os.Getenv(k); env[k] == "" {
			fmt.Fprintf(os.Stderr, "sso: %s is required\n", k)
			os.Exit(1)
		}
	}
	ns := env[names.EnvNamespace]
	cfg, err := awscfg.Load(context.Background(), awscfg.FromEnv())
	if err != nil {
		fmt.Fprintln(os.Stderr, "sso: load AWS config:", err)
		os.Exit(1)
	}
	sm := secretsmanager.NewFromConfig(cfg)
	params := ssm.NewFromConfig(cfg)
	// Nothing below calls AWS before the first event.
	svc := &signin.Service{
		Keys:   auth.NewSecretKeys(sm, env[names.EnvSessionKeys], auth.DefaultKeyTTL, nil),
		Signer: auth.KMSSigner{Client: kms.NewFromConfig(cfg)},
		Config: appconfig.New(appconfig.NewExtension(ns), 0, nil),
		IdP:    signin.NewSecretMetadata(sm, env[names.EnvIdpMetadataSecret], nil),
		Callers: &signin.LazyCallers{
			Param: func(ctx context.Context) (config.IdcParam, error) {
				out, err := params.GetParameter(
					ctx,
					&ssm.GetParameterInput{Name: aws.String(env[names.EnvIdcConfigParam])},
				)
				if err != nil {
					return config.IdcParam{}, fmt.Errorf("read %s: %w", env[names.EnvIdcConfigParam], err)
				}
				return signin.ParseIdcParam(aws.ToString(out.Parameter.Value))
			},
			// The Identity Store lives in the IDC account, read-only.
			Store: func(p config.IdcParam) signin.IdentityStore {
				return identitystore.NewFromConfig(awscfg.Chain(cfg, names.Physical(ns, "sso"),
					signin.StoreRoleChain(ns, env[names.EnvHubAccountID], p.IdcAccountID)...))
			},
		},
		Sessions: ddbstore.NewSessionStore(dynamodb.NewFromConfig(cfg), env[names.EnvSessionTable], nil),
		Issuer:   auth.Issuer(ns), Audience: auth.Audience(ns), Now: time.Now,
	}
	lambda.Start(svc.Handle)
}
