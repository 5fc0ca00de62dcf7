package auth

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/mail"
	"net/netip"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/golang-jwt/jwt/v5"
	"github.com/uptrace/bun"

	"github.com/caravan-crm/caravan/internal/actor"
	"github.com/caravan-crm/caravan/internal/apperr"
	"github.com/caravan-crm/caravan/internal/audit"
	"github.com/caravan-crm/caravan/internal/clock"
	"github.com/caravan-crm/caravan/internal/money"
	"github.com/caravan-crm/caravan/internal/ratelimit"
	"github.com/caravan-crm/caravan/internal/store"
)

// Options configure a Service. Zero values take the defaults.
type Options struct {
	Clock      clock.Clock
	Issuer     string // iss claim: the public URL
	AccessTTL  time.Duration
	RefreshTTL time.Duration
	Argon2     Argon2Params
	// MinPasswordLength is the least number of characters of a new password (default 10, never
	// below NIST's 8).
	MinPasswordLength int
	// Login limits, per LoginWindow. See Login for how they fit together.
	//   LoginPerIP: attempts from one client address (an IPv6 client counts by its /64).
	//   LoginPerAccount: failed attempts for one account from one client address; past it that
	//     address gets 429 for that account, and every other address still signs in.
	//   LoginSlowAfter: failed attempts for one account from all addresses together; past it every
	//     attempt for the account waits a delay that doubles from LoginDelayStep up to LoginMaxDelay.
	//     It slows guessing and never refuses: the right password still signs in.
	LoginPerIP, LoginPerAccount, LoginSlowAfter int
	LoginDelayStep, LoginMaxDelay               time.Duration
	LoginWindow                                 time.Duration
	// Sleep waits for the login delay; tests replace it. The default honours ctx.
	Sleep func(ctx context.Context, d time.Duration) error
	// PurgeOneIn makes one login in PurgeOneIn also delete expired rate-limit counters (default 200;
	// negative: never, for when a background worker calls ratelimit.Purge).
	PurgeOneIn int
	// SessionCacheTTL is how long this replica trusts what it read of an access token's session, user
	// and organization (default DefaultSessionCacheTTL, which says what it bounds; negative: no cache).
	SessionCacheTTL time.Duration
}

// Service is the auth domain: organizations, users, sessions, tokens and API keys.
type Service struct {
	db          *bun.DB
	clock       clock.Clock
	keys        *keyRing
	issuer      string
	accessTTL   time.Duration
	refreshTTL  time.Duration
	argon       Argon2Params
	minPassword int
	loginIP     ratelimit.Limiter // attempts per client address
	loginPair   ratelimit.Limiter // failures per (account, client address)
	loginAcct   ratelimit.Limiter // failures per account, all addresses: only slows
	slowAfter   int
	delayStep   time.Duration
	maxDelay    time.Duration
	sleep       func(ctx context.Context, d time.Duration) error
	purgeOneIn  int
	dummyHash   string        // verified against for unknown e-mails, so both answers take as long
	zones       sync.Map      // org id → cachedZone: each organization's time zone, kept a minute
	cache       *sessionCache // sessions and organizations read in the last few seconds
	// apiKeyLookup reads a key by its hash, with its maker's role and status.
	apiKeyLookup *store.Prepared
}

// NewService returns the auth service. Call Start before serving requests.
func NewService(db *bun.DB, o Options) *Service {
	if o.Clock == nil {
		o.Clock = clock.System{}
	}
	if o.AccessTTL == 0 {
		o.AccessTTL = 15 * time.Minute
	}
	if o.RefreshTTL == 0 {
		o.RefreshTTL = 30 * 24 * time.Hour
	}
	if o.Argon2 == (Argon2Params{}) {
		o.Argon2 = DefaultArgon2
	}
	if o.Issuer == "" {
		o.Issuer = "caravan"
	}
	if o.LoginPerIP == 0 {
		o.LoginPerIP = 100
	}
	if o.LoginPerAccount == 0 {
		o.LoginPerAccount = 10
	}
	if o.LoginSlowAfter == 0 {
		o.LoginSlowAfter = 10
	}
	if o.LoginDelayStep == 0 {
		o.LoginDelayStep = 250 * time.Millisecond
	}
	if o.LoginMaxDelay == 0 {
		o.LoginMaxDelay = 5 * time.Second
	}
	if o.LoginWindow == 0 {
		o.LoginWindow = 15 * time.Minute
	}
	if o.Sleep == nil {
		o.Sleep = sleepCtx
	}
	if o.PurgeOneIn == 0 {
		o.PurgeOneIn = 200
	}
	if o.MinPasswordLength == 0 {
		o.MinPasswordLength = DefaultMinPasswordLength
	}
	if o.SessionCacheTTL == 0 {
		o.SessionCacheTTL = DefaultSessionCacheTTL
	}
	o.MinPasswordLength = max(o.MinPasswordLength, floorPasswordLength)
	dummy, err := hashPassword("caravan-dummy-password", o.Argon2)
	if err != nil {
		panic(err)
	}
	return &Service{
		apiKeyLookup: &store.Prepared{Query: `SELECT k.id, k.org_id, k.role, k.last_used_at, u.role, u.status FROM api_keys AS k
			JOIN users AS u ON u.id = k.created_by AND u.org_id = k.org_id WHERE k.key_hash = ? AND k.revoked_at IS NULL`},
		db: db, clock: o.Clock, issuer: o.Issuer, accessTTL: o.AccessTTL, refreshTTL: o.RefreshTTL, argon: o.Argon2,
		keys:        &keyRing{db: db, clock: o.Clock, accessTTL: o.AccessTTL},
		minPassword: o.MinPasswordLength,
		loginIP:     ratelimit.Limiter{DB: db, Clock: o.Clock, Limit: o.LoginPerIP, Window: o.LoginWindow},
		loginPair:   ratelimit.Limiter{DB: db, Clock: o.Clock, Limit: o.LoginPerAccount, Window: o.LoginWindow},
		loginAcct:   ratelimit.Limiter{DB: db, Clock: o.Clock, Limit: o.LoginSlowAfter, Window: o.LoginWindow},
		slowAfter:   o.LoginSlowAfter, delayStep: o.LoginDelayStep, maxDelay: o.LoginMaxDelay,
		sleep: o.Sleep, purgeOneIn: o.PurgeOneIn,
		dummyHash: dummy,
		cache:     newSessionCache(o.SessionCacheTTL),
	}
}

// Start loads the signing keys, creating the first one if there is none.
func (s *Service) Start(ctx context.Context) error { return s.keys.ensure(ctx) }

// RotateSigningKey makes a new key sign from now on; tokens signed by the old one stay valid until
// they expire.
func (s *Service) RotateSigningKey(ctx context.Context) error { return s.keys.rotate(ctx) }

// AccessTTL is the lifetime of access tokens.
func (s *Service) AccessTTL() time.Duration { return s.accessTTL }

// Tokens is what a login hands out.
type Tokens struct {
	AccessToken    string
	ExpiresIn      int // seconds
	RefreshToken   string
	RefreshExpires time.Time
}

// --- organizations and first-run setup ---

// NewOrg is an organization with its owner.
type NewOrg struct {
	OrgName      string
	BaseCurrency string
	Timezone     string
	Name         string
	Email        string
	Password     string
}

func (in *NewOrg) validate(minPassword int) error {
	f := apperr.Fields{}
	in.OrgName = strings.TrimSpace(in.OrgName)
	in.BaseCurrency = money.NormalizeCurrency(in.BaseCurrency)
	in.Timezone = strings.TrimSpace(in.Timezone)
	f.Check(in.OrgName == "", "org_name", "is required")
	f.Check(utf8.RuneCountInString(in.OrgName) > 200, "org_name", "must be at most 200 characters")
	f.Check(!money.ValidCurrency(in.BaseCurrency), "base_currency", "must be an ISO 4217 currency code such as CNY")
	if in.Timezone == "" {
		f.Add("timezone", "is required")
	} else if _, err := time.LoadLocation(in.Timezone); err != nil || in.Timezone == "Local" {
		f.Add("timezone", "must be an IANA time zone such as Asia/Shanghai")
	}
	pw := checkPerson(f, &in.Name, &in.Email, in.Password, minPassword)
	return fieldsErr(f, pw, minPassword)
}

// checkPerson checks a new user's name and e-mail into f, and returns the code of what is wrong with
// the password, or "".
func checkPerson(f apperr.Fields, name, email *string, password string, minPassword int) string {
	*name = strings.TrimSpace(*name)
	f.Check(*name == "", "name", "is required")
	f.Check(utf8.RuneCountInString(*name) > 200, "name", "must be at most 200 characters")
	e, ok := normalizeEmail(*email)
	*email = e
	f.Check(!ok, "email", "must be a valid email address")
	return checkPassword(password, minPassword)
}

// fieldsErr is the validation error of f and a password problem (its code, or ""): a password
// problem alone answers with its own code (password_too_short, password_common…); among other
// problems it is validation_failed, the password's code under field_codes.
func fieldsErr(f apperr.Fields, pwCode string, minPassword int) error {
	if pwCode == "" {
		return f.Err()
	}
	pe := passwordError("password", pwCode, minPassword)
	if len(f) == 0 {
		return pe
	}
	f.Add("password", pe.Fields["password"])
	ve := apperr.Validation(f)
	ve.FieldCodes = pe.FieldCodes
	return ve
}

func normalizeEmail(s string) (string, bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	if len(s) > 254 {
		return s, false
	}
	a, err := mail.ParseAddress(s)
	return s, err == nil && a.Address == s && a.Name == ""
}

// SetupRequired reports whether no user exists yet: the first-run setup is open.
func (s *Service) SetupRequired(ctx context.Context) (bool, error) {
	n, err := s.db.NewSelect().Model((*User)(nil)).Limit(1).Count(ctx)
	return n == 0, store.MapError(err)
}

// Setup creates the first organization and its owner, and signs the owner in. Once any user exists
// it answers 409.
func (s *Service) Setup(ctx context.Context, in NewOrg, c actor.Client) (*Org, *User, Tokens, error) {
	if err := in.validate(s.minPassword); err != nil {
		return nil, nil, Tokens{}, err
	}
	var org *Org
	var user *User
	var tok Tokens
	err := store.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
		if !store.IsSQLite(s.db) {
			// Two setups racing must not both see an empty users table. (SQLite's immediate
			// transactions are already serialised.)
			if _, err := tx.ExecContext(ctx, "LOCK TABLE users IN SHARE ROW EXCLUSIVE MODE"); err != nil {
				return err
			}
		}
		n, err := tx.NewSelect().Model((*User)(nil)).Limit(1).Count(ctx)
		if err != nil {
			return err
		}
		if n > 0 {
			return apperr.Conflict("setup_done", "setup is already done; sign in instead")
		}
		org, user, err = s.createOrg(ctx, tx, in)
		if err != nil {
			return err
		}
		if err := audit.Record(ctx, tx, s.clock.Now(), actor.Actor{OrgID: org.ID, UserID: user.ID, IP: c.IP},
			"org.setup", "organization", org.ID, map[string]string{"name": org.Name, "owner_email": user.Email}); err != nil {
			return err
		}
		tok, err = s.newSession(ctx, tx, user, c)
		return err
	})
	if err != nil {
		return nil, nil, Tokens{}, err
	}
	return org, user, tok, nil
}

// CreateOrg creates another organization with its owner (the `caravan org create` command: one
// hosted Caravan serves many sellers).
func (s *Service) CreateOrg(ctx context.Context, in NewOrg) (*Org, *User, error) {
	if err := in.validate(s.minPassword); err != nil {
		return nil, nil, err
	}
	var org *Org
	var user *User
	err := store.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
		var err error
		org, user, err = s.createOrg(ctx, tx, in)
		if err != nil {
			return err
		}
		return audit.Record(ctx, tx, s.clock.Now(), actor.Actor{OrgID: org.ID, IP: "cli"},
			"org.create", "organization", org.ID, map[string]string{"name": org.Name, "owner_email": user.Email})
	})
	return org, user, err
}

func (s *Service) createOrg(ctx context.Context, tx bun.Tx, in NewOrg) (*Org, *User, error) {
	now := s.clock.Now()
	org := &Org{ID: store.NewID(), Name: in.OrgName, BaseCurrency: in.BaseCurrency, Timezone: in.Timezone, CreatedAt: now}
	if _, err := tx.NewInsert().Model(org).Exec(ctx); err != nil {
		return nil, nil, err
	}
	user, err := s.insertUser(ctx, tx, org.ID, in.Email, in.Name, actor.RoleOwner, in.Password)
	return org, user, err
}

func (s *Service) insertUser(ctx context.Context, db bun.IDB, orgID, email, name string, role actor.Role, password string) (*User, error) {
	hash, err := hashPassword(password, s.argon)
	if err != nil {
		return nil, err
	}
	now := s.clock.Now()
	u := &User{ID: store.NewID(), OrgID: orgID, Email: email, Name: name, Role: role, Status: StatusActive,
		PasswordHash: hash, PasswordChangedAt: now, CreatedAt: now, UpdatedAt: now}
	if _, err := db.NewInsert().Model(u).Exec(ctx); err != nil {
		if store.IsUniqueViolation(err) {
			return nil, &apperr.Error{Kind: apperr.KindConflict, Code: "email_taken",
				Message: "a user with this email already exists", Fields: map[string]string{"email": "is already in use"}}
		}
		return nil, err
	}
	return u, nil
}

// --- sessions ---

var errInvalidCredentials = apperr.Unauthorized("invalid_credentials", "wrong email or password")

// maxLoginCandidates bounds the password hashes one login verifies: an e-mail address has one user
// per organization it belongs to, and a person rarely works for more than a few.
const maxLoginCandidates = 10

// OrgChoice is an organization whose user a login's password matched, offered when several did.
type OrgChoice struct {
	OrgID   string `json:"org_id"`
	OrgName string `json:"org_name"`
}

// ChooseOrganization is the cause of a choose_organization conflict: the e-mail and password are
// right for users in several organizations, and the login did not say which (org_id).
type ChooseOrganization struct {
	Orgs []OrgChoice
}

func (c *ChooseOrganization) Error() string {
	return fmt.Sprintf("auth: the password matches users in %d organizations", len(c.Orgs))
}

// Login checks an e-mail and password. An address may have a user in several organizations: the
// password is checked against each (there are few), and exactly one match signs in. When it matches
// in several, orgID picks one; without it the answer is 409 choose_organization naming only the
// organizations whose user the password matched. Unknown e-mails, wrong passwords and disabled users
// get the same answer in about the same time.
//
// Guessing is limited without letting anyone lock another person out (OWASP's advice on credential
// stuffing and lock-out):
//   - every attempt counts against the client address (LoginPerIP): 429 past it;
//   - failures count against the pair (account, address) (LoginPerAccount): 429 past it, for that
//     address and that account only, so the owner still signs in from anywhere else;
//   - failures count against the account from all addresses (LoginSlowAfter): past it each attempt
//     waits a doubling delay before the password is checked, the right one included. It slows a
//     guesser spread over many addresses and never refuses.
//
// Unknown e-mails are counted and slowed exactly like real ones, so the limits reveal nothing.
func (s *Service) Login(ctx context.Context, email, password, orgID string, c actor.Client) (*User, Tokens, error) {
	s.maybePurge(ctx)
	email, _ = normalizeEmail(email)
	ip := ipKey(c.IP)
	if ok, retry, err := s.loginIP.Hit(ctx, "login:ip:"+ip); err != nil {
		return nil, Tokens{}, err
	} else if !ok {
		return nil, Tokens{}, apperr.RateLimited(retry)
	}
	pairKey, acctKey := "login:account-ip:"+ip+"|"+email, "login:account:"+email
	if over, retry, err := s.loginPair.Exceeded(ctx, pairKey); err != nil {
		return nil, Tokens{}, err
	} else if over {
		return nil, Tokens{}, apperr.RateLimited(retry)
	}
	failures, err := s.loginAcct.Count(ctx, acctKey)
	if err != nil {
		return nil, Tokens{}, err
	}
	if d := s.loginDelay(failures); d > 0 {
		if err := s.sleep(ctx, d); err != nil {
			return nil, Tokens{}, err
		}
	}
	if len(password) > 4*maxPasswordRunes { // never hash megabytes
		password = password[:4*maxPasswordRunes]
	}

	var candidates []User
	if err := s.db.NewSelect().Model(&candidates).Where("u.email = ?", email).
		OrderExpr("u.id").Limit(maxLoginCandidates).Scan(ctx); err != nil {
		return nil, Tokens{}, store.MapError(err)
	}
	var matched []User
	if len(candidates) == 0 {
		_, _ = verifyPassword(password, s.dummyHash)
	}
	for _, u := range candidates {
		ok, err := verifyPassword(password, u.PasswordHash)
		if err != nil {
			return nil, Tokens{}, fmt.Errorf("auth: user %s: %w", u.ID, err)
		}
		if ok && u.Status == StatusActive && (orgID == "" || u.OrgID == orgID) {
			matched = append(matched, u)
		}
	}
	switch len(matched) {
	case 0:
		if _, _, err := s.loginPair.Hit(ctx, pairKey); err != nil {
			return nil, Tokens{}, err
		}
		if _, _, err := s.loginAcct.Hit(ctx, acctKey); err != nil {
			return nil, Tokens{}, err
		}
		for _, u := range candidates {
			_ = audit.Record(ctx, s.db, s.clock.Now(), actor.Actor{OrgID: u.OrgID, UserID: u.ID, IP: c.IP},
				"user.login_failed", "user", u.ID, map[string]string{"status": u.Status})
		}
		return nil, Tokens{}, errInvalidCredentials
	case 1:
	default:
		return nil, Tokens{}, s.chooseOrganization(ctx, matched)
	}
	u := matched[0]
	if err := s.loginPair.Reset(ctx, pairKey); err != nil {
		return nil, Tokens{}, err
	}

	var tok Tokens
	err = store.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
		now := s.clock.Now()
		u.LastLoginAt = &now
		if _, err := tx.NewUpdate().Model(&u).Column("last_login_at").WherePK().Exec(ctx); err != nil {
			return err
		}
		if err := audit.Record(ctx, tx, now, actor.Actor{OrgID: u.OrgID, UserID: u.ID, IP: c.IP},
			"user.login", "user", u.ID, map[string]string{"user_agent": c.UserAgent}); err != nil {
			return err
		}
		var err error
		tok, err = s.newSession(ctx, tx, &u, c)
		return err
	})
	if err != nil {
		return nil, Tokens{}, err
	}
	s.cache.dropUser(u.ID) // its last_login_at changed: the user's other sessions read it again
	return &u, tok, nil
}

// chooseOrganization is the 409 for a password that opens users in several organizations.
func (s *Service) chooseOrganization(ctx context.Context, matched []User) error {
	ids := make([]string, len(matched))
	for i, u := range matched {
		ids[i] = u.OrgID
	}
	var orgs []Org
	if err := s.db.NewSelect().Model(&orgs).Where("id IN (?)", bun.In(ids)).Order("name", "id").Scan(ctx); err != nil {
		return store.MapError(err)
	}
	choice := &ChooseOrganization{Orgs: make([]OrgChoice, len(orgs))}
	for i, o := range orgs {
		choice.Orgs[i] = OrgChoice{OrgID: o.ID, OrgName: o.Name}
	}
	return &apperr.Error{Kind: apperr.KindConflict, Code: "choose_organization",
		Message: "this e-mail and password open several organizations; sign in again with the org_id of one of them",
		Details: choice.Orgs, Err: choice}
}

// loginDelay is how long an attempt for an account with failures recent failures waits: nothing up
// to slowAfter, then delayStep doubling with each further failure, up to maxDelay.
func (s *Service) loginDelay(failures int) time.Duration {
	if failures < s.slowAfter || s.delayStep <= 0 {
		return 0
	}
	d := s.delayStep
	for i := s.slowAfter; i < failures && d < s.maxDelay; i++ {
		d *= 2
	}
	return min(d, s.maxDelay)
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// maybePurge deletes expired rate-limit counters now and then, so the table does not grow with
// every address that ever tried. A failure only waits for the next chance.
func (s *Service) maybePurge(ctx context.Context) {
	if s.purgeOneIn <= 0 || rand.IntN(s.purgeOneIn) != 0 {
		return
	}
	_, _ = s.PurgeRateLimits(ctx)
}

// PurgeRateLimits deletes the login counters whose window has ended. A background worker may call
// it every few minutes (then set Options.PurgeOneIn to -1).
func (s *Service) PurgeRateLimits(ctx context.Context) (int64, error) {
	return ratelimit.Purge(ctx, s.db, s.clock.Now().Add(-s.loginIP.Window))
}

// ipKey is the client address a limit counts by: an IPv4 address, or the /64 of an IPv6 one (one
// subscriber usually holds a whole /64 and could rotate through it).
func ipKey(ip string) string {
	a, err := netip.ParseAddr(ip)
	if err != nil {
		return ip
	}
	a = a.Unmap()
	if a.Is4() {
		return a.String()
	}
	p, _ := a.Prefix(64)
	return p.String()
}

func (s *Service) newSession(ctx context.Context, tx bun.Tx, u *User, c actor.Client) (Tokens, error) {
	now := s.clock.Now()
	sess := &session{ID: store.NewID(), OrgID: u.OrgID, UserID: u.ID, CreatedAt: now, ExpiresAt: now.Add(s.refreshTTL),
		IP: c.IP, UserAgent: truncate(c.UserAgent, 500)}
	if _, err := tx.NewInsert().Model(sess).Exec(ctx); err != nil {
		return Tokens{}, err
	}
	return s.issue(ctx, tx, sess, u)
}

// issue creates a refresh token in the session and an access token bound to it.
func (s *Service) issue(ctx context.Context, tx bun.Tx, sess *session, u *User) (Tokens, error) {
	now := s.clock.Now()
	raw, hash := randomToken("cvr_")
	rt := &refreshToken{ID: store.NewID(), SessionID: sess.ID, TokenHash: hash, CreatedAt: now, ExpiresAt: now.Add(s.refreshTTL)}
	if _, err := tx.NewInsert().Model(rt).Exec(ctx); err != nil {
		return Tokens{}, err
	}
	access, err := s.keys.sign(accessClaims{
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer:    s.issuer,
			Subject:   u.ID,
			Audience:  jwt.ClaimStrings{Audience},
			IssuedAt:  jwt.NewNumericDate(now),
			ExpiresAt: jwt.NewNumericDate(now.Add(s.accessTTL)),
		},
		OrgID:     u.OrgID,
		SessionID: sess.ID,
	})
	if err != nil {
		return Tokens{}, err
	}
	return Tokens{AccessToken: access, ExpiresIn: int(s.accessTTL.Seconds()), RefreshToken: raw, RefreshExpires: rt.ExpiresAt}, nil
}

var errRefreshInvalid = apperr.Unauthorized("invalid_refresh_token", "the session has ended; sign in again")

// refreshRaceWindow is how long after a rotation the old refresh token counts as a race between two
// tabs rather than a replay.
const refreshRaceWindow = 10 * time.Second

var errRefreshRace = apperr.Unauthorized("refresh_in_progress", "another tab has just renewed the session; retry")

// Refresh exchanges a refresh token for a new access token and a new refresh token. A refresh token
// that was already exchanged is a sign of theft: the whole session (the token family) is revoked and
// the event goes to the audit log.
func (s *Service) Refresh(ctx context.Context, raw string, c actor.Client) (*User, Tokens, error) {
	if raw == "" || len(raw) > 200 {
		return nil, Tokens{}, errRefreshInvalid
	}
	var u User
	var tok Tokens
	reused, revoked := false, ""
	err := store.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
		reused = false
		now := s.clock.Now()
		var rt refreshToken
		if err := tx.NewSelect().Model(&rt).Where("token_hash = ?", hashToken(raw)).Scan(ctx); err != nil {
			if store.IsNoRows(err) {
				return errRefreshInvalid
			}
			return err
		}
		var sess session
		if err := tx.NewSelect().Model(&sess).Where("s.id = ?", rt.SessionID).Scan(ctx); err != nil {
			return err
		}
		if sess.RevokedAt != nil {
			return errRefreshInvalid
		}
		// Claim the token in one statement, so of two concurrent uses exactly one wins.
		res, err := tx.NewUpdate().Model((*refreshToken)(nil)).Set("used_at = ?", now).
			Where("id = ? AND used_at IS NULL", rt.ID).Exec(ctx)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			// Read the winner's claim afresh: under READ COMMITTED the row read above may predate it.
			var usedAt *time.Time
			if err := tx.NewSelect().Model((*refreshToken)(nil)).Column("used_at").Where("id = ?", rt.ID).Scan(ctx, &usedAt); err != nil {
				return err
			}
			if usedAt != nil && now.Sub(*usedAt) < refreshRaceWindow {
				// Two tabs of one browser refreshing at once send the same cookie: the loser gets a
				// 401 it may retry (the browser now holds the rotated cookie), and nothing is revoked.
				// A thief replaying within these seconds gains nothing either.
				return errRefreshRace
			}
			reused, revoked = true, sess.ID
			if err := s.revokeSession(ctx, tx, sess.ID, "refresh_token_reused"); err != nil {
				return err
			}
			return audit.Record(ctx, tx, now, actor.Actor{OrgID: sess.OrgID, UserID: sess.UserID, IP: c.IP},
				"session.refresh_reused", "session", sess.ID, map[string]string{"user_agent": c.UserAgent})
		}
		if !now.Before(rt.ExpiresAt) || !now.Before(sess.ExpiresAt) {
			return errRefreshInvalid
		}
		if err := tx.NewSelect().Model(&u).Where("u.id = ?", sess.UserID).Scan(ctx); err != nil {
			return err
		}
		if u.Status != StatusActive {
			return errRefreshInvalid
		}
		sess.ExpiresAt = now.Add(s.refreshTTL)
		if _, err := tx.NewUpdate().Model(&sess).Column("expires_at").WherePK().Exec(ctx); err != nil {
			return err
		}
		tok, err = s.issue(ctx, tx, &sess, &u)
		return err
	})
	if revoked != "" {
		s.cache.dropSession(revoked)
	}
	if err != nil {
		return nil, Tokens{}, err
	}
	if reused {
		return nil, Tokens{}, errRefreshInvalid
	}
	return &u, tok, nil
}

// Logout ends the session of a refresh token. Unknown tokens are ignored: the result is the same.
func (s *Service) Logout(ctx context.Context, raw string, c actor.Client) error {
	if raw == "" || len(raw) > 200 {
		return nil
	}
	var ended string
	err := store.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
		var rt refreshToken
		if err := tx.NewSelect().Model(&rt).Where("token_hash = ?", hashToken(raw)).Scan(ctx); err != nil {
			if store.IsNoRows(err) {
				return nil
			}
			return err
		}
		var sess session
		if err := tx.NewSelect().Model(&sess).Where("s.id = ?", rt.SessionID).Scan(ctx); err != nil {
			return err
		}
		if err := s.revokeSession(ctx, tx, sess.ID, "logout"); err != nil {
			return err
		}
		ended = sess.ID
		return audit.Record(ctx, tx, s.clock.Now(), actor.Actor{OrgID: sess.OrgID, UserID: sess.UserID, IP: c.IP},
			"user.logout", "session", sess.ID, nil)
	})
	if ended != "" {
		s.cache.dropSession(ended) // after the commit, so no read can put the session back
	}
	return err
}

func (s *Service) revokeSession(ctx context.Context, tx bun.IDB, id, reason string) error {
	_, err := tx.NewUpdate().Model((*session)(nil)).
		Set("revoked_at = ?", s.clock.Now()).Set("revoked_reason = ?", reason).
		Where("id = ? AND revoked_at IS NULL", id).Exec(ctx)
	return err
}

func (s *Service) revokeUserSessions(ctx context.Context, tx bun.IDB, userID, reason string) error {
	_, err := tx.NewUpdate().Model((*session)(nil)).
		Set("revoked_at = ?", s.clock.Now()).Set("revoked_reason = ?", reason).
		Where("user_id = ? AND revoked_at IS NULL", userID).Exec(ctx)
	return err
}

// Authenticate turns a bearer access token into a principal. The token must verify, and its session
// must still be open and its user active: logout, a password change or disabling the user end it.
// What was verified of the token (its expiry aside, checked on every request) and read of its
// session and user is kept for the session cache's few seconds: see DefaultSessionCacheTTL for what
// that bounds.
func (s *Service) Authenticate(ctx context.Context, bearer, ip string) (actor.Actor, error) {
	now := s.clock.Now()
	tok, ok := s.cache.token(bearer, now)
	if !ok {
		claims, err := s.keys.parse(ctx, bearer, s.issuer)
		if err != nil {
			return actor.Actor{}, apperr.Unauthorized("invalid_token", "the access token is invalid or expired")
		}
		tok = verifiedToken{userID: claims.Subject, orgID: claims.OrgID, sessionID: claims.SessionID,
			until: claims.ExpiresAt.Add(jwtLeeway)}
		s.cache.putToken(bearer, tok, now)
	}
	if c, ok := s.cache.session(tok.sessionID, now); ok && c.user.ID == tok.userID && c.user.OrgID == tok.orgID {
		return actor.Actor{OrgID: c.user.OrgID, Role: c.user.Role, UserID: c.user.ID, SessionID: tok.sessionID, IP: ip}, nil
	}
	gen := s.cache.generation() // before the read: an invalidation during it keeps the answer out of the cache
	var row struct {
		User           `bun:",extend"`
		SessionExpires time.Time `bun:"session_expires,scanonly"`
	}
	err := s.db.NewSelect().Model(&row).ColumnExpr("u.*").ColumnExpr("s.expires_at AS session_expires").
		Join("JOIN sessions AS s ON s.user_id = u.id").
		Where("u.id = ? AND u.org_id = ? AND u.status = ?", tok.userID, tok.orgID, StatusActive).
		Where("s.id = ? AND s.revoked_at IS NULL AND s.expires_at > ?", tok.sessionID, now).
		Scan(ctx)
	if err != nil {
		if store.IsNoRows(err) {
			return actor.Actor{}, apperr.Unauthorized("invalid_token", "the session has ended; sign in again")
		}
		return actor.Actor{}, store.MapError(err)
	}
	u := row.User
	s.cache.putSession(tok.sessionID, u, row.SessionExpires, now, gen)
	return actor.Actor{OrgID: u.OrgID, Role: u.Role, UserID: u.ID, SessionID: tok.sessionID, IP: ip}, nil
}

// AuthenticateAPIKey turns an X-API-Key into a principal. A key acts for its creator: it stops when
// the creator is disabled, and acts with at most the creator's current role (KeyRole), both read in
// the same query as the key.
func (s *Service) AuthenticateAPIKey(ctx context.Context, key, ip string) (actor.Actor, error) {
	invalid := apperr.Unauthorized("invalid_api_key", "the API key is invalid or revoked")
	if !strings.HasPrefix(key, apiKeyPrefix) || len(key) > 200 {
		return actor.Actor{}, invalid
	}
	// A prepared statement with the hash bound: every keyed request runs it, and bun's query with the
	// value in its text was parsed anew each time. BenchmarkAPIKeyRequest (SQLite, interleaved runs):
	// 130–201 µs a request before, 36–91 µs after. The key is read on every request, not cached, so
	// revoking it ends it at once on every replica.
	var k struct {
		ID, OrgID         string
		Role, CreatorRole actor.Role
		CreatorStatus     string
		LastUsedAt        sql.NullTime
	}
	err := s.apiKeyLookup.QueryRow(ctx, s.db, hashToken(key)).Scan(&k.ID, &k.OrgID, &k.Role, &k.LastUsedAt, &k.CreatorRole, &k.CreatorStatus)
	if err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return actor.Actor{}, invalid
		}
		return actor.Actor{}, store.MapError(err)
	}
	if k.CreatorStatus != StatusActive {
		return actor.Actor{}, invalid
	}
	// Record use at most once a minute: a write per request would be a hot spot.
	now := s.clock.Now()
	if !k.LastUsedAt.Valid || now.Sub(k.LastUsedAt.Time) > time.Minute {
		if _, err := s.db.NewUpdate().Model((*APIKey)(nil)).Set("last_used_at = ?", now).Where("id = ?", k.ID).Exec(ctx); err != nil {
			return actor.Actor{}, store.MapError(err)
		}
	}
	return actor.Actor{OrgID: k.OrgID, Role: KeyRole(k.Role, k.CreatorRole), APIKeyID: k.ID, IP: ip}, nil
}

// Me returns the principal's user and organization: for a signed-in user, what Authenticate has
// just read of them when it is in the session cache, and the organization from that cache too.
func (s *Service) Me(ctx context.Context, p actor.Actor) (*User, *Org, error) {
	now := s.clock.Now()
	gen := s.cache.generation()
	org, ok := s.cache.org(p.OrgID, now)
	if !ok {
		if err := s.db.NewSelect().Model(&org).Where("id = ?", p.OrgID).Scan(ctx); err != nil {
			return nil, nil, store.MapError(err)
		}
		s.cache.putOrg(org, now, gen)
	}
	if p.UserID == "" {
		return nil, &org, nil
	}
	if c, ok := s.cache.session(p.SessionID, now); ok && c.user.ID == p.UserID && c.user.OrgID == p.OrgID {
		u := c.user
		return &u, &org, nil
	}
	u, err := s.user(ctx, s.db, p.OrgID, p.UserID)
	return u, &org, err
}

// Org returns an organization by id.
func (s *Service) Org(ctx context.Context, orgID string) (*Org, error) {
	var org Org
	if err := s.db.NewSelect().Model(&org).Where("id = ?", orgID).Scan(ctx); err != nil {
		if store.IsNoRows(err) {
			return nil, apperr.NotFound("organization")
		}
		return nil, store.MapError(err)
	}
	return &org, nil
}

// ChangePassword replaces the principal's password after checking the current one. Every session of
// the user ends (their access tokens stop working); a new session is returned for the caller.
func (s *Service) ChangePassword(ctx context.Context, p actor.Actor, current, next string, c actor.Client) (*User, Tokens, error) {
	if p.UserID == "" {
		return nil, Tokens{}, apperr.Forbidden("API keys have no password")
	}
	if code := checkPassword(next, s.minPassword); code != "" {
		return nil, Tokens{}, passwordError("new_password", code, s.minPassword)
	}
	u, err := s.user(ctx, s.db, p.OrgID, p.UserID)
	if err != nil {
		return nil, Tokens{}, err
	}
	if len(current) > 4*maxPasswordRunes {
		current = current[:4*maxPasswordRunes]
	}
	ok, err := verifyPassword(current, u.PasswordHash)
	if err != nil {
		return nil, Tokens{}, err
	}
	if !ok {
		return nil, Tokens{}, apperr.Validation(map[string]string{"current_password": "is not your current password"})
	}
	hash, err := hashPassword(next, s.argon)
	if err != nil {
		return nil, Tokens{}, err
	}
	var tok Tokens
	err = store.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
		now := s.clock.Now()
		u.PasswordHash, u.PasswordChangedAt, u.UpdatedAt = hash, now, now
		if _, err := tx.NewUpdate().Model(u).Column("password_hash", "password_changed_at", "updated_at").WherePK().Exec(ctx); err != nil {
			return err
		}
		if err := s.revokeUserSessions(ctx, tx, u.ID, "password_changed"); err != nil {
			return err
		}
		if err := audit.Record(ctx, tx, now, actor.Actor{OrgID: u.OrgID, UserID: u.ID, IP: c.IP},
			"user.password_changed", "user", u.ID, nil); err != nil {
			return err
		}
		tok, err = s.newSession(ctx, tx, u, c)
		return err
	})
	s.cache.dropUser(u.ID) // every session was revoked: after the commit, so no read puts one back
	return u, tok, err
}

func (s *Service) user(ctx context.Context, db bun.IDB, orgID, id string) (*User, error) {
	return store.ByID[User](ctx, db, orgID, id, "user")
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
