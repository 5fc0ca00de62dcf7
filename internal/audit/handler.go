package audit

import (
	"net/http"

	"github.com/labstack/echo/v4"
	"github.com/uptrace/bun"

	"github.com/caravan-crm/caravan/internal/actor"
	"github.com/caravan-crm/caravan/internal/page"
	"github.com/caravan-crm/caravan/internal/web"
)

// Handler serves the audit log.
type Handler struct {
	DB bun.IDB
}

func (h *Handler) List(c echo.Context) error {
	return web.Respond(c, http.StatusOK, func(a actor.Actor) (page.List[Entry], error) {
		req, err := web.Page(c)
		if err != nil {
			return page.List[Entry]{}, err
		}
		return List(c.Request().Context(), h.DB, a.OrgID, Filter{Action: c.QueryParam("action"), TargetID: c.QueryParam("target_id")}, req)
	})
}
