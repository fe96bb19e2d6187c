package config

import (
	"context"
	_ "embed"
	"math"
	"net"
	"net/mail"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/isb-go/isb/common/fault"
)

//go:embed defaults/global-config.yaml
var defaultGlobalYAML []byte

// Global is the global configuration: the AppConfig profile
// "global-config". The shipped values, with an explanation of each setting,
// are in defaults/global-config.yaml.
//
// Fields carry no omitempty: a marshalled Global states every value, so a
// false or zero is never mistaken for "use the default".
type Global struct {
	// MaintenanceMode locks the API to administrators (and GET
	// /configurations). A fresh install starts in maintenance mode.
	MaintenanceMode bool `yaml:"maintenanceMode" json:"maintenanceMode"`
	// TermsOfService is shown to users when they request a lease.
	TermsOfService string       `yaml:"termsOfService" json:"termsOfService"`
	Leases         Leases       `yaml:"leases" json:"leases"`
	Cleanup        Cleanup      `yaml:"cleanup" json:"cleanup"`
	Auth           Auth         `yaml:"auth" json:"auth"`
	Notification   Notification `yaml:"notification" json:"notification"`
}

// GlobalSource gives the current global configuration (appconfig.Source
// reads it from AppConfig); the services that only read it depend on this.
type GlobalSource interface {
	Global(ctx context.Context) (Global, error)
}

// Source gives the current global and reporting configuration
// (appconfig.Source).
type Source interface {
	GlobalSource
	Reporting(ctx context.Context) (Reporting, error)
}

// Leases holds the limits every lease and lease template is checked
// against.
type Leases struct {
	// RequireMaxBudget makes a maximum spend mandatory on every lease.
	RequireMaxBudget bool `yaml:"requireMaxBudget" json:"requireMaxBudget"`
	// MaxBudget is the highest maximum spend (USD) a lease may have. 0 means
	// no cap, which is allowed only when RequireMaxBudget is off.
	MaxBudget float64 `yaml:"maxBudget" json:"maxBudget"`
	// RequireMaxDuration makes a duration mandatory on every lease.
	RequireMaxDuration bool `yaml:"requireMaxDuration" json:"requireMaxDuration"`
	// MaxDurationHours is the longest a lease may last. 0 means no cap,
	// which is allowed only when RequireMaxDuration is off.
	MaxDurationHours int `yaml:"maxDurationHours" json:"maxDurationHours"`
	// MaxLeasesPerUser caps a user's pending, provisioning, active and
	// frozen leases together. 0 stops all new requests.
	MaxLeasesPerUser int `yaml:"maxLeasesPerUser" json:"maxLeasesPerUser"`
	// TTL is how many days a finished (terminated or denied) lease record is
	// kept before DynamoDB deletes it.
	TTL int `yaml:"ttl" json:"ttl"`

	// AccountReuseCooldownHours is our addition: when picking an account
	// for a new lease, prefer accounts whose last cleanup finished longer
	// ago than this, so the new lease's first day of cost is not the
	// previous tenant's. Others are used only when no such account is free.
	// 0 disables the preference.
	AccountReuseCooldownHours int `yaml:"accountReuseCooldownHours" json:"accountReuseCooldownHours"`
	// PendingApprovalTimeoutHours is our addition: a request still pending
	// approval after this many hours expires. 0 means requests never expire
	// (the upstream behaviour).
	PendingApprovalTimeoutHours int `yaml:"pendingApprovalTimeoutHours" json:"pendingApprovalTimeoutHours"`
	// FourEyesReview is our addition: whoever requested a lease (its
	// lessee, or the manager who asked for it on someone's behalf) may not
	// approve or deny it; another manager or an admin must.
	FourEyesReview bool `yaml:"fourEyesReview" json:"fourEyesReview"`
}

// Cleanup tunes the account cleaner, which runs aws-nuke in passes until
// enough consecutive passes succeed or too many fail.
type Cleanup struct {
	// NumberOfFailedAttemptsToCancelCleanup: a cleanup fails after this many
	// failed passes in total.
	NumberOfFailedAttemptsToCancelCleanup int `yaml:"numberOfFailedAttemptsToCancelCleanup" json:"numberOfFailedAttemptsToCancelCleanup"`
	// WaitBeforeRetryFailedAttemptSeconds is the pause after a failed pass.
	WaitBeforeRetryFailedAttemptSeconds int `yaml:"waitBeforeRetryFailedAttemptSeconds" json:"waitBeforeRetryFailedAttemptSeconds"`
	// NumberOfSuccessfulAttemptsToFinishCleanup: a cleanup succeeds after
	// this many successful passes in a row (a failure resets the count).
	NumberOfSuccessfulAttemptsToFinishCleanup int `yaml:"numberOfSuccessfulAttemptsToFinishCleanup" json:"numberOfSuccessfulAttemptsToFinishCleanup"`
	// WaitBeforeRerunSuccessfulAttemptSeconds is the pause between
	// successful passes.
	WaitBeforeRerunSuccessfulAttemptSeconds int `yaml:"waitBeforeRerunSuccessfulAttemptSeconds" json:"waitBeforeRerunSuccessfulAttemptSeconds"`

	// PassTimeoutMinutes is our addition: one aws-nuke pass that runs longer
	// than this is stopped and counted as failed, so a resource that never
	// finishes deleting cannot hold an account in cleanup for hours.
	PassTimeoutMinutes int `yaml:"passTimeoutMinutes" json:"passTimeoutMinutes"`
	// MaxConsecutiveCleanupFailures is our addition: an account is
	// quarantined after this many failed cleanups in a row; before that a
	// failed cleanup is retried. 1 quarantines on the first failure (the
	// upstream behaviour).
	MaxConsecutiveCleanupFailures int `yaml:"maxConsecutiveCleanupFailures" json:"maxConsecutiveCleanupFailures"`
}

// Auth configures sign-in through the IAM Identity Center SAML
// application. The URLs are known only after deployment, so they may be
// empty when the configuration is loaded; AuthReady says what is missing.
type Auth struct {
	IdpSignInURL             string `yaml:"idpSignInUrl" json:"idpSignInUrl"`
	IdpSignOutURL            string `yaml:"idpSignOutUrl" json:"idpSignOutUrl"`
	IdpAudience              string `yaml:"idpAudience" json:"idpAudience"`
	WebAppURL                string `yaml:"webAppUrl" json:"webAppUrl"`
	AwsAccessPortalURL       string `yaml:"awsAccessPortalUrl" json:"awsAccessPortalUrl"`
	SessionDurationInMinutes int    `yaml:"sessionDurationInMinutes" json:"sessionDurationInMinutes"`
	// MachineIdentities are the AWS principals that may sign in with
	// POST /auth/aws (CI jobs); empty lets none.
	MachineIdentities []MachineIdentity `yaml:"machineIdentities" json:"machineIdentities"`
}

// Notification configures email.
type Notification struct {
	// EmailFrom is the sender address of every email; empty turns email off.
	EmailFrom string `yaml:"emailFrom" json:"emailFrom"`
}

// Limits of the global configuration.
const (
	MinSessionDurationMinutes = 5
	MaxSessionDurationMinutes = 1440
	// MaxPassTimeoutMinutes is 12 hours, the bound upstream puts on a whole
	// cleanup. A larger value is almost certainly seconds typed as minutes.
	MaxPassTimeoutMinutes = 720
)

var defaultGlobal = sync.OnceValue(func() Global {
	return mustParseEmbedded[Global]("global-config.yaml", defaultGlobalYAML).normal()
})

// DefaultGlobal returns the shipped global configuration
// (defaults/global-config.yaml).
func DefaultGlobal() Global { return defaultGlobal() }

// DefaultGlobalYAML returns the shipped global configuration file, comments
// included: the hosted configuration the infrastructure deploys.
func DefaultGlobalYAML() []byte { return append([]byte(nil), defaultGlobalYAML...) }

// ParseGlobal decodes and validates a global configuration. Keys left out
// take their shipped defaults; unknown keys are errors. The error is a
// *fault.ValidationError naming every bad field.
func ParseGlobal(data []byte) (Global, error) {
	g, err := parse(data, DefaultGlobal())
	return g.normal(), err
}

// normal spells "no machine identities" one way (nil), so configurations
// compare equal however the empty list was written.
func (g Global) normal() Global {
	if len(g.Auth.MachineIdentities) == 0 {
		g.Auth.MachineIdentities = nil
	}
	return g
}

// Validate checks every rule of the global configuration. Empty auth
// fields are accepted here; see AuthReady.
func (g Global) Validate() error {
	var f fault.Fields
	l := g.Leases
	if math.IsNaN(l.MaxBudget) || math.IsInf(l.MaxBudget, 0) {
		f.Add("leases.maxBudget", "must be a finite number")
	}
	atLeast(&f, "leases.maxBudget", l.MaxBudget, 0)
	if l.RequireMaxBudget && l.MaxBudget == 0 {
		f.Add("leases.maxBudget", "must be greater than 0 while leases.requireMaxBudget is true")
	}
	atLeast(&f, "leases.maxDurationHours", l.MaxDurationHours, 0)
	if l.RequireMaxDuration && l.MaxDurationHours == 0 {
		f.Add("leases.maxDurationHours", "must be greater than 0 while leases.requireMaxDuration is true")
	}
	atLeast(&f, "leases.maxLeasesPerUser", l.MaxLeasesPerUser, 0)
	atLeast(&f, "leases.ttl", l.TTL, 0)
	atLeast(&f, "leases.accountReuseCooldownHours", l.AccountReuseCooldownHours, 0)
	atLeast(&f, "leases.pendingApprovalTimeoutHours", l.PendingApprovalTimeoutHours, 0)

	c := g.Cleanup
	atLeast(&f, "cleanup.numberOfFailedAttemptsToCancelCleanup", c.NumberOfFailedAttemptsToCancelCleanup, 1)
	atLeast(&f, "cleanup.waitBeforeRetryFailedAttemptSeconds", c.WaitBeforeRetryFailedAttemptSeconds, 0)
	atLeast(&f, "cleanup.numberOfSuccessfulAttemptsToFinishCleanup", c.NumberOfSuccessfulAttemptsToFinishCleanup, 1)
	atLeast(&f, "cleanup.waitBeforeRerunSuccessfulAttemptSeconds", c.WaitBeforeRerunSuccessfulAttemptSeconds, 0)
	between(&f, "cleanup.passTimeoutMinutes", c.PassTimeoutMinutes, 1, MaxPassTimeoutMinutes)
	atLeast(&f, "cleanup.maxConsecutiveCleanupFailures", c.MaxConsecutiveCleanupFailures, 1)

	a := g.Auth
	checkURL(&f, "auth.idpSignInUrl", a.IdpSignInURL)
	checkURL(&f, "auth.idpSignOutUrl", a.IdpSignOutURL)
	checkURL(&f, "auth.webAppUrl", a.WebAppURL)
	checkURL(&f, "auth.awsAccessPortalUrl", a.AwsAccessPortalURL)
	if a.IdpAudience != strings.TrimSpace(a.IdpAudience) {
		f.Add("auth.idpAudience", "must not start or end with spaces")
	}
	between(&f, "auth.sessionDurationInMinutes", a.SessionDurationInMinutes,
		MinSessionDurationMinutes, MaxSessionDurationMinutes)
	validateMachineIdentities(&f, a.MachineIdentities)

	if e := g.Notification.EmailFrom; e != "" && !isPlainEmail(e) {
		f.Add("notification.emailFrom", "must be an email address such as sandbox@example.com, or empty to turn email off")
	}
	return f.Err()
}

// AuthReady reports whether sign-in can work: every auth URL and the IdP
// audience must be set. The error names each missing field. The sign-in
// handler calls it; loading the configuration does not, so a fresh install
// can start before the identity provider is wired up.
func (g Global) AuthReady() error {
	var f fault.Fields
	for _, x := range []struct{ field, value string }{
		{"auth.idpSignInUrl", g.Auth.IdpSignInURL},
		{"auth.idpSignOutUrl", g.Auth.IdpSignOutURL},
		{"auth.idpAudience", g.Auth.IdpAudience},
		{"auth.webAppUrl", g.Auth.WebAppURL},
		{"auth.awsAccessPortalUrl", g.Auth.AwsAccessPortalURL},
	} {
		if x.value == "" {
			f.Add(x.field, "must be set in the global configuration before users can sign in")
		}
	}
	return f.Err()
}

// CheckBudget checks a lease's or template's maximum spend against the
// global limits: required while leases.requireMaxBudget is on, and at most
// leases.maxBudget when that is set. The error names the field "maxSpend".
func (g Global) CheckBudget(maxSpend *float64) error {
	var f fault.Fields
	switch {
	case maxSpend == nil:
		if g.Leases.RequireMaxBudget {
			f.Add("maxSpend", "is required: the global configuration requires a maximum budget on every lease")
		}
	case g.Leases.MaxBudget > 0 && *maxSpend > g.Leases.MaxBudget:
		f.Add("maxSpend", "must be at most %s USD, the global maximum budget", formatNumber(g.Leases.MaxBudget))
	}
	return f.Err()
}

// CheckDuration checks a lease's or template's duration in hours against
// the global limits: required while leases.requireMaxDuration is on, and at
// most leases.maxDurationHours when that is set. The error names the field
// "leaseDurationInHours".
func (g Global) CheckDuration(hours *float64) error {
	var f fault.Fields
	switch {
	case hours == nil:
		if g.Leases.RequireMaxDuration {
			f.Add("leaseDurationInHours", "is required: the global configuration requires a duration on every lease")
		}
	case g.Leases.MaxDurationHours > 0 && *hours > float64(g.Leases.MaxDurationHours):
		f.Add("leaseDurationInHours", "must be at most %d hours, the global maximum duration", g.Leases.MaxDurationHours)
	}
	return f.Err()
}

// LeaseTTL is how long a finished lease record is kept.
func (l Leases) LeaseTTL() time.Duration { return days(l.TTL) }

// AccountReuseCooldown is how long after its last cleanup an account is
// preferred less for new leases.
func (l Leases) AccountReuseCooldown() time.Duration { return hours(l.AccountReuseCooldownHours) }

// PendingApprovalTimeout is how long a request may wait for approval; 0
// means forever.
func (l Leases) PendingApprovalTimeout() time.Duration { return hours(l.PendingApprovalTimeoutHours) }

// PassTimeout bounds one aws-nuke pass.
func (c Cleanup) PassTimeout() time.Duration {
	return time.Duration(c.PassTimeoutMinutes) * time.Minute
}

// WaitBeforeRetryFailedAttempt is the pause after a failed pass.
func (c Cleanup) WaitBeforeRetryFailedAttempt() time.Duration {
	return time.Duration(c.WaitBeforeRetryFailedAttemptSeconds) * time.Second
}

// WaitBeforeRerunSuccessfulAttempt is the pause between successful passes.
func (c Cleanup) WaitBeforeRerunSuccessfulAttempt() time.Duration {
	return time.Duration(c.WaitBeforeRerunSuccessfulAttemptSeconds) * time.Second
}

// SessionDuration is the lifetime of a sign-in session.
func (a Auth) SessionDuration() time.Duration {
	return time.Duration(a.SessionDurationInMinutes) * time.Minute
}

func days(n int) time.Duration  { return time.Duration(n) * 24 * time.Hour }
func hours(n int) time.Duration { return time.Duration(n) * time.Hour }

func atLeast[N int | float64](f *fault.Fields, field string, v, min N) {
	if v < min {
		f.Add(field, "must be at least %v", min)
	}
}

func between(f *fault.Fields, field string, v, min, max int) {
	if v < min || v > max {
		f.Add(field, "must be between %d and %d", min, max)
	}
}

// checkURL accepts an empty value or an absolute https URL; http is
// accepted only for localhost, for local development.
func checkURL(f *fault.Fields, field, s string) {
	if s == "" {
		return
	}
	u, err := url.Parse(s)
	if err != nil || !u.IsAbs() || u.Host == "" {
		f.Add(field, "must be an absolute URL such as https://example.com/path")
		return
	}
	if u.User != nil {
		f.Add(field, "must not contain a user name or password")
		return
	}
	switch u.Scheme {
	case "https":
	case "http":
		if !isLocalhost(u.Hostname()) {
			f.Add(field, "must use https (http is accepted only for localhost)")
		}
	default:
		f.Add(field, "must be an https URL")
	}
}

func isLocalhost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// isPlainEmail accepts a bare address (no display name) with a domain.
func isPlainEmail(s string) bool {
	a, err := mail.ParseAddress(s)
	if err != nil || a.Name != "" || a.Address != s {
		return false
	}
	_, domain, _ := strings.Cut(s, "@")
	return domain != "" && !strings.HasPrefix(domain, "[")
}

func formatNumber(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }
