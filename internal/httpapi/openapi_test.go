package httpapi_test

import (
	"regexp"
	"testing"

	"github.com/pb33f/libopenapi"
	validator "github.com/pb33f/libopenapi-validator"

	"github.com/caravan-crm/caravan/internal/httpapi/apitest"
	"github.com/caravan-crm/caravan/internal/store/storetest"
)

// The document must be valid OpenAPI 3.1 to a well-kept validator, so generators and gateways can
// use it: component names without Go package paths, every operation saying how it authenticates.
func TestOpenAPIDocumentIsValid31WithPlainComponentNames(t *testing.T) {
	e := apitest.New(t, storetest.SQLite(t))
	res := e.Expect(200, apitest.Request{Method: "GET", Path: "/api/openapi.json"})

	doc, err := libopenapi.NewDocument(res.Body)
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	v, errs := validator.NewValidator(doc)
	if len(errs) > 0 {
		t.Fatalf("validator: %v", errs)
	}
	if ok, verrs := v.ValidateDocument(); !ok {
		for _, ve := range verrs {
			t.Errorf("invalid: %s (%s)", ve.Message, ve.Reason)
			for _, sve := range ve.SchemaValidationErrors {
				t.Errorf("  at %s: %s", sve.FieldPath, sve.Reason)
			}
		}
	}

	var body struct {
		Paths      map[string]map[string]map[string]any `json:"paths"`
		Components struct {
			Schemas map[string]any `json:"schemas"`
		} `json:"components"`
	}
	res.JSON(t, &body)
	name := regexp.MustCompile(`^[a-zA-Z0-9._-]+$`)
	for k := range body.Components.Schemas {
		if !name.MatchString(k) {
			t.Errorf("component name %q does not match %s", k, name)
		}
	}
	if _, ok := body.Components.Schemas["CreatorList"]; !ok {
		t.Errorf("page.List[creator.Creator] is not named CreatorList")
	}
	kinds := map[string]bool{"public": true, "public_limited": true, "user": true, "refresh_cookie": true, "signed_webhook": true}
	for p, ops := range body.Paths {
		for m, op := range ops {
			if k, _ := op["x-auth"].(string); !kinds[k] {
				t.Errorf("%s %s: x-auth %q", m, p, op["x-auth"])
			}
		}
	}
}
