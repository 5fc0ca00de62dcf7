package conversion

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/caravan-crm/caravan/internal/apperr"
	"github.com/caravan-crm/caravan/internal/money"
)

func shopifyFixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "shopify", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// shopifyBody returns the fixture with edit applied to its decoded form; numbers stay exact.
func shopifyBody(t *testing.T, name string, edit func(o map[string]any)) []byte {
	t.Helper()
	d := json.NewDecoder(bytes.NewReader(shopifyFixture(t, name)))
	d.UseNumber()
	var o map[string]any
	if err := d.Decode(&o); err != nil {
		t.Fatal(err)
	}
	edit(o)
	b, err := json.Marshal(o)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func lineItems(o map[string]any) []any { return o["line_items"].([]any) }

func wantInvalidPayload(t *testing.T, err error, contains string) {
	t.Helper()
	ae, ok := apperr.As(err)
	if !ok {
		t.Fatalf("error %v (%T) is not an *apperr.Error", err, err)
	}
	if ae.Kind != apperr.KindValidation || ae.Code != CodeInvalidPayload {
		t.Fatalf("error %+v, want validation invalid_payload", ae)
	}
	if !strings.Contains(ae.Message, contains) {
		t.Fatalf("message %q does not say %q", ae.Message, contains)
	}
}

func ptr[T any](v T) *T { return &v }

func TestShopifyOrderFixtureGivesNetAmountAndAttributionClues(t *testing.T) {
	o, err := ParseShopifyOrder(shopifyFixture(t, "orders-create.json"))
	if err != nil {
		t.Fatal(err)
	}
	want := Order{Input: Input{
		ExternalID:    "5862118367508125371",
		OccurredAt:    "2025-01-16T14:41:27Z",
		Currency:      "USD",
		AmountMinor:   ptr(int64(8097)),
		DiscountMinor: ptr(int64(900)),
		PromoCode:     ptr("LUNA10"),
		ClickID:       ptr("01JHQ3Z8W6XK2M4N5P7R9T0V1B"),
		Items: []Item{
			{SKU: "NB-TEA-POUR-01", Quantity: 1, AmountMinor: 5399},
			{SKU: "NB-TEA-CUP-02", Quantity: 2, AmountMinor: 2698},
		},
	}}
	if !reflect.DeepEqual(o, want) {
		t.Fatalf("order\n got %s\nwant %s", dump(o), dump(want))
	}
}

func TestShopifyRefundFixtureRefundsMerchandiseOnly(t *testing.T) {
	r, err := ParseShopifyRefund(shopifyFixture(t, "refunds-create.json"))
	if err != nil {
		t.Fatal(err)
	}
	want := ShopifyRefund{OrderID: "5862118367508125371", Currency: "USD", Refund: RefundInput{
		ExternalID: "1098462232915", AmountMinor: ptr(int64(1349)), OccurredAt: ptr("2025-02-03T16:02:10Z")}}
	if !reflect.DeepEqual(r, want) {
		t.Fatalf("refund\n got %s\nwant %s", dump(r), dump(want))
	}
}

func dump(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func TestShopifyOrderAmounts(t *testing.T) {
	for _, tc := range []struct {
		name         string
		edit         func(o map[string]any)
		id, currency string
		amount, disc int64
		items        []int64
		canceled     bool
		refunded     *int64
		refundedAt   string
	}{
		{name: "ids beyond 2^53 stay exact", edit: func(o map[string]any) { o["id"] = json.Number("9007199254740993") },
			id: "9007199254740993", currency: "USD", amount: 8097, disc: 900, items: []int64{5399, 2698}},
		{name: "an id sent as a string", edit: func(o map[string]any) { o["id"] = "18446744073709551615" },
			id: "18446744073709551615", currency: "USD", amount: 8097, disc: 900, items: []int64{5399, 2698}},
		{name: "JPY has no decimals", edit: func(o map[string]any) {
			o["currency"] = "JPY"
			o["subtotal_price"], o["total_discounts"] = "8097", "900.00"
			delete(o, "subtotal_price_set")
			lineItems(o)[0].(map[string]any)["price"] = "5999"
			lineItems(o)[1].(map[string]any)["price"] = "1499"
		}, id: "5862118367508125371", currency: "JPY", amount: 8097, disc: 900, items: []int64{5993, 2995}},
		{name: "KWD has three decimals", edit: func(o map[string]any) {
			o["currency"] = "KWD"
			o["subtotal_price_set"] = map[string]any{"shop_money": map[string]any{"amount": "24.690", "currency_code": "KWD"}}
			o["total_discounts"] = "1.5"
			lineItems(o)[0].(map[string]any)["price"] = "12.345"
			lineItems(o)[0].(map[string]any)["discount_allocations"] = []any{}
			lineItems(o)[1].(map[string]any)["price"] = "7.670"
		}, id: "5862118367508125371", currency: "KWD", amount: 24690, disc: 1500, items: []int64{12345, 12340}},
		{name: "the _set's shop money wins over the plain field", edit: func(o map[string]any) {
			o["subtotal_price"] = "99.99"
		}, id: "5862118367508125371", currency: "USD", amount: 8097, disc: 900, items: []int64{5399, 2698}},
		{name: "prices including tax lose it", edit: func(o map[string]any) {
			o["taxes_included"] = true
			o["total_tax"] = "6.48"
			lineItems(o)[0].(map[string]any)["tax_lines"] = []any{map[string]any{"price": "4.32"}}
			lineItems(o)[1].(map[string]any)["tax_lines"] = []any{map[string]any{"price_set": map[string]any{"shop_money": map[string]any{"amount": "2.16", "currency_code": "USD"}}}}
		}, id: "5862118367508125371", currency: "USD", amount: 7449, disc: 900, items: []int64{4967, 2482}},
		{name: "a cancelled order", edit: func(o map[string]any) { o["cancelled_at"] = "2025-01-17T10:00:00-05:00" },
			id: "5862118367508125371", currency: "USD", amount: 8097, disc: 900, items: []int64{5399, 2698}, canceled: true},
		{name: "a voided order", edit: func(o map[string]any) { o["financial_status"] = "voided" },
			id: "5862118367508125371", currency: "USD", amount: 8097, disc: 900, items: []int64{5399, 2698}, canceled: true},
		{name: "refunds listed on the order add up", edit: func(o map[string]any) {
			line := func(amount string) any {
				return map[string]any{"subtotal": json.Number("1.00"), "subtotal_set": map[string]any{"shop_money": map[string]any{"amount": amount, "currency_code": "USD"}}}
			}
			o["refunds"] = []any{
				map[string]any{"id": json.Number("1"), "created_at": "2025-02-03T11:02:10-05:00", "refund_line_items": []any{line("13.49")}},
				map[string]any{"id": json.Number("2"), "created_at": "2025-02-05T11:00:00+08:00", "refund_line_items": []any{line("10.00"), map[string]any{"subtotal": json.Number("5.50")}}},
			}
		}, id: "5862118367508125371", currency: "USD", amount: 8097, disc: 900, items: []int64{5399, 2698},
			refunded: ptr(int64(2899)), refundedAt: "2025-02-05T03:00:00Z"},
		{name: "refunds beyond the net amount are the whole order", edit: func(o map[string]any) {
			o["taxes_included"] = true
			o["refunds"] = []any{map[string]any{"refund_line_items": []any{map[string]any{"subtotal_set": map[string]any{"shop_money": map[string]any{"amount": "80.97", "currency_code": "USD"}}}}}}
		}, id: "5862118367508125371", currency: "USD", amount: 7449, disc: 900, items: []int64{5399, 2698}, refunded: ptr(int64(7449))},
		{name: "a line without a SKU is named by its variant", edit: func(o map[string]any) {
			lineItems(o)[0].(map[string]any)["sku"] = nil
		}, id: "5862118367508125371", currency: "USD", amount: 8097, disc: 900, items: []int64{5399, 2698}},
		{name: "a line edited down to nothing is left out", edit: func(o map[string]any) {
			lineItems(o)[1].(map[string]any)["quantity"] = 0
		}, id: "5862118367508125371", currency: "USD", amount: 8097, disc: 900, items: []int64{5399}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o, err := ParseShopifyOrder(shopifyBody(t, "orders-create.json", tc.edit))
			if err != nil {
				t.Fatal(err)
			}
			in := o.Input
			if in.ExternalID != tc.id || in.Currency != tc.currency || *in.AmountMinor != tc.amount || *in.DiscountMinor != tc.disc {
				t.Fatalf("order %s", dump(o))
			}
			var items []int64
			for _, it := range in.Items {
				items = append(items, it.AmountMinor)
			}
			if !reflect.DeepEqual(items, tc.items) || o.Canceled != tc.canceled || !reflect.DeepEqual(o.RefundedMinor, tc.refunded) || o.RefundedAt != tc.refundedAt {
				t.Fatalf("order %s", dump(o))
			}
		})
	}
}

func TestShopifyVariantNamesALineWithoutSKU(t *testing.T) {
	o, err := ParseShopifyOrder(shopifyBody(t, "orders-create.json", func(o map[string]any) { lineItems(o)[0].(map[string]any)["sku"] = "" }))
	if err != nil || o.Input.Items[0].SKU != "48123456789012" {
		t.Fatalf("%v %s", err, dump(o))
	}
}

func TestShopifyClickIDFromLandingSite(t *testing.T) {
	for landing, want := range map[string]string{
		"https://shop.example.com/products/x?utm_source=tiktok&cv_click=01JHQ3Z8W6XK2M4N5P7R9T0V1B#top": "01JHQ3Z8W6XK2M4N5P7R9T0V1B",
		"/?cv_click=abc%2Ddef":                       "abc-def",
		"/products/bad%zzpath?cv_click=abc&x=%zz":    "abc",
		"shop.example.com/p?cv_click=abc":            "abc",
		"/products/x?utm_source=tiktok":              "",
		"":                                           "",
		"?cv_click=":                                 "",
		"/p?cv_click=" + strings.Repeat("a", 300):    "",
		"/p?cv_click=%00bad":                         "",
		"https://shop.example.com/p?cv_click=a+b+c ": "a b c",
	} {
		o, err := ParseShopifyOrder(shopifyBody(t, "orders-create.json", func(o map[string]any) { o["landing_site"] = landing }))
		if err != nil {
			t.Fatalf("%q: %v", landing, err)
		}
		got := ""
		if o.Input.ClickID != nil {
			got = *o.Input.ClickID
		}
		if got != want {
			t.Errorf("landing_site %q: click %q, want %q", landing, got, want)
		}
	}
	o, err := ParseShopifyOrder(shopifyBody(t, "orders-create.json", func(o map[string]any) { o["landing_site"] = nil; o["discount_codes"] = []any{} }))
	if err != nil || o.Input.ClickID != nil || o.Input.PromoCode != nil {
		t.Fatalf("no clues: %v %s", err, dump(o))
	}
}

func TestShopifyOrderRefusesWhatItCannotRead(t *testing.T) {
	many := make([]any, 1001)
	for i := range many {
		many[i] = map[string]any{"sku": "x", "quantity": 1, "price": "1.00"}
	}
	for _, tc := range []struct {
		name string
		body []byte
		says string
	}{
		{"empty body", nil, "empty"},
		{"bad JSON", []byte(`{"id": 1,`), "not valid JSON"},
		{"trailing garbage", append(shopifyFixture(t, "orders-create.json"), []byte("}")...), "not valid JSON"},
		{"not an object", []byte(`[1,2]`), "must be a JSON object"},
		{"null", []byte(`null`), "id is missing"},
		{"missing id", shopifyBody(t, "orders-create.json", func(o map[string]any) { delete(o, "id") }), "id is missing"},
		{"id 0", shopifyBody(t, "orders-create.json", func(o map[string]any) { o["id"] = 0 }), "not a positive whole number"},
		{"negative id", shopifyBody(t, "orders-create.json", func(o map[string]any) { o["id"] = -5 }), "not a positive whole number"},
		{"fractional id", shopifyBody(t, "orders-create.json", func(o map[string]any) { o["id"] = json.Number("5862118367508125371.0") }), "not a positive whole number"},
		{"exponent id", shopifyBody(t, "orders-create.json", func(o map[string]any) { o["id"] = json.Number("5.8e18") }), "not a positive whole number"},
		{"id as text", shopifyBody(t, "orders-create.json", func(o map[string]any) { o["id"] = "#1042" }), "id \"#1042\" is not a positive whole number"},
		{"id as object", shopifyBody(t, "orders-create.json", func(o map[string]any) { o["id"] = map[string]any{} }), "field id"},
		{"line items as object", shopifyBody(t, "orders-create.json", func(o map[string]any) { o["line_items"] = map[string]any{} }), "line_items"},
		{"quantity as text", shopifyBody(t, "orders-create.json", func(o map[string]any) { lineItems(o)[0].(map[string]any)["quantity"] = "1" }), "quantity"},
		{"fractional quantity", shopifyBody(t, "orders-create.json", func(o map[string]any) { lineItems(o)[0].(map[string]any)["quantity"] = 1.5 }), "quantity"},
		{"negative quantity", shopifyBody(t, "orders-create.json", func(o map[string]any) { lineItems(o)[0].(map[string]any)["quantity"] = -1 }), "quantity must not be negative"},
		{"price as bool", shopifyBody(t, "orders-create.json", func(o map[string]any) { lineItems(o)[0].(map[string]any)["price"] = true }), "field line_items.price is a JSON bool where Shopify sends a decimal string"},
		{"price not a decimal", shopifyBody(t, "orders-create.json", func(o map[string]any) { lineItems(o)[0].(map[string]any)["price"] = "1e3" }), "line_items[0].price"},
		{"negative price", shopifyBody(t, "orders-create.json", func(o map[string]any) { lineItems(o)[0].(map[string]any)["price"] = "-59.99" }), "must not be negative"},
		{"discounts above the line", shopifyBody(t, "orders-create.json", func(o map[string]any) { lineItems(o)[0].(map[string]any)["price"] = "1.00" }), "discounts exceed"},
		{"too many decimals for USD", shopifyBody(t, "orders-create.json", func(o map[string]any) { delete(o, "subtotal_price_set"); o["subtotal_price"] = "80.975" }), "subtotal_price"},
		{"JPY with cents", shopifyBody(t, "orders-create.json", func(o map[string]any) {
			o["currency"] = "JPY"
			delete(o, "subtotal_price_set")
			o["subtotal_price"] = "80.97"
		}), "not an amount of JPY"},
		{"no subtotal", shopifyBody(t, "orders-create.json", func(o map[string]any) { delete(o, "subtotal_price_set"); delete(o, "subtotal_price") }), "no subtotal_price"},
		{"shop money in another currency", shopifyBody(t, "orders-create.json", func(o map[string]any) { o["currency"] = "EUR" }), "not the shop currency EUR"},
		{"unknown currency", shopifyBody(t, "orders-create.json", func(o map[string]any) { o["currency"] = "XYZ" }), "ISO 4217"},
		{"no currency", shopifyBody(t, "orders-create.json", func(o map[string]any) { delete(o, "currency"); delete(o, "subtotal_price_set") }), "ISO 4217"},
		{"bad created_at", shopifyBody(t, "orders-create.json", func(o map[string]any) { o["created_at"] = "16/01/2025" }), "created_at"},
		{"no time at all", shopifyBody(t, "orders-create.json", func(o map[string]any) { delete(o, "created_at"); delete(o, "processed_at") }), "processed_at is missing"},
		{"year 0000", shopifyBody(t, "orders-create.json", func(o map[string]any) { o["created_at"] = "0000-01-01T00:00:00+01:00" }), "plausible"},
		{"tax above the subtotal", shopifyBody(t, "orders-create.json", func(o map[string]any) { o["taxes_included"] = true; o["total_tax"] = "99.00" }), "total_tax"},
		{"too many line items", shopifyBody(t, "orders-create.json", func(o map[string]any) { o["line_items"] = many }), "more than 1000 line items"},
		{"refund in another currency", shopifyBody(t, "orders-create.json", func(o map[string]any) {
			o["refunds"] = []any{map[string]any{"refund_line_items": []any{map[string]any{"subtotal_set": map[string]any{"shop_money": map[string]any{"amount": "1.00", "currency_code": "CAD"}}}}}}
		}), "not the shop currency"},
		{"price × quantity overflows", shopifyBody(t, "orders-create.json", func(o map[string]any) {
			lineItems(o)[0].(map[string]any)["quantity"] = json.Number("9223372036854775807")
		}), "too large"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseShopifyOrder(tc.body)
			wantInvalidPayload(t, err, tc.says)
		})
	}
}

func TestShopifyRefundIDsStayExactAndBadRefundsAreRefused(t *testing.T) {
	r, err := ParseShopifyRefund(shopifyBody(t, "refunds-create.json", func(o map[string]any) {
		o["id"], o["order_id"] = json.Number("9007199254740993"), "9007199254740995"
		delete(o, "created_at")
	}))
	if err != nil || r.Refund.ExternalID != "9007199254740993" || r.OrderID != "9007199254740995" || *r.Refund.OccurredAt != "2025-02-03T16:02:10Z" {
		t.Fatalf("%v %s", err, dump(r))
	}
	r, err = ParseShopifyRefund(shopifyBody(t, "refunds-create.json", func(o map[string]any) {
		o["refund_line_items"] = []any{}
		delete(o, "created_at")
		delete(o, "processed_at")
	}))
	if err != nil || *r.Refund.AmountMinor != 0 || r.Currency != "" || r.Refund.OccurredAt != nil {
		t.Fatalf("a shipping-only refund: %v %s", err, dump(r))
	}
	jpy := map[string]any{"shop_money": map[string]any{"amount": "1500", "currency_code": "jpy"}}
	r, err = ParseShopifyRefund(shopifyBody(t, "refunds-create.json", func(o map[string]any) {
		o["refund_line_items"] = []any{map[string]any{"subtotal_set": jpy}, map[string]any{"subtotal_set": jpy}}
	}))
	if err != nil || *r.Refund.AmountMinor != 3000 || r.Currency != "JPY" {
		t.Fatalf("JPY: %v %s", err, dump(r))
	}

	many := make([]any, 1001)
	for i := range many {
		many[i] = map[string]any{"subtotal_set": jpy}
	}
	for _, tc := range []struct {
		name string
		edit func(o map[string]any)
		says string
	}{
		{"missing id", func(o map[string]any) { delete(o, "id") }, "id is missing"},
		{"missing order id", func(o map[string]any) { delete(o, "order_id") }, "order_id is missing"},
		{"fractional order id", func(o map[string]any) { o["order_id"] = 1.5 }, "order_id"},
		{"only the JSON number subtotal", func(o map[string]any) {
			o["refund_line_items"] = []any{map[string]any{"subtotal": 13.49}}
		}, "subtotal_set.shop_money is missing"},
		{"lines in two currencies", func(o map[string]any) {
			o["refund_line_items"] = append(o["refund_line_items"].([]any), map[string]any{"subtotal_set": jpy})
		}, "in JPY"},
		{"an unknown currency", func(o map[string]any) {
			o["refund_line_items"] = []any{map[string]any{"subtotal_set": map[string]any{"shop_money": map[string]any{"amount": "1", "currency_code": "ABC"}}}}
		}, "ISO 4217"},
		{"a negative line", func(o map[string]any) {
			o["refund_line_items"] = []any{map[string]any{"subtotal_set": map[string]any{"shop_money": map[string]any{"amount": "-1.00", "currency_code": "USD"}}}}
		}, "negative"},
		{"bad created_at", func(o map[string]any) { o["created_at"] = "yesterday" }, "created_at"},
		{"refund lines as text", func(o map[string]any) { o["refund_line_items"] = "none" }, "refund_line_items"},
		{"too many lines", func(o map[string]any) { o["refund_line_items"] = many }, "more than 1000"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseShopifyRefund(shopifyBody(t, "refunds-create.json", tc.edit))
			wantInvalidPayload(t, err, tc.says)
		})
	}
	_, err = ParseShopifyRefund([]byte("{"))
	wantInvalidPayload(t, err, "not valid JSON")
}

func FuzzParseShopifyOrder(f *testing.F) {
	f.Add(shopifyFixture(f, "orders-create.json"))
	f.Add(shopifyFixture(f, "refunds-create.json"))
	f.Add([]byte(`{"id":9007199254740993,"created_at":"2025-01-16T09:41:27Z","currency":"JPY","subtotal_price":"1500","taxes_included":true,"total_tax":"100","landing_site":"https://x.example/?cv_click=a%20b","line_items":[{"quantity":2,"price":"700","tax_lines":[{"price":"100"}]}],"refunds":[{"refund_line_items":[{"subtotal":3}]}]}`))
	f.Add([]byte(`{"id":"1","created_at":"2025-01-16T09:41:27Z","currency":"KWD","subtotal_price_set":{"shop_money":{"amount":"1.234","currency_code":"KWD"}}}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		o, err := ParseShopifyOrder(body)
		if err != nil {
			if ae, ok := apperr.As(err); !ok || ae.Code != CodeInvalidPayload || ae.Message == "" {
				t.Fatalf("error %v is not an invalid_payload", err)
			}
			return
		}
		in := o.Input
		if in.ExternalID == "" || !money.ValidCurrency(in.Currency) || in.AmountMinor == nil || *in.AmountMinor < 0 {
			t.Fatalf("accepted %s", dump(o))
		}
		if in.DiscountMinor == nil || *in.DiscountMinor < 0 || (o.RefundedMinor != nil && (*o.RefundedMinor < 0 || *o.RefundedMinor > *in.AmountMinor)) || len(in.Items) > 1000 {
			t.Fatalf("accepted %s", dump(o))
		}
		for _, it := range in.Items {
			if it.Quantity <= 0 || it.AmountMinor < 0 {
				t.Fatalf("accepted item %+v", it)
			}
		}
	})
}

func FuzzParseShopifyRefund(f *testing.F) {
	f.Add(shopifyFixture(f, "refunds-create.json"))
	f.Add(shopifyFixture(f, "orders-create.json"))
	f.Add([]byte(`{"id":1,"order_id":"18446744073709551615","refund_line_items":[]}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		r, err := ParseShopifyRefund(body)
		if err != nil {
			if ae, ok := apperr.As(err); !ok || ae.Code != CodeInvalidPayload || ae.Message == "" {
				t.Fatalf("error %v is not an invalid_payload", err)
			}
			return
		}
		if r.OrderID == "" || r.Refund.ExternalID == "" || r.Refund.AmountMinor == nil || *r.Refund.AmountMinor < 0 {
			t.Fatalf("accepted %s", dump(r))
		}
		if *r.Refund.AmountMinor > 0 && !money.ValidCurrency(r.Currency) {
			t.Fatalf("accepted %s", dump(r))
		}
	})
}
