package creator

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/caravan-crm/caravan/internal/actor"
	"github.com/caravan-crm/caravan/internal/apperr"
	"github.com/caravan-crm/caravan/internal/page"
	"github.com/caravan-crm/caravan/internal/sheet"
	"github.com/caravan-crm/caravan/internal/web"
)

// Handler serves the creator, account and agency routes.
type Handler struct {
	Svc *Service
}

func (h *Handler) List(c echo.Context) error {
	return web.Respond(c, http.StatusOK, func(a actor.Actor) (page.List[Creator], error) {
		req, err := web.Page(c)
		if err != nil {
			return page.List[Creator]{}, err
		}
		f, err := ParseFilter(c.QueryParams())
		if err != nil {
			return page.List[Creator]{}, err
		}
		return h.Svc.List(c.Request().Context(), a, f, req)
	})
}

func (h *Handler) Create(c echo.Context) error {
	return web.RespondTo(c, http.StatusCreated, func(a actor.Actor, in NewCreator) (*Creator, error) {
		return h.Svc.Create(c.Request().Context(), a, in)
	})
}

func (h *Handler) Get(c echo.Context) error {
	return web.Respond(c, http.StatusOK, func(a actor.Actor) (*Creator, error) {
		return h.Svc.Get(c.Request().Context(), a, c.Param("id"))
	})
}

func (h *Handler) Update(c echo.Context) error {
	return web.RespondToIfMatch(c, http.StatusOK, func(a actor.Actor, in Change, v *int64) (*Creator, error) {
		return h.Svc.Update(c.Request().Context(), a, c.Param("id"), in, v)
	})
}

func (h *Handler) Delete(c echo.Context) error {
	return web.DoneIfMatch(c, func(a actor.Actor, v *int64) error {
		return h.Svc.Delete(c.Request().Context(), a, c.Param("id"), v)
	})
}

func (h *Handler) Restore(c echo.Context) error {
	return web.Respond(c, http.StatusOK, func(a actor.Actor) (*Creator, error) {
		return h.Svc.Restore(c.Request().Context(), a, c.Param("id"))
	})
}

func (h *Handler) AddAccount(c echo.Context) error {
	return web.RespondTo(c, http.StatusCreated, func(a actor.Actor, in NewAccount) (*Account, error) {
		return h.Svc.AddAccount(c.Request().Context(), a, c.Param("id"), in)
	})
}

func (h *Handler) UpdateAccount(c echo.Context) error {
	return web.RespondToIfMatch(c, http.StatusOK, func(a actor.Actor, in AccountChange, v *int64) (*Account, error) {
		return h.Svc.UpdateAccount(c.Request().Context(), a, c.Param("id"), in, v)
	})
}

func (h *Handler) GetAccount(c echo.Context) error {
	return web.Respond(c, http.StatusOK, func(a actor.Actor) (*Account, error) {
		return h.Svc.GetAccount(c.Request().Context(), a, c.Param("id"))
	})
}

func (h *Handler) DeleteAccount(c echo.Context) error {
	return web.DoneIfMatch(c, func(a actor.Actor, v *int64) error {
		return h.Svc.DeleteAccount(c.Request().Context(), a, c.Param("id"), v)
	})
}

// AddSnapshot answers 201 for a new day and 200 when it replaced the day's snapshot.
func (h *Handler) AddSnapshot(c echo.Context) error {
	p, err := web.Actor(c)
	if err != nil {
		return err
	}
	var req NewSnapshot
	if err := web.Bind(c, &req); err != nil {
		return err
	}
	hist, created, err := h.Svc.AddSnapshot(c.Request().Context(), p, c.Param("id"), req)
	if err != nil {
		return err
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	return c.JSON(status, hist)
}

func (h *Handler) History(c echo.Context) error {
	return web.Respond(c, http.StatusOK, func(a actor.Actor) (*History, error) {
		days := 0
		if s := c.QueryParam("days"); s != "" {
			var err error
			if days, err = strconv.Atoi(s); err != nil || days < 1 || days > 3660 {
				return nil, apperr.BadRequest("invalid_parameter", "days must be a whole number from 1 to 3660")
			}
		}
		return h.Svc.History(c.Request().Context(), a, c.Param("id"), days)
	})
}

func (h *Handler) Timeline(c echo.Context) error {
	return web.Respond(c, http.StatusOK, func(a actor.Actor) (page.List[Event], error) {
		req, err := web.Page(c)
		if err != nil {
			return page.List[Event]{}, err
		}
		return h.Svc.Timeline(c.Request().Context(), a, c.Param("id"), req)
	})
}

func (h *Handler) AddNote(c echo.Context) error {
	return web.RespondTo(c, http.StatusCreated, func(a actor.Actor, in NewNote) (*Event, error) {
		return h.Svc.AddNote(c.Request().Context(), a, c.Param("id"), in)
	})
}

// TagsAnswer lists the organization's tags.
type TagsAnswer struct {
	Items []TagCount `json:"items"`
}

func (h *Handler) Tags(c echo.Context) error {
	return web.Respond(c, http.StatusOK, func(a actor.Actor) (TagsAnswer, error) {
		tags, err := h.Svc.Tags(c.Request().Context(), a)
		return TagsAnswer{Items: tags}, err
	})
}

// --- agencies ---

func (h *Handler) ListAgencies(c echo.Context) error {
	return web.Respond(c, http.StatusOK, func(a actor.Actor) (page.List[Agency], error) {
		req, err := web.Page(c)
		if err != nil {
			return page.List[Agency]{}, err
		}
		return h.Svc.ListAgencies(c.Request().Context(), a, req)
	})
}

func (h *Handler) CreateAgency(c echo.Context) error {
	return web.RespondTo(c, http.StatusCreated, func(a actor.Actor, in NewAgency) (*Agency, error) {
		return h.Svc.CreateAgency(c.Request().Context(), a, in)
	})
}

func (h *Handler) GetAgency(c echo.Context) error {
	return web.Respond(c, http.StatusOK, func(a actor.Actor) (*Agency, error) {
		return h.Svc.GetAgency(c.Request().Context(), a, c.Param("id"))
	})
}

func (h *Handler) UpdateAgency(c echo.Context) error {
	return web.RespondToIfMatch(c, http.StatusOK, func(a actor.Actor, in AgencyChange, v *int64) (*Agency, error) {
		return h.Svc.UpdateAgency(c.Request().Context(), a, c.Param("id"), in, v)
	})
}

func (h *Handler) DeleteAgency(c echo.Context) error {
	return web.DoneIfMatch(c, func(a actor.Actor, v *int64) error {
		return h.Svc.DeleteAgency(c.Request().Context(), a, c.Param("id"), v)
	})
}

// --- import and export ---

// maxImportBytes bounds an uploaded creator file (the route's body limit is a little larger).
const maxImportBytes = 20 << 20

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
	res, err := h.Svc.Import(c.Request().Context(), p, up.File, up.Size, up.Name, up.DryRun, nil)
	if err != nil {
		return err
	}
	if len(res.Errors) > 0 && !up.DryRun {
		return ImportFailed(res)
	}
	return c.JSON(http.StatusOK, res)
}

// ImportFailed is the 422 of a real import with problems: nothing was written, and the answer's
// details list every problem by row and column (params hold the counts of the rows checked).
func ImportFailed(res *ImportResult) error { return sheet.ImportFailed(res.Rows, res.Errors) }

func (h *Handler) Export(c echo.Context) error {
	p, err := web.Actor(c)
	if err != nil {
		return err
	}
	f, err := ParseFilter(c.QueryParams())
	if err != nil {
		return err
	}
	lang := ExportLang(c.QueryParam("lang"), c.Request().Header.Get("Accept-Language"))
	today, err := h.Svc.Today(c.Request().Context(), p.OrgID)
	if err != nil {
		return err
	}
	name := "creators-" + today.Format("20060102") + ".xlsx"
	return h.Svc.Export(c.Request().Context(), p, f, lang, &download{c: c, name: name})
}

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
		h.Set(echo.HeaderContentType, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
		h.Set(echo.HeaderContentDisposition, `attachment; filename="`+d.name+`"`)
		d.c.Response().WriteHeader(http.StatusOK)
	}
	return d.c.Response().Write(b)
}
