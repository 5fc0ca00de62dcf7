package conversion

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/caravan-crm/caravan/internal/apperr"
	"github.com/caravan-crm/caravan/internal/money"
)

// CodeInvalidPayload is the code of the *apperr.Error (KindValidation) a Shopify body that cannot be
// read as an order or a refund gives.
const CodeInvalidPayload = "invalid_payload"

// Bounds on one Shopify body, so a delivery cannot make us loop over millions of entries.
const (
	maxShopifyLines     = 1000 // line items of an order; refund lines over all its refunds
	maxShopifyCodes     = 1000 // discount codes of an order
	maxShopifyRefunds   = 1000 // refunds listed on an order
	maxShopifyPerLine   = 1000 // discount allocations or tax lines of one line item
	maxShopifyClueBytes = 255  // a promo code or click id longer than this is no clue of ours
)

// ShopifyRefund is a refunds/create delivery: the order it belongs to, the shop currency its amounts
// are in, and the refund of net merchandise to record. A refund of no merchandise (shipping or an
// adjustment only) has AmountMinor 0 and may have no Currency: there is nothing to reverse.
type ShopifyRefund struct {
	OrderID  string
	Currency string
	Refund   RefundInput
}

// ParseShopifyOrder reads an orders/create or orders/paid body. Ids are kept exact as decimal strings
// (they exceed 2^53), every amount is read from its decimal string in the shop currency, never through
// a float. The net amount is subtotal_price (after discounts, before shipping), less total_tax when
// prices include tax. Every failure is an *apperr.Error of KindValidation with code invalid_payload.
func ParseShopifyOrder(body []byte) (Order, error) {
	var o shopifyOrder
	if err := decodeShopify(body, &o, "order"); err != nil {
		return Order{}, err
	}
	id, err := shopifyID(o.ID, "id")
	if err != nil {
		return Order{}, err
	}
	occurred := o.CreatedAt
	field := "created_at"
	if strings.TrimSpace(occurred) == "" {
		occurred, field = o.ProcessedAt, "processed_at"
	}
	at, err := shopifyTime(occurred, field)
	if err != nil {
		return Order{}, err
	}
	cur := money.NormalizeCurrency(o.Currency)
	if cur == "" && o.SubtotalPriceSet != nil && o.SubtotalPriceSet.ShopMoney != nil {
		cur = money.NormalizeCurrency(o.SubtotalPriceSet.ShopMoney.CurrencyCode)
	}
	if !money.ValidCurrency(cur) {
		return Order{}, shopifyError(nil, "currency %s is not an ISO 4217 currency code", quoteClip(o.Currency))
	}
	subtotal, ok, err := shopMoney(o.SubtotalPriceSet, o.SubtotalPrice, cur, "subtotal_price")
	if err != nil {
		return Order{}, err
	}
	if !ok {
		return Order{}, shopifyError(nil, "the order has no subtotal_price")
	}
	amount := subtotal
	if o.TaxesIncluded {
		// The subtotal then holds the tax, which earns no commission.
		tax, _, err := shopMoney(o.TotalTaxSet, o.TotalTax, cur, "total_tax")
		if err != nil {
			return Order{}, err
		}
		amount = subtotal - tax // both are non-negative: no overflow
		if amount < 0 {
			return Order{}, shopifyError(nil, "total_tax is larger than subtotal_price")
		}
	}
	discount, _, err := shopMoney(o.TotalDiscountsSet, o.TotalDiscounts, cur, "total_discounts")
	if err != nil {
		return Order{}, err
	}

	in := Input{ExternalID: id, OccurredAt: at, Currency: cur, AmountMinor: &amount, DiscountMinor: &discount}
	if len(o.DiscountCodes) > maxShopifyCodes {
		return Order{}, shopifyError(nil, "the order has more than %d discount codes", maxShopifyCodes)
	}
	for _, dc := range o.DiscountCodes {
		if code, ok := shopifyClue(dc.Code); ok {
			in.PromoCode = &code
			break
		}
	}
	if click, ok := shopifyClue(clickFromLandingSite(o.LandingSite)); ok {
		in.ClickID = &click
	}
	if len(o.LineItems) > maxShopifyLines {
		return Order{}, shopifyError(nil, "the order has more than %d line items", maxShopifyLines)
	}
	for i, li := range o.LineItems {
		item, keep, err := li.item(i, cur, o.TaxesIncluded)
		if err != nil {
			return Order{}, err
		}
		if keep {
			in.Items = append(in.Items, item)
		}
	}

	out := Order{Input: in}
	out.Canceled = (o.CancelledAt != nil && strings.TrimSpace(*o.CancelledAt) != "") ||
		strings.EqualFold(strings.TrimSpace(o.FinancialStatus), "voided")
	if len(o.Refunds) > 0 {
		refunded, last, err := o.refunded(cur)
		if err != nil {
			return Order{}, err
		}
		// Refund lines of a tax-inclusive shop hold the tax the net amount leaves out: a full refund
		// must not read as more than the order.
		refunded = min(refunded, amount)
		out.RefundedMinor, out.RefundedAt = &refunded, last
		out.Refunds = o.listedRefunds(cur)
	}
	return out, nil
}

// ParseShopifyRefund reads a refunds/create body: the refund's id and its order's id as exact decimal
// strings, and the net merchandise refunded, the sum of refund_line_items[].subtotal_set.shop_money
// (tax and shipping earn no commission, so they are not reversed). Every failure is an *apperr.Error of
// KindValidation with code invalid_payload.
func ParseShopifyRefund(body []byte) (ShopifyRefund, error) {
	var r shopifyRefund
	if err := decodeShopify(body, &r, "refund"); err != nil {
		return ShopifyRefund{}, err
	}
	id, err := shopifyID(r.ID, "id")
	if err != nil {
		return ShopifyRefund{}, err
	}
	orderID, err := shopifyID(r.OrderID, "order_id")
	if err != nil {
		return ShopifyRefund{}, err
	}
	out := ShopifyRefund{OrderID: orderID, Refund: RefundInput{ExternalID: id}}
	occurred, field := r.CreatedAt, "created_at"
	if strings.TrimSpace(occurred) == "" {
		occurred, field = r.ProcessedAt, "processed_at"
	}
	if strings.TrimSpace(occurred) != "" {
		at, err := shopifyTime(occurred, field)
		if err != nil {
			return ShopifyRefund{}, err
		}
		out.Refund.OccurredAt = &at
	}
	if len(r.RefundLineItems) > maxShopifyLines {
		return ShopifyRefund{}, shopifyError(nil, "the refund has more than %d refund lines", maxShopifyLines)
	}
	var total int64
	for i, rl := range r.RefundLineItems {
		field := fmt.Sprintf("refund_line_items[%d].subtotal_set", i)
		if rl.SubtotalSet == nil || rl.SubtotalSet.ShopMoney == nil || rl.SubtotalSet.ShopMoney.Amount == "" {
			return ShopifyRefund{}, shopifyError(nil, "%s.shop_money is missing", field)
		}
		cur := money.NormalizeCurrency(rl.SubtotalSet.ShopMoney.CurrencyCode)
		if !money.ValidCurrency(cur) {
			return ShopifyRefund{}, shopifyError(nil, "%s.shop_money.currency_code %s is not an ISO 4217 currency code",
				field, quoteClip(rl.SubtotalSet.ShopMoney.CurrencyCode))
		}
		if out.Currency == "" {
			out.Currency = cur
		} else if cur != out.Currency {
			return ShopifyRefund{}, shopifyError(nil, "%s is in %s, the refund's other lines in %s", field, cur, out.Currency)
		}
		v, _, err := shopMoney(rl.SubtotalSet, "", cur, fmt.Sprintf("refund_line_items[%d].subtotal", i))
		if err != nil {
			return ShopifyRefund{}, err
		}
		if total, err = addShopify(total, v); err != nil {
			return ShopifyRefund{}, err
		}
	}
	out.Refund.AmountMinor = &total
	return out, nil
}

// The parts of Shopify's payloads we read. Ids are shopifyNumber and amounts shopifyDecimal: both
// keep the text of a JSON number or string, so nothing passes through float64.
type (
	shopifyOrder struct {
		ID                shopifyNumber    `json:"id"`
		CreatedAt         string           `json:"created_at"`
		ProcessedAt       string           `json:"processed_at"`
		Currency          string           `json:"currency"`
		FinancialStatus   string           `json:"financial_status"`
		CancelledAt       *string          `json:"cancelled_at"`
		TaxesIncluded     bool             `json:"taxes_included"`
		SubtotalPrice     shopifyDecimal   `json:"subtotal_price"`
		SubtotalPriceSet  *shopifyMoneySet `json:"subtotal_price_set"`
		TotalTax          shopifyDecimal   `json:"total_tax"`
		TotalTaxSet       *shopifyMoneySet `json:"total_tax_set"`
		TotalDiscounts    shopifyDecimal   `json:"total_discounts"`
		TotalDiscountsSet *shopifyMoneySet `json:"total_discounts_set"`
		DiscountCodes     []struct {
			Code string `json:"code"`
		} `json:"discount_codes"`
		LandingSite string            `json:"landing_site"`
		LineItems   []shopifyLineItem `json:"line_items"`
		Refunds     []shopifyRefund   `json:"refunds"`
	}
	shopifyLineItem struct {
		ID                  shopifyNumber    `json:"id"`
		VariantID           shopifyNumber    `json:"variant_id"`
		ProductID           shopifyNumber    `json:"product_id"`
		SKU                 string           `json:"sku"`
		Quantity            int64            `json:"quantity"`
		Price               shopifyDecimal   `json:"price"`
		PriceSet            *shopifyMoneySet `json:"price_set"`
		DiscountAllocations []struct {
			Amount    shopifyDecimal   `json:"amount"`
			AmountSet *shopifyMoneySet `json:"amount_set"`
		} `json:"discount_allocations"`
		TaxLines []struct {
			Price    shopifyDecimal   `json:"price"`
			PriceSet *shopifyMoneySet `json:"price_set"`
		} `json:"tax_lines"`
	}
	shopifyRefund struct {
		ID              shopifyNumber `json:"id"`
		OrderID         shopifyNumber `json:"order_id"`
		CreatedAt       string        `json:"created_at"`
		ProcessedAt     string        `json:"processed_at"`
		RefundLineItems []struct {
			Subtotal    shopifyDecimal   `json:"subtotal"`
			SubtotalSet *shopifyMoneySet `json:"subtotal_set"`
		} `json:"refund_line_items"`
	}
	shopifyMoneySet struct {
		ShopMoney *struct {
			Amount       shopifyDecimal `json:"amount"`
			CurrencyCode string         `json:"currency_code"`
		} `json:"shop_money"`
	}
)

// shopifyNumber is the text of an id: a JSON number kept as written (ids exceed 2^53), or a string
// (the REST API sends some ids as strings). Null or absent is "". shopifyID checks it.
type shopifyNumber string

func (n *shopifyNumber) UnmarshalJSON(b []byte) error {
	var d shopifyDecimal
	if err := d.UnmarshalJSON(b); err != nil {
		err.(*json.UnmarshalTypeError).Type = reflect.TypeFor[shopifyNumber]()
		return err
	}
	*n = shopifyNumber(d)
	return nil
}

// shopifyDecimal is the text of a decimal amount: a JSON string, or a JSON number kept as written
// (never a float). Null or absent is "".
type shopifyDecimal string

func (d *shopifyDecimal) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case bytes.Equal(b, []byte("null")):
		*d = ""
	case len(b) > 0 && b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return &json.UnmarshalTypeError{Value: "string", Type: reflect.TypeFor[shopifyDecimal]()}
		}
		*d = shopifyDecimal(s)
	case len(b) > 0 && (b[0] == '-' || (b[0] >= '0' && b[0] <= '9')):
		*d = shopifyDecimal(b)
	default:
		// encoding/json adds the field's name to this error.
		return &json.UnmarshalTypeError{Value: jsonKind(b), Type: reflect.TypeFor[shopifyDecimal]()}
	}
	return nil
}

func jsonKind(b []byte) string {
	switch {
	case len(b) == 0:
		return "value"
	case b[0] == '{':
		return "object"
	case b[0] == '[':
		return "array"
	case b[0] == 't' || b[0] == 'f':
		return "bool"
	}
	return "value"
}

// jsonTypeWords names the Go types of the payload structs as a reader of Shopify's JSON would.
func jsonTypeWords(t reflect.Type) string {
	switch {
	case t == nil:
		return "value"
	case t == reflect.TypeFor[shopifyDecimal]():
		return "a decimal string"
	case t == reflect.TypeFor[shopifyNumber]():
		return "an id"
	}
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Int, reflect.Int64:
		return "a whole number"
	case reflect.Bool:
		return "true or false"
	case reflect.Slice:
		return "an array"
	case reflect.Struct, reflect.Pointer, reflect.Map:
		return "an object"
	}
	return t.String()
}

// item turns line i into an Item: price × quantity less its discount allocations (and less its taxes
// when prices include them), in minor units. keep is false for a line with nothing left (quantity 0
// after an order edit).
func (li shopifyLineItem) item(i int, cur string, taxesIncluded bool) (Item, bool, error) {
	field := fmt.Sprintf("line_items[%d]", i)
	if li.Quantity < 0 {
		return Item{}, false, shopifyError(nil, "%s.quantity must not be negative", field)
	}
	if li.Quantity == 0 {
		return Item{}, false, nil
	}
	price, ok, err := shopMoney(li.PriceSet, li.Price, cur, field+".price")
	if err != nil {
		return Item{}, false, err
	}
	if !ok {
		return Item{}, false, shopifyError(nil, "%s has no price", field)
	}
	if price > 0 && li.Quantity > math.MaxInt64/price {
		return Item{}, false, shopifyError(nil, "%s: price × quantity is too large", field)
	}
	amount := price * li.Quantity
	if len(li.DiscountAllocations) > maxShopifyPerLine || len(li.TaxLines) > maxShopifyPerLine {
		return Item{}, false, shopifyError(nil, "%s has more than %d discount allocations or tax lines", field, maxShopifyPerLine)
	}
	var less int64
	for j, da := range li.DiscountAllocations {
		v, _, err := shopMoney(da.AmountSet, da.Amount, cur, fmt.Sprintf("%s.discount_allocations[%d].amount", field, j))
		if err != nil {
			return Item{}, false, err
		}
		if less, err = addShopify(less, v); err != nil {
			return Item{}, false, err
		}
	}
	if taxesIncluded {
		for j, tl := range li.TaxLines {
			v, _, err := shopMoney(tl.PriceSet, tl.Price, cur, fmt.Sprintf("%s.tax_lines[%d].price", field, j))
			if err != nil {
				return Item{}, false, err
			}
			if less, err = addShopify(less, v); err != nil {
				return Item{}, false, err
			}
		}
	}
	if less > amount {
		return Item{}, false, shopifyError(nil, "%s: its discounts exceed its price × quantity", field)
	}
	// A line without a SKU (a custom item, a variant nobody gave a SKU) is named by its variant,
	// product or line id so the item is still recorded.
	sku := strings.TrimSpace(li.SKU)
	for _, id := range []shopifyNumber{li.VariantID, li.ProductID, li.ID} {
		if sku != "" {
			break
		}
		if s, err := shopifyID(id, ""); err == nil {
			sku = s
		}
	}
	return Item{SKU: sku, Quantity: li.Quantity, AmountMinor: amount - less}, true, nil
}

// refunded sums the net merchandise of the order's refunds, and gives the time of the latest.
func (o shopifyOrder) refunded(cur string) (int64, string, error) {
	if len(o.Refunds) > maxShopifyRefunds {
		return 0, "", shopifyError(nil, "the order has more than %d refunds", maxShopifyRefunds)
	}
	var total int64
	var last time.Time
	lines := 0
	for i, r := range o.Refunds {
		lines += len(r.RefundLineItems)
		if lines > maxShopifyLines {
			return 0, "", shopifyError(nil, "the order's refunds have more than %d refund lines", maxShopifyLines)
		}
		for j, rl := range r.RefundLineItems {
			field := fmt.Sprintf("refunds[%d].refund_line_items[%d].subtotal", i, j)
			v, ok, err := shopMoney(rl.SubtotalSet, rl.Subtotal, cur, field)
			if err != nil {
				return 0, "", err
			}
			if !ok {
				return 0, "", shopifyError(nil, "%s is missing", field)
			}
			if total, err = addShopify(total, v); err != nil {
				return 0, "", err
			}
		}
		if at := r.CreatedAt; strings.TrimSpace(at) != "" {
			s, err := shopifyTime(at, fmt.Sprintf("refunds[%d].created_at", i))
			if err != nil {
				return 0, "", err
			}
			if t, _ := time.Parse(time.RFC3339, s); t.After(last) {
				last = t
			}
		}
	}
	if last.IsZero() {
		return total, "", nil
	}
	return total, last.Format(time.RFC3339), nil
}

// listedRefunds gives each refund the order lists under its own id, so its own refunds/create
// delivery, before or after, is the same refund; nil when one of them cannot be read so (the total
// in RefundedMinor stands in then).
func (o shopifyOrder) listedRefunds(cur string) []RefundInput {
	out := make([]RefundInput, 0, len(o.Refunds))
	for i, r := range o.Refunds {
		id, err := shopifyID(r.ID, fmt.Sprintf("refunds[%d].id", i))
		if err != nil {
			return nil
		}
		var amount int64
		for _, rl := range r.RefundLineItems {
			v, ok, err := shopMoney(rl.SubtotalSet, rl.Subtotal, cur, "subtotal")
			if err != nil || !ok {
				return nil
			}
			if amount, err = addShopify(amount, v); err != nil {
				return nil
			}
		}
		in := RefundInput{ExternalID: id, AmountMinor: &amount}
		if at, err := shopifyTime(r.CreatedAt, "created_at"); err == nil {
			in.OccurredAt = &at
		}
		out = append(out, in)
	}
	return out
}

// decodeShopify unmarshals body into v, turning every JSON error into a clear invalid_payload.
func decodeShopify(body []byte, v any, what string) error {
	if len(bytes.TrimSpace(body)) == 0 {
		return shopifyError(nil, "the %s body is empty", what)
	}
	err := json.Unmarshal(body, v)
	if err == nil {
		return nil
	}
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return shopifyError(err, "the %s body is not valid JSON (at byte %d)", what, se.Offset)
	case errors.As(err, &te) && te.Field != "":
		return shopifyError(err, "the %s field %s is a JSON %s where Shopify sends %s", what, clipText(te.Field, 100), te.Value, jsonTypeWords(te.Type))
	case errors.As(err, &te):
		return shopifyError(err, "the %s body must be a JSON object, not a JSON %s", what, te.Value)
	default:
		return shopifyError(err, "the %s body is not a Shopify %s: %s", what, what, clipText(err.Error(), 200))
	}
}

func shopifyError(cause error, format string, args ...any) *apperr.Error {
	return &apperr.Error{Kind: apperr.KindValidation, Code: CodeInvalidPayload,
		Message: "shopify: " + fmt.Sprintf(format, args...), Err: cause}
}

// shopifyID checks an id is a positive whole number and returns it as its exact decimal string.
func shopifyID(n shopifyNumber, field string) (string, error) {
	s := string(n)
	if s == "" {
		return "", shopifyError(nil, "%s is missing", field)
	}
	v, err := strconv.ParseUint(s, 10, 64)
	if err != nil || v == 0 || strconv.FormatUint(v, 10) != s {
		return "", shopifyError(nil, "%s %s is not a positive whole number", field, quoteClip(s))
	}
	return s, nil
}

// shopifyTime reads an RFC 3339 time and writes it back in UTC.
func shopifyTime(s, field string) (string, error) {
	if strings.TrimSpace(s) == "" {
		return "", shopifyError(nil, "%s is missing", field)
	}
	t, err := time.Parse(time.RFC3339, strings.TrimSpace(s))
	if err != nil {
		return "", shopifyError(err, "%s %s is not an RFC 3339 time such as 2025-01-16T09:41:27-05:00", field, quoteClip(s))
	}
	out, ok := utcRFC3339(t)
	if !ok {
		return "", shopifyError(nil, "%s %s is not a plausible date", field, quoteClip(s))
	}
	return out, nil
}

// utcRFC3339 formats t in UTC, refusing years before 1970 or past 9999 (which RFC 3339 cannot write).
func utcRFC3339(t time.Time) (string, bool) {
	t = t.UTC()
	if t.Year() < 1970 || t.Year() > 9999 {
		return "", false
	}
	return t.Format(time.RFC3339), true
}

// shopMoney reads an amount in the shop currency: the *_set's shop_money when present, else the plain
// field. ok is false when neither is given. A negative amount, a shop_money in another currency, or text
// that is not a decimal of cur is an error.
func shopMoney(set *shopifyMoneySet, plain shopifyDecimal, cur, field string) (minor int64, ok bool, err error) {
	s := strings.TrimSpace(string(plain))
	if set != nil && set.ShopMoney != nil && strings.TrimSpace(string(set.ShopMoney.Amount)) != "" {
		s = strings.TrimSpace(string(set.ShopMoney.Amount))
		if c := set.ShopMoney.CurrencyCode; c != "" && money.NormalizeCurrency(c) != cur {
			return 0, false, shopifyError(nil, "%s is in %s, not the shop currency %s", field, quoteClip(c), cur)
		}
	}
	if s == "" {
		return 0, false, nil
	}
	m, err := money.Parse(s, cur)
	if err != nil {
		return 0, false, shopifyError(err, "%s %s is not an amount of %s", field, quoteClip(s), cur)
	}
	if m.Minor < 0 {
		return 0, false, shopifyError(nil, "%s %s must not be negative", field, quoteClip(s))
	}
	return m.Minor, true, nil
}

func addShopify(a, b int64) (int64, error) {
	s, ok := addMinor(a, b)
	if !ok {
		return 0, shopifyError(nil, "an amount is too large")
	}
	return s, nil
}

// addMinor adds two amounts of minor units, reporting overflow.
func addMinor(a, b int64) (int64, bool) {
	s := a + b
	if (b > 0 && s < a) || (b < 0 && s > a) {
		return 0, false
	}
	return s, true
}

// clickFromLandingSite returns the cv_click parameter of landing_site, which Shopify gives as a path
// with its query ("/products/x?cv_click=…"), as a full URL, or empty.
func clickFromLandingSite(landing string) string {
	landing = strings.TrimSpace(landing)
	if landing == "" {
		return ""
	}
	var query string
	if u, err := url.Parse(landing); err == nil {
		query = u.RawQuery
	} else if _, q, ok := strings.Cut(landing, "?"); ok {
		// Not a URL Go accepts (a stray space or % in the path): its query may still be fine.
		query, _, _ = strings.Cut(q, "#")
	}
	// ParseQuery keeps the parameters it could read even when another one is malformed.
	values, _ := url.ParseQuery(query)
	return values.Get("cv_click")
}

// shopifyClue trims a promo code or click id and refuses one no link or code of ours could be: empty,
// too long, or holding control characters or invalid UTF-8.
func shopifyClue(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if s == "" || len(s) > maxShopifyClueBytes || !utf8.ValidString(s) {
		return "", false
	}
	for _, r := range s {
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
			return "", false
		}
	}
	return s, true
}

// clipText shortens s to at most n bytes on a rune boundary, marking the cut.
func clipText(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

// quoteClip quotes user input for a message, shortened so a megabyte of junk does not reach a log line.
func quoteClip(s string) string { return strconv.Quote(clipText(s, 40)) }
