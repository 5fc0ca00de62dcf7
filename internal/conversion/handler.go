package conversion

import (
	"fmt"
	"io"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/caravan-crm/caravan/internal/actor"
	"github.com/caravan-crm/caravan/internal/apperr"
	"github.com/caravan-crm/caravan/internal/page"
	"github.com/caravan-crm/caravan/internal/sheet"
	"github.com/caravan-crm/caravan/internal/web"
)

// Handler serves the conversion, store and webhook routes.
type Handler struct {
	Svc *Service
}

func (h *Handler) List(c echo.Context) error {
	return web.Respond(c, http.StatusOK, func(a actor.Actor) (page.List[Conversion], error) {
		req, err := web.Page(c)
		if err != nil {
			return page.List[Conversion]{}, err
		}
		f, err := ParseFilter(c.QueryParams())
		if err != nil {
			return page.List[Conversion]{}, err
		}
		return h.Svc.List(c.Request().Context(), a, f, req)
	})
}

func (h *Handler) Get(c echo.Context) error {
	return web.Respond(c, http.StatusOK, func(a actor.Actor) (*Conversion, error) {
		return h.Svc.Get(c.Request().Context(), a, c.Param("id"))
	})
}

// Create answers 201 with a new conversion, 200 with the stored one for a known external id.
func (h *Handler) Create(c echo.Context) error {
	a, err := web.Actor(c)
	if err != nil {
		return err
	}
	var in Input
	if err := web.Bind(c, &in); err != nil {
		return err
	}
	create := h.Svc.Create
	if c.Request().Header.Get("Idempotency-Key") != "" {
		create = h.Svc.CreateAlone // its transaction records the key
	}
	out, created, err := create(c.Request().Context(), a, in)
	if err != nil {
		return err
	}
	if created {
		return c.JSON(http.StatusCreated, out)
	}
	return c.JSON(http.StatusOK, out)
}

func (h *Handler) Batch(c echo.Context) error {
	return web.RespondTo(c, http.StatusOK, func(a actor.Actor, in BatchInput) (*BatchResult, error) {
		return h.Svc.Batch(c.Request().Context(), a, in)
	})
}

// AddRefund answers 201 with a new refund, 200 for a known external id.
func (h *Handler) AddRefund(c echo.Context) error {
	a, err := web.Actor(c)
	if err != nil {
		return err
	}
	var in RefundInput
	if err := web.Bind(c, &in); err != nil {
		return err
	}
	out, created, err := h.Svc.AddRefund(c.Request().Context(), a, c.Param("id"), in)
	if err != nil {
		return err
	}
	if created {
		return c.JSON(http.StatusCreated, out)
	}
	return c.JSON(http.StatusOK, out)
}

// decision reads an optional body: approving takes none.
func (h *Handler) decision(action string) echo.HandlerFunc {
	return func(c echo.Context) error {
		a, err := web.Actor(c)
		if err != nil {
			return err
		}
		var in Decision
		if c.Request().ContentLength != 0 {
			if err := web.Bind(c, &in); err != nil {
				return err
			}
		}
		v, err := web.IfMatch(c)
		if err != nil {
			return err
		}
		out, err := h.Svc.Decide(c.Request().Context(), a, c.Param("id"), action, in, v)
		if err != nil {
			return err
		}
		c.Response().Header().Set("ETag", fmt.Sprintf("%q", fmt.Sprint(out.Version)))
		return c.JSON(http.StatusOK, out)
	}
}

func (h *Handler) Approve(c echo.Context) error { return h.decision(ActionApprove)(c) }
func (h *Handler) Reject(c echo.Context) error  { return h.decision(ActionReject)(c) }

func (h *Handler) DecideMany(c echo.Context) error {
	return web.RespondTo(c, http.StatusOK, func(a actor.Actor, in BulkDecision) (*BulkResult, error) {
		return h.Svc.DecideMany(c.Request().Context(), a, in)
	})
}

func (h *Handler) Attribute(c echo.Context) error {
	return web.RespondTo(c, http.StatusOK, func(a actor.Actor, in ManualAttribution) (*Conversion, error) {
		return h.Svc.Attribute(c.Request().Context(), a, c.Param("id"), in)
	})
}

// maxImportBytes bounds an uploaded order file (the route's body limit is a little larger).
const maxImportBytes = 50 << 20

func (h *Handler) Import(c echo.Context) error {
	p, err := web.Actor(c)
	if err != nil {
		return err
	}
	up, err := web.ReadUpload(c, maxImportBytes)
	if err != nil {
		return err
	}
	defer up.File.Close()
	opt := ImportOptions{DryRun: up.DryRun, Timezone: c.QueryParam("timezone"), Currency: c.QueryParam("currency")}
	if v := c.FormValue("timezone"); v != "" {
		opt.Timezone = v
	}
	if v := c.FormValue("currency"); v != "" {
		opt.Currency = v
	}
	res, err := h.Svc.Import(c.Request().Context(), p, up.File, up.Size, up.Name, opt, nil)
	if err != nil {
		return err
	}
	if len(res.Errors) > 0 && !up.DryRun {
		return sheet.ImportFailed(res.Rows, res.Errors)
	}
	return c.JSON(http.StatusOK, res)
}

// --- stores and webhooks ---

func (h *Handler) ListStores(c echo.Context) error {
	return web.Respond(c, http.StatusOK, func(a actor.Actor) (*StoreList, error) {
		return h.Svc.ListStores(c.Request().Context(), a)
	})
}

func (h *Handler) CreateStore(c echo.Context) error {
	return web.RespondTo(c, http.StatusCreated, func(a actor.Actor, in NewStore) (*Store, error) {
		return h.Svc.CreateStore(c.Request().Context(), a, in)
	})
}

func (h *Handler) DeleteStore(c echo.Context) error {
	return web.Done(c, func(a actor.Actor) error {
		return h.Svc.DeleteStore(c.Request().Context(), a, c.Param("id"))
	})
}

// maxWebhookBytes bounds a delivery (a large Shopify order is a few hundred kilobytes).
const maxWebhookBytes = 4 << 20

// Shopify receives a webhook: the raw body is what the signature covers, so it is read as bytes.
func (h *Handler) Shopify(c echo.Context) error {
	body, err := io.ReadAll(io.LimitReader(c.Request().Body, maxWebhookBytes+1))
	if err != nil {
		return apperr.BadRequest("bad_request", "the body could not be read")
	}
	if len(body) > maxWebhookBytes {
		return &apperr.Error{Kind: apperr.KindTooLarge, Code: "body_too_large", Message: "the delivery is too large"}
	}
	h2 := c.Request().Header
	res, err := h.Svc.ReceiveShopify(c.Request().Context(), Webhook{
		StoreID: c.Param("store_id"), Topic: h2.Get("X-Shopify-Topic"), DeliveryID: h2.Get("X-Shopify-Webhook-Id"),
		Signature: h2.Get("X-Shopify-Hmac-Sha256"), Body: body,
	})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, res)
}
