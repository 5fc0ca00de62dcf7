package tracking

import (
	"cmp"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"hash"
	"io"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/uptrace/bun"

	"github.com/caravan-crm/caravan/internal/apperr"
	"github.com/caravan-crm/caravan/internal/store"
)

// pendingClick is a click between the redirect and the database: the raw address lives only here,
// in memory, until the flusher hashes it.
type pendingClick struct {
	ID, OrgID, LinkID, CreatorID, CampaignID string
	AccountID                                *string
	ClickedAt                                time.Time
	IP, UserAgent, Referer                   string
	Country                                  *string
}

// botAgents are the user agents of crawlers and link-preview fetchers, matched case-insensitively
// anywhere in the User-Agent. Their clicks are recorded with kind "bot" and never counted: a link
// pasted into a chat is fetched by the app for its preview before (or without) anyone clicking it.
// curl, wget and HTTP libraries count as bots too: a person clicking a creator's link uses a browser
// or an in-app browser, and scripts (monitoring, scrapers) would otherwise inflate the counts. A
// missing User-Agent is a bot for the same reason. The bare word "bot" is not on the list: phones such
// as the Cubot send it.
var botAgents = []string{
	"facebookexternalhit", "facebookcatalog", "facebot", "meta-externalagent", "twitterbot", "slackbot", "slack-imgproxy",
	"whatsapp", "telegrambot", "discordbot", "linkedinbot", "googlebot", "google-inspectiontool", "googleother",
	"adsbot-google", "mediapartners-google", "apis-google", "google-pagerenderer", "bingbot", "bingpreview", "msnbot",
	"applebot", "pinterestbot", "pinterest/", "redditbot", "embedly", "iframely", "skypeuripreview", "snap url preview",
	"vkshare", "mastodon", "yandexbot", "yandex.com/bots", "baiduspider", "duckduckbot", "bytespider", "petalbot",
	"ahrefsbot", "semrushbot", "mj12bot", "dotbot", "gptbot", "chatgpt-user", "claudebot", "perplexitybot", "amazonbot",
	"headlesschrome", "phantomjs", "crawler", "spider", "curl/", "wget/", "python-requests", "python-urllib",
	"go-http-client", "okhttp", "java/", "libwww-perl", "httpclient", "axios/", "node-fetch",
}

// IsBot reports whether userAgent is a crawler, a link-preview fetcher or a script (see botAgents).
func IsBot(userAgent string) bool {
	ua := strings.ToLower(strings.TrimSpace(userAgent))
	if ua == "" {
		return true
	}
	for _, b := range botAgents {
		if strings.Contains(ua, b) {
			return true
		}
	}
	return false
}

// recorder buffers clicks in memory and writes them in batches: every flushEvery, or as soon as
// flushSize are waiting. It never drops a click: when the buffer holds bufferSize clicks, or after
// Close, push writes the click itself; a batch that fails to write goes back to the front of the
// buffer and is tried again.
type recorder struct {
	db         *bun.DB
	inserts    *store.Bulk // the clicks' INSERT (clickinsert.go)
	log        *slog.Logger
	flushEvery time.Duration
	flushSize  int
	bufferSize int

	mu  sync.Mutex
	buf []pendingClick
	// taken are the clicks flush took out of buf and is writing (still counted against bufferSize, and
	// still pending for ResolveClick); spare is the slice taken before, emptied, for buf to grow into.
	taken, spare []pendingClick
	started      bool
	closed       bool
	kick         chan struct{}
	stop         chan struct{}
	done         chan struct{}
	writing      sync.Mutex // one batch at a time, so the flusher and Flush never write the same clicks
	conn         *bun.Conn  // SQLite: the flusher's own connection, guarded by writing (flushconn.go)
	// poolCache is the conn's cache_size as the pool set it, restored when it goes back.
	poolCache int64

	secretsMu sync.Mutex
	secrets   map[string][]byte // organization → secret (never changes once created)
}

func newRecorder(db *bun.DB, log *slog.Logger, every time.Duration, size, bufferSize int) *recorder {
	return &recorder{db: db, inserts: store.MustBulk(db, (*clickRow)(nil), clickInsertSuffix), log: log, flushEvery: every, flushSize: size, bufferSize: bufferSize,
		kick: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{}), secrets: map[string][]byte{}}
}

// push queues c, starting the flusher with the first click. When the buffer is full or closed, the
// click is written now, on the caller's request.
func (r *recorder) push(ctx context.Context, c pendingClick) error {
	r.mu.Lock()
	if r.closed || len(r.buf)+len(r.taken) >= r.bufferSize {
		r.mu.Unlock()
		return r.write(ctx, false, []pendingClick{c})
	}
	r.buf = append(r.buf, c)
	if !r.started {
		r.started = true
		go r.run()
	}
	full := len(r.buf) >= r.flushSize
	r.mu.Unlock()
	if full {
		select {
		case r.kick <- struct{}{}:
		default:
		}
	}
	return nil
}

// run is the flusher: it writes what the buffer holds on every tick or kick until stopped, then
// writes the rest.
func (r *recorder) run() {
	defer close(r.done)
	t := time.NewTicker(r.flushEvery)
	defer t.Stop()
	for {
		select {
		case <-r.stop:
			return
		case <-t.C:
		case <-r.kick:
		}
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		if err := r.flush(ctx); err != nil {
			r.log.Error("writing clicks failed; they stay in the buffer and are tried again", "err", err)
		}
		cancel()
	}
}

// flush writes the buffered clicks, flushSize at a time, until the buffer is empty. It takes them all
// at once, swapping the buffer for an empty one, so the redirects pushing meanwhile wait for no copy
// (a copy and a shift of the buffer under its lock made every redirect of the moment wait for it). A
// batch that fails goes back to the front of the buffer with the ones after it.
func (r *recorder) flush(ctx context.Context) error {
	r.writing.Lock()
	defer r.writing.Unlock()
	for {
		r.mu.Lock()
		if len(r.buf) == 0 {
			r.mu.Unlock()
			return nil
		}
		all := r.buf
		r.buf, r.spare, r.taken = r.spare[:0], nil, all
		r.mu.Unlock()
		if err := r.writeTaken(ctx, all); err != nil {
			return err
		}
		clear(all) // the clicks are written: their strings may go
		r.mu.Lock()
		r.taken = nil
		if cap(all) <= 4*r.flushSize { // a burst's larger buffer is let go
			r.spare = all[:0]
		}
		r.mu.Unlock()
	}
}

// writeTaken writes the clicks flush took, flushSize at a time. When the database cannot take a
// batch now, that batch and the ones after it go back to the front of the buffer.
func (r *recorder) writeTaken(ctx context.Context, all []pendingClick) error {
	for rest := all; len(rest) > 0; {
		batch := rest[:min(len(rest), r.flushSize)]
		start := time.Now()
		err := r.write(ctx, true, batch)
		observeFlush(len(batch), time.Since(start), err)
		if err != nil {
			if transient(ctx, err) {
				r.mu.Lock()
				r.buf, r.taken = slices.Concat(rest, r.buf), nil
				r.mu.Unlock()
				return err
			}
			r.writeEach(ctx, batch, err)
		}
		rest = rest[len(batch):]
	}
	return nil
}

// flushObserver is told of every batch the flusher writes.
var flushObserver atomic.Pointer[func(clicks int, took time.Duration, err error)]

// ObserveFlushes sets the function told of every batch of buffered clicks written: its size, how
// long the write took and its error. The metrics package sets it, so tracking imports no metrics library.
func ObserveFlushes(f func(clicks int, took time.Duration, err error)) { flushObserver.Store(&f) }

func observeFlush(clicks int, took time.Duration, err error) {
	if f := flushObserver.Load(); f != nil {
		(*f)(clicks, took, err)
	}
}

// buffered returns how many clicks wait in the buffer.
func (r *recorder) buffered() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.buf)
}

// transient reports an error worth trying again later: the database busy or unreachable, or time up.
func transient(ctx context.Context, err error) bool {
	return ctx.Err() != nil || apperr.KindOf(err) == apperr.KindUnavailable || errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled)
}

// writeEach writes a batch the database refused one click at a time, so one click it can never take
// (its link's campaign deleted, say) does not hold back the others forever; that click is logged with
// everything it held but the address, and given up. The caller holds r.writing.
func (r *recorder) writeEach(ctx context.Context, batch []pendingClick, cause error) {
	for _, c := range batch {
		if err := r.write(ctx, true, []pendingClick{c}); err != nil {
			if transient(ctx, err) {
				r.mu.Lock()
				r.buf = append(r.buf, c)
				r.mu.Unlock()
				continue
			}
			r.log.Error("a click the database refuses was given up", "click_id", c.ID, "link_id", c.LinkID, "org_id", c.OrgID,
				"clicked_at", c.ClickedAt, "err", err, "batch_err", cause)
		}
	}
}

// close stops the flusher and writes every buffered click; later clicks are written as they come.
// It tries again until ctx ends, then reports how many clicks it could not write.
func (r *recorder) close(ctx context.Context) error {
	r.mu.Lock()
	wasClosed, started := r.closed, r.started
	r.closed = true
	r.mu.Unlock()
	if !wasClosed && started {
		close(r.stop)
		select {
		case <-r.done:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	for {
		err := r.flush(ctx)
		if err == nil {
			r.writing.Lock()
			r.releaseConn(ctx)
			r.writing.Unlock()
			return nil
		}
		select {
		case <-ctx.Done():
			r.writing.Lock()
			r.releaseConn(context.Background())
			r.writing.Unlock()
			r.mu.Lock()
			n := len(r.buf)
			r.mu.Unlock()
			return errors.Join(err, errors.New("tracking: "+strconv.Itoa(n)+" clicks could not be written before shutdown"))
		case <-time.After(250 * time.Millisecond):
		}
	}
}

// pending returns the click with id if it is not written yet: in the buffer, or taken by a flush
// that is writing it.
func (r *recorder) pending(id string) (pendingClick, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, cs := range [][]pendingClick{r.taken, r.buf} {
		for _, c := range cs {
			if c.ID == id {
				return c, true
			}
		}
	}
	return pendingClick{}, false
}

// write stores a batch of clicks in one transaction: multi-row INSERTs with bound values
// (clickinsert.go), then the clicks the dedupe key turned away, as duplicates, then the links'
// counts of what was written. A click already stored (a batch whose commit succeeded but whose
// answer was lost, tried again) is skipped, and not counted again: the click id is the primary key,
// so nothing is stored twice. held says the caller holds r.writing, and so may use the flusher's
// connection.
func (r *recorder) write(ctx context.Context, held bool, batch []pendingClick) error {
	if len(batch) == 0 {
		return nil
	}
	rows, err := r.rows(ctx, batch)
	if err != nil {
		return err
	}
	return r.inTx(ctx, held, func(ctx context.Context, tx bun.Tx) error {
		inserted, err := r.inserts.InsertReturning(ctx, tx, rows)
		if err != nil {
			return err
		}
		written := rows
		if len(inserted) < len(rows) {
			in := make(map[string]bool, len(inserted))
			for _, id := range inserted {
				in[id] = true
			}
			written = make([]clickRow, 0, len(rows))
			var dups []clickRow
			for _, row := range rows {
				switch {
				case in[row.ID]:
					written = append(written, row)
				case row.Kind == ClickCounted:
					row.Kind, row.DedupeKey = ClickDuplicate, nil
					dups = append(dups, row)
				}
			}
			if len(dups) > 0 {
				ids, err := r.inserts.InsertReturning(ctx, tx, dups)
				if err != nil {
					return err
				}
				in = make(map[string]bool, len(ids))
				for _, id := range ids {
					in[id] = true
				}
				for _, row := range dups {
					if in[row.ID] {
						written = append(written, row)
					}
				}
			}
		}
		return countLinkClicks(ctx, tx, written)
	})
}

// countLinkClicks adds the clicks just written to their links' counts (link_clicks), in the same
// transaction, so a count never disagrees with the clicks stored. One row per link, in a fixed order
// (two replicas' batches lock the rows they share in the same order and never deadlock).
func countLinkClicks(ctx context.Context, tx bun.Tx, written []clickRow) error {
	if len(written) == 0 {
		return nil
	}
	byLink := map[[2]string]*linkClicks{}
	for _, row := range written {
		k := [2]string{row.OrgID, row.LinkID}
		c := byLink[k]
		if c == nil {
			c = &linkClicks{OrgID: row.OrgID, LinkID: row.LinkID}
			byLink[k] = c
		}
		switch row.Kind {
		case ClickCounted:
			c.Counted++
		case ClickBot:
			c.Bots++
		default:
			c.Duplicates++
		}
	}
	counts := make([]linkClicks, 0, len(byLink))
	for _, c := range byLink {
		counts = append(counts, *c)
	}
	slices.SortFunc(counts, func(a, b linkClicks) int {
		return cmp.Or(strings.Compare(a.OrgID, b.OrgID), strings.Compare(a.LinkID, b.LinkID))
	})
	_, err := tx.NewInsert().Model(&counts).On("CONFLICT (org_id, link_id) DO UPDATE").
		Set("counted = link_clicks.counted + EXCLUDED.counted").
		Set("bots = link_clicks.bots + EXCLUDED.bots").
		Set("duplicates = link_clicks.duplicates + EXCLUDED.duplicates").Exec(ctx)
	return err
}

// rows turns pending clicks into rows: the address and the visitor hashed under the organization's
// key of the click's day, bots marked, and the dedupe key (link, visitor, minute) of the others.
func (r *recorder) rows(ctx context.Context, batch []pendingClick) ([]clickRow, error) {
	var orgs []string
	for _, c := range batch {
		if !slices.Contains(orgs, c.OrgID) {
			orgs = append(orgs, c.OrgID)
		}
	}
	secrets, err := r.secretsOf(ctx, orgs)
	if err != nil {
		return nil, err
	}
	rows := make([]clickRow, len(batch))
	// One keyed HMAC per organization and day, reset for each digest: setting a key up costs as much
	// as the digest itself, and a batch is nearly always one organization's day.
	type orgDay struct {
		org string
		day int64
	}
	hashers := map[orgDay]hash.Hash{}
	for i, c := range batch {
		od := orgDay{c.OrgID, c.ClickedAt.Unix() / 86400}
		h := hashers[od]
		if h == nil {
			h = hmac.New(sha256.New, dayKey(secrets[c.OrgID], c.ClickedAt))
			hashers[od] = h
		}
		row := clickRow{ID: c.ID, OrgID: c.OrgID, LinkID: c.LinkID, CreatorID: c.CreatorID, CampaignID: c.CampaignID, AccountID: c.AccountID,
			ClickedAt: c.ClickedAt, IPHash: digestWith(h, "ip", c.IP), Visitor: digestWith(h, "visitor", c.IP, c.UserAgent),
			UserAgent: c.UserAgent, Referer: c.Referer, Country: c.Country, Kind: ClickCounted}
		if IsBot(c.UserAgent) {
			row.Kind = ClickBot
		} else {
			k := dedupeKey(c.LinkID, row.Visitor, c.ClickedAt)
			row.DedupeKey = &k
		}
		rows[i] = row
	}
	return rows, nil
}

// dedupeKey is a counted click's key for the unique index that lets a visitor count once a minute
// on a link: the minute (base 36), then 96 bits of SHA-256 of the link and the visitor. Short, so the
// index stays small, and minute first, so the clicks of a batch land in the current minute's part of
// the index rather than all over it (the key used to be link:visitor:minute, about 80 bytes, starting
// with the link; a visitor who clicks in the very minute of the upgrade may count twice).
func dedupeKey(linkID, visitor string, at time.Time) string {
	h := sha256.Sum256([]byte(linkID + ":" + visitor))
	return strconv.FormatInt(at.Unix()/60, 36) + ":" + hex.EncodeToString(h[:12])
}

// dayKey is the organization's hashing key of t's day (UTC): HMAC-SHA256(secret, day). Yesterday's
// hashes cannot be linked to today's, and without the secret (in the database) none can be reversed
// by trying every address.
func dayKey(secret []byte, t time.Time) []byte {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte("caravan-click-day:" + t.UTC().Format(time.DateOnly)))
	return m.Sum(nil)
}

// digest is HMAC-SHA256(key, kind, parts…), 128 bits in hex.
func digest(key []byte, kind string, parts ...string) string {
	return digestWith(hmac.New(sha256.New, key), kind, parts...)
}

// digestWith is digest with the keyed HMAC m, which it resets first.
func digestWith(m hash.Hash, kind string, parts ...string) string {
	m.Reset()
	io.WriteString(m, kind)
	for _, p := range parts {
		m.Write([]byte{0})
		io.WriteString(m, p)
	}
	var sum [sha256.Size]byte
	return hex.EncodeToString(m.Sum(sum[:0])[:16])
}

// secretsOf returns the hashing secret of each organization, creating the missing ones. A secret is
// created once in the database (the first replica to insert it wins) and never changes, so every
// replica hashes alike and may keep it in memory.
func (r *recorder) secretsOf(ctx context.Context, orgs []string) (map[string][]byte, error) {
	out := make(map[string][]byte, len(orgs))
	var missing []string
	r.secretsMu.Lock()
	for _, o := range orgs {
		if s, ok := r.secrets[o]; ok {
			out[o] = s
		} else {
			missing = append(missing, o)
		}
	}
	r.secretsMu.Unlock()
	if len(missing) == 0 {
		return out, nil
	}
	load := func() ([]secretRow, error) {
		var rows []secretRow
		err := r.db.NewSelect().Model(&rows).Where("org_id IN (?)", bun.In(missing)).Scan(ctx)
		return rows, store.MapError(err)
	}
	rows, err := load()
	if err != nil {
		return nil, err
	}
	if len(rows) < len(missing) {
		now := time.Now().UTC().Truncate(time.Microsecond)
		fresh := make([]secretRow, 0, len(missing))
		for _, o := range missing {
			var b [32]byte
			_, _ = rand.Read(b[:])
			fresh = append(fresh, secretRow{ID: store.NewID(), OrgID: o, Secret: hex.EncodeToString(b[:]), CreatedAt: now})
		}
		if _, err := r.db.NewInsert().Model(&fresh).On("CONFLICT (org_id) DO NOTHING").Exec(ctx); err != nil {
			return nil, store.MapError(err)
		}
		if rows, err = load(); err != nil {
			return nil, err
		}
	}
	r.secretsMu.Lock()
	defer r.secretsMu.Unlock()
	for _, row := range rows {
		s, err := hex.DecodeString(row.Secret)
		if err != nil {
			return nil, err
		}
		r.secrets[row.OrgID] = s
		out[row.OrgID] = s
	}
	for _, o := range orgs {
		if _, ok := out[o]; !ok {
			return nil, errors.New("tracking: no hashing secret for organization " + o)
		}
	}
	return out, nil
}

// --- the service's side ---

// Buffered returns how many clicks wait in memory for the flusher, for the metrics.
func (s *Service) Buffered() int { return s.clicks.buffered() }

// Flush writes the buffered clicks now.
func (s *Service) Flush(ctx context.Context) error { return s.clicks.flush(ctx) }

// Close stops the click flusher and writes every buffered click; a click after Close is written as it
// comes. The app calls it on shutdown once the HTTP server has finished its requests.
func (s *Service) Close(ctx context.Context) error { return s.clicks.close(ctx) }

// ResolveClick returns the organization's click with id (the cv_click of a landing page), for the
// conversion package's attribution by click id; apperr.NotFound when there is none. A click still in
// this process's buffer is found too (and flushed first).
func (s *Service) ResolveClick(ctx context.Context, orgID, clickID string) (*Click, error) {
	clickID = strings.TrimSpace(clickID)
	if _, ok := s.clicks.pending(clickID); ok {
		if err := s.clicks.flush(ctx); err != nil {
			return nil, err
		}
	}
	c, err := store.ByID[Click](ctx, s.db, orgID, clickID, "click")
	if err != nil {
		return nil, err
	}
	return c, nil
}
