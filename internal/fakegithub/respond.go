package fakegithub

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// recorder keeps the status written, for Calls.
type recorder struct {
	http.ResponseWriter
	status int
}

func (r *recorder) WriteHeader(status int) {
	r.status = status
	r.ResponseWriter.WriteHeader(status)
}

func writeJSON(w http.ResponseWriter, status int, body any) {
	if body != nil {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
	}
	w.WriteHeader(status)
	if body != nil {
		_ = json.NewEncoder(w).Encode(body)
	}
}

func errorBody(msg string) map[string]any {
	return map[string]any{"message": msg, "documentation_url": docsURL}
}

func notFound() (int, any) { return http.StatusNotFound, errorBody("Not Found") }

func badJSON() (int, any) { return http.StatusBadRequest, errorBody("Problems parsing JSON") }

// invalid is GitHub's 422 for a body that parsed but does not validate.
func invalid(resource, field, message string) (int, any) {
	return http.StatusUnprocessableEntity, map[string]any{
		"message": "Validation Failed", "documentation_url": docsURL,
		"errors": []any{map[string]any{"resource": resource, "field": field, "code": "custom", "message": message}},
	}
}

func decode(r *http.Request, v any) bool { return json.NewDecoder(r.Body).Decode(v) == nil }

// perPage reads per_page as GitHub does: 30 by default, at most 100.
func perPage(r *http.Request) int {
	n, err := strconv.Atoi(r.URL.Query().Get("per_page"))
	if err != nil || n < 1 {
		return 30
	}
	return min(n, 100)
}

// list renders the page of items that per_page and page ask for, and sets
// GitHub's Link header when there is more than one page.
func list[T any](w http.ResponseWriter, r *http.Request, items []T, render func(T) map[string]any) []any {
	size := perPage(r)
	page, err := strconv.Atoi(r.URL.Query().Get("page"))
	if err != nil || page < 1 {
		page = 1
	}
	last := max(1, (len(items)+size-1)/size)
	var links []string
	link := func(p int, rel string) {
		q := r.URL.Query()
		q.Set("page", strconv.Itoa(p))
		q.Set("per_page", strconv.Itoa(size))
		links = append(links, fmt.Sprintf(`<%s>; rel="%s"`, absURL(r, q), rel))
	}
	if page > 1 {
		link(min(page-1, last), "prev")
		link(1, "first")
	}
	if page < last {
		link(page+1, "next")
		link(last, "last")
	}
	if links != nil {
		w.Header().Set("Link", strings.Join(links, ", "))
	}
	out := []any{}
	lo := min((page-1)*size, len(items))
	for _, it := range items[lo:min(lo+size, len(items))] {
		out = append(out, render(it))
	}
	return out
}

func absURL(r *http.Request, q url.Values) string {
	return (&url.URL{Scheme: "http", Host: r.Host, Path: r.URL.Path, RawQuery: q.Encode()}).String()
}

func ts(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC().Format(time.RFC3339)
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}
