package store

import (
	"encoding/json"
	"strconv"
	"strings"

	"github.com/callboard/callboard/catalog"
)

// maxValueLength is the longest value kept for filtering; a longer one (an
// inline API definition, say) is indexed as "present" only, as Backstage does.
const maxValueLength = 200

type keyValue struct {
	key   string
	value *string
}

// flatten turns an entity into lower-cased key/value pairs: "kind",
// "metadata.name", "metadata.annotations.github.com/team-slug",
// "spec.owner", "spec.providesapis" (one pair per item), and so on.
func flatten(body []byte) []keyValue {
	kvs := flattenJSON(body)
	for i, kv := range kvs {
		if kv.value != nil {
			if len(*kv.value) > maxValueLength {
				kvs[i].value = nil
				continue
			}
			lv := strings.ToLower(*kv.value)
			kvs[i].value = &lv
		}
	}
	return kvs
}

// flattenJSON is flatten with values as written and of any length.
func flattenJSON(b []byte) []keyValue {
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		return nil
	}
	delete(m, "relations")
	if md, ok := m["metadata"].(map[string]any); ok {
		if _, has := md["namespace"]; !has {
			md["namespace"] = catalog.DefaultNamespace
		}
	}
	var out []keyValue
	seen := map[string]bool{}
	add := func(k string, v *string) {
		id := k
		if v != nil {
			id += "\x00" + *v
		}
		if seen[id] {
			return
		}
		seen[id] = true
		out = append(out, keyValue{k, v})
	}
	var walk func(prefix string, v any)
	walk = func(prefix string, v any) {
		switch t := v.(type) {
		case map[string]any:
			// No row for the object itself: "key exists" also matches keys
			// below it (see whereFilter), which keeps the index small.
			for k, val := range t {
				key := strings.ToLower(k)
				if prefix != "" {
					key = prefix + "." + key
				}
				walk(key, val)
			}
		case []any:
			for _, it := range t {
				walk(prefix, it)
			}
		case string:
			addScalar(add, prefix, t)
		case bool:
			addScalar(add, prefix, strconv.FormatBool(t))
		case float64:
			addScalar(add, prefix, strconv.FormatFloat(t, 'f', -1, 64))
		case nil:
			add(prefix, nil)
		}
		// an empty list or object still exists
		if m, ok := v.(map[string]any); ok && len(m) == 0 && prefix != "" {
			add(prefix, nil)
		}
		if l, ok := v.([]any); ok && len(l) == 0 {
			add(prefix, nil)
		}
	}
	walk("", m)
	return out
}

func addScalar(add func(string, *string), key, v string) {
	add(key, &v)
}
