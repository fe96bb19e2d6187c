package localmode

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/appconfig"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/aws-sdk-go-v2/service/identitystore"
	istypes "github.com/aws/aws-sdk-go-v2/service/identitystore/types"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"
	"gopkg.in/yaml.v3"

	"github.com/isb-go/isb/common/account"
	"github.com/isb-go/isb/common/auth"
	"github.com/isb-go/isb/common/awscfg/rolechain"
	"github.com/isb-go/isb/common/cleanup"
	"github.com/isb-go/isb/common/config"
	"github.com/isb-go/isb/common/ddbstore"
	"github.com/isb-go/isb/common/idcspec"
	"github.com/isb-go/isb/common/names"
	"github.com/isb-go/isb/functions/idc-configurer/idcsetup"
)

// world is what the bootstrap created: the identifiers the functions'
// environment and the platform's own work need.
type world struct {
	pool       config.AccountPoolParam
	idc        config.IdcParam
	data       config.DataParam
	queues     map[string]queue // by base name
	machineArn string
	keyID      string
	groupIDs   map[string]string // role -> group id
	profileIDs map[string]string // profile name -> id
}

type queue struct{ url, arn string }

// Paths of the SSM parameters, named as the stacks name them.
func paramName(ns, base string) string { return "/" + names.Physical(ns, base) }

// bootstrap creates, on the emulator, what the five stacks deploy, named as
// they name it (common/names): the organization with the pool OUs, Identity
// Center's groups and permission sets with the seeded people, the tables,
// the bus with its rules and queues, the cleanup state machine, the
// parameters, the secrets, the session signing key, the configuration
// profiles and the verified sender. moto cannot deploy the templates, so
// this is the stacks' effect, not their code.
func (p *Platform) bootstrap(ctx context.Context) (*world, error) {
	cfg, ns := p.cfg, p.ns
	w := &world{queues: map[string]queue{}, groupIDs: map[string]string{}, profileIDs: map[string]string{}}
	steps := []struct {
		name string
		run  func(context.Context, aws.Config, string, *world) error
	}{
		{"organization", p.createOrganization},
		{"identity center", p.createIdentityCenter},
		{"tables", createTables},
		{"configuration", p.createConfiguration},
		{"parameters", createParameters},
		{"secrets and signing key", createSecrets},
		{"sender", p.createSender},
		{"bus, queues and rules", createRoutes},
		{"cleanup state machine", createStateMachine},
		{"report bucket", createBucket},
	}
	for _, s := range steps {
		if err := s.run(ctx, cfg, ns, w); err != nil {
			return nil, fmt.Errorf("bootstrap %s: %w", s.name, err)
		}
	}
	return w, nil
}

func (p *Platform) createOrganization(ctx context.Context, cfg aws.Config, ns string, w *world) error {
	org := organizations.NewFromConfig(cfg)
	if _, err := org.CreateOrganization(ctx,
		&organizations.CreateOrganizationInput{FeatureSet: orgtypes.OrganizationFeatureSetAll}); err != nil {
		return err
	}
	roots, err := org.ListRoots(ctx, &organizations.ListRootsInput{})
	if err != nil {
		return err
	}
	root := aws.ToString(roots.Roots[0].Id)
	poolOU, err := org.CreateOrganizationalUnit(ctx, &organizations.CreateOrganizationalUnitInput{
		ParentId: aws.String(root), Name: aws.String(names.Physical(ns, names.PoolOU))})
	if err != nil {
		return err
	}
	ids := map[account.OU]string{}
	for _, ou := range account.OUs {
		out, err := org.CreateOrganizationalUnit(ctx, &organizations.CreateOrganizationalUnitInput{
			ParentId: poolOU.OrganizationalUnit.Id, Name: aws.String(string(ou))})
		if err != nil {
			return err
		}
		ids[ou] = aws.ToString(out.OrganizationalUnit.Id)
	}
	w.pool = config.AccountPoolParam{PoolOuID: aws.ToString(poolOU.OrganizationalUnit.Id), ParentOuID: root,
		AvailableOuID: ids[account.Available], ActiveOuID: ids[account.Active], CleanUpOuID: ids[account.CleanUp],
		QuarantineOuID: ids[account.Quarantine], FrozenOuID: ids[account.Frozen], EntryOuID: ids[account.Entry],
		ExitOuID: ids[account.Exit], ManagedRegions: []string{Region}, OrgMgtAccountID: ManagementAccount,
		StackSetName: names.Physical(ns, names.SandboxAccountStackSet)}
	return nil
}

// idcConfig acts in the IDC account through the hub's role chain.
func idcConfig(cfg aws.Config, ns string) aws.Config {
	return rolechain.ChainTo(cfg, "local-setup", HubAccount, ns, IdcAccount, names.IdcRole)
}

func (p *Platform) createIdentityCenter(ctx context.Context, cfg aws.Config, ns string, w *world) error {
	icfg := idcConfig(cfg, ns)
	sso, ids := ssoadmin.NewFromConfig(icfg), identitystore.NewFromConfig(icfg)
	inst, err := sso.ListInstances(ctx, &ssoadmin.ListInstancesInput{})
	if err != nil {
		return err
	}
	if len(inst.Instances) == 0 {
		return fmt.Errorf("the emulator has no Identity Center instance in %s", IdcAccount)
	}
	storeID, instanceArn := aws.ToString(inst.Instances[0].IdentityStoreId), aws.ToString(inst.Instances[0].InstanceArn)
	res, err := idcsetup.New(ids, sso).Ensure(ctx, idcSpec(ns, storeID, instanceArn))
	if err != nil {
		return err
	}
	w.groupIDs = res.GroupIDs
	w.idc = config.IdcParam{IdcAccountID: IdcAccount, IdentityStoreID: storeID, SsoInstanceArn: instanceArn,
		AdminGroupID: res.GroupIDs[idcspec.RoleAdmin], ManagerGroupID: res.GroupIDs[idcspec.RoleManager],
		UserGroupID:             res.GroupIDs[idcspec.RoleUser],
		AdminPermissionSetArn:   res.PermissionSetArns[idcspec.RoleAdmin],
		ManagerPermissionSetArn: res.PermissionSetArns[idcspec.RoleManager],
		UserPermissionSetArn:    res.PermissionSetArns[idcspec.RoleUser]}
	for _, person := range People {
		u, err := ids.CreateUser(ctx, &identitystore.CreateUserInput{IdentityStoreId: aws.String(storeID),
			UserName: aws.String(person.Email), DisplayName: aws.String(person.Name),
			Name:   &istypes.Name{GivenName: aws.String(person.Name), FamilyName: aws.String("Example")},
			Emails: []istypes.Email{{Value: aws.String(person.Email), Primary: true}}})
		if err != nil {
			return fmt.Errorf("create %s: %w", person.Email, err)
		}
		if _, err := ids.CreateGroupMembership(ctx,
			&identitystore.CreateGroupMembershipInput{IdentityStoreId: aws.String(storeID),
				GroupId:  aws.String(res.GroupIDs[string(person.Role)]),
				MemberId: &istypes.MemberIdMemberUserId{Value: aws.ToString(u.UserId)}}); err != nil {
			return fmt.Errorf("add %s to %s: %w", person.Email, person.Role, err)
		}
	}
	return nil
}

// idcSpec is the IDC stack's default spec (infra/internal/idc.DefaultSpec
// with the default group names) for namespace ns.
func idcSpec(ns, storeID, instanceArn string) idcspec.Spec {
	return idcspec.Spec{
		IdentityStoreID: storeID, InstanceArn: instanceArn,
		Groups: []idcspec.GroupSpec{
			{Role: idcspec.RoleAdmin, DisplayName: ns + "_IsbAdmins", Description: "Innovation Sandbox administrators"},
			{Role: idcspec.RoleManager, DisplayName: ns + "_IsbManagers", Description: "Innovation Sandbox managers"},
			{Role: idcspec.RoleUser, DisplayName: ns + "_IsbUsers", Description: "Innovation Sandbox users"},
		},
		PermissionSets: []idcspec.PermissionSetSpec{
			{Role: idcspec.RoleAdmin, Name: ns + "_IsbAdminsPS", SessionDuration: "PT4H",
				ManagedPolicyArns: []string{"arn:aws:iam::aws:policy/AdministratorAccess"}},
			{Role: idcspec.RoleManager, Name: ns + "_IsbManagersPS", SessionDuration: "PT4H",
				ManagedPolicyArns: []string{"arn:aws:iam::aws:policy/ReadOnlyAccess"}},
			{Role: idcspec.RoleUser, Name: ns + "_IsbUsersPS", SessionDuration: "PT8H",
				ManagedPolicyArns: []string{"arn:aws:iam::aws:policy/PowerUserAccess"}},
		},
		Tags: map[string]string{names.TagNamespace: ns},
	}
}

func createTables(ctx context.Context, cfg aws.Config, ns string, _ *world) error {
	return ddbstore.CreateTables(ctx, dynamodb.NewFromConfig(cfg), ddbstore.TablesFor(ns))
}

// globalYAML is the global configuration local mode starts with: the
// shipped defaults, open (no maintenance mode), mail on from the verified
// sender, a short wait between cleanup passes and no reuse cool-down (a
// small pool is reused at once); Options.Global changes it further.
func (p *Platform) globalYAML() ([]byte, error) {
	g := config.DefaultGlobal()
	g.MaintenanceMode = false
	g.Notification.EmailFrom = Sender
	g.Cleanup.WaitBeforeRerunSuccessfulAttemptSeconds = 1
	g.Cleanup.WaitBeforeRetryFailedAttemptSeconds = 1
	g.Leases.AccountReuseCooldownHours = 0
	if p.opts.Global != nil {
		p.opts.Global(&g)
	}
	if err := g.Validate(); err != nil {
		return nil, fmt.Errorf("local global configuration: %w", err)
	}
	return yaml.Marshal(g)
}

func (p *Platform) createConfiguration(ctx context.Context, cfg aws.Config, ns string, w *world) error {
	api := appconfig.NewFromConfig(cfg)
	app, err := api.CreateApplication(ctx, &appconfig.CreateApplicationInput{Name: aws.String(names.Physical(ns,
		names.AppConfigApplication))})
	if err != nil {
		return err
	}
	// moto has no AppConfig environments (CreateEnvironment is a 404);
	// the extension stand-in serves the newest hosted version instead of
	// a deployment to names.AppConfigEnvironment.
	global, err := p.globalYAML()
	if err != nil {
		return err
	}
	docs := map[string][]byte{
		names.GlobalConfigProfile:    global,
		names.NukeConfigProfile:      p.opts.NukeConfig,
		names.ReportingConfigProfile: config.DefaultReportingYAML(),
	}
	for _, profile := range []string{names.GlobalConfigProfile, names.NukeConfigProfile, names.ReportingConfigProfile} {
		out, err := api.CreateConfigurationProfile(ctx, &appconfig.CreateConfigurationProfileInput{
			ApplicationId: app.Id, Name: aws.String(profile), LocationUri: aws.String("hosted")})
		if err != nil {
			return err
		}
		w.profileIDs[profile] = aws.ToString(out.Id)
		if _, err := api.CreateHostedConfigurationVersion(ctx, &appconfig.CreateHostedConfigurationVersionInput{
			ApplicationId: app.Id, ConfigurationProfileId: out.Id, Content: docs[profile],
			ContentType: aws.String("application/x-yaml"),
		}); err != nil {
			return fmt.Errorf("publish %s: %w", profile, err)
		}
	}
	w.data = config.DataParam{AppConfigApplicationID: aws.ToString(app.Id),
		AppConfigEnvironmentID:   names.AppConfigEnvironment,
		GlobalConfigProfileID:    w.profileIDs[names.GlobalConfigProfile],
		NukeConfigProfileID:      w.profileIDs[names.NukeConfigProfile],
		ReportingConfigProfileID: w.profileIDs[names.ReportingConfigProfile]}
	return nil
}

func createParameters(ctx context.Context, cfg aws.Config, ns string, w *world) error {
	api := ssm.NewFromConfig(cfg)
	for base, doc := range map[string]any{names.AccountPoolConfigParam: w.pool, names.IdcConfigParam: w.idc,
		names.DataConfigParam: w.data} {
		b, err := json.Marshal(doc)
		if err != nil {
			return err
		}
		if _, err := api.PutParameter(ctx, &ssm.PutParameterInput{Name: aws.String(paramName(ns, base)),
			Value: aws.String(string(b)), Type: ssmtypes.ParameterTypeString, Overwrite: aws.Bool(true)}); err != nil {
			return fmt.Errorf("parameter %s: %w", base, err)
		}
	}
	return nil
}

// createSecrets makes the session signing key (as the rotation function's
// first rotation does) and publishes its public key, the page-token secret
// and an empty IdP metadata secret (SAML sign-in needs a real Identity
// Center; local mode signs tokens with isb local token instead).
func createSecrets(ctx context.Context, cfg aws.Config, ns string, w *world) error {
	k := kms.NewFromConfig(cfg)
	key, err := k.CreateKey(ctx, &kms.CreateKeyInput{KeySpec: kmstypes.KeySpecEccNistP256,
		KeyUsage:    kmstypes.KeyUsageTypeSignVerify,
		Description: aws.String("isb local session signing key"),
		Tags:        []kmstypes.Tag{{TagKey: aws.String(names.SigningKeyTag), TagValue: aws.String(ns)}}})
	if err != nil {
		return fmt.Errorf("create signing key: %w", err)
	}
	w.keyID = aws.ToString(key.KeyMetadata.Arn)
	pub, err := k.GetPublicKey(ctx, &kms.GetPublicKeyInput{KeyId: aws.String(w.keyID)})
	if err != nil {
		return fmt.Errorf("read the signing key's public key: %w", err)
	}
	doc, err := auth.EncodePublicKey(w.keyID, pub.PublicKey, time.Now())
	if err != nil {
		return err
	}
	sm := secretsmanager.NewFromConfig(cfg)
	for name, value := range map[string]string{
		names.Physical(ns, names.SessionKeys):       doc,
		names.Physical(ns, names.PageTokenSecret):   randomSecret(),
		names.Physical(ns, names.IdpMetadataSecret): "",
	} {
		in := &secretsmanager.CreateSecretInput{Name: aws.String(name)}
		if value != "" {
			in.SecretString = aws.String(value)
		}
		if _, err := sm.CreateSecret(ctx, in); err != nil {
			return fmt.Errorf("secret %s: %w", name, err)
		}
	}
	return nil
}

func (p *Platform) createSender(ctx context.Context, cfg aws.Config, _ string, _ *world) error {
	_, err := sesv2.NewFromConfig(cfg).CreateEmailIdentity(ctx,
		&sesv2.CreateEmailIdentityInput{EmailIdentity: aws.String(Sender)})
	return err
}

// createRoutes creates the bus and, for each consumer, its queue, DLQ
// (redrive after the consumer's MaxReceiveCount) and rule, as the Compute
// stack does (infra/internal/events.NewConsumer), plus the cleanup build
// queue.
func createRoutes(ctx context.Context, cfg aws.Config, ns string, w *world) error {
	eb, q := eventbridge.NewFromConfig(cfg), sqs.NewFromConfig(cfg)
	bus := names.Physical(ns, names.EventBus)
	if _, err := eb.CreateEventBus(ctx, &eventbridge.CreateEventBusInput{Name: aws.String(bus)}); err != nil {
		return err
	}
	for _, c := range []names.Consumer{names.LifecycleConsumer, names.EmailConsumer} {
		qu, err := createQueue(ctx, q, names.Physical(ns, c.Queue), 6*c.TimeoutSeconds, c.MaxReceiveCount)
		if err != nil {
			return err
		}
		w.queues[c.Queue] = qu
		pattern, err := json.Marshal(names.RulePattern(c.DetailTypes))
		if err != nil {
			return err
		}
		rule := names.Physical(ns, c.Queue+"Rule")
		if _, err := eb.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String(rule), EventBusName: aws.String(bus),
			EventPattern: aws.String(string(pattern))}); err != nil {
			return fmt.Errorf("rule %s: %w", rule, err)
		}
		if _, err := eb.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String(rule),
			EventBusName: aws.String(bus),
			Targets:      []ebtypes.Target{{Id: aws.String("Queue"), Arn: aws.String(qu.arn)}}}); err != nil {
			return fmt.Errorf("target of %s: %w", rule, err)
		}
	}
	worker := names.CleanupWorkerConsumer
	qu, err := createQueue(ctx, q, names.Physical(ns, worker.Queue), 6*worker.TimeoutSeconds, worker.MaxReceiveCount)
	if err != nil {
		return err
	}
	w.queues[names.CleanupBuildQueue] = qu
	return nil
}

func createQueue(ctx context.Context, q *sqs.Client, name string, visibility, maxReceive int) (queue, error) {
	arnOf := func(url *string) (string, error) {
		a, err := q.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: url,
			AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameQueueArn}})
		if err != nil {
			return "", err
		}
		return a.Attributes[string(sqstypes.QueueAttributeNameQueueArn)], nil
	}
	dlq, err := q.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(name + "DLQ")})
	if err != nil {
		return queue{}, fmt.Errorf("queue %sDLQ: %w", name, err)
	}
	dlqArn, err := arnOf(dlq.QueueUrl)
	if err != nil {
		return queue{}, err
	}
	redrive, _ := json.Marshal(map[string]any{"deadLetterTargetArn": dlqArn, "maxReceiveCount": maxReceive})
	out, err := q.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(name), Attributes: map[string]string{
		string(sqstypes.QueueAttributeNameVisibilityTimeout): fmt.Sprint(visibility),
		string(sqstypes.QueueAttributeNameRedrivePolicy):     string(redrive),
	}})
	if err != nil {
		return queue{}, fmt.Errorf("queue %s: %w", name, err)
	}
	arn, err := arnOf(out.QueueUrl)
	if err != nil {
		return queue{}, err
	}
	return queue{url: aws.ToString(out.QueueUrl), arn: arn}, nil
}

// createStateMachine deploys the cleanup state machine from the same
// definition the Compute stack deploys, and the rule that starts it for
// every CleanAccountRequest.
func createStateMachine(ctx context.Context, cfg aws.Config, ns string, w *world) error {
	bus := names.Physical(ns, names.EventBus)
	def, err := cleanup.Definition(cleanup.DefinitionInput{
		AccountTable: names.Physical(ns, names.AccountTable), OutboxTable: names.Physical(ns, names.OutboxTable),
		EventBus: bus, BuildQueueURL: w.queues[names.CleanupBuildQueue].url,
		ProtectedAccounts:   []string{HubAccount, ManagementAccount, IdcAccount},
		BuildTimeoutSeconds: 3600, MetricNamespace: names.MetricNamespace(ns),
	})
	if err != nil {
		return err
	}
	sm, err := sfn.NewFromConfig(cfg).CreateStateMachine(ctx, &sfn.CreateStateMachineInput{
		Name: aws.String(names.Physical(ns, names.CleanupStateMachine)), Definition: aws.String(def),
		RoleArn: aws.String("arn:aws:iam::" + HubAccount + ":role/" + names.Physical(ns, "CleanupStateMachine")),
	})
	if err != nil {
		return fmt.Errorf("create state machine: %w", err)
	}
	w.machineArn = aws.ToString(sm.StateMachineArn)
	eb := eventbridge.NewFromConfig(cfg)
	pattern, err := json.Marshal(names.RulePattern([]string{names.CleanAccountRequest}))
	if err != nil {
		return err
	}
	rule := names.Physical(ns, "CleanAccountRequestRule")
	if _, err := eb.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String(rule), EventBusName: aws.String(bus),
		EventPattern: aws.String(string(pattern))}); err != nil {
		return err
	}
	_, err = eb.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String(rule), EventBusName: aws.String(bus),
		Targets: []ebtypes.Target{{Id: aws.String("Cleanup"), Arn: sm.StateMachineArn,
			RoleArn: aws.String("arn:aws:iam::" + HubAccount + ":role/" + names.Physical(ns, "CleanupRule"))}}})
	return err
}

func createBucket(ctx context.Context, cfg aws.Config, ns string, _ *world) error {
	_, err := s3.NewFromConfig(cfg).CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(reportBucket(ns))})
	return err
}

// reportBucket is the report bucket's name (the stack lets CloudFormation
// name it; S3 names are lower case).
func reportBucket(ns string) string {
	return fmt.Sprintf("isb-%s-%s-%s", ns, names.ReportBucket, ManagementAccount)
}
