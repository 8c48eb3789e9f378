package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"regexp"
)

var jsonContentType = regexp.MustCompile(`^application/json($|;)`)

// readBody reads a POST body as Backstage's backend does: parsed only when
// the request says it is JSON (parsed is false otherwise), an empty one
// being {}, at most MaxBodyBytes.
func readBody(w http.ResponseWriter, r *http.Request) (body map[string]any, parsed bool, err error) {
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBodyBytes))
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return nil, false, inputError("request body is larger than %d bytes", MaxBodyBytes)
	}
	if err != nil {
		return nil, false, err
	}
	if !jsonContentType.MatchString(r.Header.Get("Content-Type")) {
		return map[string]any{}, false, nil
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return map[string]any{}, true, nil
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, false, inputError("invalid JSON in the request body: %v", err)
	}
	if dec.More() {
		return nil, false, inputError("invalid JSON in the request body: more than one JSON value")
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, false, inputError("request/body must be object")
	}
	return obj, true, nil
}

// bodyField is one property of a body's schema, as Backstage's request
// validator checks it.
type bodyField struct {
	name string
	kind string // "array of strings", "string", "number", "object"
}

// checkBody checks body against the fields of a route's schema, reporting
// the first problem in the validator's words.
func checkBody(body map[string]any, required []string, fields []bodyField) error {
	for _, name := range required {
		if _, ok := body[name]; !ok {
			return inputError("request/body must have required property '%s'", name)
		}
	}
	for _, f := range fields {
		v, ok := body[f.name]
		if !ok {
			continue
		}
		switch f.kind {
		case "array of strings":
			items, ok := v.([]any)
			if !ok {
				return inputError("request/body/%s must be array", f.name)
			}
			for i, it := range items {
				if _, ok := it.(string); !ok {
					return inputError("request/body/%s/%d must be string", f.name, i)
				}
			}
		case "string":
			if _, ok := v.(string); !ok {
				return inputError("request/body/%s must be string", f.name)
			}
		case "number":
			if _, ok := v.(json.Number); !ok {
				return inputError("request/body/%s must be number", f.name)
			}
		case "object":
			if _, ok := v.(map[string]any); !ok {
				return inputError("request/body/%s must be object", f.name)
			}
		}
	}
	return nil
}

// strings reads a property checkBody found to be an array of strings.
func bodyStrings(body map[string]any, name string) []string {
	items, _ := body[name].([]any)
	out := make([]string, 0, len(items))
	for _, it := range items {
		s, _ := it.(string)
		out = append(out, s)
	}
	return out
}

// rawJSON re-encodes a property of a parsed body.
func rawJSON(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		return nil
	}
	return b
}

// readPredicateBody reads the body of an endpoint that takes no query
// parameters, and checks it, when it was parsed as JSON, against required
// and fields.
func readPredicateBody(w http.ResponseWriter, r *http.Request, required []string, fields []bodyField) (map[string]any, error) {
	if _, err := parseParams(r.URL, noParams); err != nil {
		return nil, err
	}
	body, parsed, err := readBody(w, r)
	if err != nil {
		return nil, err
	}
	if parsed {
		if err := checkBody(body, required, fields); err != nil {
			return nil, err
		}
	}
	return body, nil
}
