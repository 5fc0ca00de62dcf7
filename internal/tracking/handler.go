package tracking

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/caravan-crm/caravan/internal/actor"
	"github.com/caravan-crm/caravan/internal/page"
	"github.com/caravan-crm/caravan/internal/web"
)

// Handler serves the link, promo code and redirect routes.
type Handler struct {
	Svc *Service
}

func (h *Handler) ListLinks(c echo.Context) error {
	return web.Respond(c, http.StatusOK, func(a actor.Actor) (page.List[Link], error) {
		req, err := web.Page(c)
		if err != nil {
			return page.List[Link]{}, err
		}
		f, err := ParseFilter(c.QueryParams())
		if err != nil {
			return page.List[Link]{}, err
		}
		return h.Svc.ListLinks(c.Request().Context(), a, f, req)
	})
}

func (h *Handler) CreateLink(c echo.Context) error {
	return web.RespondTo(c, http.StatusCreated, func(a actor.Actor, in NewLink) (*Link, error) {
		return h.Svc.CreateLink(c.Request().Context(), a, in)
	})
}

func (h *Handler) GetLink(c echo.Context) error {
	return web.Respond(c, http.StatusOK, func(a actor.Actor) (*Link, error) {
		return h.Svc.GetLink(c.Request().Context(), a, c.Param("id"))
	})
}

func (h *Handler) UpdateLink(c echo.Context) error {
	return web.RespondToIfMatch(c, http.StatusOK, func(a actor.Actor, in LinkChange, v *int64) (*Link, error) {
		return h.Svc.UpdateLink(c.Request().Context(), a, c.Param("id"), in, v)
	})
}

func (h *Handler) ListPromoCodes(c echo.Context) error {
	return web.Respond(c, http.StatusOK, func(a actor.Actor) (page.List[PromoCode], error) {
		req, err := web.Page(c)
		if err != nil {
			return page.List[PromoCode]{}, err
		}
		f, err := ParseFilter(c.QueryParams())
		if err != nil {
			return page.List[PromoCode]{}, err
		}
		return h.Svc.ListPromoCodes(c.Request().Context(), a, f, req)
	})
}

func (h *Handler) CreatePromoCode(c echo.Context) error {
	return web.RespondTo(c, http.StatusCreated, func(a actor.Actor, in NewPromoCode) (*PromoCode, error) {
		return h.Svc.CreatePromoCode(c.Request().Context(), a, in)
	})
}

func (h *Handler) GetPromoCode(c echo.Context) error {
	return web.Respond(c, http.StatusOK, func(a actor.Actor) (*PromoCode, error) {
		return h.Svc.GetPromoCode(c.Request().Context(), a, c.Param("id"))
	})
}

func (h *Handler) UpdatePromoCode(c echo.Context) error {
	return web.RespondToIfMatch(c, http.StatusOK, func(a actor.Actor, in PromoCodeChange, v *int64) (*PromoCode, error) {
		return h.Svc.UpdatePromoCode(c.Request().Context(), a, c.Param("id"), in, v)
	})
}

// Redirect is the public GET /r/{code}: a 302 to the link's destination, never cached (every visit
// must reach the server to be counted), and not indexed.
func (h *Handler) Redirect(c echo.Context) error {
	r := c.Request()
	to, err := h.Svc.Redirect(r.Context(), Visit{Code: c.Param("code"), IP: c.RealIP(), UserAgent: r.UserAgent(), Referer: r.Referer(),
		Country: r.Header.Get("CF-IPCountry")})
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	c.Response().Header().Set("X-Robots-Tag", "noindex")
	return c.Redirect(http.StatusFound, to)
}
