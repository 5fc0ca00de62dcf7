package httpapi_test

import (
	"bytes"
	"os"
	"testing"

	"github.com/caravan-crm/caravan/internal/httpapi"
)

// The UI's TypeScript types are generated from frontend/openapi.json; a stale copy would let the
// UI's type check pass against an API that no longer exists. `make api-types` refreshes it.
func TestTheUIsCopyOfTheOpenAPIDocumentIsCurrent(t *testing.T) {
	want, err := httpapi.Document("dev")
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile("../../frontend/openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(bytes.TrimSpace(got), bytes.TrimSpace(want)) {
		t.Fatal("frontend/openapi.json is stale: run `make api-types` and commit frontend/openapi.json and frontend/src/api/schema.gen.ts")
	}
}
