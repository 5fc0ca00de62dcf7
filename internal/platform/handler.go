package platform

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/caravan-crm/caravan/internal/apperr"
	"github.com/caravan-crm/caravan/internal/web"
)

// Handler serves the platform routes.
type Handler struct {
	Svc *Service
}

// ListAnswer is every platform with the organization's marks.
type ListAnswer struct {
	Items []Entry `json:"items"`
}

func (h *Handler) List(c echo.Context) error {
	p, err := web.Actor(c)
	if err != nil {
		return err
	}
	l, err := h.Svc.List(c.Request().Context(), p)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, ListAnswer{Items: l})
}

func (h *Handler) SetRisk(c echo.Context) error {
	p, err := web.Actor(c)
	if err != nil {
		return err
	}
	var req RiskInput
	if err := web.Bind(c, &req); err != nil {
		return err
	}
	m, err := h.Svc.SetRisk(c.Request().Context(), p, c.Param("platform"), req)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, m)
}

func (h *Handler) Exposure(c echo.Context) error {
	p, err := web.Actor(c)
	if err != nil {
		return err
	}
	o := ExposureOptions{Days: 90, Limit: 200}
	for name, dst := range map[string]*int{"days": &o.Days, "limit": &o.Limit} {
		if s := c.QueryParam(name); s != "" {
			n, err := strconv.Atoi(s)
			if err != nil || n < 1 || n > 3660 {
				return apperr.BadRequest("invalid_parameter", name+" must be a whole number from 1 to 3660")
			}
			*dst = n
		}
	}
	out, err := h.Svc.Exposure(c.Request().Context(), p, o)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, out)
}
