package creator

import (
	"net/url"
	"strings"
	"testing"

	"github.com/caravan-crm/caravan/internal/store"
	"github.com/caravan-crm/caravan/internal/store/storetest"
)

// A walk probes each creator's accounts for the platform filter. SQLite plans that probe on each
// connection from the statistics it loaded when it opened: a connection opened before the first
// ANALYZE has none, and then it took the (org_id, platform, handle_key) index, reading every account
// of the platform for every creator walked: a filtered page took seconds to minutes on 20,000
// creators (caravan bench, list_filtered). The probe must go through the creator's own accounts
// whatever the statistics: a new database has none, which is the case planned here.
func TestAWalksPlatformProbeReadsTheCreatorsOwnAccountsWithoutStatistics(t *testing.T) {
	db := storetest.SQLite(t)
	for _, query := range []string{"platform=tiktok&tag=boho", "platform=tiktok,youtube", "platform=rednote&q=luna"} {
		v, _ := url.ParseQuery(query)
		f, err := ParseFilter(v)
		if err != nil {
			t.Fatal(err)
		}
		f.walk = true
		sel, err := f.order(f.apply(db.NewSelect().TableExpr("creators AS c").Column("c.id"), store.NewID()), nil)
		if err != nil {
			t.Fatal(err)
		}
		plan := explainSQLite(t, db, sel.Limit(11).String())
		probe := ""
		for _, l := range plan {
			if strings.HasPrefix(l, "SEARCH pa ") {
				probe = l
			}
		}
		if !strings.Contains(probe, "creator_accounts_creator_idx (creator_id=?") {
			t.Errorf("%s: the platform probe does not look up the creator's accounts:\n%s", query, strings.Join(plan, "\n"))
		}
	}
}
