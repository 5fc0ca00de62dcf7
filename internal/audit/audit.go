// Package audit keeps the organization's audit log: who did what to which object, and from where.
// Entries are only ever appended.
package audit

import (
	"context"
	"encoding/json"
	"time"

	"github.com/uptrace/bun"

	"github.com/caravan-crm/caravan/internal/actor"
	"github.com/caravan-crm/caravan/internal/page"
	"github.com/caravan-crm/caravan/internal/store"
)

// Entry is one line of the audit log.
type Entry struct {
	bun.BaseModel `bun:"table:audit_log"`

	ID         string    `bun:"id,pk" json:"id"`
	OrgID      *string   `bun:"org_id" json:"-"`
	ActorID    *string   `bun:"actor_id" json:"actor_id"`
	ActorKind  string    `bun:"actor_kind" json:"actor_kind"` // user | api_key | system
	Action     string    `bun:"action" json:"action"`         // e.g. user.create, session.refresh_reused
	TargetType string    `bun:"target_type" json:"target_type"`
	TargetID   string    `bun:"target_id" json:"target_id"`
	Details    string    `bun:"details" json:"-"`
	Data       any       `bun:"-" json:"details"`
	IP         string    `bun:"ip" json:"ip"`
	CreatedAt  time.Time `bun:"created_at" json:"created_at"`
}

// Record appends an entry; details are stored as JSON.
func Record(ctx context.Context, db bun.IDB, now time.Time, a actor.Actor, action, targetType, targetID string, details any) error {
	b, err := json.Marshal(details)
	if err != nil {
		return err
	}
	e := &Entry{
		ID: store.NewID(), ActorKind: a.Kind(), Action: action, TargetType: targetType, TargetID: targetID,
		Details: string(b), IP: a.IP, CreatedAt: now,
	}
	if a.OrgID != "" {
		e.OrgID = &a.OrgID
	}
	if id := a.ID(); id != "" {
		e.ActorID = &id
	}
	_, err = db.NewInsert().Model(e).Exec(ctx)
	return store.MapError(err)
}

// Filter narrows the audit log.
type Filter struct {
	Action   string
	TargetID string
}

// List returns the organization's entries, newest first.
func List(ctx context.Context, db bun.IDB, orgID string, f Filter, req page.Request) (page.List[Entry], error) {
	var rows []Entry
	q := db.NewSelect().Model(&rows).Where("org_id = ?", orgID)
	if f.Action != "" {
		q = q.Where("action = ?", f.Action)
	}
	if f.TargetID != "" {
		q = q.Where("target_id = ?", f.TargetID)
	}
	total, err := q.Count(ctx)
	if err != nil {
		return page.List[Entry]{}, store.MapError(err)
	}
	if len(req.After) == 1 {
		q = q.Where("id < ?", req.After[0]) // ids are UUIDv7: they sort by creation time
	}
	if err := q.Order("id DESC").Limit(req.Fetch()).Scan(ctx); err != nil {
		return page.List[Entry]{}, store.MapError(err)
	}
	for i := range rows {
		var v any
		if json.Unmarshal([]byte(rows[i].Details), &v) == nil {
			rows[i].Data = v
		}
	}
	return page.Finish(rows, req, total, func(e Entry) []string { return []string{e.ID} }), nil
}
