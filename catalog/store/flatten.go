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
	f := flattener{seen: map[string]bool{}}
	f.walk("", m)
	return f.out
}

// flattener gathers an entity's rows, each (key, lower-cased value) once.
type flattener struct {
	out  []keyValue
	seen map[string]bool
}

func (f *flattener) add(key string, v *string) {
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
	if f.seen[id] {
		return
	}
	f.seen[id] = true
	f.out = append(f.out, kv)
}

func (f *flattener) walk(path string, v any) {
	switch t := v.(type) {
	case map[string]any:
		for k, val := range t {
			if path != "" {
				k = path + "." + k
			}
			f.walk(k, val)
		}
	case []any:
		for _, it := range t {
			f.walk(path, it)
			if s, ok := it.(string); ok {
				item := "true"
				f.add(path+"."+s, &item)
			}
		}
	case string:
		f.add(path, &t)
	case bool:
		s := strconv.FormatBool(t)
		f.add(path, &s)
	case float64:
		s := strconv.FormatFloat(t, 'f', -1, 64)
		f.add(path, &s)
	case nil:
		f.add(path, nil)
	}
}
