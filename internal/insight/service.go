// Package insight owns read-only views across packages and the data only they use: the organization's
// platform risk marks (the platform_risks table) and the platform exposure insight that tells a seller
// who depends on a threatened platform. It writes only platform_risks; it reads creators and accounts
// through the creator package's exported queries, the organization through auth, and revenue through
// the Revenue interface it declares — never another package's tables in its SQL.
package insight

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/uptrace/bun"

	"github.com/caravan-crm/caravan/internal/actor"
	"github.com/caravan-crm/caravan/internal/apperr"
	"github.com/caravan-crm/caravan/internal/audit"
	"github.com/caravan-crm/caravan/internal/auth"
	"github.com/caravan-crm/caravan/internal/clock"
	"github.com/caravan-crm/caravan/internal/country"
	"github.com/caravan-crm/caravan/internal/creator"
	"github.com/caravan-crm/caravan/internal/platform"
	"github.com/caravan-crm/caravan/internal/store"
	"github.com/caravan-crm/caravan/internal/text"
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
	Conversions     int64 // orders commissioned (the dashboard)
}

// Orgs gives the organization, for its base currency; *auth.Service is one.
type Orgs interface {
	Org(ctx context.Context, orgID string) (*auth.Org, error)
	Location(ctx context.Context, orgID string) (*time.Location, error)
}

// Service serves the risk marks and the exposure insight.
type Service struct {
	db       *bun.DB
	clock    clock.Clock
	orgs     Orgs
	creators *creator.Service
	revenue  Revenue
	figures  Figures
}

// NewService returns the insight service. revenue may be nil until conversions exist.
func NewService(db *bun.DB, clk clock.Clock, orgs Orgs, creators *creator.Service, revenue Revenue) *Service {
	if clk == nil {
		clk = clock.System{}
	}
	return &Service{db: db, clock: clk, orgs: orgs, creators: creators, revenue: revenue}
}

// Entry is a platform of the catalogue with the organization's marks on it.
type Entry struct {
	platform.Info
	Marks []Mark `json:"marks"`
}

// List returns every platform with the organization's risk marks.
func (s *Service) List(ctx context.Context, p actor.Actor) ([]Entry, error) {
	var marks []Mark
	if err := s.db.NewSelect().Model(&marks).Where("r.org_id = ?", p.OrgID).Order("r.platform", "r.country").Scan(ctx); err != nil {
		return nil, store.MapError(err)
	}
	out := make([]Entry, len(platform.Catalogue))
	for i, info := range platform.Catalogue {
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
	if !platform.Valid(plat) {
		return nil, apperr.NotFound("platform")
	}
	f := apperr.Fields{}
	in.Country = country.Normalize(in.Country)
	in.Note = strings.TrimSpace(in.Note)
	f.Check(!country.Valid(in.Country), "country", "must be an ISO 3166-1 alpha-2 country code such as US")
	f.Check(in.Level != LevelOK && in.Level != LevelAtRisk && in.Level != LevelBanned, "level", "must be ok, at_risk or banned")
	f.Check(utf8.RuneCountInString(in.Note) > 2000, "note", "must be at most 2000 characters")
	if err := text.CheckMultiline(in.Note); err != nil {
		f.Add("note", err.Error())
	}
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
