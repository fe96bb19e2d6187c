// Package hosted reads configuration from AppConfig hosted configuration
// versions through the control-plane API. It is for local mode and tests
// (the emulator has neither the AppConfig extension nor AppConfigData); it
// is its own package so that the Lambdas, which read through the
// extension, do not link the AppConfig client.
package hosted

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/appconfig"
	"github.com/aws/aws-sdk-go-v2/service/appconfig/types"
)

// API is the one AppConfig control-plane call Hosted makes.
type API interface {
	GetHostedConfigurationVersion(
		ctx context.Context,
		in *appconfig.GetHostedConfigurationVersionInput,
		opts ...func(*appconfig.Options),
	) (*appconfig.GetHostedConfigurationVersionOutput, error)
}

// Hosted reads the newest hosted configuration version of each profile. It
// is for local mode: the emulator has neither the extension nor
// AppConfigData, and it cannot list hosted versions, so Hosted finds the
// newest one by reading forward from the last version it saw until a
// version does not exist. Versions are numbered 1, 2, 3… per profile; a
// deleted version in the middle would stop the walk early, which local mode
// never does.
type Hosted struct {
	api           API
	applicationID string
	// profileIDs maps profile names (names.GlobalConfigProfile, …) to
	// configuration profile ids (config.DataParam holds them).
	profileIDs map[string]string

	mu     sync.Mutex
	latest map[string]int32
}

// New returns a fetcher over the application's hosted profiles.
func New(api API, applicationID string, profileIDs map[string]string) *Hosted {
	return &Hosted{api: api, applicationID: applicationID, profileIDs: profileIDs, latest: map[string]int32{}}
}

// Fetch returns the content of the newest hosted version of profile.
func (h *Hosted) Fetch(ctx context.Context, profile string) ([]byte, error) {
	id, ok := h.profileIDs[profile]
	if !ok {
		return nil, fmt.Errorf("appconfig: no profile id for %s", profile)
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	v := max(h.latest[profile], 1)
	var content []byte
	for {
		out, err := h.api.GetHostedConfigurationVersion(ctx, &appconfig.GetHostedConfigurationVersionInput{
			ApplicationId: aws.String(
				h.applicationID,
			), ConfigurationProfileId: aws.String(id), VersionNumber: aws.Int32(v),
		})
		var nf *types.ResourceNotFoundException
		if errors.As(err, &nf) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("appconfig: get %s version %d: %w", profile, v, err)
		}
		content = out.Content
		h.latest[profile] = v
		v++
	}
	if content == nil {
		return nil, fmt.Errorf("appconfig: %s has no hosted version at or after %d", profile, max(h.latest[profile], 1))
	}
	return content, nil
}
