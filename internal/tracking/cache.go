package tracking

import (
	"errors"
	"sync"
	"time"
)

// linkCacheTTL is how long a replica redirects with what it last read of a link. A link changed or
// disabled through this replica is dropped at once; on the others the change takes effect within
// this time.
const linkCacheTTL = 5 * time.Second

// linkRefreshAhead is how long before it expires a link still being visited is read again, in the
// background: a hot link never expires on a visitor's request. Without it every link of a burst,
// read at about the same moment, expired at about the same moment, and the requests of the next
// few milliseconds all queued for the database (two reads each, on a pool the click writer shares):
// a wave of slow redirects every five seconds, the redirect's p99.
const linkRefreshAhead = time.Second

// linkCacheMax bounds the cache: past it the cache starts over (a burst is on a few hot links).
const linkCacheMax = 50_000

// linkCache keeps what the redirect reads of a link (the link, and the address it sends visitors to,
// with its account's platform as utm_source), so a viral link costs a map lookup per click instead of
// two database reads and the building of its address. Unknown codes are never cached: they stay a
// 404 read from the database, behind the per-address limit. One read of a code at a time: the
// requests that miss it while it is being read wait for that read.
type linkCache struct {
	mu      sync.RWMutex
	m       map[string]cachedLink
	reading map[string]*linkRead // codes being read, by a request or a refresh
	gen     uint64               // +1 on every drop: a read begun before a drop must not put back what it read
}

type cachedLink struct {
	link redirectLink
	// before and after are the address a visit is sent to, around its click id: the destination
	// with the parameters added once per read of the link rather than on every click.
	before, after string
	expires       time.Time
}

// linkRead is one read of a code from the database; done closes when v and err are set.
type linkRead struct {
	done chan struct{}
	v    cachedLink
	err  error
}

var errLinkReadPanicked = errors.New("tracking: reading the link panicked")

func newLinkCache() *linkCache {
	return &linkCache{m: map[string]cachedLink{}, reading: map[string]*linkRead{}}
}

// get returns the link of code while it is fresh at now, and whether it is due for a read ahead of
// its expiry.
func (c *linkCache) get(code string, now time.Time) (v cachedLink, ok, refresh bool) {
	c.mu.RLock()
	v, ok = c.m[code]
	c.mu.RUnlock()
	ok = ok && now.Before(v.expires)
	return v, ok, ok && !now.Before(v.expires.Add(-linkRefreshAhead))
}

// read returns what load returns for code, calling it unless a read of code is already under way,
// in which case it waits for that one; what load returns is kept unless the cache dropped a link
// meanwhile. wait false starts the read and returns at once (a refresh ahead of expiry): nothing if
// one is already under way.
func (c *linkCache) read(code string, wait bool, load func() (cachedLink, error)) (cachedLink, error) {
	c.mu.Lock()
	if r, ok := c.reading[code]; ok {
		c.mu.Unlock()
		if !wait {
			return cachedLink{}, nil
		}
		<-r.done
		return r.v, r.err
	}
	r := &linkRead{done: make(chan struct{})}
	c.reading[code] = r
	gen := c.gen
	c.mu.Unlock()
	run := func() {
		r.err = errLinkReadPanicked // until load returns: the waiters of a read that panicked are not left waiting
		defer func() {
			c.mu.Lock()
			delete(c.reading, code)
			if r.err == nil && gen == c.gen {
				if len(c.m) >= linkCacheMax {
					c.m = map[string]cachedLink{}
				}
				c.m[code] = r.v
			}
			c.mu.Unlock()
			close(r.done)
		}()
		r.v, r.err = load()
	}
	if !wait {
		go run()
		return cachedLink{}, nil
	}
	run()
	return r.v, r.err
}

func (c *linkCache) drop(code string) {
	c.mu.Lock()
	delete(c.m, code)
	c.gen++
	c.mu.Unlock()
}
