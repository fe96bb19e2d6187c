package stacks

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"github.com/isb-go/isb/common/names"
)

// isbDetailType reports whether dt is one of the platform's detail-types.
func isbDetailType(dt string) bool { return names.DetailTypeSources[dt] != nil }

func TestEveryBusRuleMatchesEachDetailTypeOnlyFromTheSourcesAllowedToEmitIt(t *testing.T) {
	all := resources(t, StackCompute)
	checked := 0
	for _, id := range ofType(all, "AWS::Events::Rule") {
		pattern, _ := all[id].Properties["EventPattern"].(map[string]any)
		branches := []any{pattern}
		if or, ok := pattern["$or"].([]any); ok {
			branches = or
		}
		for _, b := range branches {
			br := b.(map[string]any)
			var dts, srcs []string
			for _, v := range asList(br["detail-type"]) {
				if s, ok := v.(string); ok && isbDetailType(s) {
					dts = append(dts, s)
				}
			}
			if len(dts) == 0 {
				continue
			}
			checked++
			for _, v := range asList(br["source"]) {
				s, ok := v.(string)
				if !ok {
					t.Errorf("rule %s matches %v from a source pattern %v, not a named source", id, dts, v)
					continue
				}
				srcs = append(srcs, s)
			}
			if len(srcs) == 0 {
				t.Errorf("rule %s matches %v from any source", id, dts)
			}
			for _, s := range srcs {
				for _, dt := range dts {
					if !names.SourceMayEmit(s, dt) {
						t.Errorf("rule %s delivers %s from %s, which may not emit it", id, dt, s)
					}
				}
			}
		}
	}
	if checked < 3 {
		t.Errorf("checked %d rule branches on platform events, want those of the lifecycle, email and cleanup rules", checked)
	}
}

func TestEveryPutEventsGrantIsBoundToOneSourceAndTheDetailTypesItMayEmit(t *testing.T) {
	all := resources(t, StackCompute)
	grants := 0
	for _, st := range statements(all) {
		if st["Effect"] != "Allow" || !contains(actions(st), "events:PutEvents") {
			continue
		}
		grants++
		b, _ := json.Marshal(st)
		cond, _ := st["Condition"].(map[string]any)
		eq, _ := cond["StringEquals"].(map[string]any)
		src, ok := eq["events:source"].(string)
		if !ok {
			t.Errorf("PutEvents without one events:source: %s", b)
			continue
		}
		dts := asList(eq["events:detail-type"])
		if len(dts) == 0 {
			t.Errorf("PutEvents for %s without events:detail-type: %s", src, b)
		}
		for _, d := range dts {
			if !names.SourceMayEmit(src, d.(string)) {
				t.Errorf("PutEvents lets a function put %s as %s, which may not emit it", d, src)
			}
		}
		if strings.Contains(string(b), `"*"`) {
			t.Errorf("PutEvents on every resource: %s", b)
		}
	}
	if grants < 9 {
		t.Errorf("found %d PutEvents statements, want at least one for each of the nine publishers", grants)
	}
}

func TestTheCostReporterCannotAnnounceACleanAccount(t *testing.T) {
	all := resources(t, StackCompute)
	for _, st := range statements(all) {
		if !contains(actions(st), "events:PutEvents") {
			continue
		}
		cond, _ := st["Condition"].(map[string]any)
		eq, _ := cond["StringEquals"].(map[string]any)
		if eq["events:source"] == nil || eq["events:detail-type"] == nil {
			t.Errorf("PutEvents %v may put any event, AccountCleanupSucceeded among them", st["Sid"])
			continue
		}
		if eq["events:source"] == names.SourceReporting {
			for _, d := range asList(eq["events:detail-type"]) {
				if d == names.AccountCleanupSucceeded {
					t.Errorf("the reporting source may put AccountCleanupSucceeded")
				}
			}
		}
		if eq["events:source"] == names.SourceCleaner {
			continue
		}
		for _, d := range asList(eq["events:detail-type"]) {
			if d == names.AccountCleanupSucceeded {
				t.Errorf("%v may put AccountCleanupSucceeded", eq["events:source"])
			}
		}
	}
}

func TestEveryQueuePolicyAdmittingEventBridgeNamesTheSourceArn(t *testing.T) {
	all := resources(t, StackCompute)
	admitted := 0
	for _, id := range ofType(all, "AWS::SQS::QueuePolicy") {
		doc, _ := all[id].Properties["PolicyDocument"].(map[string]any)
		for _, s := range asList(doc["Statement"]) {
			st := s.(map[string]any)
			b, _ := json.Marshal(st["Principal"])
			if st["Effect"] != "Allow" || !strings.Contains(string(b), "events.amazonaws.com") {
				continue
			}
			admitted++
			cond, _ := st["Condition"].(map[string]any)
			found := false
			for _, op := range []string{"ArnEquals", "ArnLike"} {
				if m, ok := cond[op].(map[string]any); ok && m["aws:SourceArn"] != nil {
					found = true
				}
			}
			if !found {
				c, _ := json.Marshal(st)
				t.Errorf("queue policy %s admits EventBridge from any source ARN: %s", id, c)
			}
		}
	}
	if admitted < 4 {
		t.Errorf("found %d statements admitting EventBridge, want those of the bus DLQ and of the consumer queues", admitted)
	}
}

// serviceStatements returns the Allow statements of the resources of one
// type whose principal is the service, read from the document under key.
func serviceStatements(all map[string]resource, typ, key, service string) []map[string]any {
	var out []map[string]any
	for _, id := range ofType(all, typ) {
		var doc map[string]any
		switch d := all[id].Properties[key].(type) {
		case map[string]any:
			doc = d
		case string:
			_ = json.Unmarshal([]byte(d), &doc)
		}
		if j, ok := doc["Fn::Join"].([]any); ok { // a JSON string with tokens in it
			var sb strings.Builder
			for _, part := range asList(j[1]) {
				if str, ok := part.(string); ok {
					sb.WriteString(str)
				} else {
					sb.WriteString("TOKEN")
				}
			}
			doc = nil
			_ = json.Unmarshal([]byte(sb.String()), &doc)
		}
		for _, s := range asList(doc["Statement"]) {
			st := s.(map[string]any)
			b, _ := json.Marshal(st["Principal"])
			if st["Effect"] == "Allow" && strings.Contains(string(b), service) {
				out = append(out, st)
			}
		}
	}
	return out
}

func TestEveryEventBridgeStatementOnTheComputeKeyIsBoundToTheHubAccount(t *testing.T) {
	sts := serviceStatements(resources(t, StackCompute), "AWS::KMS::Key", "KeyPolicy", "events.amazonaws.com")
	if len(sts) == 0 {
		t.Fatal("no key statement for EventBridge")
	}
	for _, st := range sts {
		b, _ := json.Marshal(st["Condition"])
		if !strings.Contains(string(b), `"aws:SourceAccount":"`+testCfg.HubAccountID+`"`) && !strings.Contains(string(b), `"aws:SourceArn"`) {
			t.Errorf("key statement %v lets EventBridge use the key for any account: %s", st["Sid"], b)
		}
	}
}

func TestTheAuditLogAdmitsOnlyTheAuditRuleOfThisAccount(t *testing.T) {
	all := resources(t, StackCompute)
	sts := serviceStatements(all, "AWS::Logs::ResourcePolicy", "PolicyDocument", ".amazonaws.com")
	if len(sts) == 0 {
		t.Fatal("no audit log resource policy")
	}
	rule := ":events:" + testCfg.Region + ":" + testCfg.HubAccountID + ":rule/" +
		names.Physical(testCfg.Namespace, names.EventBus) + "/" + names.Physical(testCfg.Namespace, "AuditLog")
	sawEvents := false
	for _, st := range sts {
		b, _ := json.Marshal(st)
		if !strings.Contains(string(b), `"aws:SourceAccount":"`+testCfg.HubAccountID+`"`) {
			t.Errorf("audit log statement without aws:SourceAccount: %s", b)
		}
		if strings.Contains(string(b), "events.amazonaws.com") {
			sawEvents = true
			if !regexp.MustCompile(`"aws:SourceArn":"arn:[A-Za-z-]+` + regexp.QuoteMeta(rule) + `"`).Match(b) {
				t.Errorf("EventBridge may write the audit log from any rule: %s, want aws:SourceArn %s", b, rule)
			}
		}
	}
	if !sawEvents {
		t.Error("EventBridge may not write the audit log")
	}
}

func TestTheCleanerReadsOnlyItsConfigurationAndUsesOnlyTheTableKey(t *testing.T) {
	all := resources(t, StackCompute)
	reads, keys := 0, 0
	for _, st := range statements(all) {
		b, _ := json.Marshal(st["Resource"])
		if contains(actions(st), "appconfig:StartConfigurationSession") {
			reads++
			if strings.Contains(string(b), "application/*") {
				t.Errorf("AppConfig read on every application: %s", b)
			}
		}
		if st["Sid"] == "TableKeyThroughDynamoDB" {
			keys++
			if string(b) == `"*"` || !strings.Contains(string(b), "ImportValue") {
				t.Errorf("the table key statement is on %s, want the Data stack's key", b)
			}
		}
	}
	if reads == 0 || keys != 2 {
		t.Errorf("found %d AppConfig reads and %d table key statements, want some and 2 (state machine, watchdog)", reads, keys)
	}
}
