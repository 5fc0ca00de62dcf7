package httpapi

import (
	"io/fs"
	"net/http"
	"path"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/caravan-crm/caravan/frontend"
)

// registerUI serves the embedded single-page app: files from frontend/dist, hashed assets cached for
// a year, and index.html for every other GET path so deep links work. Paths are resolved inside the
// embedded file system only, so no request can reach a file outside it.
func (s *Server) registerUI() {
	dist := frontend.Dist()
	index, err := fs.ReadFile(dist, "index.html")
	if err != nil {
		// Built without Node: the committed placeholder explains how to build the UI.
		index, _ = fs.ReadFile(dist, "placeholder.html")
	}
	serve := func(c echo.Context) error {
		p := c.Request().URL.Path
		if strings.HasPrefix(p, "/api/") || p == "/api" || strings.HasPrefix(p, "/webhooks/") {
			return echo.ErrNotFound
		}
		name := strings.TrimPrefix(path.Clean("/"+p), "/")
		if name != "" && name != "index.html" && fs.ValidPath(name) {
			if st, err := fs.Stat(dist, name); err == nil && !st.IsDir() {
				if strings.HasPrefix(name, "assets/") {
					c.Response().Header().Set("Cache-Control", "public, max-age=31536000, immutable")
				}
				http.ServeFileFS(c.Response(), c.Request(), dist, name)
				return nil
			}
			// A missing file (it has an extension, or lives under assets/) is a 404, not the app.
			if strings.HasPrefix(name, "assets/") || strings.HasPrefix(p, "/assets/") || path.Ext(name) != "" {
				return echo.ErrNotFound
			}
		}
		c.Response().Header().Set("Cache-Control", "no-cache")
		return c.HTMLBlob(http.StatusOK, index)
	}
	s.Echo.GET("/*", serve)
	s.Echo.HEAD("/*", serve)
}
