// Package report writes the finance workbooks: the commission workbook of a period or a date range
// (cover, summary from the statements, every ledger entry with its explanation, the same figures by
// campaign, platform and agency, the FX rates used) and one creator's statement workbook. Both stream
// to their destination through the sheet package's Workbook, with memory flat whatever the number of
// entries. The package reads the ledger, the statements and the names it shows through the packages
// that own them, and writes no table.
package report

import (
	"context"
	"io"
	"net/url"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/caravan-crm/caravan/internal/apperr"
	"github.com/caravan-crm/caravan/internal/auth"
	"github.com/caravan-crm/caravan/internal/campaign"
	"github.com/caravan-crm/caravan/internal/clock"
	"github.com/caravan-crm/caravan/internal/conversion"
	"github.com/caravan-crm/caravan/internal/creator"
	"github.com/caravan-crm/caravan/internal/ledger"
	"github.com/caravan-crm/caravan/internal/payout"
	"github.com/caravan-crm/caravan/internal/sheet"
)

// Service writes the workbooks.
type Service struct {
	db      *bun.DB
	clock   clock.Clock
	orgs    ledger.Orgs
	ledger  *ledger.Service
	payouts *payout.Service
}

// NewService returns the report service.
func NewService(db *bun.DB, clk clock.Clock, orgs ledger.Orgs, l *ledger.Service, p *payout.Service) *Service {
	if clk == nil {
		clk = clock.System{}
	}
	return &Service{db: db, clock: clk, orgs: orgs, ledger: l, payouts: p}
}

// Request says which entries a workbook shows (a period, or from/to days) and in which language.
type Request struct {
	Range ledger.Range
	Lang  string // LangEN or LangZH
}

// RequestParams documents the workbooks' query parameters.
var RequestParams = [][2]string{
	{"period", "the month YYYY-MM"},
	{"from", "instead of period: the first day YYYY-MM-DD (in the organization's time zone)"},
	{"to", "with from: the last day YYYY-MM-DD"},
	{"lang", "en or zh-CN"},
}

// ParseRequest reads period or from/to, and lang (else the Accept-Language header's, else def).
func ParseRequest(q url.Values, acceptLanguage, def string) (Request, error) {
	lang, err := ParseLang(q.Get("lang"), acceptLanguage, def)
	if err != nil {
		return Request{}, err
	}
	r := ledger.Range{Period: strings.TrimSpace(q.Get("period")), From: strings.TrimSpace(q.Get("from")), To: strings.TrimSpace(q.Get("to"))}
	if err := r.Validate(); err != nil {
		return Request{}, err
	}
	return Request{Range: r, Lang: lang}, nil
}

// label is the period or the days, as file names and covers show them.
func (r Request) label() string {
	if r.Range.Period != "" {
		return r.Range.Period
	}
	return r.Range.From + "_" + r.Range.To
}

// FileName is the download's name: commissions-2026-01.xlsx, commissions-2026-01-01_2026-01-15.xlsx.
func (r Request) FileName(prefix string) string { return prefix + "-" + r.label() + ".xlsx" }

// Progress is told how many entries were written of how many; nil means nobody asks.
type Progress func(done, total int64)

// book is what every sheet of a workbook needs: the organization, its zone and the language.
type book struct {
	lang  string
	org   *auth.Org
	loc   *time.Location
	now   time.Time
	req   Request
	names *names
}

func (s *Service) book(ctx context.Context, orgID string, req Request) (*book, error) {
	if err := req.Range.Validate(); err != nil {
		return nil, err
	}
	if req.Lang != LangZH {
		req.Lang = LangEN
	}
	org, err := s.orgs.Org(ctx, orgID)
	if err != nil {
		return nil, err
	}
	loc, err := s.orgs.Location(ctx, orgID)
	if err != nil {
		return nil, err
	}
	return &book{lang: req.Lang, org: org, loc: loc, now: s.clock.Now().In(loc), req: req, names: newNames(s.db, orgID)}, nil
}

func (b *book) w(key string) string { return word(b.lang, key) }

// cols makes header columns from word keys and widths.
func (b *book) cols(spec ...any) []sheet.Col {
	var out []sheet.Col
	for i := 0; i+1 < len(spec); i += 2 {
		out = append(out, sheet.Col{Header: b.w(spec[i].(string)), Width: float64(spec[i+1].(int))})
	}
	return out
}

// status is the period's status in words and when it was closed; for days, each month's status.
func (s *Service) status(ctx context.Context, b *book, orgID string) (string, *time.Time, error) {
	r := b.req.Range
	if r.Period != "" {
		pd, err := s.ledger.Period(ctx, orgID, r.Period)
		if err != nil {
			return "", nil, err
		}
		return enum(b.lang, "period", pd.Status), pd.ClosedAt, nil
	}
	var parts []string
	closed := 0
	months := 0
	for m := r.From[:7]; m <= r.To[:7] && months < 36; m = nextMonth(m) {
		pd, err := s.ledger.Period(ctx, orgID, m)
		if err != nil {
			return "", nil, err
		}
		parts = append(parts, m+" "+enum(b.lang, "period", pd.Status))
		months++
		if pd.Status == ledger.PeriodClosed {
			closed++
		}
	}
	head := enum(b.lang, "period", ledger.PeriodOpen)
	switch {
	case closed == months:
		head = enum(b.lang, "period", ledger.PeriodClosed)
	case closed > 0:
		head = enum(b.lang, "period", "mixed")
	}
	return head + " (" + strings.Join(parts, ", ") + ")", nil, nil
}

func nextMonth(period string) string {
	y, m, err := clock.ParseMonth(period)
	if err != nil {
		return "9999-12"
	}
	return time.Date(y, m+1, 1, 0, 0, 0, 0, time.UTC).Format("2006-01")
}

// periodWords is the cover's period line: the month, or the days.
func (b *book) periodWords() (string, string) {
	if b.req.Range.Period != "" {
		return b.w("cover.period"), b.req.Range.Period
	}
	return b.w("cover.range"), b.req.Range.From + " – " + b.req.Range.To
}

// names caches the names of the creators, accounts, campaigns and agencies entries refer to: a
// workbook names far fewer of them than it has entries.
type names struct {
	db        *bun.DB
	orgID     string
	creators  map[string]creator.Ref
	accounts  map[string]creator.AccountRef
	campaigns map[string]campaign.Ref
	agencies  map[string]creator.AgencyRef
}

func newNames(db *bun.DB, orgID string) *names {
	return &names{db: db, orgID: orgID, creators: map[string]creator.Ref{}, accounts: map[string]creator.AccountRef{},
		campaigns: map[string]campaign.Ref{}, agencies: map[string]creator.AgencyRef{}}
}

// missing lists the ids not yet in m, once each.
func missing[V any](m map[string]V, ids []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, id := range ids {
		if _, ok := m[id]; !ok && id != "" && !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

// fill adds the refs found for ids to m, and an empty ref for those not found, so they are asked once.
func fill[V any](m map[string]V, ids []string, found map[string]V) {
	for _, id := range ids {
		m[id] = found[id]
	}
}

// load looks up the names a page of entries refers to and has not met yet.
func (n *names) load(ctx context.Context, es []ledger.Entry) error {
	var cr, ac, cm, ag []string
	for _, e := range es {
		cr = append(cr, e.CreatorID)
		if e.AccountID != nil {
			ac = append(ac, *e.AccountID)
		}
		if e.CampaignID != nil {
			cm = append(cm, *e.CampaignID)
		}
		if e.AgencyID != nil {
			ag = append(ag, *e.AgencyID)
		}
	}
	if ids := missing(n.creators, cr); len(ids) > 0 {
		for i := 0; i < len(ids); i += 500 {
			chunk := ids[i:min(i+500, len(ids))]
			found, err := creator.Refs(ctx, n.db, n.orgID, chunk)
			if err != nil {
				return err
			}
			fill(n.creators, chunk, found)
		}
	}
	if ids := missing(n.accounts, ac); len(ids) > 0 {
		for i := 0; i < len(ids); i += 500 {
			chunk := ids[i:min(i+500, len(ids))]
			found, err := creator.AccountRefs(ctx, n.db, n.orgID, chunk)
			if err != nil {
				return err
			}
			fill(n.accounts, chunk, found)
		}
	}
	if ids := missing(n.campaigns, cm); len(ids) > 0 {
		for i := 0; i < len(ids); i += 500 {
			chunk := ids[i:min(i+500, len(ids))]
			found, err := campaign.Refs(ctx, n.db, n.orgID, chunk)
			if err != nil {
				return err
			}
			fill(n.campaigns, chunk, found)
		}
	}
	if ids := missing(n.agencies, ag); len(ids) > 0 {
		found, err := creator.AgencyRefs(ctx, n.db, n.orgID, ids)
		if err != nil {
			return err
		}
		fill(n.agencies, ids, found)
	}
	return nil
}

// orders looks up the conversions of a page of entries: their order numbers, dates and statuses.
func (s *Service) orders(ctx context.Context, orgID string, es []ledger.Entry) (map[string]conversion.Ref, error) {
	var ids []string
	for _, e := range es {
		if e.ConversionID != nil {
			ids = append(ids, *e.ConversionID)
		}
	}
	return conversion.Refs(ctx, s.db, orgID, ids)
}

// notFound is the 404 of a creator that is not the organization's.
func notFound() error { return apperr.NotFound("creator") }

// writeTo streams a workbook built by fill to w, abandoning it (and its temporary files) on error.
func writeTo(w io.Writer, b *book, props sheet.Props, fill func(wb *sheet.Workbook) error) error {
	wb, err := sheet.NewWorkbook(w, sheet.WorkbookOptions{Location: b.loc, Props: &props})
	if err != nil {
		return err
	}
	if err := fill(wb); err != nil {
		_ = wb.Abort()
		return err
	}
	return wb.Close()
}

// eachEntry reads the range's entries page by page, with their orders and the names they refer to,
// and calls fn for each (o is nil for an adjustment); after each page, pageDone when it is not nil.
func (s *Service) eachEntry(ctx context.Context, orgID string, b *book, fn func(e ledger.Entry, o *conversion.Ref) error, pageDone func(n int) error) error {
	return s.ledger.EachPage(ctx, orgID, b.req.Range, func(es []ledger.Entry) error {
		orders, err := s.orders(ctx, orgID, es)
		if err != nil {
			return err
		}
		if err := b.names.load(ctx, es); err != nil {
			return err
		}
		for _, e := range es {
			var o *conversion.Ref
			if e.ConversionID != nil {
				if ref, ok := orders[*e.ConversionID]; ok {
					o = &ref
				}
			}
			if err := fn(e, o); err != nil {
				return err
			}
		}
		if pageDone != nil {
			return pageDone(len(es))
		}
		return ctx.Err()
	})
}
