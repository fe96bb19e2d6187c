package listroute

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"testing"

	"github.com/isb-go/isb/common/fault"
	"github.com/isb-go/isb/common/httpapi"
	"github.com/isb-go/isb/common/page"
)

func TestAnswerListsThePageAskedForAsViews(t *testing.T) {
	items := []int{1, 2, 3}
	var asked page.Page
	list := func(_ context.Context, p page.Page) ([]int, string, error) {
		asked = p
		return items, "next-token", nil
	}
	r := &httpapi.Request{Query: map[string]string{
		httpapi.QueryPageSize: "2", httpapi.QueryPageIdentifier: "this-token"}}
	resp, err := Answer(context.Background(), r, 10, list, strconv.Itoa)
	if err != nil {
		t.Fatal(err)
	}
	if asked != (page.Page{Size: 2, Token: "this-token"}) {
		t.Errorf("listed page %+v, want size 2 from this-token", asked)
	}
	got, ok := resp.Data.(httpapi.Page[string])
	if resp.Status != http.StatusOK || !ok {
		t.Fatalf("response %d %T, want 200 with a page of strings", resp.Status, resp.Data)
	}
	if !slices.Equal(got.Result, []string{"1", "2", "3"}) || got.NextPageIdentifier == nil ||
		*got.NextPageIdentifier != "next-token" {
		t.Errorf("page %+v, want the views 1 2 3 and next-token", got)
	}
}

func TestAnswerRefusesBadQueriesAndPassesListErrorsOn(t *testing.T) {
	failed := errors.New("store down")
	for _, tc := range []struct {
		name  string
		query map[string]string
		field string
		err   error
	}{
		{name: "a page size above the route's largest names pageSize",
			query: map[string]string{httpapi.QueryPageSize: "11"}, field: httpapi.QueryPageSize},
		{name: "a page size that is no number names pageSize",
			query: map[string]string{httpapi.QueryPageSize: "ten"}, field: httpapi.QueryPageSize},
		{name: "the listing's own error comes back unchanged", query: map[string]string{}, err: failed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			listed := false
			list := func(context.Context, page.Page) ([]int, string, error) {
				listed = true
				return nil, "", failed
			}
			_, err := Answer(context.Background(), &httpapi.Request{Query: tc.query}, 10, list, Same[int])
			if tc.err != nil {
				if !errors.Is(err, tc.err) {
					t.Errorf("error %v, want %v", err, tc.err)
				}
				return
			}
			var v *fault.ValidationError
			if !errors.As(err, &v) || !slices.ContainsFunc(v.Fields, func(f fault.FieldError) bool {
				return f.Field == tc.field
			}) {
				t.Errorf("error %v, want one naming %s", err, tc.field)
			}
			if listed {
				t.Error("listed despite the bad query")
			}
		})
	}
}
