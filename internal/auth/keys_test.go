package auth_test

import (
	"context"
	"testing"

	"github.com/uptrace/bun"

	"github.com/caravan-crm/caravan/internal/actor"
	"github.com/caravan-crm/caravan/internal/auth"
	"github.com/caravan-crm/caravan/internal/httpapi/apitest"
	"github.com/caravan-crm/caravan/internal/store/storetest"
)

// Replicas starting together may each create a signing key. A token signed with a key another
// replica created after this one loaded its keys must verify here at once, not be refused as unknown.
func TestATokenSignedByAnotherReplicasNewKeyVerifiesAtOnce(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, db *bun.DB) {
		ctx := context.Background()
		b := auth.NewService(db, auth.Options{Argon2: apitest.FastArgon2})
		if err := b.Start(ctx); err != nil { // B loads its keys (and creates the first)
			t.Fatal(err)
		}
		a := auth.NewService(db, auth.Options{Argon2: apitest.FastArgon2})
		if err := a.Start(ctx); err != nil {
			t.Fatal(err)
		}
		if err := a.RotateSigningKey(ctx); err != nil { // A now signs with a key B has never loaded
			t.Fatal(err)
		}
		_, _, tok, err := a.Setup(ctx, auth.NewOrg{OrgName: "Org", BaseCurrency: "USD", Timezone: "UTC", Name: "O",
			Email: "o@example.com", Password: apitest.Password}, actor.Client{IP: "192.0.2.1"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := b.Authenticate(ctx, tok.AccessToken, "192.0.2.1"); err != nil {
			t.Fatalf("replica B refused replica A's fresh token: %v", err)
		}
		if _, err := b.Authenticate(ctx, tok.AccessToken[:len(tok.AccessToken)-2]+"xx", "192.0.2.1"); err == nil {
			t.Fatal("a tampered token verified")
		}
	})
}
