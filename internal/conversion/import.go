package conversion

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/caravan-crm/caravan/internal/actor"
	"github.com/caravan-crm/caravan/internal/apperr"
	"github.com/caravan-crm/caravan/internal/audit"
	"github.com/caravan-crm/caravan/internal/clock"
	"github.com/caravan-crm/caravan/internal/money"
	"github.com/caravan-crm/caravan/internal/observe"
	"github.com/caravan-crm/caravan/internal/sheet"
	"github.com/caravan-crm/caravan/internal/store"
)

// ImportOptions are an order file's settings besides the file.
type ImportOptions struct {
	DryRun bool
	// Timezone is the zone of the file's times that carry none (TikTok Shop writes the shop region's
	// local time); default the organization's.
	Timezone string
	// Currency is the currency of files without a currency column; default the organization's base.
	Currency string
}

// ImportResult is the answer of an order-file import, dry or not: the creators import's shape, with
// what the file was read as.
type ImportResult struct {
	DryRun       bool              `json:"dry_run"`
	Layout       string            `json:"layout"` // generic | tiktok_orders | tiktok_affiliate
	Source       string            `json:"source"`
	Rows         int               `json:"rows"`
	Orders       int               `json:"orders"`
	Created      int               `json:"created"`
	Updated      int               `json:"updated"` // stored already; the file attributed or refunded it
	Skipped      int               `json:"skipped"` // stored already, nothing new
	Unattributed int               `json:"unattributed"`
	Errors       []sheet.CellError `json:"errors"`
}

// ImportProgress is told how many orders of total have been written.
type ImportProgress func(done, total int)

// importColumns names a field of an order in the file's words, for errors found after parsing.
var importColumns = map[string]string{
	"external_id": "Order ID", "occurred_at": "Order Date", "currency": "Currency", "amount_minor": "Amount",
	"discount_minor": "Discount", "creator_id": "Creator ID", "platform": "Platform", "account_handle": "Handle",
	"promo_code": "Promo Code", "link_code": "Link Code", "click_id": "Click ID", "campaign_id": "Campaign ID", "refunded": "Refunded",
}

// Import reads an order file (.csv or .xlsx: the generic layout, or TikTok Shop's order or
// affiliate export) and stores its orders, all or nothing in one transaction. An order already
// stored (the same file again, or the other TikTok export of the same orders) is completed, never
// doubled: an attribution it lacked, a larger refund. A dry run reports the same counts and writes
// nothing.
func (s *Service) Import(ctx context.Context, p actor.Actor, r io.ReaderAt, size int64, filename string, opt ImportOptions, progress ImportProgress) (_ *ImportResult, err error) {
	defer observe.Done("import_orders", time.Now(), &err)
	t, err := sheet.Read(r, size, filename, sheet.Limits{})
	if err != nil {
		return nil, err
	}
	org, err := s.orgs.Org(ctx, p.OrgID)
	if err != nil {
		return nil, err
	}
	f := apperr.Fields{}
	zone := strings.TrimSpace(opt.Timezone)
	if zone == "" {
		zone = org.Timezone
	}
	loc, err := clock.LoadZone(zone)
	f.Check(err != nil, "timezone", "must be an IANA time zone such as America/Los_Angeles")
	cur := money.NormalizeCurrency(opt.Currency)
	if cur == "" {
		cur = org.BaseCurrency
	}
	f.Check(!money.ValidCurrency(cur), "currency", "must be an ISO 4217 currency code such as USD")
	if err := f.Err(); err != nil {
		return nil, err
	}
	layout, source, orders, errs := ParseOrderFile(t, FileOptions{Location: loc, Currency: cur})
	res := &ImportResult{DryRun: opt.DryRun, Layout: layout, Source: source, Rows: len(t.Rows), Orders: len(orders), Errors: errs}
	if res.Errors == nil {
		res.Errors = []sheet.CellError{}
	}
	ready := make([]*staged, 0, len(orders))
	for _, o := range orders {
		st, err := s.stage(ctx, p.OrgID, source, o)
		if err != nil {
			e, ok := apperr.As(err)
			if !ok || e.Kind != apperr.KindValidation {
				return nil, err
			}
			fields := make([]string, 0, len(e.Fields))
			for k := range e.Fields {
				fields = append(fields, k)
			}
			sort.Strings(fields)
			for _, k := range fields {
				col := importColumns[k]
				if col == "" {
					col = k
				}
				res.Errors = append(res.Errors, sheet.CellError{Row: o.Line, Column: col, Message: e.Fields[k]})
			}
			continue
		}
		ready = append(ready, st)
		if st.match == nil {
			res.Unattributed++
		}
	}
	if len(res.Errors) > 0 {
		sort.SliceStable(res.Errors, func(i, j int) bool { return res.Errors[i].Row < res.Errors[j].Row })
		return res, nil
	}
	if opt.DryRun {
		return res, s.dryRun(ctx, p.OrgID, source, ready, res)
	}
	err = store.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
		res.Created, res.Updated, res.Skipped = 0, 0, 0
		for i, st := range ready {
			_, outcome, err := s.write(ctx, tx, p.ID(), st, true)
			if err != nil {
				if e, ok := apperr.As(err); ok && e.Kind == apperr.KindValidation {
					return apperr.Validation(map[string]string{"file": fmt.Sprintf("row %d: %s", st.order.Line, e.Message)})
				}
				return err
			}
			switch outcome {
			case OutcomeCreated:
				res.Created++
			case OutcomeUpdated:
				res.Updated++
			default:
				res.Skipped++
			}
			if progress != nil && (i%500 == 499 || i == len(ready)-1) {
				progress(i+1, len(ready))
			}
		}
		return audit.Record(ctx, tx, s.now(), p, "conversion.import", "conversion", "", map[string]any{
			"file": filename, "layout": layout, "orders": len(ready), "created": res.Created, "updated": res.Updated})
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

// dryRun counts what an import would do without writing: new orders, and stored ones the file would
// attribute or refund further.
func (s *Service) dryRun(ctx context.Context, orgID, source string, ready []*staged, res *ImportResult) error {
	stored := map[string]Conversion{}
	for i := 0; i < len(ready); i += 500 {
		ids := make([]string, 0, 500)
		for _, st := range ready[i:min(i+500, len(ready))] {
			ids = append(ids, st.c.ExternalID)
		}
		var rows []Conversion
		if err := s.db.NewSelect().Model(&rows).Column("id", "external_id", "creator_id", "refunded_minor").
			Where("cv.org_id = ? AND cv.source = ? AND cv.external_id IN (?)", orgID, source, bun.In(ids)).Scan(ctx); err != nil {
			return store.MapError(err)
		}
		for _, r := range rows {
			stored[r.ExternalID] = r
		}
	}
	seen := map[string]bool{}
	for _, st := range ready {
		c, ok := stored[st.c.ExternalID]
		switch {
		case seen[st.c.ExternalID]:
			res.Skipped++
		case !ok:
			res.Created++
		case (c.CreatorID == nil && st.match != nil) || (st.order.RefundedMinor != nil && *st.order.RefundedMinor > c.RefundedMinor):
			res.Updated++
		default:
			res.Skipped++
		}
		seen[st.c.ExternalID] = true
	}
	return nil
}
