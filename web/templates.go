package web

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"html/template"
	"net/http"
	"strings"

	"github.com/callboard/callboard/internal/humanize"
	"github.com/gorilla/mux"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed assets/style.css
var styleCSS []byte

//go:embed assets/favicon.svg
var faviconSVG []byte

// cssURL names the stylesheet by its content, so browsers may keep it
// forever and still see a new one at once.
var cssURL = func() string {
	sum := sha256.Sum256(styleCSS)
	return "/assets/style." + hex.EncodeToString(sum[:6]) + ".css"
}()

var funcs = template.FuncMap{
	"num":        humanize.Int,
	"plural":     humanize.Plural,
	"pct":        pct,
	"lower":      lower,
	"statusText": statusLabel,
	"kindPlural": kindPlural,
	"refPath":    refPath,
	"refName":    refName,
	"refKindOf":  refKind,
	"join":       strings.Join,
	"add":        func(a, b int) int { return a + b },
	"sub":        func(a, b int) int { return a - b },
	"mailto":     func(addr string) template.URL { return template.URL("mailto:" + addr) },
	"meterOf":    meterOf,
}

// pages are the page templates, each parsed with the layout.
var pages = func() map[string]*template.Template {
	out := map[string]*template.Template{}
	for _, name := range []string{"home", "entity", "team", "repositories", "digest", "signin", "signout", "error"} {
		out[name] = template.Must(template.New(name).Funcs(funcs).ParseFS(templateFS, "templates/layout.html", "templates/"+name+".html"))
	}
	return out
}()

// assetHandler serves the stylesheet and the icon.
func assetHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var body []byte
		h := w.Header()
		switch f := mux.Vars(r)["file"]; {
		case "/assets/"+f == cssURL:
			body = styleCSS
			h.Set("Content-Type", "text/css; charset=utf-8")
			h.Set("Cache-Control", "public, max-age=31536000, immutable")
		case f == "style.css":
			body = styleCSS
			h.Set("Content-Type", "text/css; charset=utf-8")
			h.Set("Cache-Control", "no-cache")
		case f == "favicon.svg":
			body = faviconSVG
			h.Set("Content-Type", "image/svg+xml")
			h.Set("Cache-Control", "public, max-age=86400")
		default:
			http.NotFound(w, r)
			return
		}
		h.Set("X-Content-Type-Options", "nosniff")
		if r.Method == http.MethodHead {
			return
		}
		_, _ = w.Write(body)
	})
}

type meter struct {
	Part, Whole, Width int
	Pct                string
}

func meterOf(part, whole int) meter {
	m := meter{Part: part, Whole: whole, Pct: pct(part, whole)}
	if whole > 0 {
		m.Width = min(100, max(0, part*100/whole))
	}
	return m
}
