package stacks

import (
	"encoding/json"
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"

	"github.com/isb-go/isb/common/names"
	"github.com/isb-go/isb/infra/internal/config"
	"github.com/isb-go/isb/infra/internal/platform"
)

// shareWithHub publishes value as JSON in the shared parameter
// /Physical(ns, base), which the hub account reads by ARN. The
// configuration structs hold only strings, so marshalling cannot fail
// short of a programming error.
func shareWithHub(stack awscdk.Stack, cfg config.Config, id, base, description string, value any) {
	b, err := json.Marshal(value)
	if err != nil {
		panic(fmt.Sprintf("%s: %v", id, err))
	}
	platform.NewSharedParameter(stack, id, &platform.SharedParameterProps{
		Name:        "/" + names.Physical(cfg.Namespace, base),
		Description: description,
		Value:       string(b),
		ShareWith:   []string{cfg.HubAccountID},
	})
}
