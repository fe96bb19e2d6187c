package cleanup

import (
	"bytes"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"

	"gopkg.in/yaml.v3"

	"github.com/isb-go/isb/common/config"
)

// GlobalRegion is aws-nuke's name for the global services (IAM, ...).
const GlobalRegion = "global"

// Accounts are the accounts a rendered configuration names.
type Accounts struct {
	// Cleanup is the sandbox account being cleaned.
	Cleanup string
	// Hub, Management and IDC are the platform's own accounts; they are
	// always blocklisted.
	Hub, Management, IDC string
}

// RenderInput is everything that varies between two renderings of the
// nuke template.
type RenderInput struct {
	Accounts Accounts
	// CleanupRoleName is the role the cleaner works through in the sandbox
	// account (names.Physical(ns, names.SandboxAccountRole)).
	CleanupRoleName string
	// LesseeRoleName is the role lessees' sessions use
	// (names.RoleName(ns, names.LesseeRole)); aws-nuke keeps it.
	LesseeRoleName string
	// Regions are the regions enabled in the sandbox account (from
	// ec2:DescribeRegions through the role chain). "global" is added.
	Regions []string
	// Endpoint, when set, sends every aws-nuke call to this URL (the local
	// emulator). See emulatorServices for what that changes.
	Endpoint string
	// HomeRegion is the region the cleaner runs aws-nuke from (its
	// --default-region); with an Endpoint it is the one region cleaned.
	HomeRegion string
}

// Compiled on first use, not at package initialisation: the role name's
// {1,64} compiles to a program of 64 steps, a third of a millisecond at
// every start of the functions that link this package.
var (
	roleNameRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[\w+=,.@-]{1,64}$`) })
	accountRE  = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[0-9]{12}$`) })
)

// Rendered is an aws-nuke configuration ready to run: config.Nuke plus
// the custom endpoints aws-nuke uses against an emulator.
type Rendered struct {
	config.Nuke `yaml:",inline"`
	// Endpoints are aws-nuke v3's custom endpoints ("endpoints" key).
	Endpoints []NukeEndpointRegion `yaml:"endpoints,omitempty"`
}

// NukeEndpointRegion is one entry of aws-nuke's "endpoints": the services
// of one region that are served by custom URLs. In a custom region,
// aws-nuke cleans only the listed services.
type NukeEndpointRegion struct {
	Region   string                `yaml:"region"`
	Services []NukeEndpointService `yaml:"services"`
}

// NukeEndpointService is one custom service endpoint.
type NukeEndpointService struct {
	Service string `yaml:"service"`
	URL     string `yaml:"url"`
}

// emulatorServices are the services aws-nuke is pointed at when an
// endpoint is set. aws-nuke picks the service of a resource type by
// prefix ("SQSQueue" -> "sqs"), and in a custom region it cleans only
// resource types of listed services. The identity calls need sts, iam and
// ec2 (GetCallerIdentity, ListAccountAliases, DescribeRegions) in the
// default region.
// aws-nuke also opens one session with no service at all (its account
// identity calls), hence the entry "", listed last so that it matches no
// resource type before a real service does.
var emulatorServices = []string{
	"cloudformation", "dynamodb", "ec2", "iam", "s3", "sqs", "sts", "",
}

// EmulatorResourceTypes are the resource types cleaned against the
// emulator: those of emulatorServices that moto implements well enough to
// list and delete. On AWS every type is cleaned.
var EmulatorResourceTypes = []string{
	"CloudFormationStack", "DynamoDBTable", "IAMRole", "IAMRolePolicy", "IAMRolePolicyAttachment",
	"S3Bucket", "SQSQueue",
}

// Render fills the nuke template for one account. The platform's accounts
// are blocklisted whatever the template says, the account being cleaned
// may bypass aws-nuke's alias check (sandbox accounts have no alias), and
// the regions are "global" plus the account's enabled regions.
//
// With an Endpoint (the local emulator) aws-nuke's custom endpoints apply,
// which change two things: a custom region serves only the listed
// services, and global services are served by the default region, so the
// rendering lists only HomeRegion and no "global" (IAM resources are listed
// there, once).
func Render(template []byte, in RenderInput) (Rendered, error) {
	if err := in.validate(); err != nil {
		return Rendered{}, err
	}
	filled := strings.NewReplacer(
		config.PlaceholderCleanupAccountID, in.Accounts.Cleanup,
		config.PlaceholderHubAccountID, in.Accounts.Hub,
		config.PlaceholderManagementAccountID, in.Accounts.Management,
		config.PlaceholderIDCAccountID, in.Accounts.IDC,
		config.PlaceholderCleanupRoleName, in.CleanupRoleName,
		config.PlaceholderLesseeRoleName, in.LesseeRoleName,
	).Replace(string(template))
	n, err := config.ParseNuke([]byte(filled))
	if err != nil {
		return Rendered{}, fmt.Errorf("render nuke config: %w", err)
	}
	if left := regexp.MustCompile(`%[A-Z][A-Z0-9_]*%`).FindString(filled); left != "" {
		return Rendered{}, fmt.Errorf("render nuke config: unknown placeholder %s left in the template", left)
	}
	if _, ok := n.Accounts[in.Accounts.Cleanup]; !ok {
		return Rendered{}, fmt.Errorf("render nuke config: the template has no accounts entry for %s (use %s)",
			in.Accounts.Cleanup, config.PlaceholderCleanupAccountID)
	}

	for _, id := range []string{in.Accounts.Hub, in.Accounts.Management, in.Accounts.IDC} {
		if !slices.Contains(n.Blocklist, id) {
			n.Blocklist = append(n.Blocklist, id)
		}
	}
	if !slices.Contains(n.BypassAliasCheckAccounts, in.Accounts.Cleanup) {
		n.BypassAliasCheckAccounts = append(n.BypassAliasCheckAccounts, in.Accounts.Cleanup)
	}

	regions := sortedRegions(in.Regions)
	if len(regions) == 0 {
		return Rendered{}, fmt.Errorf("render nuke config: no enabled regions for account %s", in.Accounts.Cleanup)
	}
	out := Rendered{Nuke: n}
	if in.Endpoint == "" {
		out.Regions = append([]string{GlobalRegion}, regions...)
	} else {
		if !slices.Contains(regions, in.HomeRegion) {
			return Rendered{}, fmt.Errorf("render nuke config: with an endpoint the home region %q must be one of the enabled regions %v", in.HomeRegion, regions)
		}
		out.Regions = []string{in.HomeRegion}
		out.ResourceTypes.Includes = EmulatorResourceTypes
		svcs := make([]NukeEndpointService, 0, len(emulatorServices))
		for _, s := range emulatorServices {
			svcs = append(svcs, NukeEndpointService{Service: s, URL: in.Endpoint})
		}
		out.Endpoints = []NukeEndpointRegion{{Region: in.HomeRegion, Services: svcs}}
	}
	if err := out.Validate(); err != nil {
		return Rendered{}, fmt.Errorf("render nuke config: %w", err)
	}
	return out, nil
}

// YAML encodes the rendered configuration as aws-nuke reads it.
func (r Rendered) YAML() ([]byte, error) {
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(r); err != nil {
		return nil, fmt.Errorf("encode nuke config: %w", err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("encode nuke config: %w", err)
	}
	return buf.Bytes(), nil
}

func (in RenderInput) validate() error {
	a := in.Accounts
	for _, c := range []struct{ name, id string }{
		{"cleanup", a.Cleanup}, {"hub", a.Hub}, {"management", a.Management}, {"IDC", a.IDC},
	} {
		if !accountRE().MatchString(c.id) {
			return fmt.Errorf("render nuke config: the %s account id %q is not 12 digits", c.name, c.id)
		}
	}
	if a.Cleanup == a.Hub || a.Cleanup == a.Management || a.Cleanup == a.IDC {
		return fmt.Errorf("render nuke config: account %s is one of the platform's own accounts and is never cleaned", a.Cleanup)
	}
	for _, r := range []string{in.CleanupRoleName, in.LesseeRoleName} {
		if !roleNameRE().MatchString(r) {
			return fmt.Errorf("render nuke config: %q is not an IAM role name", r)
		}
	}
	return nil
}

// sortedRegions returns the regions sorted, without duplicates or
// "global", so a rendering does not depend on the order AWS lists them in.
func sortedRegions(rs []string) []string {
	out := make([]string, 0, len(rs))
	for _, r := range rs {
		if r != GlobalRegion && r != "" && !slices.Contains(out, r) {
			out = append(out, r)
		}
	}
	slices.Sort(out)
	return out
}
