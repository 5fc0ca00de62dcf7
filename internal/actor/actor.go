// Package actor says who a request acts as: the organization, the role, and the user or API key.
// The organization of every business query comes from here, never from the request's body or URL.
package actor

import "context"

// Role is what a user may do. Roles are not ordered in one line: finance and manager see different
// parts of the product.
type Role string

const (
	RoleOwner   Role = "owner"
	RoleAdmin   Role = "admin"
	RoleManager Role = "manager" // sellers (运营): creators, campaigns, links, conversions
	RoleFinance Role = "finance" // approvals, periods, payouts, reports
	RoleViewer  Role = "viewer"  // read only
)

// Roles lists every role.
var Roles = []Role{RoleOwner, RoleAdmin, RoleManager, RoleFinance, RoleViewer}

// Valid reports whether r is a known role.
func (r Role) Valid() bool {
	for _, x := range Roles {
		if r == x {
			return true
		}
	}
	return false
}

// Actor is who a request acts as.
type Actor struct {
	OrgID     string
	Role      Role
	UserID    string // set for people
	SessionID string // set for people
	APIKeyID  string // set for machines
	IP        string
}

// ID is the user or API key behind the actor; empty for the system.
func (a Actor) ID() string {
	if a.APIKeyID != "" {
		return a.APIKeyID
	}
	return a.UserID
}

// Kind is "user", "api_key" or "system".
func (a Actor) Kind() string {
	switch {
	case a.APIKeyID != "":
		return "api_key"
	case a.UserID != "":
		return "user"
	}
	return "system"
}

// Can reports whether the actor holds one of roles.
func (a Actor) Can(roles ...Role) bool {
	for _, r := range roles {
		if a.Role == r {
			return true
		}
	}
	return false
}

type key struct{}

// With returns ctx carrying a.
func With(ctx context.Context, a Actor) context.Context { return context.WithValue(ctx, key{}, a) }

// From returns the actor of ctx; ok is false for anonymous requests.
func From(ctx context.Context) (Actor, bool) {
	a, ok := ctx.Value(key{}).(Actor)
	return a, ok && a.OrgID != ""
}

// Client describes where a request comes from, for sessions and the audit log.
type Client struct {
	IP        string
	UserAgent string
}
