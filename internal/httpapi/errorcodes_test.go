package httpapi

// TestErrorCodesHaveTranslations: every error code the server can send must have text in both
// UI languages (frontend/src/i18n/locales/{en-US,zh-CN}.json under "errors.<code>"), because the
// UI shows errors from code + params and only falls back to the English message.
//
// The codes are collected from the source, not from a hand-kept list, so a new
// apperr.Conflict("new_code", …) without locale text fails this test. The collector reads every
// non-test .go file under internal/ and cmd/ with go/parser and takes, as a code:
//
//  1. the string in a `Code:` field of a composite literal (apperr.Error{Code: "email_taken"},
//     ErrorDetail{Code: …}), unless the literal has `Kind: apperr.KindInternal` (never sent);
//  2. the string assigned to a `.Code` selector (body.Code = "internal");
//  3. the argument passed for a parameter named `code` (or `fieldCode`) of any function or
//     method declared in internal/apperr (apperr.Conflict(code, msg), apperr.BadRequest, …) —
//     read from apperr's own declarations, so new constructors are covered without editing this;
//  4. the value of every string constant whose name starts with "Code" (internal/sheet);
//  5. the values of the status→code map `statusCode` in internal/httpapi/errors.go, and the
//     values of any map literal assigned to a field named FieldCodes (field → code);
//  6. every field code apperr.FieldCodes() lists (the codes the error handler derives from
//     field messages for `field_codes`).
//
// Error codes and field codes share the one "errors" namespace of the locale files.
//
// A code given as an identifier (Code: codeX) is resolved through the string constants of the
// same package; one that is computed at run time is not seen — keep codes literal or constant.

import (
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/caravan-crm/caravan/internal/apperr"
)

// repoRoot is the module root, found from this file's location.
func repoRoot(t *testing.T) string {
	t.Helper()
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		t.Fatal("runtime.Caller failed")
	}
	return filepath.Clean(filepath.Join(filepath.Dir(file), "..", ".."))
}

type parsedFile struct {
	path string
	pkg  string // directory, which stands for the package
	file *ast.File
}

func parseTree(t *testing.T, root string, dirs ...string) []parsedFile {
	t.Helper()
	fset := token.NewFileSet()
	var out []parsedFile
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(root, d)); os.IsNotExist(err) {
			continue
		}
		err := filepath.WalkDir(filepath.Join(root, d), func(path string, e fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if e.IsDir() {
				if name := e.Name(); name == "testdata" || name == "node_modules" || strings.HasPrefix(name, ".") {
					return filepath.SkipDir
				}
				return nil
			}
			if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
				return nil
			}
			f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
			if err != nil {
				return err
			}
			out = append(out, parsedFile{path: path, pkg: filepath.Dir(path), file: f})
			return nil
		})
		if err != nil {
			t.Fatalf("walk %s: %v", d, err)
		}
	}
	return out
}

func stringLit(e ast.Expr) (string, bool) {
	bl, ok := e.(*ast.BasicLit)
	if !ok || bl.Kind != token.STRING {
		return "", false
	}
	s, err := strconv.Unquote(bl.Value)
	return s, err == nil
}

// codeParams maps each function/method name declared in internal/apperr to the indexes of its
// parameters named code or fieldCode.
func codeParams(files []parsedFile, apperrDir string) map[string][]int {
	out := map[string][]int{}
	for _, pf := range files {
		if pf.pkg != apperrDir {
			continue
		}
		for _, decl := range pf.file.Decls {
			fd, ok := decl.(*ast.FuncDecl)
			if !ok || fd.Type.Params == nil {
				continue
			}
			i := 0
			for _, field := range fd.Type.Params.List {
				names := field.Names
				if len(names) == 0 {
					i++
					continue
				}
				for _, n := range names {
					if n.Name == "code" || n.Name == "fieldCode" {
						out[fd.Name.Name] = append(out[fd.Name.Name], i)
					}
					i++
				}
			}
		}
	}
	return out
}

// packageConsts maps a package directory to its string constants.
func packageConsts(files []parsedFile) map[string]map[string]string {
	out := map[string]map[string]string{}
	for _, pf := range files {
		for _, decl := range pf.file.Decls {
			gd, ok := decl.(*ast.GenDecl)
			if !ok || gd.Tok != token.CONST {
				continue
			}
			for _, spec := range gd.Specs {
				vs := spec.(*ast.ValueSpec)
				for i, n := range vs.Names {
					if i >= len(vs.Values) {
						continue
					}
					if s, ok := stringLit(vs.Values[i]); ok {
						if out[pf.pkg] == nil {
							out[pf.pkg] = map[string]string{}
						}
						out[pf.pkg][n.Name] = s
					}
				}
			}
		}
	}
	return out
}

func isKindInternal(cl *ast.CompositeLit) bool {
	for _, el := range cl.Elts {
		kv, ok := el.(*ast.KeyValueExpr)
		if !ok {
			continue
		}
		if k, ok := kv.Key.(*ast.Ident); ok && k.Name == "Kind" {
			if sel, ok := kv.Value.(*ast.SelectorExpr); ok && sel.Sel.Name == "KindInternal" {
				return true
			}
			if id, ok := kv.Value.(*ast.Ident); ok && id.Name == "KindInternal" {
				return true
			}
		}
	}
	return false
}

// collectErrorCodes returns each code with the first place it was seen.
func collectErrorCodes(t *testing.T, root string) map[string]string {
	t.Helper()
	files := parseTree(t, root, "internal", "cmd")
	params := codeParams(files, filepath.Join(root, "internal", "apperr"))
	if len(params) == 0 {
		t.Fatal("found no apperr function with a code parameter; has apperr moved?")
	}
	consts := packageConsts(files)
	codes := map[string]string{}

	for _, pf := range files {
		where, _ := filepath.Rel(root, pf.path)
		add := func(e ast.Expr, _ ast.Node) {
			s, ok := stringLit(e)
			if !ok {
				if id, isID := e.(*ast.Ident); isID {
					s, ok = consts[pf.pkg][id.Name]
				}
			}
			if ok && s != "" {
				if _, seen := codes[s]; !seen {
					codes[s] = where
				}
			}
		}
		addMapValues := func(e ast.Expr) {
			if cl, ok := e.(*ast.CompositeLit); ok {
				for _, el := range cl.Elts {
					if kv, ok := el.(*ast.KeyValueExpr); ok {
						add(kv.Value, kv)
					}
				}
			}
		}

		ast.Inspect(pf.file, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.CompositeLit: // rule 1 and FieldCodes of rule 5
				if isKindInternal(n) {
					return true
				}
				for _, el := range n.Elts {
					kv, ok := el.(*ast.KeyValueExpr)
					if !ok {
						continue
					}
					if k, ok := kv.Key.(*ast.Ident); ok {
						switch k.Name {
						case "Code":
							add(kv.Value, kv)
						case "FieldCodes":
							addMapValues(kv.Value)
						}
					}
				}
			case *ast.AssignStmt: // rule 2
				for i, lhs := range n.Lhs {
					sel, ok := lhs.(*ast.SelectorExpr)
					if !ok || i >= len(n.Rhs) || len(n.Lhs) != len(n.Rhs) {
						continue
					}
					switch sel.Sel.Name {
					case "Code":
						add(n.Rhs[i], n)
					case "FieldCodes":
						addMapValues(n.Rhs[i])
					}
				}
			case *ast.CallExpr: // rule 3
				var name string
				switch fn := n.Fun.(type) {
				case *ast.SelectorExpr:
					// apperr.Conflict(…) or a method: fields.AddCode(…). Inside apperr itself calls
					// are plain identifiers.
					name = fn.Sel.Name
				case *ast.Ident:
					if pf.pkg == filepath.Join(root, "internal", "apperr") {
						name = fn.Name
					}
				}
				for _, idx := range params[name] {
					if idx < len(n.Args) {
						add(n.Args[idx], n)
					}
				}
			case *ast.ValueSpec: // rule 4, and the statusCode map of rule 5
				for i, id := range n.Names {
					if i >= len(n.Values) {
						continue
					}
					if strings.HasPrefix(id.Name, "Code") {
						add(n.Values[i], n)
					}
					if id.Name == "statusCode" {
						addMapValues(n.Values[i])
					}
				}
			}
			return true
		})
	}
	return codes
}

var codeShape = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)

func TestErrorCodesHaveTranslations(t *testing.T) {
	root := repoRoot(t)
	codes := collectErrorCodes(t, root)
	for _, c := range apperr.FieldCodes() { // rule 6
		if _, ok := codes[c]; !ok {
			codes[c] = "apperr.FieldCodes()"
		}
	}

	// Sanity: the collector must see the codes every rule stands for, or it has gone blind.
	for _, must := range []string{"not_found", "validation_failed", "internal", "unavailable", "method_not_allowed", "file_too_large", "account_taken"} {
		if _, ok := codes[must]; !ok {
			t.Errorf("collector did not find %q; the rules above no longer match the source", must)
		}
	}

	names := make([]string, 0, len(codes))
	for c := range codes {
		if !codeShape.MatchString(c) {
			t.Errorf("%s: error code %q is not snake_case", codes[c], c)
		}
		names = append(names, c)
	}
	sort.Strings(names)

	for _, lang := range []string{"en-US", "zh-CN"} {
		path := filepath.Join(root, "frontend", "src", "i18n", "locales", lang+".json")
		raw, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("read %s: %v", path, err)
		}
		var doc struct {
			Errors map[string]any `json:"errors"`
		}
		if err := json.Unmarshal(raw, &doc); err != nil {
			t.Fatalf("parse %s: %v", path, err)
		}
		var missing []string
		for _, c := range names {
			if s, ok := doc.Errors[c].(string); !ok || strings.TrimSpace(s) == "" {
				missing = append(missing, c+" (from "+codes[c]+")")
			}
		}
		if len(missing) > 0 {
			t.Errorf("%s has no errors.<code> text for %d code(s) the server can send:\n  %s",
				filepath.Base(path), len(missing), strings.Join(missing, "\n  "))
		}
	}
	t.Logf("%d error codes checked: %s", len(names), strings.Join(names, ", "))
}

// The collector itself: each rule finds its code, and a computed code is ignored.
func TestErrorCodesCollectorRules(t *testing.T) {
	dir := t.TempDir()
	write := func(rel, src string) {
		p := filepath.Join(dir, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("internal/apperr/apperr.go", `package apperr
type Kind int
const KindInternal Kind = 0
type Error struct{ Kind Kind; Code string; FieldCodes map[string]string }
func Conflict(code, message string) *Error { return &Error{Code: code} }
func NotFound(what string) *Error { return &Error{Code: "not_found"} }
`)
	write("internal/x/x.go", `package x
import "apperr"
const CodeSheetBad = "sheet_bad"
const codeLocal = "local_const"
var statusCode = map[int]string{405: "method_nope"}
var _ = apperr.Conflict("new_code", "msg")
var _ = apperr.NotFound("creator")
var _ = &apperr.Error{Code: codeLocal, FieldCodes: map[string]string{"password": "pw_short"}}
var _ = &apperr.Error{Kind: apperr.KindInternal, Code: "never_sent"}
func f(e *apperr.Error, s string) { e.Code = "assigned"; e.Code = s }
`)
	write("internal/x/x_test.go", `package x
var _ = apperr.Conflict("test_only", "msg")
`)
	got := collectErrorCodes(t, dir)
	for _, want := range []string{"not_found", "sheet_bad", "local_const", "method_nope", "new_code", "pw_short", "assigned"} {
		if _, ok := got[want]; !ok {
			t.Errorf("collector missed %q (got %v)", want, got)
		}
	}
	for _, not := range []string{"creator", "never_sent", "test_only", "msg"} {
		if _, ok := got[not]; ok {
			t.Errorf("collector took %q, which is not a code", not)
		}
	}
}
