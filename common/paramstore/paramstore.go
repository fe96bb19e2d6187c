// Package paramstore reads Systems Manager Parameter Store parameters with
// one signed GetParameter request, without the SSM client: the functions
// read one or two shared parameters and nothing else of SSM, and the
// client's package initialisation alone cost each of them about 2 ms and
// 1.4 MiB at start. Requests go to the configuration's endpoint (the
// emulator's, with ISB_AWS_ENDPOINT) or to SSM's regional endpoint, signed
// with SigV4 by the SDK's signer and the configuration's credentials.
package paramstore

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// maxResponse bounds a response (a parameter value is at most 8 KB).
const maxResponse = 1 << 20

// Reader reads parameters with one aws.Config.
type Reader struct {
	cfg    aws.Config
	signer *v4.Signer
}

// New returns a reader; it does no network work.
func New(cfg aws.Config) *Reader {
	return &Reader{cfg: cfg, signer: v4.NewSigner()}
}

// Error is SSM's answer to a request it refused.
type Error struct {
	Name, Type, Message string
	Status              int
}

func (e *Error) Error() string {
	return fmt.Sprintf("ssm GetParameter %s: %d %s: %s", e.Name, e.Status, e.Type, e.Message)
}

// Parameter returns the value of the parameter name (a name or, for a
// parameter shared from another account, its ARN).
func (r *Reader) Parameter(ctx context.Context, name string) (string, error) {
	body, err := json.Marshal(struct{ Name string }{name})
	if err != nil {
		return "", err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, r.endpoint(), bytes.NewReader(body))
	if err != nil {
		return "", fmt.Errorf("ssm GetParameter %s: %w", name, err)
	}
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", "AmazonSSM.GetParameter")
	if r.cfg.Credentials == nil {
		return "", fmt.Errorf("ssm GetParameter %s: no credentials", name)
	}
	creds, err := r.cfg.Credentials.Retrieve(ctx)
	if err != nil {
		return "", fmt.Errorf("ssm GetParameter %s: credentials: %w", name, err)
	}
	sum := sha256.Sum256(body)
	if err := r.signer.SignHTTP(ctx, creds, req, hex.EncodeToString(sum[:]), "ssm", r.cfg.Region, time.Now()); err != nil {
		return "", fmt.Errorf("ssm GetParameter %s: sign: %w", name, err)
	}
	var client interface {
		Do(*http.Request) (*http.Response, error)
	} = http.DefaultClient
	if r.cfg.HTTPClient != nil {
		client = r.cfg.HTTPClient
	}
	resp, err := client.Do(req)
	if err != nil {
		return "", fmt.Errorf("ssm GetParameter %s: %w", name, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxResponse))
	if err != nil {
		return "", fmt.Errorf("ssm GetParameter %s: read answer: %w", name, err)
	}
	if resp.StatusCode != http.StatusOK {
		var e struct {
			Type    string `json:"__type"`
			Message string `json:"message"`
		}
		_ = json.Unmarshal(raw, &e)
		// The type may carry a namespace: "com.amazon...#ParameterNotFound".
		return "", &Error{
			Name:    name,
			Status:  resp.StatusCode,
			Type:    e.Type[strings.LastIndexByte(e.Type, '#')+1:],
			Message: e.Message,
		}
	}
	var out struct {
		Parameter *struct{ Value *string }
	}
	if err := json.Unmarshal(raw, &out); err != nil {
		return "", fmt.Errorf("ssm GetParameter %s: answer: %w", name, err)
	}
	if out.Parameter == nil || out.Parameter.Value == nil {
		return "", fmt.Errorf("ssm GetParameter %s: no value in the answer", name)
	}
	return *out.Parameter.Value, nil
}

// endpoint is the configuration's endpoint override or SSM's regional
// endpoint.
func (r *Reader) endpoint() string {
	if r.cfg.BaseEndpoint != nil {
		return strings.TrimRight(*r.cfg.BaseEndpoint, "/") + "/"
	}
	host := "ssm." + r.cfg.Region + ".amazonaws.com"
	if strings.HasPrefix(r.cfg.Region, "cn-") {
		host += ".cn"
	}
	return "https://" + host + "/"
}
