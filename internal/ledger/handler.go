package ledger

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/caravan-crm/caravan/internal/actor"
	"github.com/caravan-crm/caravan/internal/page"
	"github.com/caravan-crm/caravan/internal/sheet"
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

func (h *Handler) Periods(c echo.Context) error {
	return web.Respond(c, http.StatusOK, func(a actor.Actor) (*PeriodList, error) {
		return h.Svc.Periods(c.Request().Context(), a)
	})
}

func (h *Handler) ClosePeriod(c echo.Context) error {
	return web.Respond(c, http.StatusOK, func(a actor.Actor) (*Period, error) {
		return h.Svc.ClosePeriod(c.Request().Context(), a, c.Param("period"))
	})
}

func (h *Handler) ReopenPeriod(c echo.Context) error {
	return web.RespondTo(c, http.StatusOK, func(a actor.Actor, in Reopen) (*Period, error) {
		return h.Svc.ReopenPeriod(c.Request().Context(), a, c.Param("period"), in)
	})
}

func (h *Handler) Adjust(c echo.Context) error {
	return web.RespondTo(c, http.StatusCreated, func(a actor.Actor, in NewAdjustment) (*Entry, error) {
		return h.Svc.Adjust(c.Request().Context(), a, in)
	})
}

// maxRatesBytes bounds an uploaded FX-rate file.
const maxRatesBytes = 5 << 20

func (h *Handler) ImportRates(c echo.Context) error {
	p, err := web.Actor(c)
	if err != nil {
		return err
	}
	up, err := web.ReadUpload(c, maxRatesBytes)
	if err != nil {
		return err
	}
	defer up.File.Close()
	res, err := h.Svc.ImportRates(c.Request().Context(), p, up.File, up.Size, up.Name, up.DryRun)
	if err != nil {
		return err
	}
	if len(res.Errors) > 0 && !up.DryRun {
		return sheet.ImportFailed(res.Rows, res.Errors)
	}
	return c.JSON(http.StatusOK, res)
}
