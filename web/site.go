package web

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/callboard/callboard/catalog"
	"github.com/callboard/callboard/digest"
	"github.com/gorilla/mux"
)

// Mode is how people sign in to the web view (CALLBOARD_WEB_AUTH).
type Mode string

// The modes of CALLBOARD_WEB_AUTH.
const (
	ModeGitHub Mode = "github" // Sign in with GitHub: members of the App's organisations
	ModeToken  Mode = "token"  // CALLBOARD_API_TOKEN, exchanged for a session
	ModeNone   Mode = "none"   // everyone: the demo and loopback addresses only
)

// ParseMode reads CALLBOARD_WEB_AUTH.
func ParseMode(s string) (Mode, error) {
	switch m := Mode(strings.ToLower(strings.TrimSpace(s))); m {
	case ModeGitHub, ModeToken, ModeNone:
		return m, nil
	}
	return "", fmt.Errorf("CALLBOARD_WEB_AUTH %q: want github, token or none", s)
}

// Store is what the pages read: the catalog store's own methods.
type Store interface {
	catalog.OwnerReader
	Entity(ctx context.Context, ref catalog.Ref) (*catalog.Entity, error)
	Search(ctx context.Context, text string, limit int) ([]*catalog.Entity, error)
	Query(ctx context.Context, q catalog.Query) (catalog.Page, error)
	KindCounts(ctx context.Context) (map[string]int, error)
	EntitiesOfKind(ctx context.Context, kind string, limit int) ([]*catalog.Entity, int, error)
	DeclaredLine(ctx context.Context, ref catalog.Ref) (int, error)
	Coverage(ctx context.Context) (catalog.Coverage, error)
	RepositoryList(ctx context.Context, q catalog.RepoListQuery) (catalog.RepoListPage, error)
	LatestUsage(ctx context.Context, plugin, entity string) (*catalog.UsageEvent, error)
	UsageOfEntities(ctx context.Context, entities []string, bounds []time.Time) (map[string][]int, error)
	UsageTotals(ctx context.Context, from, to time.Time) (events, people int, err error)
	UsageCounts(ctx context.Context, from, to time.Time) (map[string]int, error)
	OwnedCounts(ctx context.Context) (map[string]int, error)
	WebKey(ctx context.Context, name string) ([]byte, error)
	catalog.UsageRecorder
}

// Proposal is an open pull request proposing a catalog file for one of a
// team's repositories.
type Proposal struct {
	Repository string // org/repo
	Title      string
	URL        string
	Opened     time.Time
}

// Onboarding lists a team's open onboarding proposals (ONBOARDING, issue
// 17): cmd/callboard gives the onboarding store's; NoOnboarding answers
// that there are none.
type Onboarding interface {
	OpenProposals(ctx context.Context, team catalog.Ref) ([]Proposal, error)
}

// NoOnboarding is the Onboarding of a callboard that proposes nothing.
type NoOnboarding struct{}

// OpenProposals returns none.
func (NoOnboarding) OpenProposals(context.Context, catalog.Ref) ([]Proposal, error) { return nil, nil }

// Config is what a Site needs. Store and Digest are required.
type Config struct {
	Store    Store
	Digest   *digest.Service
	Coverage *CoverageCache // default: one over Store, refreshed every 30 s

	Mode    Mode
	BaseURL string // CALLBOARD_BASE_URL: links, the OAuth callback, Secure cookies on https

	// ModeGitHub: the App's OAuth credentials, GitHub's web host (GITHUB_URL)
	// and its API (GITHUB_API_URL, with its trailing slash).
	ClientID, ClientSecret  string
	GitHubURL, GitHubAPIURL string
	HTTPClient              *http.Client // for GitHub; 10 s timeout by default

	// ModeToken: CALLBOARD_API_TOKEN.
	APIToken string

	Onboarding Onboarding // default NoOnboarding
	Now        func() time.Time
	Logger     *slog.Logger
}

// Site serves the web view.
type Site struct {
	cfg     Config
	log     *slog.Logger
	signer  signer
	cookies cookies
	// notReady says why sign-in cannot work (ModeGitHub without the App's
	// OAuth credentials); pages then explain what to set.
	notReady string
	cov      *CoverageCache
	ownCov   bool
	usage    *usageLog
	csrf     *http.CrossOriginProtection
	digests  *digestCache
}

// New checks the configuration and returns a Site. Close stops its workers.
func New(ctx context.Context, cfg Config) (*Site, error) {
	if cfg.Store == nil || cfg.Digest == nil {
		return nil, errors.New("web: Store and Digest are required")
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	cfg.Onboarding = cmp.Or[Onboarding](cfg.Onboarding, NoOnboarding{})
	cfg.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	cfg.GitHubURL = strings.TrimRight(cmp.Or(cfg.GitHubURL, "https://github.com"), "/")
	cfg.GitHubAPIURL = cmp.Or(cfg.GitHubAPIURL, "https://api.github.com/")
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: 10 * time.Second}
	}
	s := &Site{cfg: cfg, log: cmp.Or(cfg.Logger, slog.Default()), csrf: http.NewCrossOriginProtection()}
	base, err := url.Parse(cfg.BaseURL)
	if err != nil || (base.Scheme != "http" && base.Scheme != "https") || base.Host == "" {
		return nil, fmt.Errorf("web: base URL %q is not an http(s) URL", cfg.BaseURL)
	}
	s.cookies.secure = base.Scheme == "https"
	if err := s.setUpSignIn(ctx); err != nil {
		return nil, err
	}
	s.cov = cfg.Coverage
	if s.cov == nil {
		s.cov, s.ownCov = NewCoverageCache(cfg.Store, 30*time.Second, s.log), true
	}
	s.usage = newUsageLog(cfg.Store, s.log)
	s.digests = newDigestCache(cfg.Digest, s.log)
	return s, nil
}

// setUpSignIn checks what the sign-in mode needs and makes the session
// signer, keyed by the database's key and the mode's secret. Missing OAuth
// credentials leave the site up, saying why no one can sign in.
func (s *Site) setUpSignIn(ctx context.Context) error {
	cfg := s.cfg
	var secret string
	switch cfg.Mode {
	case ModeGitHub:
		secret = cfg.ClientSecret
		if cfg.ClientID == "" || cfg.ClientSecret == "" {
			s.notReady = "Sign in with GitHub needs the GitHub App's OAuth credentials: set GITHUB_CLIENT_ID and GITHUB_CLIENT_SECRET (the App's settings page has them), or CALLBOARD_WEB_AUTH=token to sign in with CALLBOARD_API_TOKEN."
		}
	case ModeToken:
		secret = cfg.APIToken
		if cfg.APIToken == "" {
			return errors.New("web: CALLBOARD_WEB_AUTH=token needs CALLBOARD_API_TOKEN")
		}
	case ModeNone:
		return nil
	default:
		return fmt.Errorf("web: unknown sign-in mode %q", cfg.Mode)
	}
	key, err := cfg.Store.WebKey(ctx, "session")
	if err != nil {
		return err
	}
	s.signer = newSigner(key, cfg.Mode, secret)
	return nil
}

// Close stops the site's workers, recording the usage events still held.
func (s *Site) Close(ctx context.Context) {
	s.digests.close()
	s.usage.close(ctx)
	if s.ownCov {
		s.cov.Close()
	}
}

// Register mounts the pages, the sign-in routes and the assets on r.
func (s *Site) Register(r *mux.Router) {
	get := []string{http.MethodGet, http.MethodHead}
	r.Handle("/", s.page(s.home)).Methods(get...)
	r.Handle("/catalog/{kind}/{namespace}/{name}", s.page(s.entity)).Methods(get...)
	r.Handle("/teams/{name}", s.page(s.team)).Methods(get...)
	r.Handle("/repositories", s.page(s.repositories)).Methods(get...)
	r.Handle("/digest", s.page(s.digest)).Methods(get...)
	r.Handle("/auth/github/login", s.plain(s.githubLogin)).Methods(get...)
	r.Handle("/auth/github/callback", s.plain(s.githubCallback)).Methods(get...)
	r.Handle("/auth/token", s.plain(s.tokenForm)).Methods(get...)
	r.Handle("/auth/token", s.csrf.Handler(s.plain(s.tokenSignIn))).Methods(http.MethodPost)
	r.Handle("/auth/logout", s.plain(s.logoutForm)).Methods(get...)
	r.Handle("/auth/logout", s.csrf.Handler(s.plain(s.logout))).Methods(http.MethodPost)
	r.Handle("/assets/{file}", assetHandler()).Methods(get...)
}

// A pageFunc renders one page for a signed-in person (or anyone, in ModeNone).
type pageFunc func(w http.ResponseWriter, r *http.Request, sess *Session) error

// httpError is an error a page answers with its own status and message.
type httpError struct {
	status int
	title  string
	msg    string
	view   any // extra data for the error page (suggestions)
}

func (e *httpError) Error() string { return e.msg }

func notFoundPage(title, msg string, suggestions []link) *httpError {
	return &httpError{status: http.StatusNotFound, title: title, msg: msg, view: suggestions}
}

// page wraps a page: it signs people in first, times the render for the
// Server-Timing header, and turns errors into pages.
func (s *Site) page(f pageFunc) http.Handler {
	return s.plain(func(w http.ResponseWriter, r *http.Request, _ *Session) error {
		if s.notReady != "" {
			return &httpError{status: http.StatusServiceUnavailable, title: "Sign-in is not set up", msg: s.notReady}
		}
		sess := s.session(r)
		if sess == nil {
			return s.toSignIn(w, r)
		}
		return f(w, r, sess)
	})
}

// plain wraps a handler that needs no session (the sign-in routes).
func (s *Site) plain(f pageFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		tw := &timingWriter{ResponseWriter: w, start: start}
		setSecurityHeaders(tw.Header())
		err := f(tw, r, nil)
		if err == nil {
			return
		}
		var he *httpError
		if !errors.As(err, &he) {
			if r.Context().Err() != nil {
				return // the client went away
			}
			s.log.Error("rendering a page", "path", r.URL.Path, "err", err)
			he = &httpError{status: http.StatusInternalServerError, title: "Something went wrong",
				msg: "This page could not be shown. The server log has the details."}
		}
		s.errorPage(tw, r, he)
	})
}

// timingWriter adds the server time spent so far as a Server-Timing header
// when the page writes its header.
type timingWriter struct {
	http.ResponseWriter
	start time.Time
	wrote bool
}

func (w *timingWriter) WriteHeader(code int) {
	if !w.wrote {
		w.wrote = true
		d := time.Since(w.start)
		w.Header().Set("Server-Timing", "render;dur="+strconv.FormatFloat(float64(d.Microseconds())/1000, 'f', 2, 64))
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *timingWriter) Write(b []byte) (int, error) {
	if !w.wrote {
		w.WriteHeader(http.StatusOK)
	}
	return w.ResponseWriter.Write(b)
}

func setSecurityHeaders(h http.Header) {
	// Nothing runs on these pages: no script, no inline style, nothing from elsewhere.
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("X-Frame-Options", "DENY")
}

// render writes a page's template with the layout around it.
func (s *Site) render(w http.ResponseWriter, r *http.Request, status int, name string, v *view) error {
	t, ok := pages[name]
	if !ok {
		return fmt.Errorf("no template %q", name)
	}
	v.Mode = s.cfg.Mode
	v.CSS = cssURL
	v.Path = r.URL.Path
	var b bytes.Buffer
	if err := t.ExecuteTemplate(&b, "layout", v); err != nil {
		return fmt.Errorf("rendering %s: %w", name, err)
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		_, _ = w.Write(b.Bytes())
	}
	return nil
}

// view is what every page template gets: the layout's fields, and the
// page's own data in Data.
type view struct {
	Title   string
	Nav     string // the navigation entry to mark current
	Session *Session
	Mode    Mode
	CSS     string
	Path    string
	Data    any
}

func (s *Site) errorPage(w http.ResponseWriter, r *http.Request, he *httpError) {
	v := &view{Title: he.title, Data: struct {
		Status  int
		Title   string
		Message string
		Links   any
	}{he.status, he.title, he.msg, he.view}}
	v.Session = s.session(r)
	if err := s.render(w, r, he.status, "error", v); err != nil {
		s.log.Error("rendering the error page", "err", err)
		http.Error(w, he.msg, he.status)
	}
}

// link is a labelled URL for templates.
type link struct {
	Label, URL string
}

// localPath returns next when it is a path on this site, else "/": a
// sign-in never sends anyone elsewhere.
func localPath(next string) string {
	if next == "" || len(next) > 2048 || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.ContainsAny(next, "\\\r\n\x00") {
		return "/"
	}
	u, err := url.Parse(next)
	if err != nil || u.Host != "" || u.Scheme != "" {
		return "/"
	}
	return u.RequestURI()
}
