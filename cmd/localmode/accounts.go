package localmode

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/organizations"

	"github.com/isb-go/isb/common/auth"
	"github.com/isb-go/isb/common/auth/kmssign"
	"github.com/isb-go/isb/common/awscfg"
	"github.com/isb-go/isb/common/awscfg/rolechain"
	"github.com/isb-go/isb/common/names"
	"github.com/isb-go/isb/common/routes"
)

// registerAccounts creates the sandbox accounts in the Entry OU, registers
// each through the API's register route as an administrator would, and
// waits until the real cleaner has cleaned every one to Available.
func (p *Platform) registerAccounts(ctx context.Context) error {
	org := organizations.NewFromConfig(p.cfg)
	for i := range p.opts.Accounts {
		name := fmt.Sprintf("isb-local-sandbox-%d", i+1)
		out, err := org.CreateAccount(ctx, &organizations.CreateAccountInput{AccountName: aws.String(name),
			Email: aws.String(name + "@example.com")})
		if err != nil {
			return fmt.Errorf("create account %s: %w", name, err)
		}
		st, err := org.DescribeCreateAccountStatus(ctx,
			&organizations.DescribeCreateAccountStatusInput{CreateAccountRequestId: out.CreateAccountStatus.Id})
		if err != nil {
			return err
		}
		id := aws.ToString(st.CreateAccountStatus.AccountId)
		if _, err := org.MoveAccount(ctx, &organizations.MoveAccountInput{AccountId: aws.String(id),
			SourceParentId:      aws.String(p.world.pool.ParentOuID),
			DestinationParentId: aws.String(p.world.pool.EntryOuID)}); err != nil {
			return fmt.Errorf("move %s to Entry: %w", id, err)
		}
		if err := p.createLesseeRole(ctx, id); err != nil {
			return fmt.Errorf("lessee role in %s: %w", id, err)
		}
		p.accounts = append(p.accounts, id)
	}
	admin, err := p.Token(ctx, "admin@example.com")
	if err != nil {
		return err
	}
	for _, id := range p.accounts {
		status, body, err := p.Call(ctx, admin, http.MethodPost, "/accounts", map[string]string{"awsAccountId": id})
		if err != nil {
			return err
		}
		if status != http.StatusCreated && status != http.StatusOK {
			return fmt.Errorf("register %s: HTTP %d: %s", id, status, body)
		}
	}
	for _, id := range p.accounts {
		if err := p.waitAccount(ctx, admin, id, "Available"); err != nil {
			return err
		}
	}
	p.log.Info("accounts available", "accounts", p.accounts)
	return nil
}

// createLesseeRole makes the lessee role in a sandbox account as the
// SandboxAccount StackSet does: its name, trusted by the hub's lessee hop
// (the emulator does not evaluate trust policies).
func (p *Platform) createLesseeRole(ctx context.Context, account string) error {
	cfg := rolechain.Chain(p.cfg, "local-setup", "arn:aws:iam::"+account+":role/OrganizationAccountAccessRole")
	hop := awscfg.RoleARN(HubAccount, p.ns, names.LesseeHopRole)
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"` + hop +
		`"},"Action":["sts:AssumeRole","sts:SetSourceIdentity"]}]}`
	_, err := iam.NewFromConfig(cfg).CreateRole(ctx, &iam.CreateRoleInput{
		RoleName: aws.String(names.RoleName(p.ns, names.LesseeRole)), AssumeRolePolicyDocument: aws.String(trust),
		MaxSessionDuration: aws.Int32(3600)})
	return err
}

// waitAccount polls the account through the API until it is in status.
func (p *Platform) waitAccount(ctx context.Context, token, id, want string) error {
	tick := time.NewTicker(250 * time.Millisecond)
	defer tick.Stop()
	for {
		status, body, err := p.Call(ctx, token, http.MethodGet, "/accounts/"+id, nil)
		if err != nil {
			return err
		}
		var got struct {
			Data struct {
				Status string `json:"status"`
			} `json:"data"`
		}
		_ = json.Unmarshal(body, &got)
		if status == http.StatusOK && got.Data.Status == want {
			return nil
		}
		if got.Data.Status == "Quarantine" && want != "Quarantine" {
			return fmt.Errorf("account %s was quarantined while waiting for %s (its cleanup failed; see the log)",
				id, want)
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("account %s is %q, not %s: %w", id, got.Data.Status, want, ctx.Err())
		case <-tick.C:
		}
	}
}

// Call sends one request to the platform's API with token (none when
// empty) and returns the status and body.
func (p *Platform) Call(ctx context.Context, token, method, path string, body any) (int, []byte, error) {
	return Call(ctx, p.apiURL, token, method, path, body)
}

// Call sends one request to the API at baseURL.
func Call(ctx context.Context, baseURL, token, method, path string, body any) (int, []byte, error) {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return 0, nil, err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, baseURL+path, rd)
	if err != nil {
		return 0, nil, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, nil, fmt.Errorf("%s %s: %w", method, path, err)
	}
	defer func() { _ = resp.Body.Close() }()
	out, err := io.ReadAll(resp.Body)
	return resp.StatusCode, out, err
}

// Token signs a session token for a seeded person with the local
// deployment's session key (in the emulator's KMS), as the sign-in
// function does after a SAML sign-in.
func (p *Platform) Token(ctx context.Context, email string) (string, error) {
	return IssueToken(ctx, p.cfg, p.world.keyID, email, time.Hour)
}

// IssueToken signs a token for a seeded person with keyID.
func IssueToken(ctx context.Context, cfg aws.Config, keyID, email string, ttl time.Duration) (string, error) {
	email = strings.ToLower(strings.TrimSpace(email))
	for _, person := range People {
		if person.Email == email {
			c := auth.Caller{Email: person.Email, Name: person.Name, Roles: []routes.Role{person.Role}}
			return auth.Issue(ctx, kmssign.Signer{Client: kms.NewFromConfig(cfg)}, keyID, c,
				auth.Issuer(Namespace), auth.Audience(Namespace), ttl, time.Now())
		}
	}
	known := make([]string, len(People))
	for i, person := range People {
		known[i] = person.Email
	}
	return "", fmt.Errorf("%s is not a seeded person; local mode seeds %s", email, strings.Join(known, ", "))
}
