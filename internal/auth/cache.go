package auth

import (
	"sync"
	"time"
)

// DefaultSessionCacheTTL is how long a replica trusts what it last read of a session, its user and
// its organization (Options.SessionCacheTTL).
//
// The bound it sets: logout, a password change, a refresh token's reuse, disabling a user or changing
// their role or name end or change access at once on the replica that handled them (it drops its
// entries after the change commits), and within this time on every other replica sharing the
// database (they read the session again once their entry is older than this). An access token's own
// expiry is checked on every request, cached or not.
const DefaultSessionCacheTTL = 5 * time.Second

// sessionCacheMax bounds the cache: past it the cache starts over (entries are cheap to read again).
const sessionCacheMax = 100_000

// sessionCache keeps, for a few seconds, what Authenticate reads of an access token's session (the
// user it belongs to, active, with its role), the organizations Me answers with, and which tokens
// verified, so that a signed-in request neither reads the database nor decodes its token every time.
//
// A read that raced an invalidation must not put back what was just dropped: every invalidation
// bumps gen, and put stores only when gen is still what it was before the database was read.
type sessionCache struct {
	ttl time.Duration // 0: nothing is cached

	mu        sync.RWMutex
	gen       uint64
	sessions  map[string]cachedSession // session id →
	orgs      map[string]cachedOrg     // organization id →
	tokens    map[string]verifiedToken // access token →
	lastSweep time.Time
}

// verifiedToken is an access token whose signature, issuer, audience and times were checked: that
// result never changes (signing keys are only added, and retired keys verify until their tokens
// expire), so only the expiry is checked again. It saves decoding the token's JSON on every request.
type verifiedToken struct {
	userID, orgID, sessionID string
	until                    time.Time // the token's exp plus the leeway: it is refused from then on
	expires                  time.Time // when this entry is dropped
}

type cachedSession struct {
	user           User      // the session's user, active when read; never the password hash
	sessionExpires time.Time // the session's own end (its refresh lifetime)
	expires        time.Time // when this entry stops being trusted
}

type cachedOrg struct {
	org     Org
	expires time.Time
}

func newSessionCache(ttl time.Duration) *sessionCache {
	return &sessionCache{ttl: max(ttl, 0), sessions: map[string]cachedSession{}, orgs: map[string]cachedOrg{}, tokens: map[string]verifiedToken{}}
}

// generation is read before the database is; put and putOrg get it back.
func (c *sessionCache) generation() uint64 {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.gen
}

func (c *sessionCache) session(id string, now time.Time) (cachedSession, bool) {
	if c.ttl == 0 {
		return cachedSession{}, false
	}
	c.mu.RLock()
	v, ok := c.sessions[id]
	c.mu.RUnlock()
	return v, ok && now.Before(v.expires) && now.Before(v.sessionExpires)
}

func (c *sessionCache) putSession(id string, u User, sessionExpires, now time.Time, gen uint64) {
	if c.ttl == 0 {
		return
	}
	u.PasswordHash = ""
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gen != gen {
		return
	}
	c.sweep(now)
	c.sessions[id] = cachedSession{user: u, sessionExpires: sessionExpires, expires: now.Add(c.ttl)}
}

// token returns what was verified of raw in the last few seconds, if it has not expired since.
func (c *sessionCache) token(raw string, now time.Time) (verifiedToken, bool) {
	if c.ttl == 0 {
		return verifiedToken{}, false
	}
	c.mu.RLock()
	v, ok := c.tokens[raw]
	c.mu.RUnlock()
	return v, ok && now.Before(v.expires) && now.Before(v.until)
}

func (c *sessionCache) putToken(raw string, v verifiedToken, now time.Time) {
	if c.ttl == 0 {
		return
	}
	v.expires = now.Add(c.ttl)
	c.mu.Lock()
	defer c.mu.Unlock()
	c.sweep(now)
	c.tokens[raw] = v
}

func (c *sessionCache) org(id string, now time.Time) (Org, bool) {
	if c.ttl == 0 {
		return Org{}, false
	}
	c.mu.RLock()
	v, ok := c.orgs[id]
	c.mu.RUnlock()
	return v.org, ok && now.Before(v.expires)
}

func (c *sessionCache) putOrg(o Org, now time.Time, gen uint64) {
	if c.ttl == 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gen != gen {
		return
	}
	c.sweep(now)
	c.orgs[o.ID] = cachedOrg{org: o, expires: now.Add(c.ttl)}
}

// sweep drops the expired entries once per TTL, and everything past sessionCacheMax. Callers hold mu.
func (c *sessionCache) sweep(now time.Time) {
	if len(c.sessions)+len(c.orgs)+len(c.tokens) >= sessionCacheMax {
		c.sessions, c.orgs, c.tokens = map[string]cachedSession{}, map[string]cachedOrg{}, map[string]verifiedToken{}
	}
	if now.Sub(c.lastSweep) < c.ttl {
		return
	}
	c.lastSweep = now
	for k, v := range c.sessions {
		if !now.Before(v.expires) {
			delete(c.sessions, k)
		}
	}
	for k, v := range c.orgs {
		if !now.Before(v.expires) {
			delete(c.orgs, k)
		}
	}
	for k, v := range c.tokens {
		if !now.Before(v.expires) {
			delete(c.tokens, k)
		}
	}
}

// dropSession forgets one session: it was revoked.
func (c *sessionCache) dropSession(id string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	delete(c.sessions, id)
}

// dropUser forgets every session of a user: their sessions were revoked, or they were disabled,
// renamed or given another role.
func (c *sessionCache) dropUser(userID string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	for k, v := range c.sessions {
		if v.user.ID == userID {
			delete(c.sessions, k)
		}
	}
}
