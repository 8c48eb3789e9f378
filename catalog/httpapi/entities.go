package httpapi

import (
	"errors"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/callboard/callboard/catalog"
	"github.com/gorilla/mux"
)

// getEntities serves GET /entities: every entity that matches the filter,
// as a JSON array, written as it is read. limit/offset/after page it; when
// more remain, a Link header (rel="next") carries the after cursor of the
// next page, as in Backstage.
func (h *handler) getEntities(w http.ResponseWriter, r *http.Request) error {
	p, err := parseParams(r.URL, entitiesParams)
	if err != nil {
		return err
	}
	filter, err := parseFilter(p.all("filter"))
	if err != nil {
		return err
	}
	fields, err := parseFields(p.all("fields"))
	if err != nil {
		return err
	}
	order, err := parseOrder(p.all("order"))
	if err != nil {
		return err
	}
	limit, hasLimit, offset, err := entitiesPage(p)
	if err != nil {
		return err
	}
	paged := hasLimit || p.has("offset") || p.has("after")
	iw := newItemWriter(w, "[", fields)
	if !paged && len(order) > 0 {
		// Unpaged, Backstage answers as by-query does: by the first order
		// field only, without the entities that lack it.
		pq := catalog.PageQuery{Where: filter.Predicate(), SortField: order[0].Field, Desc: order[0].Desc, Limit: math.MaxInt32, Estimate: -1}
		_, err = h.rd.QueryPage(r.Context(), pq, iw.item)
	} else {
		if !hasLimit {
			limit = 0 // all of them, streamed
		}
		q := catalog.ListQuery{Where: filter.Predicate(), Order: order, Offset: offset, Limit: limit}
		err = h.rd.ListEntities(r.Context(), q, func(more bool) {
			if more {
				next := offset + limit
				w.Header().Set("Link", nextLink(r, afterCursor{Limit: &limit, Offset: &next}))
			}
		}, iw.item)
	}
	if err == nil {
		err = iw.finish("]")
	}
	if err != nil && iw.started {
		return &streamError{err}
	}
	return err
}

// entitiesPage reads GET /entities' limit and offset, which an after
// cursor overrides.
func entitiesPage(p params) (limit int, hasLimit bool, offset int, err error) {
	limit, hasLimit = p.integer("limit")
	offset, _ = p.integer("offset")
	if hasLimit && limit <= 0 {
		return 0, false, 0, inputError("Invalid limit, must be greater than zero")
	}
	if after, ok := p.str("after"); ok {
		c, err := decodeAfter(after)
		if err != nil {
			return 0, false, 0, err
		}
		if c.Limit != nil {
			limit, hasLimit = *c.Limit, true
		}
		if c.Offset != nil {
			offset = *c.Offset
		}
	}
	return limit, hasLimit, offset, nil
}

// nextLink is the Link header of the next page, as Backstage writes it:
// the request's own path and parameters, relative to the API's base,
// without offset and with after set (in place, when it was given).
func nextLink(r *http.Request, c afterCursor) string {
	type pair struct{ k, v string }
	var pairs []pair
	afterAt := -1
	for part := range strings.SplitSeq(r.URL.RawQuery, "&") {
		if part == "" {
			continue
		}
		k, v, _ := strings.Cut(part, "=")
		k, _ = url.QueryUnescape(k)
		v, _ = url.QueryUnescape(v)
		switch {
		case k == "offset":
		case k == "after" && afterAt >= 0:
		case k == "after":
			afterAt = len(pairs)
			pairs = append(pairs, pair{k, ""})
		default:
			pairs = append(pairs, pair{k, v})
		}
	}
	if afterAt < 0 {
		afterAt = len(pairs)
		pairs = append(pairs, pair{"after", ""})
	}
	pairs[afterAt].v = c.encode()
	var b strings.Builder
	b.WriteString("<")
	b.WriteString(strings.TrimPrefix(r.URL.EscapedPath(), Prefix))
	for i, p := range pairs {
		if i == 0 {
			b.WriteByte('?')
		} else {
			b.WriteByte('&')
		}
		b.WriteString(formEncode(p.k))
		b.WriteByte('=')
		b.WriteString(formEncode(p.v))
	}
	b.WriteString(`>; rel="next"`)
	return b.String()
}

// formEncode encodes s as a browser's URLSearchParams does
// (application/x-www-form-urlencoded): letters, digits and *-._ as they
// are, a space as +, every other byte as %XX.
func formEncode(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '*', c == '-', c == '.', c == '_':
			b.WriteByte(c)
		case c == ' ':
			b.WriteByte('+')
		default:
			b.WriteByte('%')
			b.WriteByte("0123456789ABCDEF"[c>>4])
			b.WriteByte("0123456789ABCDEF"[c&15])
		}
	}
	return b.String()
}

// getEntityByName serves GET /entities/by-name/{kind}/{namespace}/{name}.
func (h *handler) getEntityByName(w http.ResponseWriter, r *http.Request) error {
	if _, err := parseParams(r.URL, noParams); err != nil {
		return err
	}
	vars := mux.Vars(r)
	return h.entityByName(w, r, vars["kind"], vars["namespace"], vars["name"])
}

// getEntityByNamePath serves what the by-name route misses: a trailing
// slash, a name with an encoded slash (one segment, as Backstage reads it),
// and the ancestry of an entity, which callboard does not keep.
func (h *handler) getEntityByNamePath(w http.ResponseWriter, r *http.Request) error {
	rest := strings.TrimPrefix(r.URL.EscapedPath(), Prefix+"/entities/by-name/")
	rest = strings.TrimSuffix(rest, "/")
	parts := strings.Split(rest, "/")
	for i, s := range parts {
		u, err := url.PathUnescape(s)
		if err != nil || s == "" {
			return notFoundError("callboard serves a read-only subset of the catalog API; there is no %s %s", r.Method, strings.TrimPrefix(r.URL.Path, Prefix))
		}
		parts[i] = u
	}
	switch {
	case len(parts) == 3:
		if _, err := parseParams(r.URL, noParams); err != nil {
			return err
		}
		return h.entityByName(w, r, parts[0], parts[1], parts[2])
	case len(parts) == 4 && parts[3] == "ancestry":
		return notImplementedError("callboard does not keep which Location led to an entity, so it has no ancestry to show; the entity's backstage.io/managed-by-location annotation names the file that declares it")
	}
	return notFoundError("callboard serves a read-only subset of the catalog API; there is no %s %s", r.Method, strings.TrimPrefix(r.URL.Path, Prefix))
}

func (h *handler) entityByName(w http.ResponseWriter, r *http.Request, kind, namespace, name string) error {
	ref := catalog.Ref{Kind: kind, Namespace: namespace, Name: name}
	b, err := h.rd.EntityJSON(r.Context(), ref)
	if errors.Is(err, catalog.ErrNotFound) {
		return notFoundError("No entity named '%s' found, with kind '%s' in namespace '%s'", name, kind, namespace)
	}
	if err != nil {
		return err
	}
	return writeRawJSON(w, http.StatusOK, b)
}

// getEntityByUID serves GET /entities/by-uid/{uid}.
func (h *handler) getEntityByUID(w http.ResponseWriter, r *http.Request) error {
	if _, err := parseParams(r.URL, noParams); err != nil {
		return err
	}
	uid := mux.Vars(r)["uid"]
	b, err := h.rd.EntityJSONByUID(r.Context(), uid)
	if errors.Is(err, catalog.ErrNotFound) {
		return notFoundError("No entity with uid %s", uid)
	}
	if err != nil {
		return err
	}
	return writeRawJSON(w, http.StatusOK, b)
}

// parseFilter reads Backstage's filter parameters: each one is a filter set
// of comma-separated conditions ("kind=component,spec.type=service") that
// must all hold; a key given alone must exist; a key given twice (as
// written) matches any of its values, a value given beside a bare key wins
// over it; the sets are alternatives. Repeated sets and values are merged
// before the caps are counted.
func parseFilter(ps []string) (catalog.Filter, error) {
	var f catalog.Filter
	for _, p := range ps {
		var set catalog.FilterSet
		index := map[string]int{}
		for stmt := range strings.SplitSeq(p, ",") {
			stmt = strings.TrimSpace(stmt)
			if stmt == "" {
				continue
			}
			key, value, hasValue := strings.Cut(stmt, "=")
			key = strings.TrimSpace(key)
			if key == "" {
				return nil, inputError("Invalid filter, '%s' is not a valid statement (expected a string on the form a=b or a= or a)", stmt)
			}
			i, seen := index[key]
			if !seen {
				i = len(set)
				index[key] = i
				set = append(set, catalog.Condition{Key: strings.ToLower(key)})
			}
			if hasValue {
				if v := strings.TrimSpace(value); !slices.Contains(set[i].Values, v) {
					set[i].Values = append(set[i].Values, v)
				}
			}
		}
		if len(set) > 0 {
			f = append(f, set)
		}
	}
	f = dedupeSets(f)
	if len(f) > MaxFilterSets {
		return nil, inputError("invalid filter: more than %d filter parameters (alternatives)", MaxFilterSets)
	}
	terms := 0
	for _, set := range f {
		for _, c := range set {
			terms += 1 + len(c.Values)
		}
	}
	if terms > MaxFilterTerms {
		return nil, inputError("invalid filter: more than %d conditions", MaxFilterTerms)
	}
	return f, nil
}

// dedupeSets drops filter sets that repeat an earlier one: the same
// conditions, in any order, are the same alternative.
func dedupeSets(f catalog.Filter) catalog.Filter {
	seen := map[string]bool{}
	out := f[:0]
	for _, set := range f {
		conds := make([]string, len(set))
		for i, c := range set {
			vals := slices.Clone(c.Values)
			slices.Sort(vals)
			conds[i] = c.Key + "\x00" + strings.Join(slices.Compact(vals), "\x01")
			if c.Values == nil {
				conds[i] += "\x02" // exists, not "equals nothing"
			}
		}
		slices.Sort(conds)
		key := strings.Join(conds, "\x03")
		if !seen[key] {
			seen[key] = true
			out = append(out, set)
		}
	}
	return out
}

// parseOrder reads /entities' order parameters: "asc:metadata.name".
func parseOrder(ps []string) ([]catalog.Order, error) {
	var out []catalog.Order
	for _, p := range ps {
		dir, field, ok := strings.Cut(p, ":")
		if !ok || field == "" || (dir != "asc" && dir != "desc") {
			return nil, inputError(`Invalid order parameter %q, expected "<asc or desc>:<field name>"`, p)
		}
		o := catalog.Order{Field: strings.ToLower(field), Desc: dir == "desc"}
		if !slices.ContainsFunc(out, func(x catalog.Order) bool { return x.Field == o.Field }) {
			out = append(out, o) // a later term of the same field sorts nothing the first did not
		}
	}
	if len(out) > MaxOrderFields {
		return nil, inputError("invalid order: more than %d fields to sort by", MaxOrderFields)
	}
	return out, nil
}
