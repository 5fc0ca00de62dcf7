package app

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// owners says which package owns (writes, and alone names in SQL) each table.
var owners = map[string][]string{
	"auth":      {"organizations", "users", "sessions", "refresh_tokens", "api_keys", "signing_keys"},
	"ratelimit": {"rate_limits"},
	"audit":     {"audit_log"},
	"store":     {"idempotency_keys", "bun_migrations", "bun_migration_locks"},
	"worker":    {"leases"},
	"creator": {"creators", "creator_accounts", "account_snapshots", "agencies", "creator_tags", "creator_events",
		"creator_terms", "agency_shares"},
	"insight":    {"platform_risks"},
	"campaign":   {"products", "product_rates", "campaigns", "campaign_products", "campaign_plans", "enrolments", "enrolment_rates", "deliverables", "samples"},
	"tracking":   {"links", "promo_codes", "clicks", "click_secrets", "click_days"},
	"conversion": {"stores", "webhook_deliveries", "conversions", "conversion_items", "refunds"},
	"ledger":     {"ledger_entries", "ledger_sums", "fx_rates", "periods"},
	"payout":     {"payouts", "payout_items"},
	// Packages that own no table are read too: they may name none.
	"report": nil, "sheet": nil, "money": nil, "platform": nil, "web": nil, "metrics": nil,
}

// sqlTable finds a table named after FROM, JOIN, INTO, UPDATE or TABLE in SQL text.
var sqlTable = regexp.MustCompile(`(?i)\b(?:from|join|into|update|table)\s+"?([a-z_]+)`)

// TestAPackageNamesOnlyItsOwnTables reads every domain package's source: the SQL in its string
// literals, and the Table/TableExpr/ModelTableExpr arguments, may name only tables it owns. Another
// package's data is read through that package's exported functions (ARCHITECTURE.md).
func TestAPackageNamesOnlyItsOwnTables(t *testing.T) {
	ownerOf := map[string]string{}
	for pkg, tables := range owners {
		for _, tbl := range tables {
			ownerOf[tbl] = pkg
		}
	}
	for pkg := range owners {
		dir := filepath.Join("..", pkg)
		entries, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			name := e.Name()
			if !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
				continue
			}
			path := filepath.Join(dir, name)
			f, err := parser.ParseFile(token.NewFileSet(), path, nil, 0)
			if err != nil {
				t.Fatal(err)
			}
			ast.Inspect(f, func(n ast.Node) bool {
				lit, ok := n.(*ast.BasicLit)
				if !ok || lit.Kind != token.STRING {
					return true
				}
				s, err := strconv.Unquote(lit.Value)
				if err != nil {
					return true
				}
				var names []string
				for _, m := range sqlTable.FindAllStringSubmatch(s, -1) {
					names = append(names, strings.ToLower(m[1]))
				}
				if fields := strings.Fields(s); len(fields) > 0 && len(fields) <= 3 && ownerOf[fields[0]] != "" {
					names = append(names, fields[0]) // Table("users"), TableExpr("users AS u")
				}
				for _, tbl := range names {
					if o := ownerOf[tbl]; o != "" && o != pkg {
						t.Errorf("%s names %s's table %q: read it through package %s's functions", path, o, tbl, o)
					}
				}
				return true
			})
		}
	}
}
