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
	KindPrecondition      // If-Match names a version that is no longer current (412)
	KindRateLimited       // too many attempts (429)
	KindUnavailable       // dependency down, retry later (503)
)

// Error is a classified error with a stable machine-readable code.
type Error struct {
	Kind    Kind
	Code    string
	Message string
	// Fields maps an input field to what is wrong with it, in English.
	Fields map[string]string
	// FieldCodes maps an input field to a stable code for what is wrong with it, for a UI to
	// translate (a field without one is translated from its message's generic code).
	FieldCodes map[string]string
	// Params are the values a UI needs to say Message in the user's language
	// (account_taken: platform, handle, creator_id, creator_name).
	Params map[string]any
	// Details is a list the answer carries (an import's problems by row and column).
	Details any
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

// WithParams returns e with params set (for chaining at the construction site).
func (e *Error) WithParams(params map[string]any) *Error {
	e.Params = params
	return e
}

// Precondition is the 412 of a write whose If-Match names a version that is no longer current.
func Precondition(current int64) *Error {
	return &Error{Kind: KindPrecondition, Code: "version_mismatch",
		Message: "someone else changed this record since you loaded it; reload it and apply your change again",
		Params:  map[string]any{"current_version": current}}
}

// fieldMessageCodes gives the stable code of the field messages domain code uses most, so a UI can
// translate a field error without parsing English. A message not listed here has the code "invalid".
var fieldMessageCodes = map[string]string{
	"is required":                   "required",
	"must not be null":              "required",
	"must be a valid email address": "invalid_email",
	"must not contain control characters or bidirectional overrides": "invalid_characters",
	"must be 1 to 200 characters":                                    "length_1_200",
	"must be an ISO 3166-1 alpha-2 country code such as US or CN":    "invalid_country",
	"must be an ISO 4217 currency code such as USD":                  "invalid_currency",
	"must be basis points from 0 to 10000":                           "invalid_bps",
	"must not be negative":                                           "negative",
	"must be a date YYYY-MM-DD":                                      "invalid_date",
	"must be an http(s) address":                                     "invalid_url",
}

// fieldMessagePrefixes give the code of messages that end with a variable part ("must be one of
// tiktok, youtube, …", "is taken by Luna"), checked in order after fieldMessageCodes.
var fieldMessagePrefixes = []struct{ prefix, code string }{
	{"is required", "required"},
	{"must be one of ", "one_of"},
	{"must be at most ", "too_long"},
	{"must be a phone number", "invalid_phone"},
	{"must be an ISO 4217 currency code", "invalid_currency"},
	{"must be an ISO 3166-1", "invalid_country"},
	{"must be an IANA time zone", "invalid_timezone"},
	{"must be ISO 639-1 codes", "invalid_language"},
	{"must be an agency of your organization", "unknown_agency"},
	{"is not an agency of your organization", "unknown_agency"},
	{"must be a user of your organization", "unknown_user"},
	{"must be a creator of your organization", "unknown_creator"},
	{"must not be in the future", "in_future"},
	{"each tag must be", "invalid_tag"},
	{"must be a whole number", "not_a_number"},
	{"is taken by ", "taken"},
	{"is already in use", "taken"},
	{"looks like an account of ", "lookalike"},
}

// FieldCode returns the stable code of a field message: its registered code, or "invalid".
func FieldCode(msg string) string {
	if c, ok := fieldMessageCodes[msg]; ok {
		return c
	}
	for _, p := range fieldMessagePrefixes {
		if strings.HasPrefix(msg, p.prefix) {
			return p.code
		}
	}
	return "invalid"
}

// FieldCodes lists every code FieldCode can return (for the test that every code is translated).
func FieldCodes() []string {
	seen := map[string]bool{"invalid": true}
	out := []string{"invalid"}
	for _, c := range fieldMessageCodes {
		if !seen[c] {
			seen[c] = true
			out = append(out, c)
		}
	}
	for _, p := range fieldMessagePrefixes {
		if !seen[p.code] {
			seen[p.code] = true
			out = append(out, p.code)
		}
	}
	sort.Strings(out)
	return out
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

// Public is an error as a client sees it inside another answer (the error of one item of a batch):
// the contract's error shape without the request id.
type Public struct {
	Code       string            `json:"code"`
	Message    string            `json:"message"`
	Fields     map[string]string `json:"fields,omitempty"`
	FieldCodes map[string]string `json:"field_codes,omitempty"`
	Params     map[string]any    `json:"params,omitempty"`
}

// PublicOf returns err as a client sees it; an error that is not an *Error is "internal".
func PublicOf(err error) Public {
	e, ok := As(err)
	if !ok || e.Kind == KindInternal {
		return Public{Code: "internal", Message: "an internal error occurred"}
	}
	p := Public{Code: e.Code, Message: e.Message, Fields: e.Fields, Params: e.Params}
	if len(e.Fields) > 0 {
		p.FieldCodes = make(map[string]string, len(e.Fields))
		for f, msg := range e.Fields {
			p.FieldCodes[f] = FieldCode(msg)
		}
		for f, c := range e.FieldCodes {
			p.FieldCodes[f] = c
		}
	}
	return p
}
