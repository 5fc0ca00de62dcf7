package tracking

import (
	"context"
	"net/url"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/caravan-crm/caravan/internal/apperr"
	"github.com/caravan-crm/caravan/internal/country"
	"github.com/caravan-crm/caravan/internal/creator"
	"github.com/caravan-crm/caravan/internal/store"
)

// Query parameters the redirect adds to the destination.
const (
	ParamClick       = "cv_click"
	ParamSource      = "utm_source"
	ParamMedium      = "utm_medium"
	ParamCampaign    = "utm_campaign"
	MediumCreator    = "creator"
	maxUserAgent     = 512
	maxReferer       = 1024
	limiterIdleSweep = time.Minute
)

// Visit is one request of /r/{code}: what the handler knows of it.
type Visit struct {
	Code      string
	IP        string // the real client address (trusted proxies only; see httpapi's IP extractor)
	UserAgent string
	Referer   string
	Country   string // a CDN's country header (CF-IPCountry), if any: analytics only, never trusted for more
}

// validCode reports whether code looks like an issued code (6 to 32 ASCII letters and digits);
// anything else is a 404 without a database lookup. (A loop: a regular expression cost more than
// the rest of the check on the hot path.)
func validCode(code string) bool {
	if len(code) < 6 || len(code) > 32 {
		return false
	}
	for i := range len(code) {
		if c := code[i]; !('0' <= c && c <= '9' || 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z') {
			return false
		}
	}
	return true
}

// redirectLink is what the redirect reads of a link: one indexed lookup by code.
type redirectLink struct {
	ID             string  `bun:"id"`
	OrgID          string  `bun:"org_id"`
	CreatorID      string  `bun:"creator_id"`
	CampaignID     string  `bun:"campaign_id"`
	AccountID      *string `bun:"account_id"`
	DestinationURL string  `bun:"destination_url"`
	Status         string  `bun:"status"`
}

// Redirect answers a visit of /r/{code}: the address to send the visitor to (the link's destination
// with cv_click and the utm parameters added) after putting the click in the buffer. An unknown or
// disabled code is a 404; too many visits from one address a 429.
func (s *Service) Redirect(ctx context.Context, v Visit) (string, error) {
	now := s.clock.Now().UTC()
	if ok, retry := s.limiter.allow(v.IP, now); !ok {
		return "", apperr.RateLimited(retry)
	}
	if !validCode(v.Code) {
		return "", apperr.NotFound("link")
	}
	t, err := s.redirectTarget(ctx, v.Code, now)
	if err != nil {
		return "", err
	}
	l := t.link
	c := pendingClick{
		ID: store.NewID(), OrgID: l.OrgID, LinkID: l.ID, CreatorID: l.CreatorID, CampaignID: l.CampaignID, AccountID: l.AccountID,
		ClickedAt: now.Truncate(time.Microsecond), IP: v.IP, UserAgent: clean(v.UserAgent, maxUserAgent), Referer: clean(v.Referer, maxReferer),
	}
	if cc := country.Normalize(v.Country); country.Valid(cc) {
		c.Country = &cc
	}
	target := t.before + url.QueryEscape(c.ID) + t.after
	if err := s.clicks.push(ctx, c); err != nil {
		// The buffer was full and the click could not be written either (the database is down): the
		// visitor still gets where they were going, and the log says what was lost.
		s.log.Error("a click could not be recorded", "click_id", c.ID, "link_id", c.LinkID, "err", err)
	}
	return target, nil
}

// redirectTarget returns the active link of code with the address to send its visitors to, split
// around the click id (the rest depends on the link only), from the replica's cache when it read the
// link in the last few seconds.
func (s *Service) redirectTarget(ctx context.Context, code string, now time.Time) (cachedLink, error) {
	c, ok, refresh := s.links.get(code, now)
	if refresh {
		// Read again in the background; this visit and the next ones go on with what is cached.
		_, _ = s.links.read(code, false, func() (cachedLink, error) {
			ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
			defer cancel()
			c, err := s.readLink(ctx, code, s.clock.Now().UTC())
			if err != nil && apperr.KindOf(err) != apperr.KindNotFound {
				s.log.Warn("refreshing a link failed; it is read again on its next visit", "code", code, "err", err)
			}
			return c, err
		})
	}
	if ok {
		return c, nil
	}
	// The read is shared by the requests that miss the code meanwhile, so it must not end with the
	// first of them.
	return s.links.read(code, true, func() (cachedLink, error) {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		return s.readLink(ctx, code, now)
	})
}

// readLink reads the active link of code from the database, to be cached until now + linkCacheTTL.
func (s *Service) readLink(ctx context.Context, code string, now time.Time) (cachedLink, error) {
	var l redirectLink
	if err := s.db.NewSelect().Model((*Link)(nil)).
		Column("id", "org_id", "creator_id", "campaign_id", "account_id", "destination_url", "status").
		Where("l.code = ?", code).Scan(ctx, &l); err != nil {
		if store.IsNoRows(err) {
			return cachedLink{}, apperr.NotFound("link")
		}
		return cachedLink{}, store.MapError(err)
	}
	if l.Status != StatusActive {
		return cachedLink{}, apperr.NotFound("link")
	}
	source := SourceCreator
	if l.AccountID != nil {
		// The account's platform now (a wrongly entered platform may be corrected after the link was made).
		as, err := creator.AccountRefs(ctx, s.db, l.OrgID, []string{*l.AccountID})
		if err != nil {
			return cachedLink{}, err
		}
		if a, ok := as[*l.AccountID]; ok {
			source = a.Platform
		}
	}
	c := cachedLink{link: l, expires: now.Add(linkCacheTTL)}
	c.before, c.after = splitParams(l.DestinationURL, [][2]string{
		{ParamClick, ""}, {ParamSource, source}, {ParamMedium, MediumCreator}, {ParamCampaign, l.CampaignID},
	})
	return c, nil
}

// splitParams is addParams cut around the value of cv_click: the address of a click is before + the
// escaped click id + after.
func splitParams(dest string, params [][2]string) (before, after string) {
	full, at := buildParams(dest, params)
	return full[:at], full[at:]
}

// addParams appends params to the query of dest, leaving everything dest already has exactly as it
// is: its query (repeated keys, encodings, order), its fragment and the rest. A utm_* parameter the
// destination sets itself is left to it (the seller's own tagging wins); cv_click is always added
// (destinations that set it are refused at creation).
func addParams(dest string, params [][2]string) string {
	s, _ := buildParams(dest, params)
	return s
}

// buildParams is addParams that also says where the value of cv_click ends (where a click id given
// as "" goes).
func buildParams(dest string, params [][2]string) (string, int) {
	at := -1
	base, frag, hasFrag := strings.Cut(dest, "#")
	path, query, _ := strings.Cut(base, "?")
	var have url.Values
	if query != "" {
		have, _ = url.ParseQuery(query) // an unparsable part only makes us add a parameter it may hold
	}
	var b strings.Builder
	b.Grow(len(dest) + 128)
	b.WriteString(path)
	b.WriteByte('?')
	b.WriteString(query)
	sep := query != "" && !strings.HasSuffix(query, "&")
	for _, p := range params {
		if p[0] != ParamClick && have.Has(p[0]) {
			continue
		}
		if sep {
			b.WriteByte('&')
		}
		b.WriteString(url.QueryEscape(p[0]))
		b.WriteByte('=')
		b.WriteString(url.QueryEscape(p[1]))
		if p[0] == ParamClick {
			at = b.Len()
		}
		sep = true
	}
	if hasFrag {
		b.WriteByte('#')
		b.WriteString(frag)
	}
	return b.String(), at
}

// clean makes a request header safe to store: valid UTF-8 (PostgreSQL refuses anything else), no NUL
// or other control characters, at most max bytes cut at a character boundary.
func clean(s string, max int) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return -1
		}
		return r
	}, s)
	if len(s) <= max {
		return s
	}
	cut := max
	for cut > 0 && !utf8RuneStart(s[cut]) {
		cut--
	}
	return s[:cut]
}

func utf8RuneStart(b byte) bool { return b&0xC0 != 0x80 }

// ipLimiter is a token bucket per client address, in this process's memory. That is acceptable for
// the redirect, and only for it: the limit is approximate per replica (N replicas allow up to N times
// the rate), it is there to blunt scraping of codes and click floods, and a database write per
// redirect would cost more than the redirect. Login, whose limit protects accounts, counts in the
// database (package ratelimit). Idle buckets (full again) are swept every minute.
type ipLimiter struct {
	mu        sync.Mutex
	limit     rate.Limit
	burst     int
	buckets   map[string]*rate.Limiter
	lastSweep time.Time
}

func newIPLimiter(r rate.Limit, burst int) *ipLimiter {
	return &ipLimiter{limit: r, burst: burst, buckets: map[string]*rate.Limiter{}}
}

func (l *ipLimiter) set(r rate.Limit, burst int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.limit, l.burst, l.buckets = r, burst, map[string]*rate.Limiter{}
}

// allow takes a token of ip's bucket at now; when there is none it says how long until there is.
func (l *ipLimiter) allow(ip string, now time.Time) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.limit == rate.Inf {
		return true, 0
	}
	if now.Sub(l.lastSweep) >= limiterIdleSweep {
		for k, b := range l.buckets {
			if b.TokensAt(now) >= float64(l.burst) {
				delete(l.buckets, k)
			}
		}
		l.lastSweep = now
	}
	b, ok := l.buckets[ip]
	if !ok {
		b = rate.NewLimiter(l.limit, l.burst)
		l.buckets[ip] = b
	}
	r := b.ReserveN(now, 1)
	if !r.OK() {
		return false, time.Second
	}
	if d := r.DelayFrom(now); d > 0 {
		r.CancelAt(now)
		return false, max(d, time.Second)
	}
	return true, 0
}
