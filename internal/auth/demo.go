package auth

import (
	"context"

	"github.com/caravan-crm/caravan/internal/store"
)

// EmailInUse reports whether a user of any organization has email (compared as login compares it).
// `caravan demo` uses it to refuse an owner e-mail that would make the login ask which organization
// to sign in to; an address may otherwise belong to users of several organizations.
func (s *Service) EmailInUse(ctx context.Context, email string) (bool, error) {
	e, _ := normalizeEmail(email)
	n, err := s.db.NewSelect().Model((*User)(nil)).Where("u.email = ?", e).Count(ctx)
	if err != nil {
		return false, store.MapError(err)
	}
	return n > 0, nil
}
