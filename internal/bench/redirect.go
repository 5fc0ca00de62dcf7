package bench

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
)

func init() { Register(Scenario{Name: "redirect", Run: runRedirect}) }

// redirectConc is how many keep-alive connections the load generator holds to either server.
const redirectConc = 32

// visitorBurst is how many requests one simulated visitor (one X-Forwarded-For address) sends in a
// run, each on another link: within the redirect's per-address burst, and never twice the same link
// in a minute, so every click is a counted one.
const visitorBurst = 50

// browserUA is what the simulated visitors send: a phone's browser, so no click is taken for a bot.
const browserUA = "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) " +
	"Version/18.0 Mobile/15E148 Safari/604.1"

// runRedirect measures GET /r/{code} through the real server (router, middleware, per-address limit,
// link lookup, the click buffered and written in batches) against a bare net/http handler in the
// same process that looks the code up in a map and answers the same 302: the same load generator,
// connections and visitors on both. Then it runs the server at half its measured peak for the p99,
// and finally flushes the clicks and checks that every 302 left exactly one click in the database.
func runRedirect(ctx context.Context, env *Env) ([]Result, error) {
	s, err := env.NewServer(ctx, "sqlite", "redirect")
	if err != nil {
		return nil, err
	}
	defer s.Close()
	codes, dests, err := redirectLinks(ctx, s, 200)
	if err != nil {
		return nil, err
	}
	bare := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		dest, ok := dests[strings.TrimPrefix(r.URL.Path, "/r/")]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Cache-Control", "no-store")
		http.Redirect(w, r, dest+"&cv_click=01JDQ5V3Z8M2XH7Y4K6N9P0R1S&utm_source=tiktok&utm_medium=creator", http.StatusFound)
	}))
	defer bare.Close()

	// The load generator runs in a process of its own (loadproc.go), one for both servers.
	gen, err := StartLoadProcess()
	if err != nil {
		return nil, err
	}
	defer gen.Close()
	paths := make([]string, len(codes))
	for i, c := range codes {
		paths[i] = "/r/" + c
	}
	n := env.Scale(40_000, 12_000)
	visitors := 0 // addresses handed out so far: each run's visitors are new
	answered := 0 // 302s from Caravan: each must have left one click
	run := func(base string, n int, perSecond float64) (LoadResult, error) {
		spec := LoadSpec{URL: base, Paths: paths, Header: map[string]string{"User-Agent": browserUA},
			ForwardedFirst: visitors, ForwardedEvery: visitorBurst, Conc: redirectConc, N: n, PerSecond: perSecond, Want: http.StatusFound}
		visitors += n/visitorBurst + 1
		r, err := gen.Run(spec)
		if err != nil {
			return r, err
		}
		if base == s.URL {
			answered += r.Requests - r.Errors
		}
		if r.Errors > 0 {
			return r, fmt.Errorf("bench: %d of %d redirects failed, the first: %w", r.Errors, r.Requests, r.FirstErr)
		}
		return r, ctx.Err()
	}

	// Warm up both servers: connections, the link cache, the click flusher.
	for _, base := range []string{bare.URL, s.URL} {
		if _, err := run(base, n/4, 0); err != nil {
			return nil, err
		}
	}
	base, subj, err := Interleave(env.Runs,
		func(int) (float64, error) { r, err := run(bare.URL, n, 0); return r.PerSecond(), err },
		func(int) (float64, error) { r, err := run(s.URL, n, 0); return r.PerSecond(), err })
	if err != nil {
		return nil, err
	}
	peak := Median(subj)
	half := peak / 2
	// At half of the peak the p99 is of a steady run of a few seconds (at least 5,000 requests).
	paced, err := run(s.URL, max(5_000, int(half*float64(env.Scale(10, 4)))), half)
	if err != nil {
		return nil, err
	}

	// The bare handler at the same pace: how much of the tail is the machine's and the generator's.
	barePaced, err := run(bare.URL, paced.Requests, half)
	if err != nil {
		return nil, err
	}

	if err := s.Deps.Tracking.Flush(ctx); err != nil {
		return nil, fmt.Errorf("bench: flush the clicks: %w", err)
	}
	stored, err := s.DB.NewSelect().Table("clicks").Count(ctx)
	if err != nil {
		return nil, err
	}
	clicksOK := stored == int64(answered)
	check := fmt.Sprintf("every click stored: %d redirects answered 302, %d clicks in the database", answered, stored)
	if !clicksOK {
		check = fmt.Sprintf("CLICKS LOST OR DOUBLED: %d redirects answered 302, %d clicks in the database", answered, stored)
	}
	thr := AtLeast("redirect", "req/s", peak, Median(base), 0.9,
		fmt.Sprintf("baseline a bare net/http map lookup + 302 in the same process; a load generator in a process of its own with %d keep-alive connections, %d requests a run, "+
			"%d links, a new visitor address every %d requests, SQLite; %s", redirectConc, n, len(codes), visitorBurst, check))
	p99 := Below("redirect_p99", "ms", paced.P(99), 2,
		fmt.Sprintf("%d requests at %.0f/s (half the peak), open model, from a load generator in a process of its own; p50 %.2f ms; "+
			"the bare handler at the same pace: p99 %.2f ms, p50 %.2f ms; %s", paced.Requests, half, paced.P(50), barePaced.P(99), barePaced.P(50), check))
	thr.Met = thr.Met && clicksOK
	p99.Met = p99.Met && clicksOK
	return []Result{thr, p99}, nil
}

// redirectLinks creates, through the API, a creator with an account, a campaign and count links to
// them (half of them naming the account), and returns their codes and destinations.
func redirectLinks(ctx context.Context, s *Server, count int) ([]string, map[string]string, error) {
	var cr struct {
		ID       string `json:"id"`
		Accounts []struct {
			ID string `json:"id"`
		} `json:"accounts"`
	}
	if err := s.Do(ctx, http.MethodPost, "/api/v1/creators", map[string]any{"display_name": "Luna", "country": "US",
		"accounts": []map[string]any{{"platform": "tiktok", "handle": "@luna_bench", "followers": 120_000}}}, http.StatusCreated, &cr); err != nil {
		return nil, nil, err
	}
	var camp struct{ ID string }
	if err := s.Do(ctx, http.MethodPost, "/api/v1/campaigns", map[string]any{"name": "Spring launch", "starts_on": "2026-01-01",
		"plan": map[string]any{"type": "percent", "rate_bps": 1000}}, http.StatusCreated, &camp); err != nil {
		return nil, nil, err
	}
	codes := make([]string, 0, count)
	dests := make(map[string]string, count)
	for i := range count {
		body := map[string]any{"creator_id": cr.ID, "campaign_id": camp.ID,
			"destination_url": fmt.Sprintf("https://shop.example.com/products/%d?ref=creator", i)}
		if i%2 == 0 {
			body["account_id"] = cr.Accounts[0].ID
		}
		var l struct{ Code string }
		if err := s.Do(ctx, http.MethodPost, "/api/v1/links", body, http.StatusCreated, &l); err != nil {
			return nil, nil, err
		}
		codes = append(codes, l.Code)
		dests[l.Code] = body["destination_url"].(string)
	}
	return codes, dests, nil
}

// visitorIP is the k-th simulated visitor's address, in 10.0.0.0/8.
func visitorIP(k int) string {
	return fmt.Sprintf("10.%d.%d.%d", (k>>16)&0xff, (k>>8)&0xff, k&0xff)
}
