package campaign

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/caravan-crm/caravan/internal/actor"
	"github.com/caravan-crm/caravan/internal/apperr"
	"github.com/caravan-crm/caravan/internal/audit"
	"github.com/caravan-crm/caravan/internal/creator"
	"github.com/caravan-crm/caravan/internal/money"
	"github.com/caravan-crm/caravan/internal/observe"
	"github.com/caravan-crm/caravan/internal/sheet"
	"github.com/caravan-crm/caravan/internal/store"
)

// ProductColumns are the columns a product import understands, with the English and Chinese
// headers accepted for each. One row is one product; a SKU that exists (in any case) is updated.
var ProductColumns = []sheet.Column{
	{Key: "sku", Aliases: []string{"SKU", "SKU Code", "Item Code", "货号", "商品编码", "SKU编码", "款号"}, Required: true},
	{Key: "name", Aliases: []string{"Name", "Product", "Product Name", "Title", "名称", "商品名称", "英文名称", "产品名称"}, Required: true},
	{Key: "name_zh", Aliases: []string{"Chinese Name", "Name (Chinese)", "Name ZH", "中文名称", "中文名"}},
	{Key: "price", Aliases: []string{"Price", "Unit Price", "价格", "售价", "单价"}, Required: true},
	{Key: "currency", Aliases: []string{"Currency", "币种", "货币"}, Required: true},
	{Key: "rate_bps", Aliases: []string{"Rate (bps)", "Commission (bps)", "Rate", "佣金(基点)", "佣金率(基点)"}},
	{Key: "url", Aliases: []string{"URL", "Link", "Product URL", "链接", "商品链接"}},
}

// ProductImportResult is the answer of an import, dry or not.
type ProductImportResult struct {
	DryRun  bool              `json:"dry_run"`
	Rows    int               `json:"rows"`
	Created int               `json:"created"`
	Updated int               `json:"updated"`
	Skipped int               `json:"skipped"`
	Errors  []sheet.CellError `json:"errors"`
}

// errDryRun rolls a dry run's transaction back once it has counted what it would do.
var errDryRun = errors.New("campaign: dry run")

// ImportProducts reads a spreadsheet of products (.xlsx or .csv, English or Chinese headers) and
// upserts them by SKU. Every problem is reported by row and column; unless dryRun, nothing is
// written when there is any (all or nothing, in one transaction). A dry run does the whole import
// in a transaction it rolls back, so its counts are exactly what a real run would do.
func (s *Service) ImportProducts(ctx context.Context, p actor.Actor, r io.ReaderAt, size int64, filename string, dryRun bool) (_ *ProductImportResult, err error) {
	defer observe.Done("import_products", time.Now(), &err)
	t, err := sheet.Read(r, size, filename, sheet.Limits{MaxRows: 20_000})
	if err != nil {
		return nil, err
	}
	res := &ProductImportResult{DryRun: dryRun, Rows: len(t.Rows), Errors: []sheet.CellError{}}
	m, herrs := sheet.MapHeaders(t.Headers, ProductColumns)
	if len(herrs) > 0 {
		res.Errors = append(res.Errors, herrs...)
		return res, nil
	}
	cellErr := func(line int, key, msg string) {
		res.Errors = append(res.Errors, sheet.CellError{Row: line, Column: m.Header(key), Message: msg})
	}
	type row struct {
		line int
		in   NewProduct
	}
	var rows []row
	seen := map[string]int{}
	for _, r := range t.Rows {
		get := func(k string) string { return m.Get(r, k) }
		opt := func(k string) *string {
			if v := get(k); v != "" {
				return &v
			}
			return nil
		}
		in := NewProduct{SKU: get("sku"), Name: get("name"), NameZh: opt("name_zh"), Currency: get("currency"), URL: opt("url")}
		bad := false
		cur := money.NormalizeCurrency(in.Currency)
		if money.ValidCurrency(cur) {
			price, err := money.Parse(strings.ReplaceAll(get("price"), ",", ""), cur)
			if err != nil || price.Minor < 0 {
				cellErr(r.Line, "price", "must be an amount such as 19.99")
				bad = true
			}
			in.PriceMinor = price.Minor
		}
		if v := get("rate_bps"); v != "" {
			n, err := strconv.ParseInt(strings.TrimSuffix(v, ".0"), 10, 64)
			if err != nil {
				cellErr(r.Line, "rate_bps", "must be a whole number")
				bad = true
			}
			in.RateBps = &n
		}
		for field, msg := range in.validate() {
			cellErr(r.Line, field, msg)
			bad = true
		}
		if bad {
			continue
		}
		if first, dup := seen[skuKey(in.SKU)]; dup {
			cellErr(r.Line, "sku", fmt.Sprintf("the SKU %q is already on row %d", in.SKU, first))
			continue
		}
		seen[skuKey(in.SKU)] = r.Line
		rows = append(rows, row{r.Line, in})
	}
	slices.SortStableFunc(res.Errors, func(a, b sheet.CellError) int {
		if a.Row != b.Row {
			return a.Row - b.Row
		}
		return strings.Compare(a.Column, b.Column)
	})
	if len(res.Errors) > 0 && !dryRun {
		return res, nil
	}
	err = store.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
		res.Created, res.Updated, res.Skipped = 0, 0, 0
		for _, r := range rows {
			var pr Product
			err := store.Lock(tx, tx.NewSelect().Model(&pr).Where("p.org_id = ? AND p.sku_key = ?", p.OrgID, skuKey(r.in.SKU))).Scan(ctx)
			if store.IsNoRows(err) {
				if _, err := s.insertProduct(ctx, tx, p, r.in); err != nil {
					return err
				}
				res.Created++
				continue
			}
			if err != nil {
				return err
			}
			set := func(v *string) creator.Nullable[string] { return creator.Nullable[string]{Set: v != nil, Value: v} }
			ch := ProductChange{SKU: set(&r.in.SKU), Name: set(&r.in.Name), NameZh: set(r.in.NameZh), Currency: set(&r.in.Currency),
				PriceMinor: creator.Nullable[int64]{Set: true, Value: &r.in.PriceMinor}, URL: set(r.in.URL),
				RateBps: creator.Nullable[int64]{Set: r.in.RateBps != nil, Value: r.in.RateBps}}
			changed, err := s.applyProduct(ctx, tx, p, &pr, ch)
			if err != nil {
				if e, ok := apperr.As(err); ok && e.Kind != apperr.KindInternal {
					cellErr(r.line, "sku", e.Message)
					continue
				}
				return err
			}
			if changed != nil {
				res.Updated++
			} else {
				res.Skipped++
			}
		}
		if dryRun || len(res.Errors) > 0 {
			return errDryRun
		}
		return audit.Record(ctx, tx, s.now(), p, "product.import", "product", "", map[string]any{"file": filename, "rows": res.Rows,
			"created": res.Created, "updated": res.Updated, "skipped": res.Skipped})
	})
	if err != nil && !errors.Is(err, errDryRun) {
		return nil, err
	}
	return res, nil
}
