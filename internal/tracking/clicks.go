package tracking

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
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
	log        *slog.Logger
	flushEvery time.Duration
	flushSize  int
	bufferSize int

	mu      sync.Mutex
	buf     []pendingClick
	started bool
	closed  bool
	kick    chan struct{}
	stop    chan struct{}
	done    chan struct{}
	writing sync.Mutex // one batch at a time, so the flusher and Flush never write the same clicks

	secretsMu sync.Mutex
	secrets   map[string][]byte // organization → secret (never changes once created)
}

func newRecorder(db *bun.DB, log *slog.Logger, every time.Duration, size, bufferSize int) *recorder {
	return &recorder{db: db, log: log, flushEvery: every, flushSize: size, bufferSize: bufferSize,
		kick: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{}), secrets: map[string][]byte{}}
}

// push queues c, starting the flusher with the first click. When the buffer is full or closed, the
// click is written now, on the caller's request.
func (r *recorder) push(ctx context.Context, c pendingClick) error {
	r.mu.Lock()
	if r.closed || len(r.buf) >= r.bufferSize {
		r.mu.Unlock()
		return r.write(ctx, []pendingClick{c})
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

// flush writes the buffered clicks, flushSize at a time, until the buffer is empty. A batch that
// fails goes back to the front of the buffer.
func (r *recorder) flush(ctx context.Context) error {
	r.writing.Lock()
	defer r.writing.Unlock()
	for {
		r.mu.Lock()
		n := min(len(r.buf), r.flushSize)
		batch := slices.Clone(r.buf[:n])
		r.buf = slices.Delete(r.buf, 0, n)
		r.mu.Unlock()
		if n == 0 {
			return nil
		}
		start := time.Now()
		err := r.write(ctx, batch)
		observeFlush(len(batch), time.Since(start), err)
		if err != nil {
			if transient(ctx, err) {
				r.mu.Lock()
				r.buf = append(batch, r.buf...)
				r.mu.Unlock()
				return err
			}
			r.writeEach(ctx, batch, err)
		}
	}
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
// everything it held but the address, and given up.
func (r *recorder) writeEach(ctx context.Context, batch []pendingClick, cause error) {
	for _, c := range batch {
		if err := r.write(ctx, []pendingClick{c}); err != nil {
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
			return nil
		}
		select {
		case <-ctx.Done():
			r.mu.Lock()
			n := len(r.buf)
			r.mu.Unlock()
			return errors.Join(err, errors.New("tracking: "+strconv.Itoa(n)+" clicks could not be written before shutdown"))
		case <-time.After(250 * time.Millisecond):
		}
	}
}

// pending returns the buffered click with id, if it is still waiting.
func (r *recorder) pending(id string) (pendingClick, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, c := range r.buf {
		if c.ID == id {
			return c, true
		}
	}
	return pendingClick{}, false
}

// write stores a batch of clicks in one transaction: one multi-row INSERT, then the clicks the
// dedupe key turned away, as duplicates. A click already stored (a batch whose commit succeeded but
// whose answer was lost, tried again) is skipped: the click id is the primary key, so nothing is
// stored twice.
func (r *recorder) write(ctx context.Context, batch []pendingClick) error {
	if len(batch) == 0 {
		return nil
	}
	rows, err := r.rows(ctx, batch)
	if err != nil {
		return err
	}
	return store.RunInTx(ctx, r.db, func(ctx context.Context, tx bun.Tx) error {
		var inserted []string
		if _, err := tx.NewInsert().Model(&rows).On("CONFLICT DO NOTHING").Returning("id").Exec(ctx, &inserted); err != nil {
			return err
		}
		if len(inserted) == len(rows) {
			return nil
		}
		in := make(map[string]bool, len(inserted))
		for _, id := range inserted {
			in[id] = true
		}
		var dups []clickRow
		for _, row := range rows {
			if row.Kind == ClickCounted && !in[row.ID] {
				row.Kind, row.DedupeKey = ClickDuplicate, nil
				dups = append(dups, row)
			}
		}
		if len(dups) == 0 {
			return nil
		}
		_, err := tx.NewInsert().Model(&dups).On("CONFLICT DO NOTHING").Exec(ctx)
		return err
	})
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
	for i, c := range batch {
		key := dayKey(secrets[c.OrgID], c.ClickedAt)
		row := clickRow{ID: c.ID, OrgID: c.OrgID, LinkID: c.LinkID, CreatorID: c.CreatorID, CampaignID: c.CampaignID, AccountID: c.AccountID,
			ClickedAt: c.ClickedAt, IPHash: digest(key, "ip", c.IP), Visitor: digest(key, "visitor", c.IP, c.UserAgent),
			UserAgent: c.UserAgent, Referer: c.Referer, Country: c.Country, Kind: ClickCounted}
		if IsBot(c.UserAgent) {
			row.Kind = ClickBot
		} else {
			k := c.LinkID + ":" + row.Visitor + ":" + strconv.FormatInt(c.ClickedAt.Unix()/60, 10)
			row.DedupeKey = &k
		}
		rows[i] = row
	}
	return rows, nil
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
	m := hmac.New(sha256.New, key)
	m.Write([]byte(kind))
	for _, p := range parts {
		m.Write([]byte{0})
		m.Write([]byte(p))
	}
	return hex.EncodeToString(m.Sum(nil)[:16])
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
