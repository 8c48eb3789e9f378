package httpapi

import (
	"errors"
	"net/http"
	"net/url"

	"github.com/callboard/callboard/catalog"
	"github.com/gorilla/mux"
)

// getEntities serves GET /entities: every entity that matches the filter,
// as a JSON array. limit/offset/after page it; when more remain, a Link
// header (rel="next") carries the after cursor of the next page, as in
// Backstage.
func (h *handler) getEntities(w http.ResponseWriter, r *http.Request) error {
	v, err := query(r.URL)
	if err != nil {
		return err
	}
	filter, err := parseFilter(v["filter"])
	if err != nil {
		return err
	}
	fields, err := parseFields(v["fields"])
	if err != nil {
		return err
	}
	order, err := parseOrder(v["order"])
	if err != nil {
		return err
	}
	limit, hasLimit, err := count(v, "limit")
	if err != nil {
		return err
	}
	offset, _, err := count(v, "offset")
	if err != nil {
		return err
	}
	after, hasAfter, err := single(v, "after")
	if err != nil {
		return err
	}
	if hasAfter {
		c, err := decodeAfter(after)
		if err != nil {
			return err
		}
		if c.Limit != nil {
			limit, hasLimit = *c.Limit, true
		}
		if c.Offset != nil {
			offset = *c.Offset
		}
	}
	if !hasLimit || limit > MaxLimit {
		limit = MaxLimit
	}
	var es []*catalog.Entity
	if limit > 0 {
		page, err := h.rd.Query(r.Context(), catalog.Query{Filter: filter, Order: order, Offset: offset, Limit: limit})
		if err != nil {
			return err
		}
		es = page.Entities
		if next := offset + len(es); len(es) > 0 && next < page.TotalItems {
			w.Header().Set("Link", nextLink(r.URL, v, afterCursor{Limit: &limit, Offset: &next}))
		}
	}
	items, err := render(es, fields)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, items)
}

func nextLink(u *url.URL, v url.Values, c afterCursor) string {
	next := url.Values{}
	for k, vs := range v {
		if k != "offset" && k != "after" {
			next[k] = vs
		}
	}
	next.Set("after", c.encode())
	return "<" + u.EscapedPath() + "?" + next.Encode() + `>; rel="next"`
}

// getEntityByName serves GET /entities/by-name/{kind}/{namespace}/{name}.
func (h *handler) getEntityByName(w http.ResponseWriter, r *http.Request) error {
	vars := mux.Vars(r)
	ref := catalog.Ref{Kind: vars["kind"], Namespace: vars["namespace"], Name: vars["name"]}
	b, err := h.rd.EntityJSON(r.Context(), ref)
	if errors.Is(err, catalog.ErrNotFound) {
		return notFoundError("No entity named '%s' found, with kind '%s' in namespace '%s'", ref.Name, ref.Kind, ref.Namespace)
	}
	if err != nil {
		return err
	}
	return writeRawJSON(w, http.StatusOK, b)
}
