package httpapi

import (
	"encoding/base64"
	"encoding/json"
	"strings"

	"github.com/callboard/callboard/catalog"
)

// queryCursor is what a by-query cursor carries: the original query and
// where the page starts. It is sent as base64url JSON and is opaque to
// clients. It must not have a "query" key: @backstage/catalog-client decodes
// cursors and sends those with one to the predicate endpoint.
type queryCursor struct {
	Filter       []wireFilterSet `json:"filter,omitempty"`
	OrderFields  []wireOrder     `json:"orderFields,omitempty"`
	FullText     *wireFullText   `json:"fullTextFilter,omitempty"`
	ExcludeTotal bool            `json:"excludeTotal,omitempty"`
	Offset       int             `json:"offset"`
	Limit        int             `json:"limit"`
}

type wireFilterSet []wireCondition

type wireCondition struct {
	Key    string   `json:"key"`
	Values []string `json:"values,omitempty"`
}

type wireOrder struct {
	Field string `json:"field"`
	Order string `json:"order"`
}

type wireFullText struct {
	Term   string   `json:"term"`
	Fields []string `json:"fields,omitempty"`
}

func (c queryCursor) encode() string {
	b, err := json.Marshal(c)
	if err != nil {
		panic("httpapi: cursor does not marshal: " + err.Error())
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// decodeCursor reads a cursor this package wrote (or a client rewrapped in
// padded or standard base64).
func decodeCursor(s string) (queryCursor, error) {
	var c queryCursor
	if !decodeBase64JSON(s, &c) {
		return queryCursor{}, inputError("malformed cursor: it is not one this server returned")
	}
	if c.Offset < 0 || c.Limit < 0 {
		return queryCursor{}, inputError("malformed cursor: negative offset or limit")
	}
	terms := 0
	for _, set := range c.Filter {
		for _, cond := range set {
			terms += 1 + len(cond.Values)
		}
	}
	if terms > MaxFilterTerms || len(c.Filter) > MaxFilterSets || len(c.OrderFields) > MaxOrderFields {
		return queryCursor{}, inputError("malformed cursor: more than %d filter conditions, %d filter sets or %d order fields", MaxFilterTerms, MaxFilterSets, MaxOrderFields)
	}
	return c, nil
}

func toWireFilter(f catalog.Filter) []wireFilterSet {
	out := make([]wireFilterSet, 0, len(f))
	for _, set := range f {
		ws := make(wireFilterSet, 0, len(set))
		for _, c := range set {
			ws = append(ws, wireCondition{Key: c.Key, Values: c.Values})
		}
		out = append(out, ws)
	}
	return out
}

func fromWireFilter(w []wireFilterSet) catalog.Filter {
	var out catalog.Filter
	for _, ws := range w {
		set := make(catalog.FilterSet, 0, len(ws))
		for _, c := range ws {
			set = append(set, catalog.Condition{Key: strings.ToLower(c.Key), Values: c.Values})
		}
		out = append(out, set)
	}
	return out
}

func toWireOrder(os []catalog.Order) []wireOrder {
	out := make([]wireOrder, 0, len(os))
	for _, o := range os {
		dir := "asc"
		if o.Desc {
			dir = "desc"
		}
		out = append(out, wireOrder{Field: o.Field, Order: dir})
	}
	return out
}

func fromWireOrder(w []wireOrder) []catalog.Order {
	var out []catalog.Order
	for _, o := range w {
		out = append(out, catalog.Order{Field: strings.ToLower(o.Field), Desc: o.Order == "desc"})
	}
	return out
}

// afterCursor is the `after` cursor of GET /entities, as Backstage writes it:
// base64 JSON of the next page's limit and offset.
type afterCursor struct {
	Limit  *int `json:"limit,omitempty"`
	Offset *int `json:"offset,omitempty"`
}

func (c afterCursor) encode() string {
	b, _ := json.Marshal(c)
	return base64.RawURLEncoding.EncodeToString(b)
}

func decodeAfter(s string) (afterCursor, error) {
	var c afterCursor
	if !decodeBase64JSON(s, &c) {
		return afterCursor{}, inputError("malformed after cursor, could not be parsed")
	}
	if (c.Limit != nil && *c.Limit < 0) || (c.Offset != nil && *c.Offset < 0) {
		return afterCursor{}, inputError("malformed after cursor: negative limit or offset")
	}
	return c, nil
}

// decodeBase64JSON reads JSON from base64 in the URL alphabet as this
// package writes it, or in the standard one, padded or not (clients rewrap
// cursors); ok is false when it is neither.
func decodeBase64JSON(s string, v any) bool {
	s = strings.TrimRight(strings.TrimSpace(s), "=")
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		b, err = base64.RawStdEncoding.DecodeString(s)
	}
	return err == nil && json.Unmarshal(b, v) == nil
}
