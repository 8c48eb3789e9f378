package httpapi

import (
	"net/http"

	"github.com/callboard/callboard/catalog"
)

type facetsResponse struct {
	Facets map[string][]catalog.FacetCount `json:"facets"`
}

// getEntityFacets serves GET /entity-facets: for each facet field, how many
// of the entities that match the filter have each value.
func (h *handler) getEntityFacets(w http.ResponseWriter, r *http.Request) error {
	p, err := parseParams(r.URL, facetsParams)
	if err != nil {
		return err
	}
	if !p.has("facet") {
		return inputError("request/query must have required property 'facet'")
	}
	filter, err := parseFilter(p.all("filter"))
	if err != nil {
		return err
	}
	return h.facets(w, r, filter.Predicate(), p.all("facet"), "Missing facet parameter")
}

// getEntityFacetsByPredicate serves POST /entity-facets: facets over the
// entities a filter predicate selects.
func (h *handler) getEntityFacetsByPredicate(w http.ResponseWriter, r *http.Request) error {
	body, err := readPredicateBody(w, r, []string{"facets"}, []bodyField{{"facets", "array of strings"}, {"query", "object"}})
	if err != nil {
		return err
	}
	where := catalog.All()
	if q, ok := body["query"]; ok {
		if where, err = parsePredicate(rawJSON(q), "query"); err != nil {
			return err
		}
	}
	return h.facets(w, r, where, bodyStrings(body, "facets"), "Missing or empty facets parameter")
}

func (h *handler) facets(w http.ResponseWriter, r *http.Request, where catalog.Predicate, asked []string, missing string) error {
	var facets []string
	seen := map[string]bool{}
	for _, f := range asked {
		if f != "" && !seen[f] {
			seen[f] = true
			facets = append(facets, f)
		}
	}
	if len(facets) == 0 {
		return inputError("%s", missing)
	}
	if len(facets) > MaxFacets {
		return inputError("too many facets: %d, at most %d per request", len(facets), MaxFacets)
	}
	counts, err := h.rd.Facets(r.Context(), where, facets)
	if err != nil {
		return err
	}
	out := make(map[string][]catalog.FacetCount, len(facets))
	for _, f := range facets {
		out[f] = counts[f]
		if out[f] == nil {
			out[f] = []catalog.FacetCount{}
		}
	}
	return writeJSON(w, http.StatusOK, facetsResponse{Facets: out})
}
