package httpapi

import (
	"bufio"
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"sync"
)

// parseFields reads the fields to keep of each entity (the fields
// parameter, comma separated, and a body's fields), once each.
func parseFields(lists ...[]string) ([]string, error) {
	var out []string
	seen := map[string]bool{}
	for _, l := range lists {
		for _, f := range l {
			for part := range strings.SplitSeq(f, ",") {
				part = strings.TrimSpace(part)
				if part == "" || seen[part] {
					continue
				}
				seen[part] = true
				out = append(out, part)
			}
		}
	}
	for _, f := range out {
		if strings.Contains(f, "[") {
			return nil, inputError("Invalid field %q, array type fields are not supported", f)
		}
	}
	return out, nil
}

// project keeps only the given dotted paths of an entity (JSON), as
// Backstage's fields parameter does: "metadata.name,spec.owner" gives
// {"metadata":{"name":...},"spec":{"owner":...}}; a path that names a
// subtree keeps all of it; a path the entity lacks is left out. Keys are
// matched exactly, and a part that is not a key is joined with the next
// one, so "metadata.annotations.backstage.io/techdocs-ref" finds the
// annotation.
func project(entity []byte, fields []string) ([]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(entity))
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
	return marshal(out)
}

// marshal encodes v without escaping HTML characters, as JavaScript's
// JSON.stringify writes them.
func marshal(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
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

// itemWriter writes a JSON response whose entities are written as they
// are read: the status and headers go out with the first of them, so a
// failure before it is still an error response, and one after it cuts the
// response short (the handler aborts it) rather than ending it well-formed.
type itemWriter struct {
	w       http.ResponseWriter
	bw      *bufio.Writer
	fields  []string
	prefix  string // written before the first item: `[` or `{"items":[`
	started bool
	n       int
}

func newItemWriter(w http.ResponseWriter, prefix string, fields []string) *itemWriter {
	return &itemWriter{w: w, prefix: prefix, fields: fields}
}

// start sends the headers and the prefix.
func (iw *itemWriter) start() {
	if iw.started {
		return
	}
	iw.started = true
	iw.w.Header().Set("Content-Type", "application/json; charset=utf-8")
	iw.w.WriteHeader(http.StatusOK)
	iw.bw = writers.Get().(*bufio.Writer)
	iw.bw.Reset(iw.w)
	iw.bw.WriteString(iw.prefix)
}

// item writes one entity (null for nil), projected to the fields asked for.
func (iw *itemWriter) item(entity []byte) error {
	iw.start()
	if iw.n > 0 {
		iw.bw.WriteByte(',')
	}
	iw.n++
	if entity == nil {
		_, err := iw.bw.WriteString("null")
		return err
	}
	if len(iw.fields) > 0 {
		p, err := project(entity, iw.fields)
		if err != nil {
			return err
		}
		entity = p
	}
	_, err := iw.bw.Write(entity)
	return err
}

// finish writes the rest of the response after the items.
func (iw *itemWriter) finish(suffix string) error {
	iw.start()
	iw.bw.WriteString(suffix)
	err := iw.bw.Flush()
	iw.bw.Reset(nil)
	writers.Put(iw.bw)
	iw.bw = nil
	return err
}

// writers are the responses' buffers, used again: a 32 KB buffer each
// request was most of what a page of a few entities allocated. A response
// cut short leaves its buffer to the collector.
var writers = sync.Pool{New: func() any { return bufio.NewWriterSize(nil, 32<<10) }}
