package insight

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/caravan-crm/caravan/migrations"
)

// A package writes only its own tables and reads another's through its exported functions: the
// insight's SQL names platform_risks and nothing else of the schema.
func TestInsightSQLNamesOnlyItsOwnTable(t *testing.T) {
	own := map[string]bool{"platform_risks": true}
	createTable := regexp.MustCompile(`(?i)CREATE TABLE (?:IF NOT EXISTS )?"?([a-z_0-9]+)`)
	tables := map[string]bool{}
	for _, dialect := range []string{"sqlite", "postgres"} {
		err := fs.WalkDir(migrations.For(dialect), ".", func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(path, ".up.sql") {
				return err
			}
			b, err := fs.ReadFile(migrations.For(dialect), path)
			for _, m := range createTable.FindAllStringSubmatch(string(b), -1) {
				tables[strings.ToLower(m[1])] = true
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if !tables["creators"] || !tables["platform_risks"] {
		t.Fatalf("the schema's tables were not found: %v", tables)
	}
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	word := regexp.MustCompile(`[a-z_0-9]+`)
	modelTable := regexp.MustCompile(`bun:"table:([a-z_0-9]+)`)
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		src, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		f, err := parser.ParseFile(fset, name, src, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			if field, ok := n.(*ast.Field); ok && field.Tag != nil {
				// A struct tag names JSON fields, and a table only in a bun model's table:…
				if m := modelTable.FindStringSubmatch(field.Tag.Value); m != nil && !own[m[1]] {
					t.Errorf("%s: a model of table %s of another package", fset.Position(field.Tag.Pos()), m[1])
				}
				return false
			}
			lit, ok := n.(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return true
			}
			for _, w := range word.FindAllString(strings.ToLower(lit.Value), -1) {
				if tables[w] && !own[w] {
					t.Errorf("%s: %s names table %s of another package", fset.Position(lit.Pos()), lit.Value, w)
				}
			}
			return true
		})
	}
}
