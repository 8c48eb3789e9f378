package httpapi

import (
	"encoding/json"
	"math"
	"net/http"
	"slices"
	"strings"

	"github.com/callboard/callboard/catalog"
)

// pageRequest is one by-query request: a first page, or a cursor's.
type pageRequest struct {
	cursor       queryCursor // the query as a cursor carries it on
	where        catalog.Predicate
	initial      bool
	offset       int
	limit        int
	excludeTotal bool
	fields       []string
}

// queryEntities serves GET /entities/by-query: one page of the matching
// entities, how many match in all, and cursors to the next and previous
// pages. A cursor carries the original query, so with one the filter, order
// and full-text parameters are ignored, as in Backstage; limit and fields
// still apply, and without a limit a page is of the default size.
func (h *handler) queryEntities(w http.ResponseWriter, r *http.Request) error {
	p, err := parseParams(r.URL, queryParams)
	if err != nil {
		return err
	}
	req := pageRequest{limit: DefaultQueryLimit}
	if req.fields, err = parseFields(p.all("fields")); err != nil {
		return err
	}
	if n, ok := p.integer("limit"); ok {
		req.limit = n
	}
	if s, ok := p.str("cursor"); ok {
		if req.cursor, req.where, err = decodeCursor(s); err != nil {
			return err
		}
		return h.page(w, r, req)
	}
	filter, err := parseFilter(p.all("filter"))
	if err != nil {
		return err
	}
	order, err := parseOrderFields(p.all("orderField"))
	if err != nil {
		return err
	}
	term, _ := p.str("fullTextFilterTerm")
	req.initial = true
	req.offset, _ = p.integer("offset")
	req.excludeTotal = p.has("totalItems") && p.all("totalItems")[0] == "exclude"
	req.where = filter.Predicate()
	req.cursor = queryCursor{
		OrderFields:      order,
		OrderFieldValues: []*string{},
		Query:            filterPredicateJSON(filter),
		FullTextFilter:   &cursorFullText{Term: term, Fields: p.list("fullTextFilterFields")},
	}
	return h.page(w, r, req)
}

// parseOrderFields reads orderField parameters: "metadata.name,desc" (the
// direction defaults to asc).
func parseOrderFields(ps []string) ([]cursorOrder, error) {
	out := []cursorOrder{}
	for _, p := range ps {
		parts := strings.Split(p, ",")
		o := cursorOrder{Field: parts[0], Order: "asc"}
		if len(parts) > 1 {
			if parts[1] != "asc" && parts[1] != "desc" {
				return nil, inputError("Invalid order field order, must be asc or desc")
			}
			o.Order = parts[1]
		}
		out = append(out, o)
	}
	return out, nil
}

// queryEntitiesByPredicate serves POST /entities/by-query, the endpoint the
// client uses for filter predicates ({"query": {"$all": [...]}}) and for the
// cursors of such queries.
func (h *handler) queryEntitiesByPredicate(w http.ResponseWriter, r *http.Request) error {
	body, err := readPredicateBody(w, r, nil, []bodyField{{"cursor", "string"}, {"limit", "number"}, {"offset", "number"}, {"fields", "array of strings"}, {"query", "object"}})
	if err != nil {
		return err
	}
	req := pageRequest{limit: DefaultQueryLimit}
	if req.fields, err = parseFields(bodyStrings(body, "fields")); err != nil {
		return err
	}
	if n, ok, err := bodyCount(body, "limit"); err != nil {
		return err
	} else if ok {
		req.limit = n
	}
	if c, ok := body["cursor"]; ok {
		s, _ := c.(string)
		if s == "" {
			return inputError("Cursor cannot be empty")
		}
		if req.cursor, req.where, err = decodeCursor(s); err != nil {
			return err
		}
		return h.page(w, r, req)
	}
	if err := initialRequest(body, &req); err != nil {
		return err
	}
	return h.page(w, r, req)
}

// initialRequest reads a first page's request (one without a cursor): the
// query, order, total, offset and full-text filter.
func initialRequest(body map[string]any, req *pageRequest) error {
	req.initial = true
	req.where = catalog.All()
	var query json.RawMessage
	if q, ok := body["query"]; ok {
		var err error
		query = rawJSON(q)
		if req.where, err = parsePredicate(query, "query"); err != nil {
			return err
		}
	}
	order, err := bodyOrder(body)
	if err != nil {
		return err
	}
	if t, ok := body["totalItems"]; ok {
		s, _ := t.(string)
		if s != "include" && s != "exclude" {
			return inputError("Invalid totalItems value %q, expected one of: include, exclude", compact(t))
		}
		req.excludeTotal = s == "exclude"
	}
	if n, ok, err := bodyCount(body, "offset"); err != nil {
		return err
	} else if ok {
		req.offset = n
	}
	req.cursor = queryCursor{OrderFields: order, OrderFieldValues: []*string{}, Query: query}
	if ft, ok := body["fullTextFilter"].(map[string]any); ok {
		term, _ := ft["term"].(string)
		req.cursor.FullTextFilter = &cursorFullText{Term: term, Fields: bodyStrings(ft, "fields")}
	}
	return nil
}

// bodyOrder reads a body's orderBy.
func bodyOrder(body map[string]any) ([]cursorOrder, error) {
	order := []cursorOrder{}
	ob, ok := body["orderBy"]
	if !ok {
		return order, nil
	}
	items, ok := ob.([]any)
	if !ok {
		return nil, inputError("request/body/orderBy must be array")
	}
	for i, it := range items {
		m, _ := it.(map[string]any)
		field, ok := m["field"].(string)
		if !ok {
			return nil, inputError("request/body/orderBy/%d must have required property 'field'", i)
		}
		dir, _ := m["order"].(string)
		if dir != "asc" && dir != "desc" {
			return nil, inputError("Invalid order field order, must be asc or desc")
		}
		order = append(order, cursorOrder{Field: field, Order: dir})
	}
	return order, nil
}

// bodyCount reads a non-negative whole number of a body (limit, offset).
func bodyCount(body map[string]any, name string) (int, bool, error) {
	v, ok := body[name]
	if !ok {
		return 0, false, nil
	}
	n, _ := v.(json.Number)
	f, err := n.Float64()
	if err != nil || f < 0 || f != math.Trunc(f) {
		return 0, false, inputError("Invalid %s, must be a non-negative integer", name)
	}
	return int(min(f, math.MaxInt32)), true, nil
}

// page answers a by-query request: the items as they are read, then the
// total and the cursors, as Backstage pages (by the first order field's
// value and then by uid, or by uid; a cursor goes on from a row, not from
// an offset).
func (h *handler) page(w http.ResponseWriter, r *http.Request, req pageRequest) error {
	c := req.cursor
	pq := req.pageQuery()
	iw := newItemWriter(w, `{"items":[`, req.fields)
	info, err := h.rd.QueryPage(r.Context(), pq, iw.item)
	if err != nil {
		if iw.started {
			return &streamError{err}
		}
		return err
	}
	total := 0
	switch {
	case c.TotalItems != nil:
		total = int(*c.TotalItems)
	case pq.Count:
		total = info.TotalItems
	}
	meta, err := json.Marshal(pageInfo(c, pq, info, total))
	if err != nil {
		return err
	}
	if err := iw.finish(`],"totalItems":` + itoa(total) + `,"pageInfo":` + string(meta) + `}`); err != nil {
		return &streamError{err}
	}
	return nil
}

// pageQuery is the store's query for the request.
func (req pageRequest) pageQuery() catalog.PageQuery {
	c := req.cursor
	pq := catalog.PageQuery{Where: req.where, Limit: req.limit, Estimate: -1}
	if len(c.OrderFields) > 0 {
		// Backstage sorts by the first order field only.
		pq.SortField = strings.ToLower(c.OrderFields[0].Field)
		pq.Desc = c.OrderFields[0].Order == "desc"
	}
	if ft := c.FullTextFilter; ft != nil && strings.TrimSpace(ft.Term) != "" {
		pq.FullTextTerm = strings.TrimSpace(ft.Term)
		pq.FullTextFields = ft.Fields
		if len(pq.FullTextFields) == 0 && pq.SortField != "" {
			// As Backstage: the sort field is searched when no field is named.
			pq.FullTextFields = []string{pq.SortField}
		}
	}
	if req.initial {
		pq.Offset = req.offset
		pq.Count = !req.excludeTotal
		return pq
	}
	if len(c.OrderFieldValues) > 0 {
		pq.After = c.OrderFieldValues
	}
	pq.Backward = c.IsPrevious
	if c.TotalItems != nil && *c.TotalItems > 0 {
		pq.Estimate = int(*c.TotalItems)
	}
	// As Backstage: a cursor without the total has it counted.
	pq.Count = c.TotalItems == nil && !req.excludeTotal
	return pq
}

// cursorPageInfo is a page's pageInfo: the cursors to the next and the
// previous page.
type cursorPageInfo struct {
	NextCursor string `json:"nextCursor,omitempty"`
	PrevCursor string `json:"prevCursor,omitempty"`
}

// pageInfo writes the cursors of the page the store answered to c.
func pageInfo(c queryCursor, pq catalog.PageQuery, info catalog.PageInfo, total int) cursorPageInfo {
	totalF := float64(total)
	var pi cursorPageInfo
	if info.More {
		n := c
		n.OrderFieldValues = info.Last
		if n.OrderFieldValues == nil {
			n.OrderFieldValues = nullValues(pq.SortField)
		}
		if n.FirstSortFieldValues == nil {
			n.FirstSortFieldValues = info.First
		}
		n.IsPrevious = false
		n.TotalItems = &totalF
		pi.NextCursor = n.encode()
	}
	if c.FirstSortFieldValues != nil && info.First != nil && !sameValues(info.First, c.FirstSortFieldValues) {
		p := c
		p.OrderFieldValues = info.First
		p.IsPrevious = true
		p.TotalItems = &totalF
		pi.PrevCursor = p.encode()
	}
	return pi
}

// nullValues are the sort values of no row, as Backstage writes them.
func nullValues(sortField string) []*string {
	if sortField == "" {
		return []*string{nil}
	}
	return []*string{nil, nil}
}

func sameValues(a, b []*string) bool {
	return slices.EqualFunc(a, b, func(x, y *string) bool {
		return (x == nil) == (y == nil) && (x == nil || *x == *y)
	})
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}
