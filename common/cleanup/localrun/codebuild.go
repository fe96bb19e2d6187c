package localrun

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"

	"github.com/google/uuid"

	"github.com/isb-go/isb/common/cleanup"
	"github.com/isb-go/isb/common/names"
)

// startBuildTarget is the JSON protocol's name of CodeBuild's StartBuild.
const startBuildTarget = "CodeBuild_20161006.StartBuild"

// CodeBuild is a local stand-in of CodeBuild for the cleanup project,
// served over HTTP so that the real worker (package worker) calls it with
// the real SDK client: StartBuild runs the build in this process (Clean,
// then the task token answered as isb-cleaner answers it), at most Quota
// at once. A StartBuild beyond the quota is refused with
// AccountLimitExceededException, as CodeBuild refuses it when the
// account's concurrent-build quota is reached. A repeated idempotency
// token returns the build it started (CodeBuild forgets a token after five
// minutes; the stand-in never does). Every other request goes to Next (the
// emulator), so one endpoint serves all of the worker's AWS calls.
type CodeBuild struct {
	// Quota is how many builds may run at once (no limit when 0).
	Quota int
	Clean CleanFunc
	SFN   cleanup.TaskAnswerer
	Next  http.Handler
	Log   *slog.Logger
	// Context bounds the builds (they outlive the StartBuild request).
	Context context.Context

	mu      sync.Mutex
	running int
	peak    int
	refused int
	builds  map[string]string // idempotency token → build id
	wg      sync.WaitGroup
}

// Stats are what the stand-in has seen.
type Stats struct {
	// Peak is the most builds that ran at once.
	Peak int
	// Refused counts the StartBuild calls refused for the quota.
	Refused int
	// Started counts the builds started.
	Started int
}

// Stats reports the builds so far.
func (c *CodeBuild) Stats() Stats {
	c.mu.Lock()
	defer c.mu.Unlock()
	return Stats{Peak: c.peak, Refused: c.refused, Started: len(c.builds)}
}

// Wait returns when every build started has ended.
func (c *CodeBuild) Wait() { c.wg.Wait() }

type envVar struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

type startBuildInput struct {
	ProjectName                  string   `json:"projectName"`
	IdempotencyToken             string   `json:"idempotencyToken"`
	EnvironmentVariablesOverride []envVar `json:"environmentVariablesOverride"`
}

func (c *CodeBuild) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("X-Amz-Target") != startBuildTarget {
		if strings.HasPrefix(r.Header.Get("X-Amz-Target"), "CodeBuild_") || c.Next == nil {
			fail(w, http.StatusBadRequest, "InvalidInputException", "the local CodeBuild answers StartBuild only")
			return
		}
		c.Next.ServeHTTP(w, r)
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	var in startBuildInput
	if err == nil {
		err = json.Unmarshal(body, &in)
	}
	if err != nil {
		fail(w, http.StatusBadRequest, "InvalidInputException", "not a StartBuild request: "+err.Error())
		return
	}
	vars := map[string]string{}
	for _, v := range in.EnvironmentVariablesOverride {
		vars[v.Name] = v.Value
	}
	account, token := vars[names.EnvCleanupAccountID], vars[names.EnvCleanupTaskToken]
	if in.ProjectName == "" || account == "" || token == "" {
		fail(w, http.StatusBadRequest, "InvalidInputException", fmt.Sprintf(
			"projectName, %s and %s are required", names.EnvCleanupAccountID, names.EnvCleanupTaskToken))
		return
	}
	id, started, err := c.start(in, account, token)
	if err != nil {
		fail(w, http.StatusBadRequest, "AccountLimitExceededException", err.Error())
		return
	}
	if started {
		c.Log.Info("local CodeBuild: build started", "account_id", account, "build", id)
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	_ = json.NewEncoder(w).Encode(map[string]any{"build": map[string]any{
		"id": id, "projectName": in.ProjectName, "buildStatus": "IN_PROGRESS", "currentPhase": "SUBMITTED",
	}})
}

// start starts a build unless the token has one or the quota is reached.
func (c *CodeBuild) start(in startBuildInput, account, token string) (id string, started bool, err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.builds == nil {
		c.builds = map[string]string{}
	}
	if id, ok := c.builds[in.IdempotencyToken]; ok && in.IdempotencyToken != "" {
		return id, false, nil
	}
	if c.Quota > 0 && c.running >= c.Quota {
		c.refused++
		return "", false, fmt.Errorf("cannot have more than %d builds running for the account", c.Quota)
	}
	id = in.ProjectName + ":" + uuid.NewString()
	key := in.IdempotencyToken
	if key == "" {
		key = id
	}
	c.builds[key] = id
	c.running++
	c.peak = max(c.peak, c.running)
	c.wg.Add(1)
	go c.run(account, token, id)
	return id, true, nil
}

// run is the build: the cleaner, then the task token answered.
func (c *CodeBuild) run(account, token, id string) {
	defer c.wg.Done()
	defer func() {
		c.mu.Lock()
		c.running--
		c.mu.Unlock()
	}()
	ctx := c.Context
	if ctx == nil {
		ctx = context.Background()
	}
	log := c.Log.With("account_id", account, "build", id)
	res, cleanErr := c.Clean(ctx, account)
	if err := cleanup.Report(ctx, c.SFN, token, res, cleanErr); err != nil {
		log.Warn("local CodeBuild: the build's answer was not taken", "error", err.Error())
		return
	}
	log.Info("local CodeBuild: build ended", "succeeded", cleanErr == nil && res.Succeeded)
}

// fail answers an error as the JSON protocol does.
func fail(w http.ResponseWriter, status int, kind, msg string) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.Header().Set("X-Amzn-Errortype", kind)
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"__type": kind, "message": msg})
}
