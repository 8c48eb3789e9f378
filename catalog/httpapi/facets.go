package httpapi

import (
	"net/http"
	"slices"
	"strings"

	"github.com/callboard/callboard/catalog"
)

type facetsResponse struct {
	Facets map[string][]catalog.FacetCount `json:"facets"`
}

// getEntityFacets serves GET /entity-facets: for each facet field, how many
// of the entities that match the filter have each value.
func (h *handler) getEntityFacets(w http.ResponseWriter, r *http.Request) error {
	v, err := query(r.URL)
	if err != nil {
		return err
	}
	filter, err := parseFilter(v["filter"])
	if err != nil {
		return err
	}
	var facets []string
	for _, f := range v["facet"] {
		if f = strings.TrimSpace(f); f != "" && !slices.Contains(facets, f) {
			facets = append(facets, f)
		}
	}
	if len(facets) == 0 {
		return inputError("missing facet parameter")
	}
	if len(facets) > MaxFacets {
		return inputError("too many facets: %d, at most %d per request", len(facets), MaxFacets)
	}
	counts, err := h.rd.Facets(r.Context(), filter, facets)
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
