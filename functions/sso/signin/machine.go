package signin

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/isb-go/isb/common/auth"
	"github.com/isb-go/isb/common/awsauth"
	"github.com/isb-go/isb/common/routes"
)

// MaxMachineTTL bounds a machine sign-in token: a CI job signs in again
// rather than holding a long-lived token.
const MaxMachineTTL = time.Hour

// maxMachineBody bounds the JSON body of POST /auth/aws.
const maxMachineBody = 16 << 10

// Machine is the configuration of the AWS identity sign-in.
type Machine struct {
	// Deployment is the value the signed X-Isb-Deployment header must carry.
	Deployment string
	// Endpoints are the STS endpoints requests may go to (awsauth.Endpoints).
	Endpoints []string
	// Client sends the checked request (awsauth.NewClient).
	Client *http.Client
}

// machine answers POST /auth/aws: check the signed GetCallerIdentity
// request, replay it to STS, map the caller and issue a short token.
func (s *Service) machine(
	ctx context.Context, e events.APIGatewayProxyRequest,
) (events.APIGatewayProxyResponse, error) {
	body := []byte(e.Body)
	if e.IsBase64Encoded {
		b, err := base64.StdEncoding.DecodeString(e.Body)
		if err != nil {
			return fail(http.StatusBadRequest, "body: not base64"), nil
		}
		body = b
	}
	if len(body) > maxMachineBody {
		return fail(http.StatusBadRequest, fmt.Sprintf("body: longer than %d bytes", maxMachineBody)), nil
	}
	var req awsauth.Request
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		return fail(http.StatusBadRequest, "body: must be a JSON object with method, url, headers and body"), nil
	}
	if req.URL == "" || req.Method == "" {
		return fail(http.StatusBadRequest, "method and url: are required"), nil
	}
	checked, err := awsauth.Check(req, awsauth.Policy{
		Deployment: s.Machine.Deployment, Endpoints: s.Machine.Endpoints, Now: s.Now(),
	})
	var refused *awsauth.Refusal
	if errors.As(err, &refused) {
		slog.InfoContext(ctx, "machine sign-in refused", "reason", refused.Message)
		return fail(refused.Status, refused.Message), nil
	}
	if err != nil {
		return events.APIGatewayProxyResponse{}, err
	}
	arn, err := awsauth.Replay(ctx, s.Machine.Client, checked)
	if errors.As(err, &refused) {
		slog.InfoContext(ctx, "machine sign-in refused by STS")
		return fail(refused.Status, refused.Message), nil
	}
	if err != nil {
		return events.APIGatewayProxyResponse{}, err
	}
	g, err := s.Config.Global(ctx)
	if err != nil {
		return events.APIGatewayProxyResponse{}, fmt.Errorf("read global configuration: %w", err)
	}
	m, ok := g.MachineIdentity(arn)
	if !ok {
		slog.InfoContext(ctx, "machine sign-in refused: unmapped principal", "principal", arn)
		return fail(http.StatusForbidden, "This AWS identity may not sign in: ask an administrator to map it"), nil
	}
	keys, err := s.Keys.Keys(ctx)
	if err != nil {
		return events.APIGatewayProxyResponse{}, err
	}
	ttl := min(MaxMachineTTL, g.Auth.SessionDuration())
	c := auth.Caller{Email: m.Owner, Roles: []routes.Role{m.RoleOf()}, Principal: arn}
	now := s.Now()
	tok, err := auth.Issue(ctx, s.Signer, keys.Current.ID, c, s.Issuer, s.Audience, ttl, now)
	if err != nil {
		return events.APIGatewayProxyResponse{}, fmt.Errorf("issue token for %s: %w", arn, err)
	}
	slog.InfoContext(ctx, "machine signed in", "principal", arn, "caller", m.Owner, "roles", c.Roles)
	return jsonResponse(http.StatusOK, map[string]any{"status": "success", "data": map[string]any{
		"token": tok, "expiresAt": now.Add(ttl).UTC().Format(time.RFC3339),
		"principal": arn, "owner": m.Owner, "role": m.RoleOf(),
	}}), nil
}

func fail(status int, message string) events.APIGatewayProxyResponse {
	return jsonResponse(status, map[string]any{"status": "fail", "data": map[string]any{
		"errors": []any{map[string]string{"message": message}},
	}})
}
