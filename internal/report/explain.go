package report

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/caravan-crm/caravan/internal/campaign"
	"github.com/caravan-crm/caravan/internal/conversion"
	"github.com/caravan-crm/caravan/internal/ledger"
	"github.com/caravan-crm/caravan/internal/money"
	"github.com/caravan-crm/caravan/internal/sheet"
)

// explain says in words how an entry's amount came about, from its Explanation, so that a finance
// clerk can redo the sum by hand: the rate and where it came from, the base, the tier, the refund's
// proportion, the FX rate and the period it was booked in. order is the entry's conversion (nil for
// an adjustment or an unknown one).
func explain(lang string, e ledger.Entry, order *conversion.Ref) string {
	x := e.Explanation
	orderCur := e.Currency
	if order != nil && order.Currency != "" {
		orderCur = order.Currency
	}
	amount := moneyWords(e.AmountMinor, e.Currency)
	var parts []string
	add := func(s string) {
		if s != "" {
			parts = append(parts, s)
		}
	}
	switch e.Kind {
	case ledger.KindCommission:
		if x.PlanVersion != nil {
			plan := phrase(lang, "x.plan", "version", strconv.Itoa(*x.PlanVersion))
			if x.PlanType != "" {
				plan += " " + enum(lang, "x.planType", x.PlanType)
			}
			add(plan)
		}
		switch x.Source {
		case campaign.SourceOverride, campaign.SourceProduct, ledger.SourceCreatorDefault, "items":
			add(word(lang, "x.source_"+x.Source))
		}
		if x.Tier != nil {
			from := ""
			if x.TierFromMinor != nil {
				from = moneyWords(*x.TierFromMinor, e.Currency)
			}
			add(phrase(lang, "x.tier", "tier", strconv.Itoa(*x.Tier+1), "from", from)) // Tier counts from 0
		}
		if x.PriorGMVMinor != nil {
			add(phrase(lang, "x.prior", "prior", moneyWords(*x.PriorGMVMinor, e.Currency)))
		}
		baseKind := word(lang, "x.base_"+x.Base)
		switch {
		case x.FlatMinor != nil:
			add(phrase(lang, "x.flat", "amount", amount))
		case len(x.Items) > 0:
			lines := make([]string, len(x.Items))
			for i, it := range x.Items {
				lines[i] = phrase(lang, "x.line", "sku", it.SKU, "amount", moneyWords(it.AmountMinor, orderCur), "rate", bpsWords(it.RateBps))
			}
			add(phrase(lang, "x.items", "lines", strings.Join(lines, word(lang, "x.lineSep")), "amount", amount))
		case x.Source == ledger.SourceNoRate:
			add(phrase(lang, "x.noRate", "note", x.Note))
		case e.RateBps != nil && x.BaseMinor != nil:
			add(phrase(lang, "x.rate", "rate", bpsWords(*e.RateBps), "base", moneyWords(*x.BaseMinor, orderCur), "baseKind", baseKind, "amount", amount))
		}
		if x.Rule != "" {
			add(phrase(lang, "x.rule", "rule", enum(lang, "x.rule", x.Rule)))
		}
	case ledger.KindReversal:
		commission := ""
		if x.CommissionMinor != nil {
			commission = moneyWords(*x.CommissionMinor, e.Currency)
		}
		switch {
		case x.Source == ledger.SourceRejection:
			add(phrase(lang, "x.rejection", "amount", amount))
		case x.Remainder:
			add(phrase(lang, "x.remainder", "commission", commission, "amount", amount))
		case x.RefundedMinor != nil && x.OrderAmountMinor != nil:
			add(phrase(lang, "x.refund", "commission", commission, "refunded", moneyWords(*x.RefundedMinor, orderCur),
				"order", moneyWords(*x.OrderAmountMinor, orderCur), "amount", amount))
		}
	case ledger.KindAdjustment:
		add(phrase(lang, "x.adjustment", "amount", amount))
	}
	if e.Currency != e.BaseCurrency {
		switch {
		case e.FXMissing || e.BaseAmountMinor == nil:
			add(phrase(lang, "x.fxMissing", "currency", e.Currency, "base", e.BaseCurrency))
		case e.FXRate != nil:
			base := moneyWords(*e.BaseAmountMinor, e.BaseCurrency)
			if x.FXDay != nil {
				add(phrase(lang, "x.fxDay", "rate", *e.FXRate, "day", *x.FXDay, "amount", base))
			} else {
				add(phrase(lang, "x.fx", "rate", *e.FXRate, "amount", base))
			}
		}
	}
	if x.EventPeriod != nil {
		add(phrase(lang, "x.moved", "event", *x.EventPeriod, "period", e.Period))
	}
	note := x.Note
	if e.Reason != nil && *e.Reason != "" {
		note = *e.Reason
	}
	if note != "" && x.Source != ledger.SourceNoRate {
		add(phrase(lang, "x.note", "note", note))
	}
	return strings.Join(parts, word(lang, "x.sep"))
}

// moneyWords writes an amount as the workbook's cells show it: $1,234.50, ¥1,500, KWD 1.234.
func moneyWords(minor int64, currency string) string {
	s := money.Format(money.Money{Minor: minor, Currency: currency})
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	intPart, frac, hasFrac := strings.Cut(s, ".")
	var b strings.Builder
	for i, r := range intPart {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	out := b.String()
	if hasFrac {
		out += "." + frac
	}
	sym := currencySymbol(currency)
	if neg {
		return "−" + sym + out
	}
	return sym + out
}

// currencySymbol is the prefix of an amount in currency, as the number formats of the sheet write it.
func currencySymbol(currency string) string {
	code, err := sheet.AmountFormat(currency)
	if err != nil {
		return currency + " "
	}
	sym, _, _ := strings.Cut(strings.TrimPrefix(code, `"`), `"`)
	return sym
}

// bpsWords writes basis points as a percentage: 1250 → 12.50%.
func bpsWords(bps int64) string {
	sign := ""
	if bps < 0 {
		sign, bps = "−", -bps
	}
	return fmt.Sprintf("%s%d.%02d%%", sign, bps/100, bps%100)
}
