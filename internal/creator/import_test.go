package creator_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"mime/multipart"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/uptrace/bun"
	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/caravan-crm/caravan/internal/actor"
	"github.com/caravan-crm/caravan/internal/apperr"
	"github.com/caravan-crm/caravan/internal/auth"
	"github.com/caravan-crm/caravan/internal/creator"
	"github.com/caravan-crm/caravan/internal/httpapi/apitest"
	"github.com/caravan-crm/caravan/internal/sheet"
	"github.com/caravan-crm/caravan/internal/store"
	"github.com/caravan-crm/caravan/internal/store/storetest"
)

func xlsxFile(t *testing.T, headers []string, rows ...[]any) []byte {
	t.Helper()
	var buf bytes.Buffer
	w, err := sheet.NewWriter(&buf, "Sheet1", headers)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		if err := w.Row(r...); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func csvFile(t *testing.T, gb18030 bool, rows ...[]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	_ = w.WriteAll(rows)
	if !gb18030 {
		return buf.Bytes()
	}
	out, err := simplifiedchinese.GB18030.NewEncoder().Bytes(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func upload(t *testing.T, e *apitest.Env, u apitest.User, query, filename string, content []byte, want int) obj {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, _ := mw.CreateFormFile("file", filename)
	_, _ = fw.Write(content)
	_ = mw.Close()
	res := e.Expect(want, apitest.Request{Method: "POST", Path: "/api/v1/creators/import" + query, Body: body.Bytes(), Token: u.Token,
		Headers: map[string]string{"Content-Type": mw.FormDataContentType()}})
	return res.Map(t)
}

func count(t *testing.T, e *apitest.Env, u apitest.User, query string) float64 {
	t.Helper()
	return call(t, e, u, "GET", "/api/v1/creators?"+query, nil, http.StatusOK)["total"].(float64)
}

func TestImportMergesRowsOfACreatorAndUpsertsByHandle(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, db *bun.DB) {
		e := apitest.New(t, db)
		owner := e.Setup("Ningbo Export", "li@example.com")
		call(t, e, owner, "POST", "/api/v1/agencies", obj{"name": "Star MCN", "country": "US"}, http.StatusCreated)
		existing := newCreator(t, e, owner, obj{"display_name": "Old Friend", "country": "US", "tags": []string{"vip"},
			"accounts": []obj{{"platform": "tiktok", "handle": "oldfriend", "followers": 100}}})

		file := xlsxFile(t, []string{"Display Name", "Country", "Platform", "Handle", "Followers", "Email", "Tags", "Agency", "Something Else"},
			[]any{"Mary Jane", "US", "tiktok", "@MaryJ", 120000, "mary@example.com", "beauty", "star mcn", "ignored"},
			[]any{"Mary Jane", "us", "", "https://www.instagram.com/mary.j/", 8000, "", "skin care", "", ""},
			[]any{"Old Friend", "US", "", "tiktok.com/@OldFriend", 5000, "", "beauty", "", ""},
			[]any{"Bob", "GB", "youtube", "bobtube", 10, "", "", "", ""},
		)
		dry := upload(t, e, owner, "?dry_run=true", "creators.xlsx", file, http.StatusOK)
		if dry["created"].(float64) != 2 || dry["updated"].(float64) != 1 || dry["skipped"].(float64) != 0 || len(dry["errors"].([]any)) != 0 {
			t.Fatalf("dry run = %v", dry)
		}
		if count(t, e, owner, "") != 1 {
			t.Fatal("a dry run wrote creators")
		}
		res := upload(t, e, owner, "", "creators.xlsx", file, http.StatusOK)
		if res["created"].(float64) != 2 || res["updated"].(float64) != 1 {
			t.Fatalf("import = %v", res)
		}
		l := call(t, e, owner, "GET", "/api/v1/creators?q=mary", nil, http.StatusOK)
		mary := items(l)[0]
		if len(accounts(mary)) != 2 || mary["email"] != "mary@example.com" || mary["agency_id"] == nil || mary["tier"] != "mid" {
			t.Fatalf("mary = %v", mary)
		}
		// The timeline of an imported creator: one created event naming the accounts it came with,
		// as for a creator added through the API.
		tl := items(call(t, e, owner, "GET", "/api/v1/creators/"+mary["id"].(string)+"/timeline", nil, http.StatusOK))
		if len(tl) != 1 || tl[0]["kind"] != "created" {
			t.Fatalf("an imported creator's timeline = %v", tl)
		}
		var came []string
		for _, a := range tl[0]["data"].(obj)["accounts"].([]any) {
			a := a.(obj)
			came = append(came, fmt.Sprint(a["platform"], " @", a["handle"], " ", a["followers"]))
		}
		if got := strings.Join(came, ", "); got != "tiktok @maryj 120000, instagram @mary.j 8000" {
			t.Fatalf("the created event's accounts = %s", got)
		}
		old := call(t, e, owner, "GET", "/api/v1/creators/"+existing["id"].(string), nil, http.StatusOK)
		if accounts(old)[0]["followers"].(float64) != 5000 || strings.Join(toStrings(old["tags"]), ",") != "beauty,vip" {
			t.Fatalf("the existing creator must be updated through its handle: %v", old)
		}
		// the same file again changes nothing
		again := upload(t, e, owner, "", "creators.xlsx", file, http.StatusOK)
		if again["created"].(float64) != 0 || again["updated"].(float64) != 0 || again["skipped"].(float64) != 3 {
			t.Fatalf("re-import = %v", again)
		}
		if count(t, e, owner, "") != 3 {
			t.Fatal("a re-import duplicated creators")
		}
	})
}

func toStrings(v any) []string {
	var out []string
	for _, x := range v.([]any) {
		out = append(out, x.(string))
	}
	return out
}

func TestImportReadsChineseHeadersInAGB18030CSV(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, db *bun.DB) {
		e := apitest.New(t, db)
		owner := e.Setup("Ningbo Export", "li@example.com")
		file := csvFile(t, true,
			[]string{"显示名称", "国家", "平台", "账号", "粉丝数", "微信", "状态", "标签"},
			[]string{"李佳琦", "CN", "rednote", "https://www.xiaohongshu.com/user/profile/5f1a2b3c", "1,200,000", "lijiaqi_wx", "合作中", "美妆、直播"},
			[]string{"李佳琦", "CN", "抖音", "", "", "", "", ""},
		)
		res := upload(t, e, owner, "?dry_run=true", "达人.csv", file, http.StatusOK)
		errs := res["errors"].([]any)
		if len(errs) != 1 { // 抖音 is douyin, but the handle is empty
			t.Fatalf("dry run errors = %v", res)
		}
		for _, er := range errs {
			if er.(obj)["row"].(float64) != 3 {
				t.Fatalf("errors must point at row 3: %v", errs)
			}
		}
		file = csvFile(t, true,
			[]string{"显示名称", "国家", "平台", "账号", "粉丝数", "微信", "状态", "标签"},
			[]string{"李佳琦", "CN", "rednote", "https://www.xiaohongshu.com/user/profile/5f1a2b3c", "1,200,000", "lijiaqi_wx", "合作中", "美妆、直播"},
			[]string{"李佳琦", "CN", "douyin", "https://www.douyin.com/user/MS4wLj", "", "", "", ""},
		)
		res = upload(t, e, owner, "", "达人.csv", file, http.StatusOK)
		if res["created"].(float64) != 1 {
			t.Fatalf("import = %v", res)
		}
		c := items(call(t, e, owner, "GET", "/api/v1/creators?q=%E6%9D%8E", nil, http.StatusOK))[0]
		if c["display_name"] != "李佳琦" || c["status"] != "active" || c["wechat"] != "lijiaqi_wx" || c["tier"] != "mega" || len(accounts(c)) != 2 ||
			strings.Join(toStrings(c["tags"]), ",") != "直播,美妆" {
			t.Fatalf("imported = %v", c)
		}
	})
}

func TestImportWithABadRowWritesNothing(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, db *bun.DB) {
		e := apitest.New(t, db)
		owner := e.Setup("Ningbo Export", "li@example.com")
		file := csvFile(t, false,
			[]string{"Display Name", "Country", "Platform", "Handle", "Followers", "Payout Currency"},
			[]string{"Good One", "US", "tiktok", "good1", "10", "USD"},
			[]string{"Bad Country", "Atlantis", "tiktok", "bad", "10", ""},
			[]string{"Good Two", "US", "tiktok", "@GOOD1", "10", ""},
			[]string{"Bad Money", "US", "x", "money", "lots", "dollars"},
		)
		// A refused import is an error in the contract's one shape: its problems are the details.
		refused := upload(t, e, owner, "", "creators.csv", file, http.StatusUnprocessableEntity)["error"].(obj)
		if refused["code"] != "import_failed" || refused["request_id"] == "" || refused["params"].(obj)["problems"] != float64(4) {
			t.Fatalf("refused import = %v", refused)
		}
		res := obj{"errors": refused["details"]}
		got := map[string]bool{}
		for _, er := range res["errors"].([]any) {
			m := er.(obj)
			got[strings.Join([]string{toString(m["row"]), m["column"].(string)}, ":")] = true
		}
		for _, want := range []string{"3:Country", "4:Handle", "5:Followers", "5:Payout Currency"} {
			if !got[want] {
				t.Errorf("missing error %s in %v", want, res["errors"])
			}
		}
		if count(t, e, owner, "") != 0 {
			t.Fatal("a refused import wrote creators")
		}
		// The dry run of the same file lists the same problems and counts what the good rows would do.
		dry := upload(t, e, owner, "?dry_run=true", "creators.csv", file, http.StatusOK)
		if len(dry["errors"].([]any)) != len(res["errors"].([]any)) || dry["created"].(float64) != 1 || dry["updated"].(float64) != 0 {
			t.Fatalf("dry run with problems = %v", dry)
		}
		if count(t, e, owner, "") != 0 {
			t.Fatal("a dry run wrote creators")
		}
		// a missing required column is reported on the header row
		res = upload(t, e, owner, "?dry_run=true", "creators.csv", csvFile(t, false, []string{"Name", "Platform"}, []string{"x", "tiktok"}), http.StatusOK)
		if len(res["errors"].([]any)) != 2 {
			t.Fatalf("missing columns = %v", res)
		}
		// a file that is not a spreadsheet is a clear error in the contract's shape
		r := e.Expect(http.StatusUnprocessableEntity, apitest.Request{Method: "POST", Path: "/api/v1/creators/import", Token: owner.Token,
			Body: multipartBody(t, "x.xlsx", []byte("PK\x03\x04 not really a zip")), Headers: map[string]string{"Content-Type": lastContentType}})
		r.ErrorCode(t)
		e.Expect(http.StatusBadRequest, apitest.Request{Method: "POST", Path: "/api/v1/creators/import", Token: owner.Token, Body: "{}"}).ErrorCode(t)
		viewer := e.AddUser(owner, "v@example.com", actor.RoleViewer)
		upload(t, e, viewer, "", "creators.csv", file, http.StatusForbidden)
	})
}

var lastContentType string

func multipartBody(t *testing.T, filename string, content []byte) []byte {
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, _ := mw.CreateFormFile("file", filename)
	_, _ = fw.Write(content)
	_ = mw.Close()
	lastContentType = mw.FormDataContentType()
	return body.Bytes()
}

func toString(v any) string { return fmt.Sprint(int64(v.(float64))) }

func itoa(n int64) string { return fmt.Sprint(n) }

func TestExportWritesFormulaLookingNamesAsText(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, db *bun.DB) {
		e := apitest.New(t, db)
		owner := e.Setup("Ningbo Export", "li@example.com")
		evil := `=HYPERLINK("http://x","y")`
		newCreator(t, e, owner, obj{"display_name": evil, "country": "US", "phone": "+8613800000000",
			"accounts": []obj{{"platform": "tiktok", "handle": "evil", "followers": 123456}, {"platform": "x", "handle": "evil"}}})
		newCreator(t, e, owner, obj{"display_name": "Plain", "country": "CN"})
		res := e.Expect(http.StatusOK, apitest.Request{Method: "GET", Path: "/api/v1/creators/export.xlsx?lang=zh&sort=name", Token: owner.Token})
		if ct := res.Header.Get("Content-Type"); !strings.Contains(ct, "spreadsheetml") {
			t.Fatalf("content type %q", ct)
		}
		f, err := excelize.OpenReader(bytes.NewReader(res.Body))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		rows, _ := f.GetRows("达人")
		if len(rows) != 4 || rows[0][0] != "显示名称" || rows[0][7] != "粉丝数" {
			t.Fatalf("rows = %v", rows)
		}
		var evilRow int
		for i, r := range rows {
			if strings.Contains(r[0], "HYPERLINK") {
				evilRow = i + 1
			}
		}
		formula, _ := f.GetCellFormula("达人", "A"+itoa(int64(evilRow)))
		name, _ := f.GetCellValue("达人", "A"+itoa(int64(evilRow)))
		if formula != "" || name != "'"+evil {
			t.Fatalf("formula %q, value %q: a name must come back as inert text", formula, name)
		}
		typ, _ := f.GetCellType("达人", "H"+itoa(int64(evilRow)))
		if typ == excelize.CellTypeSharedString || typ == excelize.CellTypeInlineString {
			t.Fatalf("followers must be a number, got type %v", typ)
		}
		// filters apply, and another organization's export is empty
		res = e.Expect(http.StatusOK, apitest.Request{Method: "GET", Path: "/api/v1/creators/export.xlsx?country=CN", Token: owner.Token})
		f2, _ := excelize.OpenReader(bytes.NewReader(res.Body))
		if rows, _ := f2.GetRows("Creators"); len(rows) != 2 || rows[1][0] != "Plain" {
			t.Fatalf("filtered export = %v", rows)
		}
		b := e.NewOrg("Yiwu Trading", "zhao@example.com")
		res = e.Expect(http.StatusOK, apitest.Request{Method: "GET", Path: "/api/v1/creators/export.xlsx", Token: b.Token})
		f3, _ := excelize.OpenReader(bytes.NewReader(res.Body))
		if rows, _ := f3.GetRows("Creators"); len(rows) != 1 {
			t.Fatalf("B's export holds A's creators: %v", rows)
		}
		e.Expect(http.StatusBadRequest, apitest.Request{Method: "GET", Path: "/api/v1/creators/export.xlsx?sort=bogus", Token: owner.Token}).ErrorCode(t)
	})
}

// FuzzImportCSV feeds arbitrary CSV bytes through the whole import (a dry run, so the database stays
// as it was): it must answer a result or an apperr, never panic.
func FuzzImportCSV(f *testing.F) {
	f.Add([]byte("Display Name,Country,Platform,Handle\nA,US,tiktok,a\n"))
	f.Add([]byte("显示名称,国家,平台,账号,粉丝数\n李,CN,rednote,https://www.xiaohongshu.com/user/profile/x,1\n李,CN,x,@x,abc\n"))
	f.Add([]byte("\xef\xbb\xbfName,Country,Handle,Tags,Followers\n\"a,b\",US,tiktok.com/@q,\"x,y\",1e3\n"))
	ctx := context.Background()
	db, err := store.Open(ctx, "sqlite:"+filepath.Join(f.TempDir(), "fuzz.db"))
	if err != nil {
		f.Fatal(err)
	}
	defer db.Close()
	if _, err := store.Migrate(ctx, db); err != nil {
		f.Fatal(err)
	}
	org, owner, err := auth.NewService(db, auth.Options{Argon2: apitest.FastArgon2}).CreateOrg(ctx, auth.NewOrg{OrgName: "Fuzz", BaseCurrency: "CNY",
		Timezone: "Asia/Shanghai", Name: "Owner", Email: "fuzz@example.com", Password: apitest.Password})
	if err != nil {
		f.Fatal(err)
	}
	svc := creator.NewService(db, nil, nil)
	p := actor.Actor{OrgID: org.ID, UserID: owner.ID, Role: actor.RoleOwner}
	f.Fuzz(func(t *testing.T, data []byte) {
		res, err := svc.Import(ctx, p, bytes.NewReader(data), int64(len(data)), "f.csv", true, nil)
		if err == nil && res == nil {
			t.Fatal("no result and no error")
		}
		if err != nil {
			if _, ok := apperr.As(err); !ok {
				t.Fatalf("an import error must be an apperr, got %v", err)
			}
		}
	})
}

// The export keeps text that starts like a formula inert with a quote; imported again, the file gives
// back the text itself. Before, the quote stayed: a "+1 …" phone number was refused and nothing of the
// file was imported.
func TestAnExportWithFormulaLookingTextImportsBackUnchanged(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, db *bun.DB) {
		e := apitest.New(t, db)
		owner := e.Setup("Ningbo Export", "li@example.com")
		c := newCreator(t, e, owner, obj{"display_name": "-Dash =x", "country": "US", "phone": "+1 555 0100", "notes": "=1+2",
			"tags": []string{"+vip"}, "accounts": []obj{{"platform": "tiktok", "handle": "dash", "followers": 100}}})
		res := e.Expect(http.StatusOK, apitest.Request{Method: "GET", Path: "/api/v1/creators/export.xlsx", Token: owner.Token})
		back := upload(t, e, owner, "", "creators.xlsx", res.Body, http.StatusOK)
		if back["skipped"] != float64(1) || back["created"] != float64(0) || back["updated"] != float64(0) {
			t.Fatalf("re-import = %v", back)
		}
		got := call(t, e, owner, "GET", "/api/v1/creators/"+c["id"].(string), nil, http.StatusOK)
		if got["display_name"] != "-Dash =x" || got["phone"] != "+1 555 0100" || got["notes"] != "=1+2" || fmt.Sprint(got["tags"]) != "[+vip]" {
			t.Fatalf("after the round trip: %v", got)
		}
	})
}
