package tracking

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"github.com/caravan-crm/caravan/internal/apperr"
	"github.com/caravan-crm/caravan/internal/country"
	"github.com/caravan-crm/caravan/internal/store"
)

// PastClick is a visit of one of the organization's links at a time already past.
type PastClick struct {
	ID        string // the click id the landing page received as cv_click; empty: a new one
	LinkID    string
	At        time.Time
	IP        string // hashed like a redirect's, never stored
	UserAgent string
	Referer   string
	Country   string // ISO code, or empty
}

// pastClickBatch is how many clicks one transaction writes: the flusher's batch.
const pastClickBatch = DefaultFlushSize

// RecordPastClicks writes clicks that happened before now on the organization's links, in batches,
// exactly as the redirect's flusher writes its own (hashed address and visitor, bots marked, a
// visitor's repeat within a minute a duplicate). `caravan demo` uses it to give its links months of
// traffic; real clicks only ever come through the redirect, stamped with the clock.
func (s *Service) RecordPastClicks(ctx context.Context, orgID string, clicks []PastClick) error {
	ids := map[string]bool{}
	for _, c := range clicks {
		ids[c.LinkID] = true
	}
	links := make(map[string]Link, len(ids))
	want := make([]string, 0, len(ids))
	for id := range ids {
		want = append(want, id)
	}
	for i := 0; i < len(want); i += 500 {
		var rows []Link
		if err := s.db.NewSelect().Model(&rows).Where("l.org_id = ? AND l.id IN (?)", orgID, bun.In(want[i:min(i+500, len(want))])).
			Scan(ctx); err != nil {
			return store.MapError(err)
		}
		for _, l := range rows {
			links[l.ID] = l
		}
	}
	now := s.now()
	f := apperr.Fields{}
	pending := make([]pendingClick, 0, len(clicks))
	for i, c := range clicks {
		field := fmt.Sprintf("clicks[%d].", i)
		l, ok := links[c.LinkID]
		f.Check(!ok, field+"link_id", msgNotYourOrg)
		f.Check(c.At.IsZero() || c.At.After(now), field+"at", "must be a time in the past")
		if !ok {
			continue
		}
		pc := pendingClick{ID: c.ID, OrgID: orgID, LinkID: l.ID, CreatorID: l.CreatorID, CampaignID: l.CampaignID, AccountID: l.AccountID,
			ClickedAt: c.At.UTC().Truncate(time.Microsecond), IP: c.IP, UserAgent: clean(c.UserAgent, maxUserAgent), Referer: clean(c.Referer, maxReferer)}
		if pc.ID == "" {
			pc.ID = store.NewID()
		}
		if cc := country.Normalize(c.Country); country.Valid(cc) {
			pc.Country = &cc
		}
		pending = append(pending, pc)
	}
	if err := f.Err(); err != nil {
		return err
	}
	for i := 0; i < len(pending); i += pastClickBatch {
		if err := s.clicks.write(ctx, false, pending[i:min(i+pastClickBatch, len(pending))]); err != nil {
			return err
		}
	}
	return nil
}
