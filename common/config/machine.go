package config

import (
	"regexp"
	"slices"
	"strconv"
	"strings"

	emailpkg "github.com/isb-go/isb/common/email"
	"github.com/isb-go/isb/common/fault"
	"github.com/isb-go/isb/common/routes"
)

// MachineIdentity lets an AWS principal (a CI job's IAM role or user) sign
// in with POST /auth/aws and act as Owner with Role.
type MachineIdentity struct {
	// Principal is the ARN of an IAM role or user,
	// arn:PARTITION:iam::ACCOUNT:role/[PATH/]NAME or .../user/[PATH/]NAME.
	// A role also matches its assumed-role sessions
	// (arn:PARTITION:sts::ACCOUNT:assumed-role/NAME/SESSION). A "*" in the
	// name part matches any run of characters; the account is always
	// exact.
	Principal string `yaml:"principal" json:"principal"`
	// Role is the ISB role the principal gets: User (the default when
	// empty), Manager, or Admin only together with AllowAdmin.
	Role string `yaml:"role" json:"role"`
	// AllowAdmin must be true for Role Admin: a machine administrator is a
	// deliberate choice, never a typo.
	AllowAdmin bool `yaml:"allowAdmin" json:"allowAdmin"`
	// Owner is the identity (an email address) that owns the leases the
	// principal requests.
	Owner string `yaml:"owner" json:"owner"`
	// MaxLeases caps the owner's leases when this principal requests one;
	// 0 means leases.maxLeasesPerUser.
	MaxLeases int `yaml:"maxLeases" json:"maxLeases"`
}

// principalPattern is the ARN shape a mapping may name.
var principalPattern = regexp.MustCompile(
	`^arn:(aws|aws-cn|aws-us-gov):iam::(\d{12}):(role|user)/([\w+=,.@/*-]+)$`)

// callerARN is the shape of an ARN STS returns for a caller.
var callerARN = regexp.MustCompile(
	`^arn:(aws|aws-cn|aws-us-gov):(iam|sts)::(\d{12}):(user|role|assumed-role)/([\w+=,.@/-]+)$`)

// RoleOf is the ISB role the identity grants.
func (m MachineIdentity) RoleOf() routes.Role {
	if m.Role == "" {
		return routes.User
	}
	return routes.Role(m.Role)
}

// LeaseLimit is the number of leases the identity may hold.
func (m MachineIdentity) LeaseLimit(l Leases) int {
	if m.MaxLeases > 0 {
		return m.MaxLeases
	}
	return l.MaxLeasesPerUser
}

// validateMachineIdentities adds a field error for each bad entry of
// auth.machineIdentities.
func validateMachineIdentities(f *fault.Fields, ids []MachineIdentity) {
	for i, m := range ids {
		at := "auth.machineIdentities[" + itoa(i) + "]."
		if !principalPattern.MatchString(m.Principal) {
			f.Add(at+"principal", "must be an IAM role or user ARN such as arn:aws:iam::123456789012:role/ci")
		}
		switch r := m.RoleOf(); {
		case !slices.Contains(routes.Roles, r):
			f.Add(at+"role", "must be User, Manager or Admin")
		case r == routes.Admin && !m.AllowAdmin:
			f.Add(at+"role", "may be Admin only with allowAdmin: true")
		}
		if !emailpkg.Canonical(m.Owner) {
			f.Add(at+"owner", "must be a lower-case email address such as ci@example.com")
		}
		if m.MaxLeases < 0 {
			f.Add(at+"maxLeases", "must be at least 0 (0 means leases.maxLeasesPerUser)")
		}
		for _, earlier := range ids[:i] {
			if earlier.Principal == m.Principal {
				f.Add(at+"principal", "is mapped twice")
				break
			}
		}
	}
}

// MachineIdentity returns the first mapping that matches arn, a caller's
// ARN as STS names it (an IAM user, or an assumed-role session).
func (g Global) MachineIdentity(arn string) (MachineIdentity, bool) {
	c := callerARN.FindStringSubmatch(arn)
	if c == nil {
		return MachineIdentity{}, false
	}
	partition, account, kind, rest := c[1], c[3], c[4], c[5]
	var wantKind, name string
	switch kind {
	case "user":
		wantKind, name = "user", rest
	case "role":
		wantKind, name = "role", rest
	case "assumed-role":
		// ROLE/SESSION: the role's name, without its path.
		role, _, ok := strings.Cut(rest, "/")
		if !ok {
			return MachineIdentity{}, false
		}
		wantKind, name = "role", role
	}
	for _, m := range g.Auth.MachineIdentities {
		p := principalPattern.FindStringSubmatch(m.Principal)
		if p == nil || p[1] != partition || p[2] != account || p[3] != wantKind {
			continue
		}
		pattern := p[4]
		if kind == "assumed-role" {
			// A session names its role without the path the pattern may
			// carry: role names are unique in an account, paths or not.
			pattern = pattern[strings.LastIndex(pattern, "/")+1:]
		}
		if glob(pattern, name) {
			return m, true
		}
	}
	return MachineIdentity{}, false
}

// glob matches s against p, where "*" matches any run of characters.
func glob(p, s string) bool {
	parts := strings.Split(p, "*")
	if len(parts) == 1 {
		return p == s
	}
	if !strings.HasPrefix(s, parts[0]) {
		return false
	}
	s = s[len(parts[0]):]
	for _, mid := range parts[1 : len(parts)-1] {
		i := strings.Index(s, mid)
		if i < 0 {
			return false
		}
		s = s[i+len(mid):]
	}
	return strings.HasSuffix(s, parts[len(parts)-1])
}

func itoa(i int) string { return strconv.Itoa(i) }
