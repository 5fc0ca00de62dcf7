package insight

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/caravan-crm/caravan/internal/actor"
	"github.com/caravan-crm/caravan/internal/apperr"
	"github.com/caravan-crm/caravan/internal/web"
)

// Handler serves the risk-mark and exposure routes.
type Handler struct {
	Svc *Service
}

// ListAnswer is every platform with the organization's marks.
type ListAnswer struct {
	Items []Entry `json:"items"`
}

func (h *Handler) List(c echo.Context) error {
	return web.Respond(c, http.StatusOK, func(a actor.Actor) (ListAnswer, error) {
		l, err := h.Svc.List(c.Request().Context(), a)
		return ListAnswer{Items: l}, err
	})
}

func (h *Handler) SetRisk(c echo.Context) error {
	return web.RespondTo(c, http.StatusOK, func(a actor.Actor, in RiskInput) (*Mark, error) {
		return h.Svc.SetRisk(c.Request().Context(), a, c.Param("platform"), in)
	})
}

func (h *Handler) Exposure(c echo.Context) error {
	return web.Respond(c, http.StatusOK, func(a actor.Actor) (*Exposure, error) {
		o := ExposureOptions{Days: 90, Limit: 200}
		for name, dst := range map[string]*int{"days": &o.Days, "limit": &o.Limit} {
			if s := c.QueryParam(name); s != "" {
				n, err := strconv.Atoi(s)
				if err != nil || n < 1 || n > 3660 {
					return nil, apperr.BadRequest("invalid_parameter", name+" must be a whole number from 1 to 3660")
				}
				*dst = n
			}
		}
		return h.Svc.Exposure(c.Request().Context(), a, o)
	})
}

func (h *Handler) Dashboard(c echo.Context) error {
	return web.Respond(c, http.StatusOK, func(a actor.Actor) (*Dashboard, error) {
		return h.Svc.Dashboard(c.Request().Context(), a, c.QueryParams())
	})
}
