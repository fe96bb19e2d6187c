package wiring

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"github.com/aws/aws-lambda-go/cfn"

	"github.com/isb-go/isb/functions/idc-configurer/idcsetup"
)

// SpecProperty is the custom resource property holding the idcsetup.Spec
// as JSON. One JSON string avoids CloudFormation turning numbers and
// booleans into strings.
const SpecProperty = "Spec"

// Response data keys are <role>GroupId and <role>PermissionSetArn, for
// example AdminGroupId.
const (
	groupIDSuffix          = "GroupId"
	permissionSetArnSuffix = "PermissionSetArn"
)

// ensurer is what the handler needs from idcsetup.Service.
type ensurer interface {
	Ensure(ctx context.Context, spec idcsetup.Spec) (idcsetup.Result, error)
}

// handler answers the custom resource's lifecycle events.
type handler struct {
	svc ensurer
}

// Handle converges Identity Center on Create and Update. Delete leaves the
// groups and permission sets in place: they may hold memberships and
// account assignments made since, and a redeploy finds them again.
func (h *handler) Handle(ctx context.Context, ev cfn.Event) (string, map[string]any, error) {
	log := slog.With("requestType", ev.RequestType, "logicalResourceId", ev.LogicalResourceID)
	if ev.RequestType == cfn.RequestDelete {
		log.InfoContext(ctx, "delete: leaving groups and permission sets in place")
		return ev.PhysicalResourceID, nil, nil
	}
	spec, err := parseSpec(ev.ResourceProperties)
	if err != nil {
		return "", nil, err
	}
	res, err := h.svc.Ensure(ctx, spec)
	if err != nil {
		return "", nil, fmt.Errorf("configure identity center: %w", err)
	}
	data := map[string]any{}
	for role, id := range res.GroupIDs {
		data[role+groupIDSuffix] = id
	}
	for role, arn := range res.PermissionSetArns {
		data[role+permissionSetArnSuffix] = arn
	}
	log.InfoContext(ctx, "identity center configured", "data", data)
	// The physical id names the identity store: moving to another store
	// replaces the resource; CloudFormation's Delete of the old one is a
	// no-op.
	return "idc-config/" + spec.IdentityStoreID, data, nil
}

func parseSpec(props map[string]any) (idcsetup.Spec, error) {
	raw, ok := props[SpecProperty].(string)
	if !ok {
		return idcsetup.Spec{}, errors.New("property " + SpecProperty + " (JSON string) is missing")
	}
	// Strict: a field the infra sends that this handler does not know is
	// an error at deploy time, not a silently ignored setting.
	dec := json.NewDecoder(strings.NewReader(raw))
	dec.DisallowUnknownFields()
	var spec idcsetup.Spec
	if err := dec.Decode(&spec); err != nil {
		return idcsetup.Spec{}, fmt.Errorf("property %s: %w", SpecProperty, err)
	}
	return spec, spec.Validate()
}
