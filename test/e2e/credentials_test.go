package e2e

import (
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/isb-go/isb/cmd/localmode"
	"github.com/isb-go/isb/common/names"
)

func TestAPipelineActsInItsLeasedAccountWithTheCredentialsItIsGiven(t *testing.T) {
	ci, other := as(t, "user@example.com"), as(t, "manager@example.com")
	l := ci.request(autoTemplate(t, "e2e credentials", 10, 24))
	if l.Status != "Active" || l.AccountID == "" {
		t.Fatalf("lease = %+v", l)
	}
	path := "/leases/" + l.LeaseID + "/credentials"
	var c struct {
		Version                                   int
		AccessKeyID                               string `json:"AccessKeyId"`
		SecretAccessKey, SessionToken, Expiration string
	}
	ci.must(http.StatusOK, http.MethodGet, path, nil, &c)
	if c.Version != 1 || c.Expiration == "" {
		t.Fatalf("credentials = %+v", c)
	}
	cfg := platform.AWS().Copy()
	cfg.Credentials = credentials.NewStaticCredentialsProvider(c.AccessKeyID, c.SecretAccessKey, c.SessionToken)
	who, err := sts.NewFromConfig(cfg).GetCallerIdentity(t.Context(), &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatal(err)
	}
	role := names.RoleName(localmode.Namespace, names.LesseeRole)
	if aws.ToString(who.Account) != l.AccountID || !strings.Contains(aws.ToString(who.Arn), ":assumed-role/"+role+"/") {
		t.Errorf("the session is %s in %s, want the lessee role in %s", aws.ToString(who.Arn),
			aws.ToString(who.Account), l.AccountID)
	}
	// The lessee role is in the account, as the StackSet puts it there.
	if _, err := iam.NewFromConfig(cfg).GetRole(t.Context(), &iam.GetRoleInput{RoleName: aws.String(role)}); err != nil {
		t.Errorf("lessee role %s in %s: %v", role, l.AccountID, err)
	}
	other.must(http.StatusForbidden, http.MethodGet, path, nil, nil)

	ci.must(http.StatusOK, http.MethodPost, "/leases/"+l.LeaseID+"/terminate", nil, nil)
	ci.must(http.StatusConflict, http.MethodGet, path, nil, nil)
}
