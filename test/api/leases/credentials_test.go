package leases_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/isb-go/isb/common/lease"
	"github.com/isb-go/isb/common/lessee"
	"github.com/isb-go/isb/common/names"
	"github.com/isb-go/isb/common/template"
	"github.com/isb-go/isb/test/api/apitest"
	"github.com/isb-go/isb/test/fixture"
)

func TestTheOwnerGetsASessionInTheLeasedAccountUntilTheLeaseEnds(t *testing.T) {
	e, h := setup(t)
	e.Pool(2)
	tpl := e.Template("ci", false, template.Public)
	leased := requestLease(t, e, h, &apitest.CI, tpl.UUID)
	if leased.Status != string(lease.Active) {
		t.Fatalf("lease = %+v", leased)
	}
	path := "/leases/" + leased.LeaseID + "/credentials"

	t.Run("the owner's session names the leased account, the lessee role and the lease", func(t *testing.T) {
		r := apitest.Call(t, h, e.Event("GET", path, &apitest.CI, nil))
		r.Want(t, http.StatusOK, "")
		var c lessee.Credentials
		r.Into(t, &c)
		if c.Version != 1 || c.AccessKeyID == "" || c.SecretAccessKey == "" || c.SessionToken == "" {
			t.Fatalf("credentials = %+v", c)
		}
		// The lease expires in 24 h, so the session lasts the chaining hour.
		if left := time.Until(c.Expiration); left < 50*time.Minute || left > 61*time.Minute {
			t.Errorf("expiration = %v, want about an hour from now", c.Expiration)
		}
		cfg := e.Cfg.Copy()
		cfg.Credentials = credentials.NewStaticCredentialsProvider(c.AccessKeyID, c.SecretAccessKey, c.SessionToken)
		who, err := sts.NewFromConfig(cfg).GetCallerIdentity(t.Context(), &sts.GetCallerIdentityInput{})
		if err != nil {
			t.Fatal(err)
		}
		want := "arn:aws:sts::" + leased.AwsAccountID + ":assumed-role/" +
			names.RoleName(fixture.Namespace, names.LesseeRole) + "/lease-" + leased.UUID
		if aws.ToString(who.Account) != leased.AwsAccountID || aws.ToString(who.Arn) != want {
			t.Errorf("caller = %s in %s, want %s", aws.ToString(who.Arn), aws.ToString(who.Account), want)
		}
		if h := r.Headers["Cache-Control"]; h != "no-store" {
			t.Errorf("Cache-Control = %q, want no-store", h)
		}
	})
	t.Run("another user is refused", func(t *testing.T) {
		apitest.Call(t, h, e.Event("GET", path, &apitest.Dev, nil)).Want(t, http.StatusForbidden, "")
	})
	t.Run("an admin who is not the owner is refused too", func(t *testing.T) {
		apitest.Call(t, h, e.Event("GET", path, &apitest.Admin, nil)).Want(t, http.StatusForbidden, "")
	})
	t.Run("after termination the owner is refused, naming the status", func(t *testing.T) {
		apitest.Call(t, h, e.Event("POST", "/leases/"+leased.LeaseID+"/terminate", &apitest.CI, nil)).
			Want(t, http.StatusOK, "")
		r := apitest.Call(t, h, e.Event("GET", path, &apitest.CI, nil))
		r.Want(t, http.StatusConflict, "")
		if !strings.Contains(r.Raw, string(lease.ManuallyTerminated)) {
			t.Errorf("body %s does not name the status", r.Raw)
		}
	})
}

func TestAPendingLeaseGetsNoSession(t *testing.T) {
	e, h := setup(t)
	e.Pool(1)
	manual := e.Template("manual", true, template.Public)
	l := requestLease(t, e, h, &apitest.CI, manual.UUID)
	if l.Status != string(lease.PendingApproval) {
		t.Fatalf("lease = %+v", l)
	}
	apitest.Call(t, h, e.Event("GET", "/leases/"+l.LeaseID+"/credentials", &apitest.CI, nil)).
		Want(t, http.StatusConflict, "")
}
