package insight

import (
	"context"
	"math/big"
	"sort"
	"time"

	"github.com/caravan-crm/caravan/internal/actor"
	"github.com/caravan-crm/caravan/internal/creator"
	"github.com/caravan-crm/caravan/internal/platform"
	"github.com/caravan-crm/caravan/internal/store"
)

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
	platform.Info
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

// Exposure computes the insight in the same few queries whatever the number of creators: the
// organization, counts per platform and of creators (creator package), the marks, and the accounts
// of every creator who depends on a marked platform (creator package).
func (s *Service) Exposure(ctx context.Context, p actor.Actor, o ExposureOptions) (*Exposure, error) {
	now := s.clock.Now().UTC().Truncate(time.Microsecond)
	out := &Exposure{Days: o.Days, To: now, From: now.AddDate(0, 0, -o.Days), Platforms: []PlatformExposure{}, Marks: []MarkExposure{}}
	org, err := s.orgs.Org(ctx, p.OrgID)
	if err != nil {
		return nil, err
	}
	out.Currency = org.BaseCurrency

	counts, err := s.creators.PlatformCounts(ctx, p.OrgID)
	if err != nil {
		return nil, err
	}
	if out.Totals.Creators, err = s.creators.ActiveCreatorCount(ctx, p.OrgID); err != nil {
		return nil, err
	}
	revenue := map[string]Amounts{}
	if s.revenue != nil {
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
	for _, info := range platform.Catalogue {
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
	on := make([]creator.PlatformCountry, len(marks))
	for i, m := range marks {
		level[[2]string{m.Platform, m.Country}] = m.Level
		on[i] = creator.PlatformCountry{Platform: m.Platform, Country: m.Country}
	}
	// Every active account of every creator who has an active account on a marked platform in the
	// mark's country (the creator's country is where the audience is assumed to be).
	creators, err := s.creators.Dependents(ctx, p.OrgID, on)
	if err != nil {
		return nil, err
	}
	for _, m := range marks {
		me := MarkExposure{Mark: m, WithAlternative: []Dependent{}, WithoutAlternative: []Dependent{}}
		var deps []*Dependent
		for _, c := range creators {
			if c.Country != m.Country {
				continue
			}
			d := &Dependent{CreatorID: c.ID, DisplayName: c.DisplayName, Country: c.Country, Status: c.Status,
				Accounts: []AccountRef{}, Alternatives: []AccountRef{}}
			for _, a := range c.Accounts {
				ref := AccountRef{AccountID: a.ID, Platform: a.Platform, Handle: a.Handle, Followers: a.Followers}
				switch lv := level[[2]string{a.Platform, c.Country}]; {
				case a.Platform == m.Platform:
					d.Accounts = append(d.Accounts, ref)
					d.Followers += a.Followers
				case lv == LevelBanned:
					// not an alternative: banned there too
				default:
					ref.AtRisk = lv == LevelAtRisk
					d.Alternatives = append(d.Alternatives, ref)
				}
			}
			if len(d.Accounts) > 0 { // depends on this mark's platform, not only on another marked one
				deps = append(deps, d)
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
