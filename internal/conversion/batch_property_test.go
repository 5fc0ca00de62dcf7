package conversion_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"reflect"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/caravan-crm/caravan/internal/actor"
	"github.com/caravan-crm/caravan/internal/apperr"
	"github.com/caravan-crm/caravan/internal/conversion"
	"github.com/caravan-crm/caravan/internal/store/storetest"
)

// twin is one of two identical setups in one organization: a creator of an agency (a 25 % share),
// enrolled in a tiered campaign (tiers by her GMV in USD) with a promo code of her own.
type twin struct {
	creator, account, campaign, code string
}

// TestBatchesStoreExactlyWhatOrdersOneByOneStore sends the same random orders twice: one at a time
// (each staged, quoted and written in a transaction of its own, as before batches were set-based) to
// one twin, and as batches of random sizes to the other. Orders of either currency and of several
// (in a closed month too), with and without items of a product that has a rate of its own, in and
// out of time order so that tiers depend on the orders before them in the same batch, with
// duplicates (stored before, or earlier in the same batch) and invalid ones among them. Every
// outcome, conversion and ledger entry must be the same on both sides, but for ids and write times.
func TestBatchesStoreExactlyWhatOrdersOneByOneStore(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, db *bun.DB) {
		w := newWorld(t, db)
		e := w.e
		ctx := context.Background()
		ag := call(t, e, w.owner, "POST", "/api/v1/agencies", obj{"name": "MCN", "country": "US", "share_bps": 2500}, http.StatusCreated)
		call(t, e, w.owner, "POST", "/api/v1/products", obj{"sku": "NB-TEA-01", "name": "Tea", "price_minor": 8000, "currency": "USD", "rate_bps": 1800}, http.StatusCreated)
		for _, fx := range []obj{
			{"on": "2026-10-01", "currency": "USD", "base_currency": "CNY", "rate": "7.05"},
			{"on": "2026-10-01", "currency": "JPY", "base_currency": "CNY", "rate": "0.0473"},
			{"on": "2026-11-10", "currency": "JPY", "base_currency": "CNY", "rate": "0.0481"},
		} {
			call(t, e, w.fin, "PUT", "/api/v1/fx-rates", fx, http.StatusOK)
		}
		newTwin := func(name string) twin {
			c := call(t, e, w.owner, "POST", "/api/v1/creators", obj{"display_name": name, "country": "US", "agency_id": ag["id"],
				"accounts": []obj{{"platform": "youtube", "handle": "@" + name}}}, http.StatusCreated)
			tw := twin{creator: c["id"].(string), account: list(c, "accounts")[0]["id"].(string), code: name + "5"}
			cm := call(t, e, w.owner, "POST", "/api/v1/campaigns", obj{"name": "Tiers " + name, "starts_on": "2026-10-01",
				"plan": obj{"type": "tiered", "currency": "USD", "tiers": []obj{{"from_gmv_minor": 0, "rate_bps": 500},
					{"from_gmv_minor": 40_000, "rate_bps": 1000}, {"from_gmv_minor": 150_000, "rate_bps": 1500}}}}, http.StatusCreated)
			tw.campaign = cm["id"].(string)
			call(t, e, w.owner, "POST", "/api/v1/campaigns/"+tw.campaign+"/creators", obj{"creator_id": tw.creator}, http.StatusCreated)
			call(t, e, w.owner, "POST", "/api/v1/promo-codes", obj{"code": tw.code, "creator_id": tw.creator, "campaign_id": tw.campaign}, http.StatusCreated)
			return tw
		}
		one, set := newTwin("ana"), newTwin("bea")
		call(t, e, w.fin, "POST", "/api/v1/periods/2026-10/close", nil, http.StatusOK)
		p := actor.Actor{OrgID: w.owner.OrgID, Role: actor.RoleFinance, UserID: w.fin.UserID}

		rng := rand.New(rand.NewPCG(11, 2026))
		start := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
		span := time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC).Sub(start)
		type order struct {
			n   int // external id number (a duplicate repeats an earlier one)
			in  conversion.Input
			ok  bool // valid
			tie bool // to the tiered twin (else Luna's percent campaign, through LUNA10)
		}
		var orders []order
		for i := range 240 {
			o := order{n: i, ok: true, tie: rng.IntN(4) != 0}
			if i > 0 && rng.IntN(12) == 0 {
				o = orders[rng.IntN(len(orders))] // a redelivery (it may differ: the first one counts)
				o.in.AmountMinor = ptr(rng.Int64N(90_000) + 1)
				orders = append(orders, o)
				continue
			}
			amount := rng.Int64N(90_000) + 1
			o.in = conversion.Input{OccurredAt: start.Add(time.Duration(rng.Int64N(int64(span)))).Truncate(time.Second).Format(time.RFC3339),
				Currency: []string{"USD", "USD", "JPY"}[rng.IntN(3)], AmountMinor: &amount, DiscountMinor: ptr(rng.Int64N(2_000))}
			switch rng.IntN(3) {
			case 0:
				o.in.Items = []conversion.Item{{SKU: "NB-TEA-01", Quantity: 1, AmountMinor: amount / 2}, {SKU: "NB-CUP-02", Quantity: 2, AmountMinor: amount - amount/2}}
			case 1:
				o.in.Items = []conversion.Item{{SKU: "NB-CUP-02", Quantity: 1, AmountMinor: amount}}
			}
			if rng.IntN(15) == 0 {
				o.ok, o.in.Currency = false, "NOPE"
			}
			orders = append(orders, o)
		}
		input := func(o order, tw twin, prefix string) conversion.Input {
			in := o.in
			in.ExternalID = fmt.Sprintf("%s-%d", prefix, o.n)
			in.PromoCode = ptr("LUNA10")
			if o.tie {
				in.PromoCode = &tw.code
			}
			return in
		}

		// One at a time: the path orders took before batches were set-based.
		oneByOne := make([]string, len(orders)) // outcome
		ids := map[string]string{}
		for i, o := range orders {
			c, created, err := e.Deps.Conversions.CreateAlone(ctx, p, input(o, one, "one"))
			switch {
			case err != nil && apperr.KindOf(err) == apperr.KindValidation:
				oneByOne[i] = conversion.OutcomeRejected
			case err != nil:
				t.Fatalf("order %d: %v", i, err)
			case created:
				oneByOne[i], ids[fmt.Sprintf("one-%d", o.n)] = conversion.OutcomeCreated, c.ID
			default:
				oneByOne[i] = conversion.OutcomeDuplicate
			}
		}
		// The same orders in batches of random sizes, some of them sent twice.
		for i := 0; i < len(orders); {
			n := min(1+rng.IntN(90), len(orders)-i)
			in := conversion.BatchInput{}
			for _, o := range orders[i : i+n] {
				in.Conversions = append(in.Conversions, input(o, set, "set"))
			}
			res, err := e.Deps.Conversions.Batch(ctx, p, in)
			if err != nil {
				t.Fatalf("batch at %d: %v", i, err)
			}
			for j, it := range res.Items {
				if it.Status != oneByOne[i+j] {
					t.Fatalf("order %d is %s in a batch, %s alone (%+v)", i+j, it.Status, oneByOne[i+j], it.Error)
				}
				if it.Status == conversion.OutcomeCreated {
					ids[fmt.Sprintf("set-%d", orders[i+j].n)] = *it.ID
				}
			}
			if rng.IntN(3) == 0 { // the same batch again: all duplicates or rejected
				again, err := e.Deps.Conversions.Batch(ctx, p, in)
				if err != nil || again.Created != 0 || again.Duplicates+again.Rejected != n {
					t.Fatalf("batch at %d again: %v %+v", i, err, again)
				}
			}
			i += n
		}

		// Every stored order the same on both sides, entry for entry.
		norm := func(c *conversion.Conversion, tw twin) string {
			c.ID, c.ExternalID, c.CreatedAt, c.UpdatedAt, c.AttributedAt, c.CluesJSON = "", "", time.Time{}, time.Time{}, nil, ""
			c.Clues.PromoCode, c.CreatorName = nil, nil
			for _, p := range []**string{&c.CreatorID, &c.AccountID, &c.CampaignID} {
				if *p != nil && (**p == tw.creator || **p == tw.account || **p == tw.campaign) {
					*p = ptr("twin")
				}
			}
			for k := range c.Entries {
				en := &c.Entries[k]
				en.ID, en.ConversionID, en.CreatedAt, en.CreatedBy = "", nil, time.Time{}, nil
				for _, p := range []*string{&en.CreatorID, en.AccountID, en.CampaignID} {
					if p != nil && (*p == tw.creator || *p == tw.account || *p == tw.campaign) {
						*p = "twin"
					}
				}
			}
			b, _ := json.Marshal(c)
			return string(b)
		}
		created := 0
		for i, o := range orders {
			if oneByOne[i] != conversion.OutcomeCreated {
				continue
			}
			created++
			a, err := e.Deps.Conversions.Get(ctx, p, ids[fmt.Sprintf("one-%d", o.n)])
			if err != nil {
				t.Fatal(err)
			}
			b, err := e.Deps.Conversions.Get(ctx, p, ids[fmt.Sprintf("set-%d", o.n)])
			if err != nil {
				t.Fatal(err)
			}
			if len(a.Entries) != 1 {
				t.Fatalf("order %d has %d entries", i, len(a.Entries))
			}
			if x, y := norm(a, one), norm(b, set); !reflect.DeepEqual(x, y) {
				t.Fatalf("order %d differs:\none by one: %s\nin a batch: %s", i, x, y)
			}
		}
		if created < 150 {
			t.Fatalf("only %d orders were created: the test says little", created)
		}
	})
}
