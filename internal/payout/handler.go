package payout

import (
	"bytes"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/caravan-crm/caravan/internal/actor"
	"github.com/caravan-crm/caravan/internal/ledger"
	"github.com/caravan-crm/caravan/internal/page"
	"github.com/caravan-crm/caravan/internal/web"
)

// Handler serves statements and payouts.
type Handler struct {
	Svc *Service
}

// RangeOf reads period, or from and to, from a query.
func RangeOf(c echo.Context) ledger.Range {
	return ledger.Range{Period: strings.TrimSpace(c.QueryParam("period")), From: strings.TrimSpace(c.QueryParam("from")), To: strings.TrimSpace(c.QueryParam("to"))}
}

func (h *Handler) Statements(c echo.Context) error {
	return web.Respond(c, http.StatusOK, func(a actor.Actor) (*StatementList, error) {
		return h.Svc.Statements(c.Request().Context(), a, RangeOf(c))
	})
}

func (h *Handler) CreateBatch(c echo.Context) error {
	return web.RespondTo(c, http.StatusCreated, func(a actor.Actor, in NewBatch) (*Batch, error) {
		return h.Svc.CreateBatch(c.Request().Context(), a, in)
	})
}

func (h *Handler) List(c echo.Context) error {
	return web.Respond(c, http.StatusOK, func(a actor.Actor) (page.List[Payout], error) {
		req, err := web.Page(c)
		if err != nil {
			return page.List[Payout]{}, err
		}
		q := c.QueryParams()
		return h.Svc.List(c.Request().Context(), a, Filter{Period: q.Get("period"), Status: q.Get("status"), CreatorID: q.Get("creator_id"), Currency: q.Get("currency")}, req)
	})
}

func (h *Handler) Paid(c echo.Context) error {
	return web.RespondTo(c, http.StatusOK, func(a actor.Actor, in MarkPaid) (*Payout, error) {
		return h.Svc.Paid(c.Request().Context(), a, c.Param("id"), in)
	})
}

// File streams a payout file.
func (h *Handler) File(c echo.Context) error {
	a, err := web.Actor(c)
	if err != nil {
		return err
	}
	q := c.QueryParams()
	r := FileRequest{Period: q.Get("period"), Format: q.Get("format"), Currency: q.Get("currency"), Status: q.Get("status")}
	if err := r.Check(); err != nil {
		return err
	}
	var buf strings.Builder
	if r.Format == FormatXLSX {
		res := c.Response()
		res.Header().Set(echo.HeaderContentType, r.ContentType())
		res.Header().Set(echo.HeaderContentDisposition, `attachment; filename="`+r.FileName()+`"`)
		// The workbook is written whole at the end; an error before it is still a clean error answer.
		var b bytes.Buffer
		if err := h.Svc.WriteFile(c.Request().Context(), a, r, &b); err != nil {
			res.Header().Del(echo.HeaderContentDisposition)
			return err
		}
		return c.Blob(http.StatusOK, r.ContentType(), b.Bytes())
	}
	if err := h.Svc.WriteFile(c.Request().Context(), a, r, &buf); err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderContentDisposition, `attachment; filename="`+r.FileName()+`"`)
	return c.Blob(http.StatusOK, r.ContentType(), []byte(buf.String()))
}
