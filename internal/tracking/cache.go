package tracking

import (
	"sync"
	"time"
)

// linkCacheTTL is how long a replica redirects with what it last read of a link. A link changed or
// disabled through this replica is dropped at once; on the others the change takes effect within
// this time.
const linkCacheTTL = 5 * time.Second

// linkCacheMax bounds the cache: past it the cache starts over (a burst is on a few hot links).
const linkCacheMax = 50_000

// linkCache keeps what the redirect reads of a link (the link, and the address it sends visitors to,
// with its account's platform as utm_source), so a viral link costs a map lookup per click instead of
// two database reads and the building of its address. Unknown codes are never cached: they stay a
// 404 read from the database, behind the per-address limit.
type linkCache struct {
	mu sync.RWMutex
	m  map[string]cachedLink
}

type cachedLink struct {
	link redirectLink
	// before and after are the address a visit is sent to, around its click id: the destination
	// with the parameters added once per read of the link rather than on every click.
	before, after string
	expires       time.Time
}

func newLinkCache() *linkCache { return &linkCache{m: map[string]cachedLink{}} }

func (c *linkCache) get(code string, now time.Time) (cachedLink, bool) {
	c.mu.RLock()
	v, ok := c.m[code]
	c.mu.RUnlock()
	return v, ok && now.Before(v.expires)
}

func (c *linkCache) put(code string, v cachedLink) {
	c.mu.Lock()
	if len(c.m) >= linkCacheMax {
		c.m = map[string]cachedLink{}
	}
	c.m[code] = v
	c.mu.Unlock()
}

func (c *linkCache) drop(code string) {
	c.mu.Lock()
	delete(c.m, code)
	c.mu.Unlock()
}
