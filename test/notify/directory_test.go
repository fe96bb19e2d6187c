package notify_test

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/identitystore"
	istypes "github.com/aws/aws-sdk-go-v2/service/identitystore/types"

	idcdir "github.com/isb-go/isb/common/idc"
	"github.com/isb-go/isb/common/notify"
	"github.com/isb-go/isb/test/fixture"
)

func TestDirectoryResolvesGroupsToPrimaryEmails(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t)
	w.member(w.idc.AdminGroupID, admin1)
	// A user whose primary email is not the first one listed.
	u, err := w.ids.CreateUser(ctx, &identitystore.CreateUserInput{IdentityStoreId: aws.String(storeID),
		UserName: aws.String("second"), DisplayName: aws.String("second"),
		Name: &istypes.Name{GivenName: aws.String("Second"), FamilyName: aws.String("User")},
		Emails: []istypes.Email{
			{Value: aws.String("old@example.com")},
			{Value: aws.String("primary@example.com"), Primary: true},
		}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.ids.CreateGroupMembership(ctx, &identitystore.CreateGroupMembershipInput{
		IdentityStoreId: aws.String(storeID),
		GroupId:         aws.String(w.idc.AdminGroupID), MemberId: &istypes.MemberIdMemberUserId{Value: aws.ToString(
			u.UserId)}}); err != nil {
		t.Fatal(err)
	}
	w.member(w.idc.ManagerGroupID, manager1)

	now := t0
	d := notify.NewDirectory(
		idcdir.ReadOnly(w.cfg, fixture.Namespace, hub, "email-notifier", w.paramName),
		func() time.Time { return now },
	)
	check := func(what string, got []string, err error, want ...string) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		if d := diff(sorted(want...), sorted(got...)); d != "" {
			t.Errorf("%s:\n%s", what, d)
		}
	}
	admins, err := d.Admins(ctx)
	check("admins", admins, err, admin1, "primary@example.com")
	managers, err := d.Managers(ctx)
	check("managers", managers, err, manager1)

	// A new admin is seen once the cached list is older than DirectoryTTL.
	w.member(w.idc.AdminGroupID, admin2)
	now = now.Add(notify.DirectoryTTL - time.Second)
	admins, err = d.Admins(ctx)
	check("admins within the cache time", admins, err, admin1, "primary@example.com")
	now = now.Add(time.Second)
	admins, err = d.Admins(ctx)
	check("admins after the cache time", admins, err, admin1, admin2, "primary@example.com")
}
