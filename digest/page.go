package digest

import (
	"net/http"
	"strings"
)

// PageHandler serves GET /digest: this week's digest (so far) as an HTML
// page, or another week's with ?week=2026-W47.
func (s *Service) PageHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		week := s.ThisWeek()
		if q := strings.TrimSpace(r.URL.Query().Get("week")); q != "" {
			var err error
			if week, err = ParseWeek(q); err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
		}
		d, err := s.Digest(r.Context(), week)
		if err != nil {
			s.log.Error("building the digest page", "week", week.String(), "err", err)
			http.Error(w, "the digest could not be built; the server log has the details", http.StatusInternalServerError)
			return
		}
		d.URL = "" // the page is the browser view
		page, err := HTML(d)
		if err != nil {
			s.log.Error("rendering the digest page", "week", week.String(), "err", err)
			http.Error(w, "the digest could not be rendered; the server log has the details", http.StatusInternalServerError)
			return
		}
		h := w.Header()
		h.Set("Content-Type", "text/html; charset=utf-8")
		h.Set("Cache-Control", "no-store")
		// The page loads nothing: its CSS is inline.
		h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
		h.Set("X-Content-Type-Options", "nosniff")
		w.WriteHeader(http.StatusOK)
		if r.Method != http.MethodHead {
			_, _ = w.Write([]byte(page))
		}
	})
}
