package payout_test

import (
	"bytes"
	"encoding/csv"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/uptrace/bun"
	"github.com/xuri/excelize/v2"

	"github.com/caravan-crm/caravan/internal/actor"
	"github.com/caravan-crm/caravan/internal/httpapi/apitest"
	"github.com/caravan-crm/caravan/internal/store/storetest"
)

// payWorld is an organization (CNY, Shanghai) whose creators earn 10 % through promo codes, each
// with different payout details:
//   - Bob, a Chinese bank account number (19 digits) in USD;
//   - Hans, a Wise account given as an IBAN with spaces, in EUR;
//   - Kenji, no payout details at all, only his e-mail, in JPY;
//   - Luna, a PayPal account, in USD.
type payWorld struct {
	e          *apitest.Env
	owner, fin apitest.User
	creators   map[string]string // name → id
	campaign   string
}

func newPayWorld(t *testing.T, db *bun.DB) *payWorld {
	t.Helper()
	e := apitest.New(t, db) // 2026-11-24 09:00 UTC
	w := &payWorld{e: e, creators: map[string]string{}}
	w.owner = e.Setup("Ningbo Home", "owner@nb.example")
	w.fin = e.AddUser(w.owner, "finance@nb.example", actor.RoleFinance)
	cm := call(t, e, w.owner, "POST", "/api/v1/campaigns", obj{"name": "Tea", "starts_on": "2026-11-01", "plan": obj{"type": "percent", "rate_bps": 1000}}, 201)
	w.campaign = cm["id"].(string)
	for _, c := range []obj{
		{"display_name": "Bob", "country": "CN", "email": "bob@example.cn", "payout_method": "bank", "payout_account": "6222021234567890123", "payout_holder": "王波"},
		{"display_name": "Hans", "country": "DE", "payout_method": "wise", "payout_account": "DE89 3704 0044 0532 0130 00", "payout_holder": "Hans Müller"},
		{"display_name": "Kenji", "country": "JP", "email": "kenji@example.jp"},
		{"display_name": "Luna", "country": "US", "payout_method": "paypal", "payout_account": "luna@pay.example", "payout_holder": "Luna Park"},
	} {
		name := c["display_name"].(string)
		c["accounts"] = []obj{{"platform": "tiktok", "handle": "@" + name}}
		id := call(t, e, w.owner, "POST", "/api/v1/creators", c, 201)["id"].(string)
		w.creators[name] = id
		call(t, e, w.owner, "POST", "/api/v1/campaigns/"+w.campaign+"/creators", obj{"creator_id": id}, 201)
		call(t, e, w.owner, "POST", "/api/v1/promo-codes", obj{"code": "CODE" + name, "creator_id": id, "campaign_id": w.campaign}, 201)
	}
	return w
}

// order records an approved order of a creator at a time; its commission is 10 % of amount.
func (w *payWorld) order(t *testing.T, creator, externalID, currency string, amount int64, at string) {
	t.Helper()
	o := call(t, w.e, w.fin, "POST", "/api/v1/conversions", obj{"external_id": externalID, "occurred_at": at, "currency": currency,
		"amount_minor": amount, "promo_code": "CODE" + creator}, 201)
	call(t, w.e, w.fin, "POST", "/api/v1/conversions/"+o["id"].(string)+"/approve", nil, 200)
}

// at moves the clock and signs everyone in again.
func (w *payWorld) at(when time.Time) {
	w.e.Clock.Set(when)
	w.owner, w.fin = w.e.Login(w.owner.Email, apitest.Password), w.e.Login(w.fin.Email, apitest.Password)
}

// closedNovember: every creator earned in November, which finance closed on 2 December.
// Commissions: Bob 60.00 USD, Hans 25.00 EUR, Kenji ¥300, Luna 10.00 USD.
func closedNovember(t *testing.T, db *bun.DB) *payWorld {
	t.Helper()
	w := newPayWorld(t, db)
	w.order(t, "Bob", "B-1", "USD", 60000, "2026-11-20T08:00:00Z")
	w.order(t, "Hans", "H-1", "EUR", 25000, "2026-11-21T08:00:00Z")
	w.order(t, "Kenji", "K-1", "JPY", 3000, "2026-11-22T08:00:00Z")
	w.order(t, "Luna", "L-1", "USD", 10000, "2026-11-23T08:00:00Z")
	w.at(time.Date(2026, 12, 2, 2, 0, 0, 0, time.UTC))
	call(t, w.e, w.fin, "POST", "/api/v1/periods/2026-11/close", nil, 200)
	return w
}

// payouts lists a period's payouts as "creator currency amount" keys → payout.
func (w *payWorld) payouts(t *testing.T, period string) map[string]obj {
	t.Helper()
	names := map[string]string{}
	for n, id := range w.creators {
		names[id] = n
	}
	out := map[string]obj{}
	for _, po := range items(call(t, w.e, w.fin, "GET", "/api/v1/payouts?period="+period, nil, 200)) {
		k := names[po["creator_id"].(string)] + " " + po["currency"].(string)
		if _, dup := out[k]; dup {
			t.Errorf("two payouts of %s in %s", k, period)
		}
		out[k] = po
	}
	return out
}

func TestAPayableUnderTheMinimumIsCarriedOverToALaterPeriodsBatch(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, db *bun.DB) {
		w := closedNovember(t, db)
		e, fin := w.e, w.fin
		// USD payouts under 50.00 wait (the key's case does not matter); yen from ¥100
		call(t, e, fin, "POST", "/api/v1/payouts", obj{"period": "2026-11", "minimums": obj{"usd": 5000, "JPY": 100, "EUR": -1}}, http.StatusUnprocessableEntity)
		batch := call(t, e, fin, "POST", "/api/v1/payouts", obj{"period": "2026-11", "minimums": obj{"usd": 5000, "JPY": 100}}, 201)
		paid := map[string]int64{}
		for _, it := range batch["items"].([]any) {
			po := it.(obj)
			paid[po["creator_name"].(string)+" "+po["currency"].(string)] = num(po["amount_minor"])
		}
		if want := map[string]int64{"Bob USD": 6000, "Hans EUR": 2500, "Kenji JPY": 300}; len(paid) != len(want) || paid["Bob USD"] != 6000 ||
			paid["Hans EUR"] != 2500 || paid["Kenji JPY"] != 300 {
			t.Fatalf("November's payouts = %v, want %v", paid, want)
		}
		carried := batch["carried_over"].([]any)
		if len(carried) != 1 {
			t.Fatalf("carried over = %v, want Luna's 10.00 USD", carried)
		}
		if c := carried[0].(obj); c["creator_id"] != w.creators["Luna"] || c["currency"] != "USD" || num(c["amount_minor"]) != 1000 {
			t.Fatalf("carried over = %v, want Luna's 10.00 USD", c)
		}
		log := items(call(t, e, w.owner, "GET", "/api/v1/audit-log?action=payout.batch", nil, 200))
		if len(log) != 1 {
			t.Fatalf("payout.batch audit = %v", log)
		}
		if d := log[0]["details"].(obj); num(d["payouts"]) != 3 || num(d["carried_over"]) != 1 || num(d["minimums"].(obj)["USD"]) != 5000 {
			t.Errorf("payout.batch details = %v", d)
		}
		// the same batch again, with the same minimum: nothing new, Luna still carried over
		again := call(t, e, fin, "POST", "/api/v1/payouts", obj{"period": "2026-11", "minimums": obj{"USD": 5000}}, 201)
		if len(again["items"].([]any)) != 0 || len(again["carried_over"].([]any)) != 1 {
			t.Fatalf("a second November batch = %v", again)
		}

		// December: Luna earns 5.00 more; once December is closed, its batch pays her both months at once
		w.at(time.Date(2026, 12, 6, 2, 0, 0, 0, time.UTC))
		w.order(t, "Luna", "L-2", "USD", 5000, "2026-12-05T08:00:00Z")
		w.at(time.Date(2027, 1, 2, 2, 0, 0, 0, time.UTC))
		call(t, e, w.fin, "POST", "/api/v1/periods/2026-12/close", nil, 200)
		dec := call(t, e, w.fin, "POST", "/api/v1/payouts", obj{"period": "2026-12"}, 201)
		pos := dec["items"].([]any)
		if len(pos) != 1 || len(dec["carried_over"].([]any)) != 0 {
			t.Fatalf("December's batch = %v, want Luna's payout alone", dec)
		}
		po := pos[0].(obj)
		if po["creator_id"] != w.creators["Luna"] || po["currency"] != "USD" || num(po["amount_minor"]) != 1500 || num(po["entries"]) != 2 ||
			po["period"] != "2026-12" || po["status"] != "pending" {
			t.Fatalf("Luna's December payout = %v, want 15.00 USD over 2 entries", po)
		}
		if nov := w.payouts(t, "2026-11"); len(nov) != 3 || nov["Luna USD"] != nil {
			t.Errorf("November's payouts = %v", nov)
		}
	})
}

func TestTwoBatchesOfTheSamePeriodAtOnceCreateOneSetOfPayouts(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, db *bun.DB) {
		w := closedNovember(t, db)
		const n = 3
		type answer struct {
			status int
			body   []byte
			res    *apitest.Response
		}
		answers := make([]answer, n)
		var start sync.WaitGroup
		start.Add(1)
		var wg sync.WaitGroup
		for i := range answers {
			wg.Go(func() {
				start.Wait()
				res := w.e.Do(apitest.Request{Method: "POST", Path: "/api/v1/payouts", Token: w.fin.Token, Body: obj{"period": "2026-11"}})
				answers[i] = answer{res.Status, res.Body, res}
			})
		}
		start.Done()
		wg.Wait()
		// Each answer is the batch (201), an empty batch (201: another took everything first) or a
		// 409 payouts_in_progress (they collided); together they created each payout once.
		created := map[string]int64{}
		for _, a := range answers {
			t.Logf("answer %d: %.120s", a.status, a.body)
			switch a.status {
			case http.StatusCreated:
				for _, it := range a.res.Map(t)["items"].([]any) {
					po := it.(obj)
					k := po["creator_name"].(string) + " " + po["currency"].(string)
					if _, dup := created[k]; dup {
						t.Errorf("two answers created a payout of %s", k)
					}
					created[k] = num(po["amount_minor"])
				}
			case http.StatusConflict:
				if code := a.res.ErrorCode(t); code != "payouts_in_progress" {
					t.Errorf("409 code = %q: %s", code, a.body)
				}
			default:
				t.Errorf("status %d: %s", a.status, a.body)
			}
		}
		want := map[string]int64{"Bob USD": 6000, "Hans EUR": 2500, "Kenji JPY": 300, "Luna USD": 1000}
		if len(created) != len(want) {
			t.Errorf("the answers created %v, want %v", created, want)
		}
		stored := w.payouts(t, "2026-11")
		if len(stored) != len(want) {
			t.Errorf("stored payouts = %v, want one each of %v", stored, want)
		}
		for k, v := range want {
			if created[k] != v || stored[k] == nil || num(stored[k]["amount_minor"]) != v {
				t.Errorf("%s: answered %d, stored %v, want %d", k, created[k], stored[k], v)
			}
		}
	})
}

// fileOf downloads a payout file.
func (w *payWorld) fileOf(t *testing.T, query string, want int) *apitest.Response {
	t.Helper()
	return w.e.Expect(want, apitest.Request{Method: "GET", Path: "/api/v1/payouts/file?" + query, Token: w.fin.Token})
}

func TestTheGenericPayoutWorkbookHasNumbersForAmountsAndTextForIDsAndAccounts(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, db *bun.DB) {
		w := closedNovember(t, db)
		call(t, w.e, w.fin, "POST", "/api/v1/payouts", obj{"period": "2026-11"}, 201)
		stored := w.payouts(t, "2026-11")
		res := w.fileOf(t, "period=2026-11&format=xlsx", 200)
		if ct := res.Header.Get("Content-Type"); ct != "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" {
			t.Errorf("content type %q", ct)
		}
		if cd := res.Header.Get("Content-Disposition"); cd != `attachment; filename="payouts-2026-11.xlsx"` {
			t.Errorf("content disposition %q", cd)
		}
		f, err := excelize.OpenReader(bytes.NewReader(res.Body))
		if err != nil {
			t.Fatalf("not a workbook: %v", err)
		}
		defer f.Close()
		const sh = "Payouts"
		rows, err := f.GetRows(sh, excelize.Options{RawCellValue: true})
		if err != nil {
			t.Fatal(err)
		}
		if want := []string{"Payout ID", "Creator", "Country", "Method", "Account", "Account holder", "Email", "Currency", "Amount",
			"Period", "Payment reference", "Status", "Paid on", "Reference", "Creator ID"}; !slices.Equal(rows[0], want) {
			t.Fatalf("headers = %v", rows[0])
		}
		if len(rows) != 1+4 {
			t.Fatalf("%d rows, want the 4 payouts: %v", len(rows)-1, rows)
		}
		cellType := func(ref string) excelize.CellType {
			typ, err := f.GetCellType(sh, ref)
			if err != nil {
				t.Fatal(err)
			}
			return typ
		}
		numFmt := func(ref string) string {
			id, _ := f.GetCellStyle(sh, ref)
			st, err := f.GetStyle(id)
			if err != nil || st.CustomNumFmt == nil {
				return ""
			}
			return *st.CustomNumFmt
		}
		reference := regexp.MustCompile(`^CARAVAN 2026-11 [0-9A-F]{8}$`)
		for i, c := range []struct {
			name, country, method, account, holder, email, currency, amount, amountFmt string
		}{ // sorted by creator
			{"Bob", "CN", "bank", "6222021234567890123", "王波", "bob@example.cn", "USD", "60", "0.00"},
			{"Hans", "DE", "wise", "DE89 3704 0044 0532 0130 00", "Hans Müller", "", "EUR", "25", "0.00"},
			{"Kenji", "JP", "", "", "", "kenji@example.jp", "JPY", "300", "0"},
			{"Luna", "US", "paypal", "luna@pay.example", "Luna Park", "", "USD", "10", "0.00"},
		} {
			r := rows[i+1]
			for len(r) < 15 {
				r = append(r, "")
			}
			line := strconv.Itoa(i + 2)
			po := stored[c.name+" "+c.currency]
			if po == nil || r[0] != po["id"] || r[14] != po["creator_id"] {
				t.Errorf("row %s payout id = %q, creator id = %q, want %v", line, r[0], r[14], po)
			}
			if got := []string{r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], r[9], r[11], r[12], r[13]}; !slices.Equal(got,
				[]string{c.name, c.country, c.method, c.account, c.holder, c.email, c.currency, c.amount, "2026-11", "pending", "", ""}) {
				t.Errorf("row %s = %v", line, r)
			}
			if !reference.MatchString(r[10]) {
				t.Errorf("row %s payment reference = %q", line, r[10])
			}
			// the amount is a number with the currency's decimals; the payout id and the account are text
			if typ := cellType("I" + line); typ != excelize.CellTypeUnset && typ != excelize.CellTypeNumber {
				t.Errorf("I%s (amount) type = %v, want a number", line, typ)
			}
			if got := numFmt("I" + line); got != c.amountFmt {
				t.Errorf("I%s number format = %q, want %q", line, got, c.amountFmt)
			}
			if typ := cellType("A" + line); typ != excelize.CellTypeInlineString || numFmt("A"+line) != "@" {
				t.Errorf("A%s (payout id) type = %v, format %q: want text", line, typ, numFmt("A"+line))
			}
			if c.account != "" {
				if typ := cellType("E" + line); typ != excelize.CellTypeInlineString || numFmt("E"+line) != "@" {
					t.Errorf("E%s (account %s) type = %v, format %q: want text", line, c.account, typ, numFmt("E"+line))
				}
			}
		}
	})
}

func TestTheWiseFileNamesEachRecipientByIBANAccountNumberOrEmail(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, db *bun.DB) {
		w := closedNovember(t, db)
		call(t, w.e, w.fin, "POST", "/api/v1/payouts", obj{"period": "2026-11"}, 201)
		stored := w.payouts(t, "2026-11")
		res := w.fileOf(t, "period=2026-11&format=wise", 200)
		if cd := res.Header.Get("Content-Disposition"); cd != `attachment; filename="payouts-2026-11-wise.csv"` {
			t.Errorf("content disposition %q", cd)
		}
		rows, err := csv.NewReader(bytes.NewReader(res.Body)).ReadAll()
		if err != nil {
			t.Fatalf("not CSV: %v\n%s", err, res.Body)
		}
		if want := []string{"name", "recipientEmail", "paymentReference", "receiverType", "amountCurrency", "amount", "sourceCurrency",
			"targetCurrency", "IBAN", "accountNumber", "type"}; !slices.Equal(rows[0], want) {
			t.Fatalf("header = %v", rows[0])
		}
		ref := func(name, currency string) string {
			id := stored[name+" "+currency]["id"].(string)
			return "CARAVAN 2026-11 " + strings.ToUpper(id[len(id)-8:])
		}
		want := [][]string{
			// a bank account number, spaces and all, goes to accountNumber; the creator's e-mail stays
			{"王波", "bob@example.cn", ref("Bob", "USD"), "PERSON", "target", "60.00", "USD", "USD", "", "6222021234567890123", ""},
			// an IBAN, written with spaces, goes to IBAN without them
			{"Hans Müller", "", ref("Hans", "EUR"), "PERSON", "target", "25.00", "EUR", "EUR", "DE89370400440532013000", "", ""},
			// no payout account: Wise asks the recipient by e-mail, at the creator's address
			{"Kenji", "kenji@example.jp", ref("Kenji", "JPY"), "PERSON", "target", "300", "JPY", "JPY", "", "", "EMAIL"},
			// a PayPal (e-mail) account: the same, at the account's address
			{"Luna Park", "luna@pay.example", ref("Luna", "USD"), "PERSON", "target", "10.00", "USD", "USD", "", "", "EMAIL"},
		}
		if !slices.EqualFunc(rows[1:], want, slices.Equal) {
			t.Errorf("Wise rows:\n got %q\nwant %q", rows[1:], want)
		}
	})
}

func TestAPayPalFileTakesOneCurrency(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, db *bun.DB) {
		w := closedNovember(t, db)
		call(t, w.e, w.fin, "POST", "/api/v1/payouts", obj{"period": "2026-11"}, 201)
		// USD, EUR and JPY payouts, and no currency chosen: 422 on the currency parameter
		res := w.fileOf(t, "period=2026-11&format=paypal", http.StatusUnprocessableEntity)
		if code := res.ErrorCode(t); code != "validation_failed" {
			t.Errorf("code = %q: %s", code, res.Body)
		}
		if f := res.Map(t)["error"].(obj)["fields"].(obj); f["currency"] == nil {
			t.Errorf("fields = %v, want currency", f)
		}
		if cd := res.Header.Get("Content-Disposition"); cd != "" {
			t.Errorf("an error answer names a file: %q", cd)
		}
		// one currency: its payouts alone, no header, PayPal's six columns
		res = w.fileOf(t, "period=2026-11&format=paypal&currency=usd", 200)
		if cd := res.Header.Get("Content-Disposition"); cd != `attachment; filename="payouts-2026-11-paypal-USD.csv"` {
			t.Errorf("content disposition %q", cd)
		}
		rows, err := csv.NewReader(bytes.NewReader(res.Body)).ReadAll()
		if err != nil {
			t.Fatalf("not CSV: %v\n%s", err, res.Body)
		}
		if len(rows) != 2 {
			t.Fatalf("rows = %q, want Bob's and Luna's USD payouts", rows)
		}
		// Bob has no PayPal account: his e-mail is the recipient; Luna's PayPal account is hers
		for i, want := range [][]string{{"bob@example.cn", "60.00", "USD"}, {"luna@pay.example", "10.00", "USD"}} {
			r := rows[i]
			if len(r) != 6 || !slices.Equal(r[:3], want) || len(r[3]) != 30 || r[5] != "PAYPAL" {
				t.Errorf("row %d = %q, want %v…", i, r, want)
			}
		}
		// the yen file: amounts without decimals
		res = w.fileOf(t, "period=2026-11&format=paypal&currency=JPY", 200)
		if rows, _ := csv.NewReader(bytes.NewReader(res.Body)).ReadAll(); len(rows) != 1 || rows[0][1] != "300" {
			t.Errorf("JPY file = %q", rows)
		}
	})
}
