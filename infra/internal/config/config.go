// Package config loads the deployment parameters of the CDK app: account
// ids, namespace, organization and Identity Center identifiers, managed
// regions and the deployment mode. It is the only place that reads CDK
// context or the environment; every stack and construct receives the
// validated Config.
//
// Each parameter is looked up first in the CDK context (cdk -c key=value or
// cdk.json), then in the environment. In dev mode a missing parameter falls
// back to a dummy default so that `make synth` works on a fresh machine; in
// prod mode every parameter without a safe default must be given, and the
// error names each missing one.
package config

import (
	"errors"
	"fmt"
	"net/netip"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/isb-go/isb/common/names"
)

// Mode is the deployment mode.
type Mode string

// Deployment modes.
const (
	// ModeDev allows destroying stateful resources on stack deletion.
	ModeDev Mode = "dev"
	// ModeProd retains stateful resources and turns on deletion protection.
	ModeProd Mode = "prod"
)

// Config is the validated set of deployment parameters.
type Config struct {
	// Namespace separates several deployments in one organization; it
	// prefixes every physical name (names.Physical).
	Namespace string
	// Mode is dev or prod.
	Mode Mode
	// Region is the region of the hub, the management-account stack and the
	// StackSet instances.
	Region string
	// HubAccountID holds the Data and Compute stacks.
	HubAccountID string
	// OrgMgtAccountID is the AWS Organizations management account (the
	// AccountPool stack).
	OrgMgtAccountID string
	// IdcAccountID is the IAM Identity Center account (the IDC stack).
	IdcAccountID string
	// ParentOuID is the root (r-…) or OU (ou-…) the pool OU is created under.
	ParentOuID string
	// PoolOrgPath is the pool OU's path in the organization,
	// o-…/r-…/[ou-…/]ou-… (the pool OU's id comes from the AccountPool
	// stack, which deploys first). The hub's sandbox hop may assume the
	// cleanup role only in accounts under it (aws:ResourceOrgPaths).
	PoolOrgPath string
	// ManagedRegions are the regions sandbox users may use.
	ManagedRegions []string
	// IdentityStoreID is the Identity Center identity store (d-…).
	IdentityStoreID string
	// SsoInstanceArn is the Identity Center instance ARN.
	SsoInstanceArn string
	// AdminGroupName, ManagerGroupName and UserGroupName are the Identity
	// Center groups the IDC custom resource creates or finds.
	AdminGroupName, ManagerGroupName, UserGroupName string
	// LogRetentionDays is the retention of every log group.
	LogRetentionDays int
	// MinFreeAccounts is the alarm threshold on available pool accounts.
	MinFreeAccounts int
	// AlarmEmail, when set, subscribes an address to the alarm topic.
	AlarmEmail string
	// AllowedIPRanges are the CIDRs (IPv4 or IPv6) the API's WAF lets in;
	// empty lets every address in (the rate limit and managed rules still
	// apply).
	AllowedIPRanges []string
	// LambdaAssetDir is the directory holding <name>/bootstrap.zip for
	// every function (built by `make build-lambdas`).
	LambdaAssetDir string
	// RepoRoot is the repository root; configuration files (AppConfig
	// defaults, nuke config) are read relative to it at synth time.
	RepoRoot string
}

// Param describes one deployment parameter: its CDK context key, its
// environment variable and its dev default ("" means required in every
// mode).
type Param struct {
	Context string
	Env     string
	// DevDefault is used in dev mode when the parameter is not set.
	DevDefault string
	// Default is used in every mode when the parameter is not set; a
	// parameter with a Default is never required.
	Default string
}

// The parameters, in the order errors list them.
var (
	ParamNamespace     = Param{Context: "namespace", Env: "ISB_DEPLOY_NAMESPACE", Default: names.DefaultNamespace}
	ParamMode          = Param{Context: "deploymentMode", Env: "DEPLOYMENT_MODE", Default: string(ModeDev)}
	ParamRegion        = Param{Context: "region", Env: "AWS_REGION", DevDefault: "us-east-1"}
	ParamHubAccount    = Param{Context: "hubAccountId", Env: "HUB_ACCOUNT_ID", DevDefault: "111111111111"}
	ParamOrgMgtAccount = Param{Context: "orgMgtAccountId", Env: "ORG_MGT_ACCOUNT_ID", DevDefault: "222222222222"}
	ParamIdcAccount    = Param{Context: "idcAccountId", Env: "IDC_ACCOUNT_ID", DevDefault: "333333333333"}
	ParamParentOu      = Param{Context: "parentOuId", Env: "PARENT_OU_ID", DevDefault: "r-abcd"}
	ParamPoolOrgPath   = Param{Context: "poolOrgPath", Env: "POOL_ORG_PATH",
		DevDefault: "o-abcd123456/r-abcd/ou-abcd-11111111"}
	ParamManagedRegions = Param{Context: "managedRegions", Env: "AWS_REGIONS"}
	ParamIdentityStore  = Param{Context: "identityStoreId", Env: "IDENTITY_STORE_ID", DevDefault: "d-0000000000"}
	ParamSsoInstance    = Param{Context: "ssoInstanceArn", Env: "SSO_INSTANCE_ARN",
		DevDefault: "arn:aws:sso:::instance/ssoins-0000000000000000"}
	ParamAdminGroup      = Param{Context: "adminGroupName", Env: "ADMIN_GROUP_NAME"}
	ParamManagerGroup    = Param{Context: "managerGroupName", Env: "MANAGER_GROUP_NAME"}
	ParamUserGroup       = Param{Context: "userGroupName", Env: "USER_GROUP_NAME"}
	ParamLogRetention    = Param{Context: "logRetentionDays", Env: "LOG_RETENTION_DAYS", Default: "90"}
	ParamMinFreeAccounts = Param{Context: "minFreeAccounts", Env: "MIN_FREE_ACCOUNTS", Default: "2"}
	ParamAlarmEmail      = Param{Context: "alarmEmail", Env: "ALARM_EMAIL"}
	ParamAllowedIPRanges = Param{Context: "allowedIpRanges", Env: "ALLOWED_IP_RANGES"}
	ParamLambdaAssetDir  = Param{Context: "lambdaAssetDir", Env: "ISB_LAMBDA_ASSET_DIR", Default: "build/lambda"}
	ParamRepoRoot        = Param{Context: "repoRoot", Env: "ISB_REPO_ROOT", Default: "."}
	errMissingParameters = errors.New("missing deployment parameters")
	errInvalidParameters = errors.New("invalid deployment parameters")
	namespacePattern     = regexp.MustCompile(`^[a-z0-9]{2,8}$`)
	accountPattern       = regexp.MustCompile(`^[0-9]{12}$`)
	regionPattern        = regexp.MustCompile(`^[a-z]{2}(-gov)?-[a-z]+-[0-9]$`)
	poolOrgPathPattern   = regexp.MustCompile(
		`^o-[a-z0-9]{10,32}/r-[0-9a-z]{4,32}(/ou-[0-9a-z]{4,32}-[a-z0-9]{8,32})+$`,
	)
	parentOuPattern       = regexp.MustCompile(`^(r-[0-9a-z]{4,32}|ou-[0-9a-z]{4,32}-[a-z0-9]{8,32})$`)
	identityStorePattern  = regexp.MustCompile(`^d-[0-9a-f]{10}$`)
	ssoInstancePattern    = regexp.MustCompile(`^arn:aws[a-z-]*:sso:::instance/(sso)?ins-[a-zA-Z0-9-.]{16}$`)
	groupNamePattern      = regexp.MustCompile(`^[\p{L}\p{M}\p{S}\p{N}\p{P} ]{1,128}$`)
	permissionSetBaseName = regexp.MustCompile(`^[\w+=,.@-]{1,32}$`)
)

// LogRetentionValues are the retention periods CloudWatch Logs accepts.
var LogRetentionValues = []int{
	1,
	3,
	5,
	7,
	14,
	30,
	60,
	90,
	120,
	150,
	180,
	365,
	400,
	545,
	731,
	1096,
	1827,
	2192,
	2557,
	2922,
	3288,
	3653,
}

// Lookup returns the raw value of a parameter and whether it was set.
type Lookup func(p Param) (string, bool)

// FromContextAndEnv builds a Lookup that reads the CDK context through
// tryContext first, then the environment through getenv. Non-string context
// values (numbers, lists from cdk.json) are formatted; lists are joined
// with commas.
func FromContextAndEnv(tryContext func(key string) any, getenv func(key string) (string, bool)) Lookup {
	return func(p Param) (string, bool) {
		if tryContext != nil {
			switch v := tryContext(p.Context).(type) {
			case nil:
			case string:
				if v != "" {
					return v, true
				}
			case []any:
				parts := make([]string, 0, len(v))
				for _, e := range v {
					parts = append(parts, fmt.Sprint(e))
				}
				return strings.Join(parts, ","), true
			default:
				return fmt.Sprint(v), true
			}
		}
		if getenv != nil {
			if v, ok := getenv(p.Env); ok && v != "" {
				return v, true
			}
		}
		return "", false
	}
}

// Load reads and validates every parameter. The error lists every missing
// and every invalid parameter at once, each named by its context key and
// environment variable.
func Load(lookup Lookup) (Config, error) {
	var missing, invalid []string
	modeRaw, _ := get(lookup, ParamMode, ModeProd, &missing)
	mode := Mode(modeRaw)
	if mode != ModeDev && mode != ModeProd {
		invalid = append(invalid, describe(ParamMode, fmt.Sprintf("%q is not dev or prod", modeRaw)))
		mode = ModeProd // demand every parameter while reporting
	}
	str := func(p Param) string {
		v, _ := get(lookup, p, mode, &missing)
		return v
	}
	c := Config{
		Mode:            mode,
		Namespace:       str(ParamNamespace),
		Region:          str(ParamRegion),
		HubAccountID:    str(ParamHubAccount),
		OrgMgtAccountID: str(ParamOrgMgtAccount),
		IdcAccountID:    str(ParamIdcAccount),
		ParentOuID:      str(ParamParentOu),
		PoolOrgPath:     str(ParamPoolOrgPath),
		IdentityStoreID: str(ParamIdentityStore),
		SsoInstanceArn:  str(ParamSsoInstance),
		AlarmEmail:      str(ParamAlarmEmail),
		LambdaAssetDir:  str(ParamLambdaAssetDir),
		RepoRoot:        str(ParamRepoRoot),
	}
	// Group names and managed regions default from other parameters.
	c.AdminGroupName = strOr(lookup, ParamAdminGroup, c.Namespace+"_IsbAdmins")
	c.ManagerGroupName = strOr(lookup, ParamManagerGroup, c.Namespace+"_IsbManagers")
	c.UserGroupName = strOr(lookup, ParamUserGroup, c.Namespace+"_IsbUsers")
	c.ManagedRegions = splitList(strOr(lookup, ParamManagedRegions, c.Region))
	c.AllowedIPRanges = splitList(strOr(lookup, ParamAllowedIPRanges, ""))

	intParam := func(p Param, lo, hi int) int {
		raw := str(p)
		n, err := strconv.Atoi(raw)
		if err != nil || n < lo || n > hi {
			invalid = append(invalid, describe(p, fmt.Sprintf("%q is not a whole number from %d to %d", raw, lo, hi)))
		}
		return n
	}
	c.LogRetentionDays = intParam(ParamLogRetention, 1, 3653)
	if c.LogRetentionDays > 0 && !slices.Contains(LogRetentionValues, c.LogRetentionDays) {
		invalid = append(
			invalid,
			describe(ParamLogRetention, fmt.Sprintf("%d is not one of %v", c.LogRetentionDays, LogRetentionValues)),
		)
	}
	c.MinFreeAccounts = intParam(ParamMinFreeAccounts, 0, 1000)

	check := func(p Param, v string, re *regexp.Regexp, want string) {
		if v != "" && !re.MatchString(v) {
			invalid = append(invalid, describe(p, fmt.Sprintf("%q is not %s", v, want)))
		}
	}
	check(ParamNamespace, c.Namespace, namespacePattern, "2-8 lower-case letters or digits")
	check(ParamRegion, c.Region, regionPattern, "a region name such as eu-west-2")
	check(ParamHubAccount, c.HubAccountID, accountPattern, "a 12-digit account id")
	check(ParamOrgMgtAccount, c.OrgMgtAccountID, accountPattern, "a 12-digit account id")
	check(ParamIdcAccount, c.IdcAccountID, accountPattern, "a 12-digit account id")
	check(ParamParentOu, c.ParentOuID, parentOuPattern, "a root id (r-…) or OU id (ou-…)")
	check(
		ParamPoolOrgPath,
		c.PoolOrgPath,
		poolOrgPathPattern,
		"an organization path such as o-abcd123456/r-abcd/ou-abcd-11111111 (no trailing slash)",
	)
	if poolOrgPathPattern.MatchString(c.PoolOrgPath) && parentOuPattern.MatchString(c.ParentOuID) &&
		!slices.Contains(strings.Split(c.PoolOrgPath, "/")[1:], c.ParentOuID) {
		// The pool OU is created under ParentOuID, so its path must pass through it.
		invalid = append(
			invalid,
			describe(
				ParamPoolOrgPath,
				fmt.Sprintf("%q does not pass through the parent OU %s", c.PoolOrgPath, c.ParentOuID),
			),
		)
	}
	check(ParamIdentityStore, c.IdentityStoreID, identityStorePattern, "an identity store id (d-xxxxxxxxxx)")
	check(
		ParamSsoInstance,
		c.SsoInstanceArn,
		ssoInstancePattern,
		"an SSO instance ARN (arn:aws:sso:::instance/ssoins-…)",
	)
	check(ParamAdminGroup, c.AdminGroupName, groupNamePattern, "a group display name")
	check(ParamManagerGroup, c.ManagerGroupName, groupNamePattern, "a group display name")
	check(ParamUserGroup, c.UserGroupName, groupNamePattern, "a group display name")
	if len(c.ManagedRegions) == 0 && c.Region != "" {
		invalid = append(invalid, describe(ParamManagedRegions, "the list is empty"))
	}
	for _, r := range c.ManagedRegions {
		check(ParamManagedRegions, r, regionPattern, "a region name")
	}
	for _, r := range c.AllowedIPRanges {
		if _, err := netip.ParsePrefix(r); err != nil {
			invalid = append(
				invalid,
				describe(ParamAllowedIPRanges, fmt.Sprintf("%q is not a CIDR such as 203.0.113.0/24", r)),
			)
		}
	}
	if mode == ModeProd && len(c.AllowedIPRanges) == 0 {
		// An empty list lets every address reach the API; in production
		// that must be written down (0.0.0.0/0,::/0), not defaulted.
		invalid = append(invalid, describe(
			ParamAllowedIPRanges,
			"a production deployment needs the API's allow-list (write 0.0.0.0/0,::/0 to open it to every address on purpose)",
		))
	}
	if c.HubAccountID != "" && c.HubAccountID == c.OrgMgtAccountID {
		// Upstream allows it, but the SCP exemptions and the cleanup guard
		// assume the hub is a member account.
		invalid = append(invalid, describe(ParamHubAccount, "the hub must not be the organization management account"))
	}
	if c.AlarmEmail != "" && !strings.Contains(c.AlarmEmail, "@") {
		invalid = append(invalid, describe(ParamAlarmEmail, fmt.Sprintf("%q is not an email address", c.AlarmEmail)))
	}
	for _, ps := range []string{c.AdminPermissionSetName(), c.ManagerPermissionSetName(), c.UserPermissionSetName()} {
		if c.Namespace != "" && !permissionSetBaseName.MatchString(ps) {
			invalid = append(
				invalid,
				describe(ParamNamespace, fmt.Sprintf("permission set name %q would be invalid", ps)),
			)
		}
	}

	var errs []error
	if len(missing) > 0 {
		errs = append(errs, fmt.Errorf("%w (mode %s): %s", errMissingParameters, mode, strings.Join(missing, "; ")))
	}
	if len(invalid) > 0 {
		errs = append(errs, fmt.Errorf("%w: %s", errInvalidParameters, strings.Join(invalid, "; ")))
	}
	if len(errs) > 0 {
		return Config{}, errors.Join(errs...)
	}
	return c, nil
}

// IsProd reports whether stateful resources must be retained and
// protected.
func (c Config) IsProd() bool { return c.Mode == ModeProd }

// SsoInstanceID is the last segment of the SSO instance ARN (ssoins-…).
func (c Config) SsoInstanceID() string {
	return c.SsoInstanceArn[strings.LastIndex(c.SsoInstanceArn, "/")+1:]
}

// AdminPermissionSetName is the Identity Center permission set of the
// administrators. Permission set names are limited to 32 characters.
func (c Config) AdminPermissionSetName() string { return c.Namespace + "_IsbAdminsPS" }

// ManagerPermissionSetName is the permission set of the managers.
func (c Config) ManagerPermissionSetName() string { return c.Namespace + "_IsbManagersPS" }

// UserPermissionSetName is the permission set of the sandbox users.
func (c Config) UserPermissionSetName() string { return c.Namespace + "_IsbUsersPS" }

func get(lookup Lookup, p Param, mode Mode, missing *[]string) (string, bool) {
	if v, ok := lookup(p); ok {
		return strings.TrimSpace(v), true
	}
	if p.Default != "" {
		return p.Default, false
	}
	if mode == ModeDev && p.DevDefault != "" {
		return p.DevDefault, false
	}
	if p.DevDefault != "" { // required in prod
		*missing = append(*missing, describe(p, "not set"))
	}
	return "", false
}

func strOr(lookup Lookup, p Param, fallback string) string {
	if v, ok := lookup(p); ok {
		return strings.TrimSpace(v)
	}
	return fallback
}

func splitList(s string) []string {
	var out []string
	for _, part := range strings.Split(s, ",") {
		if part = strings.TrimSpace(part); part != "" && !slices.Contains(out, part) {
			out = append(out, part)
		}
	}
	return out
}

func describe(p Param, problem string) string {
	return fmt.Sprintf("%s (context %q or env %s): %s", p.Context, p.Context, p.Env, problem)
}
