package httpapi

import (
	"encoding/json"
	"fmt"
	"net/http"
	"path"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/invopop/jsonschema"
	"github.com/labstack/echo/v4"

	"github.com/caravan-crm/caravan/internal/money"
)

var pathParam = regexp.MustCompile(`:([A-Za-z_]+)`)

// openAPIPath turns echo's /users/:id into OpenAPI's /users/{id}.
func openAPIPath(p string) string { return pathParam.ReplaceAllString(p, "{$1}") }

// OpenAPI builds the OpenAPI 3.1 document from the route table, with JSON Schemas reflected from the
// request and answer types the handlers use, so the document cannot drift from the code.
func (s *Server) OpenAPI() map[string]any {
	// Two types with one schema name would silently share a component: a programming error, like a
	// wrong row of the route table, refused at start-up (and by every test that builds the document).
	named := map[string]string{}
	namer := func(t reflect.Type) string {
		n := schemaName(t)
		id := t.PkgPath() + "." + t.Name()
		if prev, ok := named[n]; ok && prev != id {
			panic(fmt.Sprintf("httpapi: the schema name %s names both %s and %s: add one of them to renamed", n, prev, id))
		}
		named[n] = id
		return n
	}
	r := &jsonschema.Reflector{DoNotReference: false, AllowAdditionalProperties: false, ExpandedStruct: false, Namer: namer,
		Mapper: func(t reflect.Type) *jsonschema.Schema {
			if t == reflect.TypeFor[money.Rate]() {
				return &jsonschema.Schema{Type: "string", Description: "a decimal number written as a string, e.g. 7.1234", Pattern: `^[0-9]+(\.[0-9]+)?$`}
			}
			return nil
		}}
	components := map[string]any{}
	schemaOf := func(v any) map[string]any {
		sc := r.Reflect(v)
		b, _ := json.Marshal(sc)
		b = []byte(strings.ReplaceAll(string(b), "#/$defs/", "#/components/schemas/"))
		var m map[string]any
		_ = json.Unmarshal(b, &m)
		if defs, ok := m["$defs"].(map[string]any); ok {
			for k, d := range defs {
				components[k] = d
			}
		}
		delete(m, "$defs")
		delete(m, "$schema")
		delete(m, "$id")
		return m
	}
	errorResponse := map[string]any{
		"description": "error",
		"content":     map[string]any{"application/json": map[string]any{"schema": map[string]any{"$ref": "#/components/schemas/ErrorBody"}}},
	}
	schemaOf(ErrorBody{})

	paths := map[string]map[string]any{}
	for _, rt := range s.routes {
		op := map[string]any{
			"summary":     rt.Summary,
			"tags":        []string{rt.Tag},
			"operationId": operationID(rt),
		}
		var params []any
		for _, m := range pathParam.FindAllStringSubmatch(rt.Path, -1) {
			params = append(params, map[string]any{"name": m[1], "in": "path", "required": true, "schema": map[string]any{"type": "string"}})
		}
		for _, q := range rt.Query {
			params = append(params, map[string]any{"name": q.Name, "in": "query", "description": q.Description, "schema": map[string]any{"type": "string"}})
		}
		if params != nil {
			op["parameters"] = params
		}
		if rt.Body != nil {
			op["requestBody"] = map[string]any{"required": true, "content": map[string]any{"application/json": map[string]any{"schema": schemaOf(rt.Body)}}}
		}
		ok := map[string]any{"description": http.StatusText(rt.Status)}
		if rt.Resp != nil {
			ok["content"] = map[string]any{"application/json": map[string]any{"schema": schemaOf(rt.Resp)}}
		}
		if rt.File != "" {
			ok["content"] = map[string]any{rt.File: map[string]any{"schema": map[string]any{"type": "string", "format": "binary"}}}
		}
		op["responses"] = map[string]any{strconv.Itoa(rt.Status): ok, "default": errorResponse}
		op["x-auth"] = string(rt.Auth)
		if rt.Auth == authUser {
			roles := make([]string, len(rt.Roles))
			for i, role := range rt.Roles {
				roles[i] = string(role)
			}
			op["x-roles"] = roles
			op["security"] = []any{map[string]any{"bearer": []string{}}, map[string]any{"apiKey": []string{}}}
		}
		p := openAPIPath(rt.Path)
		if paths[p] == nil {
			paths[p] = map[string]any{}
		}
		paths[p][strings.ToLower(rt.Method)] = op
	}
	return map[string]any{
		"openapi": "3.1.0",
		"info": map[string]any{
			"title":       "Caravan API",
			"version":     s.deps.Version,
			"description": "Caravan: a CRM for sellers who sell abroad through creators. Money is integer minor units with an ISO 4217 code; rates are basis points.",
		},
		"paths": paths,
		"components": map[string]any{
			"schemas": components,
			"securitySchemes": map[string]any{
				"bearer": map[string]any{"type": "http", "scheme": "bearer", "bearerFormat": "JWT"},
				"apiKey": map[string]any{"type": "apiKey", "in": "header", "name": "X-API-Key"},
			},
		},
	}
}

// schemaName names a component after its Go type without package paths, as OpenAPI 3.1 requires
// (^[a-zA-Z0-9._-]+$): page.List[creator.Creator] becomes CreatorList.
func schemaName(t reflect.Type) string {
	name := t.Name()
	base, args, generic := strings.Cut(name, "[")
	if !generic {
		return qualified(path.Base(t.PkgPath()), name)
	}
	var b strings.Builder
	for _, arg := range strings.Split(strings.TrimSuffix(args, "]"), ",") {
		slice := strings.HasPrefix(strings.TrimLeft(arg, "*"), "[]")
		arg = strings.TrimLeft(arg, "*[]")
		arg = arg[strings.LastIndex(arg, "/")+1:]
		pkg, typ, ok := strings.Cut(arg, ".")
		if !ok {
			typ, pkg = pkg, ""
		}
		b.WriteString(qualified(pkg, typ))
		if slice {
			b.WriteString("List")
		}
	}
	return b.String() + base
}

// renamed gives types whose plain name another package's type has too a name of their own in the
// document (TestSchemaNamesAreUnique finds a new clash).
var renamed = map[string]string{
	"audit.Entry":             "AuditEntry",
	"insight.Entry":           "PlatformEntry",
	"conversion.Entry":        "LedgerEntry",
	"conversion.ImportResult": "OrderImportResult",
	"conversion.Item":         "OrderItem",
	"conversion.Filter":       "ConversionFilter",
	"ledger.Filter":           "LedgerFilter",
	"payout.Filter":           "PayoutFilter",
	"ledger.Period":           "Period",
}

func qualified(pkg, name string) string {
	if n, ok := renamed[pkg+"."+name]; ok {
		return n
	}
	return name
}

func operationID(rt route) string {
	parts := []string{strings.ToLower(rt.Method)}
	for _, seg := range strings.Split(rt.Path, "/") {
		switch {
		case seg == "" || seg == "api" || seg == "v1":
		case strings.HasPrefix(seg, ":"):
			parts = append(parts, "by_"+strings.NewReplacer("-", "_", ".", "_").Replace(seg[1:]))
		default:
			parts = append(parts, strings.NewReplacer("-", "_", ".", "_").Replace(seg))
		}
	}
	return strings.Join(parts, "_")
}

func (s *Server) openAPI(c echo.Context) error {
	s.openAPIOnce.Do(func() { s.openAPIDoc, _ = json.Marshal(s.OpenAPI()) })
	return c.JSONBlob(http.StatusOK, s.openAPIDoc)
}

// sortedPaths is used by tests and tools to list the document's operations.
func sortedPaths(doc map[string]any) []string {
	var out []string
	for p, ops := range doc["paths"].(map[string]map[string]any) {
		for m := range ops {
			out = append(out, strings.ToUpper(m)+" "+p)
		}
	}
	sort.Strings(out)
	return out
}

// Document returns the OpenAPI document without a database or services: the route table only needs
// its handlers' types (for `caravan openapi`, which the UI's build turns into TypeScript types).
func Document(version string) ([]byte, error) {
	s := &Server{deps: Deps{Version: version}}
	s.routes = s.table()
	return json.MarshalIndent(s.OpenAPI(), "", "  ")
}
