package httpapi

import (
	"errors"
	"log/slog"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/caravan-crm/caravan/internal/apperr"
)

// ErrorBody is the contract's error shape.
type ErrorBody struct {
	Error ErrorDetail `json:"error"`
}

// ErrorDetail is the inside of ErrorBody.
type ErrorDetail struct {
	Code       string            `json:"code"`
	Message    string            `json:"message"`
	Fields     map[string]string `json:"fields,omitempty"`
	FieldCodes map[string]string `json:"field_codes,omitempty"`
	Params     map[string]any    `json:"params,omitempty"`
	Details    any               `json:"details,omitempty"`
	RequestID  string            `json:"request_id"`
}

var kindStatus = map[apperr.Kind]int{
	apperr.KindBadRequest:   http.StatusBadRequest,
	apperr.KindUnauthorized: http.StatusUnauthorized,
	apperr.KindForbidden:    http.StatusForbidden,
	apperr.KindNotFound:     http.StatusNotFound,
	apperr.KindConflict:     http.StatusConflict,
	apperr.KindTooLarge:     http.StatusRequestEntityTooLarge,
	apperr.KindUnsupported:  http.StatusUnsupportedMediaType,
	apperr.KindValidation:   http.StatusUnprocessableEntity,
	apperr.KindPrecondition: http.StatusPreconditionFailed,
	apperr.KindRateLimited:  http.StatusTooManyRequests,
	apperr.KindUnavailable:  http.StatusServiceUnavailable,
}

// echo's own errors (no route, wrong method, body limit) get stable codes too.
var statusCode = map[int]string{
	http.StatusBadRequest:            "bad_request",
	http.StatusUnauthorized:          "unauthenticated",
	http.StatusForbidden:             "forbidden",
	http.StatusNotFound:              "not_found",
	http.StatusMethodNotAllowed:      "method_not_allowed",
	http.StatusRequestEntityTooLarge: "body_too_large",
	http.StatusUnsupportedMediaType:  "unsupported_media_type",
	http.StatusTooManyRequests:       "rate_limited",
	http.StatusServiceUnavailable:    "unavailable",
}

// errorHandler writes every error in the contract's shape. Causes stay in the log: a client sees a
// stable code and a sentence, never a stack or a driver message.
func errorHandler(log *slog.Logger) echo.HTTPErrorHandler {
	return func(err error, c echo.Context) {
		if c.Response().Committed {
			return
		}
		rid := c.Response().Header().Get(echo.HeaderXRequestID)
		body := ErrorDetail{RequestID: rid}
		status := http.StatusInternalServerError

		var ae *apperr.Error
		var he *echo.HTTPError
		switch {
		case errors.As(err, &ae) && ae.Kind != apperr.KindInternal:
			status = kindStatus[ae.Kind]
			pub := apperr.PublicOf(ae)
			body.Code, body.Message, body.Fields = pub.Code, pub.Message, pub.Fields
			body.FieldCodes, body.Params, body.Details = pub.FieldCodes, pub.Params, ae.Details
			if ae.RetryAfter > 0 {
				secs := int(ae.RetryAfter.Seconds() + 0.999)
				c.Response().Header().Set("Retry-After", strconv.Itoa(max(secs, 1)))
			}
			if ae.Kind == apperr.KindUnavailable {
				log.Warn("unavailable", "request_id", rid, "err", err)
			}
		case errors.As(err, &he) && he.Code < 500:
			status = he.Code
			if status == http.StatusMethodNotAllowed && c.Path() == "/*" {
				// Only the web UI's catch-all matched: there is no such route at all.
				status = http.StatusNotFound
			}
			body.Code = statusCode[status]
			if body.Code == "" {
				body.Code = "bad_request"
			}
			body.Message = http.StatusText(status)
			if m, ok := he.Message.(string); ok && status != http.StatusNotFound {
				body.Message = m
			}
		default:
			body.Code, body.Message = "internal", "an internal error occurred; quote the request id when reporting it"
			log.Error("request failed", "request_id", rid, "method", c.Request().Method, "path", c.Request().URL.Path, "err", err)
		}
		if c.Request().Method == http.MethodHead {
			err = c.NoContent(status)
		} else {
			err = c.JSON(status, ErrorBody{Error: body})
		}
		if err != nil {
			log.Error("write error response", "request_id", rid, "err", err)
		}
	}
}
