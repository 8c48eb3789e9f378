package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strings"

	"github.com/callboard/callboard/catalog"
	"github.com/callboard/callboard/internal/bearer"
	"github.com/gorilla/mux"
)

// Reader is what the API reads; *store.Store satisfies it. Lists are
// written to emit as they are read (an entity as the API serves it, nil
// for a by-refs miss), so no answer holds the catalog in memory.
type Reader interface {
	// EntityJSON is the entity with ref, with its relations, or
	// catalog.ErrNotFound.
	EntityJSON(ctx context.Context, ref catalog.Ref) ([]byte, error)
	// EntityJSONByUID is the entity with that metadata.uid.
	EntityJSONByUID(ctx context.Context, uid string) ([]byte, error)
	// ListEntities calls page once, before the first entity, with whether
	// entities remain past the page.
	ListEntities(ctx context.Context, q catalog.ListQuery, page func(more bool), emit func(entity []byte) error) error
	QueryPage(ctx context.Context, q catalog.PageQuery, emit func(entity []byte) error) (catalog.PageInfo, error)
	EntitiesByRefsJSON(ctx context.Context, refs []string, where catalog.Predicate, emit func(entity []byte) error) error
	Facets(ctx context.Context, where catalog.Predicate, facets []string) (map[string][]catalog.FacetCount, error)
}

// Options tunes Register.
type Options struct {
	// Token is the bearer token every request must carry; none is required
	// when it is empty.
	Token string
	// OnRequest, when set, is called once for each authorized request with
	// the action it asks for ("get-entities", "query-entities",
	// "query-entities-by-predicate", "get-entity-by-name",
	// "get-entity-by-uid", "get-entities-by-refs", "get-entity-facets",
	// "get-entity-facets-by-predicate"), so
	// the caller can record usage (plugin "catalog-api"). It is called from
	// many goroutines at once.
	OnRequest func(r *http.Request, action string)
	// Logger receives the errors that became a 500 (default slog.Default()).
	Logger *slog.Logger
	// OnError, when set, sees each error that became a 500, so the store
	// can learn that its file is damaged or its disk full (readiness).
	OnError func(error)
}

// Prefix is where Register mounts the API.
const Prefix = "/api/catalog"

// Limits on one request. Each is one Backstage's answers fit inside: a
// request Backstage answers, callboard answers too.
const (
	// DefaultQueryLimit is the page size of /entities/by-query without a
	// limit, as in Backstage.
	DefaultQueryLimit = 200
	// MaxBodyBytes bounds the body of a POST (by-refs, by-query, facets).
	// Backstage takes 100 KB; the client sends by-refs in chunks of 90 KB.
	MaxBodyBytes = 1 << 20
	// MaxFilterTerms bounds the distinct conditions and values of one
	// filter, so a request cannot build an arbitrarily large SQL statement;
	// repeats are merged first.
	MaxFilterTerms = 1000
	// MaxFilterSets bounds the alternative filter sets (repeated filter
	// parameters) of one request, after identical ones are merged: each is
	// an OR term of one SQL expression.
	MaxFilterSets = 100
	// MaxFacets bounds the distinct facets one request may count.
	MaxFacets = 50
	// MaxOrderFields bounds the distinct fields GET /entities may sort by:
	// each is a pass over its index. (by-query sorts by the first only, as
	// Backstage does.)
	MaxOrderFields = 10
	// MaxQueryParams bounds the parameters of one query string, as the
	// query parser of Backstage's own backend (Express, qs) does; there they
	// are dropped silently, here the request is refused.
	MaxQueryParams = 1000
)

type handler struct {
	rd    Reader
	opts  Options
	log   *slog.Logger
	token bearer.Token
}

// Register mounts the routes under /api/catalog on r. As in Backstage, a
// trailing slash is ignored and HEAD answers as GET does.
func Register(r *mux.Router, rd Reader, opts Options) {
	h := &handler{rd: rd, opts: opts, log: opts.Logger, token: bearer.New(opts.Token)}
	if h.log == nil {
		h.log = slog.Default()
	}
	get := func(path, action string, fn handlerFunc) {
		r.Handle(Prefix+path, h.handle(action, fn)).Methods(http.MethodGet, http.MethodHead)
	}
	post := func(path, action string, fn handlerFunc) {
		r.Handle(Prefix+path, h.handle(action, fn)).Methods(http.MethodPost)
	}
	get("/entities", "get-entities", h.getEntities)
	get("/entities/by-query", "query-entities", h.queryEntities)
	get("/entities/by-name/{kind}/{namespace}/{name}", "get-entity-by-name", h.getEntityByName)
	get("/entities/by-uid/{uid}", "get-entity-by-uid", h.getEntityByUID)
	get("/entity-facets", "get-entity-facets", h.getEntityFacets)
	post("/entities/by-refs", "get-entities-by-refs", h.getEntitiesByRefs)
	post("/entities/by-query", "query-entities-by-predicate", h.queryEntitiesByPredicate)
	post("/entity-facets", "get-entity-facets-by-predicate", h.getEntityFacetsByPredicate)

	// What the routes above miss only by a trailing slash, or an encoded
	// slash in a name (a%2Fb is one segment, as in Backstage).
	r.PathPrefix(Prefix+"/entities/by-name/").Handler(h.handle("get-entity-by-name", h.getEntityByNamePath)).Methods(http.MethodGet, http.MethodHead)
	for _, p := range []struct {
		path, action string
		fn           handlerFunc
		method       string
	}{
		{"/entities/", "get-entities", h.getEntities, http.MethodGet},
		{"/entities/by-query/", "query-entities", h.queryEntities, http.MethodGet},
		{"/entity-facets/", "get-entity-facets", h.getEntityFacets, http.MethodGet},
		{"/entities/by-refs/", "get-entities-by-refs", h.getEntitiesByRefs, http.MethodPost},
		{"/entities/by-query/", "query-entities-by-predicate", h.queryEntitiesByPredicate, http.MethodPost},
		{"/entity-facets/", "get-entity-facets-by-predicate", h.getEntityFacetsByPredicate, http.MethodPost},
	} {
		methods := []string{p.method}
		if p.method == http.MethodGet {
			methods = append(methods, http.MethodHead)
		}
		r.Handle(Prefix+p.path, h.handle(p.action, p.fn)).Methods(methods...)
	}
	get("/entities/by-uid/{uid}/", "get-entity-by-uid", h.getEntityByUID)

	notFound := h.handle("", func(w http.ResponseWriter, r *http.Request) error {
		return notFoundError("callboard serves a read-only subset of the catalog API; there is no %s %s", r.Method, strings.TrimPrefix(r.URL.Path, Prefix))
	})
	r.Handle(Prefix, notFound)
	r.PathPrefix(Prefix + "/").Handler(notFound)
}

type handlerFunc func(w http.ResponseWriter, r *http.Request) error

func (h *handler) handle(action string, fn handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := h.authorize(r); err != nil {
			h.fail(w, r, err)
			return
		}
		if h.opts.OnRequest != nil && action != "" {
			h.opts.OnRequest(r, action)
		}
		if err := fn(w, r); err != nil {
			var se *streamError
			if errors.As(err, &se) {
				// The answer is under way: cut it short, so the client sees
				// a broken answer rather than a short list.
				h.logFailure(r, se.err)
				panic(http.ErrAbortHandler)
			}
			h.fail(w, r, err)
		}
	})
}

func (h *handler) authorize(r *http.Request) error {
	ok, presented := h.token.Check(r.Header.Get("Authorization"))
	switch {
	case !presented:
		return authenticationError("missing credentials: send Authorization: Bearer <token>")
	case !ok:
		return authenticationError("invalid credentials")
	}
	return nil
}

// fail answers with err: as itself when it is meant for the client, as a
// generic 500 (logged here, once) otherwise.
func (h *handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	var ae *apiError
	if errors.As(err, &ae) {
		writeError(w, r, ae)
		return
	}
	h.logFailure(r, err)
	writeError(w, r, errInternal)
}

// logFailure logs, once, an error the client is not told about.
func (h *handler) logFailure(r *http.Request, err error) {
	if h.opts.OnError != nil {
		h.opts.OnError(err)
	}
	if r.Context().Err() != nil {
		// The client went away; nobody reads the answer.
		h.log.DebugContext(r.Context(), "catalog api request canceled", "method", r.Method, "path", r.URL.Path, "err", err)
	} else {
		h.log.ErrorContext(r.Context(), "catalog api request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	}
}

// writeJSON encodes v before writing anything, so an encoding error can
// still become a 500.
func writeJSON(w http.ResponseWriter, status int, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return writeRawJSON(w, status, b)
}

// writeRawJSON writes b, JSON already encoded.
func writeRawJSON(w http.ResponseWriter, status int, b []byte) error {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(append(b, '\n'))
	return nil
}
