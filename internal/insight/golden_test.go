package insight_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/uptrace/bun"

	"github.com/caravan-crm/caravan/internal/httpapi/apitest"
	"github.com/caravan-crm/caravan/internal/store/storetest"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden.json from the answers")

// The answers were recorded from the platform package's implementation before risk marks and the
// exposure insight moved here (and before the insight stopped reading creator tables itself): the
// move must not change a byte of them.
func TestExposureAnswersAreTheSameAsBeforeTheMove(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, db *bun.DB) {
		e := apitest.New(t, db)
		a := e.Setup("Ningbo Export", "li@example.com")
		labels := map[string]string{a.UserID: "user:owner"}
		add := func(name, country string, accounts ...obj) string {
			t.Helper()
			var c struct {
				ID       string `json:"id"`
				Accounts []struct {
					ID       string `json:"id"`
					Platform string `json:"platform"`
					Handle   string `json:"handle"`
				} `json:"accounts"`
			}
			call(t, e, a, "POST", "/api/v1/creators", obj{"display_name": name, "country": country, "accounts": accounts}, http.StatusCreated).JSON(t, &c)
			labels[c.ID] = "creator:" + name
			for _, acc := range c.Accounts {
				labels[acc.ID] = "account:" + acc.Platform + "/" + acc.Handle
			}
			return c.ID
		}
		add("Mover", "US", obj{"platform": "tiktok", "handle": "mover", "followers": 300_000},
			obj{"platform": "instagram", "handle": "mover.ig", "followers": 40_000},
			obj{"platform": "youtube", "handle": "mover.yt", "followers": 41_000})
		add("Twin", "US", obj{"platform": "tiktok", "handle": "twin.a", "followers": 100_000},
			obj{"platform": "tiktok", "handle": "twin.b", "followers": 250_000})
		add("Stuck", "US", obj{"platform": "tiktok", "handle": "stuck", "followers": 900_000})
		add("Also stuck", "US", obj{"platform": "tiktok", "handle": "alsostuck", "followers": 1_000},
			obj{"platform": "snapchat", "handle": "alsostuck", "followers": 50_000},
			obj{"platform": "youtube", "handle": "alsostuck", "followers": 70_000, "status": "dormant"})
		add("Risky alternative", "US", obj{"platform": "tiktok", "handle": "risky", "followers": 2_000},
			obj{"platform": "x", "handle": "risky", "followers": 3_000})
		add("Snap only", "US", obj{"platform": "snapchat", "handle": "snaponly", "followers": 7_000},
			obj{"platform": "pinterest", "handle": "snaponly", "followers": 6_000})
		add("Mumbai", "IN", obj{"platform": "tiktok", "handle": "mumbai", "followers": 500_000},
			obj{"platform": "youtube", "handle": "mumbai", "followers": 20_000})
		add("Jakarta", "ID", obj{"platform": "youtube", "handle": "jakarta", "followers": 80_000},
			obj{"platform": "instagram", "handle": "jakarta", "followers": 90_000})
		add("British", "GB", obj{"platform": "tiktok", "handle": "brit", "followers": 10},
			obj{"platform": "instagram", "handle": "brit", "followers": 11})
		add("Dormant", "US", obj{"platform": "tiktok", "handle": "dormant", "followers": 10, "status": "dormant"})
		add("小红书博主", "CN", obj{"platform": "rednote", "handle": "5f1a2b3c4d5e6f0001a2b3c4", "followers": 123_456},
			obj{"platform": "douyin", "handle": "ms4wljabaaaa", "followers": 654_321})
		gone := add("Gone", "US", obj{"platform": "tiktok", "handle": "gone", "followers": 10})
		call(t, e, a, "DELETE", "/api/v1/creators/"+gone, nil, http.StatusNoContent)

		var answers []json.RawMessage
		keep := func(r *apitest.Response) { answers = append(answers, r.Body) }
		for _, m := range []struct{ platform, country, level, note string }{
			{"tiktok", "us", "banned", "divest-or-ban law"},
			{"snapchat", "US", "banned", ""},
			{"x", "US", "at_risk", "  under review  "},
			{"tiktok", "IN", "banned", "banned since 2020"},
			{"youtube", "ID", "at_risk", ""},
			{"instagram", "GB", "at_risk", ""},
			{"instagram", "GB", "ok", ""},
		} {
			keep(call(t, e, a, "PUT", "/api/v1/platforms/"+m.platform+"/risk", obj{"country": m.country, "level": m.level, "note": m.note}, http.StatusOK))
		}
		keep(call(t, e, a, "GET", "/api/v1/platforms", nil, http.StatusOK))
		for _, q := range []string{"", "?days=30", "?limit=1", "?days=3660&limit=3660"} {
			keep(call(t, e, a, "GET", "/api/v1/insights/platform-exposure"+q, nil, http.StatusOK))
		}
		b := e.NewOrg("Yiwu Trading", "zhao@example.com")
		keep(call(t, e, b, "GET", "/api/v1/insights/platform-exposure", nil, http.StatusOK))
		keep(call(t, e, b, "GET", "/api/v1/platforms", nil, http.StatusOK))

		got, err := json.MarshalIndent(answers, "", "  ")
		if err != nil {
			t.Fatal(err)
		}
		s := string(got)
		for id, label := range labels {
			s = strings.ReplaceAll(s, id, label)
		}
		got = []byte(s + "\n")
		path := filepath.Join("testdata", "exposure.golden.json")
		if *update {
			if err := os.WriteFile(path, got, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("answers differ from %s:\n%s", path, got)
		}
	})
}
