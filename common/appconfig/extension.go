package appconfig

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/isb-go/isb/common/names"
)

// ExtensionPortEnv is the variable the AppConfig Lambda extension reads its
// port from; the extension's default is DefaultExtensionPort.
const (
	ExtensionPortEnv     = "AWS_APPCONFIG_EXTENSION_HTTP_PORT"
	DefaultExtensionPort = "2772"
)

// maxConfigBytes bounds a configuration document (AppConfig's own hosted
// limit is 2 MB).
const maxConfigBytes = 2 << 20

// Extension reads configurations from the AppConfig Lambda extension's
// local HTTP endpoint.
type Extension struct {
	// BaseURL is the extension's address, http://localhost:2772 by default.
	BaseURL     string
	Application string
	Environment string
	Client      *http.Client
}

// NewExtension returns the fetcher for namespace ns: the application
// names.Physical(ns, names.AppConfigApplication), environment
// names.AppConfigEnvironment, on port (the value of ExtensionPortEnv; empty
// means DefaultExtensionPort). The caller passes the port so that several
// functions with different environments can share one process.
func NewExtension(ns, port string) *Extension {
	if port == "" {
		port = DefaultExtensionPort
	}
	return &Extension{
		BaseURL:     "http://localhost:" + port,
		Application: names.Physical(ns, names.AppConfigApplication),
		Environment: names.AppConfigEnvironment,
		Client:      &http.Client{Timeout: 5 * time.Second},
	}
}

// Fetch gets one profile from the extension.
func (e *Extension) Fetch(ctx context.Context, profile string) ([]byte, error) {
	u := fmt.Sprintf("%s/applications/%s/environments/%s/configurations/%s", e.BaseURL,
		url.PathEscape(e.Application), url.PathEscape(e.Environment), url.PathEscape(profile))
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, fmt.Errorf("appconfig extension request: %w", err)
	}
	client := e.Client
	if client == nil {
		client = http.DefaultClient
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("appconfig extension: %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxConfigBytes+1))
	if err != nil {
		return nil, fmt.Errorf("appconfig extension: read %s: %w", profile, err)
	}
	if resp.StatusCode != http.StatusOK {
		snippet := string(body)
		if len(snippet) > 200 {
			snippet = snippet[:200]
		}
		return nil, fmt.Errorf("appconfig extension: %s answered %d: %s", profile, resp.StatusCode, snippet)
	}
	if len(body) > maxConfigBytes {
		return nil, fmt.Errorf("appconfig extension: %s is larger than %d bytes", profile, maxConfigBytes)
	}
	return body, nil
}
