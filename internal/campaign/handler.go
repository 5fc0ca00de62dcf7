package campaign

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/caravan-crm/caravan/internal/actor"
	"github.com/caravan-crm/caravan/internal/page"
	"github.com/caravan-crm/caravan/internal/sheet"
	"github.com/caravan-crm/caravan/internal/web"
)

// Handler serves the product, campaign, enrolment, deliverable and sample routes.
type Handler struct {
	Svc *Service
}

// --- products ---

func (h *Handler) ListProducts(c echo.Context) error {
	return web.Respond(c, http.StatusOK, func(a actor.Actor) (page.List[Product], error) {
		req, err := web.Page(c)
		if err != nil {
			return page.List[Product]{}, err
		}
		f, err := ParseProductFilter(c.QueryParams())
		if err != nil {
			return page.List[Product]{}, err
		}
		return h.Svc.ListProducts(c.Request().Context(), a, f, req)
	})
}

func (h *Handler) CreateProduct(c echo.Context) error {
	return web.RespondTo(c, http.StatusCreated, func(a actor.Actor, in NewProduct) (*Product, error) {
		return h.Svc.CreateProduct(c.Request().Context(), a, in)
	})
}

func (h *Handler) GetProduct(c echo.Context) error {
	return web.Respond(c, http.StatusOK, func(a actor.Actor) (*Product, error) {
		return h.Svc.GetProduct(c.Request().Context(), a, c.Param("id"))
	})
}

func (h *Handler) UpdateProduct(c echo.Context) error {
	return web.RespondToIfMatch(c, http.StatusOK, func(a actor.Actor, in ProductChange, v *int64) (*Product, error) {
		return h.Svc.UpdateProduct(c.Request().Context(), a, c.Param("id"), in, v)
	})
}

func (h *Handler) DeleteProduct(c echo.Context) error {
	return web.DoneIfMatch(c, func(a actor.Actor, v *int64) error {
		return h.Svc.DeleteProduct(c.Request().Context(), a, c.Param("id"), v)
	})
}

// maxImportBytes bounds an uploaded product file (the route's body limit is a little larger).
const maxImportBytes = 20 << 20

func (h *Handler) ImportProducts(c echo.Context) error {
	p, err := web.Actor(c)
	if err != nil {
		return err
	}
	up, err := web.ReadUpload(c, maxImportBytes)
	if err != nil {
		return err
	}
	defer up.File.Close()
	res, err := h.Svc.ImportProducts(c.Request().Context(), p, up.File, up.Size, up.Name, up.DryRun)
	if err != nil {
		return err
	}
	if len(res.Errors) > 0 && !up.DryRun {
		return importFailed(res)
	}
	return c.JSON(http.StatusOK, res)
}

// importFailed is the 422 of a real import with problems: nothing was written, and the answer's
// details list every problem by row and column (as the creator import answers).
func importFailed(res *ProductImportResult) error { return sheet.ImportFailed(res.Rows, res.Errors) }

// --- campaigns and plans ---

func (h *Handler) ListCampaigns(c echo.Context) error {
	return web.Respond(c, http.StatusOK, func(a actor.Actor) (page.List[Campaign], error) {
		req, err := web.Page(c)
		if err != nil {
			return page.List[Campaign]{}, err
		}
		f, err := ParseCampaignFilter(c.QueryParams())
		if err != nil {
			return page.List[Campaign]{}, err
		}
		return h.Svc.ListCampaigns(c.Request().Context(), a, f, req)
	})
}

func (h *Handler) CreateCampaign(c echo.Context) error {
	return web.RespondTo(c, http.StatusCreated, func(a actor.Actor, in NewCampaign) (*Campaign, error) {
		return h.Svc.CreateCampaign(c.Request().Context(), a, in)
	})
}

func (h *Handler) GetCampaign(c echo.Context) error {
	return web.Respond(c, http.StatusOK, func(a actor.Actor) (*Campaign, error) {
		return h.Svc.GetCampaign(c.Request().Context(), a, c.Param("id"))
	})
}

func (h *Handler) UpdateCampaign(c echo.Context) error {
	return web.RespondToIfMatch(c, http.StatusOK, func(a actor.Actor, in CampaignChange, v *int64) (*Campaign, error) {
		return h.Svc.UpdateCampaign(c.Request().Context(), a, c.Param("id"), in, v)
	})
}

func (h *Handler) DeleteCampaign(c echo.Context) error {
	return web.DoneIfMatch(c, func(a actor.Actor, v *int64) error {
		return h.Svc.DeleteCampaign(c.Request().Context(), a, c.Param("id"), v)
	})
}

func (h *Handler) Plans(c echo.Context) error {
	return web.Respond(c, http.StatusOK, func(a actor.Actor) (PlanVersions, error) {
		return h.Svc.Plans(c.Request().Context(), a, c.Param("id"))
	})
}

func (h *Handler) AddPlan(c echo.Context) error {
	return web.RespondTo(c, http.StatusCreated, func(a actor.Actor, in NewPlanVersion) (*PlanVersion, error) {
		return h.Svc.AddPlan(c.Request().Context(), a, c.Param("id"), in)
	})
}

func (h *Handler) Report(c echo.Context) error {
	return web.Respond(c, http.StatusOK, func(a actor.Actor) (*Report, error) {
		return h.Svc.Report(c.Request().Context(), a, c.Param("id"))
	})
}

// --- enrolments ---

func (h *Handler) Enrolments(c echo.Context) error {
	return web.Respond(c, http.StatusOK, func(a actor.Actor) (page.List[Enrolment], error) {
		req, err := web.Page(c)
		if err != nil {
			return page.List[Enrolment]{}, err
		}
		return h.Svc.Enrolments(c.Request().Context(), a, c.Param("id"), req)
	})
}

func (h *Handler) Enrol(c echo.Context) error {
	return web.RespondTo(c, http.StatusCreated, func(a actor.Actor, in NewEnrolment) (*Enrolment, error) {
		return h.Svc.Enrol(c.Request().Context(), a, c.Param("id"), in)
	})
}

func (h *Handler) GetEnrolment(c echo.Context) error {
	return web.Respond(c, http.StatusOK, func(a actor.Actor) (*Enrolment, error) {
		return h.Svc.GetEnrolment(c.Request().Context(), a, c.Param("id"))
	})
}

func (h *Handler) UpdateEnrolment(c echo.Context) error {
	return web.RespondToIfMatch(c, http.StatusOK, func(a actor.Actor, in EnrolmentChange, v *int64) (*Enrolment, error) {
		return h.Svc.UpdateEnrolment(c.Request().Context(), a, c.Param("id"), in, v)
	})
}

// --- deliverables ---

func (h *Handler) Deliverables(c echo.Context) error {
	return web.Respond(c, http.StatusOK, func(a actor.Actor) (page.List[Deliverable], error) {
		req, err := web.Page(c)
		if err != nil {
			return page.List[Deliverable]{}, err
		}
		return h.Svc.Deliverables(c.Request().Context(), a, c.Param("id"), req)
	})
}

func (h *Handler) AddDeliverable(c echo.Context) error {
	return web.RespondTo(c, http.StatusCreated, func(a actor.Actor, in NewDeliverable) (*Deliverable, error) {
		return h.Svc.AddDeliverable(c.Request().Context(), a, c.Param("id"), in)
	})
}

func (h *Handler) UpdateDeliverable(c echo.Context) error {
	return web.RespondToIfMatch(c, http.StatusOK, func(a actor.Actor, in DeliverableChange, v *int64) (*Deliverable, error) {
		return h.Svc.UpdateDeliverable(c.Request().Context(), a, c.Param("id"), in, v)
	})
}

// --- samples ---

func (h *Handler) Samples(c echo.Context) error {
	return web.Respond(c, http.StatusOK, func(a actor.Actor) (page.List[Sample], error) {
		req, err := web.Page(c)
		if err != nil {
			return page.List[Sample]{}, err
		}
		return h.Svc.Samples(c.Request().Context(), a, c.Param("id"), req)
	})
}

func (h *Handler) AddSample(c echo.Context) error {
	return web.RespondTo(c, http.StatusCreated, func(a actor.Actor, in NewSample) (*Sample, error) {
		return h.Svc.AddSample(c.Request().Context(), a, c.Param("id"), in)
	})
}

func (h *Handler) UpdateSample(c echo.Context) error {
	return web.RespondToIfMatch(c, http.StatusOK, func(a actor.Actor, in SampleChange, v *int64) (*Sample, error) {
		return h.Svc.UpdateSample(c.Request().Context(), a, c.Param("id"), in, v)
	})
}
