package appconfig_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/isb-go/isb/common/appconfig"
	"github.com/isb-go/isb/common/fault"
	"github.com/isb-go/isb/common/names"
)

// extension is a stand-in for the AppConfig Lambda extension: a real HTTP
// server answering on the extension's paths.
func extension(t *testing.T, docs map[string]string, hits *atomic.Int32) *appconfig.Extension {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		const prefix = "/applications/isb-test-Config/environments/live/configurations/"
		if !strings.HasPrefix(r.URL.Path, prefix) {
			http.Error(w, "unknown application", http.StatusBadRequest)
			return
		}
		doc, ok := docs[strings.TrimPrefix(r.URL.Path, prefix)]
		if !ok {
			http.Error(w, "ResourceNotFoundException", http.StatusNotFound)
			return
		}
		_, _ = w.Write([]byte(doc))
	}))
	t.Cleanup(srv.Close)
	e := appconfig.NewExtension("test", "")
	e.BaseURL = srv.URL
	return e
}

func TestSourceReadsThroughTheExtension(t *testing.T) {
	var hits atomic.Int32
	docs := map[string]string{
		names.GlobalConfigProfile:    "maintenanceMode: false\nleases:\n  maxLeasesPerUser: 7\n",
		names.ReportingConfigProfile: "costReportGroups: [team-a]\n",
	}
	clock := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	src := appconfig.New(extension(t, docs, &hits), time.Minute, func() time.Time { return clock })
	ctx := context.Background()

	t.Run("the global configuration is parsed with defaults for missing keys", func(t *testing.T) {
		g, err := src.Global(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if g.MaintenanceMode || g.Leases.MaxLeasesPerUser != 7 || g.Leases.MaxBudget == 0 {
			t.Fatalf("global = %+v", g.Leases)
		}
	})
	t.Run("the reporting configuration is parsed", func(t *testing.T) {
		r, err := src.Reporting(ctx)
		if err != nil || len(r.CostReportGroups) != 1 || r.CostReportGroups[0] != "team-a" {
			t.Fatalf("reporting = %+v, %v", r, err)
		}
	})
	t.Run("a read within the TTL is served from the cache", func(t *testing.T) {
		before := hits.Load()
		clock = clock.Add(59 * time.Second)
		if _, err := src.Global(ctx); err != nil {
			t.Fatal(err)
		}
		if hits.Load() != before {
			t.Fatalf("the extension was called again within the TTL")
		}
	})
	t.Run("a read after the TTL fetches the new deployment", func(t *testing.T) {
		docs[names.GlobalConfigProfile] = "maintenanceMode: true\n"
		clock = clock.Add(2 * time.Second)
		g, err := src.Global(ctx)
		if err != nil || !g.MaintenanceMode {
			t.Fatalf("global after TTL = %v, %v", g.MaintenanceMode, err)
		}
	})
}

func TestSourceRefusesWhatItCannotUse(t *testing.T) {
	cases := []struct {
		name string
		doc  *string
		want string
	}{
		{
			name: "an unknown key is an error naming it",
			doc:  ptr("leases:\n  maxLeasesPerUsr: 3\n"),
			want: "leases.maxLeasesPerUsr",
		},
		{
			name: "a broken rule is an error naming the field",
			doc:  ptr("leases:\n  maxBudget: -1\n"),
			want: "leases.maxBudget",
		},
		{name: "a missing profile is an error with the extension's status", doc: nil, want: "404"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var hits atomic.Int32
			docs := map[string]string{}
			if tc.doc != nil {
				docs[names.GlobalConfigProfile] = *tc.doc
			}
			src := appconfig.New(extension(t, docs, &hits), 0, nil)
			_, err := src.Global(context.Background())
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want it to mention %q", err, tc.want)
			}
			var invalid *appconfig.InvalidError
			if tc.doc != nil &&
				(!errors.As(err, &invalid) || !fault.Has(invalid.Err, tc.want) || errors.Is(err, fault.Invalid)) {
				t.Fatalf("err = %v, want an InvalidError on %s that is not the caller's fault.Invalid", err, tc.want)
			}
			// A failure is not cached: the next read asks again.
			before := hits.Load()
			_, _ = src.Global(context.Background())
			if hits.Load() == before {
				t.Fatal("a failed read was cached")
			}
		})
	}
}

func TestExtensionFailsWhenNothingListens(t *testing.T) {
	e := appconfig.NewExtension("test", "")
	e.BaseURL = "http://127.0.0.1:1"
	if _, err := e.Fetch(context.Background(), names.GlobalConfigProfile); err == nil {
		t.Fatal("fetch from a closed port succeeded")
	}
}

func ptr(s string) *string { return &s }

func TestExtensionListensOnTheGivenPortOrTheDefault(t *testing.T) {
	for _, tc := range []struct{ name, port, want string }{
		{"a given port is used", "4711", "http://localhost:4711"},
		{"no port means the extension's default", "", "http://localhost:" + appconfig.DefaultExtensionPort},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := appconfig.NewExtension("test", tc.port).BaseURL; got != tc.want {
				t.Errorf("BaseURL = %q, want %q", got, tc.want)
			}
		})
	}
}
