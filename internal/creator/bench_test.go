package creator_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/caravan-crm/caravan/internal/actor"
	"github.com/caravan-crm/caravan/internal/httpapi/apitest"
	"github.com/caravan-crm/caravan/internal/store/storetest"
)

// benchCSV is a creators file of n rows, one account each, over four platforms.
func benchCSV(n, offset int) []byte {
	var b bytes.Buffer
	b.WriteString("显示名称,国家,平台,账号,粉丝数,邮箱,标签\n")
	plats := []string{"tiktok", "youtube", "instagram", "rednote"}
	for i := offset; i < offset+n; i++ {
		fmt.Fprintf(&b, "达人%d Creator%d,US,%s,@user_%d,%d,c%d@example.com,\"beauty,home\"\n", i, i, plats[i%4], i, (i*7919)%2_000_000, i)
	}
	return b.Bytes()
}

// BenchmarkCreatorList measures one page of 50 creators through the whole router on SQLite holding
// 20,000 creators. first_page is the baseline; deep_page starts at row 19,500 (keyset paging should
// cost the same); search_* scan names, e-mails and handles.
func BenchmarkCreatorList(b *testing.B) {
	e := apitest.New(b, storetest.SQLite(b))
	owner := e.Setup("Bench", "bench@example.com")
	p := actor.Actor{OrgID: owner.OrgID, UserID: owner.UserID, Role: actor.RoleOwner}
	data := benchCSV(20_000, 0)
	if res, err := e.Deps.Creators.Import(b.Context(), p, bytes.NewReader(data), int64(len(data)), "bench.csv", false, nil); err != nil || len(res.Errors) > 0 {
		b.Fatalf("import: %v %v", err, res)
	}
	get := func(path string) []byte {
		req := httptest.NewRequest(http.MethodGet, path, nil)
		req.Header.Set("Authorization", "Bearer "+owner.Token)
		rec := httptest.NewRecorder()
		e.Server.Echo.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Fatalf("%s: %d %s", path, rec.Code, rec.Body)
		}
		return rec.Body.Bytes()
	}
	// Walk to row 19,500 of the followers sort.
	cursor := ""
	for i := 0; i < 39; i++ {
		var page struct {
			NextCursor string `json:"next_cursor"`
		}
		_ = json.Unmarshal(get("/api/v1/creators?sort=-followers&limit=500&cursor="+url.QueryEscape(cursor)), &page)
		cursor = page.NextCursor
	}
	for _, c := range []struct{ name, path string }{
		{"first_page", "/api/v1/creators?sort=-followers&limit=50"},
		{"deep_page", "/api/v1/creators?sort=-followers&limit=50&cursor=" + url.QueryEscape(cursor)},
		{"search_handle", "/api/v1/creators?q=@user_12345"},
		{"search_name", "/api/v1/creators?q=" + url.QueryEscape("达人777")},
		{"filter_tag_platform", "/api/v1/creators?tag=beauty&platform=tiktok&limit=50"},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				get(c.path)
			}
		})
	}
}

// BenchmarkCreatorImport measures importing 5,000 new creators (one account each) through the service.
func BenchmarkCreatorImport(b *testing.B) {
	e := apitest.New(b, storetest.SQLite(b))
	owner := e.Setup("Bench", "bench@example.com")
	p := actor.Actor{OrgID: owner.OrgID, UserID: owner.UserID, Role: actor.RoleOwner}
	i := 0
	for b.Loop() {
		data := benchCSV(5_000, i*5_000)
		i++
		res, err := e.Deps.Creators.Import(b.Context(), p, bytes.NewReader(data), int64(len(data)), "bench.csv", false, nil)
		if err != nil || res.Created != 5_000 {
			b.Fatalf("import: %v %+v", err, res)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N)/5, "ms/1k-rows")
}
