package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"

	"github.com/callboard/callboard/catalog"
)

type byRefsRequest struct {
	EntityRefs []string        `json:"entityRefs"`
	Fields     []string        `json:"fields"`
	Query      json.RawMessage `json:"query"`
}

type byRefsResponse struct {
	Items []any `json:"items"`
}

// getEntitiesByRefs serves POST /entities/by-refs: the entities for a list
// of refs, in the same order, null for a ref that names no entity or one
// that the filter parameters rule out.
func (h *handler) getEntitiesByRefs(w http.ResponseWriter, r *http.Request) error {
	v, err := query(r.URL)
	if err != nil {
		return err
	}
	filter, err := parseFilter(v["filter"])
	if err != nil {
		return err
	}
	req, err := readByRefs(w, r)
	if err != nil {
		return err
	}
	fields, err := parseFields(req.Fields)
	if err != nil {
		return err
	}
	es, err := h.rd.EntitiesByRefs(r.Context(), req.EntityRefs)
	if err != nil {
		return err
	}
	if len(filter) > 0 {
		if err := h.keepMatching(r, es, filter); err != nil {
			return err
		}
	}
	items, err := render(es, fields)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, byRefsResponse{Items: items})
}

func readByRefs(w http.ResponseWriter, r *http.Request) (byRefsRequest, error) {
	var req byRefsRequest
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBodyBytes))
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return req, inputError("request body is larger than %d bytes", MaxBodyBytes)
	}
	if err != nil {
		return req, err
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&req); err != nil {
		return req, inputError("invalid request body: %v", err)
	}
	if dec.More() {
		return req, inputError("invalid request body: more than one JSON value")
	}
	if req.EntityRefs == nil {
		return req, inputError("invalid request body: entityRefs must be an array of entity refs")
	}
	if len(req.EntityRefs) > MaxRefs {
		return req, inputError("too many entityRefs: %d, at most %d per request", len(req.EntityRefs), MaxRefs)
	}
	if q := bytes.TrimSpace(req.Query); len(q) > 0 && !bytes.Equal(q, []byte("null")) {
		return req, notImplementedError("predicate queries are not supported by callboard; use the filter parameters")
	}
	return req, nil
}

// keepMatching sets to nil the entities that filter rules out. It asks the
// store for the entities that match the filter and share a kind and a name
// with one of them: a superset of the answer, small, and one query per
// chunk of entities, sized so that no statement has too many parameters.
// (Not the namespace: the store does not index an absent one as "default".)
func (h *handler) keepMatching(r *http.Request, es []*catalog.Entity, filter catalog.Filter) error {
	const paramBudget = 8000 // SQLite allows 32766; the filter itself has at most MaxFilterTerms
	var found []*catalog.Entity
	for _, e := range es {
		if e != nil {
			found = append(found, e)
		}
	}
	per := max(1, paramBudget/(2*len(filter)))
	match := map[string]bool{}
	for len(found) > 0 {
		chunk := found[:min(per, len(found))]
		found = found[len(chunk):]
		var kinds, names []string
		seen := map[string]bool{}
		for _, e := range chunk {
			ref := e.Ref()
			if k := "kind\x00" + strings.ToLower(ref.Kind); !seen[k] {
				seen[k] = true
				kinds = append(kinds, strings.ToLower(ref.Kind))
			}
			if n := "name\x00" + strings.ToLower(ref.Name); !seen[n] {
				seen[n] = true
				names = append(names, strings.ToLower(ref.Name))
			}
		}
		narrowed := make(catalog.Filter, 0, len(filter))
		for _, set := range filter {
			s := append(catalog.FilterSet{}, set...)
			s = append(s,
				catalog.Condition{Key: "kind", Values: kinds},
				catalog.Condition{Key: "metadata.name", Values: names},
			)
			narrowed = append(narrowed, s)
		}
		page, err := h.rd.Query(r.Context(), catalog.Query{Filter: narrowed})
		if err != nil {
			return err
		}
		for _, e := range page.Entities {
			match[e.Ref().String()] = true
		}
	}
	for i, e := range es {
		if e != nil && !match[e.Ref().String()] {
			es[i] = nil
		}
	}
	return nil
}
