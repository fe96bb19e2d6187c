package awsauth

import (
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"
)

// ReplayTimeout bounds the call to STS.
const ReplayTimeout = 5 * time.Second

// NewClient returns the client Replay uses: a short timeout, no redirects
// (a redirect would take the request to a host no one checked).
func NewClient() *http.Client {
	return &http.Client{
		Timeout:       ReplayTimeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

type callerIdentity struct {
	Arn string `xml:"GetCallerIdentityResult>Arn"`
}

// Replay sends a checked request (Check's result) and returns the ARN STS
// names the signer with. A request STS refuses is a *Refusal (401); a
// failure to reach STS is an error.
func Replay(ctx context.Context, c *http.Client, r *http.Request) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, ReplayTimeout)
	defer cancel()
	resp, err := c.Do(r.WithContext(ctx))
	if err != nil {
		return "", fmt.Errorf("call STS: %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if err != nil {
		return "", fmt.Errorf("read the STS answer: %w", err)
	}
	switch {
	case resp.StatusCode == http.StatusOK:
	case resp.StatusCode >= 400 && resp.StatusCode < 500:
		return "", &Refusal{Status: http.StatusUnauthorized,
			Message: "AWS did not accept the signed request: sign a new one with valid credentials"}
	default:
		return "", fmt.Errorf("STS answered %d", resp.StatusCode)
	}
	var id callerIdentity
	if err := xml.Unmarshal(body, &id); err != nil || id.Arn == "" {
		return "", errors.New("STS answer names no caller ARN")
	}
	return id.Arn, nil
}
