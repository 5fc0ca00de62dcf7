package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"regexp"
	"sync"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/uptrace/bun"

	"github.com/caravan-crm/caravan/internal/clock"
	"github.com/caravan-crm/caravan/internal/store"
)

const (
	// Audience is the aud claim of access tokens.
	Audience = "caravan-api"
	// maxTokenLen rejects absurd bearer tokens before any parsing (golang-jwt CVE-2025-30204).
	maxTokenLen = 4096
	// jwtLeeway tolerates small clock differences between replicas.
	jwtLeeway = 30 * time.Second
)

// kidPattern is the only shape a key id may have: a UUID. A kid of "../../etc/passwd" or SQL never
// reaches a lookup.
var kidPattern = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

type accessClaims struct {
	jwt.RegisteredClaims
	OrgID     string `json:"org"`
	SessionID string `json:"sid"`
}

// keyRing caches the signing keys kept in the database. Every replica reads the same keys; a replica
// that meets an unknown key id reloads them (at most once a second).
type keyRing struct {
	db        bun.IDB
	clock     clock.Clock
	accessTTL time.Duration

	mu      sync.RWMutex
	keys    map[string][]byte
	signing string // id of the newest unretired key
}

func (k *keyRing) reload(ctx context.Context) error {
	var rows []signingKey
	now := k.clock.Now()
	// Retired keys still verify the tokens they signed until those expire.
	err := k.db.NewSelect().Model(&rows).
		Where("retired_at IS NULL OR retired_at > ?", now.Add(-k.accessTTL-jwtLeeway)).
		Order("created_at DESC", "id DESC").Scan(ctx)
	if err != nil {
		return store.MapError(err)
	}
	keys := make(map[string][]byte, len(rows))
	signing := ""
	for _, r := range rows {
		keys[r.ID] = r.Secret
		if signing == "" && r.RetiredAt == nil {
			signing = r.ID
		}
	}
	k.mu.Lock()
	k.keys, k.signing = keys, signing
	k.mu.Unlock()
	return nil
}

// ensure makes sure a signing key exists, creating the first one.
func (k *keyRing) ensure(ctx context.Context) error {
	if err := k.reload(ctx); err != nil {
		return err
	}
	k.mu.RLock()
	has := k.signing != ""
	k.mu.RUnlock()
	if has {
		return nil
	}
	// Two replicas starting together may both create one; both verify and the newer signs.
	return k.rotate(ctx)
}

// rotate creates a new signing key and retires the others: they keep verifying until the tokens they
// signed have expired.
func (k *keyRing) rotate(ctx context.Context) error {
	secret := make([]byte, 32)
	if _, err := rand.Read(secret); err != nil {
		return err
	}
	now := k.clock.Now()
	err := k.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		if _, err := tx.NewUpdate().Model((*signingKey)(nil)).Set("retired_at = ?", now).
			Where("retired_at IS NULL").Exec(ctx); err != nil {
			return err
		}
		_, err := tx.NewInsert().Model(&signingKey{ID: store.NewID(), Secret: secret, CreatedAt: now}).Exec(ctx)
		return err
	})
	if err != nil {
		return store.MapError(err)
	}
	return k.reload(ctx)
}

func (k *keyRing) sign(claims accessClaims) (string, error) {
	k.mu.RLock()
	kid, secret := k.signing, k.keys[k.signing]
	k.mu.RUnlock()
	if kid == "" {
		return "", errors.New("auth: no signing key loaded")
	}
	t := jwt.NewWithClaims(jwt.SigningMethodHS256, claims)
	t.Header["kid"] = kid
	return t.SignedString(secret)
}

// lookup returns the secret of kid. A kid this replica has not loaded is looked up by primary key:
// another replica may have created it a moment ago (replicas starting together each create one), and
// refusing its tokens for any time would log people out at random behind a load balancer.
func (k *keyRing) lookup(ctx context.Context, kid string) ([]byte, bool) {
	k.mu.RLock()
	secret, ok := k.keys[kid]
	k.mu.RUnlock()
	if ok {
		return secret, true
	}
	var row signingKey
	err := k.db.NewSelect().Model(&row).
		Where("id = ? AND (retired_at IS NULL OR retired_at > ?)", kid, k.clock.Now().Add(-k.accessTTL-jwtLeeway)).
		Scan(ctx)
	if err != nil {
		return nil, false
	}
	k.mu.Lock()
	k.keys[kid] = row.Secret
	k.mu.Unlock()
	return row.Secret, true
}

var errBadToken = errors.New("auth: invalid access token")

// parse verifies an access token: HS256 only, a known kid, required exp, our issuer and audience.
func (k *keyRing) parse(ctx context.Context, raw, issuer string) (*accessClaims, error) {
	if len(raw) > maxTokenLen {
		return nil, errBadToken
	}
	claims := &accessClaims{}
	p := jwt.NewParser(
		jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}),
		jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(),
		jwt.WithIssuer(issuer),
		jwt.WithAudience(Audience),
		jwt.WithLeeway(jwtLeeway),
		jwt.WithTimeFunc(k.clock.Now),
	)
	_, err := p.ParseWithClaims(raw, claims, func(t *jwt.Token) (any, error) {
		kid, _ := t.Header["kid"].(string)
		if !kidPattern.MatchString(kid) {
			return nil, errBadToken
		}
		secret, ok := k.lookup(ctx, kid)
		if !ok {
			return nil, errBadToken
		}
		return secret, nil
	})
	if err != nil {
		return nil, fmt.Errorf("%w: %v", errBadToken, err)
	}
	if claims.Subject == "" || claims.OrgID == "" || claims.SessionID == "" {
		return nil, errBadToken
	}
	return claims, nil
}

// randomToken returns a URL-safe random secret with a readable prefix and its SHA-256 in hex.
// High-entropy secrets need no slow hash: SHA-256 is enough and allows lookup by hash.
func randomToken(prefix string) (token, hash string) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	token = prefix + base64.RawURLEncoding.EncodeToString(b)
	return token, hashToken(token)
}

func hashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}
