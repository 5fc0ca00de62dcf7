package tracking_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"golang.org/x/time/rate"

	"github.com/caravan-crm/caravan/internal/store/storetest"
)

// BenchmarkRedirect measures GET /r/{code} through the whole router on SQLite holding 2,000 links:
// the link lookup, the account's platform, the URL and the click put in the buffer (the flusher
// writes in the background, as in production).
func BenchmarkRedirect(b *testing.B) {
	w := newWorld(b, storetest.SQLite(b))
	w.svc.SetRedirectLimit(rate.Inf, 0)
	var code string
	for i := range 2000 {
		acct := &w.tiktok
		if i%2 == 0 {
			acct = nil
		}
		code = w.link(b, fmt.Sprintf("https://shop.example/p/%d?a=1&a=2#f", i), acct).Code
	}
	for i := 0; b.Loop(); i++ {
		req := httptest.NewRequest(http.MethodGet, "/r/"+code, nil)
		req.Header.Set("User-Agent", fmt.Sprintf("Mozilla/5.0 bench %d", i))
		rec := httptest.NewRecorder()
		w.e.Server.Echo.ServeHTTP(rec, req)
		if rec.Code != http.StatusFound {
			b.Fatalf("status %d", rec.Code)
		}
	}
}
