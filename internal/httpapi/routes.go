package httpapi

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/caravan-crm/caravan/internal/actor"
	"github.com/caravan-crm/caravan/internal/audit"
	"github.com/caravan-crm/caravan/internal/auth"
	"github.com/caravan-crm/caravan/internal/page"
	"github.com/caravan-crm/caravan/internal/web"
)

// route is one line of the route table: who may call it, and what it takes and answers (for the
// OpenAPI document).
type route struct {
	Method  string
	Path    string // echo syntax: /api/v1/users/:id
	Handler echo.HandlerFunc
	Roles   []actor.Role // nil: public
	Tag     string
	Summary string
	Body    any   // request body type, nil if none
	Resp    any   // success answer type, nil for 204
	Status  int   // success status
	MaxBody int64 // body limit in bytes when larger than the default
	Query   []param
}

type param struct {
	Name, Description string
}

var (
	public   []actor.Role
	everyone = actor.Roles
	admins   = []actor.Role{actor.RoleOwner, actor.RoleAdmin}
	auditors = []actor.Role{actor.RoleOwner, actor.RoleAdmin, actor.RoleFinance}
)

var pageParams = []param{{"limit", "page size, 1 to 500 (default 50)"}, {"cursor", "next_cursor of the previous page"}}

// table is every route Caravan serves. One line each: read this to know the whole surface.
func (s *Server) table() []route {
	a := &auth.Handler{Svc: s.deps.Auth, SecureCookie: s.secureCookies()}
	return []route{
		{Method: http.MethodGet, Path: "/healthz", Handler: s.healthz, Roles: public, Tag: "system", Summary: "The process is alive", Resp: Health{}, Status: 200},
		{Method: http.MethodGet, Path: "/readyz", Handler: s.readyz, Roles: public, Tag: "system", Summary: "The database answers", Resp: Health{}, Status: 200},
		{Method: http.MethodGet, Path: "/api/openapi.json", Handler: s.openAPI, Roles: public, Tag: "system", Summary: "This API's OpenAPI 3.1 document", Resp: map[string]any{}, Status: 200},

		{Method: http.MethodGet, Path: "/api/v1/setup", Handler: a.GetSetup, Roles: public, Tag: "auth", Summary: "Whether the first-run setup is open", Resp: auth.SetupStatus{}, Status: 200},
		{Method: http.MethodPost, Path: "/api/v1/setup", Handler: a.Setup, Roles: public, Tag: "auth", Summary: "Create the first organization and its owner (only while no user exists)", Body: auth.SetupRequest{}, Resp: auth.SetupResponse{}, Status: 201},
		{Method: http.MethodPost, Path: "/api/v1/auth/login", Handler: a.Login, Roles: public, Tag: "auth", Summary: "Sign in; sets the refresh cookie", Body: auth.LoginRequest{}, Resp: auth.TokenResponse{}, Status: 200},
		{Method: http.MethodPost, Path: "/api/v1/auth/refresh", Handler: a.Refresh, Roles: public, Tag: "auth", Summary: "Exchange the refresh cookie for a new access token (rotates the cookie)", Resp: auth.TokenResponse{}, Status: 200},
		{Method: http.MethodPost, Path: "/api/v1/auth/logout", Handler: a.Logout, Roles: public, Tag: "auth", Summary: "End the session of the refresh cookie", Status: 204},
		{Method: http.MethodGet, Path: "/api/v1/me", Handler: a.Me, Roles: everyone, Tag: "auth", Summary: "The caller and their organization", Resp: auth.MeResponse{}, Status: 200},
		{Method: http.MethodPost, Path: "/api/v1/me/password", Handler: a.ChangePassword, Roles: everyone, Tag: "auth", Summary: "Change the caller's password; ends every other session", Body: auth.PasswordRequest{}, Resp: auth.TokenResponse{}, Status: 200},

		{Method: http.MethodGet, Path: "/api/v1/users", Handler: a.ListUsers, Roles: admins, Tag: "users", Summary: "List the organization's users", Resp: page.List[auth.User]{}, Status: 200, Query: pageParams},
		{Method: http.MethodPost, Path: "/api/v1/users", Handler: a.CreateUser, Roles: admins, Tag: "users", Summary: "Add a user", Body: auth.CreateUserRequest{}, Resp: auth.User{}, Status: 201},
		{Method: http.MethodGet, Path: "/api/v1/users/:id", Handler: a.GetUser, Roles: admins, Tag: "users", Summary: "One user", Resp: auth.User{}, Status: 200},
		{Method: http.MethodPatch, Path: "/api/v1/users/:id", Handler: a.UpdateUser, Roles: admins, Tag: "users", Summary: "Rename, change the role of, or disable a user", Body: auth.UpdateUserRequest{}, Resp: auth.User{}, Status: 200},

		{Method: http.MethodGet, Path: "/api/v1/api-keys", Handler: a.ListAPIKeys, Roles: admins, Tag: "api-keys", Summary: "List the API keys in use", Resp: page.List[auth.APIKey]{}, Status: 200, Query: pageParams},
		{Method: http.MethodPost, Path: "/api/v1/api-keys", Handler: a.CreateAPIKey, Roles: admins, Tag: "api-keys", Summary: "Create an API key (the key is shown once)", Body: auth.CreateAPIKeyRequest{}, Resp: auth.CreatedAPIKey{}, Status: 201},
		{Method: http.MethodDelete, Path: "/api/v1/api-keys/:id", Handler: a.RevokeAPIKey, Roles: admins, Tag: "api-keys", Summary: "Revoke an API key", Status: 204},

		{Method: http.MethodGet, Path: "/api/v1/audit-log", Handler: s.auditLog, Roles: auditors, Tag: "audit", Summary: "The organization's audit log, newest first", Resp: page.List[audit.Entry]{}, Status: 200,
			Query: append([]param{{"action", "only this action, e.g. user.login"}, {"target_id", "only entries about this object"}}, pageParams...)},
	}
}

func (s *Server) secureCookies() bool {
	return len(s.deps.Config.PublicURL) > 8 && s.deps.Config.PublicURL[:8] == "https://"
}

func (s *Server) auditLog(c echo.Context) error {
	a, err := web.Actor(c)
	if err != nil {
		return err
	}
	req, err := web.Page(c)
	if err != nil {
		return err
	}
	l, err := audit.List(c.Request().Context(), s.deps.DB, a.OrgID, audit.Filter{Action: c.QueryParam("action"), TargetID: c.QueryParam("target_id")}, req)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, l)
}
