package payout

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"

	"github.com/caravan-crm/caravan/internal/actor"
	"github.com/caravan-crm/caravan/internal/apperr"
	"github.com/caravan-crm/caravan/internal/creator"
	"github.com/caravan-crm/caravan/internal/money"
	"github.com/caravan-crm/caravan/internal/page"
	"github.com/caravan-crm/caravan/internal/sheet"
)

// Payout file formats.
const (
	FormatXLSX   = "xlsx"   // the generic workbook: every payout with the creator's payout details
	FormatCSV    = "csv"    // the same as CSV
	FormatPayPal = "paypal" // PayPal Payouts Web: no header; recipient, amount, currency, customer id, note, wallet
	FormatWise   = "wise"   // Wise batch transfer template
)

// FileFormats lists the formats.
var FileFormats = []string{FormatXLSX, FormatCSV, FormatPayPal, FormatWise}

// FileRequest selects the payouts of a file.
type FileRequest struct {
	Period   string
	Format   string
	Currency string // required for PayPal when the period's payouts are in several currencies
	Status   string // pending (default), paid or all
}

// ContentType and FileName of a file.
func (r FileRequest) ContentType() string {
	if r.Format == FormatXLSX {
		return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	}
	return "text/csv; charset=utf-8"
}

func (r FileRequest) FileName() string {
	ext := "csv"
	if r.Format == FormatXLSX {
		ext = "xlsx"
	}
	name := "payouts-" + r.Period
	if r.Format == FormatPayPal || r.Format == FormatWise {
		name += "-" + r.Format
	}
	if r.Currency != "" {
		name += "-" + r.Currency
	}
	return name + "." + ext
}

// paymentReference is what the creator's bank statement shows: short, ASCII, the period and the
// payout's id prefix, so finance can match a bank line to a payout.
func paymentReference(po Payout) string {
	id := strings.ReplaceAll(po.ID, "-", "")
	return fmt.Sprintf("CARAVAN %s %s", po.Period, strings.ToUpper(id[len(id)-8:]))
}

var ibanPattern = regexp.MustCompile(`^[A-Z]{2}[0-9]{2}[A-Z0-9]{10,30}$`)

// Check validates a request (400 for a bad parameter).
func (r *FileRequest) Check() error {
	bad := func(msg string) error { return apperr.BadRequest("invalid_parameter", msg) }
	if len(r.Period) != 7 {
		return bad("period must be a month YYYY-MM")
	}
	if r.Format == "" {
		r.Format = FormatXLSX
	}
	if !slices.Contains(FileFormats, r.Format) {
		return bad("format must be xlsx, csv, paypal or wise")
	}
	if r.Status == "" {
		r.Status = StatusPending
	}
	if !slices.Contains([]string{StatusPending, StatusPaid, "all"}, r.Status) {
		return bad("status must be pending, paid or all")
	}
	r.Currency = money.NormalizeCurrency(r.Currency)
	if r.Currency != "" && !money.ValidCurrency(r.Currency) {
		return bad("currency must be an ISO 4217 code")
	}
	return nil
}

// WriteFile writes the payout file of a period's payouts to w.
func (s *Service) WriteFile(ctx context.Context, p actor.Actor, r FileRequest, w io.Writer) error {
	if err := r.Check(); err != nil {
		return err
	}
	f := Filter{Period: r.Period, Currency: r.Currency}
	if r.Status != "all" {
		f.Status = r.Status
	}
	var payouts []Payout
	req := page.Request{Limit: page.MaxLimit}
	for {
		l, err := s.List(ctx, p, f, req)
		if err != nil {
			return err
		}
		payouts = append(payouts, l.Items...)
		if l.NextCursor == nil {
			break
		}
		req.After = []string{l.Items[len(l.Items)-1].ID}
	}
	slices.SortFunc(payouts, func(a, b Payout) int {
		return strings.Compare(a.CreatorName+a.Currency+a.ID, b.CreatorName+b.Currency+b.ID)
	})
	if r.Format == FormatPayPal && r.Currency == "" {
		for _, po := range payouts {
			if po.Currency != payouts[0].Currency {
				return apperr.Validation(map[string]string{"currency": "PayPal takes one currency per file: choose the currency"})
			}
		}
	}
	ids := make([]string, len(payouts))
	for i, po := range payouts {
		ids[i] = po.CreatorID
	}
	payees, err := creator.Payees(ctx, s.db, p.OrgID, ids)
	if err != nil {
		return err
	}
	amount := func(po Payout) string { return money.Format(money.Money{Minor: po.AmountMinor, Currency: po.Currency}) }
	switch r.Format {
	case FormatXLSX:
		return s.writeXLSX(w, payouts, payees)
	case FormatCSV:
		cw := csv.NewWriter(w)
		_ = cw.Write(genericHeaders)
		for _, po := range payouts {
			pe := payees[po.CreatorID]
			_ = cw.Write(neutral([]string{po.ID, pe.DisplayName, pe.Country, deref(pe.PayoutMethod), deref(pe.PayoutAccount), deref(pe.PayoutHolder),
				deref(pe.Email), po.Currency, amount(po), po.Period, paymentReference(po), po.Status, deref(po.PaidOn), deref(po.Reference), po.CreatorID}))
		}
		cw.Flush()
		return cw.Error()
	case FormatPayPal:
		// Payouts Web: one row per payout, no header: recipient e-mail, amount, currency, customer id
		// (at most 30 characters, no spaces), note to recipient, wallet.
		cw := csv.NewWriter(w)
		for _, po := range payouts {
			pe := payees[po.CreatorID]
			recipient := deref(pe.PayoutAccount)
			if deref(pe.PayoutMethod) != "paypal" || recipient == "" {
				recipient = deref(pe.Email)
			}
			customer := strings.ReplaceAll(po.ID, "-", "")[:30]
			_ = cw.Write(neutral([]string{recipient, amount(po), po.Currency, customer, "Commission " + po.Period + " " + paymentReference(po), "PAYPAL"}))
		}
		cw.Flush()
		return cw.Error()
	default: // Wise
		cw := csv.NewWriter(w)
		_ = cw.Write([]string{"name", "recipientEmail", "paymentReference", "receiverType", "amountCurrency", "amount", "sourceCurrency", "targetCurrency", "IBAN", "accountNumber", "type"})
		for _, po := range payouts {
			pe := payees[po.CreatorID]
			name := deref(pe.PayoutHolder)
			if name == "" {
				name = pe.DisplayName
			}
			acct := strings.ToUpper(strings.ReplaceAll(deref(pe.PayoutAccount), " ", ""))
			iban, number, kind := "", "", ""
			switch {
			case ibanPattern.MatchString(acct):
				iban = acct
			case acct != "" && !strings.Contains(acct, "@"):
				number = acct
			default:
				kind = "EMAIL" // Wise asks the recipient for their bank details by e-mail
			}
			email := deref(pe.Email)
			if strings.Contains(deref(pe.PayoutAccount), "@") {
				email = deref(pe.PayoutAccount)
			}
			_ = cw.Write(neutral([]string{name, email, paymentReference(po), "PERSON", "target", amount(po), po.Currency, po.Currency, iban, number, kind}))
		}
		cw.Flush()
		return cw.Error()
	}
}

// genericHeaders are the columns of the generic CSV and workbook. Creator ID comes last, so that the
// columns files of earlier versions had keep their places: it tells apart two creators of one name
// and joins the file to the creators' own exports.
var genericHeaders = []string{"Payout ID", "Creator", "Country", "Method", "Account", "Account holder", "Email", "Currency", "Amount",
	"Period", "Payment reference", "Status", "Paid on", "Reference", "Creator ID"}

func (s *Service) writeXLSX(w io.Writer, payouts []Payout, payees map[string]creator.Payee) error {
	sw, err := sheet.NewWriter(w, "Payouts", genericHeaders)
	if err != nil {
		return err
	}
	for _, po := range payouts {
		pe := payees[po.CreatorID]
		exp, _ := money.Exponent(po.Currency)
		if err := sw.Row(sheet.Text(po.ID), pe.DisplayName, pe.Country, deref(pe.PayoutMethod), sheet.Text(deref(pe.PayoutAccount)), deref(pe.PayoutHolder),
			deref(pe.Email), po.Currency, sheet.Money{Minor: po.AmountMinor, Exponent: exp}, po.Period, paymentReference(po), po.Status,
			deref(po.PaidOn), deref(po.Reference), sheet.Text(po.CreatorID)); err != nil {
			_ = sw.Abort()
			return err
		}
	}
	return sw.Close()
}

// neutral keeps a CSV cell from running as a formula when the file is opened in a spreadsheet.
func neutral(cells []string) []string {
	for i, c := range cells {
		cells[i] = sheet.NeutraliseFormula(c)
	}
	return cells
}
