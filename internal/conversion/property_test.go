package conversion_test

import (
	"context"
	"fmt"
	"math/big"
	"math/rand/v2"
	"net/http"
	"testing"

	"github.com/uptrace/bun"

	"github.com/caravan-crm/caravan/internal/actor"
	"github.com/caravan-crm/caravan/internal/conversion"
	"github.com/caravan-crm/caravan/internal/store/storetest"
)

// roundHalfAway is the reference rounding: a × b ÷ c, half away from zero, in big integers.
func roundHalfAway(a, b, c int64) int64 {
	num := new(big.Int).Mul(big.NewInt(a), big.NewInt(b))
	num.Mul(num, big.NewInt(2))
	den := new(big.Int).Mul(big.NewInt(c), big.NewInt(2))
	if num.Sign() >= 0 {
		num.Add(num, big.NewInt(c))
	} else {
		num.Sub(num, big.NewInt(c))
	}
	return new(big.Int).Quo(num, den).Int64()
}

// TestRandomOrdersAndRefundSequencesNeverReverseMoreThanTheCommission drives random orders (amounts,
// currencies, an agency share) and random refund sequences through the service: each reversal is
// round(commission × refunded ÷ amount) capped at what remains, the reversals never exceed the
// commission in either currency or in the agency's share, and a full refund nets every one to zero.
func TestRandomOrdersAndRefundSequencesNeverReverseMoreThanTheCommission(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, db *bun.DB) {
		w := newWorld(t, db)
		e := w.e
		ag := call(t, e, w.owner, "POST", "/api/v1/agencies", obj{"name": "MCN", "country": "US", "share_bps": 3333}, http.StatusCreated)
		call(t, e, w.owner, "PATCH", "/api/v1/creators/"+w.creator, obj{"agency_id": ag["id"]}, http.StatusOK)
		call(t, e, w.fin, "PUT", "/api/v1/fx-rates", obj{"on": "2026-11-01", "currency": "JPY", "base_currency": "CNY", "rate": "0.04731"}, 200)
		call(t, e, w.fin, "PUT", "/api/v1/fx-rates", obj{"on": "2026-11-01", "currency": "KWD", "base_currency": "CNY", "rate": "23.157"}, 200)
		ctx := context.Background()
		p := actor.Actor{OrgID: w.owner.OrgID, Role: actor.RoleFinance, UserID: w.fin.UserID}
		rng := rand.New(rand.NewPCG(7, 2026))
		currencies := []string{"USD", "JPY", "KWD"}
		for i := range 60 {
			amount := rng.Int64N(1_000_000) + 1
			cur := currencies[rng.IntN(len(currencies))]
			c, created, err := e.Deps.Conversions.Create(ctx, p, conversion.Input{ExternalID: fmt.Sprintf("P-%d", i), OccurredAt: "2026-11-24T11:00:00Z",
				Currency: cur, AmountMinor: &amount, PromoCode: ptr("LUNA10")})
			if err != nil || !created || len(c.Entries) != 1 {
				t.Fatalf("order %d: %v %v %+v", i, err, created, c)
			}
			com := c.Entries[0]
			if com.AmountMinor != roundHalfAway(amount, 1000, 10_000) || com.AgencyShareMinor != roundHalfAway(com.AmountMinor, 3333, 10_000) ||
				com.BaseAmountMinor == nil || com.BaseAgencyShareMinor == nil || *com.BaseAgencyShareMinor != roundHalfAway(*com.BaseAmountMinor, 3333, 10_000) {
				t.Fatalf("order %d commission %+v", i, com)
			}
			left, remaining := amount, com.AmountMinor
			for k := 0; left > 0; k++ {
				r := rng.Int64N(left) + 1
				if rng.IntN(4) == 0 || k == 3 {
					r = left // sometimes, and by the fourth refund always, refund the rest
				}
				res, _, err := e.Deps.Conversions.AddRefund(ctx, p, c.ID, conversion.RefundInput{ExternalID: fmt.Sprintf("R-%d-%d", i, k), AmountMinor: &r})
				if err != nil {
					t.Fatalf("order %d refund %d of %d: %v", i, k, r, err)
				}
				left -= r
				var amt, base, share, baseShare int64
				for _, en := range res.Conversion.Entries {
					amt += en.AmountMinor
					share += en.AgencyShareMinor
					base += *en.BaseAmountMinor
					baseShare += *en.BaseAgencyShareMinor
				}
				rev := res.Entries[0]
				want := -min(roundHalfAway(com.AmountMinor, r, amount), remaining) // capped at what remains
				if left == 0 {
					want = -remaining // the refund that completes takes exactly the remainder
				}
				remaining += rev.AmountMinor
				switch {
				case amt < 0 || base < 0 || share < 0 || baseShare < 0:
					t.Fatalf("order %d: reversals exceed the commission: %d %s, base %d, share %d", i, amt, cur, base, share)
				case rev.AmountMinor != want:
					t.Fatalf("order %d: reversal %d of refund %d/%d, want %d", i, rev.AmountMinor, r, amount, want)
				case left == 0 && (amt != 0 || base != 0 || share != 0 || baseShare != 0):
					t.Fatalf("order %d fully refunded nets %d %s, base %d, share %d, base share %d", i, amt, cur, base, share, baseShare)
				case left == 0 && res.Conversion.Status != conversion.StatusReversed:
					t.Fatalf("order %d fully refunded is %s", i, res.Conversion.Status)
				}
			}
		}
	})
}

func ptr[T any](v T) *T { return &v }
