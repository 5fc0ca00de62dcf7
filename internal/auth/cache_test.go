package auth

import (
	"testing"
	"time"
)

// A request that read the database before a logout committed, and finishes after it, must not put
// the revoked session back into the cache (it would answer for it for another few seconds).
func TestAReadThatRacedARevocationIsNotCached(t *testing.T) {
	now := time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)
	c := newSessionCache(5 * time.Second)
	u := User{ID: "u1", OrgID: "o1", Role: "owner", PasswordHash: "secret"}

	gen := c.generation() // Authenticate starts reading
	c.dropSession("s1")   // a logout commits meanwhile
	c.putSession("s1", u, now.Add(time.Hour), now, gen)
	if _, ok := c.session("s1", now); ok {
		t.Fatal("a read from before the revocation was cached")
	}

	gen = c.generation()
	c.dropUser("u1") // a password change, a role change, disabling
	c.putSession("s1", u, now.Add(time.Hour), now, gen)
	if _, ok := c.session("s1", now); ok {
		t.Fatal("a read from before the user's change was cached")
	}

	c.putSession("s1", u, now.Add(time.Hour), now, c.generation())
	got, ok := c.session("s1", now)
	if !ok || got.user.PasswordHash != "" {
		t.Fatalf("a fresh read must be cached, without the password hash: %v %+v", ok, got.user)
	}
	if _, ok := c.session("s1", now.Add(5*time.Second)); ok {
		t.Fatal("an entry is trusted for the TTL only")
	}
	c.putSession("s2", u, now.Add(time.Second), now, c.generation())
	if _, ok := c.session("s2", now.Add(time.Second)); ok {
		t.Fatal("an entry never outlives its session")
	}
	c.dropUser("u1")
	if _, ok := c.session("s1", now); ok {
		t.Fatal("dropUser must drop every session of the user")
	}
}

func TestNoCacheWithANegativeLifetime(t *testing.T) {
	now := time.Now()
	c := newSessionCache(-1)
	c.putSession("s1", User{ID: "u1"}, now.Add(time.Hour), now, c.generation())
	c.putOrg(Org{ID: "o1"}, now, c.generation())
	if _, ok := c.session("s1", now); ok {
		t.Fatal("cached a session")
	}
	if _, ok := c.org("o1", now); ok {
		t.Fatal("cached an organization")
	}
}

func TestAVerifiedTokenIsRefusedOnceExpiredThoughCached(t *testing.T) {
	now := time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)
	c := newSessionCache(time.Minute)
	c.putToken("tok", verifiedToken{userID: "u1", orgID: "o1", sessionID: "s1", until: now.Add(time.Second)}, now)
	if _, ok := c.token("tok", now); !ok {
		t.Fatal("a verified token must be remembered")
	}
	if _, ok := c.token("tok", now.Add(time.Second)); ok {
		t.Fatal("a token past its expiry (and leeway) must be refused, cached or not")
	}
	if _, ok := c.token("tok2", now); ok {
		t.Fatal("only the very token verified is remembered")
	}
}
