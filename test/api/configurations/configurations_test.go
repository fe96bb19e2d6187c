// Package configurations_test drives GET /configurations through the real
// handler and service, with the pool parameter in the emulator's SSM.
package configurations_test

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"

	"github.com/isb-go/isb/common/config"
	"github.com/isb-go/isb/common/configview"
	"github.com/isb-go/isb/common/names"
	"github.com/isb-go/isb/common/paramstore"
	"github.com/isb-go/isb/common/poolparam"
	"github.com/isb-go/isb/common/routes"
	"github.com/isb-go/isb/functions/api-configurations/configapi"
	"github.com/isb-go/isb/test/api/apitest"
	"github.com/isb-go/isb/test/fixture"
)

func TestClientsReadTheConfigurationTheyNeed(t *testing.T) {
	e := apitest.New(t)
	api := ssm.NewFromConfig(e.Cfg)
	doc, _ := json.Marshal(
		config.AccountPoolParam{
			EntryOuID:       "ou-entry",
			OrgMgtAccountID: "222222222222",
			ManagedRegions:  []string{"us-east-1", "eu-west-2"},
		},
	)
	name := "/" + names.Physical(fixture.Namespace, names.AccountPoolConfigParam)
	if _, err := api.PutParameter(context.Background(), &ssm.PutParameterInput{Name: aws.String(name),
		Value: aws.String(string(doc)), Type: ssmtypes.ParameterTypeString}); err != nil {
		t.Fatal(err)
	}
	svc := configview.New(e.Config, poolparam.New(paramstore.New(e.Cfg), name, 0, nil))
	h := e.Server(routes.Configurations, configapi.Handlers(svc))

	read := func(t *testing.T) configview.View {
		t.Helper()
		v := apitest.Decode[configview.View](t, h, e.Event("GET", "/configurations", &apitest.Dev, nil))
		return v
	}
	t.Run("a user reads limits, groups and managed regions", func(t *testing.T) {
		v := read(t)
		if v.Leases.MaxLeasesPerUser != 3 || !slices.Equal(v.IsbManagedRegions, []string{"us-east-1", "eu-west-2"}) ||
			!slices.Equal(v.CostReportGroups, []string{"platform", "research"}) || v.TermsOfService == "" {
			t.Fatalf("view = %+v", v)
		}
	})
	t.Run("the response carries no sign-in secrets", func(t *testing.T) {
		r := apitest.Call(t, h, e.Event("GET", "/configurations", &apitest.Dev, nil))
		for _, key := range []string{"idpAudience", "idpSignInUrl", "emailFrom"} {
			if json.Valid(r.Data) && contains(string(r.Data), key) {
				t.Fatalf("response exposes %s: %s", key, r.Raw)
			}
		}
	})
	t.Run("users still read it in maintenance mode, and see the mode", func(t *testing.T) {
		e.SetGlobal("maintenanceMode: true\n")
		if v := read(t); !v.MaintenanceMode {
			t.Fatalf("view = %+v", v)
		}
	})
	t.Run("without a token it is 401", func(t *testing.T) {
		apitest.Call(t, h, e.Event("GET", "/configurations", nil, nil)).Want(t, http.StatusUnauthorized, "")
	})
	t.Run("a broken configuration is a 500 that says nothing of why", func(t *testing.T) {
		e.SetGlobal("leases:\n  maxBudget: -1\n")
		r := apitest.Call(t, h, e.Event("GET", "/configurations", &apitest.Dev, nil))
		r.Want(t, http.StatusInternalServerError, "")
		if r.JSend != "error" || r.Message != "An unexpected error occurred." {
			t.Fatalf("500 body = %s", r.Raw)
		}
	})
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }
