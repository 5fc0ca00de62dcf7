package creator

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/caravan-crm/caravan/internal/actor"
	"github.com/caravan-crm/caravan/internal/apperr"
	"github.com/caravan-crm/caravan/internal/audit"
	"github.com/caravan-crm/caravan/internal/observe"
	"github.com/caravan-crm/caravan/internal/sheet"
	"github.com/caravan-crm/caravan/internal/store"
)

// ImportColumns are the columns a creator import understands, with the English and Chinese headers
// accepted for each. One row is one account; rows of the same creator (same name and country) merge.
var ImportColumns = []sheet.Column{
	{Key: "display_name", Aliases: []string{"Display Name", "Name", "Creator", "Creator Name", "显示名称", "名称", "达人", "达人名称", "达人昵称", "姓名"}, Required: true},
	{Key: "country", Aliases: []string{"Country", "Country Code", "国家", "国家/地区", "国家代码"}, Required: true},
	{Key: "platform", Aliases: []string{"Platform", "平台"}},
	{Key: "handle", Aliases: []string{"Handle", "Account", "Username", "Profile URL", "Profile", "账号", "帐号", "账号/链接", "主页链接", "用户名"}, Required: true},
	{Key: "followers", Aliases: []string{"Followers", "Follower Count", "粉丝数", "粉丝", "粉丝量"}},
	{Key: "url", Aliases: []string{"URL", "Link", "链接"}},
	{Key: "email", Aliases: []string{"Email", "E-mail", "邮箱", "电子邮箱", "电子邮件"}},
	{Key: "phone", Aliases: []string{"Phone", "Mobile", "电话", "手机", "手机号"}},
	{Key: "wechat", Aliases: []string{"WeChat", "微信", "微信号"}},
	{Key: "whatsapp", Aliases: []string{"WhatsApp"}},
	{Key: "languages", Aliases: []string{"Languages", "Language", "语言"}},
	{Key: "status", Aliases: []string{"Status", "状态"}},
	{Key: "tags", Aliases: []string{"Tags", "标签"}},
	{Key: "agency", Aliases: []string{"Agency", "MCN", "机构", "MCN机构"}},
	{Key: "payout_currency", Aliases: []string{"Payout Currency", "Currency", "结算币种", "币种"}},
	{Key: "default_rate_bps", Aliases: []string{"Default Rate (bps)", "Rate (bps)", "默认佣金(基点)", "佣金(基点)"}},
	// A rate written as a percentage: 15% or 15 (the export writes this column).
	{Key: "default_rate", Aliases: []string{"Default Rate", "Default Rate (%)", "Commission Rate", "Rate", "默认佣金率", "佣金率", "佣金比例", "默认佣金率(%)"}},
	{Key: "notes", Aliases: []string{"Notes", "备注"}},
}

// ImportResult is the answer of an import, dry or not.
type ImportResult struct {
	DryRun  bool              `json:"dry_run"`
	Rows    int               `json:"rows"`
	Created int               `json:"created"`
	Updated int               `json:"updated"`
	Skipped int               `json:"skipped"`
	Errors  []sheet.CellError `json:"errors"`
}

// importGroup is one creator of the file: its rows merged.
type importGroup struct {
	line     int // first row
	creator  NewCreator
	agency   string
	accounts []NewAccount
	keys     []string // handleKey of each account's handle (a skeleton costs microseconds: made once)
	lines    []int    // row of each account
	existing string
	bad      bool // one of its accounts belongs to a deleted or another creator
}

// ImportProgress is told how many creators of total have been written.
type ImportProgress func(done, total int)

// Import reads a spreadsheet of creators (one row per account) and upserts them by platform+handle:
// a row whose account already exists updates that account's creator (non-empty cells overwrite,
// tags are added, followers become today's snapshot); other rows create creators. Every problem is
// reported by row and column; unless dryRun, nothing is written when there is any (all or nothing,
// in one transaction).
func (s *Service) Import(ctx context.Context, p actor.Actor, r io.ReaderAt, size int64, filename string, dryRun bool, progress ImportProgress) (_ *ImportResult, err error) {
	defer observe.Done("import_creators", time.Now(), &err)
	t, err := sheet.Read(r, size, filename, sheet.Limits{})
	if err != nil {
		return nil, err
	}
	res := &ImportResult{DryRun: dryRun, Rows: len(t.Rows), Errors: []sheet.CellError{}}
	m, herrs := sheet.MapHeaders(t.Headers, ImportColumns)
	if len(herrs) > 0 {
		res.Errors = append(res.Errors, herrs...)
		return res, nil
	}
	agencies := map[string]string{}
	var ags []Agency
	if err := s.db.NewSelect().Model(&ags).Column("id", "name_key").Where("ag.org_id = ?", p.OrgID).Scan(ctx); err != nil {
		return nil, store.MapError(err)
	}
	for _, a := range ags {
		agencies[a.NameKey] = a.ID
	}

	groups, order := map[string]*importGroup{}, []*importGroup{}
	seen := map[string]int{} // platform/handle → row
	cellErr := func(line int, key, msg string) {
		res.Errors = append(res.Errors, sheet.CellError{Row: line, Column: m.Header(key), Message: msg})
	}
	for _, row := range t.Rows {
		get := func(k string) string { return m.Get(row, k) }
		// A problem with a cell quotes the cell, so the seller finds it without counting columns.
		cellErr := func(line int, key, msg string) {
			if v := strings.TrimSpace(get(key)); v != "" && line == row.Line {
				msg = fmt.Sprintf("%s (the cell holds %q)", msg, v)
			}
			cellErr(line, key, msg)
		}
		in := NewCreator{DisplayName: get("display_name"), Country: localCountry(get("country")), Notes: get("notes"), Status: localStatus(get("status"))}
		opt := func(k string) *string {
			if v := get(k); v != "" {
				return &v
			}
			return nil
		}
		in.Email, in.Phone, in.WeChat, in.WhatsApp, in.PayoutCurrency = opt("email"), opt("phone"), opt("wechat"), opt("whatsapp"), opt("payout_currency")
		in.Languages = splitCell(get("languages"))
		in.Tags = splitCell(get("tags"))
		acc := NewAccount{Platform: localPlatform(get("platform")), Handle: get("handle"), URL: opt("url")}
		bad := false
		if v := strings.ReplaceAll(get("followers"), ",", ""); v != "" {
			n, err := strconv.ParseInt(strings.TrimSuffix(v, ".0"), 10, 64)
			if err != nil {
				cellErr(row.Line, "followers", "must be a whole number")
				bad = true
			} else {
				acc.Followers = &n
			}
		}
		rateKey := "default_rate_bps"
		for _, key := range []string{"default_rate_bps", "default_rate"} {
			if v := get(key); v != "" && in.DefaultRateBps == nil {
				n, err := parseRate(v, key == "default_rate")
				if err != nil {
					cellErr(row.Line, key, err.Error())
					bad = true
					break
				}
				in.DefaultRateBps, rateKey = &n, key
			}
		}
		in.Accounts = []NewAccount{acc}
		agency := strings.ToLower(strings.Join(strings.Fields(get("agency")), " "))
		f := in.validate()
		if agency != "" && agencies[agency] == "" {
			f.Add("agency", "is not an agency of your organization: add it first")
		}
		if in.Status == StatusProspect && get("status") == "" {
			in.Status = "" // an empty cell leaves an existing creator's status alone
		}
		for field, msg := range f {
			field = strings.TrimPrefix(field, "accounts[0].")
			if field == "default_rate_bps" {
				field = rateKey
			}
			cellErr(row.Line, field, msg)
			bad = true
		}
		if bad {
			continue
		}
		acc = in.Accounts[0]
		k := acc.Platform + "/" + acc.Handle
		if first, dup := seen[k]; dup {
			cellErr(row.Line, "handle", fmt.Sprintf("the %s account %q is already on row %d", acc.Platform, acc.Handle, first))
			continue
		}
		seen[k] = row.Line
		gk := in.Country + "\x00" + nameKey(in.DisplayName)
		g := groups[gk]
		if g == nil {
			g = &importGroup{line: row.Line, creator: in, agency: agency}
			groups[gk] = g
			order = append(order, g)
		} else {
			mergeCreator(&g.creator, in)
			if g.agency == "" {
				g.agency = agency
			}
		}
		g.accounts = append(g.accounts, acc)
		g.lines = append(g.lines, row.Line)
	}

	// Which accounts exist already (or a look-alike of them), and whose are they? One query per 500
	// handles.
	type holder struct {
		Platform  string  `bun:"platform"`
		Handle    string  `bun:"handle"`
		HandleKey string  `bun:"handle_key"`
		CreatorID string  `bun:"creator_id"`
		Name      string  `bun:"display_name"`
		Deleted   *string `bun:"deleted"`
	}
	existing := map[string]holder{} // platform/handle key → holder
	keys := make([]string, 0, len(seen))
	keyOf := make(map[string]string, len(seen)) // handle → handleKey
	for k := range seen {
		h := k[strings.Index(k, "/")+1:]
		key, ok := keyOf[h]
		if !ok {
			key = handleKey(h)
			keyOf[h] = key
		}
		keys = append(keys, key)
	}
	slices.Sort(keys)
	for i := 0; i < len(keys); i += 500 {
		var hs []holder
		if err := s.db.NewSelect().TableExpr("creator_accounts AS a").Join("JOIN creators AS c ON c.org_id = a.org_id AND c.id = a.creator_id").
			ColumnExpr("a.platform, a.handle, a.handle_key, a.creator_id, c.display_name, CASE WHEN c.deleted_at IS NULL THEN NULL ELSE 'yes' END AS deleted").
			Where("a.org_id = ? AND a.handle_key IN (?)", p.OrgID, bun.In(keys[i:min(i+500, len(keys))])).Scan(ctx, &hs); err != nil {
			return nil, store.MapError(err)
		}
		for _, h := range hs {
			existing[h.Platform+"/"+h.HandleKey] = h
		}
	}
	for _, g := range order {
		g.keys = make([]string, len(g.accounts))
		for i, a := range g.accounts {
			g.keys[i] = keyOf[a.Handle]
			h, ok := existing[a.Platform+"/"+g.keys[i]]
			switch {
			case !ok:
			case h.Handle != a.Handle:
				g.bad = true
				cellErr(g.lines[i], "handle", fmt.Sprintf("the %s account %q looks like %q, which belongs to creator %q", a.Platform, a.Handle, h.Handle, h.Name))
			case h.Deleted != nil:
				g.bad = true
				cellErr(g.lines[i], "handle", fmt.Sprintf("the %s account %q belongs to creator %q, which is deleted: restore it first", a.Platform, a.Handle, h.Name))
			case g.existing != "" && g.existing != h.CreatorID:
				g.bad = true
				cellErr(g.lines[i], "handle", fmt.Sprintf("the %s account %q belongs to creator %q, but this creator's other rows match another creator", a.Platform, a.Handle, h.Name))
			default:
				g.existing = h.CreatorID
			}
		}
	}
	// Problems come out by row, then column, however they were found.
	slices.SortStableFunc(res.Errors, func(a, b sheet.CellError) int {
		if a.Row != b.Row {
			return a.Row - b.Row
		}
		return strings.Compare(a.Column, b.Column)
	})
	if len(res.Errors) > 0 {
		if !dryRun {
			return res, nil
		}
		// A dry run still counts what the rows without problems would do, so the seller sees both
		// "N would be created" and every problem to fix.
		order = slices.DeleteFunc(order, func(g *importGroup) bool { return g.bad })
	}

	var fresh []*importGroup
	for _, g := range order {
		if g.agency != "" {
			id := agencies[g.agency]
			g.creator.AgencyID = &id
		}
		if g.existing == "" {
			fresh = append(fresh, g)
		}
	}
	mode := writeQuiet
	if dryRun {
		mode = writeNothing
	}
	write := func(ctx context.Context, tx bun.Tx) error {
		res.Created, res.Updated, res.Skipped = 0, 0, 0
		done := 0
		if dryRun {
			res.Created, done = len(fresh), len(fresh)
		}
		// New creators go in by the thousand: their handles were checked above, and the unique index
		// still guards against a race with another writer.
		for i := 0; i < len(fresh) && !dryRun; i += importBatch {
			batch := fresh[i:min(i+importBatch, len(fresh))]
			if err := s.insertBatch(ctx, tx, p, batch); err != nil {
				return err
			}
			res.Created += len(batch)
			done += len(batch)
			if i == 0 && len(fresh) > 2*importBatch {
				// The planner of a database whose tables were empty when it last analyzed them checks
				// each foreign key by reading the whole parent table (PostgreSQL, store.Analyze):
				// quadratic over a big file. Its first batch gives it their shape.
				if err := store.Analyze(ctx, tx, "creators", "creator_accounts"); err != nil {
					return err
				}
			}
			if progress != nil {
				progress(done, len(order))
			}
		}
		for _, g := range order {
			if g.existing == "" {
				continue
			}
			changed, err := s.importGroup(ctx, tx, p, g, mode)
			if err != nil {
				return err
			}
			if changed {
				res.Updated++
			} else {
				res.Skipped++
			}
			done++
			if progress != nil {
				progress(done, len(order))
			}
		}
		if dryRun {
			return nil
		}
		return audit.Record(ctx, tx, s.now(), p, "creator.import", "creator", "", map[string]any{"file": filename, "rows": res.Rows,
			"created": res.Created, "updated": res.Updated, "skipped": res.Skipped})
	}
	if dryRun {
		// A dry run reads in a read-only transaction (one consistent view, and on SQLite no write
		// lock: other writers go on while a 100k-row file is checked) and counts what a real run
		// would do without doing it.
		if err := s.db.RunInTx(ctx, &sql.TxOptions{ReadOnly: true}, write); err != nil {
			return nil, store.MapError(err)
		}
		return res, nil
	}
	if err := store.RunInTx(ctx, s.db, write); err != nil {
		return nil, err
	}
	if res.Created+res.Updated > 0 {
		// A big import changes the shape of the tables the list reads: let the query planner see it.
		if err := store.AnalyzeWritten(ctx, s.db, "creators", "creator_accounts", "creator_tags"); err != nil {
			return nil, err
		}
	}
	return res, nil
}

// importWriters write an import's new rows with bound parameters (store.Bulk): bun's multi-row
// INSERTs carry their values in the SQL text, which the database parses anew every time.
type importWriters struct {
	creators, terms, tags, accounts, snapshots, events *store.Bulk
}

func newImportWriters(db *bun.DB) *importWriters {
	return &importWriters{
		creators:  store.MustBulk(db, (*Creator)(nil), ""),
		terms:     store.MustBulk(db, (*termsRow)(nil), ""),
		tags:      store.MustBulk(db, (*tag)(nil), ""),
		accounts:  store.MustBulk(db, (*Account)(nil), ""),
		snapshots: store.MustBulk(db, (*Snapshot)(nil), ""),
		events:    store.MustBulk(db, (*Event)(nil), ""),
	}
}

// importBatch is how many new creators insertBatch writes at a time: four statements of
// store.BulkRows creators, and their accounts, tags and events in statements as full. Batches of 250
// creators were written ten statements a table, the most of 64 rows; an import of the bench's
// 10,000-row file went 0.463-0.477x -> 0.499-0.519x the rate of a raw batched insert.
const importBatch = 4 * store.BulkRows

// insertBatch writes new creators with their tags, accounts, first snapshots and timeline events in a
// few multi-row statements: a 50,000-row file is a few hundred statements, not half a million.
func (s *Service) insertBatch(ctx context.Context, tx bun.Tx, p actor.Actor, groups []*importGroup) error {
	now := s.now()
	today, err := s.today(ctx, p.OrgID)
	if err != nil {
		return err
	}
	var (
		creators  = make([]Creator, 0, len(groups))
		tags      []tag
		accounts  []Account
		snapshots []Snapshot
		events    []Event
		terms     []termsRow
	)
	var actorID *string
	if id := p.ID(); id != "" {
		actorID = &id
	}
	addEvent := func(creatorID, kind string, data map[string]any) {
		b, _ := json.Marshal(data)
		events = append(events, Event{ID: store.NewID(), OrgID: p.OrgID, CreatorID: creatorID, Kind: kind, ActorID: actorID, DataJSON: string(b), CreatedAt: now})
	}
	for _, g := range groups {
		in := g.creator
		if in.Status == "" {
			in.Status = StatusProspect
		}
		langs, _ := json.Marshal(in.Languages)
		c := Creator{
			ID: store.NewID(), OrgID: p.OrgID, DisplayName: in.DisplayName, NameKey: nameKey(in.DisplayName), Country: in.Country,
			Email: in.Email, Phone: in.Phone, WeChat: in.WeChat, WhatsApp: in.WhatsApp, LanguagesJSON: string(langs),
			Status: in.Status, AgencyID: in.AgencyID, OwnerID: in.OwnerID, PayoutCurrency: in.PayoutCurrency,
			DefaultRateBps: in.DefaultRateBps, Notes: in.Notes, Version: 1, CreatedAt: now, UpdatedAt: now,
		}
		terms = append(terms, termsRow{OrgID: p.OrgID, CreatorID: c.ID, ValidFrom: now, DefaultRateBps: c.DefaultRateBps, AgencyID: c.AgencyID})
		for _, t := range in.Tags {
			tags = append(tags, tag{OrgID: p.OrgID, CreatorID: c.ID, Tag: t, TagKey: tagKey(t), CreatedAt: c.CreatedAt})
		}
		added := make([]map[string]any, 0, len(g.accounts))
		for i, na := range g.accounts {
			a := Account{ID: store.NewID(), OrgID: p.OrgID, CreatorID: c.ID, Platform: na.Platform, Handle: na.Handle, HandleKey: g.keys[i],
				URL: na.URL, AvgViews: na.AvgViews, EngagementBps: na.EngagementBps, Status: na.Status, Version: 1, CreatedAt: now, UpdatedAt: now}
			if na.Followers != nil {
				a.Followers = *na.Followers
				snapshots = append(snapshots, Snapshot{OrgID: p.OrgID, AccountID: a.ID, CapturedOn: today, Followers: a.Followers,
					AvgViews: a.AvgViews, EngagementBps: a.EngagementBps, CreatedAt: now})
			}
			if (a.Status == AccountActive || a.Status == AccountDormant) && a.Followers > c.MaxFollowers {
				c.MaxFollowers = a.Followers // what refreshMaxFollowers computes, without asking the database
			}
			accounts = append(accounts, a)
			added = append(added, accountAdded(&a))
		}
		// One event a creator, as for a creator added through the API: an import of 50,000 rows
		// wrote an account_added event besides for each of about 100,000 accounts.
		addEvent(c.ID, EventCreated, createdEvent(&c, added))
		creators = append(creators, c)
	}
	w := s.imports
	for _, write := range []struct {
		bulk *store.Bulk
		rows any
	}{{w.creators, creators}, {w.terms, terms}, {w.tags, tags}, {w.accounts, accounts}, {w.snapshots, snapshots}, {w.events, events}} {
		if _, err := write.bulk.Insert(ctx, tx, write.rows); err != nil {
			if store.IsUniqueViolation(err) {
				return apperr.Conflict("import_race", "an account of the file was added by someone else meanwhile; import again")
			}
			return err
		}
	}
	return nil
}

// importGroup writes the file's rows of an existing creator and reports whether it changed; with
// writeNothing it only reports whether it would.
func (s *Service) importGroup(ctx context.Context, tx bun.Tx, p actor.Actor, g *importGroup, mode writeMode) (bool, error) {
	var c *Creator
	var err error
	if mode == writeNothing {
		c, err = s.creator(ctx, tx, p.OrgID, g.existing)
	} else {
		c, err = s.liveCreator(ctx, tx, p.OrgID, g.existing)
	}
	if err != nil {
		return false, err
	}
	in := g.creator
	ch := Change{}
	set := func(v *string) Nullable[string] { return Nullable[string]{Set: v != nil, Value: v} }
	ch.Email, ch.Phone, ch.WeChat, ch.WhatsApp, ch.PayoutCurrency = set(in.Email), set(in.Phone), set(in.WeChat), set(in.WhatsApp), set(in.PayoutCurrency)
	ch.AgencyID = set(in.AgencyID)
	ch.DefaultRateBps = Nullable[int64]{Set: in.DefaultRateBps != nil, Value: in.DefaultRateBps}
	if in.Status != "" {
		ch.Status = Nullable[string]{Set: true, Value: &in.Status}
	}
	if in.Notes != "" {
		ch.Notes = Nullable[string]{Set: true, Value: &in.Notes}
	}
	if len(in.Languages) > 0 {
		var langs []string
		_ = json.Unmarshal([]byte(c.LanguagesJSON), &langs)
		for _, l := range in.Languages {
			if !contains(langs, l) {
				langs = append(langs, l)
			}
		}
		ch.Languages = Nullable[[]string]{Set: true, Value: &langs}
	}
	if len(in.Tags) > 0 {
		var tags []string
		if err := tx.NewSelect().Model((*tag)(nil)).Column("tag").Where("org_id = ? AND creator_id = ?", p.OrgID, c.ID).Scan(ctx, &tags); err != nil {
			return false, err
		}
		for _, t := range in.Tags {
			if !containsFold(tags, t) { // a tag keeps the spelling it already has
				tags = append(tags, t)
			}
		}
		ch.Tags = Nullable[[]string]{Set: true, Value: &tags}
	}
	changed, err := s.update(ctx, tx, p, c.ID, ch, nil, mode)
	if err != nil {
		return false, err
	}
	today, err := s.today(ctx, p.OrgID)
	if err != nil {
		return false, err
	}
	for _, in := range g.accounts {
		var a Account
		err := tx.NewSelect().Model(&a).Where("a.org_id = ? AND a.platform = ? AND a.handle = ?", p.OrgID, in.Platform, in.Handle).Scan(ctx)
		if store.IsNoRows(err) {
			if mode != writeNothing {
				if _, err := s.insertAccount(ctx, tx, p, c, in, "", false); err != nil {
					return false, err
				}
			}
			changed = true
			continue
		}
		if err != nil {
			return false, err
		}
		moved := false
		if in.URL != nil && !equalPtr(in.URL, a.URL) {
			a.URL, moved = in.URL, true
		}
		followersMoved := in.Followers != nil && *in.Followers != a.Followers
		if followersMoved {
			a.Followers, moved = *in.Followers, true
		}
		if !moved {
			continue
		}
		changed = true
		if mode == writeNothing {
			continue
		}
		if followersMoved {
			if err := s.upsertSnapshot(ctx, tx, &a, NewSnapshot{CapturedOn: today, Followers: a.Followers,
				AvgViews: a.AvgViews, EngagementBps: a.EngagementBps}); err != nil {
				return false, err
			}
		}
		a.UpdatedAt = s.now()
		a.Version++
		if _, err := tx.NewUpdate().Model(&a).Column("url", "followers", "version", "updated_at").Where("a.org_id = ? AND a.id = ?", p.OrgID, a.ID).Exec(ctx); err != nil {
			return false, err
		}
		if err := refreshMaxFollowers(ctx, tx, p.OrgID, c.ID); err != nil {
			return false, err
		}
	}
	if changed && mode != writeNothing {
		return true, s.event(ctx, tx, p, c.ID, EventImported, nil)
	}
	return changed, nil
}

// splitCell splits a list cell on commas, semicolons, Chinese commas and enumeration marks.
func splitCell(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ';' || r == '，' || r == '；' || r == '、' || r == '|' })
}

// mergeCreator fills the empty fields of dst from a later row of the same creator; tags and
// languages add up.
func mergeCreator(dst *NewCreator, src NewCreator) {
	for _, pair := range [][2]**string{{&dst.Email, &src.Email}, {&dst.Phone, &src.Phone}, {&dst.WeChat, &src.WeChat},
		{&dst.WhatsApp, &src.WhatsApp}, {&dst.PayoutCurrency, &src.PayoutCurrency}} {
		if *pair[0] == nil {
			*pair[0] = *pair[1]
		}
	}
	if dst.DefaultRateBps == nil {
		dst.DefaultRateBps = src.DefaultRateBps
	}
	if dst.Status == "" {
		dst.Status = src.Status
	}
	if dst.Notes == "" {
		dst.Notes = src.Notes
	}
	for _, t := range src.Tags {
		if !containsFold(dst.Tags, t) {
			dst.Tags = append(dst.Tags, t)
		}
	}
	for _, l := range src.Languages {
		if !contains(dst.Languages, l) {
			dst.Languages = append(dst.Languages, l)
		}
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// containsFold is contains for tags, which match whatever their case.
func containsFold(list []string, s string) bool {
	return slices.ContainsFunc(list, func(x string) bool { return strings.EqualFold(x, s) })
}
