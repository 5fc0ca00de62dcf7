package replicatest

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/caravan-crm/caravan/internal/app"
	"github.com/caravan-crm/caravan/internal/clock"
	"github.com/caravan-crm/caravan/internal/httpapi"
	"github.com/caravan-crm/caravan/internal/store"
	"github.com/caravan-crm/caravan/internal/store/storetest"
	"github.com/caravan-crm/caravan/migrations"
)

// Sizes of the run: three replicas, and a mixed load of loadRequests from loadWorkers goroutines.
const (
	replicaCount = 3
	loadRequests = 2000
	loadWorkers  = 32
	repeatVisits = 9 // one visitor's repeated clicks on one link, spread over the replicas
)

// Bounds on every wait, so a hung child fails the test instead of hanging it.
const (
	startTimeout = 60 * time.Second
	stopTimeout  = 40 * time.Second // the server's own shutdown budget is 25 s, plus the final click flush
	loadTimeout  = 90 * time.Second
)

const (
	ownerEmail    = "owner@example.com"
	ownerPassword = "correct horse battery staple"
	agentEmail    = "agent@example.com"
	agentPassword = "a staple of horses, correct"
	refreshCookie = "caravan_refresh"
	replicaHeader = "X-Test-Replica"
)

// TestReplicasShareOnePostgreSQL starts three `caravan serve` processes (the real binary) on one
// PostgreSQL schema at the same moment, puts a round-robin reverse proxy in front of them, and
// drives the cluster through it:
//
//   - migrations ran once: every replica comes up, one of them applied the migrations (the others
//     waited on the advisory lock and found nothing to do), and bun_migrations lists each migration
//     exactly once;
//   - three setups racing on three replicas create one organization (one 201, two 409);
//   - logins on each replica give tokens every replica accepts; a refresh cookie rotates across
//     replicas, and a rotated-away cookie is refused wherever it is replayed;
//   - the login limit is one limit: wrong passwords for one account from one address, spread over
//     the three replicas, are refused (429) after LoginPerAccount failures in total, on every
//     replica, while the right password from another address still signs in;
//   - an API key made on one replica works on the others, and one revoked on one replica is refused
//     on all of them at once (no replica caches keys);
//   - one Shopify delivery sent to the replicas at once gives one conversion;
//   - a mixed load (redirects from distinct visitors, reads, writes, refreshes, logins) of
//     loadRequests requests from loadWorkers goroutines gets no error; the requests per second held
//     across the three replicas is logged;
//   - after SIGTERM every replica exits 0 and every redirect answered with a 302 is a row in clicks,
//     counted once (one visitor's repeated clicks on three replicas count once, the rest stored as
//     duplicates), none lost in a replica's buffer;
//   - every replica held its server lease while it ran and released it on shutdown; the
//     once-per-cluster jobs (app.Jobs with Once) own at most one lease row each, and ran at most once
//     across the replicas. Their windows are aligned on the hour and no setting shortens them, so in
//     a run of a minute a job runs only when the run crosses a window start: the check is that then
//     exactly one replica ran it, and otherwise that none did and no stray lease exists.
//
// Client addresses: the replicas run with CARAVAN_TRUSTED_PROXIES=127.0.0.1/32, as a deployment
// behind a load balancer must (without it every visitor is the balancer's address: the per-address
// login limit and the per-address redirect limit of 20/s would lump all clients into one). The proxy
// plays the balancer: like httputil's default it keeps the X-Forwarded-For it received and appends
// the peer address, so the test's client can play many visitors from one machine by sending an
// X-Forwarded-For of its own (addresses from the documentation and shared ranges, never trusted).
func TestReplicasShareOnePostgreSQL(t *testing.T) {
	dbURL := storetest.PostgresURL(t) // skips without CARAVAN_TEST_POSTGRES
	bin := buildBinary(t)

	p := newProxy(t)
	replicas := make([]*replica, replicaCount)
	for i := range replicas {
		replicas[i] = startReplica(t, bin, i, []string{
			"CARAVAN_ADDR=127.0.0.1:0",
			"CARAVAN_DATABASE_URL=" + dbURL,
			"CARAVAN_PUBLIC_URL=" + p.URL,
			"CARAVAN_TRUSTED_PROXIES=127.0.0.1/32",
			"CARAVAN_LOG_FORMAT=json",
			"CARAVAN_LOG_LEVEL=debug", // the job runs and the lease skips are debug lines
			"CARAVAN_DRAIN_DELAY=0s",
		})
	}
	backends := make([]*url.URL, replicaCount)
	for i, r := range replicas {
		addr := r.waitListening(t, startTimeout)
		backends[i] = &url.URL{Scheme: "http", Host: addr}
	}
	p.setBackends(backends)
	t.Logf("replicas listening on %v behind %s", backends, p.URL)

	ctx := context.Background()
	db, err := store.Open(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })

	// Migrations ran once.
	checkMigrations(t, ctx, db, replicas)
	for range replicaCount {
		expect(t, do(p.client, "GET", p.URL+"/readyz", nil, nil), 200)
	}

	c := &cluster{t: t, base: p.URL, hc: p.client}

	// Three setups at once, on three replicas: one organization.
	var setupRes [replicaCount]result
	var wg sync.WaitGroup
	for i := range replicaCount {
		wg.Go(func() {
			setupRes[i] = do(p.client, "POST", p.URL+"/api/v1/setup", map[string]any{
				"org_name": fmt.Sprintf("Org %d", i), "base_currency": "USD", "timezone": "UTC",
				"name": "Owner", "email": ownerEmail, "password": ownerPassword}, clientAddr("192.0.2.1"))
		})
	}
	wg.Wait()
	var created, refused int
	var ownerToken string
	for _, r := range setupRes {
		if r.err != nil {
			t.Fatalf("setup: %v", r.err)
		}
		switch r.status {
		case http.StatusCreated:
			created++
			ownerToken = r.str("access_token")
		case http.StatusConflict:
			refused++
		default:
			t.Fatalf("setup: %d %s", r.status, r.raw)
		}
	}
	if created != 1 || refused != replicaCount-1 || distinct(setupRes[:]) != replicaCount {
		t.Fatalf("racing setups: %d created, %d refused, on %d replicas; want 1, %d, %d", created, refused,
			distinct(setupRes[:]), replicaCount-1, replicaCount)
	}
	var orgs int
	if err := db.NewRaw("SELECT count(*) FROM organizations").Scan(ctx, &orgs); err != nil || orgs != 1 {
		t.Fatalf("organizations after racing setups: %d (%v); want 1", orgs, err)
	}

	// What the load needs: a second user (for the login limit), a creator, a campaign, a link.
	c.must("POST", "/api/v1/users", ownerToken, map[string]any{"email": agentEmail, "name": "Agent", "role": "manager",
		"password": agentPassword}, 201)
	cr := c.must("POST", "/api/v1/creators", ownerToken, map[string]any{"display_name": "Luna", "country": "US",
		"accounts": []map[string]any{{"platform": "tiktok", "handle": "@luna"}}}, 201)
	camp := c.must("POST", "/api/v1/campaigns", ownerToken, map[string]any{"name": "Spring", "starts_on": "2026-01-01",
		"plan": map[string]any{"type": "percent", "rate_bps": 1000}}, 201)
	link := c.must("POST", "/api/v1/links", ownerToken, map[string]any{"creator_id": cr.str("id"), "campaign_id": camp.str("id"),
		"destination_url": "https://shop.example.com/lamp?a=1"}, 201)
	linkID, code := link.str("id"), link.str("code")

	// Logins on every replica; each token works on every replica.
	var logins []result
	for range replicaCount {
		r := do(p.client, "POST", p.URL+"/api/v1/auth/login", map[string]any{"email": ownerEmail, "password": ownerPassword},
			clientAddr("192.0.2.2"))
		expect(t, r, 200)
		logins = append(logins, r)
	}
	if distinct(logins) != replicaCount {
		t.Fatalf("logins landed on %d replicas; want %d", distinct(logins), replicaCount)
	}
	for _, l := range logins {
		var on []result
		for range replicaCount {
			r := do(p.client, "GET", p.URL+"/api/v1/me", nil, bearer(l.str("access_token")))
			expect(t, r, 200)
			on = append(on, r)
		}
		if distinct(on) != replicaCount {
			t.Fatalf("a token was tried on %d replicas; want %d", distinct(on), replicaCount)
		}
	}

	// The refresh cookie rotates across replicas; a cookie rotated away is refused on any replica.
	first := logins[0].cookie
	cookie := first
	var refreshes []result
	for range 2 * replicaCount {
		r := do(p.client, "POST", p.URL+"/api/v1/auth/refresh", nil, refreshHeaders(cookie))
		expect(t, r, 200)
		if r.cookie == "" || r.cookie == cookie {
			t.Fatalf("refresh on replica %d did not rotate the cookie", r.replica)
		}
		expect(t, do(p.client, "GET", p.URL+"/api/v1/me", nil, bearer(r.str("access_token"))), 200)
		cookie = r.cookie
		refreshes = append(refreshes, r)
	}
	if distinct(refreshes) != replicaCount {
		t.Fatalf("refreshes landed on %d replicas; want %d", distinct(refreshes), replicaCount)
	}
	for range replicaCount {
		expect(t, do(p.client, "POST", p.URL+"/api/v1/auth/refresh", nil, refreshHeaders(first)), 401)
	}

	// The login limit across replicas: LoginPerAccount (10) failures for one account from one address,
	// spread 4/3/3 over the replicas, and that address is refused on every replica.
	const perAccount = 10
	var failures, limited []result
	for i := range perAccount + replicaCount {
		r := do(p.client, "POST", p.URL+"/api/v1/auth/login", map[string]any{"email": agentEmail, "password": "wrong password " + strconv.Itoa(i)},
			clientAddr("203.0.113.7"))
		if r.err != nil {
			t.Fatal(r.err)
		}
		if i < perAccount {
			expect(t, r, 401)
			failures = append(failures, r)
		} else {
			expect(t, r, 429)
			limited = append(limited, r)
		}
	}
	if distinct(failures) != replicaCount || distinct(limited) != replicaCount {
		t.Fatalf("wrong passwords on %d replicas, refusals on %d; want %d each", distinct(failures), distinct(limited), replicaCount)
	}
	expect(t, do(p.client, "POST", p.URL+"/api/v1/auth/login", map[string]any{"email": agentEmail, "password": agentPassword},
		clientAddr("203.0.113.7")), 429)
	expect(t, do(p.client, "POST", p.URL+"/api/v1/auth/login", map[string]any{"email": agentEmail, "password": agentPassword},
		clientAddr("203.0.113.8")), 200)

	// An API key made on one replica works on every replica; one revoked on one is refused on all.
	key := c.must("POST", "/api/v1/api-keys", ownerToken, map[string]any{"name": "load"}, 201)
	apiKey := key.str("key")
	var keyUses []result
	for range replicaCount {
		r := do(p.client, "GET", p.URL+"/api/v1/creators", nil, map[string]string{"X-API-Key": apiKey})
		expect(t, r, 200)
		keyUses = append(keyUses, r)
	}
	if distinct(keyUses) != replicaCount {
		t.Fatalf("the API key was used on %d replicas; want %d", distinct(keyUses), replicaCount)
	}
	doomed := c.must("POST", "/api/v1/api-keys", ownerToken, map[string]any{"name": "doomed"}, 201)
	expect(t, do(p.client, "GET", p.URL+"/api/v1/creators", nil, map[string]string{"X-API-Key": doomed.str("key")}), 200)
	expect(t, do(p.client, "DELETE", p.URL+"/api/v1/api-keys/"+doomed.str("id"), nil, bearer(ownerToken)), 204)
	for range replicaCount {
		expect(t, do(p.client, "GET", p.URL+"/api/v1/creators", nil, map[string]string{"X-API-Key": doomed.str("key")}), 401)
	}

	// One Shopify delivery sent to the three replicas at once (Shopify retries a slow delivery while
	// the first is still in flight): one conversion, and every copy answered 200.
	const shopSecret = "shpss_replica_test_secret_0123"
	shop := c.must("POST", "/api/v1/stores", ownerToken, map[string]any{"name": "Shop", "domain": "replica.myshopify.com", "webhook_secret": shopSecret}, 201)
	orderBody, err := os.ReadFile(filepath.Join(moduleRoot(t), "internal", "conversion", "testdata", "shopify", "orders-create.json"))
	if err != nil {
		t.Fatal(err)
	}
	mac := hmac.New(sha256.New, []byte(shopSecret))
	mac.Write(orderBody)
	sig := base64.StdEncoding.EncodeToString(mac.Sum(nil))
	var deliveries [replicaCount * 2]result
	for i := range deliveries {
		wg.Go(func() {
			deliveries[i] = doRaw(p.client, p.URL+"/webhooks/shopify/"+shop.str("id"), orderBody, map[string]string{
				"X-Shopify-Topic": "orders/create", "X-Shopify-Webhook-Id": "replica-delivery-1", "X-Shopify-Hmac-Sha256": sig})
		})
	}
	wg.Wait()
	for _, d := range deliveries {
		expect(t, d, 200)
	}
	var shopOrders int
	if err := db.NewRaw("SELECT count(*) FROM conversions WHERE source = ?", "shopify:"+shop.str("id")).Scan(ctx, &shopOrders); err != nil || shopOrders != 1 {
		t.Fatalf("one delivery sent %d times across %d replicas stored %d conversions (%v); want 1", len(deliveries), distinct(deliveries[:]), shopOrders, err)
	}

	// One visitor clicking one link again and again, on every replica: one counted click.
	var repeats []result
	repeatStart := time.Now()
	for range repeatVisits {
		r := do(p.client, "GET", p.URL+"/r/"+code, nil, map[string]string{
			"X-Forwarded-For": "198.18.0.1", "User-Agent": "Mozilla/5.0 (X11; Linux x86_64) the same visitor"})
		expect(t, r, http.StatusFound)
		repeats = append(repeats, r)
	}
	repeatMinutes := int64(time.Now().Unix()/60-repeatStart.Unix()/60) + 1 // a minute boundary may split them
	if distinct(repeats) != replicaCount {
		t.Fatalf("repeated clicks on %d replicas; want %d", distinct(repeats), replicaCount)
	}

	// The mixed load.
	load := runLoad(t, p, loadPlan{code: code, linkID: linkID, apiKey: apiKey})
	reqPerSec := float64(load.requests) / load.took.Seconds()
	t.Logf("mixed load through the proxy: %d requests from %d goroutines in %s: %.0f req/s across %d replicas, %d errors; "+
		"latency p50 %s p99 %s; per replica %v; %d redirects (%d CPUs shared by the replicas, PostgreSQL and this test's proxy and clients)",
		load.requests, loadWorkers, load.took.Round(time.Millisecond), reqPerSec, replicaCount, load.errors,
		load.p50.Round(time.Microsecond*100), load.p99.Round(time.Microsecond*100), p.served(), load.redirects, runtime.NumCPU())
	t.Logf("mean latency by kind: %s", load.perKind)
	if load.errors > 0 {
		t.Errorf("the load got %d errors; first: %s", load.errors, load.firstError)
	}

	// While they run: each replica holds its own server lease.
	var servers []string
	if err := db.NewRaw("SELECT holder FROM leases WHERE name LIKE 'server:%' ORDER BY holder").Scan(ctx, &servers); err != nil {
		t.Fatal(err)
	}
	if len(servers) != replicaCount || len(slices.Compact(slices.Clone(servers))) != replicaCount {
		t.Errorf("server leases while running: %v; want %d distinct holders", servers, replicaCount)
	}
	var before int
	if err := db.NewRaw("SELECT count(*) FROM clicks").Scan(ctx, &before); err != nil {
		t.Fatal(err)
	}

	// SIGTERM all three at once; each exits 0.
	for _, r := range replicas {
		r.signal(t, syscall.SIGTERM)
	}
	for _, r := range replicas {
		r.waitExit(t, stopTimeout)
	}

	// Every click flushed, each counted once.
	var counted, duplicates, bots, total int64
	if err := db.NewRaw(`SELECT
  count(*) FILTER (WHERE kind = 'counted'),
  count(*) FILTER (WHERE kind = 'duplicate'),
  count(*) FILTER (WHERE kind = 'bot'),
  count(*)
FROM clicks WHERE link_id = ?`, linkID).Scan(ctx, &counted, &duplicates, &bots, &total); err != nil {
		t.Fatal(err)
	}
	wantClicks := load.redirects + repeatVisits
	t.Logf("clicks: %d redirects answered 302, %d stored (%d counted, %d duplicate, %d bot); %d were still in the replicas' buffers at SIGTERM",
		wantClicks, total, counted, duplicates, bots, int64(wantClicks)-int64(before))
	repeatCounted := counted - int64(load.redirects)
	if total != int64(wantClicks) || bots != 0 || repeatCounted < 1 || repeatCounted > repeatMinutes ||
		duplicates != repeatVisits-repeatCounted {
		t.Errorf("clicks stored %d (%d counted, %d duplicate, %d bot); want %d: %d counted once each and one visitor's %d repeats counted once a minute (%d minutes)",
			total, counted, duplicates, bots, wantClicks, load.redirects, repeatVisits, repeatMinutes)
	}

	checkLeasesAndJobs(t, ctx, db, replicas)
}

// checkMigrations: every replica came up, exactly one applied the migrations, and bun_migrations
// has each migration once.
func checkMigrations(t *testing.T, ctx context.Context, db *bun.DB, replicas []*replica) {
	t.Helper()
	ups, err := fs.Glob(migrations.For("postgres"), "*.up.sql")
	if err != nil || len(ups) == 0 {
		t.Fatalf("migrations: %v %v", ups, err)
	}
	var rows, names int
	if err := db.NewRaw("SELECT count(*), count(DISTINCT name) FROM bun_migrations").Scan(ctx, &rows, &names); err != nil {
		t.Fatal(err)
	}
	if rows != len(ups) || names != len(ups) {
		t.Errorf("bun_migrations: %d rows, %d names; want each of the %d migrations once", rows, names, len(ups))
	}
	var locks int
	if err := db.NewRaw("SELECT count(*) FROM bun_migration_locks").Scan(ctx, &locks); err != nil || locks != 0 {
		t.Errorf("bun_migration_locks after startup: %d rows (%v); want none", locks, err)
	}
	migrated := 0
	for _, r := range replicas {
		if n := len(r.logLines("migrations applied")); n > 0 {
			migrated++
		}
	}
	if migrated != 1 {
		t.Errorf("%d replicas applied migrations; want exactly 1 (the others find them applied)", migrated)
	}
}

// checkLeasesAndJobs runs after the replicas stopped: no server lease is left, each lease left is a
// once-per-cluster job's (one row each: the name is the key), and each such job ran at most once
// across the replicas (the run lasts far less than the shortest window, an hour).
func checkLeasesAndJobs(t *testing.T, ctx context.Context, db *bun.DB, replicas []*replica) {
	t.Helper()
	once := map[string]bool{}
	for _, j := range app.Jobs(httpapi.Deps{}, clock.System{}) {
		if j.Once {
			once[j.Name] = true
			if j.Every < time.Hour {
				t.Errorf("job %s runs every %s: this test assumes windows of an hour or more", j.Name, j.Every)
			}
		}
	}
	var leases []struct {
		Name   string `bun:"name"`
		Holder string `bun:"holder"`
	}
	if err := db.NewRaw("SELECT name, holder FROM leases ORDER BY name").Scan(ctx, &leases); err != nil {
		t.Fatal(err)
	}
	leased := map[string]int{}
	for _, l := range leases {
		if !once[l.Name] {
			t.Errorf("lease %q (holder %s) is left after every replica stopped", l.Name, l.Holder)
		}
		leased[l.Name]++
	}
	for name := range once {
		runs := 0
		for _, r := range replicas {
			for _, line := range r.logLines("background job") {
				if line["job"] == name && runResults[line["msg"].(string)] {
					runs++
				}
			}
		}
		if runs > 1 || leased[name] > 1 || (runs == 1) != (leased[name] == 1) {
			t.Errorf("once-per-cluster job %s: %d runs across the replicas, %d lease rows; want at most one, with its lease", name, runs, leased[name])
		}
		t.Logf("once-per-cluster job %s: %d runs, %d lease rows (windows start on the hour)", name, runs, leased[name])
	}
}

// runResults are the worker's log messages that end a job's run (package worker, Runner.run).
var runResults = map[string]bool{"background job done": true, "background job failed": true,
	"background job stopped by shutdown": true, "background job panicked": true}

// --- the load ---

type loadPlan struct{ code, linkID, apiKey string }

type loadResult struct {
	requests, errors, redirects int
	took, p50, p99              time.Duration
	firstError                  string
	perKind                     string // mean latency of each kind of request
}

// loadKind names the kind of the load's request i.
func loadKind(i int) string {
	switch i % 40 {
	case 0:
		return "login"
	case 1, 2, 3, 4:
		return "refresh"
	case 5, 6, 7:
		return "create-creator"
	case 8, 9, 10, 11, 12:
		return "me"
	case 13, 14, 15, 16:
		return "get-link"
	case 17, 18, 19:
		return "list-creators"
	case 20:
		return "readyz"
	}
	return "redirect"
}

// runLoad sends loadRequests requests from loadWorkers goroutines through the proxy: half redirects
// from distinct visitors, the rest API reads with a token or an API key, creator writes, refreshes,
// health checks, and a login now and then. Each goroutine signs in first (its own session and
// address) and keeps its refresh cookie rotating.
func runLoad(t *testing.T, p *proxy, plan loadPlan) loadResult {
	t.Helper()
	var next, errs, redirects atomic.Int64
	var firstErr atomic.Pointer[string]
	fail := func(format string, args ...any) {
		errs.Add(1)
		s := fmt.Sprintf(format, args...)
		firstErr.CompareAndSwap(nil, &s)
	}
	deadline := time.Now().Add(loadTimeout)
	start := time.Now()
	var wg sync.WaitGroup
	latencies := make([][]time.Duration, loadWorkers)
	kinds := make([]map[string][]time.Duration, loadWorkers)
	for g := range loadWorkers {
		wg.Go(func() {
			addr := clientAddr(fmt.Sprintf("198.51.100.%d", g+1))
			kinds[g] = map[string][]time.Duration{}
			var token, cookie string
			login := func() bool {
				r := do(p.client, "POST", p.URL+"/api/v1/auth/login", map[string]any{"email": ownerEmail, "password": ownerPassword}, addr)
				if r.err != nil || r.status != 200 || r.cookie == "" {
					fail("login: %d %v %s", r.status, r.err, r.raw)
					return false
				}
				token, cookie = r.str("access_token"), r.cookie
				return true
			}
			first := true
			for time.Now().Before(deadline) {
				i := int(next.Add(1))
				if i > loadRequests {
					return
				}
				if first {
					first = false
					began := time.Now()
					ok := login()
					latencies[g] = append(latencies[g], time.Since(began))
					kinds[g]["login"] = append(kinds[g]["login"], time.Since(began))
					if !ok {
						return
					}
					continue
				}
				var r result
				want := 200
				began := time.Now()
				switch i % 40 {
				case 0: // another login
					ok := login()
					latencies[g] = append(latencies[g], time.Since(began))
					kinds[g]["login"] = append(kinds[g]["login"], time.Since(began))
					if !ok {
						return
					}
					continue
				case 1, 2, 3, 4: // refresh: the cookie rotates on whichever replica answers
					r = do(p.client, "POST", p.URL+"/api/v1/auth/refresh", nil, refreshHeaders(cookie))
					if r.err == nil && r.status == 200 {
						token, cookie = r.str("access_token"), r.cookie
					}
				case 5, 6, 7: // a write
					r = do(p.client, "POST", p.URL+"/api/v1/creators", map[string]any{"display_name": fmt.Sprintf("Load %d", i),
						"country": "US", "accounts": []map[string]any{{"platform": "tiktok", "handle": fmt.Sprintf("@load%d", i)}}},
						map[string]string{"X-API-Key": plan.apiKey})
					want = 201
				case 8, 9, 10, 11, 12:
					r = do(p.client, "GET", p.URL+"/api/v1/me", nil, bearer(token))
				case 13, 14, 15, 16:
					r = do(p.client, "GET", p.URL+"/api/v1/links/"+plan.linkID, nil, bearer(token))
				case 17, 18, 19:
					r = do(p.client, "GET", p.URL+"/api/v1/creators?limit=20", nil, map[string]string{"X-API-Key": plan.apiKey})
				case 20:
					r = do(p.client, "GET", p.URL+"/readyz", nil, nil)
				default: // half the load: a distinct visitor's click
					r = do(p.client, "GET", p.URL+"/r/"+plan.code, nil, map[string]string{
						"X-Forwarded-For": fmt.Sprintf("100.64.%d.%d", i/250, i%250+1),
						"User-Agent":      fmt.Sprintf("Mozilla/5.0 (X11; Linux x86_64) visitor/%d", i)})
					want = http.StatusFound
					if r.err == nil && r.status == want {
						redirects.Add(1)
					}
				}
				latencies[g] = append(latencies[g], time.Since(began))
				kinds[g][loadKind(i)] = append(kinds[g][loadKind(i)], time.Since(began))
				if r.err != nil || r.status != want {
					fail("request %d (kind %d) on replica %d: %d %v %s", i, i%40, r.replica, r.status, r.err, r.raw)
				}
			}
		})
	}
	wg.Wait()
	took := time.Since(start)
	done := min(int(next.Load()), loadRequests)
	if done < loadRequests {
		t.Errorf("the load did not finish in %s: %d of %d requests", loadTimeout, done, loadRequests)
	}
	all := slices.Sorted(slices.Values(slices.Concat(latencies...)))
	out := loadResult{requests: done, errors: int(errs.Load()), redirects: int(redirects.Load()), took: took}
	if len(all) > 0 {
		out.p50, out.p99 = all[len(all)/2], all[len(all)*99/100]
	}
	merged := map[string][]time.Duration{}
	for _, k := range kinds {
		for name, ds := range k {
			merged[name] = append(merged[name], ds...)
		}
	}
	var parts []string
	for _, name := range slices.Sorted(maps.Keys(merged)) {
		var sum time.Duration
		for _, d := range merged[name] {
			sum += d
		}
		parts = append(parts, fmt.Sprintf("%s %d×%s", name, len(merged[name]), (sum/time.Duration(len(merged[name]))).Round(100*time.Microsecond)))
	}
	out.perKind = strings.Join(parts, ", ")
	if s := firstErr.Load(); s != nil {
		out.firstError = *s
	}
	return out
}

// --- the proxy ---

// proxy is a round-robin reverse proxy over the replicas, marking each answer with the replica that
// gave it (X-Test-Replica).
type proxy struct {
	*httptest.Server
	backends atomic.Pointer[[]*url.URL]
	next     atomic.Uint64
	counts   [replicaCount]atomic.Int64
	client   *http.Client // follows no redirects; keeps its connections to the proxy
}

func newProxy(t *testing.T) *proxy {
	p := &proxy{}
	transport := &http.Transport{MaxIdleConns: 256, MaxIdleConnsPerHost: 128, IdleConnTimeout: 30 * time.Second}
	rp := &httputil.ReverseProxy{
		Transport: transport,
		Rewrite: func(pr *httputil.ProxyRequest) {
			bs := *p.backends.Load()
			i := int(p.next.Add(1)-1) % len(bs)
			p.counts[i].Add(1)
			pr.SetURL(bs[i])
			pr.Out.Host = pr.In.Host // the public host, as a load balancer passes it
			// Keep the client's X-Forwarded-For and append the peer, as httputil's Director does.
			pr.Out.Header["X-Forwarded-For"] = pr.In.Header["X-Forwarded-For"]
			pr.SetXForwarded()
		},
		ModifyResponse: func(res *http.Response) error {
			for i, b := range *p.backends.Load() {
				if res.Request.URL.Host == b.Host {
					res.Header.Set(replicaHeader, strconv.Itoa(i))
				}
			}
			return nil
		},
		ErrorHandler: func(w http.ResponseWriter, r *http.Request, err error) {
			http.Error(w, "proxy: "+err.Error(), http.StatusBadGateway)
		},
	}
	p.Server = httptest.NewServer(rp) // 127.0.0.1
	t.Cleanup(func() {
		p.Server.Close()
		transport.CloseIdleConnections()
	})
	noFollow := func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	p.client = &http.Client{Timeout: 30 * time.Second, CheckRedirect: noFollow,
		Transport: &http.Transport{MaxIdleConns: 128, MaxIdleConnsPerHost: 128}}
	t.Cleanup(p.client.CloseIdleConnections)
	return p
}

func (p *proxy) setBackends(bs []*url.URL) { p.backends.Store(&bs) }

func (p *proxy) served() []int64 {
	out := make([]int64, replicaCount)
	for i := range out {
		out[i] = p.counts[i].Load()
	}
	return out
}

// --- HTTP helpers ---

type result struct {
	status  int
	replica int // -1 when the proxy did not say
	body    map[string]any
	raw     string
	cookie  string // the refresh cookie set by the answer, if any
	err     error
}

func (r result) str(key string) string {
	s, _ := r.body[key].(string)
	return s
}

func do(hc *http.Client, method, url string, body any, headers map[string]string) result {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return result{err: err, replica: -1}
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		return result{err: err, replica: -1}
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("User-Agent", "Mozilla/5.0 (replica test)")
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	res, err := hc.Do(req)
	if err != nil {
		return result{err: err, replica: -1}
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	out := result{status: res.StatusCode, raw: string(b), err: err, replica: -1}
	if s := res.Header.Get(replicaHeader); s != "" {
		out.replica, _ = strconv.Atoi(s)
	}
	if strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") && len(b) > 0 {
		_ = json.Unmarshal(b, &out.body)
	}
	for _, ck := range res.Cookies() {
		if ck.Name == refreshCookie && ck.Value != "" {
			out.cookie = ck.Value
		}
	}
	if len(out.raw) > 300 {
		out.raw = out.raw[:300] + "…"
	}
	return out
}

// doRaw posts body as it is (a webhook's signature covers the exact bytes).
func doRaw(hc *http.Client, url string, body []byte, headers map[string]string) result {
	req, err := http.NewRequest("POST", url, bytes.NewReader(body))
	if err != nil {
		return result{err: err, replica: -1}
	}
	req.Header.Set("Content-Type", "application/json")
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	res, err := hc.Do(req)
	if err != nil {
		return result{err: err, replica: -1}
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	out := result{status: res.StatusCode, raw: string(b), err: err, replica: -1}
	if s := res.Header.Get(replicaHeader); s != "" {
		out.replica, _ = strconv.Atoi(s)
	}
	return out
}

func expect(t *testing.T, r result, status int) {
	t.Helper()
	if r.err != nil || r.status != status {
		t.Fatalf("replica %d answered %d (%v) %s; want %d", r.replica, r.status, r.err, r.raw, status)
	}
}

// distinct counts the replicas that answered rs.
func distinct(rs []result) int {
	seen := map[int]bool{}
	for _, r := range rs {
		seen[r.replica] = true
	}
	return len(seen)
}

func bearer(token string) map[string]string {
	return map[string]string{"Authorization": "Bearer " + token}
}

func clientAddr(ip string) map[string]string { return map[string]string{"X-Forwarded-For": ip} }

func refreshHeaders(cookie string) map[string]string {
	return map[string]string{"Cookie": refreshCookie + "=" + cookie, "X-Requested-With": "XMLHttpRequest",
		"X-Forwarded-For": "192.0.2.3"}
}

type cluster struct {
	t    *testing.T
	base string
	hc   *http.Client
}

func (c *cluster) must(method, path, token string, body any, status int) result {
	c.t.Helper()
	r := do(c.hc, method, c.base+path, body, bearer(token))
	expect(c.t, r, status)
	return r
}

// --- the child processes ---

// buildBinary builds cmd/caravan (without -race: the children are the system under test, not the
// test) into a temporary folder.
func buildBinary(t *testing.T) string {
	t.Helper()
	root := moduleRoot(t)
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("the go command is needed to build the server: %v", err)
	}
	bin := filepath.Join(t.TempDir(), "caravan")
	start := time.Now()
	cmd := exec.Command(goTool, "build", "-o", bin, "./cmd/caravan")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build ./cmd/caravan: %v\n%s", err, out)
	}
	t.Logf("built %s in %s", bin, time.Since(start).Round(time.Millisecond))
	return bin
}

// moduleRoot is the folder holding go.mod, found from this file's path (two levels up from it).
func moduleRoot(t *testing.T) string {
	t.Helper()
	_, file, _, ok := runtime.Caller(0)
	if ok && filepath.IsAbs(file) {
		root := filepath.Join(filepath.Dir(file), "..", "..")
		if _, err := os.Stat(filepath.Join(root, "go.mod")); err == nil {
			return root
		}
	}
	// Built with -trimpath: go test runs in the package's folder.
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	root := filepath.Join(wd, "..", "..")
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("cannot find the module root from %s: %v", wd, err)
	}
	return root
}

// replica is one `caravan serve` child with its log.
type replica struct {
	n    int
	cmd  *exec.Cmd
	log  *logWriter
	done chan struct{}
	err  error // of Wait, once done is closed
}

func startReplica(t *testing.T, bin string, n int, env []string) *replica {
	t.Helper()
	cmd := exec.Command(bin, "serve")
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "CARAVAN_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, env...)
	r := &replica{n: n, cmd: cmd, log: &logWriter{listening: make(chan string, 1)}, done: make(chan struct{})}
	cmd.Stdout, cmd.Stderr = r.log, r.log
	if err := cmd.Start(); err != nil {
		t.Fatalf("start replica %d: %v", n, err)
	}
	go func() {
		r.err = cmd.Wait()
		close(r.done)
	}()
	t.Cleanup(func() {
		select {
		case <-r.done:
			return
		default:
		}
		_ = cmd.Process.Kill()
		select {
		case <-r.done:
		case <-time.After(10 * time.Second):
			t.Errorf("replica %d (pid %d) did not exit after SIGKILL", n, cmd.Process.Pid)
		}
	})
	return r
}

func (r *replica) waitListening(t *testing.T, timeout time.Duration) string {
	t.Helper()
	select {
	case addr := <-r.log.listening:
		return addr
	case <-r.done:
		t.Fatalf("replica %d exited before listening (%v):\n%s", r.n, r.err, r.log.String())
	case <-time.After(timeout):
		t.Fatalf("replica %d did not listen within %s:\n%s", r.n, timeout, r.log.String())
	}
	return ""
}

func (r *replica) signal(t *testing.T, sig os.Signal) {
	t.Helper()
	if err := r.cmd.Process.Signal(sig); err != nil {
		t.Errorf("signal replica %d: %v", r.n, err)
	}
}

func (r *replica) waitExit(t *testing.T, timeout time.Duration) {
	t.Helper()
	start := time.Now()
	select {
	case <-r.done:
	case <-time.After(timeout):
		_ = r.cmd.Process.Kill()
		<-r.done
		t.Fatalf("replica %d did not stop within %s of SIGTERM:\n%s", r.n, timeout, r.log.String())
	}
	if r.err != nil {
		t.Fatalf("replica %d exited with %v:\n%s", r.n, r.err, r.log.String())
	}
	t.Logf("replica %d stopped cleanly %s after SIGTERM", r.n, time.Since(start).Round(time.Millisecond))
	for _, l := range r.logLines("") {
		if l["level"] == "ERROR" {
			t.Errorf("replica %d logged an error: %v", r.n, l)
		}
	}
}

// logLines returns the replica's JSON log lines whose message starts with msg.
func (r *replica) logLines(msg string) []map[string]any {
	var out []map[string]any
	for line := range strings.Lines(r.log.String()) {
		if !strings.Contains(line, msg) {
			continue
		}
		var m map[string]any
		if json.Unmarshal([]byte(line), &m) != nil {
			continue
		}
		if s, _ := m["msg"].(string); strings.HasPrefix(s, msg) {
			out = append(out, m)
		}
	}
	return out
}

// logWriter keeps a child's output and reports the address of its "caravan listening" line.
type logWriter struct {
	mu        sync.Mutex
	buf       bytes.Buffer
	partial   []byte
	listening chan string
	announced bool
}

func (w *logWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf.Write(p)
	if w.announced {
		return len(p), nil
	}
	w.partial = append(w.partial, p...)
	for {
		i := bytes.IndexByte(w.partial, '\n')
		if i < 0 {
			break
		}
		line := w.partial[:i]
		w.partial = w.partial[i+1:]
		var m struct {
			Msg  string `json:"msg"`
			Addr string `json:"addr"`
		}
		if json.Unmarshal(line, &m) == nil && m.Msg == "caravan listening" && m.Addr != "" {
			w.announced, w.partial = true, nil
			w.listening <- m.Addr
			break
		}
	}
	return len(p), nil
}

func (w *logWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}
