package creator

import (
	"reflect"

	"github.com/go-json-experiment/json"
	"github.com/invopop/jsonschema"
)

// Nullable is a field of a partial update that can be left alone (absent), cleared (null) or set.
// A plain pointer cannot tell absent from null.
type Nullable[T any] struct {
	Set   bool // the field was in the body
	Value *T   // nil: clear it
}

// UnmarshalJSON records that the field was sent, and its value unless it was null.
func (n *Nullable[T]) UnmarshalJSON(b []byte) error {
	n.Set = true
	if string(b) == "null" {
		n.Value = nil
		return nil
	}
	var v T
	if err := json.Unmarshal(b, &v, json.RejectUnknownMembers(true)); err != nil {
		return err
	}
	n.Value = &v
	return nil
}

// JSONSchema describes the field in the OpenAPI document as its value type or null.
func (Nullable[T]) JSONSchema() *jsonschema.Schema {
	typ := "string"
	switch reflect.TypeFor[T]().Kind() {
	case reflect.Int, reflect.Int32, reflect.Int64:
		typ = "integer"
	case reflect.Bool:
		typ = "boolean"
	case reflect.Slice:
		return &jsonschema.Schema{AnyOf: []*jsonschema.Schema{{Type: "array", Items: &jsonschema.Schema{Type: "string"}}, {Type: "null"}}}
	}
	return &jsonschema.Schema{AnyOf: []*jsonschema.Schema{{Type: typ}, {Type: "null"}}}
}
