package httpapi

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/caravan-crm/caravan/internal/actor"
	"github.com/caravan-crm/caravan/internal/apperr"
	"github.com/caravan-crm/caravan/internal/store"
)

// idempotencyTTL is how long an Idempotency-Key answers with its stored response.
const idempotencyTTL = 24 * time.Hour

// idempotent makes a creating POST safe to retry: with an Idempotency-Key header, the same key and
// body within 24 hours answer the stored response (with Idempotent-Replayed: true) and create
// nothing more; the same key with another body is a 422. The key is written by the request's own
// transaction (store.RunInTx), so a request that failed leaves no key and may simply be retried.
func (s *Server) idempotent(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		key := c.Request().Header.Get("Idempotency-Key")
		if key == "" {
			return next(c)
		}
		if len(key) > 255 || !printableASCII(key) {
			return apperr.BadRequest("invalid_idempotency_key", "Idempotency-Key must be 1 to 255 printable ASCII characters, such as a UUID")
		}
		a, ok := actor.From(c.Request().Context())
		if !ok {
			return next(c)
		}
		req := c.Request()
		body, err := io.ReadAll(req.Body)
		if err != nil {
			return err // the body limit's 413
		}
		req.Body = io.NopCloser(bytes.NewReader(body))
		sum := sha256.Sum256(append([]byte(req.Method+" "+c.Path()+" "+c.Request().URL.RawQuery+"\n"), body...))
		hash := hex.EncodeToString(sum[:])

		ctx := req.Context()
		stored, err := store.LookupIdempotencyKey(ctx, s.deps.DB, a.OrgID, key)
		if err != nil {
			return err
		}
		if stored != nil && time.Since(stored.CreatedAt) > idempotencyTTL {
			if err := store.DeleteIdempotencyKey(ctx, s.deps.DB, a.OrgID, key); err != nil {
				return err
			}
			stored = nil
		}
		switch {
		case stored == nil:
		case stored.BodyHash != hash:
			return &apperr.Error{Kind: apperr.KindValidation, Code: "idempotency_key_reused",
				Message: "this Idempotency-Key was used for another request; use a new key for a new request"}
		case stored.Status == nil:
			return store.ErrIdempotencyInProgress
		default:
			c.Response().Header().Set("Idempotent-Replayed", "true")
			return c.Blob(*stored.Status, echo.MIMEApplicationJSON, []byte(*stored.Response))
		}

		k := &store.IdempotencyKey{OrgID: a.OrgID, Key: key, Method: req.Method, Path: c.Path(), BodyHash: hash}
		c.SetRequest(req.WithContext(store.WithIdempotencyKey(ctx, k)))
		rec := &recorder{ResponseWriter: c.Response().Writer}
		c.Response().Writer = rec
		if err := next(c); err != nil {
			return err
		}
		if k.Recorded() && c.Response().Status < http.StatusInternalServerError {
			if err := store.SaveIdempotentResponse(context.WithoutCancel(ctx), s.deps.DB, k, c.Response().Status, rec.buf.String()); err != nil {
				// The effect is committed and the client has its answer; a retry will be told the
				// key is in use rather than create a duplicate.
				s.deps.Log.Warn("idempotency: storing the response failed", "err", err)
			}
		}
		return nil
	}
}

// recorder keeps a copy of the answer's body for the idempotency key.
type recorder struct {
	http.ResponseWriter
	buf bytes.Buffer
}

func (r *recorder) Write(b []byte) (int, error) {
	if r.buf.Len() < 1<<20 {
		r.buf.Write(b)
	}
	return r.ResponseWriter.Write(b)
}

func printableASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x21 || s[i] > 0x7e {
			return false
		}
	}
	return s != ""
}
