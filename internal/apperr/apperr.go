// Package apperr holds the errors domain code returns. It knows nothing of HTTP: the http layer maps
// each Kind onto a status code and the contract's error shape.
package apperr

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"
)

// Kind classifies an error for the caller; the http layer maps it to a status code.
type Kind int

const (
	KindInternal     Kind = iota
	KindBadRequest        // malformed input (400)
	KindUnauthorized      // not authenticated (401)
	KindForbidden         // authenticated, not allowed (403)
	KindNotFound          // missing or another organization's (404)
	KindConflict          // duplicate, locked period, state clash (409)
	KindTooLarge          // body too large (413)
	KindUnsupported       // wrong content type (415)
	KindValidation        // well-formed but invalid (422)
	KindRateLimited       // too many attempts (429)
	KindUnavailable       // dependency down, retry later (503)
)

// Error is a classified error with a stable machine-readable code.
type Error struct {
	Kind    Kind
	Code    string
	Message string
	// Fields maps an input field to what is wrong with it.
	Fields map[string]string
	// RetryAfter is set for KindRateLimited and KindUnavailable.
	RetryAfter time.Duration
	// Err is the cause, kept for logs and never sent to the client.
	Err error
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.Code)
	if e.Message != "" {
		b.WriteString(": ")
		b.WriteString(e.Message)
	}
	if len(e.Fields) > 0 {
		keys := make([]string, 0, len(e.Fields))
		for k := range e.Fields {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			fmt.Fprintf(&b, "; %s %s", k, e.Fields[k])
		}
	}
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

// As returns the *Error in err's chain, if any.
func As(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}

// KindOf returns the Kind of err, KindInternal when it is not an *Error.
func KindOf(err error) Kind {
	if e, ok := As(err); ok {
		return e.Kind
	}
	return KindInternal
}

func NotFound(what string) *Error {
	return &Error{Kind: KindNotFound, Code: "not_found", Message: what + " not found"}
}

func Conflict(code, message string) *Error {
	return &Error{Kind: KindConflict, Code: code, Message: message}
}

func Forbidden(message string) *Error {
	return &Error{Kind: KindForbidden, Code: "forbidden", Message: message}
}

func Unauthorized(code, message string) *Error {
	return &Error{Kind: KindUnauthorized, Code: code, Message: message}
}

func BadRequest(code, message string) *Error {
	return &Error{Kind: KindBadRequest, Code: code, Message: message}
}

func RateLimited(retryAfter time.Duration) *Error {
	return &Error{Kind: KindRateLimited, Code: "rate_limited", Message: "too many attempts, try again later", RetryAfter: retryAfter}
}

func Unavailable(message string, cause error) *Error {
	return &Error{Kind: KindUnavailable, Code: "unavailable", Message: message, RetryAfter: time.Second, Err: cause}
}

// Validation is an error for well-formed input that breaks the rules, field by field.
func Validation(fields map[string]string) *Error {
	return &Error{Kind: KindValidation, Code: "validation_failed", Message: "some fields are invalid", Fields: fields}
}

// Fields collects field errors; Err returns nil when there are none.
type Fields map[string]string

// Add records msg for field unless the field already has a message.
func (f Fields) Add(field, msg string) {
	if _, ok := f[field]; !ok {
		f[field] = msg
	}
}

// Check records msg for field when bad is true.
func (f Fields) Check(bad bool, field, msg string) {
	if bad {
		f.Add(field, msg)
	}
}

// Err returns a Validation error, or nil if no field failed.
func (f Fields) Err() error {
	if len(f) == 0 {
		return nil
	}
	return Validation(f)
}
