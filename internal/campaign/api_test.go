package campaign_test

import (
	"bytes"
	"context"
	"mime/multipart"
	"net/http"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/caravan-crm/caravan/internal/httpapi/apitest"
	"github.com/caravan-crm/caravan/internal/store/storetest"
)

type obj = map[string]any

func call(t *testing.T, e *apitest.Env, u apitest.User, method, path string, body any, want int) obj {
	t.Helper()
	res := e.Expect(want, apitest.Request{Method: method, Path: path, Body: body, Token: u.Token})
	if len(res.Body) == 0 {
		return nil
	}
	return res.Map(t)
}

// fieldError sends a request that must answer 422 and returns the message for field.
func fieldError(t *testing.T, e *apitest.Env, u apitest.User, method, path string, body any, field string) string {
	t.Helper()
	res := e.Expect(http.StatusUnprocessableEntity, apitest.Request{Method: method, Path: path, Body: body, Token: u.Token})
	var eb struct {
		Error struct {
			Fields map[string]string `json:"fields"`
		} `json:"error"`
	}
	res.JSON(t, &eb)
	if eb.Error.Fields[field] == "" {
		t.Fatalf("%s %s: want a message for %s: %s", method, path, field, res.Body)
	}
	return eb.Error.Fields[field]
}

func items(l obj) []obj {
	var out []obj
	for _, it := range l["items"].([]any) {
		out = append(out, it.(obj))
	}
	return out
}

func newCreator(t *testing.T, e *apitest.Env, u apitest.User, name string) (id, accountID string) {
	t.Helper()
	c := call(t, e, u, "POST", "/api/v1/creators", obj{"display_name": name, "country": "US",
		"accounts": []obj{{"platform": "tiktok", "handle": "@" + name}}}, http.StatusCreated)
	return c["id"].(string), c["accounts"].([]any)[0].(obj)["id"].(string)
}

func newCampaign(t *testing.T, e *apitest.Env, u apitest.User, body obj) obj {
	t.Helper()
	if body["plan"] == nil {
		body["plan"] = obj{"type": "percent", "rate_bps": 1000}
	}
	if body["starts_on"] == nil {
		body["starts_on"] = "2026-12-01"
	}
	return call(t, e, u, "POST", "/api/v1/campaigns", body, http.StatusCreated)
}

func TestProductSKUIsUniquePerOrganizationWhateverItsCase(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, db *bun.DB) {
		e := apitest.New(t, db)
		u := e.Setup("Ningbo Export", "li@example.com")
		p := call(t, e, u, "POST", "/api/v1/products", obj{"sku": " LAMP-01 ", "name": "Desk lamp", "name_zh": "台灯", "price_minor": 1999,
			"currency": "usd", "rate_bps": 1500, "url": "https://shop.example/lamp"}, http.StatusCreated)
		if p["sku"] != "LAMP-01" || p["currency"] != "USD" || p["rate_bps"] != float64(1500) {
			t.Fatalf("product = %v", p)
		}
		res := e.Expect(http.StatusConflict, apitest.Request{Method: "POST", Path: "/api/v1/products", Token: u.Token,
			Body: obj{"sku": "lamp-01", "name": "Copy", "price_minor": 1, "currency": "USD"}})
		if res.ErrorCode(t) != "sku_taken" {
			t.Fatalf("duplicate SKU: %s", res.Body)
		}
		call(t, e, u, "POST", "/api/v1/products", obj{"sku": "MUG-7", "name": "Mug", "price_minor": 500, "currency": "JPY"}, http.StatusCreated)
		fieldError(t, e, u, "POST", "/api/v1/products", obj{"sku": "X", "name": "X", "price_minor": -1, "currency": "USD"}, "price_minor")
		fieldError(t, e, u, "POST", "/api/v1/products", obj{"sku": "X", "name": "X", "price_minor": 1, "currency": "ZZZ"}, "currency")
		fieldError(t, e, u, "POST", "/api/v1/products", obj{"sku": "X", "name": "X", "price_minor": 1, "currency": "USD", "rate_bps": 10001}, "rate_bps")

		if l := call(t, e, u, "GET", "/api/v1/products?q=台灯", nil, 200); l["total"] != float64(1) {
			t.Fatalf("q by Chinese name: %v", l)
		}
		if l := call(t, e, u, "GET", "/api/v1/products?q=mug", nil, 200); l["total"] != float64(1) || items(l)[0]["sku"] != "MUG-7" {
			t.Fatalf("q by SKU: %v", l)
		}
		p1 := call(t, e, u, "GET", "/api/v1/products?limit=1", nil, 200)
		p2 := call(t, e, u, "GET", "/api/v1/products?limit=1&cursor="+p1["next_cursor"].(string), nil, 200)
		if items(p1)[0]["sku"] != "LAMP-01" || items(p2)[0]["sku"] != "MUG-7" || p2["next_cursor"] != nil {
			t.Fatalf("pages: %v / %v", p1, p2)
		}

		id := p["id"].(string)
		e.Clock.Advance(time.Hour)
		u = e.Login(u.Email, apitest.Password)
		up := call(t, e, u, "PATCH", "/api/v1/products/"+id, obj{"rate_bps": nil, "name_zh": nil, "price_minor": 2099}, 200)
		if up["rate_bps"] != nil || up["name_zh"] != nil || up["price_minor"] != float64(2099) || up["version"] != float64(2) {
			t.Fatalf("patched = %v", up)
		}
		fieldError(t, e, u, "PATCH", "/api/v1/products/"+id, obj{"name": nil}, "name")
		// the rate in force before the change stays in force for earlier instants
		ctx := context.Background()
		before, _ := e.Deps.Campaigns.ProductRateAt(ctx, u.OrgID, "lamp-01", e.Clock.Now().Add(-time.Minute))
		now, _ := e.Deps.Campaigns.ProductRateAt(ctx, u.OrgID, "LAMP-01", e.Clock.Now())
		if before == nil || *before != 1500 || now != nil {
			t.Fatalf("product rate history: before %v, now %v", before, now)
		}

		// a product in a campaign cannot go
		newCampaign(t, e, u, obj{"name": "Launch", "product_ids": []string{id}})
		res = e.Expect(http.StatusConflict, apitest.Request{Method: "DELETE", Path: "/api/v1/products/" + id, Token: u.Token})
		if res.ErrorCode(t) != "product_in_use" {
			t.Fatalf("delete in use: %s", res.Body)
		}
		mug := items(call(t, e, u, "GET", "/api/v1/products?q=mug", nil, 200))[0]["id"].(string)
		call(t, e, u, "DELETE", "/api/v1/products/"+mug, nil, http.StatusNoContent)
		call(t, e, u, "GET", "/api/v1/products/"+mug, nil, http.StatusNotFound)

		// another organization may use the same SKU
		b := e.NewOrg("Yiwu Trading", "zhao@example.com")
		call(t, e, b, "POST", "/api/v1/products", obj{"sku": "LAMP-01", "name": "Their lamp", "price_minor": 1, "currency": "USD"}, http.StatusCreated)
	})
}

func upload(t *testing.T, e *apitest.Env, u apitest.User, query string, content []byte, want int) *apitest.Response {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, _ := mw.CreateFormFile("file", "products.csv")
	_, _ = fw.Write(content)
	_ = mw.Close()
	return e.Expect(want, apitest.Request{Method: "POST", Path: "/api/v1/products/import" + query, Body: body.Bytes(), Token: u.Token,
		Headers: map[string]string{"Content-Type": mw.FormDataContentType()}})
}

func TestProductImportIsAllOrNothingWithChineseHeaders(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, db *bun.DB) {
		e := apitest.New(t, db)
		u := e.Setup("Ningbo Export", "li@example.com")
		call(t, e, u, "POST", "/api/v1/products", obj{"sku": "LAMP-01", "name": "Lamp", "price_minor": 1000, "currency": "USD"}, http.StatusCreated)
		good := []byte("货号,商品名称,中文名称,价格,币种,佣金(基点)\nlamp-01,Lamp,台灯,19.99,USD,1200\nMUG-7,Mug,马克杯,500,JPY,\n")
		dry := upload(t, e, u, "?dry_run=true", good, 200).Map(t)
		if dry["created"] != float64(1) || dry["updated"] != float64(1) || len(dry["errors"].([]any)) != 0 {
			t.Fatalf("dry run = %v", dry)
		}
		if l := call(t, e, u, "GET", "/api/v1/products", nil, 200); l["total"] != float64(1) {
			t.Fatal("a dry run wrote products")
		}
		bad := []byte("SKU,Name,Price,Currency\nA-1,Alpha,1.00,USD\nB-2,,abc,USD\nA-1,Again,2.00,USD\n")
		res := upload(t, e, u, "", bad, http.StatusUnprocessableEntity)
		if res.ErrorCode(t) != "import_failed" || !bytes.Contains(res.Body, []byte(`"row":3`)) || !bytes.Contains(res.Body, []byte(`"row":4`)) {
			t.Fatalf("bad file: %s", res.Body)
		}
		if l := call(t, e, u, "GET", "/api/v1/products", nil, 200); l["total"] != float64(1) {
			t.Fatal("a refused import wrote products")
		}
		done := upload(t, e, u, "", good, 200).Map(t)
		if done["created"] != float64(1) || done["updated"] != float64(1) {
			t.Fatalf("import = %v", done)
		}
		l := call(t, e, u, "GET", "/api/v1/products", nil, 200)
		if lamp := items(l)[0]; lamp["sku"] != "lamp-01" || lamp["price_minor"] != float64(1999) || lamp["name_zh"] != "台灯" || lamp["rate_bps"] != float64(1200) {
			t.Fatalf("updated lamp = %v", lamp)
		}
		if again := upload(t, e, u, "", good, 200).Map(t); again["skipped"] != float64(2) {
			t.Fatalf("re-import = %v", again)
		}
	})
}
