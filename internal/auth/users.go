package auth

import (
	"context"
	"strings"
	"unicode/utf8"

	"github.com/uptrace/bun"

	"github.com/caravan-crm/caravan/internal/actor"
	"github.com/caravan-crm/caravan/internal/apperr"
	"github.com/caravan-crm/caravan/internal/audit"
	"github.com/caravan-crm/caravan/internal/page"
	"github.com/caravan-crm/caravan/internal/store"
)

// NewUser is a user an owner or admin adds to their organization.
type NewUser struct {
	Email    string
	Name     string
	Role     actor.Role
	Password string
}

// ListUsers returns the organization's users in the order they were added.
func (s *Service) ListUsers(ctx context.Context, p actor.Actor, req page.Request) (page.List[User], error) {
	var rows []User
	q := s.db.NewSelect().Model(&rows).Where("u.org_id = ?", p.OrgID)
	total, err := q.Count(ctx)
	if err != nil {
		return page.List[User]{}, store.MapError(err)
	}
	if len(req.After) == 1 {
		q = q.Where("u.id > ?", req.After[0])
	}
	if err := q.Order("u.id").Limit(req.Fetch()).Scan(ctx); err != nil {
		return page.List[User]{}, store.MapError(err)
	}
	return page.Finish(rows, req, total, func(u User) []string { return []string{u.ID} }), nil
}

// GetUser returns one user of the principal's organization.
func (s *Service) GetUser(ctx context.Context, p actor.Actor, id string) (*User, error) {
	return s.user(ctx, s.db, p.OrgID, id)
}

// CreateUser adds a user to the principal's organization. Only an owner may create another owner.
func (s *Service) CreateUser(ctx context.Context, p actor.Actor, in NewUser) (*User, error) {
	f := apperr.Fields{}
	pw := checkPerson(f, &in.Name, &in.Email, in.Password, s.minPassword)
	f.Check(!in.Role.Valid(), "role", "must be one of owner, admin, manager, finance, viewer")
	if err := fieldsErr(f, pw, s.minPassword); err != nil {
		return nil, err
	}
	if in.Role == actor.RoleOwner && p.Role != actor.RoleOwner {
		return nil, apperr.Forbidden("only an owner can add another owner")
	}
	var u *User
	err := store.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
		var err error
		if u, err = s.insertUser(ctx, tx, p.OrgID, in.Email, in.Name, in.Role, in.Password); err != nil {
			return err
		}
		return s.audit(ctx, tx, p, "user.create", "user", u.ID, map[string]string{"email": u.Email, "role": string(u.Role)})
	})
	return u, err
}

// CreateUserInOrg adds a user to an organization from the command line.
func (s *Service) CreateUserInOrg(ctx context.Context, orgID string, in NewUser) (*User, error) {
	if _, err := s.Org(ctx, orgID); err != nil {
		return nil, err
	}
	return s.CreateUser(ctx, actor.Actor{OrgID: orgID, Role: actor.RoleOwner, IP: "cli"}, in)
}

// UserChange is a partial update of a user; nil fields are left alone.
type UserChange struct {
	Name   *string
	Role   *actor.Role
	Status *string
}

// UpdateUser renames a user, changes their role or disables them. Nobody changes their own role or
// status; only an owner touches an owner; the last active owner stays one. Disabling ends every
// session of the user at once.
func (s *Service) UpdateUser(ctx context.Context, p actor.Actor, id string, ch UserChange) (*User, error) {
	f := apperr.Fields{}
	if ch.Name != nil {
		*ch.Name = strings.TrimSpace(*ch.Name)
		f.Check(*ch.Name == "" || utf8.RuneCountInString(*ch.Name) > 200, "name", "must be 1 to 200 characters")
	}
	f.Check(ch.Role != nil && !ch.Role.Valid(), "role", "must be one of owner, admin, manager, finance, viewer")
	f.Check(ch.Status != nil && *ch.Status != StatusActive && *ch.Status != StatusDisabled, "status", "must be active or disabled")
	if err := f.Err(); err != nil {
		return nil, err
	}
	if id == p.UserID && (ch.Role != nil || ch.Status != nil) {
		return nil, apperr.BadRequest("cannot_change_self", "you cannot change your own role or status")
	}
	var u *User
	err := store.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
		var err error
		if u, err = s.user(ctx, tx, p.OrgID, id); err != nil {
			return err
		}
		if p.Role != actor.RoleOwner && (u.Role == actor.RoleOwner || (ch.Role != nil && *ch.Role == actor.RoleOwner)) {
			return apperr.Forbidden("only an owner can change an owner or make someone owner")
		}
		losesOwner := u.Role == actor.RoleOwner && u.Status == StatusActive &&
			((ch.Role != nil && *ch.Role != actor.RoleOwner) || (ch.Status != nil && *ch.Status != StatusActive))
		if losesOwner {
			n, err := tx.NewSelect().Model((*User)(nil)).
				Where("u.org_id = ? AND u.role = ? AND u.status = ? AND u.id <> ?", p.OrgID, actor.RoleOwner, StatusActive, u.ID).Count(ctx)
			if err != nil {
				return err
			}
			if n == 0 {
				return apperr.Conflict("last_owner", "the organization must keep at least one active owner")
			}
		}
		changes := map[string]string{}
		if ch.Name != nil && *ch.Name != u.Name {
			u.Name, changes["name"] = *ch.Name, *ch.Name
		}
		if ch.Role != nil && *ch.Role != u.Role {
			u.Role, changes["role"] = *ch.Role, string(*ch.Role)
		}
		if ch.Status != nil && *ch.Status != u.Status {
			u.Status, changes["status"] = *ch.Status, *ch.Status
			if u.Status == StatusDisabled {
				if err := s.revokeUserSessions(ctx, tx, u.ID, "user_disabled"); err != nil {
					return err
				}
			}
		}
		if len(changes) == 0 {
			return nil
		}
		u.UpdatedAt = s.clock.Now()
		if _, err := tx.NewUpdate().Model(u).Column("name", "role", "status", "updated_at").WherePK().Exec(ctx); err != nil {
			return err
		}
		return s.audit(ctx, tx, p, "user.update", "user", u.ID, changes)
	})
	// A new role or status (and a disabled user's ended sessions) count from the next request: the
	// cached sessions go, after the commit, so no read puts the old ones back.
	s.cache.dropUser(id)
	return u, err
}

// --- API keys ---

const apiKeyPrefix = "cvk_"

// APIKeyRoles are the roles a machine may hold: it never manages users or keys.
var APIKeyRoles = []actor.Role{actor.RoleManager, actor.RoleFinance, actor.RoleViewer}

// CreateAPIKey makes a key for the principal's organization and returns it with the secret key,
// which is never shown again.
func (s *Service) CreateAPIKey(ctx context.Context, p actor.Actor, name string, role actor.Role) (*APIKey, string, error) {
	name = strings.TrimSpace(name)
	if role == "" {
		role = actor.RoleManager
	}
	f := apperr.Fields{}
	f.Check(name == "" || utf8.RuneCountInString(name) > 200, "name", "must be 1 to 200 characters")
	f.Check(role != actor.RoleManager && role != actor.RoleFinance && role != actor.RoleViewer, "role", "must be manager, finance or viewer")
	if err := f.Err(); err != nil {
		return nil, "", err
	}
	raw, hash := randomToken(apiKeyPrefix)
	k := &APIKey{ID: store.NewID(), OrgID: p.OrgID, Name: name, Prefix: raw[:len(apiKeyPrefix)+6], KeyHash: hash, Role: role,
		CreatedBy: p.UserID, CreatedAt: s.clock.Now()}
	err := store.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
		if _, err := tx.NewInsert().Model(k).Exec(ctx); err != nil {
			return err
		}
		return s.audit(ctx, tx, p, "api_key.create", "api_key", k.ID, map[string]string{"name": k.Name, "role": string(k.Role)})
	})
	if err != nil {
		return nil, "", err
	}
	return k, raw, nil
}

// ListAPIKeys returns the organization's keys that are not revoked.
func (s *Service) ListAPIKeys(ctx context.Context, p actor.Actor, req page.Request) (page.List[APIKey], error) {
	var rows []APIKey
	q := s.db.NewSelect().Model(&rows).Where("org_id = ? AND revoked_at IS NULL", p.OrgID)
	total, err := q.Count(ctx)
	if err != nil {
		return page.List[APIKey]{}, store.MapError(err)
	}
	if len(req.After) == 1 {
		q = q.Where("id > ?", req.After[0])
	}
	if err := q.Order("id").Limit(req.Fetch()).Scan(ctx); err != nil {
		return page.List[APIKey]{}, store.MapError(err)
	}
	return page.Finish(rows, req, total, func(k APIKey) []string { return []string{k.ID} }), nil
}

// RevokeAPIKey stops a key from working. The row stays for the audit trail.
func (s *Service) RevokeAPIKey(ctx context.Context, p actor.Actor, id string) error {
	return store.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
		res, err := tx.NewUpdate().Model((*APIKey)(nil)).Set("revoked_at = ?", s.clock.Now()).
			Where("org_id = ? AND id = ? AND revoked_at IS NULL", p.OrgID, id).Exec(ctx)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return apperr.NotFound("API key")
		}
		return s.audit(ctx, tx, p, "api_key.revoke", "api_key", id, nil)
	})
}

func (s *Service) audit(ctx context.Context, db bun.IDB, p actor.Actor, action, targetType, targetID string, details any) error {
	return audit.Record(ctx, db, s.clock.Now(), p,
		action, targetType, targetID, details)
}
