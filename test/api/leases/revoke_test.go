package leases_test

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/isb-go/isb/common/awscfg/rolechain"
	"github.com/isb-go/isb/common/lessee/iamrevoke"
	"github.com/isb-go/isb/common/names"
	"github.com/isb-go/isb/test/api/apitest"
	"github.com/isb-go/isb/test/fixture"
)

func TestRevocationDeniesOlderSessionsAndNeverMovesBack(t *testing.T) {
	e := apitest.New(t)
	const account = "222233334444"
	roles := iam.NewFromConfig(rolechain.Chain(e.Cfg, "setup",
		"arn:aws:iam::"+account+":role/OrganizationAccountAccessRole"))
	role := names.RoleName(fixture.Namespace, names.LesseeRole)
	r := iamrevoke.New(e.Cfg, fixture.Namespace, fixture.HubAccount, names.LambdaLifecycle)
	t1 := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)

	t.Run("an account without the lessee role has nothing to revoke", func(t *testing.T) {
		if err := r.RevokeBefore(t.Context(), account, t1); err != nil {
			t.Fatal(err)
		}
	})
	if _, err := roles.CreateRole(t.Context(), &iam.CreateRoleInput{RoleName: aws.String(role),
		AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[]}`)}); err != nil {
		t.Fatal(err)
	}
	cutoff := func(t *testing.T) string {
		t.Helper()
		out, err := roles.GetRolePolicy(t.Context(), &iam.GetRolePolicyInput{RoleName: aws.String(role),
			PolicyName: aws.String(iamrevoke.PolicyName)})
		if err != nil {
			t.Fatal(err)
		}
		doc, _ := url.QueryUnescape(aws.ToString(out.PolicyDocument))
		if !strings.Contains(doc, `"Effect":"Deny"`) || !strings.Contains(doc, `"aws:TokenIssueTime"`) {
			t.Fatalf("policy %s is not a deny on the token issue time", doc)
		}
		i := strings.Index(doc, `"aws:TokenIssueTime":"`)
		return doc[i+len(`"aws:TokenIssueTime":"`) : i+len(`"aws:TokenIssueTime":"`)+20]
	}
	for _, tc := range []struct {
		name string
		at   time.Time
		want string
	}{
		{"a lease's end denies the sessions issued before it", t1, "2026-03-01T10:00:00Z"},
		{"the same end again changes nothing", t1, "2026-03-01T10:00:00Z"},
		{"a later lease's end moves the cutoff forward", t1.Add(2 * time.Hour), "2026-03-01T12:00:00Z"},
		{"a replayed earlier end never moves it back", t1, "2026-03-01T12:00:00Z"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := r.RevokeBefore(t.Context(), account, tc.at); err != nil {
				t.Fatal(err)
			}
			if got := cutoff(t); got != tc.want {
				t.Errorf("cutoff = %s, want %s", got, tc.want)
			}
		})
	}
}
