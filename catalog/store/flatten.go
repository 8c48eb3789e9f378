package store

import (
	"encoding/json"
	"strconv"
	"strings"
)

// maxValueLength is the longest value kept for filtering; a longer one (an
// inline API definition, say) is indexed as "present" only, as Backstage does.
const maxValueLength = 200

// maxKeyLength is the longest key indexed; Backstage leaves longer ones out.
const maxKeyLength = 200

// keyValue is one row of an entity's search index.
type keyValue struct {
	key      string  // lower-case dotted path
	value    *string // lower-cased; nil for null, or a value too long to index
	original string  // the value as written (when value is not nil)
}

// flatten turns an entity body into the rows of its search index, as
// Backstage's search table holds them: one row per scalar leaf ("kind",
// "metadata.name", "metadata.annotations.github.com/team-slug",
// "spec.owner"), lists walked through ("spec.providesapis", one row per
// item), and for each string item of a list a row "LIST.ITEM" with the value
// "true" (so metadata.tags.java matches the tag "java"). Empty lists and
// objects have no row. Rows repeat no (key, lower-cased value) pair; the
// first one written keeps its original.
func flatten(body []byte) []keyValue {
	var m map[string]any
	if err := json.Unmarshal(body, &m); err != nil {
		return nil
	}
	delete(m, "relations") // served from the relations table
	var out []keyValue
	seen := map[string]bool{}
	add := func(key string, v *string) {
		key = strings.ToLower(key)
		if len(key) > maxKeyLength {
			return
		}
		kv := keyValue{key: key}
		id := key + "\x00"
		if v != nil && len(*v) <= maxValueLength {
			lv := strings.ToLower(*v)
			kv.value, kv.original = &lv, *v
			id += "\x01" + lv
		}
		if seen[id] {
			return
		}
		seen[id] = true
		out = append(out, kv)
	}
	var walk func(path string, v any)
	walk = func(path string, v any) {
		switch t := v.(type) {
		case map[string]any:
			for k, val := range t {
				if path != "" {
					k = path + "." + k
				}
				walk(k, val)
			}
		case []any:
			for _, it := range t {
				walk(path, it)
				if s, ok := it.(string); ok {
					item := "true"
					add(path+"."+s, &item)
				}
			}
		case string:
			add(path, &t)
		case bool:
			s := strconv.FormatBool(t)
			add(path, &s)
		case float64:
			s := strconv.FormatFloat(t, 'f', -1, 64)
			add(path, &s)
		case nil:
			add(path, nil)
		}
	}
	walk("", m)
	return out
}
