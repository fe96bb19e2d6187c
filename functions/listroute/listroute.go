// Package listroute answers the REST API's list routes (GET /accounts,
// /leases, /leaseTemplates, /accounts/unregistered) the one way they all
// answer: the page the query asks for, each item as its view, the token of
// the next page.
package listroute

import (
	"context"

	"github.com/isb-go/isb/common/httpapi"
	"github.com/isb-go/isb/common/page"
)

// Answer parses the page r asks for (at most maxSize items; a bad size or
// token is a 400 naming the query parameter), lists it and answers 200 with
// each item as view makes it.
func Answer[T, V any](ctx context.Context, r *httpapi.Request, maxSize int32,
	list func(context.Context, page.Page) ([]T, string, error), view func(T) V) (httpapi.Response, error) {
	p, err := httpapi.ParsePage(r.Query, maxSize)
	if err != nil {
		return httpapi.Response{}, err
	}
	items, next, err := list(ctx, p)
	if err != nil {
		return httpapi.Response{}, err
	}
	views := make([]V, len(items))
	for i, it := range items {
		views[i] = view(it)
	}
	return httpapi.OK(httpapi.NewPage(views, next)), nil
}

// Same is the view of an item that is its own view.
func Same[T any](t T) T { return t }
