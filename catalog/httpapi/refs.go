package httpapi

import (
	"net/http"

	"github.com/callboard/callboard/catalog"
)

// getEntitiesByRefs serves POST /entities/by-refs: the entities for a list
// of refs, in the same order, null for a ref that names no entity (a ref
// is whole, kind:namespace/name, in any case) or one that the filter
// parameters or the body's query rule out. A ref may repeat.
func (h *handler) getEntitiesByRefs(w http.ResponseWriter, r *http.Request) error {
	p, err := parseParams(r.URL, refsParams)
	if err != nil {
		return err
	}
	body, parsed, err := readBody(w, r)
	if err != nil {
		return err
	}
	if parsed {
		if err := checkBody(body, []string{"entityRefs"}, []bodyField{{"entityRefs", "array of strings"}, {"fields", "array of strings"}, {"query", "object"}}); err != nil {
			return err
		}
	} else if _, ok := body["entityRefs"]; !ok {
		return inputError(`Malformed request body (did you remember to specify an application/json content type?), Validation error: Required at "entityRefs"`)
	}
	var preds []catalog.Predicate
	if q, ok := body["query"]; ok {
		pred, err := parsePredicate(rawJSON(q), "query")
		if err != nil {
			return err
		}
		preds = append(preds, pred)
	}
	filter, err := parseFilter(p.all("filter"))
	if err != nil {
		return err
	}
	if len(filter) > 0 {
		preds = append([]catalog.Predicate{filter.Predicate()}, preds...)
	}
	fields, err := parseFields(bodyStrings(body, "fields"))
	if err != nil {
		return err
	}
	where := catalog.All(preds...)
	if len(preds) == 1 {
		where = preds[0]
	}
	iw := newItemWriter(w, `{"items":[`, fields)
	if err := h.rd.EntitiesByRefsJSON(r.Context(), bodyStrings(body, "entityRefs"), where, iw.item); err != nil {
		if iw.started {
			return &streamError{err}
		}
		return err
	}
	if err := iw.finish(`]}`); err != nil {
		return &streamError{err}
	}
	return nil
}
