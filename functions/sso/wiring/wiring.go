// Package wiring builds the SAML sign-in function: the signin service over
// the published keys, the KMS signer, the IdP metadata secret, the Identity
// Store (read-only, through the role chain) and the sessions table.
package wiring

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/identitystore"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/isb-go/isb/common/auth"
	"github.com/isb-go/isb/common/auth/kmssign"
	"github.com/isb-go/isb/common/awsauth"
	"github.com/isb-go/isb/common/awscfg/rolechain"
	"github.com/isb-go/isb/common/config"
	"github.com/isb-go/isb/common/ddbstore"
	"github.com/isb-go/isb/common/names"
	"github.com/isb-go/isb/common/paramstore"
	"github.com/isb-go/isb/functions/boot"
	"github.com/isb-go/isb/functions/boot/bootconf"
	"github.com/isb-go/isb/functions/sso/signin"
)

// Function is the sign-in handler of the /auth routes.
var Function = boot.For(names.LambdaSSO, build, bootconf.Port, names.EnvStsEndpoint)

// build calls no AWS: every client is used on the first event.
func build(_ context.Context, env boot.Env, cfg aws.Config) (any, error) {
	ns := env[names.EnvNamespace]
	sm := secretsmanager.NewFromConfig(cfg)
	params := paramstore.New(cfg)
	svc := &signin.Service{
		Keys:   auth.NewSecretKeys(sm, env[names.EnvSessionKeys], auth.DefaultKeyTTL, nil),
		Signer: kmssign.Signer{Client: kms.NewFromConfig(cfg)},
		Config: bootconf.Source(env),
		IdP:    signin.NewSecretMetadata(sm, env[names.EnvIdpMetadataSecret], nil),
		Callers: &signin.LazyCallers{
			Param: func(ctx context.Context) (config.IdcParam, error) {
				value, err := params.Parameter(ctx, env[names.EnvIdcConfigParam])
				if err != nil {
					return config.IdcParam{}, fmt.Errorf("read %s: %w", env[names.EnvIdcConfigParam], err)
				}
				return signin.ParseIdcParam(value)
			},
			// The Identity Store lives in the IDC account, read-only.
			Store: func(p config.IdcParam) signin.IdentityStore {
				return identitystore.NewFromConfig(rolechain.Chain(cfg, names.Physical(ns, "sso"),
					signin.StoreRoleChain(ns, env[names.EnvHubAccountID], p.IdcAccountID)...))
			},
		},
		Sessions: ddbstore.NewSessionStore(dynamodb.NewFromConfig(cfg), env[names.EnvSessionTable], nil),
		Issuer:   auth.Issuer(ns), Audience: auth.Audience(ns), Now: time.Now,
		Machine: signin.Machine{
			Deployment: ns,
			Endpoints:  awsauth.Endpoints(cfg.Region, env[names.EnvStsEndpoint]),
			Client:     awsauth.NewClient(),
		},
	}
	return svc.Handle, nil
}
