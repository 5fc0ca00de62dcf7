package creator_test

import (
	"bytes"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/uptrace/bun"
	"github.com/xuri/excelize/v2"

	"github.com/caravan-crm/caravan/internal/httpapi/apitest"
	"github.com/caravan-crm/caravan/internal/store/storetest"
)

func TestImportReadsPlatformsCountriesStatusesAndRatesAsSellersWriteThem(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, db *bun.DB) {
		e := apitest.New(t, db)
		owner := e.Setup("Ningbo Export", "li@example.com")
		file := xlsxFile(t, []string{"显示名称", "国家", "平台", "账号", "状态", "佣金率"},
			[]any{"Lin", "中国", "小红书", "https://www.xiaohongshu.com/user/profile/5f1a", "合作中", "15%"},
			[]any{"Lin", "中国", "抖音", "lin_dy", "", ""},
			[]any{"Lin", "中国", "B站", "lin_bili", "", ""},
			[]any{"Amy", "美国", "快手", "amy_kwai", "Negotiating", "12.5%"},
			[]any{"Bob", "United States", "YouTube", "https://www.youtube.com/@bob", "", "8"},
			[]any{"Cat", "USA", "X (Twitter)", "cat", "", ""},
			[]any{"Dan", "英国", "RedNote (Xiaohongshu)", "dan", "", ""},
		)
		res := upload(t, e, owner, "", "creators.xlsx", file, http.StatusOK)
		if res["created"].(float64) != 5 || len(res["errors"].([]any)) != 0 {
			t.Fatalf("import = %v", res)
		}
		want := map[string]struct {
			country, status, platforms string
			rate                       float64
		}{
			"Lin": {"CN", "active", "bilibili,douyin,rednote", 1500},
			"Amy": {"US", "negotiating", "kwai", 1250},
			"Bob": {"US", "prospect", "youtube", 800},
			"Cat": {"US", "prospect", "x", -1},
			"Dan": {"GB", "prospect", "rednote", -1},
		}
		for name, w := range want {
			c := items(call(t, e, owner, "GET", "/api/v1/creators?q="+name, nil, http.StatusOK))[0]
			var ps []string
			for _, a := range accounts(c) {
				ps = append(ps, a["platform"].(string))
			}
			rate := float64(-1)
			if c["default_rate_bps"] != nil {
				rate = c["default_rate_bps"].(float64)
			}
			if c["country"] != w.country || c["status"] != w.status || strings.Join(sorted(ps), ",") != w.platforms || rate != w.rate {
				t.Errorf("%s = %v", name, c)
			}
		}
		// A plain number under a bps header stays basis points; a % is a percentage under any header.
		file = xlsxFile(t, []string{"Display Name", "Country", "Handle", "Default Rate (bps)"},
			[]any{"Eve", "DE", "tiktok.com/@eve", "1500"}, []any{"Fay", "FR", "tiktok.com/@fay", "7.5%"})
		upload(t, e, owner, "", "creators.xlsx", file, http.StatusOK)
		for name, bps := range map[string]float64{"Eve": 1500, "Fay": 750} {
			if c := items(call(t, e, owner, "GET", "/api/v1/creators?q="+name, nil, http.StatusOK))[0]; c["default_rate_bps"] != bps {
				t.Errorf("%s's rate = %v, want %v", name, c["default_rate_bps"], bps)
			}
		}
	})
}

func sorted(s []string) []string {
	out := append([]string{}, s...)
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j] < out[i] {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
}

func TestImportProblemsQuoteTheBadCell(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, db *bun.DB) {
		e := apitest.New(t, db)
		owner := e.Setup("Ningbo Export", "li@example.com")
		file := csvFile(t, false,
			[]string{"Display Name", "Country", "Platform", "Handle", "Followers", "Rate"},
			[]string{"A", "Atlantis", "tiktok", "a", "10", ""},
			[]string{"B", "US", "myspace", "b", "lots", "fifteen%"},
		)
		res := upload(t, e, owner, "?dry_run=true", "creators.csv", file, http.StatusOK)
		got := map[string]string{}
		for _, er := range res["errors"].([]any) {
			m := er.(obj)
			got[toString(m["row"])+":"+m["column"].(string)] = m["message"].(string)
		}
		for cell, value := range map[string]string{"2:Country": `"Atlantis"`, "3:Platform": `"myspace"`, "3:Followers": `"lots"`, "3:Rate": `"fifteen%"`} {
			if !strings.Contains(got[cell], value) {
				t.Errorf("the problem at %s must quote %s: %q (all: %v)", cell, value, got[cell], got)
			}
		}
	})
}

func TestTagsKeepTheirCaseAndMatchWhateverTheCase(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, db *bun.DB) {
		e := apitest.New(t, db)
		owner := e.Setup("Ningbo Export", "li@example.com")
		c := newCreator(t, e, owner, obj{"display_name": "Amy", "country": "US", "tags": []string{"Home Decor", "home  decor", "DIY"},
			"accounts": []obj{{"handle": "tiktok.com/@amy"}}})
		if got := strings.Join(toStrings(c["tags"]), ","); got != "DIY,Home Decor" {
			t.Fatalf("tags = %q, want them as typed, once", got)
		}
		for _, q := range []string{"home decor", "HOME DECOR", "Home Decor"} {
			if n := count(t, e, owner, "tag="+url.QueryEscape(q)); n != 1 {
				t.Errorf("tag=%q finds %v creators", q, n)
			}
		}
		id := c["id"].(string)
		// Adding the same tag in another case changes nothing: not a duplicate, not a new spelling.
		up := call(t, e, owner, "PATCH", "/api/v1/creators/"+id, obj{"tags": []string{"Home Decor", "DIY", "home decor"}}, http.StatusOK)
		if got := strings.Join(toStrings(up["tags"]), ","); got != "DIY,Home Decor" || up["version"] != c["version"] {
			t.Fatalf("after adding home decor: %v (version %v → %v)", got, c["version"], up["version"])
		}
		file := xlsxFile(t, []string{"Display Name", "Country", "Handle", "Tags"}, []any{"Amy", "US", "tiktok.com/@amy", "home decor, Kitchen"})
		upload(t, e, owner, "", "creators.xlsx", file, http.StatusOK)
		file = xlsxFile(t, []string{"Display Name", "Country", "Handle", "Tags"}, []any{"Amy", "US", "tiktok.com/@amy", "HOME DECOR; kitchen"})
		upload(t, e, owner, "", "creators.xlsx", file, http.StatusOK)
		got := call(t, e, owner, "GET", "/api/v1/creators/"+id, nil, http.StatusOK)
		if tags := strings.Join(toStrings(got["tags"]), ","); tags != "DIY,Home Decor,Kitchen" {
			t.Fatalf("after imports: %q", tags)
		}
		// Case is folded in every script, on SQLite too (whose lower() knows only ASCII).
		newCreator(t, e, owner, obj{"display_name": "Zoé", "country": "FR", "tags": []string{"Été Sale"}})
		if n := count(t, e, owner, "tag="+url.QueryEscape("ÉTÉ SALE")); n != 1 {
			t.Errorf("tag=ÉTÉ SALE finds %v creators", n)
		}
		// The suggestions count one tag, whatever the spellings of other creators.
		newCreator(t, e, owner, obj{"display_name": "Bob", "country": "US", "tags": []string{"home decor"}})
		sugg := call(t, e, owner, "GET", "/api/v1/creators/tags", nil, http.StatusOK)
		first := items(sugg)[0]
		if first["creators"] != float64(2) || !strings.EqualFold(first["tag"].(string), "home decor") {
			t.Fatalf("suggestions = %v", sugg)
		}
	})
}

func TestExportWritesTheWordsOfItsLanguageAndImportsBack(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, db *bun.DB) {
		e := apitest.New(t, db)
		owner := e.Setup("Ningbo Export", "li@example.com")
		newCreator(t, e, owner, obj{"display_name": "Lin", "country": "CN", "status": "active", "default_rate_bps": 1250,
			"accounts": []obj{{"platform": "rednote", "handle": "5f1a", "followers": 20000}}})
		for lang, want := range map[string]struct {
			sheet, status, tier, platform, account, rateHeader, language string
		}{
			"zh-CN": {"达人", "合作中", "小达人", "小红书", "正常", "默认佣金率", "zh-CN"},
			"en-US": {"Creators", "Active", "Micro", "RedNote (Xiaohongshu)", "Active", "Default Rate", "en-US"},
		} {
			res := e.Expect(http.StatusOK, apitest.Request{Method: "GET", Path: "/api/v1/creators/export.xlsx?lang=" + lang, Token: owner.Token})
			f, err := excelize.OpenReader(bytes.NewReader(res.Body))
			if err != nil {
				t.Fatal(err)
			}
			rows, _ := f.GetRows(want.sheet)
			if len(rows) != 2 {
				t.Fatalf("%s rows = %v", lang, rows)
			}
			col := map[string]string{}
			for i, h := range rows[0] {
				if i < len(rows[1]) {
					col[h] = rows[1][i]
				}
			}
			r := rows[1]
			if r[2] != want.status || r[3] != want.tier || r[4] != want.platform || r[9] != want.account || col[want.rateHeader] != "12.50%" {
				t.Errorf("%s row = %v", lang, col)
			}
			raw, _ := f.GetCellValue(want.sheet, "S2", excelize.Options{RawCellValue: true})
			if rows[0][18] != want.rateHeader || raw != "0.125" {
				t.Errorf("%s rate: header %q, value %q; want a number formatted as a percentage", lang, rows[0][18], raw)
			}
			props, err := f.GetDocProps()
			if err != nil || props.Creator != "Caravan" || props.Title != want.sheet || props.Language != want.language {
				t.Errorf("%s document properties = %+v (%v)", lang, props, err)
			}
			_ = f.Close()
			// The file goes back in as it came out: nothing to change, nothing refused.
			back := upload(t, e, owner, "", "creators.xlsx", res.Body, http.StatusOK)
			if back["skipped"] != float64(1) || back["created"] != float64(0) || len(back["errors"].([]any)) != 0 {
				t.Fatalf("%s re-import = %v", lang, back)
			}
		}
	})
}

func TestPlatformNamesAreTheOnesSellersWrite(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, db *bun.DB) {
		e := apitest.New(t, db)
		owner := e.Setup("Ningbo Export", "li@example.com")
		want := map[string]string{"youtube": "YouTube", "instagram": "Instagram", "facebook": "Facebook", "pinterest": "Pinterest",
			"snapchat": "Snapchat", "x": "X", "twitch": "Twitch", "kwai": "Kwai", "rednote": "小红书", "douyin": "抖音", "bilibili": "哔哩哔哩"}
		for _, p := range items(call(t, e, owner, "GET", "/api/v1/platforms", nil, http.StatusOK)) {
			if w, ok := want[p["platform"].(string)]; ok && p["name_zh"] != w {
				t.Errorf("%s is %q in Chinese, want %q", p["platform"], p["name_zh"], w)
			}
		}
	})
}
