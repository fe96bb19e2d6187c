package apiwire

import (
	"testing"

	"github.com/isb-go/isb/common/appconfig"
	"github.com/isb-go/isb/common/names"
)

func TestEnvFromTakesEveryFieldFromTheGivenEnvironment(t *testing.T) {
	env := map[string]string{}
	for _, k := range append(Keys, appconfig.ExtensionPortEnv) {
		env[k] = "v-" + k
	}
	got := EnvFrom(env)
	want := Env{Namespace: "v-" + names.EnvNamespace,
		Tables: Tables{Leases: "v-" + names.EnvLeaseTable, Accounts: "v-" + names.EnvAccountTable,
			Templates: "v-" + names.EnvLeaseTemplateTable, Outbox: "v-" + names.EnvOutboxTable,
			Sessions: "v-" + names.EnvSessionTable},
		EventBus: "v-" + names.EnvEventBus, SessionKeys: "v-" + names.EnvSessionKeys,
		PageTokenSecret: "v-" + names.EnvPageTokenSecret, ExtensionPort: "v-" + appconfig.ExtensionPortEnv}
	if got != want {
		t.Errorf("EnvFrom = %+v\nwant      %+v", got, want)
	}
}
