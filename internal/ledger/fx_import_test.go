package ledger_test

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/uptrace/bun"
	"github.com/xuri/excelize/v2"

	"github.com/caravan-crm/caravan/internal/actor"
	"github.com/caravan-crm/caravan/internal/httpapi/apitest"
	"github.com/caravan-crm/caravan/internal/store/storetest"
)

type obj = map[string]any

func call(t *testing.T, e *apitest.Env, u apitest.User, method, path string, body any, want int) obj {
	t.Helper()
	res := e.Expect(want, apitest.Request{Method: method, Path: path, Body: body, Token: u.Token})
	if len(res.Body) == 0 || res.Body[0] != '{' {
		return nil
	}
	return res.Map(t)
}

func items(l obj) []obj {
	var out []obj
	for _, it := range l["items"].([]any) {
		out = append(out, it.(obj))
	}
	return out
}

// importRates uploads a rate file to POST /api/v1/fx-rates/import (query: "" or "?dry_run=true").
func importRates(t *testing.T, e *apitest.Env, u apitest.User, query, filename string, content []byte, want int) *apitest.Response {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, err := mw.CreateFormFile("file", filename)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = fw.Write(content)
	_ = mw.Close()
	return e.Expect(want, apitest.Request{Method: "POST", Path: "/api/v1/fx-rates/import" + query, Body: body.Bytes(), Token: u.Token,
		Headers: map[string]string{"Content-Type": mw.FormDataContentType()}})
}

func csvFile(t *testing.T, rows [][]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	if err := w.WriteAll(rows); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// novemberRates is a month of daily rates to CNY, the way a bank publishes them: USD at 7.1 plus a
// ten-thousandth per day, EUR at 7.8 plus one per day.
func novemberRates() map[string]string {
	out := map[string]string{}
	for d := 1; d <= 30; d++ {
		day := fmt.Sprintf("2026-11-%02d", d)
		out["USD/"+day] = fmt.Sprintf("7.1%03d", d)
		out["EUR/"+day] = fmt.Sprintf("7.8%03d", d)
	}
	return out
}

// monthCSV is November's rates as CSV in English headers; the base currency column is left out (the
// organization's, CNY) and the dates of the second half are written 2026/11/16, as Chinese banks do.
func monthCSV(t *testing.T) []byte {
	rows := [][]string{{"Date", "Currency", "Rate"}}
	for d := 1; d <= 30; d++ {
		day := fmt.Sprintf("2026-11-%02d", d)
		shown := day
		if d > 15 {
			shown = fmt.Sprintf("2026/11/%02d", d)
		}
		for _, cur := range []string{"USD", "EUR"} {
			rows = append(rows, []string{shown, cur, novemberRates()[cur+"/"+day]})
		}
	}
	return csvFile(t, rows)
}

// monthXLSX is the same month as a workbook with Chinese headers, real date cells and the rates as
// text (a rate typed as a number would lose its trailing zeros in Excel).
func monthXLSX(t *testing.T) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	sh := f.GetSheetName(0)
	dateStyle, err := f.NewStyle(&excelize.Style{NumFmt: 14})
	if err != nil {
		t.Fatal(err)
	}
	for i, h := range []string{"日期", "币种", "本位币", "汇率"} {
		cell, _ := excelize.CoordinatesToCellName(i+1, 1)
		_ = f.SetCellStr(sh, cell, h)
	}
	r := 2
	for d := 1; d <= 30; d++ {
		day := fmt.Sprintf("2026-11-%02d", d)
		for _, cur := range []string{"USD", "EUR"} {
			a, _ := excelize.CoordinatesToCellName(1, r)
			if err := f.SetCellValue(sh, a, time.Date(2026, 11, d, 0, 0, 0, 0, time.UTC)); err != nil {
				t.Fatal(err)
			}
			_ = f.SetCellStyle(sh, a, a, dateStyle)
			_ = f.SetCellStr(sh, fmt.Sprintf("B%d", r), cur)
			_ = f.SetCellStr(sh, fmt.Sprintf("C%d", r), "CNY")
			_ = f.SetCellStr(sh, fmt.Sprintf("D%d", r), novemberRates()[cur+"/"+day])
			r++
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// ratesOf lists u's organization's rates as currency/day → rate.
func ratesOf(t *testing.T, e *apitest.Env, u apitest.User, query string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, r := range items(call(t, e, u, "GET", "/api/v1/fx-rates"+query, nil, http.StatusOK)) {
		if r["base_currency"] != "CNY" && r["base_currency"] != "USD" {
			t.Errorf("rate %v has base %v", r, r["base_currency"])
		}
		out[r["currency"].(string)+"/"+r["on"].(string)] = r["rate"].(string)
	}
	return out
}

// canonical is a decimal rate as the API writes it back: without trailing zeros ("7.1010" is 7.101).
func canonical(rate string) string {
	if strings.Contains(rate, ".") {
		rate = strings.TrimRight(strings.TrimRight(rate, "0"), ".")
	}
	return rate
}

func sameRates(t *testing.T, got, want map[string]string) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%d rates, want %d: %v", len(got), len(want), got)
	}
	for k, v := range want {
		if v = canonical(v); got[k] != v {
			t.Errorf("rate %s = %q, want %q", k, got[k], v)
		}
	}
}

func auditOf(t *testing.T, e *apitest.Env, u apitest.User, action string) []obj {
	t.Helper()
	return items(call(t, e, u, "GET", "/api/v1/audit-log?action="+action, nil, http.StatusOK))
}

func TestAMonthOfRatesImportsFromCSVAndXLSXAndAgainChangesNothing(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, db *bun.DB) {
		e := apitest.New(t, db)
		owner := e.Setup("Ningbo Home", "owner@nb.example") // base CNY
		fin := e.AddUser(owner, "finance@nb.example", actor.RoleFinance)
		want := novemberRates()

		for _, f := range []struct {
			name    string
			content []byte
		}{{"rates-2026-11.csv", monthCSV(t)}, {"汇率 2026-11.xlsx", monthXLSX(t)}} {
			t.Run(f.name, func(t *testing.T) {
				// a dry run checks the whole file and writes nothing
				var dry struct {
					DryRun bool  `json:"dry_run"`
					Rows   int   `json:"rows"`
					Saved  int   `json:"saved"`
					Errors []any `json:"errors"`
				}
				importRates(t, e, fin, "?dry_run=true", f.name, f.content, http.StatusOK).JSON(t, &dry)
				if !dry.DryRun || dry.Rows != 60 || dry.Saved != 0 || len(dry.Errors) != 0 {
					t.Fatalf("dry run = %+v", dry)
				}
				if got := ratesOf(t, e, fin, ""); len(got) != 0 {
					t.Fatalf("a dry run wrote %d rates", len(got))
				}
				if n := len(auditOf(t, e, fin, "fx_rate.import")); n != 0 {
					t.Fatalf("a dry run was audited %d times", n)
				}

				res := importRates(t, e, fin, "", f.name, f.content, http.StatusOK).Map(t)
				if res["dry_run"] != false || res["rows"] != 60.0 || res["saved"] != 60.0 || len(res["errors"].([]any)) != 0 {
					t.Fatalf("import = %v", res)
				}
				sameRates(t, ratesOf(t, e, fin, ""), want)
				sameRates(t, ratesOf(t, e, fin, "?currency=EUR&from=2026-11-16&to=2026-11-16"), map[string]string{"EUR/2026-11-16": "7.8016"})

				// the same file again: the same 60 rates, nothing added
				again := importRates(t, e, fin, "", f.name, f.content, http.StatusOK).Map(t)
				if again["saved"] != 60.0 {
					t.Fatalf("re-import = %v", again)
				}
				sameRates(t, ratesOf(t, e, fin, ""), want)

				// each import is audited with its file and count
				log := auditOf(t, e, owner, "fx_rate.import")
				if len(log) != 2 {
					t.Fatalf("audit entries = %v, want the two imports", log)
				}
				for _, l := range log {
					d := l["details"].(obj)
					if d["file"] != f.name || d["rates"] != 60.0 || l["actor_id"] == nil || l["actor_kind"] != "user" {
						t.Errorf("audit entry = %v", l)
					}
				}
			})
			// the next format starts from nothing
			if _, err := db.NewDelete().TableExpr("fx_rates").Where("1 = 1").Exec(t.Context()); err != nil {
				t.Fatal(err)
			}
			if _, err := db.NewDelete().TableExpr("audit_log").Where("action = ?", "fx_rate.import").Exec(t.Context()); err != nil {
				t.Fatal(err)
			}
		}
	})
}

func TestABadRateRowIsReportedByRowAndColumnAndNothingIsImported(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, db *bun.DB) {
		e := apitest.New(t, db)
		owner := e.Setup("Ningbo Home", "owner@nb.example")
		fin := e.AddUser(owner, "finance@nb.example", actor.RoleFinance)
		file := csvFile(t, [][]string{
			{"Date", "Currency", "Base Currency", "Rate"},
			{"2026-11-01", "USD", "CNY", "7.1"}, // line 2: fine
			{"2026-11-02", "USD", "CNY", "7,1"}, // line 3: a decimal comma
			{"2026-11-03", "USD", "CNY", "7.2"}, // line 4: fine
			{"2026-11-31", "EUR", "CNY", "7.8"}, // line 5: no such day
		})
		// the dry run lists the problems with 200
		dry := importRates(t, e, fin, "?dry_run=true", "rates.csv", file, http.StatusOK).Map(t)
		if errs := dry["errors"].([]any); len(errs) != 2 {
			t.Fatalf("dry run errors = %v", dry)
		}
		// the import refuses the file: 422 in the contract's shape, the problems in details
		res := importRates(t, e, fin, "", "rates.csv", file, http.StatusUnprocessableEntity)
		if code := res.ErrorCode(t); code != "import_failed" {
			t.Fatalf("code = %q: %s", code, res.Body)
		}
		var body struct {
			Error struct {
				Params  map[string]any `json:"params"`
				Details []struct {
					Row     int    `json:"row"`
					Column  string `json:"column"`
					Message string `json:"message"`
				} `json:"details"`
			} `json:"error"`
		}
		res.JSON(t, &body)
		got := map[string]bool{}
		for _, d := range body.Error.Details {
			if d.Message == "" {
				t.Errorf("problem without a message: %+v", d)
			}
			got[fmt.Sprintf("%d/%s", d.Row, d.Column)] = true
		}
		if len(body.Error.Details) != 2 || !got["3/Rate"] || !got["5/Date"] {
			t.Errorf("details = %+v, want row 3 column Rate and row 5 column Date", body.Error.Details)
		}
		if body.Error.Params["rows"] != 4.0 || body.Error.Params["problems"] != 2.0 {
			t.Errorf("params = %v", body.Error.Params)
		}
		if got := ratesOf(t, e, fin, ""); len(got) != 0 {
			t.Errorf("a refused file wrote rates: %v", got)
		}
		if n := len(auditOf(t, e, fin, "fx_rate.import")); n != 0 {
			t.Errorf("a refused file was audited %d times", n)
		}
		// a file without a rate column is refused as a whole
		res = importRates(t, e, fin, "", "rates.csv", csvFile(t, [][]string{{"Date", "Currency"}, {"2026-11-01", "USD"}}), http.StatusUnprocessableEntity)
		if code := res.ErrorCode(t); code != "import_failed" {
			t.Errorf("no rate column: code %q", code)
		}
	})
}

func TestARateInAClosedMonthRefusesTheWholeImport(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, db *bun.DB) {
		e := apitest.New(t, db) // 2026-11-24: October is over and can be closed
		owner := e.Setup("Ningbo Home", "owner@nb.example")
		fin := e.AddUser(owner, "finance@nb.example", actor.RoleFinance)
		call(t, e, fin, "PUT", "/api/v1/fx-rates", obj{"on": "2026-10-31", "currency": "USD", "base_currency": "CNY", "rate": "7.0"}, http.StatusOK)
		call(t, e, fin, "POST", "/api/v1/periods/2026-10/close", nil, http.StatusOK)
		file := csvFile(t, [][]string{
			{"Date", "Currency", "Rate"},
			{"2026-11-01", "USD", "7.1"},
			{"2026-10-31", "USD", "7.05"}, // October is closed: its rates are locked
			{"2026-11-02", "USD", "7.2"},
		})
		// the dry run names the row the import would refuse
		dry := importRates(t, e, fin, "?dry_run=true", "rates.csv", file, http.StatusOK).Map(t)
		if errs := dry["errors"].([]any); len(errs) != 1 || errs[0].(obj)["row"] != 3.0 || errs[0].(obj)["column"] != "Date" {
			t.Errorf("dry run = %v, want an error on row 3, column Date", dry)
		}
		res := importRates(t, e, fin, "", "rates.csv", file, http.StatusConflict)
		if code := res.ErrorCode(t); code != "period_closed" {
			t.Fatalf("code = %q: %s", code, res.Body)
		}
		if p := res.Map(t)["error"].(obj)["params"].(obj); p["period"] != "2026-10" {
			t.Errorf("params = %v", p)
		}
		// nothing of the file was written, not even the November rows before the October one
		sameRates(t, ratesOf(t, e, fin, ""), map[string]string{"USD/2026-10-31": "7.0"})
		if n := len(auditOf(t, e, fin, "fx_rate.import")); n != 0 {
			t.Errorf("a refused import was audited %d times", n)
		}
	})
}

func TestImportedRatesBelongToTheImportingOrganizationOnly(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, db *bun.DB) {
		e := apitest.New(t, db)
		owner := e.Setup("Ningbo Home", "owner@nb.example")
		importRates(t, e, owner, "", "rates.csv", monthCSV(t), http.StatusOK)
		other := e.NewOrg("Yiwu Toys", "owner@yiwu.example") // base USD
		if got := ratesOf(t, e, other, ""); len(got) != 0 {
			t.Fatalf("another organization sees %d rates", len(got))
		}
		if log := auditOf(t, e, other, "fx_rate.import"); len(log) != 0 {
			t.Fatalf("another organization sees the import in its audit log: %v", log)
		}
		// the other organization imports the same days in its own base; neither overwrites the other
		theirs := csvFile(t, [][]string{{"Date", "Currency", "Rate"}, {"2026-11-01", "EUR", "1.16"}, {"2026-11-01", "CNY", "0.1408"}})
		importRates(t, e, other, "", "rates.csv", theirs, http.StatusOK)
		sameRates(t, ratesOf(t, e, other, ""), map[string]string{"EUR/2026-11-01": "1.16", "CNY/2026-11-01": "0.1408"})
		sameRates(t, ratesOf(t, e, owner, ""), novemberRates())
	})
}
