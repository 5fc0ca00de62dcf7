// Package auth owns organizations, users and their roles, passwords, sessions with rotating refresh
// tokens, access JWTs and their signing keys, API keys, and the principal every request acts as.
package auth

import (
	"time"

	"github.com/uptrace/bun"

	"github.com/caravan-crm/caravan/internal/actor"
)

// Org is a seller's organization: the tenant every business row belongs to.
type Org struct {
	bun.BaseModel `bun:"table:organizations"`

	ID           string    `bun:"id,pk" json:"id"`
	Name         string    `bun:"name" json:"name"`
	BaseCurrency string    `bun:"base_currency" json:"base_currency"`
	Timezone     string    `bun:"timezone" json:"timezone"`
	CreatedAt    time.Time `bun:"created_at" json:"created_at"`
}

// User statuses.
const (
	StatusActive   = "active"
	StatusDisabled = "disabled"
)

// User is a person who signs in.
type User struct {
	bun.BaseModel `bun:"table:users,alias:u"`

	ID                string     `bun:"id,pk" json:"id"`
	OrgID             string     `bun:"org_id" json:"-"`
	Email             string     `bun:"email" json:"email"`
	Name              string     `bun:"name" json:"name"`
	Role              actor.Role `bun:"role" json:"role"`
	Status            string     `bun:"status" json:"status"`
	PasswordHash      string     `bun:"password_hash" json:"-"`
	PasswordChangedAt time.Time  `bun:"password_changed_at" json:"-"`
	CreatedAt         time.Time  `bun:"created_at" json:"created_at"`
	UpdatedAt         time.Time  `bun:"updated_at" json:"updated_at"`
	LastLoginAt       *time.Time `bun:"last_login_at" json:"last_login_at"`
}

type session struct {
	bun.BaseModel `bun:"table:sessions,alias:s"`

	ID            string     `bun:"id,pk"`
	OrgID         string     `bun:"org_id"`
	UserID        string     `bun:"user_id"`
	CreatedAt     time.Time  `bun:"created_at"`
	ExpiresAt     time.Time  `bun:"expires_at"`
	RevokedAt     *time.Time `bun:"revoked_at"`
	RevokedReason *string    `bun:"revoked_reason"`
	IP            string     `bun:"ip"`
	UserAgent     string     `bun:"user_agent"`
}

type refreshToken struct {
	bun.BaseModel `bun:"table:refresh_tokens"`

	ID        string     `bun:"id,pk"`
	SessionID string     `bun:"session_id"`
	TokenHash string     `bun:"token_hash"`
	CreatedAt time.Time  `bun:"created_at"`
	ExpiresAt time.Time  `bun:"expires_at"`
	UsedAt    *time.Time `bun:"used_at"`
}

// APIKey lets a machine (a shop, a script) call the API as the organization. The key itself is shown
// once; only its SHA-256 is kept.
type APIKey struct {
	bun.BaseModel `bun:"table:api_keys,alias:k"`

	ID         string     `bun:"id,pk" json:"id"`
	OrgID      string     `bun:"org_id" json:"-"`
	Name       string     `bun:"name" json:"name"`
	Prefix     string     `bun:"prefix" json:"prefix"`
	KeyHash    string     `bun:"key_hash" json:"-"`
	Role       actor.Role `bun:"role" json:"role"`
	CreatedBy  string     `bun:"created_by" json:"created_by"`
	CreatedAt  time.Time  `bun:"created_at" json:"created_at"`
	LastUsedAt *time.Time `bun:"last_used_at" json:"last_used_at"`
	RevokedAt  *time.Time `bun:"revoked_at" json:"-"`
}

type signingKey struct {
	bun.BaseModel `bun:"table:signing_keys"`

	ID        string     `bun:"id,pk"`
	Secret    []byte     `bun:"secret"`
	CreatedAt time.Time  `bun:"created_at"`
	RetiredAt *time.Time `bun:"retired_at"`
}
