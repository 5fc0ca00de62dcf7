// Package page implements the contract's list answers: {items, next_cursor, total}, a limit (default
// 50, max 500) and an opaque keyset cursor, so deep pages cost as little as the first.
package page

import (
	"encoding/base64"
	"encoding/json"
	"strconv"

	"github.com/caravan-crm/caravan/internal/apperr"
)

const (
	DefaultLimit = 50
	MaxLimit     = 500
)

// Request is a page request: how many items and after which one.
type Request struct {
	Limit int
	// After holds the sort key values and the id of the last item of the previous page; nil for the first.
	After []string
}

// List is a page of items.
type List[T any] struct {
	Items      []T     `json:"items"`
	NextCursor *string `json:"next_cursor"`
	Total      int64   `json:"total"`
	// TotalEstimated marks Total as an estimate, not a count: a search over a large catalogue
	// matching many creators (internal/creator/estimate.go). Absent, Total is exact.
	TotalEstimated bool `json:"total_estimated,omitempty"`
}

// Parse reads limit and cursor query parameters; bad values are a 400.
func Parse(limit, cursor string) (Request, error) {
	r := Request{Limit: DefaultLimit}
	if limit != "" {
		n, err := strconv.Atoi(limit)
		if err != nil || n < 1 || n > MaxLimit {
			return r, apperr.BadRequest("invalid_parameter", "limit must be a whole number from 1 to 500")
		}
		r.Limit = n
	}
	if cursor != "" {
		b, err := base64.RawURLEncoding.DecodeString(cursor)
		if err != nil || json.Unmarshal(b, &r.After) != nil || len(r.After) == 0 {
			return r, apperr.BadRequest("invalid_parameter", "cursor is not one this server issued")
		}
	}
	return r, nil
}

// Cursor encodes the key values of the last item of a page.
func Cursor(keys ...string) *string {
	b, _ := json.Marshal(keys)
	s := base64.RawURLEncoding.EncodeToString(b)
	return &s
}

// Finish turns rows fetched with Limit+1 into a page: the extra row, if any, proves there is a next
// page, whose cursor is built from the last kept item by key.
func Finish[T any](rows []T, req Request, total int64, key func(T) []string) List[T] {
	l := List[T]{Items: rows, Total: total}
	if l.Items == nil {
		l.Items = []T{}
	}
	if len(rows) > req.Limit {
		l.Items = rows[:req.Limit]
		l.NextCursor = Cursor(key(l.Items[req.Limit-1])...)
	}
	return l
}

// Fetch is the number of rows to ask for: one more than the page, to learn whether another follows.
func (r Request) Fetch() int64 { return int64(r.Limit) + 1 }
