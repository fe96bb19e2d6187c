package stacks

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/isb-go/isb/common/names"
)

// signs reports whether an allowed action covers kms:Sign.
func signs(action string) bool {
	return slices.Contains([]string{"*", "kms:*", "kms:Sign", "kms:Sign*", "kms:S*"}, action)
}

// roleStatements returns the statements of the policies attached to the
// role and of its inline policies.
func roleStatements(all map[string]resource, roleID string) []map[string]any {
	var out []map[string]any
	for id, r := range all {
		switch {
		case id == roleID && r.Type == "AWS::IAM::Role":
			out = append(out, statements(map[string]resource{id: r})...)
		case r.Type == "AWS::IAM::Policy":
			for _, role := range asList(r.Properties["Roles"]) {
				if getAttTarget(role) == roleID {
					out = append(out, statements(map[string]resource{id: r})...)
				}
			}
		}
	}
	return out
}

func roleOf(t *testing.T, all map[string]resource, descriptionPrefix string) string {
	t.Helper()
	_, fn := functionByDescription(t, all, descriptionPrefix)
	return getAttTarget(fn["Role"])
}

func conditionJSON(st map[string]any) string {
	b, _ := json.Marshal(st["Condition"])
	return string(b)
}

// Session tokens are ES256-signed in KMS. The sign-in function is the only
// principal of any stack that may kms:Sign, and only with the namespace's
// tagged signing keys; the functions that verify tokens read published
// public keys and hold nothing that signs.
func TestOnlyTheSignInFunctionMaySignSessionTokens(t *testing.T) {
	compute := resources(t, StackCompute)
	sso := roleOf(t, compute, "SAML sign-in")
	// The signing keys live in the hub account, whose key policies trust
	// only its own principals: the hub's stacks are where a Sign grant
	// could reach them (the pool accounts' cleanup role may do anything in
	// its own account, where no signing key is).
	for _, base := range []string{StackData, StackCompute} {
		all := resources(t, base)
		for _, roleID := range ofType(all, "AWS::IAM::Role") {
			for _, st := range roleStatements(all, roleID) {
				if st["Effect"] != "Allow" || !slices.ContainsFunc(actions(st), signs) {
					continue
				}
				if base != StackCompute || roleID != sso {
					t.Errorf("%s role %s may kms:Sign (%v): only the sign-in function may", base, roleID, st["Sid"])
				}
			}
		}
	}

	t.Run("the sign-in function signs only with the tagged keys, ES256 over raw messages", func(t *testing.T) {
		found := 0
		for _, st := range roleStatements(compute, sso) {
			if !slices.Contains(actions(st), "kms:Sign") {
				continue
			}
			found++
			if len(actions(st)) != 1 {
				t.Errorf("the Sign statement allows more: %v", actions(st))
			}
			res, _ := json.Marshal(st["Resource"])
			if !strings.Contains(string(res), ":key/*") || strings.Contains(string(res), `"*"`) {
				t.Errorf("Sign on %s, want the account's keys (key/*) narrowed by tag", res)
			}
			cond := conditionJSON(st)
			for _, want := range []string{`"aws:ResourceTag/` + names.SigningKeyTag + `":"` + testCfg.Namespace + `"`,
				`"kms:SigningAlgorithm":"ECDSA_SHA_256"`, `"kms:MessageType":"RAW"`} {
				if !strings.Contains(cond, want) {
					t.Errorf("Sign condition %s lacks %s", cond, want)
				}
			}
		}
		if found != 1 {
			t.Errorf("%d kms:Sign statements on the sign-in role, want 1", found)
		}
	})

	t.Run("verifiers read the public keys and no other secret of the tokens", func(t *testing.T) {
		var secretID string
		for _, id := range ofType(compute, "AWS::SecretsManager::Secret") {
			if compute[id].Properties["Name"] == names.Physical(testCfg.Namespace, names.SessionKeys) {
				secretID = id
			}
		}
		if secretID == "" {
			t.Fatal("no public-key secret")
		}
		authorizer := roleOf(t, compute, "REST API request authorizer")
		var reads []string
		for _, st := range roleStatements(compute, authorizer) {
			for _, a := range actions(st) {
				switch {
				case strings.HasPrefix(a, "secretsmanager:"):
					if getAttTarget(st["Resource"]) != secretID {
						t.Errorf("authorizer %s on %v, want only the public-key secret", a, st["Resource"])
					}
					reads = append(reads, a)
				case a == "kms:GetPublicKey" || a == "kms:Sign" || strings.Contains(conditionJSON(st), "secretsmanager."):
					t.Errorf("authorizer may %s (%s): verifiers need no KMS key for the token keys", a, conditionJSON(st))
				}
			}
		}
		if !slices.Equal(reads, []string{"secretsmanager:GetSecretValue"}) {
			t.Errorf("authorizer secret actions %v, want GetSecretValue", reads)
		}
	})

	t.Run("the rotation creates tagged P-256 signing keys and manages only those", func(t *testing.T) {
		rotator := roleOf(t, compute, "Rotates the session token signing key")
		created, managed := false, false
		for _, st := range roleStatements(compute, rotator) {
			acts, cond := actions(st), conditionJSON(st)
			if slices.Contains(acts, "kms:CreateKey") {
				created = true
				for _, want := range []string{`"aws:RequestTag/` + names.SigningKeyTag + `":"` + testCfg.Namespace + `"`,
					`"kms:KeySpec":"ECC_NIST_P256"`, `"kms:KeyUsage":"SIGN_VERIFY"`, `"aws:TagKeys":["` + names.SigningKeyTag + `"]`} {
					if !strings.Contains(cond, want) {
						t.Errorf("CreateKey condition %s lacks %s", cond, want)
					}
				}
			}
			for _, a := range acts {
				if !slices.Contains([]string{"kms:GetPublicKey", "kms:ScheduleKeyDeletion", "kms:DescribeKey"}, a) {
					continue
				}
				managed = true
				if !strings.Contains(cond, `"aws:ResourceTag/`+names.SigningKeyTag+`":"`+testCfg.Namespace+`"`) {
					t.Errorf("rotator may %s on keys without the signing tag: %s", a, cond)
				}
			}
		}
		if !created || !managed {
			t.Errorf("rotator may create keys %v, manage them %v; want both", created, managed)
		}
	})

	t.Run("the public-key secret holds no generated secret and starts without a key", func(t *testing.T) {
		for _, id := range ofType(compute, "AWS::SecretsManager::Secret") {
			p := compute[id].Properties
			if p["Name"] != names.Physical(testCfg.Namespace, names.SessionKeys) {
				continue
			}
			if p["GenerateSecretString"] != nil || p["SecretString"] != names.SessionKeysPlaceholder {
				t.Errorf("public-key secret %s: generated %v, value %v; want the placeholder %q", id, p["GenerateSecretString"], p["SecretString"], names.SessionKeysPlaceholder)
			}
		}
	})
}
