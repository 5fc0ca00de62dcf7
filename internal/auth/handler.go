package auth

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/caravan-crm/caravan/internal/actor"
	"github.com/caravan-crm/caravan/internal/apperr"
	"github.com/caravan-crm/caravan/internal/page"
	"github.com/caravan-crm/caravan/internal/web"
)

// RefreshCookie is the name of the HttpOnly cookie holding the refresh token.
const RefreshCookie = "caravan_refresh"

const refreshCookiePath = "/api/v1/auth"

// Handler serves the authentication routes.
type Handler struct {
	Svc *Service
	// SecureCookie marks the refresh cookie Secure (the public URL is https).
	SecureCookie bool
}

// SetupRequest creates the first organization and its owner.
type SetupRequest struct {
	OrgName      string `json:"org_name"`
	BaseCurrency string `json:"base_currency"`
	Timezone     string `json:"timezone"`
	Name         string `json:"name"`
	Email        string `json:"email"`
	Password     string `json:"password"`
}

// SetupStatus says whether the first-run setup is still open.
type SetupStatus struct {
	SetupRequired bool `json:"setup_required"`
}

// SetupResponse is the answer to a successful setup.
type SetupResponse struct {
	Org         *Org   `json:"org"`
	User        *User  `json:"user"`
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type"`
	ExpiresIn   int    `json:"expires_in"`
}

// LoginRequest signs in with e-mail and password. OrgID is needed only after a 409
// choose_organization: the e-mail and password open users in several organizations, listed as
// [{org_id, org_name}] in the error's details.
type LoginRequest struct {
	Email    string `json:"email"`
	Password string `json:"password"`
	OrgID    string `json:"org_id,omitempty"`
}

// TokenResponse carries a new access token.
type TokenResponse struct {
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type"`
	ExpiresIn   int    `json:"expires_in"`
	User        *User  `json:"user"`
}

// MeResponse is the caller, their organization, and what their role lets them do (Capabilities: see
// the capabilities map), so the UI never keeps its own copy of the role sets.
type MeResponse struct {
	User         *User    `json:"user"`
	Org          *Org     `json:"org"`
	Role         string   `json:"role"`
	Capabilities []string `json:"capabilities"`
}

// PasswordRequest changes the caller's password.
type PasswordRequest struct {
	CurrentPassword string `json:"current_password"`
	NewPassword     string `json:"new_password"`
}

// CreateUserRequest adds a user.
type CreateUserRequest struct {
	Email    string     `json:"email"`
	Name     string     `json:"name"`
	Role     actor.Role `json:"role"`
	Password string     `json:"password"`
}

// UpdateUserRequest changes a user; absent fields are left alone.
type UpdateUserRequest struct {
	Name   *string     `json:"name,omitempty"`
	Role   *actor.Role `json:"role,omitempty"`
	Status *string     `json:"status,omitempty"`
}

// CreateAPIKeyRequest makes an API key.
type CreateAPIKeyRequest struct {
	Name string     `json:"name"`
	Role actor.Role `json:"role,omitempty"`
}

// CreatedAPIKey is a new key, with the secret shown this once.
type CreatedAPIKey struct {
	APIKey
	Key string `json:"key"`
}

func (h *Handler) GetSetup(c echo.Context) error {
	need, err := h.Svc.SetupRequired(c.Request().Context())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, SetupStatus{SetupRequired: need})
}

func (h *Handler) Setup(c echo.Context) error {
	var req SetupRequest
	if err := web.Bind(c, &req); err != nil {
		return err
	}
	org, user, tok, err := h.Svc.Setup(c.Request().Context(), NewOrg(req), web.Client(c))
	if err != nil {
		return err
	}
	h.setRefresh(c, tok)
	return c.JSON(http.StatusCreated, SetupResponse{Org: org, User: user, AccessToken: tok.AccessToken, TokenType: "Bearer", ExpiresIn: tok.ExpiresIn})
}

func (h *Handler) Login(c echo.Context) error {
	var req LoginRequest
	if err := web.Bind(c, &req); err != nil {
		return err
	}
	user, tok, err := h.Svc.Login(c.Request().Context(), req.Email, req.Password, req.OrgID, web.Client(c))
	if err != nil {
		return err
	}
	h.setRefresh(c, tok)
	return c.JSON(http.StatusOK, TokenResponse{AccessToken: tok.AccessToken, TokenType: "Bearer", ExpiresIn: tok.ExpiresIn, User: user})
}

// csrfCheck guards the routes authenticated by the refresh cookie. Besides SameSite=Strict, they need a
// custom header, which a cross-site form or image cannot send and a cross-origin script cannot send
// without a CORS grant.
func csrfCheck(c echo.Context) error {
	if c.Request().Header.Get("X-Requested-With") == "" {
		return apperr.Forbidden("the X-Requested-With header is required on this route")
	}
	return nil
}

func (h *Handler) Refresh(c echo.Context) error {
	if err := csrfCheck(c); err != nil {
		return err
	}
	ck, err := c.Cookie(RefreshCookie)
	if err != nil {
		return apperr.Unauthorized("invalid_refresh_token", "no session; sign in")
	}
	user, tok, err := h.Svc.Refresh(c.Request().Context(), ck.Value, web.Client(c))
	if err != nil {
		// A lost race with another tab keeps the cookie: the browser already holds the rotated one.
		if ae, ok := apperr.As(err); ok && ae.Kind == apperr.KindUnauthorized && ae != errRefreshRace {
			h.clearRefresh(c)
		}
		return err
	}
	h.setRefresh(c, tok)
	return c.JSON(http.StatusOK, TokenResponse{AccessToken: tok.AccessToken, TokenType: "Bearer", ExpiresIn: tok.ExpiresIn, User: user})
}

func (h *Handler) Logout(c echo.Context) error {
	if err := csrfCheck(c); err != nil {
		return err
	}
	if ck, err := c.Cookie(RefreshCookie); err == nil {
		if err := h.Svc.Logout(c.Request().Context(), ck.Value, web.Client(c)); err != nil {
			return err
		}
	}
	h.clearRefresh(c)
	return c.NoContent(http.StatusNoContent)
}

func (h *Handler) Me(c echo.Context) error {
	return web.Respond(c, http.StatusOK, func(a actor.Actor) (MeResponse, error) {
		user, org, err := h.Svc.Me(c.Request().Context(), a)
		return MeResponse{User: user, Org: org, Role: string(a.Role), Capabilities: Capabilities(a.Role)}, err
	})
}

func (h *Handler) ChangePassword(c echo.Context) error {
	p, err := web.Actor(c)
	if err != nil {
		return err
	}
	var req PasswordRequest
	if err := web.Bind(c, &req); err != nil {
		return err
	}
	user, tok, err := h.Svc.ChangePassword(c.Request().Context(), p, req.CurrentPassword, req.NewPassword, web.Client(c))
	if err != nil {
		return err
	}
	h.setRefresh(c, tok)
	return c.JSON(http.StatusOK, TokenResponse{AccessToken: tok.AccessToken, TokenType: "Bearer", ExpiresIn: tok.ExpiresIn, User: user})
}

func (h *Handler) setRefresh(c echo.Context, tok Tokens) {
	c.SetCookie(&http.Cookie{
		Name: RefreshCookie, Value: tok.RefreshToken, Path: refreshCookiePath,
		Expires: tok.RefreshExpires, MaxAge: int(time.Until(tok.RefreshExpires).Seconds()),
		HttpOnly: true, Secure: h.SecureCookie, SameSite: http.SameSiteStrictMode,
	})
}

func (h *Handler) clearRefresh(c echo.Context) {
	c.SetCookie(&http.Cookie{
		Name: RefreshCookie, Value: "", Path: refreshCookiePath, MaxAge: -1,
		HttpOnly: true, Secure: h.SecureCookie, SameSite: http.SameSiteStrictMode,
	})
}

// --- users ---

func (h *Handler) ListUsers(c echo.Context) error {
	return web.Respond(c, http.StatusOK, func(a actor.Actor) (page.List[User], error) {
		req, err := web.Page(c)
		if err != nil {
			return page.List[User]{}, err
		}
		return h.Svc.ListUsers(c.Request().Context(), a, req)
	})
}

func (h *Handler) GetUser(c echo.Context) error {
	return web.Respond(c, http.StatusOK, func(a actor.Actor) (*User, error) {
		return h.Svc.GetUser(c.Request().Context(), a, c.Param("id"))
	})
}

func (h *Handler) CreateUser(c echo.Context) error {
	return web.RespondTo(c, http.StatusCreated, func(a actor.Actor, in CreateUserRequest) (*User, error) {
		return h.Svc.CreateUser(c.Request().Context(), a, NewUser(in))
	})
}

func (h *Handler) UpdateUser(c echo.Context) error {
	return web.RespondTo(c, http.StatusOK, func(a actor.Actor, in UpdateUserRequest) (*User, error) {
		return h.Svc.UpdateUser(c.Request().Context(), a, c.Param("id"), UserChange(in))
	})
}

// --- API keys ---

func (h *Handler) ListAPIKeys(c echo.Context) error {
	return web.Respond(c, http.StatusOK, func(a actor.Actor) (page.List[APIKey], error) {
		req, err := web.Page(c)
		if err != nil {
			return page.List[APIKey]{}, err
		}
		return h.Svc.ListAPIKeys(c.Request().Context(), a, req)
	})
}

func (h *Handler) CreateAPIKey(c echo.Context) error {
	return web.RespondTo(c, http.StatusCreated, func(a actor.Actor, in CreateAPIKeyRequest) (*CreatedAPIKey, error) {
		k, raw, err := h.Svc.CreateAPIKey(c.Request().Context(), a, in.Name, in.Role)
		if err != nil {
			return nil, err
		}
		return &CreatedAPIKey{APIKey: *k, Key: raw}, nil
	})
}

func (h *Handler) RevokeAPIKey(c echo.Context) error {
	return web.Done(c, func(a actor.Actor) error { return h.Svc.RevokeAPIKey(c.Request().Context(), a, c.Param("id")) })
}
