package bootconf

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/isb-go/isb/common/names"
	"github.com/isb-go/isb/functions/boot"
)

func TestSourceReadsTheNamespacesConfigurationFromTheExtensionOnTheGivenPort(t *testing.T) {
	var paths []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		paths = append(paths, r.URL.Path)
		http.Error(w, "no such profile", http.StatusNotFound)
	}))
	defer srv.Close()
	_, port, err := net.SplitHostPort(strings.TrimPrefix(srv.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	src := Source(boot.Env{names.EnvNamespace: "ns", Port: port})
	if _, err := src.Global(context.Background()); err == nil {
		t.Error("a 404 from the extension loaded a configuration")
	}
	want := "/applications/" + names.Physical("ns", names.AppConfigApplication) + "/"
	if len(paths) == 0 || !strings.HasPrefix(paths[0], want) {
		t.Errorf("the extension was asked for %v, want a path under %s", paths, want)
	}
}
