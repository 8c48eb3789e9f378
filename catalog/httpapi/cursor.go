package httpapi

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"strings"

	"github.com/callboard/callboard/catalog"
)

// queryCursor is a by-query cursor in Backstage's own format, so that a
// client (or a person reading one) finds what Backstage's cursors hold:
// the query (a filter predicate, or the older filter), the order fields
// (only the first sorts), the full-text filter, the sort values of the row
// the page continues from, the direction, and the total of the first page.
// It is base64 JSON, as Backstage writes it.
type queryCursor struct {
	OrderFields          []cursorOrder   `json:"orderFields"`
	FullTextFilter       *cursorFullText `json:"fullTextFilter,omitempty"`
	OrderFieldValues     []*string       `json:"orderFieldValues"`
	Filter               json.RawMessage `json:"filter,omitempty"`
	IsPrevious           bool            `json:"isPrevious"`
	Query                json.RawMessage `json:"query,omitempty"`
	FirstSortFieldValues []*string       `json:"firstSortFieldValues,omitempty"`
	TotalItems           *float64        `json:"totalItems,omitempty"`
}

type cursorOrder struct {
	Field string `json:"field"`
	Order string `json:"order,omitempty"`
}

type cursorFullText struct {
	Term   string   `json:"term"`
	Fields []string `json:"fields,omitempty"`
}

func (c queryCursor) encode() string {
	b, err := json.Marshal(c)
	if err != nil {
		panic("httpapi: cursor does not marshal: " + err.Error())
	}
	return base64.StdEncoding.EncodeToString(b)
}

// decodeCursor reads a cursor and checks it as Backstage checks one (its
// schema): a cursor it could have written is taken, whoever wrote it.
func decodeCursor(s string) (queryCursor, catalog.Predicate, error) {
	var c queryCursor
	b, err := checkCursor(s)
	if err != nil {
		return c, catalog.Predicate{}, err
	}
	if err := json.Unmarshal(b, &c); err != nil {
		return c, catalog.Predicate{}, inputError("Malformed cursor: %v", err)
	}
	for _, o := range c.OrderFields {
		if o.Order != "asc" && o.Order != "desc" {
			return c, catalog.Predicate{}, inputError("Malformed cursor: orderFields: order must be asc or desc")
		}
	}
	if c.OrderFields == nil || c.OrderFieldValues == nil {
		return c, catalog.Predicate{}, inputError("Malformed cursor: orderFields and orderFieldValues must be arrays")
	}
	where, err := c.where()
	return c, where, err
}

// checkCursor decodes a cursor's JSON and checks that it is an object with
// the properties every cursor has.
func checkCursor(s string) ([]byte, error) {
	b, ok := decodeBase64(s)
	if !ok {
		return nil, inputError("Malformed cursor: it is not base64")
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var raw any
	if err := dec.Decode(&raw); err != nil {
		return nil, inputError("Malformed cursor: not JSON (%v)", err)
	}
	obj, ok := raw.(map[string]any)
	if !ok {
		return nil, inputError("Malformed cursor: expected an object, got %s", compact(raw))
	}
	var missing []string
	for _, k := range []string{"orderFields", "orderFieldValues", "isPrevious"} {
		if _, ok := obj[k]; !ok {
			missing = append(missing, k)
		}
	}
	if len(missing) > 0 {
		return nil, inputError("Malformed cursor: %s required", strings.Join(missing, ", "))
	}
	return b, nil
}

// where is what the cursor's filter and query select.
func (c queryCursor) where() (catalog.Predicate, error) {
	pp := predicateParser{what: "cursor"}
	var preds []catalog.Predicate
	if len(c.Filter) > 0 && !bytes.Equal(c.Filter, []byte("null")) {
		var f any
		if err := json.Unmarshal(c.Filter, &f); err != nil {
			return catalog.Predicate{}, inputError("Malformed cursor: %v", err)
		}
		p, err := parseEntityFilter(f, 0, &pp)
		if err != nil {
			return catalog.Predicate{}, err
		}
		preds = append(preds, p)
	}
	if len(c.Query) > 0 && !bytes.Equal(c.Query, []byte("null")) {
		p, err := parsePredicate(c.Query, "cursor query")
		if err != nil {
			return catalog.Predicate{}, err
		}
		preds = append(preds, p)
	}
	where := catalog.All()
	switch len(preds) {
	case 1:
		where = preds[0]
	case 2:
		where = catalog.All(preds...)
	}
	return where, nil
}

// afterCursor is the after cursor of GET /entities, as Backstage writes it:
// base64 JSON of the next page's limit and offset.
type afterCursor struct {
	Limit  *int `json:"limit,omitempty"`
	Offset *int `json:"offset,omitempty"`
}

func (c afterCursor) encode() string {
	b, _ := json.Marshal(c)
	return base64.StdEncoding.EncodeToString(b)
}

func decodeAfter(s string) (afterCursor, error) {
	var raw map[string]any
	b, ok := decodeBase64(s)
	if !ok || json.Unmarshal(b, &raw) != nil || raw == nil {
		return afterCursor{}, inputError("Malformed after cursor, could not be parsed")
	}
	var c afterCursor
	for k, dst := range map[string]**int{"limit": &c.Limit, "offset": &c.Offset} {
		v, ok := raw[k]
		if !ok {
			continue
		}
		f, isNum := v.(float64)
		if !isNum || f != float64(int(f)) {
			if k == "limit" {
				return afterCursor{}, inputError("Malformed after cursor, limit was not an number")
			}
			return afterCursor{}, inputError("Malformed after cursor, offset was not a number")
		}
		n := max(int(f), 0)
		*dst = &n
	}
	return c, nil
}

// decodeBase64 reads base64 as Backstage does: the standard or the URL
// alphabet, padded or not.
func decodeBase64(s string) ([]byte, bool) {
	s = strings.TrimRight(strings.TrimSpace(s), "=")
	b, err := base64.RawStdEncoding.DecodeString(s)
	if err != nil {
		b, err = base64.RawURLEncoding.DecodeString(s)
	}
	return b, err == nil
}
