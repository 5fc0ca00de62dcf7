package store

import (
	"context"
	"time"

	"github.com/uptrace/bun"

	"github.com/caravan-crm/caravan/internal/apperr"
)

// IdempotencyKey is a creating request's Idempotency-Key, carried in its context. The first
// transaction the request commits through RunInTx also writes the key, so "did this request take
// effect?" and "is its key stored?" are the same question: a request that rolled back leaves no key
// and may be retried; one that committed has its key, and a retry is answered from it.
type IdempotencyKey struct {
	OrgID, Key, Method, Path, BodyHash string

	recorded bool
}

type idemKey struct{}

// WithIdempotencyKey returns ctx carrying k.
func WithIdempotencyKey(ctx context.Context, k *IdempotencyKey) context.Context {
	return context.WithValue(ctx, idemKey{}, k)
}

func idempotencyKeyFrom(ctx context.Context) *IdempotencyKey {
	k, _ := ctx.Value(idemKey{}).(*IdempotencyKey)
	return k
}

// Recorded reports whether a transaction of the request committed the key.
func (k *IdempotencyKey) Recorded() bool { return k.recorded }

type idempotencyRow struct {
	bun.BaseModel `bun:"table:idempotency_keys"`

	OrgID     string    `bun:"org_id,pk"`
	Key       string    `bun:"key,pk"`
	Method    string    `bun:"method"`
	Path      string    `bun:"path"`
	BodyHash  string    `bun:"body_hash"`
	Status    *int      `bun:"status"`
	Response  *string   `bun:"response"`
	CreatedAt time.Time `bun:"created_at"`
}

// StoredResponse is what a key remembers: the request's body hash and, once known, its answer.
type StoredResponse struct {
	BodyHash  string
	Status    *int
	Response  *string
	CreatedAt time.Time
}

// LookupIdempotencyKey returns the stored answer of (orgID, key), nil if there is none.
func LookupIdempotencyKey(ctx context.Context, db bun.IDB, orgID, key string) (*StoredResponse, error) {
	var r idempotencyRow
	err := db.NewSelect().Model(&r).Where("org_id = ? AND key = ?", orgID, key).Scan(ctx)
	if IsNoRows(err) {
		return nil, nil
	}
	if err != nil {
		return nil, MapError(err)
	}
	return &StoredResponse{BodyHash: r.BodyHash, Status: r.Status, Response: r.Response, CreatedAt: r.CreatedAt}, nil
}

// SaveIdempotentResponse stores the answer of a request whose key a transaction recorded.
func SaveIdempotentResponse(ctx context.Context, db bun.IDB, k *IdempotencyKey, status int, body string) error {
	_, err := db.NewUpdate().Model((*idempotencyRow)(nil)).Set("status = ?", status).Set("response = ?", body).
		Where("org_id = ? AND key = ?", k.OrgID, k.Key).Exec(ctx)
	return MapError(err)
}

// DeleteIdempotencyKey forgets a key (an expired one, before its reuse).
func DeleteIdempotencyKey(ctx context.Context, db bun.IDB, orgID, key string) error {
	_, err := db.NewDelete().Model((*idempotencyRow)(nil)).Where("org_id = ? AND key = ?", orgID, key).Exec(ctx)
	return MapError(err)
}

// PurgeIdempotencyKeys deletes keys created before before, a batch at a time, and returns how many.
func PurgeIdempotencyKeys(ctx context.Context, db bun.IDB, before time.Time) (int64, error) {
	var total int64
	for {
		res, err := db.NewDelete().Model((*idempotencyRow)(nil)).
			Where("(org_id, key) IN (?)", db.NewSelect().Model((*idempotencyRow)(nil)).Column("org_id", "key").
				Where("created_at < ?", before).Limit(1000)).Exec(ctx)
		if err != nil {
			return total, MapError(err)
		}
		n, _ := res.RowsAffected()
		total += n
		if n < 1000 {
			return total, nil
		}
	}
}

// recordIdempotencyKey writes the request's key in tx, once per request.
func recordIdempotencyKey(ctx context.Context, tx bun.Tx, now time.Time) error {
	k := idempotencyKeyFrom(ctx)
	if k == nil || k.recorded {
		return nil
	}
	_, err := tx.NewInsert().Model(&idempotencyRow{OrgID: k.OrgID, Key: k.Key, Method: k.Method, Path: k.Path,
		BodyHash: k.BodyHash, CreatedAt: now}).Exec(ctx)
	if IsUniqueViolation(err) {
		return ErrIdempotencyInProgress
	}
	return err
}

// ErrIdempotencyInProgress answers a request whose key another request with the same key is using.
var ErrIdempotencyInProgress = &apperr.Error{Kind: apperr.KindConflict, Code: "idempotency_in_progress",
	Message: "a request with this Idempotency-Key is being processed; retry in a moment", RetryAfter: time.Second}
