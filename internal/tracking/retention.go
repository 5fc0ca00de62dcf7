package tracking

// Click retention and erasure.
//
// Raw clicks are kept for the retention window (CARAVAN_CLICK_RETENTION, 180 days by default). Older
// ones are rolled up by the once-per-cluster job "roll-up-clicks" into click_days, one row per link
// and day with the counted, bot and duplicate clicks of the day, and deleted: the row of a click
// (hashed address, user agent, referer) is gone, its count stays. Days are UTC days (the raw clicks'
// timestamps are UTC and the tracking package knows no organization's zone) and the cutoff is a UTC
// midnight, so a day is rolled up whole.
//
// Every count this package exports adds the rolled-up days to the raw clicks. A rolled-up day counts
// in a range [from, to) when its midnight (UTC) is in the range: for ranges that start and end at a
// UTC midnight, and for every range within the retention window, the figures are exactly what they
// were before the roll-up. A range that starts in the middle of a rolled-up day leaves that day out.
//
// Each batch (rollupBatch clicks of one organization) is deleted and added to click_days in one
// transaction, and the rows added are the rows the DELETE returned: a crash loses nothing and counts
// nothing twice, and two runs at once cannot both count a click.

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/caravan-crm/caravan/internal/store"
)

// DefaultClickRetention is how long raw clicks are kept when nothing is configured.
const DefaultClickRetention = 180 * 24 * time.Hour

// rollupBatch is how many clicks one transaction rolls up: small enough never to hold a long lock.
const rollupBatch = 5000

// clickDay is one link's clicks of one UTC day, rolled up.
type clickDay struct {
	bun.BaseModel `bun:"table:click_days,alias:cd"`

	OrgID      string  `bun:"org_id,pk"`
	LinkID     string  `bun:"link_id,pk"`
	Day        string  `bun:"day,pk"` // YYYY-MM-DD, UTC
	CreatorID  string  `bun:"creator_id"`
	CampaignID string  `bun:"campaign_id"`
	AccountID  *string `bun:"account_id"`
	Counted    int64   `bun:"counted"`
	Bots       int64   `bun:"bots"`
	Duplicates int64   `bun:"duplicates"`
}

// RetentionCutoff is the instant before which clicks are rolled up: the UTC midnight at or before
// now minus retention.
func RetentionCutoff(now time.Time, retention time.Duration) time.Time {
	return now.UTC().Add(-retention).Truncate(24 * time.Hour)
}

// RollUpClicks rolls up and deletes the clicks older than retention (DefaultClickRetention when
// zero), in batches; it returns how many clicks it rolled up. Running it again finds nothing to do.
func (s *Service) RollUpClicks(ctx context.Context, retention time.Duration) (int, error) {
	if retention <= 0 {
		retention = DefaultClickRetention
	}
	return s.RollUpClicksBefore(ctx, RetentionCutoff(s.clock.Now(), retention), rollupBatch)
}

// RollUpClicksBefore is RollUpClicks with its cutoff (a UTC midnight, so days are rolled up whole)
// and batch size given.
func (s *Service) RollUpClicksBefore(ctx context.Context, cutoff time.Time, batch int) (int, error) {
	// Every organization with clicks has a hashing secret (the recorder creates it before the first).
	var orgs []string
	if err := s.db.NewSelect().Model((*secretRow)(nil)).Column("org_id").Order("org_id").Scan(ctx, &orgs); err != nil {
		return 0, store.MapError(err)
	}
	total := 0
	for _, org := range orgs {
		for {
			n, err := s.rollUpBatch(ctx, org, cutoff, batch)
			total += n
			if err != nil {
				return total, err
			}
			if n < batch {
				break
			}
		}
	}
	return total, nil
}

// rollUpBatch deletes up to batch clicks of org before cutoff and adds them to click_days, in one
// transaction.
func (s *Service) rollUpBatch(ctx context.Context, org string, cutoff time.Time, batch int) (int, error) {
	n := 0
	err := store.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
		var gone []struct {
			LinkID     string    `bun:"link_id"`
			CreatorID  string    `bun:"creator_id"`
			CampaignID string    `bun:"campaign_id"`
			AccountID  *string   `bun:"account_id"`
			ClickedAt  time.Time `bun:"clicked_at"`
			Kind       string    `bun:"kind"`
		}
		ids := tx.NewSelect().Model((*clickRow)(nil)).Column("id").
			Where("org_id = ? AND clicked_at < ?", org, cutoff.UTC()).OrderExpr("clicked_at").Limit(int64(batch))
		if _, err := tx.NewDelete().TableExpr("clicks").Where("org_id = ? AND id IN (?)", org, ids).
			Returning("link_id, creator_id, campaign_id, account_id, clicked_at, kind").Exec(ctx, &gone); err != nil {
			return err
		}
		n = len(gone)
		days := map[[2]string]*clickDay{}
		var order [][2]string
		for _, c := range gone {
			k := [2]string{c.LinkID, c.ClickedAt.UTC().Format(time.DateOnly)}
			d := days[k]
			if d == nil {
				d = &clickDay{OrgID: org, LinkID: c.LinkID, Day: k[1], CreatorID: c.CreatorID, CampaignID: c.CampaignID, AccountID: c.AccountID}
				days[k] = d
				order = append(order, k)
			}
			switch c.Kind {
			case ClickCounted:
				d.Counted++
			case ClickBot:
				d.Bots++
			default:
				d.Duplicates++
			}
		}
		for _, k := range order {
			d := days[k]
			if _, err := tx.NewRaw(`INSERT INTO click_days (org_id, link_id, day, creator_id, campaign_id, account_id, counted, bots, duplicates)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
				ON CONFLICT (org_id, link_id, day) DO UPDATE SET counted = click_days.counted + excluded.counted,
					bots = click_days.bots + excluded.bots, duplicates = click_days.duplicates + excluded.duplicates`,
				d.OrgID, d.LinkID, d.Day, d.CreatorID, d.CampaignID, d.AccountID, d.Counted, d.Bots, d.Duplicates).Exec(ctx); err != nil {
				return err
			}
		}
		return nil
	})
	return n, err
}

// dayFrom is the first UTC day whose midnight is at or after t.
func dayFrom(t time.Time) string {
	t = t.UTC()
	d := t.Truncate(24 * time.Hour)
	if d.Before(t) {
		d = d.Add(24 * time.Hour)
	}
	return d.Format(time.DateOnly)
}

// addRollups adds to out the rolled-up counted clicks of days in [from, to) by column.
func (s *Service) addRollups(ctx context.Context, out map[string]int64, column, orgID string, from, to time.Time) error {
	var rows []struct {
		Key string `bun:"key"`
		N   int64  `bun:"n"`
	}
	if err := s.db.NewSelect().Model((*clickDay)(nil)).ColumnExpr("? AS key, CAST(SUM(counted) AS BIGINT) AS n", bun.Ident(column)).
		Where("org_id = ? AND day >= ? AND day < ? AND ? IS NOT NULL", orgID, dayFrom(from), dayFrom(to), bun.Ident(column)).
		GroupExpr("?", bun.Ident(column)).Scan(ctx, &rows); err != nil {
		return store.MapError(err)
	}
	for _, r := range rows {
		if r.N > 0 {
			out[r.Key] += r.N
		}
	}
	return nil
}

// addCreatorRollups adds to out the rolled-up counted clicks since since of each creator of ids.
func (s *Service) addCreatorRollups(ctx context.Context, out map[string]int64, orgID string, ids []string, since time.Time) error {
	var rows []struct {
		CreatorID string `bun:"creator_id"`
		N         int64  `bun:"n"`
	}
	if err := s.creatorRollups.Scan(ctx, s.db, &rows, orgID, store.List(ids), dayFrom(since)); err != nil {
		return err
	}
	for _, r := range rows {
		if r.N > 0 {
			out[r.CreatorID] += r.N
		}
	}
	return nil
}

// addCampaignRollups adds the rolled-up counted clicks of a campaign to counts (per creator and
// account).
func (s *Service) addCampaignRollups(ctx context.Context, orgID, campaignID string, counts []ClickCount) ([]ClickCount, error) {
	var rows []ClickCount
	if err := s.db.NewSelect().Model((*clickDay)(nil)).ColumnExpr("creator_id, account_id, CAST(SUM(counted) AS BIGINT) AS clicks").
		Where("org_id = ? AND campaign_id = ? AND counted > 0", orgID, campaignID).
		Group("creator_id", "account_id").Scan(ctx, &rows); err != nil {
		return nil, store.MapError(err)
	}
	for _, r := range rows {
		found := false
		for i := range counts {
			if counts[i].CreatorID == r.CreatorID && equalPtr(counts[i].AccountID, r.AccountID) {
				counts[i].Clicks += r.Clicks
				found = true
				break
			}
		}
		if !found {
			counts = append(counts, r)
		}
	}
	// The same order as without rollups (by creator, then account, no account last), whatever was
	// rolled up: a report must not reshuffle when old clicks are compacted.
	slices.SortFunc(counts, func(a, b ClickCount) int {
		if c := strings.Compare(a.CreatorID, b.CreatorID); c != 0 {
			return c
		}
		switch {
		case a.AccountID == nil && b.AccountID == nil:
			return 0
		case a.AccountID == nil:
			return 1
		case b.AccountID == nil:
			return -1
		}
		return strings.Compare(*a.AccountID, *b.AccountID)
	})
	return counts, nil
}

func equalPtr[T comparable](a, b *T) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}

// EraseCreator removes what the tracking package holds about the visitors of an erased creator's
// links (creator.Eraser): the hashed addresses, visitor digests, user agents and referers of their
// clicks. The clicks stay, with their time, kind and country, so every count is unchanged.
func (s *Service) EraseCreator(ctx context.Context, tx bun.Tx, orgID, creatorID string) error {
	_, err := tx.NewUpdate().Model((*clickRow)(nil)).
		Set("ip_hash = ''").Set("visitor = ''").Set("user_agent = ''").Set("referer = ''").Set("dedupe_key = NULL").
		Where("org_id = ? AND creator_id = ? AND (ip_hash <> '' OR visitor <> '' OR user_agent <> '' OR referer <> '' OR dedupe_key IS NOT NULL)", orgID, creatorID).
		Exec(ctx)
	return err
}
