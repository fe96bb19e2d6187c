package apiwire

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/isb-go/isb/common/appconfig"
	"github.com/isb-go/isb/common/httpapi"
	"github.com/isb-go/isb/common/names"
	"github.com/isb-go/isb/common/routes"
)

func TestEnvFromTakesEveryFieldFromTheGivenEnvironment(t *testing.T) {
	env := map[string]string{}
	for _, k := range append(names.LambdaEnv(names.LambdaAPILeases), appconfig.ExtensionPortEnv) {
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

// meet returns a function that returns once n callers are in it, or fails
// when ctx ends first.
func meet(n int) func(ctx context.Context) error {
	var mu sync.Mutex
	all := make(chan struct{})
	return func(ctx context.Context) error {
		mu.Lock()
		if n--; n == 0 {
			close(all)
		}
		mu.Unlock()
		select {
		case <-all:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

func TestTheFirstRequestBuildsAndPreloadsAtOnce(t *testing.T) {
	arrive := meet(3)
	var preloaded atomic.Int32
	preload := func(ctx context.Context) error {
		err := arrive(ctx)
		if err == nil {
			preloaded.Add(1)
		}
		return err
	}
	h := Lazy(func(ctx context.Context) (*httpapi.Server, error) {
		if err := arrive(ctx); err != nil {
			return nil, err
		}
		return httpapi.NewServer(routes.Configurations, nil, nil, map[string]httpapi.HandlerFunc{
			httpapi.Key("GET", "/configurations"): func(context.Context, *httpapi.Request) (httpapi.Response, error) {
				return httpapi.Response{}, nil
			}})
	}, preload, preload)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	resp, _ := h(ctx, events.APIGatewayProxyRequest{HTTPMethod: "GET", Path: "/nowhere"})
	if resp.StatusCode == 500 {
		t.Fatal("the server was not built: build and preloads did not run at once")
	}
	if preloaded.Load() != 2 {
		t.Errorf("%d preloads finished before the first request was served, want 2", preloaded.Load())
	}
}
