package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"

	"github.com/callboard/callboard/catalog"
	"github.com/callboard/callboard/internal/bearer"
	"github.com/gorilla/mux"
)

// Reader is what the API reads; *store.Store satisfies it.
type Reader interface {
	// EntityJSON is the entity with ref, with its relations, encoded as
	// json.Marshal would.
	EntityJSON(ctx context.Context, ref catalog.Ref) ([]byte, error)
	EntitiesByRefs(ctx context.Context, refs []string) ([]*catalog.Entity, error)
	Query(ctx context.Context, q catalog.Query) (catalog.Page, error)
	Facets(ctx context.Context, filter catalog.Filter, facets []string) (map[string][]catalog.FacetCount, error)
}

// Options tunes Register.
type Options struct {
	// Token is the bearer token every request must carry; none is required
	// when it is empty.
	Token string
	// OnRequest, when set, is called once for each authorized request with
	// the action it asks for ("get-entities", "query-entities",
	// "get-entity-by-name", "get-entities-by-refs", "get-entity-facets"), so
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

// Limits on one request.
const (
	// MaxLimit is the most entities one page holds; a larger limit is
	// lowered to it, and GET /entities without a limit answers at most this
	// many, with a Link header to the rest.
	MaxLimit = 10000
	// DefaultQueryLimit is the page size of /entities/by-query without a
	// limit, as in Backstage.
	DefaultQueryLimit = 20
	// MaxRefs is the most refs one POST /entities/by-refs may ask for (the
	// client sends at most 1000 per request).
	MaxRefs = 1000
	// MaxBodyBytes bounds the body of POST /entities/by-refs.
	MaxBodyBytes = 1 << 20
	// MaxFilterTerms bounds the conditions and values of one filter, so a
	// request cannot build an arbitrarily large SQL statement.
	MaxFilterTerms = 1000
	// MaxFilterSets bounds the alternative filter sets (repeated filter
	// parameters) of one request, after identical ones are merged: each is
	// an OR term of one SQL expression.
	MaxFilterSets = 100
	// MaxFacets bounds the distinct facets one request may count.
	MaxFacets = 50
	// MaxOrderFields bounds the distinct fields one request may sort by:
	// each sorts through a lookup per entity.
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

// Register mounts the routes under /api/catalog on r.
func Register(r *mux.Router, rd Reader, opts Options) {
	h := &handler{rd: rd, opts: opts, log: opts.Logger, token: bearer.New(opts.Token)}
	if h.log == nil {
		h.log = slog.Default()
	}
	get := func(path, action string, fn handlerFunc) {
		r.Handle(Prefix+path, h.handle(action, fn)).Methods(http.MethodGet)
	}
	get("/entities", "get-entities", h.getEntities)
	get("/entities/by-query", "query-entities", h.queryEntities)
	get("/entities/by-name/{kind}/{namespace}/{name}", "get-entity-by-name", h.getEntityByName)
	r.Handle(Prefix+"/entities/by-refs", h.handle("get-entities-by-refs", h.getEntitiesByRefs)).Methods(http.MethodPost)
	get("/entity-facets", "get-entity-facets", h.getEntityFacets)

	// The client switches to these when a caller passes a predicate query;
	// say plainly that callboard does not support them.
	for _, p := range []string{"/entities/by-query", "/entity-facets"} {
		r.Handle(Prefix+p, h.handle("", func(w http.ResponseWriter, r *http.Request) error {
			return notImplementedError("predicate queries (POST %s) are not supported by callboard; use the filter parameters of GET %s", r.URL.Path, r.URL.Path)
		})).Methods(http.MethodPost)
	}
	notFound := h.handle("", func(w http.ResponseWriter, r *http.Request) error {
		return notFoundError("callboard serves a read-only subset of the catalog API; there is no %s %s", r.Method, r.URL.Path)
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
	if h.opts.OnError != nil {
		h.opts.OnError(err)
	}
	if r.Context().Err() != nil {
		// The client went away; nobody reads the answer.
		h.log.DebugContext(r.Context(), "catalog api request canceled", "method", r.Method, "path", r.URL.Path, "err", err)
	} else {
		h.log.ErrorContext(r.Context(), "catalog api request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	writeError(w, r, errInternal)
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
