package platform

import (
	"context"
	"math/big"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/uptrace/bun"

	"github.com/caravan-crm/caravan/internal/actor"
	"github.com/caravan-crm/caravan/internal/apperr"
	"github.com/caravan-crm/caravan/internal/audit"
	"github.com/caravan-crm/caravan/internal/clock"
	"github.com/caravan-crm/caravan/internal/store"
)

// Risk levels of a platform in a country.
const (
	LevelOK     = "ok"
	LevelAtRisk = "at_risk"
	LevelBanned = "banned"
)

// Mark is the organization's judgement that a platform is at risk or banned in a country.
type Mark struct {
	bun.BaseModel `bun:"table:platform_risks,alias:r"`

	OrgID     string    `bun:"org_id,pk" json:"-"`
	Platform  string    `bun:"platform,pk" json:"platform"`
	Country   string    `bun:"country,pk" json:"country"`
	Level     string    `bun:"level" json:"level"`
	Note      string    `bun:"note" json:"note"`
	UpdatedBy *string   `bun:"updated_by" json:"updated_by"`
	UpdatedAt time.Time `bun:"updated_at" json:"updated_at"`
}

// Revenue reports attributed GMV and commission per platform over a window, in the organization's
// base currency. The conversions package provides it; without one, GMV and commission are zero.
type Revenue interface {
	ByPlatform(ctx context.Context, orgID string, from, to time.Time) (map[string]Amounts, error)
}

// Amounts are a platform's GMV and commission in minor units of the base currency.
type Amounts struct {
	GMVMinor        int64
	CommissionMinor int64
}

// Service serves the catalogue, the risk marks and the exposure insight.
type Service struct {
	db      *bun.DB
	clock   clock.Clock
	revenue Revenue
}

// NewService returns the platform service. revenue may be nil until conversions exist.
func NewService(db *bun.DB, clk clock.Clock, revenue Revenue) *Service {
	if clk == nil {
		clk = clock.System{}
	}
	return &Service{db: db, clock: clk, revenue: revenue}
}

// Entry is a platform of the catalogue with the organization's marks on it.
type Entry struct {
	Info
	Marks []Mark `json:"marks"`
}

// List returns every platform with the organization's risk marks.
func (s *Service) List(ctx context.Context, p actor.Actor) ([]Entry, error) {
	var marks []Mark
	if err := s.db.NewSelect().Model(&marks).Where("r.org_id = ?", p.OrgID).Order("r.platform", "r.country").Scan(ctx); err != nil {
		return nil, store.MapError(err)
	}
	out := make([]Entry, len(Catalogue))
	for i, info := range Catalogue {
		out[i] = Entry{Info: info, Marks: []Mark{}}
		for _, m := range marks {
			if m.Platform == info.Key {
				out[i].Marks = append(out[i].Marks, m)
			}
		}
	}
	return out, nil
}

// RiskInput marks a platform in a country.
type RiskInput struct {
	Country string `json:"country"`
	Level   string `json:"level"`
	Note    string `json:"note,omitempty"`
}

// SetRisk marks a platform at risk or banned in a country, or clears the mark with level ok. The
// answer is the mark as it now stands (level ok when cleared).
func (s *Service) SetRisk(ctx context.Context, p actor.Actor, plat string, in RiskInput) (*Mark, error) {
	if !Valid(plat) {
		return nil, apperr.NotFound("platform")
	}
	f := apperr.Fields{}
	in.Country = NormalizeCountry(in.Country)
	in.Note = strings.TrimSpace(in.Note)
	f.Check(!ValidCountry(in.Country), "country", "must be an ISO 3166-1 alpha-2 country code such as US")
	f.Check(in.Level != LevelOK && in.Level != LevelAtRisk && in.Level != LevelBanned, "level", "must be ok, at_risk or banned")
	f.Check(utf8.RuneCountInString(in.Note) > 2000, "note", "must be at most 2000 characters")
	if err := f.Err(); err != nil {
		return nil, err
	}
	now := s.clock.Now().UTC().Truncate(time.Microsecond)
	m := &Mark{OrgID: p.OrgID, Platform: plat, Country: in.Country, Level: in.Level, Note: in.Note, UpdatedAt: now}
	if id := p.ID(); id != "" {
		m.UpdatedBy = &id
	}
	err := store.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
		if in.Level == LevelOK {
			if _, err := tx.NewDelete().Model((*Mark)(nil)).Where("org_id = ? AND platform = ? AND country = ?", p.OrgID, plat, in.Country).Exec(ctx); err != nil {
				return err
			}
		} else if _, err := tx.NewInsert().Model(m).On("CONFLICT (org_id, platform, country) DO UPDATE").
			Set("level = EXCLUDED.level").Set("note = EXCLUDED.note").Set("updated_by = EXCLUDED.updated_by").Set("updated_at = EXCLUDED.updated_at").
			Exec(ctx); err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, p, "platform.risk", "platform", plat, map[string]string{"country": in.Country, "level": in.Level, "note": in.Note})
	})
	if err != nil {
		return nil, err
	}
	return m, nil
}

// Exposure is the answer to "what depends on each platform, and who can move if one goes?"
type Exposure struct {
	Days      int                `json:"days"`
	From      time.Time          `json:"from"`
	To        time.Time          `json:"to"`
	Currency  string             `json:"currency"` // the organization's base currency, for gmv and commission
	Totals    ExposureTotals     `json:"totals"`
	Platforms []PlatformExposure `json:"platforms"`
	Marks     []MarkExposure     `json:"marks"`
}

// ExposureTotals are the organization-wide figures the shares are relative to.
type ExposureTotals struct {
	Creators        int64 `json:"creators"`
	Accounts        int64 `json:"accounts"`
	GMVMinor        int64 `json:"gmv_minor"`
	CommissionMinor int64 `json:"commission_minor"`
}

// PlatformExposure is one platform's weight: creators with an active account on it, its active
// accounts, and the GMV and commission attributed through it in the window. Shares are basis points
// of the totals.
type PlatformExposure struct {
	Info
	Creators           int64 `json:"creators"`
	Accounts           int64 `json:"accounts"`
	GMVMinor           int64 `json:"gmv_minor"`
	CommissionMinor    int64 `json:"commission_minor"`
	CreatorShareBps    int64 `json:"creator_share_bps"`
	GMVShareBps        int64 `json:"gmv_share_bps"`
	CommissionShareBps int64 `json:"commission_share_bps"`
}

// MarkExposure lists, for one at-risk or banned mark, the creators who depend on the platform there:
// creators of the mark's country with an active account on the platform. Those with an active
// account on a platform not banned in their country can carry their audience elsewhere.
type MarkExposure struct {
	Mark
	Creators                int64       `json:"creators"`
	WithAlternativeCount    int64       `json:"with_alternative_count"`
	WithoutAlternativeCount int64       `json:"without_alternative_count"`
	WithAlternative         []Dependent `json:"with_alternative"`
	WithoutAlternative      []Dependent `json:"without_alternative"`
	Truncated               bool        `json:"truncated"` // the lists stop at limit creators each; the counts are exact
}

// Dependent is a creator who depends on a threatened platform.
type Dependent struct {
	CreatorID   string       `json:"creator_id"`
	DisplayName string       `json:"display_name"`
	Country     string       `json:"country"`
	Status      string       `json:"status"`
	Followers   int64        `json:"followers"` // on the threatened platform
	Accounts    []AccountRef `json:"accounts"`  // on the threatened platform
	// Alternatives are the creator's active accounts on other platforms not banned in their country
	// (an alternative that is itself at risk says so).
	Alternatives []AccountRef `json:"alternatives"`
}

// AccountRef is an account in the exposure answer.
type AccountRef struct {
	AccountID string `json:"account_id"`
	Platform  string `json:"platform"`
	Handle    string `json:"handle"`
	Followers int64  `json:"followers"`
	AtRisk    bool   `json:"at_risk,omitempty"`
}

// ExposureOptions bound the insight.
type ExposureOptions struct {
	Days  int // the revenue window, 1 to 3660
	Limit int // creators listed per group of a mark
}

// Exposure computes the insight in three queries whatever the number of creators: counts per
// platform, the marks, and the accounts of every creator who depends on a marked platform.
func (s *Service) Exposure(ctx context.Context, p actor.Actor, o ExposureOptions) (*Exposure, error) {
	now := s.clock.Now().UTC().Truncate(time.Microsecond)
	out := &Exposure{Days: o.Days, To: now, From: now.AddDate(0, 0, -o.Days), Platforms: []PlatformExposure{}, Marks: []MarkExposure{}}
	if err := s.db.NewSelect().Table("organizations").Column("base_currency").Where("id = ?", p.OrgID).Scan(ctx, &out.Currency); err != nil {
		return nil, store.MapError(err)
	}

	var counts []struct {
		Platform string `bun:"platform"`
		Creators int64  `bun:"creators"`
		Accounts int64  `bun:"accounts"`
	}
	if err := s.db.NewSelect().TableExpr("creator_accounts AS a").
		Join("JOIN creators AS c ON c.id = a.creator_id").
		ColumnExpr("a.platform, COUNT(DISTINCT a.creator_id) AS creators, COUNT(*) AS accounts").
		Where("a.org_id = ? AND a.status = 'active' AND c.deleted_at IS NULL", p.OrgID).
		Group("a.platform").Scan(ctx, &counts); err != nil {
		return nil, store.MapError(err)
	}
	if err := s.db.NewSelect().TableExpr("creators AS c").
		ColumnExpr("COUNT(*)").
		Where("c.org_id = ? AND c.deleted_at IS NULL AND c.id IN (SELECT creator_id FROM creator_accounts WHERE org_id = ? AND status = 'active')", p.OrgID, p.OrgID).
		Scan(ctx, &out.Totals.Creators); err != nil {
		return nil, store.MapError(err)
	}
	revenue := map[string]Amounts{}
	if s.revenue != nil {
		var err error
		if revenue, err = s.revenue.ByPlatform(ctx, p.OrgID, out.From, out.To); err != nil {
			return nil, err
		}
	}
	for _, a := range revenue {
		out.Totals.GMVMinor += a.GMVMinor
		out.Totals.CommissionMinor += a.CommissionMinor
	}
	for _, c := range counts {
		out.Totals.Accounts += c.Accounts
	}
	for _, info := range Catalogue {
		pe := PlatformExposure{Info: info, GMVMinor: revenue[info.Key].GMVMinor, CommissionMinor: revenue[info.Key].CommissionMinor}
		for _, c := range counts {
			if c.Platform == info.Key {
				pe.Creators, pe.Accounts = c.Creators, c.Accounts
			}
		}
		pe.CreatorShareBps = share(pe.Creators, out.Totals.Creators)
		pe.GMVShareBps = share(pe.GMVMinor, out.Totals.GMVMinor)
		pe.CommissionShareBps = share(pe.CommissionMinor, out.Totals.CommissionMinor)
		out.Platforms = append(out.Platforms, pe)
	}

	var marks []Mark
	if err := s.db.NewSelect().Model(&marks).Where("r.org_id = ? AND r.level <> ?", p.OrgID, LevelOK).
		Order("r.platform", "r.country").Scan(ctx); err != nil {
		return nil, store.MapError(err)
	}
	if len(marks) == 0 {
		return out, nil
	}
	level := map[[2]string]string{}
	for _, m := range marks {
		level[[2]string{m.Platform, m.Country}] = m.Level
	}
	// Every active account of every creator who has an active account on a marked platform in the
	// mark's country (the creator's country is where the audience is assumed to be).
	var rows []struct {
		MarkPlatform string `bun:"mark_platform"`
		CreatorID    string `bun:"creator_id"`
		DisplayName  string `bun:"display_name"`
		Country      string `bun:"country"`
		Status       string `bun:"status"`
		AccountID    string `bun:"account_id"`
		Platform     string `bun:"platform"`
		Handle       string `bun:"handle"`
		Followers    int64  `bun:"followers"`
	}
	if err := s.db.NewSelect().TableExpr("platform_risks AS r").
		ColumnExpr("r.platform AS mark_platform, c.id AS creator_id, c.display_name, c.country, c.status").
		ColumnExpr("a.id AS account_id, a.platform, a.handle, a.followers").
		Join("JOIN creators AS c ON c.org_id = r.org_id AND c.country = r.country AND c.deleted_at IS NULL").
		Join("JOIN creator_accounts AS a ON a.creator_id = c.id AND a.status = 'active'").
		Where("r.org_id = ? AND r.level <> ?", p.OrgID, LevelOK).
		Where("c.id IN (SELECT d.creator_id FROM creator_accounts AS d WHERE d.org_id = r.org_id AND d.platform = r.platform AND d.status = 'active')").
		OrderExpr("r.platform, r.country, c.id, a.followers DESC, a.id").
		Scan(ctx, &rows); err != nil {
		return nil, store.MapError(err)
	}
	for _, m := range marks {
		me := MarkExposure{Mark: m, WithAlternative: []Dependent{}, WithoutAlternative: []Dependent{}}
		var deps []*Dependent
		byID := map[string]*Dependent{}
		for _, r := range rows {
			if r.MarkPlatform != m.Platform || r.Country != m.Country {
				continue
			}
			d := byID[r.CreatorID]
			if d == nil {
				d = &Dependent{CreatorID: r.CreatorID, DisplayName: r.DisplayName, Country: r.Country, Status: r.Status,
					Accounts: []AccountRef{}, Alternatives: []AccountRef{}}
				byID[r.CreatorID] = d
				deps = append(deps, d)
			}
			ref := AccountRef{AccountID: r.AccountID, Platform: r.Platform, Handle: r.Handle, Followers: r.Followers}
			switch lv := level[[2]string{r.Platform, r.Country}]; {
			case r.Platform == m.Platform:
				d.Accounts = append(d.Accounts, ref)
				d.Followers += r.Followers
			case lv == LevelBanned:
				// not an alternative: banned there too
			default:
				ref.AtRisk = lv == LevelAtRisk
				d.Alternatives = append(d.Alternatives, ref)
			}
		}
		// The biggest audiences first: they are the migration to-do list's top lines.
		sort.SliceStable(deps, func(i, j int) bool {
			if deps[i].Followers != deps[j].Followers {
				return deps[i].Followers > deps[j].Followers
			}
			return deps[i].CreatorID < deps[j].CreatorID
		})
		for _, d := range deps {
			me.Creators++
			if len(d.Alternatives) > 0 {
				me.WithAlternativeCount++
				if len(me.WithAlternative) < o.Limit {
					me.WithAlternative = append(me.WithAlternative, *d)
				} else {
					me.Truncated = true
				}
			} else {
				me.WithoutAlternativeCount++
				if len(me.WithoutAlternative) < o.Limit {
					me.WithoutAlternative = append(me.WithoutAlternative, *d)
				} else {
					me.Truncated = true
				}
			}
		}
		out.Marks = append(out.Marks, me)
	}
	return out, nil
}

// share is part of whole in basis points, rounded half away from zero; 0 when whole is 0.
func share(part, whole int64) int64 {
	if whole == 0 {
		return 0
	}
	// big.Int: part × 20000 overflows int64 past some 4.6e14 minor units.
	n := new(big.Int).Mul(big.NewInt(part), big.NewInt(20_000))
	n.Add(n, big.NewInt(whole))
	return n.Quo(n, big.NewInt(2*whole)).Int64()
}
