package report

import (
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/caravan-crm/caravan/internal/web"
)

// Handler serves the workbook downloads.
type Handler struct {
	Svc *Service
}

// Commissions streams GET /api/v1/reports/commissions.xlsx?period=…&lang=…: the language from lang,
// else Accept-Language, else English.
func (h *Handler) Commissions(c echo.Context) error {
	p, err := web.Actor(c)
	if err != nil {
		return err
	}
	req, err := ParseRequest(c.QueryParams(), c.Request().Header.Get("Accept-Language"), LangEN)
	if err != nil {
		return err
	}
	allowTime(c)
	return h.Svc.Commissions(c.Request().Context(), p, req, &download{c: c, name: req.FileName("commissions")}, nil)
}

// Statement streams GET /api/v1/statements/{creator_id}.xlsx?period=…&lang=…, in English unless lang
// says otherwise: it is sent to the creator, whose language the seller's browser does not tell.
func (h *Handler) Statement(c echo.Context) error {
	p, err := web.Actor(c)
	if err != nil {
		return err
	}
	// The route's parameter runs to the end of the segment: "{id}.xlsx".
	id, ok := strings.CutSuffix(c.Param(StatementParam), ".xlsx")
	if !ok || id == "" {
		return notFound()
	}
	// Another organization's creator is a 404 whatever the query says.
	if _, err := h.Svc.creator(c.Request().Context(), p.OrgID, id); err != nil {
		return err
	}
	req, err := ParseRequest(c.QueryParams(), "", LangEN)
	if err != nil {
		return err
	}
	allowTime(c)
	return h.Svc.Statement(c.Request().Context(), p, id, req, &download{c: c, name: req.FileName("statement-" + id)})
}

// workbookTime is how long a workbook download may take. The server's write timeout (two minutes)
// suits JSON answers; a month of a million entries is read for minutes before its first byte.
const workbookTime = 30 * time.Minute

// allowTime moves this response's write deadline to workbookTime from now (where the server lets it).
func allowTime(c echo.Context) {
	_ = http.NewResponseController(c.Response()).SetWriteDeadline(time.Now().Add(workbookTime))
}

// StatementParam is the name echo gives the statement route's path parameter
// (/api/v1/statements/:creator_id.xlsx): a parameter runs to the next slash.
const StatementParam = "creator_id.xlsx"

// download sends the headers of an .xlsx attachment on the first write: the workbook streams to the
// client, and an error before any byte is written still gets the error shape.
type download struct {
	c       echo.Context
	name    string
	started bool
}

func (d *download) Write(b []byte) (int, error) {
	if !d.started {
		d.started = true
		h := d.c.Response().Header()
		h.Set(echo.HeaderContentType, ContentType)
		h.Set(echo.HeaderContentDisposition, `attachment; filename="`+d.name+`"`)
		h.Set("Cache-Control", "no-store")
		d.c.Response().WriteHeader(http.StatusOK)
	}
	return d.c.Response().Write(b)
}

// ContentType is the media type of .xlsx workbooks.
const ContentType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
