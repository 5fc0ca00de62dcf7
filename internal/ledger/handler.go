package ledger

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/caravan-crm/caravan/internal/actor"
	"github.com/caravan-crm/caravan/internal/page"
	"github.com/caravan-crm/caravan/internal/web"
)

// Handler serves the ledger's routes: entries and FX rates.
type Handler struct {
	Svc *Service
}

func (h *Handler) List(c echo.Context) error {
	return web.Respond(c, http.StatusOK, func(a actor.Actor) (page.List[Entry], error) {
		req, err := web.Page(c)
		if err != nil {
			return page.List[Entry]{}, err
		}
		f, err := ParseFilter(c.QueryParams())
		if err != nil {
			return page.List[Entry]{}, err
		}
		return h.Svc.List(c.Request().Context(), a, f, req)
	})
}

func (h *Handler) PutRate(c echo.Context) error {
	return web.RespondTo(c, http.StatusOK, func(a actor.Actor, in NewFXRate) (*FXRate, error) {
		return h.Svc.PutRate(c.Request().Context(), a, in)
	})
}

func (h *Handler) ListRates(c echo.Context) error {
	return web.Respond(c, http.StatusOK, func(a actor.Actor) (*FXRateList, error) {
		return h.Svc.ListRates(c.Request().Context(), a, c.QueryParams())
	})
}
