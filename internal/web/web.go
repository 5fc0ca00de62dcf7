// Package web holds what every domain handler needs from HTTP: strict JSON binding into request
// types, the principal of the request, paging parameters and the client's address. Only handler.go
// files and the httpapi package import it (and echo).
package web

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"reflect"
	"strconv"
	"strings"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
	"github.com/labstack/echo/v4"

	"github.com/caravan-crm/caravan/internal/actor"
	"github.com/caravan-crm/caravan/internal/apperr"
	"github.com/caravan-crm/caravan/internal/page"
)

// Bind decodes the JSON body into dst strictly: the content type must be JSON (415), and unknown
// fields, duplicate keys, keys in another case, trailing data and type mismatches are a 400. Bind
// into request types only, never into database models.
func Bind(c echo.Context, dst any) error {
	r := c.Request()
	if ct := r.Header.Get(echo.HeaderContentType); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || mt != echo.MIMEApplicationJSON {
			return &apperr.Error{Kind: apperr.KindUnsupported, Code: "unsupported_media_type", Message: "the body must be application/json"}
		}
	} else if r.ContentLength != 0 {
		return &apperr.Error{Kind: apperr.KindUnsupported, Code: "unsupported_media_type", Message: "the body must be application/json"}
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		// echo's body limit stops the read of a chunked body past the limit.
		var tooLarge *echo.HTTPError
		if errors.As(err, &tooLarge) && tooLarge.Code == http.StatusRequestEntityTooLarge {
			return &apperr.Error{Kind: apperr.KindTooLarge, Code: "body_too_large", Message: "the request body is too large"}
		}
		return apperr.BadRequest("malformed_body", "the request body could not be read")
	}
	if len(strings.TrimSpace(string(body))) == 0 {
		return apperr.BadRequest("empty_body", "the request body is empty; send a JSON object")
	}
	if err := json.Unmarshal(body, dst, json.RejectUnknownMembers(true)); err != nil {
		return apperr.BadRequest("malformed_json", describe(err))
	}
	return checkStrings(body)
}

// checkStrings refuses a body any of whose strings (names or values) holds NUL or another C0
// control character but tab, newline and carriage return. No field of the API takes them, and the
// databases refuse NUL in text (a 500 otherwise). The body is already known to be valid JSON.
func checkStrings(body []byte) error {
	if !mayHoldControls(body) {
		return nil
	}
	return scanStrings(body)
}

// mayHoldControls tells whether a valid JSON body may hold a string that checkStrings refuses. JSON
// writes a C0 character inside a string only as an escape, so a body with no \b, \f or \u escape
// and no DEL byte holds none but tab, newline and carriage return, which are allowed. Most bodies
// (a batch of 1,000 orders) are answered by this one pass over their bytes instead of a second
// decoding.
func mayHoldControls(body []byte) bool {
	if bytes.IndexByte(body, 0x7f) >= 0 {
		return true
	}
	for i := 0; ; {
		j := bytes.IndexByte(body[i:], '\\')
		if j < 0 || i+j+1 >= len(body) {
			return false
		}
		switch body[i+j+1] {
		case 'b', 'f', 'u':
			return true
		}
		i += j + 2 // past the escaped character: the second \ of \\ starts no escape
	}
}

// scanStrings is checkStrings reading every string of the body.
func scanStrings(body []byte) error {
	dec := jsontext.NewDecoder(bytes.NewReader(body))
	for {
		tok, err := dec.ReadToken()
		if err != nil {
			return nil // io.EOF: the end; anything else was reported by Unmarshal
		}
		if tok.Kind() == '"' {
			if i := ControlAt(tok.String(), true); i >= 0 {
				return apperr.BadRequest("invalid_characters", "a text in the body holds a control character (such as NUL); remove it").
					WithParams(map[string]any{"at": string(dec.StackPointer())})
			}
		}
	}
}

// ControlAt returns the byte offset of the first C0 control character (or DEL) in s, -1 if there is
// none. With multiline, tab, newline and carriage return are allowed.
func ControlAt(s string, multiline bool) int {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c != 0x7f {
			continue
		}
		if multiline && (c == '\t' || c == '\n' || c == '\r') {
			continue
		}
		return i
	}
	return -1
}

// describe turns a decoding error into one sentence without echoing the client's data back at length.
func describe(err error) string {
	var se *json.SemanticError
	if errors.As(err, &se) {
		ptr := string(se.JSONPointer)
		if ptr == "" {
			ptr = "/"
		}
		if errors.Is(err, json.ErrUnknownName) {
			return "unknown field at " + ptr
		}
		if se.JSONKind != 0 && se.GoType != nil {
			return "wrong type at " + ptr + ": got " + se.JSONKind.String()
		}
		return "invalid value at " + ptr
	}
	var syn *jsontext.SyntacticError
	if errors.As(err, &syn) {
		if errors.Is(err, jsontext.ErrDuplicateName) {
			return "duplicate field " + string(syn.JSONPointer)
		}
		return "malformed JSON near byte " + itoa(syn.ByteOffset)
	}
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return "malformed JSON: unexpected end of input"
	}
	return "malformed JSON"
}

func itoa(n int64) string {
	if n == 0 {
		return "0"
	}
	var b [20]byte
	i := len(b)
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	return string(b[i:])
}

// Actor returns who the request acts as. Routes that require authentication never reach a handler
// without one; an anonymous call here is a programming error reported as 401.
func Actor(c echo.Context) (actor.Actor, error) {
	a, ok := actor.From(c.Request().Context())
	if !ok {
		return actor.Actor{}, apperr.Unauthorized("unauthenticated", "sign in first")
	}
	return a, nil
}

// Page reads the limit and cursor query parameters.
func Page(c echo.Context) (page.Request, error) {
	return page.Parse(c.QueryParam("limit"), c.QueryParam("cursor"))
}

// Client describes the caller for sessions and the audit log. The IP comes from echo's IPExtractor,
// which trusts X-Forwarded-For only from configured proxies.
func Client(c echo.Context) actor.Client {
	return actor.Client{IP: c.RealIP(), UserAgent: c.Request().UserAgent()}
}

// Versioned is an answer with an optimistic-concurrency version: Respond and RespondTo send it as
// the answer's ETag, and a later write names it in If-Match.
type Versioned interface{ ETagVersion() int64 }

func setETag(c echo.Context, out any) {
	if v, ok := out.(Versioned); ok && !isNil(out) {
		c.Response().Header().Set("ETag", `"`+strconv.FormatInt(v.ETagVersion(), 10)+`"`)
	}
}

func isNil(v any) bool {
	rv := reflect.ValueOf(v)
	return rv.Kind() == reflect.Pointer && rv.IsNil()
}

// IfMatch reads the If-Match header of a write: nil when it is absent or "*" (any version), else
// the version the client last saw ("3" or W/"3"). A write whose version is no longer current
// answers 412 (apperr.Precondition).
func IfMatch(c echo.Context) (*int64, error) {
	h := strings.TrimSpace(c.Request().Header.Get("If-Match"))
	if h == "" || h == "*" {
		return nil, nil
	}
	h = strings.Trim(strings.TrimPrefix(h, "W/"), `"`)
	n, err := strconv.ParseInt(h, 10, 64)
	if err != nil || n < 0 {
		return nil, apperr.BadRequest("invalid_if_match", `If-Match must be the ETag of the record, such as "3"`)
	}
	return &n, nil
}

// Respond runs fn as the request's actor and answers status with its result: the whole of a handler
// that takes no body.
func Respond[Out any](c echo.Context, status int, fn func(a actor.Actor) (Out, error)) error {
	a, err := Actor(c)
	if err != nil {
		return err
	}
	out, err := fn(a)
	if err != nil {
		return err
	}
	setETag(c, out)
	return c.JSON(status, out)
}

// RespondTo binds the JSON body into In (strictly, see Bind), runs fn as the request's actor and
// answers status with its result.
func RespondTo[In, Out any](c echo.Context, status int, fn func(a actor.Actor, in In) (Out, error)) error {
	a, err := Actor(c)
	if err != nil {
		return err
	}
	var in In
	if err := Bind(c, &in); err != nil {
		return err
	}
	out, err := fn(a, in)
	if err != nil {
		return err
	}
	setETag(c, out)
	return c.JSON(status, out)
}

// RespondToIfMatch is RespondTo for a change that honours If-Match: fn also gets the version the
// client last saw (nil: any version).
func RespondToIfMatch[In, Out any](c echo.Context, status int, fn func(a actor.Actor, in In, ifMatch *int64) (Out, error)) error {
	v, err := IfMatch(c)
	if err != nil {
		return err
	}
	return RespondTo(c, status, func(a actor.Actor, in In) (Out, error) { return fn(a, in, v) })
}

// DoneIfMatch is Done for a deletion that honours If-Match.
func DoneIfMatch(c echo.Context, fn func(a actor.Actor, ifMatch *int64) error) error {
	v, err := IfMatch(c)
	if err != nil {
		return err
	}
	return Done(c, func(a actor.Actor) error { return fn(a, v) })
}

// Done runs fn as the request's actor and answers 204.
func Done(c echo.Context, fn func(a actor.Actor) error) error {
	a, err := Actor(c)
	if err != nil {
		return err
	}
	if err := fn(a); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// Upload is a spreadsheet sent to an import route: the multipart field "file" and the dry_run
// parameter. The caller closes File.
type Upload struct {
	File   multipart.File
	Size   int64
	Name   string
	DryRun bool
}

// ReadUpload reads an import's file and its dry_run parameter; a file larger than maxBytes is a 413.
func ReadUpload(c echo.Context, maxBytes int64) (*Upload, error) {
	u := &Upload{}
	switch c.QueryParam("dry_run") {
	case "", "false", "0":
	case "true", "1":
		u.DryRun = true
	default:
		return nil, apperr.BadRequest("invalid_parameter", "dry_run must be true or false")
	}
	fh, err := c.FormFile("file")
	if err != nil {
		return nil, apperr.BadRequest("missing_file", "send the spreadsheet as multipart/form-data in a field named file")
	}
	if fh.Size > maxBytes {
		return nil, (&apperr.Error{Kind: apperr.KindTooLarge, Code: "file_too_large", Message: fmt.Sprintf("the file is larger than %d MB", maxBytes>>20)}).
			WithParams(map[string]any{"max_mb": maxBytes >> 20})
	}
	if u.File, err = fh.Open(); err != nil {
		return nil, apperr.BadRequest("missing_file", "the uploaded file could not be read")
	}
	u.Size, u.Name = fh.Size, fh.Filename
	return u, nil
}
