package creator

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/caravan-crm/caravan/internal/actor"
	"github.com/caravan-crm/caravan/internal/apperr"
	"github.com/caravan-crm/caravan/internal/audit"
	"github.com/caravan-crm/caravan/internal/platform"
	"github.com/caravan-crm/caravan/internal/store"
	"github.com/caravan-crm/caravan/internal/text"
)

// NewAccount is an account to add to a creator. The handle may be pasted as a profile URL.
type NewAccount struct {
	Platform      string  `json:"platform"`
	Handle        string  `json:"handle"`
	URL           *string `json:"url,omitempty"`
	Followers     *int64  `json:"followers,omitempty"`
	AvgViews      *int64  `json:"avg_views,omitempty"`
	EngagementBps *int64  `json:"engagement_bps,omitempty"`
	Status        string  `json:"status,omitempty"`
}

// AccountChange is a partial update of an account (merge-patch: null clears url, avg_views and
// engagement_bps, and is a 422 for the others).
type AccountChange struct {
	Platform      Nullable[string] `json:"platform"`
	Handle        Nullable[string] `json:"handle"`
	URL           Nullable[string] `json:"url"`
	Followers     Nullable[int64]  `json:"followers"`
	AvgViews      Nullable[int64]  `json:"avg_views"`
	EngagementBps Nullable[int64]  `json:"engagement_bps"`
	Status        Nullable[string] `json:"status"`
}

// NewSnapshot is an account's followers on a day.
type NewSnapshot struct {
	CapturedOn    string `json:"captured_on"`
	Followers     int64  `json:"followers"`
	AvgViews      *int64 `json:"avg_views,omitempty"`
	EngagementBps *int64 `json:"engagement_bps,omitempty"`
}

// History is an account with its follower snapshots, newest first.
type History struct {
	Account   Account    `json:"account"`
	Snapshots []Snapshot `json:"snapshots"`
}

// normalizeAccount resolves platform and handle: a pasted URL names its platform, which must agree
// with the one given (if any).
func normalizeAccount(f apperr.Fields, prefix string, plat, handle *string, rawURL **string) {
	*plat = strings.ToLower(strings.TrimSpace(*plat))
	raw := strings.TrimSpace(*handle)
	detected, h := platform.NormalizeHandle(raw)
	if *plat == "" {
		*plat = detected
	}
	switch {
	case *plat == "":
		f.Add(prefix+"platform", "is required: one of "+platform.Keys())
	case !platform.Valid(*plat):
		f.Add(prefix+"platform", "must be one of "+platform.Keys())
	case detected != "" && detected != *plat:
		f.Add(prefix+"handle", fmt.Sprintf("is a %s address, but platform is %s", detected, *plat))
	}
	*handle = h
	switch {
	case h == "" && detected != "":
		f.Add(prefix+"handle", "this address names no account; paste the profile address or the @handle")
	case h == "":
		f.Add(prefix+"handle", "is required")
	case len(h) > 200:
		f.Add(prefix+"handle", "must be at most 200 characters")
	}
	if detected != "" && *rawURL == nil {
		u := raw
		if !strings.HasPrefix(strings.ToLower(u), "http://") && !strings.HasPrefix(strings.ToLower(u), "https://") {
			u = "https://" + u
		}
		*rawURL = &u
	}
	*rawURL = text.Optional(*rawURL)
	if u := *rawURL; u != nil {
		pu, err := url.Parse(*u)
		f.Check(err != nil || (pu.Scheme != "http" && pu.Scheme != "https") || pu.Host == "" || len(*u) > 2000, prefix+"url", "must be an http(s) address")
	}
}

func checkCounts(f apperr.Fields, prefix string, followers, avgViews, engagement *int64) {
	f.Check(followers != nil && *followers < 0, prefix+"followers", "must not be negative")
	f.Check(avgViews != nil && *avgViews < 0, prefix+"avg_views", "must not be negative")
	f.Check(engagement != nil && (*engagement < 0 || *engagement > 10_000), prefix+"engagement_bps", "must be basis points from 0 to 10000")
}

func checkAccountStatus(f apperr.Fields, field, v string) {
	f.Check(!slices.Contains(AccountStatuses, v), field, "must be one of "+strings.Join(AccountStatuses, ", "))
}

func (a *NewAccount) validate(f apperr.Fields, prefix string) {
	normalizeAccount(f, prefix, &a.Platform, &a.Handle, &a.URL)
	checkCounts(f, prefix, a.Followers, a.AvgViews, a.EngagementBps)
	if a.Status == "" {
		a.Status = AccountActive
	}
	checkAccountStatus(f, prefix+"status", a.Status)
}

// handleTaken is the 409 for a platform+handle that an account of the organization (other than
// exceptID) already has, or a look-alike of it: the same handle once confusable characters (a
// Cyrillic а for a Latin a, full-width letters, invisible joiners) are folded, which is how people
// read it and how an impostor would register it.
func (s *Service) handleTaken(ctx context.Context, db bun.IDB, orgID, plat, handle, field, exceptID string) error {
	var holder struct {
		ID        string     `bun:"id"`
		Name      string     `bun:"display_name"`
		DeletedAt *time.Time `bun:"deleted_at"`
		Handle    string     `bun:"handle"`
	}
	q := db.NewSelect().TableExpr("creator_accounts AS a").ColumnExpr("c.id, c.display_name, c.deleted_at, a.handle").
		Join("JOIN creators AS c ON c.org_id = a.org_id AND c.id = a.creator_id").
		Where("a.org_id = ? AND a.platform = ? AND a.handle_key = ?", orgID, plat, handleKey(handle))
	if exceptID != "" {
		q = q.Where("a.id <> ?", exceptID)
	}
	if err := q.Limit(1).Scan(ctx, &holder); err != nil {
		if store.IsNoRows(err) {
			return nil
		}
		return err
	}
	params := map[string]any{"platform": plat, "handle": holder.Handle, "creator_id": holder.ID, "creator_name": holder.Name, "deleted": holder.DeletedAt != nil}
	if holder.Handle != handle {
		return (&apperr.Error{Kind: apperr.KindConflict, Code: "account_lookalike",
			Message: fmt.Sprintf("the %s account %q looks like %q, which already belongs to creator %q (id %s)", plat, handle, holder.Handle, holder.Name, holder.ID),
			Fields:  map[string]string{field: "looks like an account of " + holder.Name}}).WithParams(params)
	}
	msg := fmt.Sprintf("the %s account %q already belongs to creator %q (id %s)", plat, handle, holder.Name, holder.ID)
	if holder.DeletedAt != nil {
		msg += ", which is deleted: restore that creator or remove the account from it first"
	}
	return (&apperr.Error{Kind: apperr.KindConflict, Code: "account_taken", Message: msg, Fields: map[string]string{field: "is taken by " + holder.Name}}).WithParams(params)
}

// handleKey is what makes two handles of a platform the same account: their confusable skeleton.
func handleKey(handle string) string {
	if k := platform.Skeleton(handle); k != "" {
		return k
	}
	return handle
}

// accountTaken is the 409 of a unique-index violation: another writer added the handle (or a
// look-alike) between our check and our write.
func accountTaken(plat, handle, field string) error {
	return (&apperr.Error{Kind: apperr.KindConflict, Code: "account_taken",
		Message: fmt.Sprintf("the %s account %q (or one that looks like it) already belongs to a creator", plat, handle),
		Fields:  map[string]string{field: "is taken"}}).WithParams(map[string]any{"platform": plat, "handle": handle})
}

// insertAccount adds a validated account to c, with its first snapshot (today's followers) and an
// account_added event on c's timeline.
func (s *Service) insertAccount(ctx context.Context, tx bun.Tx, p actor.Actor, c *Creator, in NewAccount, prefix string, audited bool) (*Account, error) {
	a, err := s.writeAccount(ctx, tx, p, c, in, prefix, audited)
	if err != nil {
		return nil, err
	}
	return a, s.event(ctx, tx, p, c.ID, EventAccountAdded, accountAdded(a))
}

// accountAdded is what the timeline keeps of an account added: on its own event, or in the list of
// accounts on the created event of a creator added with them.
func accountAdded(a *Account) map[string]any {
	return map[string]any{"account_id": a.ID, "platform": a.Platform, "handle": a.Handle, "followers": a.Followers}
}

// writeAccount adds a validated account to c and records its first snapshot, without an event.
func (s *Service) writeAccount(ctx context.Context, tx bun.Tx, p actor.Actor, c *Creator, in NewAccount, prefix string, audited bool) (*Account, error) {
	if err := s.handleTaken(ctx, tx, p.OrgID, in.Platform, in.Handle, prefix+"handle", ""); err != nil {
		return nil, err
	}
	now := s.now()
	a := &Account{ID: store.NewID(), OrgID: p.OrgID, CreatorID: c.ID, Platform: in.Platform, Handle: in.Handle, HandleKey: handleKey(in.Handle), URL: in.URL,
		AvgViews: in.AvgViews, EngagementBps: in.EngagementBps, Status: in.Status, Version: 1, CreatedAt: now, UpdatedAt: now}
	if in.Followers != nil {
		a.Followers = *in.Followers
	}
	if _, err := tx.NewInsert().Model(a).Exec(ctx); err != nil {
		if store.IsUniqueViolation(err) {
			return nil, accountTaken(a.Platform, a.Handle, prefix+"handle")
		}
		return nil, err
	}
	if in.Followers != nil {
		today, err := s.today(ctx, p.OrgID)
		if err != nil {
			return nil, err
		}
		if err := s.upsertSnapshot(ctx, tx, a, NewSnapshot{CapturedOn: today, Followers: a.Followers,
			AvgViews: a.AvgViews, EngagementBps: a.EngagementBps}); err != nil {
			return nil, err
		}
	}
	if err := refreshMaxFollowers(ctx, tx, p.OrgID, c.ID); err != nil {
		return nil, err
	}
	if !audited {
		return a, nil
	}
	return a, audit.Record(ctx, tx, now, p, "account.create", "account", a.ID, map[string]string{"creator_id": c.ID, "platform": a.Platform, "handle": a.Handle})
}

// refreshMaxFollowers keeps creators.max_followers (tier, followers sort and filters) in step with
// the creator's active and dormant accounts; banned and migrated accounts no longer carry an audience.
// Callers hold the creator's row lock (liveCreator), so two account changes of one creator cannot
// each compute the maximum without the other's change.
func refreshMaxFollowers(ctx context.Context, db bun.IDB, orgID, creatorID string) error {
	_, err := db.NewUpdate().Table("creators").
		Set("max_followers = COALESCE((SELECT MAX(followers) FROM creator_accounts WHERE org_id = ? AND creator_id = ? AND status IN (?)), 0)",
			orgID, creatorID, bun.In([]string{AccountActive, AccountDormant})).
		Where("org_id = ? AND id = ?", orgID, creatorID).Exec(ctx)
	return err
}

// AddAccount adds an account to a creator.
func (s *Service) AddAccount(ctx context.Context, p actor.Actor, creatorID string, in NewAccount) (*Account, error) {
	f := apperr.Fields{}
	in.validate(f, "")
	var out *Account
	err := store.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
		c, err := s.liveCreator(ctx, tx, p.OrgID, creatorID)
		if err != nil {
			return err
		}
		if err := f.Err(); err != nil {
			return err
		}
		out, err = s.insertAccount(ctx, tx, p, c, in, "", true)
		return err
	})
	if err != nil {
		return nil, err
	}
	return s.GetAccount(ctx, p, out.ID)
}

// GetAccount returns one account of the organization, with its growth.
func (s *Service) GetAccount(ctx context.Context, p actor.Actor, id string) (*Account, error) {
	a, err := s.account(ctx, s.db, p.OrgID, id)
	if err != nil {
		return nil, err
	}
	list := []Account{*a}
	if err := s.fillGrowth(ctx, p.OrgID, list); err != nil {
		return nil, err
	}
	return &list[0], nil
}

func (s *Service) account(ctx context.Context, db bun.IDB, orgID, id string) (*Account, error) {
	return store.ByID[Account](ctx, db, orgID, id, "account")
}

// UpdateAccount changes an account. A new followers count is also today's snapshot; a status change
// goes to the creator's timeline. ifMatch, when given, must be the account's current version.
func (s *Service) UpdateAccount(ctx context.Context, p actor.Actor, id string, ch AccountChange, ifMatch *int64) (*Account, error) {
	f := apperr.Fields{}
	notNull(f, "platform", ch.Platform)
	notNull(f, "handle", ch.Handle)
	notNull(f, "followers", ch.Followers)
	notNull(f, "status", ch.Status)
	checkCounts(f, "", ch.Followers.Value, ch.AvgViews.Value, ch.EngagementBps.Value)
	if ch.Status.Value != nil {
		checkAccountStatus(f, "status", *ch.Status.Value)
	}
	err := store.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
		a, c, err := s.liveAccount(ctx, tx, p.OrgID, id)
		if err != nil {
			return err
		}
		if err := checkVersion(ifMatch, a.Version); err != nil {
			return err
		}
		plat, handle, u := a.Platform, a.Handle, a.URL
		if ch.Platform.Value != nil {
			plat = *ch.Platform.Value
		}
		if ch.URL.Set {
			u = ch.URL.Value
		}
		if ch.Handle.Value != nil || ch.Platform.Value != nil {
			if ch.Handle.Value != nil {
				handle = *ch.Handle.Value
			}
			if ch.Handle.Value != nil && !ch.URL.Set {
				u = nil // a pasted URL replaces the old one
			}
			normalizeAccount(f, "", &plat, &handle, &u)
		} else if ch.URL.Set {
			normalizeAccount(f, "", &plat, &handle, &u)
		}
		if err := f.Err(); err != nil {
			return err
		}
		changed := map[string]any{}
		if plat != a.Platform || handle != a.Handle {
			if err := s.handleTaken(ctx, tx, p.OrgID, plat, handle, "handle", a.ID); err != nil {
				return err
			}
			a.Platform, a.Handle, a.HandleKey, changed["platform"], changed["handle"] = plat, handle, handleKey(handle), plat, handle
		}
		if !equalPtr(u, a.URL) {
			a.URL, changed["url"] = u, u
		}
		if ch.AvgViews.Set && !equalPtr(ch.AvgViews.Value, a.AvgViews) {
			a.AvgViews, changed["avg_views"] = ch.AvgViews.Value, ch.AvgViews.Value
		}
		if ch.EngagementBps.Set && !equalPtr(ch.EngagementBps.Value, a.EngagementBps) {
			a.EngagementBps, changed["engagement_bps"] = ch.EngagementBps.Value, ch.EngagementBps.Value
		}
		oldStatus := a.Status
		if ch.Status.Value != nil && *ch.Status.Value != a.Status {
			a.Status, changed["status"] = *ch.Status.Value, *ch.Status.Value
		}
		now := s.now()
		if ch.Followers.Value != nil {
			a.Followers, changed["followers"] = *ch.Followers.Value, *ch.Followers.Value
			today, err := s.today(ctx, p.OrgID)
			if err != nil {
				return err
			}
			if err := s.upsertSnapshot(ctx, tx, a, NewSnapshot{CapturedOn: today, Followers: a.Followers,
				AvgViews: a.AvgViews, EngagementBps: a.EngagementBps}); err != nil {
				return err
			}
		}
		if len(changed) == 0 {
			return nil
		}
		a.UpdatedAt = now
		a.Version++
		if _, err := tx.NewUpdate().Model(a).Column("platform", "handle", "handle_key", "url", "followers", "avg_views", "engagement_bps", "status", "version", "updated_at").
			Where("a.org_id = ? AND a.id = ?", p.OrgID, a.ID).Exec(ctx); err != nil {
			if store.IsUniqueViolation(err) {
				return accountTaken(a.Platform, a.Handle, "handle")
			}
			return err
		}
		if err := refreshMaxFollowers(ctx, tx, p.OrgID, c.ID); err != nil {
			return err
		}
		if a.Status != oldStatus {
			if err := s.event(ctx, tx, p, c.ID, EventAccountStatus, map[string]string{"account_id": a.ID, "platform": a.Platform,
				"handle": a.Handle, "from": oldStatus, "to": a.Status}); err != nil {
				return err
			}
		}
		return audit.Record(ctx, tx, now, p, "account.update", "account", a.ID, changed)
	})
	if err != nil {
		return nil, err
	}
	return s.GetAccount(ctx, p, id)
}

// liveAccount loads an account for a write with its creator, which must be live; the creator's row
// is locked first (see liveCreator), so every write under one creator queues.
func (s *Service) liveAccount(ctx context.Context, tx bun.Tx, orgID, id string) (*Account, *Creator, error) {
	a, err := s.account(ctx, tx, orgID, id)
	if err != nil {
		return nil, nil, err
	}
	c, err := s.liveCreator(ctx, tx, orgID, a.CreatorID)
	if err != nil {
		return nil, nil, err
	}
	// Read again under the lock: the first read may predate a write that held it.
	a, err = s.account(ctx, tx, orgID, id)
	return a, c, err
}

// DeleteAccount removes an account and its follower history; the handle becomes free again.
func (s *Service) DeleteAccount(ctx context.Context, p actor.Actor, id string, ifMatch *int64) error {
	return store.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
		a, _, err := s.liveAccount(ctx, tx, p.OrgID, id)
		if err != nil {
			return err
		}
		if err := checkVersion(ifMatch, a.Version); err != nil {
			return err
		}
		if _, err := tx.NewDelete().Model((*Snapshot)(nil)).Where("org_id = ? AND account_id = ?", p.OrgID, a.ID).Exec(ctx); err != nil {
			return err
		}
		if _, err := tx.NewDelete().Model((*Account)(nil)).Where("org_id = ? AND id = ?", p.OrgID, a.ID).Exec(ctx); err != nil {
			if store.IsForeignKeyViolation(err) {
				return apperr.Conflict("account_in_use", "this account is used by links or deliverables; set its status to dormant or migrated instead")
			}
			return err
		}
		if err := refreshMaxFollowers(ctx, tx, p.OrgID, a.CreatorID); err != nil {
			return err
		}
		if err := s.event(ctx, tx, p, a.CreatorID, EventAccountRemoved, map[string]string{"platform": a.Platform, "handle": a.Handle}); err != nil {
			return err
		}
		return audit.Record(ctx, tx, s.now(), p, "account.delete", "account", a.ID, map[string]string{"platform": a.Platform, "handle": a.Handle})
	})
}

// upsertSnapshot writes the account's snapshot of a day, replacing one already taken that day.
func (s *Service) upsertSnapshot(ctx context.Context, db bun.IDB, a *Account, in NewSnapshot) error {
	sn := &Snapshot{OrgID: a.OrgID, AccountID: a.ID, CapturedOn: in.CapturedOn, Followers: in.Followers, AvgViews: in.AvgViews,
		EngagementBps: in.EngagementBps, CreatedAt: s.now()}
	_, err := db.NewInsert().Model(sn).
		On("CONFLICT (account_id, captured_on) DO UPDATE").
		Set("followers = EXCLUDED.followers").
		Set("avg_views = EXCLUDED.avg_views").
		Set("engagement_bps = EXCLUDED.engagement_bps").
		Set("created_at = EXCLUDED.created_at").
		Exec(ctx)
	return err
}

// AddSnapshot records an account's followers on a day; a second snapshot the same day replaces the
// first. The newest snapshot is the account's current followers. It reports whether the day was new.
func (s *Service) AddSnapshot(ctx context.Context, p actor.Actor, accountID string, in NewSnapshot) (*History, bool, error) {
	f := apperr.Fields{}
	in.CapturedOn = strings.TrimSpace(in.CapturedOn)
	today, err := s.today(ctx, p.OrgID)
	if err != nil {
		return nil, false, err
	}
	if _, err := time.Parse(time.DateOnly, in.CapturedOn); err != nil {
		f.Add("captured_on", "must be a date YYYY-MM-DD")
	} else if in.CapturedOn > today {
		f.Add("captured_on", "must not be in the future")
	}
	checkCounts(f, "", &in.Followers, in.AvgViews, in.EngagementBps)
	created := false
	err = store.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
		a, _, err := s.liveAccount(ctx, tx, p.OrgID, accountID)
		if err != nil {
			return err
		}
		if err := f.Err(); err != nil {
			return err
		}
		var latest string
		n, err := tx.NewSelect().Model((*Snapshot)(nil)).Where("org_id = ? AND account_id = ? AND captured_on = ?", p.OrgID, a.ID, in.CapturedOn).Count(ctx)
		if err != nil {
			return err
		}
		created = n == 0
		if err := tx.NewSelect().Model((*Snapshot)(nil)).ColumnExpr("COALESCE(MAX(captured_on), '')").
			Where("org_id = ? AND account_id = ?", p.OrgID, a.ID).Scan(ctx, &latest); err != nil {
			return err
		}
		if err := s.upsertSnapshot(ctx, tx, a, in); err != nil {
			return err
		}
		if in.CapturedOn >= latest {
			a.Followers, a.UpdatedAt = in.Followers, s.now()
			a.Version++
			if in.AvgViews != nil {
				a.AvgViews = in.AvgViews
			}
			if in.EngagementBps != nil {
				a.EngagementBps = in.EngagementBps
			}
			if _, err := tx.NewUpdate().Model(a).Column("followers", "avg_views", "engagement_bps", "version", "updated_at").
				Where("a.org_id = ? AND a.id = ?", p.OrgID, a.ID).Exec(ctx); err != nil {
				return err
			}
			if err := refreshMaxFollowers(ctx, tx, p.OrgID, a.CreatorID); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, false, err
	}
	h, err := s.History(ctx, p, accountID, 0)
	return h, created, err
}

// History returns an account and its snapshots of the last days days (all of them when days is 0),
// newest first.
func (s *Service) History(ctx context.Context, p actor.Actor, accountID string, days int) (*History, error) {
	a, err := s.GetAccount(ctx, p, accountID)
	if err != nil {
		return nil, err
	}
	h := &History{Account: *a, Snapshots: []Snapshot{}}
	q := s.db.NewSelect().Model(&h.Snapshots).Where("s.org_id = ? AND s.account_id = ?", p.OrgID, a.ID).Order("s.captured_on DESC")
	if days > 0 {
		today, err := s.todayDate(ctx, p.OrgID)
		if err != nil {
			return nil, err
		}
		q = q.Where("s.captured_on >= ?", today.AddDate(0, 0, -days).Format(time.DateOnly))
	} else {
		q = q.Limit(3660) // ten years of daily snapshots
	}
	if err := q.Scan(ctx); err != nil {
		return nil, store.MapError(err)
	}
	return h, nil
}

// BackfillHandleKeys computes the handle key of accounts written before keys existed (the
// migration that added the column leaves them empty: a skeleton is computed in Go). It runs at
// start-up and costs one indexed query when there is nothing to do.
func (s *Service) BackfillHandleKeys(ctx context.Context) (int, error) {
	done := 0
	for {
		var rows []struct {
			ID     string `bun:"id"`
			Handle string `bun:"handle"`
		}
		if err := s.db.NewSelect().Table("creator_accounts").Column("id", "handle").Where("handle_key = ''").Limit(500).Scan(ctx, &rows); err != nil {
			return done, store.MapError(err)
		}
		if len(rows) == 0 {
			return done, nil
		}
		err := store.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
			for _, r := range rows {
				if _, err := tx.NewUpdate().Table("creator_accounts").Set("handle_key = ?", handleKey(r.Handle)).Where("id = ?", r.ID).Exec(ctx); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return done, err
		}
		done += len(rows)
	}
}
