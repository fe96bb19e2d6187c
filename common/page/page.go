// Package page holds a request for one page of a listing, and the status
// selection of the listings that read a status index. It is its own
// package so the HTTP layer and the services name paging without linking
// a store.
package page

import "time"

// Page asks for one page of a listing.
type Page struct {
	// Size is the most items to return; 0 or less means DefaultSize.
	Size int32
	// Token continues a listing; empty starts it.
	Token string
}

// DefaultSize is the page size when none is asked for.
const DefaultSize = 100

// Limit returns the page size to ask the store for.
func (p Page) Limit() int32 {
	if p.Size <= 0 {
		return DefaultSize
	}
	return p.Size
}

// StatusQuery selects leases or accounts by status, as the status index
// serves them: oldest status change first.
type StatusQuery struct {
	Status string
	// ChangedBefore, when set, keeps only items whose status changed
	// before this time (for example pending requests older than a limit).
	ChangedBefore time.Time
}
