package creator

// Erasure on request (POST /api/v1/creators/{id}/erase): a creator's personal data is removed and
// the row stays under a pseudonym, so what other packages record against it (enrolments, ledger,
// statements, payouts) still adds up.
//
// Removed: the display name (now "Erased creator XXXXXX"), email, phone, WeChat, WhatsApp, notes,
// tags and languages; every account's handle (now "erased-<account id>") and URL; the data of the
// creator's timeline events (notes' text, handles, names) but for status and agency changes, deletes
// and restores; the details of the audit entries about the creator and its accounts (the entries stay:
// who did what and when). Kept: country, status, owner, agency, payout currency and default rate
// (accounting needs them), follower counts and snapshots (numbers about an account whose handle is
// gone are not personal). Other packages remove what they hold about the creator through Eraser, in
// the same transaction.

import (
	"context"
	"fmt"
	"strings"

	"github.com/uptrace/bun"

	"github.com/caravan-crm/caravan/internal/actor"
	"github.com/caravan-crm/caravan/internal/apperr"
	"github.com/caravan-crm/caravan/internal/audit"
	"github.com/caravan-crm/caravan/internal/store"
	"github.com/caravan-crm/caravan/internal/web"

	"github.com/labstack/echo/v4"
)

// Eraser removes the personal data a package holds about a creator (click details, post addresses),
// in the erasing transaction. It writes only its own package's tables; app registers one per package
// with AddEraser.
type Eraser interface {
	EraseCreator(ctx context.Context, tx bun.Tx, orgID, creatorID string) error
}

// AddEraser registers e: every erasure runs it. Wiring happens at start-up, before requests.
func (s *Service) AddEraser(e Eraser) { s.erasers = append(s.erasers, e) }

// Erasure confirms an erasure: confirm must be true.
type Erasure struct {
	Confirm bool `json:"confirm"`
}

// erasedData is what an event's or an audit entry's details become once erased.
const erasedData = `{"erased":true}`

// keptEvents are the timeline events whose data is not personal (statuses and agency ids).
var keptEvents = []string{EventStatusChanged, EventAgencyChanged, EventDeleted, EventRestored}

// errErased is the 409 of a change to an erased creator.
func errErased(c *Creator) error {
	return apperr.Conflict("creator_erased", fmt.Sprintf("creator %s was erased on request and cannot be changed", c.ID))
}

// Pseudonym is the display name of an erased creator: the same for one creator every time.
func Pseudonym(creatorID string) string {
	id := strings.ReplaceAll(creatorID, "-", "")
	return "Erased creator " + strings.ToUpper(id[max(0, len(id)-6):])
}

// erasedHandle is an erased account's handle: unique per account, since the id is.
func erasedHandle(accountID string) string {
	return "erased-" + strings.ToLower(strings.ReplaceAll(accountID, "-", ""))
}

// Erase removes a creator's personal data (see the top of this file). Erasing an erased creator
// again answers nil and removes what was added since (clicks' details on its links, say).
func (s *Service) Erase(ctx context.Context, p actor.Actor, id string, in Erasure) error {
	return store.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
		c, err := store.ByIDForUpdate[Creator](ctx, tx, p.OrgID, id, "creator")
		if err != nil {
			return err
		}
		if !in.Confirm {
			return apperr.Validation(map[string]string{"confirm": "must be true: erasure removes the creator's personal data for good"})
		}
		now := s.now()
		erasedAt := now
		if c.ErasedAt != nil {
			erasedAt = *c.ErasedAt
		}
		name := Pseudonym(c.ID)
		if _, err := tx.NewUpdate().Model((*Creator)(nil)).
			Set("display_name = ?", name).Set("name_key = ?", nameKey(name)).
			Set("email = NULL").Set("phone = NULL").Set("wechat = NULL").Set("whatsapp = NULL").
			Set("payout_account = NULL").Set("payout_holder = NULL").
			Set("languages = '[]'").Set("notes = ''").Set("erased_at = ?", erasedAt).
			Set("updated_at = ?", now).Set("version = version + 1").
			Where("org_id = ? AND id = ?", p.OrgID, c.ID).Exec(ctx); err != nil {
			return err
		}
		if err := setTags(ctx, tx, c, nil); err != nil {
			return err
		}
		var accountIDs []string
		if err := tx.NewSelect().Model((*Account)(nil)).Column("id").Where("org_id = ? AND creator_id = ?", p.OrgID, c.ID).
			Scan(ctx, &accountIDs); err != nil {
			return err
		}
		for _, aid := range accountIDs {
			h := erasedHandle(aid)
			if _, err := tx.NewUpdate().Model((*Account)(nil)).Set("handle = ?", h).Set("handle_key = ?", handleKey(h)).Set("url = NULL").
				Set("updated_at = ?", now).Set("version = version + 1").
				Where("org_id = ? AND id = ?", p.OrgID, aid).Exec(ctx); err != nil {
				return err
			}
		}
		if _, err := tx.NewUpdate().Model((*Event)(nil)).Set("data = ?", erasedData).
			Where("org_id = ? AND creator_id = ? AND kind NOT IN (?)", p.OrgID, c.ID, bun.In(keptEvents)).Exec(ctx); err != nil {
			return err
		}
		if err := eraseAudit(ctx, tx, p.OrgID, c.ID, accountIDs); err != nil {
			return err
		}
		for _, e := range s.erasers {
			if err := e.EraseCreator(ctx, tx, p.OrgID, c.ID); err != nil {
				return err
			}
		}
		// Who erased and when; what was erased is gone.
		return audit.Record(ctx, tx, now, p, "creator.erase", "creator", c.ID, map[string]any{})
	})
}

// eraseAudit blanks the details of the audit entries about the creator and about its accounts,
// present and removed (an account's creation names its creator).
func eraseAudit(ctx context.Context, tx bun.Tx, orgID, creatorID string, accountIDs []string) error {
	var removed []string
	if err := tx.NewSelect().Model((*audit.Entry)(nil)).Column("target_id").
		Where("org_id = ? AND target_type = 'account' AND action = 'account.create' AND details LIKE ?", orgID, `%"creator_id":"`+creatorID+`"%`).
		Scan(ctx, &removed); err != nil {
		return err
	}
	ids := append(append([]string{}, accountIDs...), removed...)
	q := tx.NewUpdate().Model((*audit.Entry)(nil)).Set("details = ?", erasedData).
		Where("org_id = ? AND target_type = 'creator' AND target_id = ?", orgID, creatorID)
	if len(ids) > 0 {
		q = q.WhereOr("org_id = ? AND target_type = 'account' AND target_id IN (?)", orgID, bun.In(ids))
	}
	_, err := q.Exec(ctx)
	return err
}

// Erase answers 204 once the creator's personal data is gone.
func (h *Handler) Erase(c echo.Context) error {
	return web.Done(c, func(a actor.Actor) error {
		var in Erasure
		if err := web.Bind(c, &in); err != nil {
			return err
		}
		return h.Svc.Erase(c.Request().Context(), a, c.Param("id"), in)
	})
}
