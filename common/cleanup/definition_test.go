package cleanup

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"
)

var transitionRE = regexp.MustCompile(`"(?:Next|Default)":\s*"([^"]+)"`)

func TestDefinitionNeedsEveryInput(t *testing.T) {
	ok := DefinitionInput{
		AccountTable:        "t",
		OutboxTable:         "o",
		EventBus:            "b",
		BuildQueueURL:       "q",
		ProtectedAccounts:   []string{"111111111111"},
		BuildTimeoutSeconds: 60,
		MetricNamespace:     "ISB/dev",
	}
	if _, err := Definition(ok); err != nil {
		t.Fatalf("Definition: %v", err)
	}
	for name, change := range map[string]func(*DefinitionInput){
		"no table":              func(in *DefinitionInput) { in.AccountTable = "" },
		"no outbox table":       func(in *DefinitionInput) { in.OutboxTable = "" },
		"no bus":                func(in *DefinitionInput) { in.EventBus = "" },
		"no queue":              func(in *DefinitionInput) { in.BuildQueueURL = "" },
		"no protected accounts": func(in *DefinitionInput) { in.ProtectedAccounts = nil },
		"no build timeout":      func(in *DefinitionInput) { in.BuildTimeoutSeconds = 0 },
		"no metric namespace":   func(in *DefinitionInput) { in.MetricNamespace = "" },
	} {
		t.Run(name+" is refused", func(t *testing.T) {
			in := ok
			change(&in)
			if _, err := Definition(in); err == nil {
				t.Error("Definition: want an error")
			}
		})
	}
}

func TestDefinitionEveryStateIsReachableAndEveryNextExists(t *testing.T) {
	def, err := Definition(DefinitionInput{AccountTable: "t", OutboxTable: "o", EventBus: "b", BuildQueueURL: "q",
		ProtectedAccounts: []string{"111111111111"}, BuildTimeoutSeconds: 60, MetricNamespace: "ISB/dev"})
	if err != nil {
		t.Fatal(err)
	}
	var asl struct {
		StartAt string
		States  map[string]json.RawMessage
	}
	if err := json.Unmarshal([]byte(def), &asl); err != nil {
		t.Fatal(err)
	}
	reached := map[string]bool{}
	var visit func(string)
	visit = func(name string) {
		if reached[name] {
			return
		}
		raw, ok := asl.States[name]
		if !ok {
			t.Errorf("a transition names state %q, which does not exist", name)
			return
		}
		reached[name] = true
		// Every "Next"/"Default" anywhere in the state (choices, catchers).
		for _, m := range transitionRE.FindAllStringSubmatch(string(raw), -1) {
			visit(m[1])
		}
	}
	visit(asl.StartAt)
	for name := range asl.States {
		if !reached[name] {
			t.Errorf("state %s is unreachable", name)
		}
	}
	if strings.Contains(def, "JSONata") || strings.Contains(def, `"Assign"`) || strings.Contains(def, ".sync") {
		t.Error("the definition uses something the emulator cannot run (JSONata, Assign or .sync)")
	}
}
