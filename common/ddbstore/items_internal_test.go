package ddbstore

import (
	"reflect"
	"strings"
	"testing"

	"github.com/isb-go/isb/common/names"
)

// jsonName is the attribute name a field of an item type is stored under.
func jsonName(t *testing.T, item any, field string) string {
	t.Helper()
	f, ok := reflect.TypeOf(item).FieldByName(field)
	if !ok {
		t.Fatalf("%T has no field %s", item, field)
	}
	return strings.Split(f.Tag.Get("json"), ",")[0]
}

// The cleanup state machine reads and writes these attributes of the
// account item itself, by the names of common/names.
func TestTheAccountItemStoresUnderTheNamesTheCleanupStateMachineUses(t *testing.T) {
	for _, tc := range []struct {
		item        any
		field, want string
	}{
		{accountItem{}, "CleanupExecutionContext", names.AttrCleanupContext},
		{accountItem{}, "CleanupFailures", names.AttrCleanupFailures},
		{accountItem{}, "LastModifiedDate", names.AttrLastModified},
		{accountItem{}, "Version", names.AttrVersion},
		{accountItem{}, "Status", names.AttrStatus},
		{accountItem{}, "AwsAccountID", names.AttrAccountID},
		{cleanupItem{}, "StateMachineExecutionArn", names.AttrExecutionArn},
		{cleanupItem{}, "StateMachineExecutionStartTime", names.AttrExecutionStartTime},
		{cleanupItem{}, "Outcome", names.AttrCleanupOutcome},
	} {
		if got := jsonName(t, tc.item, tc.field); got != tc.want {
			t.Errorf("%T.%s is stored as %q, the cleanup state machine uses %q", tc.item, tc.field, got, tc.want)
		}
	}
}
