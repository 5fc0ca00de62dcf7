package campaign

import (
	"context"
	"net/url"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/caravan-crm/caravan/internal/actor"
	"github.com/caravan-crm/caravan/internal/apperr"
	"github.com/caravan-crm/caravan/internal/audit"
	"github.com/caravan-crm/caravan/internal/creator"
	"github.com/caravan-crm/caravan/internal/page"
	"github.com/caravan-crm/caravan/internal/store"
)

// NewProduct is a product to add.
type NewProduct struct {
	SKU        string  `json:"sku"`
	Name       string  `json:"name"`
	NameZh     *string `json:"name_zh,omitempty"`
	PriceMinor int64   `json:"price_minor"`
	Currency   string  `json:"currency"`
	RateBps    *int64  `json:"rate_bps,omitempty"`
	URL        *string `json:"url,omitempty"`
}

// ProductChange is a partial update of a product (merge-patch: null clears name_zh, rate_bps and
// url and is a 422 for the others). A rate change keeps the old rate for earlier orders.
type ProductChange struct {
	SKU        creator.Nullable[string] `json:"sku"`
	Name       creator.Nullable[string] `json:"name"`
	NameZh     creator.Nullable[string] `json:"name_zh"`
	PriceMinor creator.Nullable[int64]  `json:"price_minor"`
	Currency   creator.Nullable[string] `json:"currency"`
	RateBps    creator.Nullable[int64]  `json:"rate_bps"`
	URL        creator.Nullable[string] `json:"url"`
}

// ProductFilter narrows the product list: Q matches the SKU or the name (either language).
type ProductFilter struct {
	Q string
}

// ParseProductFilter reads the list's query parameters.
func ParseProductFilter(q url.Values) (ProductFilter, error) {
	f := ProductFilter{Q: strings.TrimSpace(q.Get("q"))}
	if len(f.Q) > 200 {
		return f, apperr.BadRequest("invalid_parameter", "q must be at most 200 characters")
	}
	return f, nil
}

func skuKey(sku string) string   { return strings.ToLower(sku) }
func nameKey(name string) string { return strings.ToLower(name) }

func checkSKU(f apperr.Fields, v *string) {
	*v = strings.TrimSpace(*v)
	checkName(f, "sku", v)
	f.Check(len(*v) > 100, "sku", "must be at most 100 characters")
}

func (in *NewProduct) validate() apperr.Fields {
	f := apperr.Fields{}
	checkSKU(f, &in.SKU)
	checkName(f, "name", &in.Name)
	in.NameZh = checkText(f, "name_zh", in.NameZh, 200)
	f.Check(in.PriceMinor < 0, "price_minor", "must not be negative")
	c := checkCurrency(f, "currency", &in.Currency)
	f.Check(c == nil, "currency", "is required")
	in.Currency = deref(c)
	checkRate(f, "rate_bps", in.RateBps)
	in.URL = checkURL(f, "url", in.URL)
	return f
}

func errSKUTaken(sku string) error {
	return (&apperr.Error{Kind: apperr.KindConflict, Code: "sku_taken", Message: "a product with this SKU already exists",
		Fields: map[string]string{"sku": "is already in use"}}).WithParams(map[string]any{"sku": sku})
}

// CreateProduct adds a product.
func (s *Service) CreateProduct(ctx context.Context, p actor.Actor, in NewProduct) (*Product, error) {
	if err := in.validate().Err(); err != nil {
		return nil, err
	}
	var pr *Product
	err := store.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
		var err error
		pr, err = s.insertProduct(ctx, tx, p, in)
		if err != nil {
			return err
		}
		return audit.Record(ctx, tx, pr.CreatedAt, p, "product.create", "product", pr.ID, map[string]any{"sku": pr.SKU, "name": pr.Name})
	})
	if err != nil {
		return nil, err
	}
	return pr, nil
}

func (s *Service) insertProduct(ctx context.Context, tx bun.IDB, p actor.Actor, in NewProduct) (*Product, error) {
	now := s.now()
	pr := &Product{ID: store.NewID(), OrgID: p.OrgID, SKU: in.SKU, SKUKey: skuKey(in.SKU), Name: in.Name, NameKey: nameKey(in.Name),
		NameZh: in.NameZh, PriceMinor: in.PriceMinor, Currency: in.Currency, RateBps: in.RateBps, URL: in.URL, Version: 1, CreatedAt: now, UpdatedAt: now}
	if _, err := tx.NewInsert().Model(pr).Exec(ctx); err != nil {
		if store.IsUniqueViolation(err) {
			return nil, errSKUTaken(in.SKU)
		}
		return nil, err
	}
	return pr, recordProductRate(ctx, tx, pr, now)
}

func recordProductRate(ctx context.Context, db bun.IDB, pr *Product, now time.Time) error {
	return recordRate(ctx, db, &productRate{OrgID: pr.OrgID, ProductID: pr.ID, ValidFrom: now, RateBps: pr.RateBps},
		"product_rates", "product_id", pr.OrgID, pr.ID, now)
}

// ListProducts returns the organization's products by SKU.
func (s *Service) ListProducts(ctx context.Context, p actor.Actor, f ProductFilter, req page.Request) (page.List[Product], error) {
	var rows []Product
	q := s.db.NewSelect().Model(&rows).Where("p.org_id = ?", p.OrgID)
	if f.Q != "" {
		like := "%" + likeEscaper.Replace(strings.ToLower(f.Q)) + "%"
		q = q.WhereGroup(" AND ", func(q *bun.SelectQuery) *bun.SelectQuery {
			return q.Where(`p.sku_key LIKE ? ESCAPE '\'`, like).WhereOr(`p.name_key LIKE ? ESCAPE '\'`, like).
				WhereOr(`p.name_zh LIKE ? ESCAPE '\'`, "%"+likeEscaper.Replace(f.Q)+"%")
		})
	}
	total, err := q.Count(ctx)
	if err != nil {
		return page.List[Product]{}, store.MapError(err)
	}
	switch len(req.After) {
	case 0:
	case 2:
		q = q.Where("(p.sku_key > ? OR (p.sku_key = ? AND p.id > ?))", req.After[0], req.After[0], req.After[1])
	default:
		return page.List[Product]{}, errCursor
	}
	if err := q.Order("p.sku_key", "p.id").Limit(req.Fetch()).Scan(ctx); err != nil {
		return page.List[Product]{}, store.MapError(err)
	}
	return page.Finish(rows, req, int64(total), func(pr Product) []string { return []string{pr.SKUKey, pr.ID} }), nil
}

var (
	likeEscaper = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	errCursor   = apperr.BadRequest("invalid_parameter", "cursor is not one this server issued")
)

// GetProduct returns one product of the organization.
func (s *Service) GetProduct(ctx context.Context, p actor.Actor, id string) (*Product, error) {
	return store.ByID[Product](ctx, s.db, p.OrgID, id, "product")
}

// UpdateProduct changes a product.
func (s *Service) UpdateProduct(ctx context.Context, p actor.Actor, id string, ch ProductChange, ifMatch *int64) (*Product, error) {
	var out *Product
	err := store.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
		pr, err := store.ByIDForUpdate[Product](ctx, tx, p.OrgID, id, "product")
		if err != nil {
			return err
		}
		if err := checkVersion(ifMatch, pr.Version); err != nil {
			return err
		}
		changed, err := s.applyProduct(ctx, tx, p, pr, ch)
		out = pr
		if err != nil || changed == nil {
			return err
		}
		return audit.Record(ctx, tx, pr.UpdatedAt, p, "product.update", "product", pr.ID, changed)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// applyProduct validates ch and writes it to pr; it answers what changed (nil: nothing).
func (s *Service) applyProduct(ctx context.Context, tx bun.IDB, p actor.Actor, pr *Product, ch ProductChange) (map[string]any, error) {
	f := apperr.Fields{}
	notNull(f, "sku", ch.SKU)
	notNull(f, "name", ch.Name)
	notNull(f, "price_minor", ch.PriceMinor)
	notNull(f, "currency", ch.Currency)
	if ch.SKU.Value != nil {
		checkSKU(f, ch.SKU.Value)
	}
	if ch.Name.Value != nil {
		checkName(f, "name", ch.Name.Value)
	}
	nameZh := checkText(f, "name_zh", ch.NameZh.Value, 200)
	checkCount(f, "price_minor", ch.PriceMinor.Value)
	var currency *string
	if ch.Currency.Value != nil {
		currency = checkCurrency(f, "currency", ch.Currency.Value)
		f.Check(currency == nil, "currency", "must be an ISO 4217 currency code such as USD")
	}
	checkRate(f, "rate_bps", ch.RateBps.Value)
	u := checkURL(f, "url", ch.URL.Value)
	if err := f.Err(); err != nil {
		return nil, err
	}
	changed := map[string]any{}
	if v := ch.SKU.Value; v != nil && *v != pr.SKU {
		pr.SKU, pr.SKUKey, changed["sku"] = *v, skuKey(*v), *v
	}
	if v := ch.Name.Value; v != nil && *v != pr.Name {
		pr.Name, pr.NameKey, changed["name"] = *v, nameKey(*v), *v
	}
	if ch.NameZh.Set && !equalPtr(nameZh, pr.NameZh) {
		pr.NameZh, changed["name_zh"] = nameZh, nameZh
	}
	if v := ch.PriceMinor.Value; v != nil && *v != pr.PriceMinor {
		pr.PriceMinor, changed["price_minor"] = *v, *v
	}
	if currency != nil && *currency != pr.Currency {
		pr.Currency, changed["currency"] = *currency, *currency
	}
	rateChanged := ch.RateBps.Set && !equalPtr(ch.RateBps.Value, pr.RateBps)
	if rateChanged {
		pr.RateBps, changed["rate_bps"] = ch.RateBps.Value, ch.RateBps.Value
	}
	if ch.URL.Set && !equalPtr(u, pr.URL) {
		pr.URL, changed["url"] = u, u
	}
	if len(changed) == 0 {
		return nil, nil
	}
	pr.UpdatedAt = s.now()
	pr.Version++
	if _, err := tx.NewUpdate().Model(pr).ExcludeColumn("id", "org_id", "created_at").Where("p.org_id = ? AND p.id = ?", p.OrgID, pr.ID).Exec(ctx); err != nil {
		if store.IsUniqueViolation(err) {
			return nil, errSKUTaken(pr.SKU)
		}
		return nil, err
	}
	if rateChanged {
		if err := recordProductRate(ctx, tx, pr, pr.UpdatedAt); err != nil {
			return nil, err
		}
	}
	return changed, nil
}

// DeleteProduct removes a product no campaign or sample refers to.
func (s *Service) DeleteProduct(ctx context.Context, p actor.Actor, id string, ifMatch *int64) error {
	return store.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
		pr, err := store.ByIDForUpdate[Product](ctx, tx, p.OrgID, id, "product")
		if err != nil {
			return err
		}
		if err := checkVersion(ifMatch, pr.Version); err != nil {
			return err
		}
		for _, m := range []any{(*campaignProduct)(nil), (*Sample)(nil)} {
			n, err := tx.NewSelect().Model(m).Where("org_id = ? AND product_id = ?", p.OrgID, id).Count(ctx)
			if err != nil {
				return err
			}
			if n > 0 {
				return apperr.Conflict("product_in_use", "campaigns or samples refer to this product; remove it from them first").
					WithParams(map[string]any{"sku": pr.SKU})
			}
		}
		if _, err := tx.NewDelete().Model((*productRate)(nil)).Where("org_id = ? AND product_id = ?", p.OrgID, id).Exec(ctx); err != nil {
			return err
		}
		if _, err := tx.NewDelete().Model((*Product)(nil)).Where("org_id = ? AND id = ?", p.OrgID, id).Exec(ctx); err != nil {
			return err
		}
		return audit.Record(ctx, tx, s.now(), p, "product.delete", "product", id, map[string]string{"sku": pr.SKU, "name": pr.Name})
	})
}

// ProductRateAt returns the rate_bps in force at t of the organization's product with sku (any
// case): nil when the product has none then, or when there is no such product.
func (s *Service) ProductRateAt(ctx context.Context, orgID, sku string, t time.Time) (*int64, error) {
	h, err := s.ProductRateHistory(ctx, orgID, sku)
	if err != nil {
		return nil, err
	}
	return h.At(t), nil
}

// ProductRateHistory reads the rates of the product of a SKU: ProductRateAt for any instant. An
// unknown SKU has none.
func (s *Service) ProductRateHistory(ctx context.Context, orgID, sku string) (RateHistory, error) {
	var id string
	err := s.db.NewSelect().Model((*Product)(nil)).Column("id").Where("org_id = ? AND sku_key = ?", orgID, skuKey(strings.TrimSpace(sku))).Scan(ctx, &id)
	if store.IsNoRows(err) {
		return nil, nil
	}
	if err != nil {
		return nil, store.MapError(err)
	}
	return rateHistory(ctx, s.db, "product_rates", "product_id", orgID, id)
}

// productsExist adds a field error for every id that is not a product of the organization.
func productsExist(ctx context.Context, db bun.IDB, orgID string, ids []string, field string, f apperr.Fields) error {
	if len(ids) == 0 {
		return nil
	}
	var found []string
	if err := db.NewSelect().Model((*Product)(nil)).Column("id").Where("org_id = ? AND id IN (?)", orgID, bun.In(ids)).Scan(ctx, &found); err != nil {
		return store.MapError(err)
	}
	have := map[string]bool{}
	for _, id := range found {
		have[id] = true
	}
	for _, id := range ids {
		f.Check(!have[id], field, "must be products of your organization")
	}
	return nil
}
