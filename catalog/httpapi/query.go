package httpapi

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/callboard/callboard/catalog"
)

type queryResponse struct {
	Items      []any    `json:"items"`
	TotalItems int      `json:"totalItems"`
	PageInfo   pageInfo `json:"pageInfo"`
}

type pageInfo struct {
	NextCursor string `json:"nextCursor,omitempty"`
	PrevCursor string `json:"prevCursor,omitempty"`
}

// queryEntities serves GET /entities/by-query: one page of the matching
// entities, how many match in all, and cursors to the next and previous
// pages. A cursor carries the original query, so with one the filter, order
// and full-text parameters are ignored, as in Backstage; limit and fields
// still apply.
func (h *handler) queryEntities(w http.ResponseWriter, r *http.Request) error {
	v, err := query(r.URL)
	if err != nil {
		return err
	}
	fields, err := parseFields(v["fields"])
	if err != nil {
		return err
	}
	limit, hasLimit, err := count(v, "limit")
	if err != nil {
		return err
	}
	c, err := cursorOf(v)
	if err != nil {
		return err
	}
	if hasLimit {
		c.Limit = limit
	}
	c.Limit = min(c.Limit, MaxLimit)

	q := catalog.Query{
		Filter: fromWireFilter(c.Filter),
		Order:  fromWireOrder(c.OrderFields),
		Offset: c.Offset,
		// The store reads Limit 0 as "no limit"; a page of none still
		// wants the total.
		Limit: max(c.Limit, 1),
	}
	if c.FullText != nil {
		q.FullTextTerm = c.FullText.Term
		q.FullTextFields = c.FullText.Fields
		if len(q.FullTextFields) == 0 && len(q.Order) > 0 {
			// Backstage searches the first sort field when no fields are
			// named (and metadata.uid without one; the store's default of
			// name, title and display name serves people better).
			q.FullTextFields = []string{q.Order[0].Field}
		}
	}
	page, err := h.rd.Query(r.Context(), q)
	if err != nil {
		return err
	}
	es := page.Entities
	if c.Limit == 0 {
		es = nil
	}
	items, err := render(es, fields)
	if err != nil {
		return err
	}
	resp := queryResponse{Items: items, TotalItems: page.TotalItems}
	if c.ExcludeTotal {
		resp.TotalItems = 0
	}
	if c.Limit > 0 {
		if next := c.Offset + len(es); len(es) > 0 && next < page.TotalItems {
			n := c
			n.Offset = next
			resp.PageInfo.NextCursor = n.encode()
		}
		if c.Offset > 0 {
			p := c
			p.Offset = max(0, c.Offset-c.Limit)
			resp.PageInfo.PrevCursor = p.encode()
		}
	}
	return writeJSON(w, http.StatusOK, resp)
}

// cursorOf returns the request's cursor, or one built from its parameters
// for a first page.
func cursorOf(v url.Values) (queryCursor, error) {
	s, ok, err := single(v, "cursor")
	if err != nil {
		return queryCursor{}, err
	}
	if ok {
		return decodeCursor(s)
	}
	c := queryCursor{Limit: DefaultQueryLimit}
	filter, err := parseFilter(v["filter"])
	if err != nil {
		return c, err
	}
	c.Filter = toWireFilter(filter)
	order, err := parseOrderFields(v["orderField"])
	if err != nil {
		return c, err
	}
	c.OrderFields = toWireOrder(order)
	if c.Offset, _, err = count(v, "offset"); err != nil {
		return c, err
	}
	term, _, err := single(v, "fullTextFilterTerm")
	if err != nil {
		return c, err
	}
	if term = strings.TrimSpace(term); term != "" {
		c.FullText = &wireFullText{Term: term}
		for _, f := range list(v, "fullTextFilterFields") {
			c.FullText.Fields = append(c.FullText.Fields, strings.ToLower(f))
		}
	}
	total, _, err := single(v, "totalItems")
	if err != nil {
		return c, err
	}
	switch total {
	case "", "include":
	case "exclude":
		c.ExcludeTotal = true
	default:
		return c, inputError("invalid totalItems %q: expected include or exclude", total)
	}
	return c, nil
}
