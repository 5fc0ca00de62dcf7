package campaign

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/caravan-crm/caravan/internal/actor"
	"github.com/caravan-crm/caravan/internal/apperr"
	"github.com/caravan-crm/caravan/internal/audit"
	"github.com/caravan-crm/caravan/internal/clock"
	"github.com/caravan-crm/caravan/internal/creator"
	"github.com/caravan-crm/caravan/internal/page"
	"github.com/caravan-crm/caravan/internal/platform"
	"github.com/caravan-crm/caravan/internal/store"
)

// NewCampaign is a campaign to add, with its first plan.
type NewCampaign struct {
	Name                  string   `json:"name"`
	Status                string   `json:"status,omitempty"`
	StartsOn              string   `json:"starts_on"`
	EndsOn                *string  `json:"ends_on,omitempty"`
	ProductIDs            []string `json:"product_ids,omitempty"`
	Platforms             []string `json:"platforms,omitempty"`
	AttributionWindowDays *int64   `json:"attribution_window_days,omitempty"`
	HoldDays              *int64   `json:"hold_days,omitempty"`
	BudgetMinor           *int64   `json:"budget_minor,omitempty"`
	Currency              *string  `json:"currency,omitempty"`
	Plan                  *Plan    `json:"plan"`
}

// CampaignChange is a partial update of a campaign (merge-patch: null clears ends_on, product_ids,
// platforms, budget_minor and currency, and is a 422 for the others). A plan is never edited in
// place: plan adds a version, effective from plan_effective_from (default now; a later instant or
// date schedules it).
type CampaignChange struct {
	Name                  creator.Nullable[string]   `json:"name"`
	Status                creator.Nullable[string]   `json:"status"`
	StartsOn              creator.Nullable[string]   `json:"starts_on"`
	EndsOn                creator.Nullable[string]   `json:"ends_on"`
	ProductIDs            creator.Nullable[[]string] `json:"product_ids"`
	Platforms             creator.Nullable[[]string] `json:"platforms"`
	AttributionWindowDays creator.Nullable[int64]    `json:"attribution_window_days"`
	HoldDays              creator.Nullable[int64]    `json:"hold_days"`
	BudgetMinor           creator.Nullable[int64]    `json:"budget_minor"`
	Currency              creator.Nullable[string]   `json:"currency"`
	Plan                  *Plan                      `json:"plan,omitempty"`
	PlanEffectiveFrom     *string                    `json:"plan_effective_from,omitempty"`
}

// NewPlanVersion is a new version of a campaign's plan, effective from effective_from: an RFC 3339
// instant or a date (its first instant in the organization's time zone); default now. It may not be
// in the past: what earlier dates computed never changes.
type NewPlanVersion struct {
	Plan          *Plan   `json:"plan"`
	EffectiveFrom *string `json:"effective_from,omitempty"`
}

// PlanVersions lists a campaign's plan versions, oldest first.
type PlanVersions struct {
	Items []PlanVersion `json:"items"`
}

// CampaignFilter narrows the campaign list.
type CampaignFilter struct {
	Q      string
	Status string
}

// ParseCampaignFilter reads the list's query parameters.
func ParseCampaignFilter(q url.Values) (CampaignFilter, error) {
	f := CampaignFilter{Q: strings.TrimSpace(q.Get("q")), Status: q.Get("status")}
	if len(f.Q) > 200 {
		return f, apperr.BadRequest("invalid_parameter", "q must be at most 200 characters")
	}
	if f.Status != "" && !slices.Contains(Statuses, f.Status) {
		return f, apperr.BadRequest("invalid_parameter", "status must be one of "+strings.Join(Statuses, ", "))
	}
	return f, nil
}

// CampaignFilterParams documents the list's query parameters.
var CampaignFilterParams = [][2]string{{"q", "part of the name"}, {"status", strings.Join(Statuses, " | ")}}

const maxDays = 3660

func checkStatus(f apperr.Fields, v string) {
	f.Check(!slices.Contains(Statuses, v), "status", "must be one of "+strings.Join(Statuses, ", "))
}

func cleanPlatforms(f apperr.Fields, in []string) []string {
	out := []string{}
	for _, p := range in {
		p = strings.ToLower(strings.TrimSpace(p))
		if !platform.Valid(p) {
			f.Add("platforms", "must be platforms of the catalogue: "+platform.Keys())
			continue
		}
		if !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	return out
}

func cleanIDs(in []string) []string {
	out := []string{}
	for _, id := range in {
		if id = strings.TrimSpace(id); id != "" && !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return out
}

func checkDays(f apperr.Fields, field string, v *int64, min int64) {
	f.Check(v != nil && (*v < min || *v > maxDays), field, fmt.Sprintf("must be a whole number of days from %d to %d", min, maxDays))
}

func checkPeriod(f apperr.Fields, startsOn string, endsOn *string) {
	f.Check(endsOn != nil && startsOn != "" && *endsOn < startsOn, "ends_on", "must not be before starts_on")
}

func checkBudget(f apperr.Fields, budget *int64, currency *string) {
	checkCount(f, "budget_minor", budget)
	f.Check(budget != nil && currency == nil, "currency", "is required with a budget")
}

func (in *NewCampaign) validate() apperr.Fields {
	f := apperr.Fields{}
	checkName(f, "name", &in.Name)
	if in.Status == "" {
		in.Status = StatusDraft
	}
	checkStatus(f, in.Status)
	starts := checkDate(f, "starts_on", &in.StartsOn)
	f.Check(starts == nil, "starts_on", "must be a date YYYY-MM-DD")
	in.StartsOn = deref(starts)
	in.EndsOn = checkDate(f, "ends_on", in.EndsOn)
	checkPeriod(f, in.StartsOn, in.EndsOn)
	in.ProductIDs = cleanIDs(in.ProductIDs)
	in.Platforms = cleanPlatforms(f, in.Platforms)
	checkDays(f, "attribution_window_days", in.AttributionWindowDays, 1)
	checkDays(f, "hold_days", in.HoldDays, 0)
	in.Currency = checkCurrency(f, "currency", in.Currency)
	checkBudget(f, in.BudgetMinor, in.Currency)
	if in.Plan == nil {
		f.Add("plan", "is required")
	} else {
		in.Plan.validate(f, "plan.")
	}
	return f
}

// CreateCampaign adds a campaign and the first version of its plan, effective now.
func (s *Service) CreateCampaign(ctx context.Context, p actor.Actor, in NewCampaign) (*Campaign, error) {
	f := in.validate()
	var id string
	err := store.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
		if err := productsExist(ctx, tx, p.OrgID, in.ProductIDs, "product_ids", f); err != nil {
			return err
		}
		if err := f.Err(); err != nil {
			return err
		}
		now := s.now()
		platforms, _ := json.Marshal(in.Platforms)
		c := &Campaign{ID: store.NewID(), OrgID: p.OrgID, Name: in.Name, NameKey: nameKey(in.Name), Status: in.Status, StartsOn: in.StartsOn,
			EndsOn: in.EndsOn, PlatformsJSON: string(platforms), AttributionWindowDays: DefaultAttributionWindowDays, HoldDays: DefaultHoldDays,
			BudgetMinor: in.BudgetMinor, Currency: in.Currency, Version: 1, CreatedAt: now, UpdatedAt: now}
		if in.AttributionWindowDays != nil {
			c.AttributionWindowDays = *in.AttributionWindowDays
		}
		if in.HoldDays != nil {
			c.HoldDays = *in.HoldDays
		}
		if _, err := tx.NewInsert().Model(c).Exec(ctx); err != nil {
			return err
		}
		if err := setProducts(ctx, tx, p.OrgID, c.ID, in.ProductIDs); err != nil {
			return err
		}
		if _, err := s.insertPlan(ctx, tx, p, c.ID, *in.Plan, now); err != nil {
			return err
		}
		id = c.ID
		return audit.Record(ctx, tx, now, p, "campaign.create", "campaign", c.ID, map[string]any{"name": c.Name, "plan": in.Plan})
	})
	if err != nil {
		return nil, err
	}
	return s.GetCampaign(ctx, p, id)
}

func setProducts(ctx context.Context, tx bun.IDB, orgID, campaignID string, ids []string) error {
	if _, err := tx.NewDelete().Model((*campaignProduct)(nil)).Where("org_id = ? AND campaign_id = ?", orgID, campaignID).Exec(ctx); err != nil {
		return err
	}
	if len(ids) == 0 {
		return nil
	}
	rows := make([]campaignProduct, len(ids))
	for i, id := range ids {
		rows[i] = campaignProduct{OrgID: orgID, CampaignID: campaignID, ProductID: id}
	}
	_, err := tx.NewInsert().Model(&rows).Exec(ctx)
	return err
}

// insertPlan adds the next version of a campaign's plan (the caller holds the campaign's row).
func (s *Service) insertPlan(ctx context.Context, tx bun.IDB, p actor.Actor, campaignID string, plan Plan, from time.Time) (*PlanVersion, error) {
	var last int64
	if err := tx.NewSelect().Model((*PlanVersion)(nil)).ColumnExpr("COALESCE(MAX(version), 0)").
		Where("org_id = ? AND campaign_id = ?", p.OrgID, campaignID).Scan(ctx, &last); err != nil {
		return nil, err
	}
	b, err := json.Marshal(plan)
	if err != nil {
		return nil, err
	}
	v := &PlanVersion{OrgID: p.OrgID, CampaignID: campaignID, Version: last + 1, EffectiveFrom: from.UTC().Truncate(time.Microsecond),
		PlanJSON: string(b), CreatedAt: s.now(), Plan: plan}
	if id := p.ID(); id != "" {
		v.CreatedBy = &id
	}
	_, err = tx.NewInsert().Model(v).Exec(ctx)
	return v, err
}

// ListCampaigns returns the organization's campaigns, newest first.
func (s *Service) ListCampaigns(ctx context.Context, p actor.Actor, f CampaignFilter, req page.Request) (page.List[Campaign], error) {
	var rows []Campaign
	q := s.db.NewSelect().Model(&rows).Where("cm.org_id = ?", p.OrgID)
	if f.Q != "" {
		q = q.Where(`cm.name_key LIKE ? ESCAPE '\'`, "%"+likeEscaper.Replace(strings.ToLower(f.Q))+"%")
	}
	if f.Status != "" {
		q = q.Where("cm.status = ?", f.Status)
	}
	total, err := q.Count(ctx)
	if err != nil {
		return page.List[Campaign]{}, store.MapError(err)
	}
	switch len(req.After) {
	case 0:
	case 2:
		at, err := time.Parse(time.RFC3339Nano, req.After[0])
		if err != nil {
			return page.List[Campaign]{}, errCursor
		}
		q = q.Where("(cm.created_at < ? OR (cm.created_at = ? AND cm.id < ?))", at, at, req.After[1])
	default:
		return page.List[Campaign]{}, errCursor
	}
	if err := q.Order("cm.created_at DESC", "cm.id DESC").Limit(req.Fetch()).Scan(ctx); err != nil {
		return page.List[Campaign]{}, store.MapError(err)
	}
	if err := s.hydrate(ctx, s.db, p.OrgID, rows); err != nil {
		return page.List[Campaign]{}, err
	}
	return page.Finish(rows, req, int64(total), func(c Campaign) []string {
		return []string{c.CreatedAt.UTC().Format(time.RFC3339Nano), c.ID}
	}), nil
}

// hydrate fills in the derived fields of campaigns: platforms, products, the plan in force now and
// the next one, and the number of enrolments. Four queries whatever the number of campaigns.
func (s *Service) hydrate(ctx context.Context, db bun.IDB, orgID string, cs []Campaign) error {
	if len(cs) == 0 {
		return nil
	}
	ids := make([]string, len(cs))
	idx := make(map[string]int, len(cs))
	for i := range cs {
		ids[i], idx[cs[i].ID] = cs[i].ID, i
		cs[i].Platforms, cs[i].ProductIDs = []string{}, []string{}
		_ = json.Unmarshal([]byte(cs[i].PlatformsJSON), &cs[i].Platforms)
	}
	var prods []campaignProduct
	if err := db.NewSelect().Model(&prods).Where("org_id = ? AND campaign_id IN (?)", orgID, bun.In(ids)).Order("product_id").Scan(ctx); err != nil {
		return store.MapError(err)
	}
	for _, cp := range prods {
		cs[idx[cp.CampaignID]].ProductIDs = append(cs[idx[cp.CampaignID]].ProductIDs, cp.ProductID)
	}
	var plans []PlanVersion
	if err := db.NewSelect().Model(&plans).Where("pv.org_id = ? AND pv.campaign_id IN (?)", orgID, bun.In(ids)).
		Order("pv.campaign_id", "pv.effective_from", "pv.version").Scan(ctx); err != nil {
		return store.MapError(err)
	}
	now := s.now()
	byCampaign := map[string][]PlanVersion{}
	for _, v := range plans {
		byCampaign[v.CampaignID] = append(byCampaign[v.CampaignID], v)
	}
	for id, vs := range byCampaign {
		c := &cs[idx[id]]
		if cur, ok := inForce(vs, now); ok {
			c.Plan, c.PlanVersion = decodePlan(cur.PlanJSON), cur.Version
		}
		for _, v := range vs {
			if v.EffectiveFrom.After(now) {
				v.Plan = decodePlan(v.PlanJSON)
				c.NextPlan = &v
				break
			}
		}
	}
	var counts []struct {
		CampaignID string `bun:"campaign_id"`
		N          int64  `bun:"n"`
	}
	if err := db.NewSelect().Model((*Enrolment)(nil)).ColumnExpr("campaign_id, COUNT(*) AS n").
		Where("org_id = ? AND campaign_id IN (?) AND status NOT IN (?)", orgID, bun.In(ids), bun.In([]string{EnrolmentDeclined, EnrolmentRemoved})).
		Group("campaign_id").Scan(ctx, &counts); err != nil {
		return store.MapError(err)
	}
	for _, n := range counts {
		cs[idx[n.CampaignID]].Enrolled = n.N
	}
	return nil
}

func decodePlan(s string) Plan {
	var p Plan
	_ = json.Unmarshal([]byte(s), &p)
	return p
}

// inForce picks the version in force at t from versions sorted by effective_from then version: the
// latest that started at or before t; before the first version, the first (the plan the campaign was
// created with covers orders dated before its creation).
func inForce(vs []PlanVersion, t time.Time) (PlanVersion, bool) {
	if len(vs) == 0 {
		return PlanVersion{}, false
	}
	cur := vs[0]
	for _, v := range vs {
		if !v.EffectiveFrom.After(t) {
			cur = v
		}
	}
	return cur, true
}

// GetCampaign returns one campaign of the organization.
func (s *Service) GetCampaign(ctx context.Context, p actor.Actor, id string) (*Campaign, error) {
	c, err := store.ByID[Campaign](ctx, s.db, p.OrgID, id, "campaign")
	if err != nil {
		return nil, err
	}
	list := []Campaign{*c}
	if err := s.hydrate(ctx, s.db, p.OrgID, list); err != nil {
		return nil, err
	}
	return &list[0], nil
}

// UpdateCampaign changes a campaign; a plan in the change adds a plan version.
func (s *Service) UpdateCampaign(ctx context.Context, p actor.Actor, id string, ch CampaignChange, ifMatch *int64) (*Campaign, error) {
	f := apperr.Fields{}
	notNull(f, "name", ch.Name)
	notNull(f, "status", ch.Status)
	notNull(f, "starts_on", ch.StartsOn)
	notNull(f, "attribution_window_days", ch.AttributionWindowDays)
	notNull(f, "hold_days", ch.HoldDays)
	if ch.Name.Value != nil {
		checkName(f, "name", ch.Name.Value)
	}
	if ch.Status.Value != nil {
		checkStatus(f, *ch.Status.Value)
	}
	var starts *string
	if ch.StartsOn.Value != nil {
		starts = checkDate(f, "starts_on", ch.StartsOn.Value)
		f.Check(starts == nil, "starts_on", "must be a date YYYY-MM-DD")
	}
	ends := checkDate(f, "ends_on", ch.EndsOn.Value)
	var productIDs, platforms []string
	if ch.ProductIDs.Set {
		productIDs = cleanIDs(deref(ch.ProductIDs.Value))
	}
	if ch.Platforms.Set {
		platforms = cleanPlatforms(f, deref(ch.Platforms.Value))
	}
	checkDays(f, "attribution_window_days", ch.AttributionWindowDays.Value, 1)
	checkDays(f, "hold_days", ch.HoldDays.Value, 0)
	checkCount(f, "budget_minor", ch.BudgetMinor.Value)
	currency := checkCurrency(f, "currency", ch.Currency.Value)
	if ch.Plan != nil {
		ch.Plan.validate(f, "plan.")
	}
	f.Check(ch.PlanEffectiveFrom != nil && ch.Plan == nil, "plan_effective_from", "is only for a new plan")
	err := store.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
		c, err := store.ByIDForUpdate[Campaign](ctx, tx, p.OrgID, id, "campaign")
		if err != nil {
			return err
		}
		if err := checkVersion(ifMatch, c.Version); err != nil {
			return err
		}
		var from time.Time
		if ch.Plan != nil {
			if from, err = s.effectiveFrom(ctx, p.OrgID, ch.PlanEffectiveFrom, "plan_effective_from", f); err != nil {
				return err
			}
		}
		if err := productsExist(ctx, tx, p.OrgID, productIDs, "product_ids", f); err != nil {
			return err
		}
		// the period and the budget are checked as they will be after the change
		newStarts, newEnds := c.StartsOn, c.EndsOn
		if starts != nil {
			newStarts = *starts
		}
		if ch.EndsOn.Set {
			newEnds = ends
		}
		checkPeriod(f, newStarts, newEnds)
		newBudget, newCurrency := c.BudgetMinor, c.Currency
		if ch.BudgetMinor.Set {
			newBudget = ch.BudgetMinor.Value
		}
		if ch.Currency.Set {
			newCurrency = currency
		}
		f.Check(newBudget != nil && newCurrency == nil, "currency", "is required with a budget")
		if err := f.Err(); err != nil {
			return err
		}
		if c.Status == StatusEnded && ch.Status.Value != nil && *ch.Status.Value != StatusEnded {
			return apperr.Conflict("campaign_ended", "an ended campaign cannot start again; create a new campaign")
		}
		changed := map[string]any{}
		if v := ch.Name.Value; v != nil && *v != c.Name {
			c.Name, c.NameKey, changed["name"] = *v, nameKey(*v), *v
		}
		if v := ch.Status.Value; v != nil && *v != c.Status {
			c.Status, changed["status"] = *v, *v
		}
		if newStarts != c.StartsOn {
			c.StartsOn, changed["starts_on"] = newStarts, newStarts
		}
		if !equalPtr(newEnds, c.EndsOn) {
			c.EndsOn, changed["ends_on"] = newEnds, newEnds
		}
		if ch.Platforms.Set {
			b, _ := json.Marshal(platforms)
			if string(b) != c.PlatformsJSON {
				c.PlatformsJSON, changed["platforms"] = string(b), platforms
			}
		}
		if v := ch.AttributionWindowDays.Value; v != nil && *v != c.AttributionWindowDays {
			c.AttributionWindowDays, changed["attribution_window_days"] = *v, *v
		}
		if v := ch.HoldDays.Value; v != nil && *v != c.HoldDays {
			c.HoldDays, changed["hold_days"] = *v, *v
		}
		if !equalPtr(newBudget, c.BudgetMinor) {
			c.BudgetMinor, changed["budget_minor"] = newBudget, newBudget
		}
		if !equalPtr(newCurrency, c.Currency) {
			c.Currency, changed["currency"] = newCurrency, newCurrency
		}
		if ch.ProductIDs.Set {
			var old []string
			if err := tx.NewSelect().Model((*campaignProduct)(nil)).Column("product_id").Where("org_id = ? AND campaign_id = ?", p.OrgID, id).
				Order("product_id").Scan(ctx, &old); err != nil {
				return err
			}
			sorted := slices.Clone(productIDs)
			slices.Sort(sorted)
			if !slices.Equal(old, sorted) {
				if err := setProducts(ctx, tx, p.OrgID, id, productIDs); err != nil {
					return err
				}
				changed["product_ids"] = productIDs
			}
		}
		if ch.Plan != nil {
			v, err := s.insertPlan(ctx, tx, p, id, *ch.Plan, from)
			if err != nil {
				return err
			}
			changed["plan"], changed["plan_version"], changed["plan_effective_from"] = ch.Plan, v.Version, v.EffectiveFrom
		}
		if len(changed) == 0 {
			return nil
		}
		c.UpdatedAt = s.now()
		c.Version++
		if _, err := tx.NewUpdate().Model(c).ExcludeColumn("id", "org_id", "created_at").Where("cm.org_id = ? AND cm.id = ?", p.OrgID, id).Exec(ctx); err != nil {
			return err
		}
		return audit.Record(ctx, tx, c.UpdatedAt, p, "campaign.update", "campaign", id, changed)
	})
	if err != nil {
		return nil, err
	}
	return s.GetCampaign(ctx, p, id)
}

// planGrace is how far in the past an effective_from may be and still mean "now" (a client's clock
// and the request's travel time).
const planGrace = 5 * time.Minute

// effectiveFrom reads when a new plan version takes effect: nil is now, an RFC 3339 instant or a
// date (its first instant in the organization's zone). An instant in the past would change what
// earlier dates computed, so it is refused (a few minutes' slack is taken as now).
func (s *Service) effectiveFrom(ctx context.Context, orgID string, v *string, field string, f apperr.Fields) (time.Time, error) {
	now := s.now()
	if v == nil {
		return now, nil
	}
	raw := strings.TrimSpace(*v)
	t, err := time.Parse(time.RFC3339Nano, raw)
	if err != nil {
		loc, lerr := s.location(ctx, orgID)
		if lerr != nil {
			return now, lerr
		}
		var derr error
		if t, _, derr = clock.DayRange(raw, loc); derr != nil {
			f.Add(field, "must be an RFC 3339 time or a date YYYY-MM-DD")
			return now, nil
		}
		if raw == clock.Today(s.clock, loc) {
			return now, nil // today: from now on
		}
	}
	switch {
	case !t.Before(now):
		return t.UTC(), nil
	case now.Sub(t) <= planGrace:
		return now, nil
	}
	f.Add(field, "must not be in the past: earlier orders keep the plan they were computed with")
	return now, nil
}

// AddPlan adds a version of a campaign's plan.
func (s *Service) AddPlan(ctx context.Context, p actor.Actor, campaignID string, in NewPlanVersion) (*PlanVersion, error) {
	f := apperr.Fields{}
	if in.Plan == nil {
		f.Add("plan", "is required")
	} else {
		in.Plan.validate(f, "plan.")
	}
	var out *PlanVersion
	err := store.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
		c, err := store.ByIDForUpdate[Campaign](ctx, tx, p.OrgID, campaignID, "campaign")
		if err != nil {
			return err
		}
		from, err := s.effectiveFrom(ctx, p.OrgID, in.EffectiveFrom, "effective_from", f)
		if err != nil {
			return err
		}
		if err := f.Err(); err != nil {
			return err
		}
		if out, err = s.insertPlan(ctx, tx, p, c.ID, *in.Plan, from); err != nil {
			return err
		}
		now := s.now()
		if _, err := tx.NewUpdate().Model((*Campaign)(nil)).Set("version = version + 1").Set("updated_at = ?", now).
			Where("org_id = ? AND id = ?", p.OrgID, c.ID).Exec(ctx); err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, p, "campaign.plan", "campaign", c.ID, map[string]any{"plan": in.Plan, "plan_version": out.Version,
			"effective_from": out.EffectiveFrom})
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// Plans lists a campaign's plan versions, oldest first.
func (s *Service) Plans(ctx context.Context, p actor.Actor, campaignID string) (PlanVersions, error) {
	if _, err := store.ByID[Campaign](ctx, s.db, p.OrgID, campaignID, "campaign"); err != nil {
		return PlanVersions{}, err
	}
	vs, err := s.versions(ctx, p.OrgID, campaignID)
	for i := range vs {
		vs[i].Plan = decodePlan(vs[i].PlanJSON)
	}
	return PlanVersions{Items: vs}, err
}

func (s *Service) versions(ctx context.Context, orgID, campaignID string) ([]PlanVersion, error) {
	vs := []PlanVersion{}
	err := s.db.NewSelect().Model(&vs).Where("pv.org_id = ? AND pv.campaign_id = ?", orgID, campaignID).
		Order("pv.effective_from", "pv.version").Scan(ctx)
	return vs, store.MapError(err)
}

// PlanAt returns the plan of a campaign in force at t and its version: the latest version effective
// at or before t (before the first version, the first). An unknown campaign is a not_found error.
func (s *Service) PlanAt(ctx context.Context, orgID, campaignID string, t time.Time) (Plan, int, error) {
	h, err := s.PlanHistory(ctx, orgID, campaignID)
	if err != nil {
		return Plan{}, 0, err
	}
	plan, version, ok := h.At(t)
	if !ok {
		return Plan{}, 0, apperr.NotFound("campaign")
	}
	return plan, version, nil
}

// PlanHistory is a campaign's plan versions, oldest first: what PlanAt answers for any instant, from
// one read (the ledger prices a batch of orders of one campaign with it).
type PlanHistory []PlanVersion

// PlanHistory reads a campaign's plan versions; an unknown campaign has none.
func (s *Service) PlanHistory(ctx context.Context, orgID, campaignID string) (PlanHistory, error) {
	return s.versions(ctx, orgID, campaignID)
}

// At is the plan in force at t and its version, as PlanAt says; false without versions.
func (h PlanHistory) At(t time.Time) (Plan, int, bool) {
	v, ok := inForce(h, t)
	if !ok {
		return Plan{}, 0, false
	}
	return decodePlan(v.PlanJSON), int(v.Version), true
}

// DeleteCampaign removes a draft campaign nobody is enrolled in; any other campaign is ended
// instead (409), so its history stays.
func (s *Service) DeleteCampaign(ctx context.Context, p actor.Actor, id string, ifMatch *int64) error {
	return store.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
		c, err := store.ByIDForUpdate[Campaign](ctx, tx, p.OrgID, id, "campaign")
		if err != nil {
			return err
		}
		if err := checkVersion(ifMatch, c.Version); err != nil {
			return err
		}
		if c.Status != StatusDraft {
			return apperr.Conflict("campaign_not_draft", "only a draft campaign can be deleted; end it instead").WithParams(map[string]any{"status": c.Status})
		}
		n, err := tx.NewSelect().Model((*Enrolment)(nil)).Where("org_id = ? AND campaign_id = ?", p.OrgID, id).Count(ctx)
		if err != nil {
			return err
		}
		if n > 0 {
			return apperr.Conflict("campaign_has_enrolments", "creators are enrolled in this campaign; end it instead").WithParams(map[string]any{"enrolments": n})
		}
		if _, err := tx.NewDelete().Model((*campaignProduct)(nil)).Where("org_id = ? AND campaign_id = ?", p.OrgID, id).Exec(ctx); err != nil {
			return err
		}
		if _, err := tx.NewDelete().Model((*PlanVersion)(nil)).Where("org_id = ? AND campaign_id = ?", p.OrgID, id).Exec(ctx); err != nil {
			return err
		}
		if _, err := tx.NewDelete().Model((*Campaign)(nil)).Where("org_id = ? AND id = ?", p.OrgID, id).Exec(ctx); err != nil {
			if store.IsForeignKeyViolation(err) {
				// Tracking links (another package's rows) point at it.
				return apperr.Conflict("campaign_has_enrolments", "this campaign has links or codes; end it instead of deleting it")
			}
			return err
		}
		return audit.Record(ctx, tx, s.now(), p, "campaign.delete", "campaign", id, map[string]string{"name": c.Name})
	})
}
