package creator

import (
	"bytes"
	"context"
	"fmt"
	"net/url"
	"slices"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/caravan-crm/caravan/internal/actor"
	"github.com/caravan-crm/caravan/internal/page"
	"github.com/caravan-crm/caravan/internal/store"
	"github.com/caravan-crm/caravan/internal/store/storetest"
)

// The list answers a filter in one of two shapes (the matches gathered and sorted, or a walk along
// the sort that probes each creator), picked by how many match: both page through exactly the same
// creators, in the same order, for every sort, across pages and ties.
func TestBothShapesOfAFilterPageThroughTheSameCreators(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, db *bun.DB) {
		ctx := context.Background()
		org := store.NewID()
		if _, err := db.NewRaw("INSERT INTO organizations (id, name, base_currency, timezone, created_at) VALUES (?, 'Org', 'USD', 'UTC', ?)",
			org, time.Now()).Exec(ctx); err != nil {
			t.Fatal(err)
		}
		s := NewService(db, nil, nil)
		p := actor.Actor{OrgID: org, Role: actor.RoleOwner}
		var b bytes.Buffer
		b.WriteString("Name,Country,Platform,Handle,Followers,Email,Tags,Status\n")
		names := []string{"Anna Müller", "Joanna Brooks", "陈思雨 Sienna", "思雨生活志", "Hannah Lee", "Luna Home", "Marco Rossi"}
		plats := []string{"tiktok", "youtube", "instagram", "rednote"}
		tags := []string{"lamps", "vintage", "Lamps,vintage", "diy", ""}
		statuses := []string{"active", "paused", "prospect"}
		for i := range 90 {
			// Followers repeat (ties broken by the id); every second creator has a second account.
			fmt.Fprintf(&b, "%s %d,US,%s,acct%d,%d,m%d@example.com,\"%s\",%s\n", names[i%len(names)], i, plats[i%4], i, (i%9)*1000, i, tags[i%5], statuses[i%3])
			if i%2 == 0 {
				fmt.Fprintf(&b, "%s %d,US,%s,acct%db,%d,,,\n", names[i%len(names)], i, plats[(i+1)%4], i, (i%5)*700)
			}
		}
		if res, err := s.Import(ctx, p, bytes.NewReader(b.Bytes()), int64(b.Len()), "c.csv", false, nil); err != nil || len(res.Errors) > 0 {
			t.Fatalf("import: %v %+v", err, res)
		}
		for _, query := range []string{"tag=lamps", "tag=lamps&tag=vintage", "platform=tiktok", "platform=youtube,rednote&tag=diy",
			"q=anna", "q=" + url.QueryEscape("思雨"), "q=nna&platform=tiktok", "q=acct1", "status=active&tag=vintage", "q=m1&tier=nano"} {
			v, _ := url.ParseQuery(query)
			for _, sort := range []string{SortName, SortFollowers, SortCreated, SortGMV} {
				v.Set("sort", sort)
				f, err := ParseFilter(v)
				if err != nil {
					t.Fatal(err)
				}
				total, err := s.total(ctx, org, f)
				if err != nil {
					t.Fatal(err)
				}
				var walks [2][]string
				for i, walk := range []bool{false, true} {
					f.walk = walk
					req := page.Request{Limit: 4}
					for {
						l, err := s.listPage(ctx, p, f, req, total)
						if err != nil {
							t.Fatalf("%s sort %s walk %v: %v", query, sort, walk, err)
						}
						for _, c := range l.Items {
							walks[i] = append(walks[i], c.ID)
						}
						if l.NextCursor == nil {
							break
						}
						if req, err = page.Parse("4", *l.NextCursor); err != nil {
							t.Fatal(err)
						}
					}
				}
				if !slices.Equal(walks[0], walks[1]) || int64(len(walks[0])) != total || total == 0 {
					t.Errorf("%s sort %s: sets %d creators, walk %d, total %d", query, sort, len(walks[0]), len(walks[1]), total)
				}
				if c := slices.Compact(slices.Sorted(slices.Values(walks[0]))); len(c) != len(walks[0]) {
					t.Errorf("%s sort %s: a creator came twice", query, sort)
				}
			}
		}
	})
}

// A total is reused only at the change number it was counted at, and not for ever.
func TestATotalIsReusedOnlyWhileNothingChanged(t *testing.T) {
	c := newTotals()
	k := Filter{Tags: []string{"lamps"}}.key("org")
	now := time.Now()
	c.put(k, totalEntry{seq: 7, total: 42, counted: now})
	if e, ok := c.get(k, 7, now.Add(time.Minute)); !ok || e.total != 42 {
		t.Fatalf("same number: %d %v", e.total, ok)
	}
	if _, ok := c.get(k, 8, now.Add(time.Minute)); ok {
		t.Fatal("reused after a change")
	}
	if _, ok := c.get(k, 7, now.Add(totalTTL+time.Second)); ok {
		t.Fatal("reused past its time")
	}
	if _, ok := c.get(Filter{Tags: []string{"lamps"}, Sort: SortName}.key("org"), 7, now); !ok {
		t.Fatal("the sort is no part of a total")
	}
	for _, other := range []totalKey{Filter{Tags: []string{"lamps"}}.key("org2"), Filter{Tags: []string{"lamps"}, Deleted: true}.key("org"),
		Filter{Tags: []string{"lamps"}, Exposed: true, marked: []string{"tiktok:US"}}.key("org")} {
		if _, ok := c.get(other, 7, now); ok {
			t.Fatalf("another filter or organization shares the total: %+v", other)
		}
	}
}
