package demo

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
	"unicode"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"

	"github.com/caravan-crm/caravan/internal/creator"
	"github.com/caravan-crm/caravan/internal/platform"
)

// creatorPlan is a creator to write, and what the orders need to know of them.
type creatorPlan struct {
	index    int // in gen.creators
	id       string
	in       creator.NewCreator
	market   *market
	stem     string    // the start of their promo codes, e.g. EMMA
	joined   time.Time // created
	until    time.Time // sells until (paused and churned creators); zero: to the end
	weight   float64   // how much they sell: 0 for creators who do not
	accounts []*accountPlan
	live     []*accountPlan // the accounts that carry an audience
}

// accountPlan is an account with its weekly followers from the day its creator joined.
type accountPlan struct {
	id        string
	platform  string
	handle    string
	status    string
	followers []int64 // [0] on the day the creator joined, then every 7 days; the last is today's
	avgViews  int64
	engBps    int64
}

// sells reports whether the creator brings orders at t.
func (c *creatorPlan) sells(t time.Time) bool {
	return c.weight > 0 && !t.Before(c.joined) && (c.until.IsZero() || t.Before(c.until))
}

// active returns the creator's accounts that carry an audience.
func (c *creatorPlan) active() []*accountPlan {
	var out []*accountPlan
	for _, a := range c.accounts {
		if a.status == creator.AccountActive {
			out = append(out, a)
		}
	}
	return out
}

// pick returns one of list.
func pick[T any](g *gen, list []T) T { return list[g.r.IntN(len(list))] }

// chance is true with probability p.
func (g *gen) chance(p float64) bool { return g.r.Float64() < p }

// between returns an integer in [lo, hi].
func (g *gen) between(lo, hi int) int { return lo + g.r.IntN(hi-lo+1) }

// weighted returns an index of weights, chosen in proportion to them.
func (g *gen) weighted(weights []int) int {
	total := 0
	for _, w := range weights {
		total += w
	}
	n := g.r.IntN(total)
	for i, w := range weights {
		if n < w {
			return i
		}
		n -= w
	}
	return len(weights) - 1
}

// ascii folds a name into the letters a handle or an e-mail address uses: no accents, lower case,
// no spaces.
func ascii(s string) string {
	s = strings.NewReplacer("ü", "ue", "ö", "oe", "ä", "ae", "ß", "ss", "Ü", "Ue", "Ö", "Oe", "Ä", "Ae").Replace(s)
	t := transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
	out, _, _ := transform.String(t, s)
	out = strings.ToLower(out)
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, out)
}

// statuses of the creators, per mille.
var statusMix = []struct {
	status string
	weight int
}{
	{creator.StatusActive, 580}, {creator.StatusPaused, 50}, {creator.StatusChurned, 40}, {creator.StatusNegotiating, 80},
	{creator.StatusContacted, 90}, {creator.StatusProspect, 140}, {creator.StatusBlocked, 20},
}

// people plans the creators and writes the agencies and the creators with their accounts, each at
// the instant the seller added them.
func (g *gen) people(ctx context.Context) error {
	// Agencies, signed before the window.
	for i, a := range agencies {
		g.at(g.start.AddDate(0, 0, -150+i*9))
		share := a.shareBps
		email := a.email
		ag, err := g.svc.Creators.CreateAgency(ctx, g.owner, creator.NewAgency{Name: a.name, Country: a.country, ContactEmail: &email, ShareBps: &share})
		if err != nil {
			return fail("agency "+a.name, err)
		}
		g.agencyIDs = append(g.agencyIDs, ag.ID)
	}
	g.res.Agencies = len(agencies)

	taken := map[string]bool{} // platform/skeleton of every handle, and names
	for i := range g.opt.Creators {
		c := g.planCreator(taken)
		c.index = i
		g.creators = append(g.creators, c)
	}
	// Written in the order the seller added them.
	order := slices.Clone(g.creators)
	slices.SortStableFunc(order, func(a, b *creatorPlan) int { return a.joined.Compare(b.joined) })
	g.progress(StepCreators, 0, len(order))
	for i, c := range order {
		g.at(c.joined)
		got, err := g.svc.Creators.Create(ctx, g.owner, c.in)
		if err != nil {
			return fail("creator "+c.in.DisplayName, err)
		}
		c.id = got.ID
		for _, a := range got.Accounts {
			for _, ap := range c.accounts {
				if ap.platform == a.Platform && ap.handle == a.Handle {
					ap.id = a.ID
				}
			}
		}
		g.res.Creators++
		g.res.Accounts += len(got.Accounts)
		g.progress(StepCreators, i+1, len(order))
	}
	return nil
}

// planCreator draws one creator: where they are, who they are, their accounts and how well they sell.
func (g *gen) planCreator(taken map[string]bool) *creatorPlan {
	weights := make([]int, len(markets))
	for i, m := range markets {
		weights[i] = m.weight
	}
	m := &markets[g.weighted(weights)]
	c := &creatorPlan{market: m}
	zh := m.first == nil && m.country != "JP" || (slices.Contains([]string{"US", "CA", "AU", "GB"}, m.country) && g.chance(0.08))

	var first, last, display, base string
	for try := 0; ; try++ {
		switch {
		case m.country == "JP":
			f, l := pick(g, jpFirst), pick(g, jpLast)
			first, last = f.romaji, l.romaji
			display = l.kanji + " " + f.kanji
			if g.chance(0.35) {
				display = strings.ToUpper(f.romaji[:1]) + f.romaji[1:] + " · " + pick(g, jpSuffix)
			}
		case zh:
			f, l := pick(g, zhFirst), pick(g, zhLast)
			first, last = f.romaji, l.romaji
			display = l.kanji + f.kanji + " " + strings.ToUpper(f.romaji[:1]) + f.romaji[1:] + " " + strings.ToUpper(l.romaji[:1]) + l.romaji[1:]
			if g.chance(0.45) {
				display = f.kanji + pick(g, zhStyle)
			}
		default:
			first, last = pick(g, m.first), pick(g, m.last)
			display = first + " " + last
			switch n := g.r.IntN(10); {
			case n == 0:
				display = pick(g, brandPrefix) + " " + pick(g, brandNoun)
			case n == 1:
				display = pick(g, brandPrefix) + " " + pick(g, brandNoun) + " by " + first
			}
			first, last = ascii(first), ascii(last)
		}
		if !taken["name:"+display] || try > 20 {
			break
		}
	}
	taken["name:"+display] = true
	switch n := g.r.IntN(8); n {
	case 0:
		base = first + last
	case 1:
		base = first + "." + last
	case 2:
		base = first + "_" + last
	case 3:
		base = first + "." + pick(g, handleWords)
	case 4:
		base = pick(g, handleWords) + "with" + first
	case 5:
		base = first + last[:1] + pick(g, handleWords)
	case 6:
		base = "the" + pick(g, handleWords) + first
	default:
		base = first + last + fmt.Sprint(g.between(1, 99))
	}
	c.stem = strings.ToUpper(first)
	if len(c.stem) > 8 {
		c.stem = c.stem[:8]
	}

	// Status, and when they joined and stopped selling.
	sw := make([]int, len(statusMix))
	for i, s := range statusMix {
		sw[i] = s.weight
	}
	status := statusMix[g.weighted(sw)].status
	span := time.Duration(g.days) * 24 * time.Hour
	switch status {
	case creator.StatusActive, creator.StatusPaused, creator.StatusChurned, creator.StatusBlocked:
		if g.chance(0.75) {
			c.joined = g.start.Add(-time.Duration(g.between(10*24, 120*24)) * time.Hour)
		} else {
			c.joined = g.start.Add(time.Duration(g.r.Int64N(int64(span) * 3 / 4)))
		}
	default:
		c.joined = g.start.Add(time.Duration(g.r.Int64N(int64(span))))
	}
	c.joined = c.joined.Add(time.Duration(g.r.IntN(3600)) * time.Second)

	// Accounts: the main platform, then others.
	var plats []string
	switch {
	case zh:
		plats = []string{platform.RedNote}
	case m.country == "JP":
		plats = []string{[]string{platform.Instagram, platform.Instagram, platform.YouTube, platform.TikTok}[g.r.IntN(4)]}
	default:
		plats = []string{[]string{platform.TikTok, platform.TikTok, platform.TikTok, platform.TikTok, platform.Instagram, platform.Instagram,
			platform.Instagram, platform.YouTube, platform.YouTube, platform.RedNote}[g.r.IntN(10)]}
	}
	n := 1
	if x := g.r.IntN(100); x >= 45 {
		n = 2
		if x >= 83 {
			n = 3
		}
	}
	others := []string{platform.TikTok, platform.Instagram, platform.YouTube, platform.RedNote}
	g.r.Shuffle(len(others), func(i, j int) { others[i], others[j] = others[j], others[i] })
	for _, p := range others {
		if len(plats) < n && !slices.Contains(plats, p) {
			plats = append(plats, p)
		}
	}
	mainFollowers := math.Exp(math.Log(30_000) + 1.4*g.r.NormFloat64())
	mainFollowers = min(max(mainFollowers, 800), 4_500_000)
	weeks := int(g.now.Sub(c.joined).Hours()/24/7) + 1
	maxFollowers := int64(0)
	for i, p := range plats {
		a := &accountPlan{platform: p, status: creator.AccountActive}
		a.handle = g.handle(taken, p, base, i)
		f := mainFollowers
		if i > 0 {
			f *= 0.08 + 0.7*g.r.Float64()
		}
		switch x := g.r.IntN(100); {
		case x < 3:
			a.status = creator.AccountDormant
		case x < 5 && p == platform.TikTok:
			a.status = creator.AccountBanned
		case x < 6 && i > 0:
			a.status = creator.AccountMigrated
		}
		growth := 0.004 + 0.012*g.r.Float64()
		if a.status != creator.AccountActive {
			growth = -0.004
		}
		a.followers = make([]int64, weeks+1)
		for w := range a.followers {
			a.followers[w] = int64(f)
			step := growth + 0.008*g.r.NormFloat64()
			if a.status == creator.AccountActive && g.chance(0.02) {
				step += 0.15 + 0.3*g.r.Float64() // a post that took off
			}
			f = max(f*(1+step), 100)
		}
		last := a.followers[len(a.followers)-1]
		reach := map[string][2]float64{platform.TikTok: {0.05, 0.4}, platform.Instagram: {0.03, 0.15},
			platform.YouTube: {0.05, 0.3}, platform.RedNote: {0.02, 0.2}}[p]
		a.avgViews = int64(float64(last) * (reach[0] + (reach[1]-reach[0])*g.r.Float64()))
		a.engBps = int64(g.between(150, 900))
		if a.status == creator.AccountActive || a.status == creator.AccountDormant {
			maxFollowers = max(maxFollowers, last)
		}
		c.accounts = append(c.accounts, a)
	}

	c.live = c.active()

	// Sales pull: bigger audiences sell more, but not in proportion, and some creators convert far
	// better than others.
	switch status {
	case creator.StatusActive, creator.StatusPaused, creator.StatusChurned:
		c.weight = math.Pow(float64(max(maxFollowers, 1000)), 0.55) * math.Exp(0.7*g.r.NormFloat64())
	}
	switch status {
	case creator.StatusPaused:
		c.until = g.start.Add(time.Duration(g.r.Int64N(int64(span)/2) + int64(span)/3))
	case creator.StatusChurned:
		c.until = g.start.Add(time.Duration(g.r.Int64N(int64(span)/3) + int64(span)/8))
	}
	if !c.until.IsZero() && c.until.Before(c.joined.Add(14*24*time.Hour)) {
		c.until = c.joined.Add(14 * 24 * time.Hour)
	}

	in := creator.NewCreator{DisplayName: display, Country: m.country, Status: status, Languages: slices.Clone(m.langs)}
	if zh {
		in.Languages = []string{"zh", "en"}
		wechat := first + "_" + last + fmt.Sprint(g.between(10, 99))
		in.WeChat = &wechat
	}
	if g.chance(0.65) {
		var email string
		switch g.r.IntN(3) {
		case 0:
			email = first + "." + last + "@example.com"
		case 1:
			email = "collabs." + first + "@example.net"
		default:
			email = strings.ReplaceAll(strings.ReplaceAll(base, ".", ""), "_", "") + "@example.org"
		}
		in.Email = &email
	}
	if m.country != "US" && m.country != "CA" && g.chance(0.3) {
		phone := fmt.Sprintf("+%d %d %04d %04d", map[string]int{"GB": 44, "DE": 49, "FR": 33, "JP": 81, "AU": 61, "IT": 39, "ES": 34, "NL": 31,
			"SG": 65, "MY": 60}[m.country], g.between(70, 99), g.r.IntN(10_000), g.r.IntN(10_000))
		in.WhatsApp = &phone
	}
	cur := m.currency
	in.PayoutCurrency = &cur
	if g.chance(0.35) {
		rate := []int64{800, 1000, 1200, 1500}[g.r.IntN(4)]
		in.DefaultRateBps = &rate
	}
	if g.chance(0.7) {
		owner := g.owner.UserID
		in.OwnerID = &owner
	}
	for i, a := range agencies {
		if (a.country == m.country || (zh && a.country == "CN") || (a.country == "US" && m.country == "CA")) && g.chance(0.3) {
			id := g.agencyIDs[i]
			in.AgencyID = &id
			break
		}
	}
	for range g.between(1, 5) {
		t := pick(g, tags)
		if !slices.Contains(in.Tags, t) {
			in.Tags = append(in.Tags, t)
		}
	}
	if g.chance(0.25) {
		in.Notes = pick(g, notes)
	}
	for _, a := range c.accounts {
		f := a.followers[0]
		views, eng := a.avgViews, a.engBps
		in.Accounts = append(in.Accounts, creator.NewAccount{Platform: a.platform, Handle: a.handle, Followers: &f, AvgViews: &views,
			EngagementBps: &eng, Status: a.status, URL: profileURL(a.platform, a.handle)})
	}
	c.in = in
	return c
}

// handle draws a free handle on platform p from base (RedNote handles are numbers); the i-th
// account of a creator varies it a little.
func (g *gen) handle(taken map[string]bool, p, base string, i int) string {
	for try := 0; ; try++ {
		h := base
		switch {
		case p == platform.RedNote:
			h = fmt.Sprintf("%d", 9_000_000_000+g.r.Int64N(900_000_000))
		case p == platform.YouTube && i > 0 && g.chance(0.5):
			h = base + "tv"
		case i > 0 && g.chance(0.3):
			h = base + ".home"
		}
		if try > 0 {
			h += fmt.Sprint(g.between(1, 999))
		}
		k := p + "/" + platform.Skeleton(h)
		if !taken[k] {
			taken[k] = true
			return h
		}
	}
}

// profileURL is the public address of an account.
func profileURL(p, handle string) *string {
	var u string
	switch p {
	case platform.TikTok:
		u = "https://www.tiktok.com/@" + handle
	case platform.Instagram:
		u = "https://www.instagram.com/" + handle + "/"
	case platform.YouTube:
		u = "https://www.youtube.com/@" + handle
	case platform.RedNote:
		return nil // RedNote profile addresses carry an internal id, not the handle
	}
	return &u
}

// history writes every account's weekly followers after the first (written with the account).
func (g *gen) history(ctx context.Context) error {
	g.at(g.now)
	var batch []creator.AccountHistory
	total, done := 0, 0
	for _, c := range g.creators {
		total += len(c.accounts)
	}
	g.progress(StepHistory, 0, total)
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		if err := g.svc.Creators.AddHistory(ctx, g.owner, batch); err != nil {
			return fail("follower history", err)
		}
		done += len(batch)
		g.progress(StepHistory, done, total)
		batch = batch[:0]
		return nil
	}
	for _, c := range g.creators {
		for _, a := range c.accounts {
			h := creator.AccountHistory{AccountID: a.id}
			for w := 1; w < len(a.followers); w++ {
				t := c.joined.AddDate(0, 0, 7*w)
				if w == len(a.followers)-1 || t.After(g.now) {
					t = g.now // the last is today's
				} else if g.dayOf(t) == g.dayOf(g.now) {
					continue // today's comes last
				}
				views := a.avgViews * (int64(w) + 20) / int64(len(a.followers)+20)
				eng := a.engBps
				h.Snapshots = append(h.Snapshots, creator.NewSnapshot{CapturedOn: g.dayOf(t), Followers: a.followers[w], AvgViews: &views, EngagementBps: &eng})
				if t.Equal(g.now) {
					break
				}
			}
			g.res.Snapshots += len(h.Snapshots) + 1
			batch = append(batch, h)
			if len(batch) == 50 {
				if err := flush(); err != nil {
					return err
				}
			}
		}
	}
	return flush()
}
