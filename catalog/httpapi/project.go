package httpapi

import (
	"bytes"
	"encoding/json"
	"strings"

	"github.com/callboard/callboard/catalog"
)

// render turns entities into what a response carries: the entity itself, or
// with fields, only those parts of it; nil stays nil (JSON null).
func render(es []*catalog.Entity, fields []string) ([]any, error) {
	out := make([]any, len(es))
	for i, e := range es {
		if e == nil {
			continue
		}
		if len(fields) == 0 {
			out[i] = e
			continue
		}
		p, err := project(e, fields)
		if err != nil {
			return nil, err
		}
		out[i] = p
	}
	return out, nil
}

// project keeps only the given dotted paths of an entity, as Backstage's
// fields parameter does: "metadata.name,spec.owner" gives
// {"metadata":{"name":...},"spec":{"owner":...}}; a path that names a subtree
// keeps all of it; a path the entity lacks is left out. Keys are matched
// exactly, and a part that is not a key is joined with the next one, so
// "metadata.annotations.backstage.io/techdocs-ref" finds the annotation.
func project(e *catalog.Entity, fields []string) (map[string]any, error) {
	b, err := json.Marshal(e)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		return nil, err
	}
	out := map[string]any{}
	for _, f := range fields {
		path, v, ok := lookup(m, f)
		if ok {
			set(out, path, v)
		}
	}
	return out, nil
}

func lookup(m map[string]any, field string) ([]string, any, bool) {
	parts := strings.Split(field, ".")
	var path []string
	var cur any = m
	for i := 0; i < len(parts); i++ {
		obj, _ := cur.(map[string]any)
		if v, ok := obj[parts[i]]; ok {
			path = append(path, parts[i])
			cur = v
			continue
		}
		if i+1 < len(parts) {
			parts[i+1] = parts[i] + "." + parts[i+1]
			continue
		}
		return nil, nil, false
	}
	return path, cur, true
}

func set(out map[string]any, path []string, v any) {
	for _, p := range path[:len(path)-1] {
		next, ok := out[p].(map[string]any)
		if !ok {
			next = map[string]any{}
			out[p] = next
		}
		out = next
	}
	out[path[len(path)-1]] = v
}
