package wiring

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/aws/aws-lambda-go/cfn"

	"github.com/isb-go/isb/functions/idc-configurer/idcsetup"
)

type ensureFunc func(context.Context, idcsetup.Spec) (idcsetup.Result, error)

func (f ensureFunc) Ensure(ctx context.Context, s idcsetup.Spec) (idcsetup.Result, error) {
	return f(ctx, s)
}

func specJSON(t *testing.T) string {
	t.Helper()
	b, err := json.Marshal(idcsetup.Spec{
		IdentityStoreID: "d-1234567890",
		InstanceArn:     "arn:aws:sso:::instance/ssoins-1",
		Groups:          []idcsetup.GroupSpec{{Role: "Admin", DisplayName: "dev_IsbAdmins"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestHandle(t *testing.T) {
	ok := ensureFunc(func(_ context.Context, s idcsetup.Spec) (idcsetup.Result, error) {
		return idcsetup.Result{
			GroupIDs:          map[string]string{"Admin": "g-1"},
			PermissionSetArns: map[string]string{"Admin": "arn:ps-1"},
		}, nil
	})
	mustNotRun := ensureFunc(func(context.Context, idcsetup.Spec) (idcsetup.Result, error) {
		return idcsetup.Result{}, errors.New("Ensure must not run")
	})
	for _, tc := range []struct {
		name     string
		svc      ensurer
		event    cfn.Event
		wantID   string
		wantData map[string]any
		wantErr  bool
	}{
		{
			name: "create returns the ids as response data",
			svc:  ok,
			event: cfn.Event{RequestType: cfn.RequestCreate, ResourceProperties: map[string]any{
				SpecProperty: specJSON(t)}},
			wantID:   "idc-config/d-1234567890",
			wantData: map[string]any{"AdminGroupId": "g-1", "AdminPermissionSetArn": "arn:ps-1"},
		},
		{
			name:   "delete leaves everything and keeps the physical id",
			svc:    mustNotRun,
			event:  cfn.Event{RequestType: cfn.RequestDelete, PhysicalResourceID: "idc-config/d-1234567890"},
			wantID: "idc-config/d-1234567890",
		},
		{
			name:    "a missing spec fails the request",
			svc:     mustNotRun,
			event:   cfn.Event{RequestType: cfn.RequestUpdate, ResourceProperties: map[string]any{}},
			wantErr: true,
		},
		{
			name: "a failing service fails the request",
			svc: ensureFunc(func(context.Context, idcsetup.Spec) (idcsetup.Result, error) {
				return idcsetup.Result{}, errors.New("throttled")
			}),
			event: cfn.Event{RequestType: cfn.RequestCreate, ResourceProperties: map[string]any{
				SpecProperty: specJSON(t)}},
			wantErr: true,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			id, data, err := (&handler{svc: tc.svc}).Handle(context.Background(), tc.event)
			if (err != nil) != tc.wantErr {
				t.Fatalf("err = %v, want error %v", err, tc.wantErr)
			}
			if id != tc.wantID {
				t.Errorf("physical id = %q, want %q", id, tc.wantID)
			}
			if len(data) != len(tc.wantData) {
				t.Errorf("data = %v, want %v", data, tc.wantData)
			}
			for k, v := range tc.wantData {
				if data[k] != v {
					t.Errorf("data[%s] = %v, want %v", k, data[k], v)
				}
			}
		})
	}
}

// TestParseSpecReadsWhatInfraSends decodes the spec the IDC stack sends
// (pinned by infra/internal/idc TestSpecGolden) with the handler's strict
// decoder.
func TestParseSpecReadsWhatInfraSends(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("..", "..", "..", "infra", "internal", "idc", "testdata", "spec.json"))
	if err != nil {
		t.Fatal(err)
	}
	spec, err := parseSpec(map[string]any{SpecProperty: string(raw)})
	if err != nil {
		t.Fatal(err)
	}
	if len(spec.Groups) != 3 || len(spec.PermissionSets) != 3 {
		t.Errorf("spec = %+v", spec)
	}
	for _, p := range spec.PermissionSets {
		if p.SessionDuration == "" || len(p.ManagedPolicyArns) == 0 {
			t.Errorf("permission set %s lacks a session duration or policies", p.Name)
		}
	}
	if _, err := parseSpec(map[string]any{
		SpecProperty: `{"identityStoreId":"d-1","instanceArn":"x","surprise":1}`}); err == nil {
		t.Error("an unknown field must be refused")
	}
}
