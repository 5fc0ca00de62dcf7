package creator

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/uptrace/bun"

	"github.com/caravan-crm/caravan/internal/actor"
	"github.com/caravan-crm/caravan/internal/apperr"
	"github.com/caravan-crm/caravan/internal/audit"
	"github.com/caravan-crm/caravan/internal/page"
	"github.com/caravan-crm/caravan/internal/store"
	textcheck "github.com/caravan-crm/caravan/internal/text"
)

// Timeline event kinds. Other packages add their own (enrolled, conversion, payout) with RecordEvent.
const (
	EventCreated        = "created"
	EventStatusChanged  = "status_changed"
	EventAgencyChanged  = "agency_changed"
	EventNote           = "note"
	EventAccountAdded   = "account_added"
	EventAccountRemoved = "account_removed"
	EventAccountStatus  = "account_status_changed"
	EventDeleted        = "deleted"
	EventRestored       = "restored"
	EventImported       = "imported"
)

// Event is one line of a creator's timeline.
type Event struct {
	bun.BaseModel `bun:"table:creator_events,alias:e"`

	ID        string    `bun:"id,pk" json:"id"`
	OrgID     string    `bun:"org_id" json:"-"`
	CreatorID string    `bun:"creator_id" json:"creator_id"`
	Kind      string    `bun:"kind" json:"kind"`
	ActorID   *string   `bun:"actor_id" json:"actor_id"`
	ActorName *string   `bun:"-" json:"actor_name"` // the user's or API key's name at read time
	DataJSON  string    `bun:"data" json:"-"`
	Data      any       `bun:"-" json:"data"`
	CreatedAt time.Time `bun:"created_at" json:"created_at"`
}

// RecordEvent appends an event to a creator's timeline, in the caller's transaction. The caller has
// checked that the creator belongs to a's organization.
func RecordEvent(ctx context.Context, db bun.IDB, now time.Time, a actor.Actor, creatorID, kind string, data any) error {
	if data == nil {
		data = map[string]any{}
	}
	b, err := json.Marshal(data)
	if err != nil {
		return err
	}
	e := &Event{ID: store.NewID(), OrgID: a.OrgID, CreatorID: creatorID, Kind: kind, DataJSON: string(b), CreatedAt: now.UTC().Truncate(time.Microsecond)}
	if id := a.ID(); id != "" {
		e.ActorID = &id
	}
	_, err = db.NewInsert().Model(e).Exec(ctx)
	return err
}

func (s *Service) event(ctx context.Context, db bun.IDB, p actor.Actor, creatorID, kind string, data any) error {
	return RecordEvent(ctx, db, s.now(), p, creatorID, kind, data)
}

// Timeline returns a creator's events, newest first, with who did each.
func (s *Service) Timeline(ctx context.Context, p actor.Actor, creatorID string, req page.Request) (page.List[Event], error) {
	if _, err := s.creator(ctx, s.db, p.OrgID, creatorID); err != nil {
		return page.List[Event]{}, err
	}
	var rows []Event
	q := s.db.NewSelect().Model(&rows).Where("e.org_id = ? AND e.creator_id = ?", p.OrgID, creatorID)
	total, err := s.db.NewSelect().Model((*Event)(nil)).Where("e.org_id = ? AND e.creator_id = ?", p.OrgID, creatorID).Count(ctx)
	if err != nil {
		return page.List[Event]{}, store.MapError(err)
	}
	if len(req.After) == 2 {
		at, err := time.Parse(time.RFC3339Nano, req.After[0])
		if err != nil {
			return page.List[Event]{}, apperr.BadRequest("invalid_parameter", "cursor is not one this server issued")
		}
		q = q.Where("(e.created_at < ? OR (e.created_at = ? AND e.id < ?))", at, at, req.After[1])
	} else if len(req.After) != 0 {
		return page.List[Event]{}, apperr.BadRequest("invalid_parameter", "cursor is not one this server issued")
	}
	if err := q.Order("e.created_at DESC", "e.id DESC").Limit(req.Fetch()).Scan(ctx); err != nil {
		return page.List[Event]{}, store.MapError(err)
	}
	if err := s.fillActors(ctx, p.OrgID, rows); err != nil {
		return page.List[Event]{}, err
	}
	for i := range rows {
		var v any
		if json.Unmarshal([]byte(rows[i].DataJSON), &v) == nil {
			rows[i].Data = v
		}
	}
	return page.Finish(rows, req, int64(total), func(e Event) []string {
		return []string{e.CreatedAt.UTC().Format(time.RFC3339Nano), e.ID}
	}), nil
}

// NewNote is a note about a creator.
type NewNote struct {
	Text string `json:"text"`
}

// AddNote puts a note on a creator's timeline.
func (s *Service) AddNote(ctx context.Context, p actor.Actor, creatorID string, in NewNote) (*Event, error) {
	text := strings.TrimSpace(in.Text)
	f := apperr.Fields{}
	if err := textcheck.CheckMultiline(text); err != nil {
		f.Add("text", err.Error())
	}
	f.Check(text == "" || utf8.RuneCountInString(text) > 10_000, "text", "must be 1 to 10000 characters")
	var id string
	err := store.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
		c, err := s.creator(ctx, tx, p.OrgID, creatorID)
		if err != nil {
			return err
		}
		if c.ErasedAt != nil {
			return errErased(c) // a note is personal data: none is kept about an erased creator
		}
		if err := f.Err(); err != nil {
			return err
		}
		now := s.now()
		e := &Event{ID: store.NewID(), OrgID: p.OrgID, CreatorID: creatorID, Kind: EventNote, CreatedAt: now}
		b, _ := json.Marshal(map[string]string{"text": text})
		e.DataJSON = string(b)
		if aid := p.ID(); aid != "" {
			e.ActorID = &aid
		}
		if _, err := tx.NewInsert().Model(e).Exec(ctx); err != nil {
			return err
		}
		id = e.ID
		return audit.Record(ctx, tx, now, p, "creator.note", "creator", creatorID, map[string]string{"event_id": e.ID})
	})
	if err != nil {
		return nil, err
	}
	var e Event
	if err := s.db.NewSelect().Model(&e).Where("e.org_id = ? AND e.id = ?", p.OrgID, id).Scan(ctx); err != nil {
		return nil, store.MapError(err)
	}
	_ = json.Unmarshal([]byte(e.DataJSON), &e.Data)
	list := []Event{e}
	if err := s.fillActors(ctx, p.OrgID, list); err != nil {
		return nil, err
	}
	return &list[0], nil
}

// fillActors sets who did each event, by name, through the auth package (one lookup a page).
func (s *Service) fillActors(ctx context.Context, orgID string, events []Event) error {
	var ids []string
	for _, e := range events {
		if e.ActorID != nil && !slices.Contains(ids, *e.ActorID) {
			ids = append(ids, *e.ActorID)
		}
	}
	names, err := s.names(ctx, orgID, ids)
	if err != nil {
		return err
	}
	for i := range events {
		if id := events[i].ActorID; id != nil {
			if n, ok := names[*id]; ok {
				events[i].ActorName = &n
			}
		}
	}
	return nil
}
