package catalog

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"

	"go.yaml.in/yaml/v3"
)

// Limits on the placeholders of one file: each may read a file of up to
// maxPlaceholder bytes, and a file of a few kilobytes can hold hundreds.
const (
	MaxPlaceholders     = 50      // $text/$json/$yaml placeholders resolved per file
	MaxPlaceholderBytes = 4 << 20 // bytes they may pull in, per file, counted at each use
)

// errPlaceholderBudget stops a file's placeholders past its limits.
var errPlaceholderBudget = errors.New("over the placeholder budget")

// placeholderBudget counts what one file's placeholders resolve.
type placeholderBudget struct {
	resolve Resolver
	n       int
	bytes   int
	over    string // why the budget ran out, once it did
}

// read resolves one placeholder within the file's budget.
func (b *placeholderBudget) read(target string) ([]byte, error) {
	if b.over != "" {
		return nil, errPlaceholderBudget
	}
	if b.n++; b.n > MaxPlaceholders {
		b.over = fmt.Sprintf("more than %d placeholders ($text, $json, $yaml) in one file; the rest are not read", MaxPlaceholders)
		return nil, errPlaceholderBudget
	}
	data, err := b.resolve(target)
	if err != nil {
		return data, err
	}
	if b.bytes += len(data); b.bytes > MaxPlaceholderBytes {
		b.over = fmt.Sprintf("placeholders pull more than %d MB into one file; the rest are not read", MaxPlaceholderBytes>>20)
		return nil, errPlaceholderBudget
	}
	return data, nil
}

// resolvePlaceholders replaces {"$text": target}, {"$json": target} and
// {"$yaml": target} objects with the target's content, as Backstage's
// placeholder processor does. Like Backstage, it leaves such an object alone
// when the target is not a string: it may be JSON Schema, not a placeholder.
func resolvePlaceholders(v any, path string, repo *RepoFile, resolve Resolver, p *Parsed) []Problem {
	var problems []Problem
	var walk func(v any, path string) any
	walk = func(v any, path string) any {
		switch t := v.(type) {
		case map[string]any:
			if len(t) == 1 {
				for k, target := range t {
					if s, ok := target.(string); ok && (k == "$text" || k == "$json" || k == "$yaml") {
						val, err := placeholder(k, s, repo, resolve)
						if errors.Is(err, errPlaceholderBudget) {
							problems = append(problems, Problem{Line: p.LineOf(path), Field: path, Message: errPlaceholderBudget.Error()})
							return v
						}
						if err != nil {
							problems = append(problems, Problem{Line: p.LineOf(path), Field: path, Message: err.Error()})
							return v
						}
						return val
					}
				}
			}
			// In key order, so that problems (and reads) come in the same order every time.
			for _, k := range slices.Sorted(maps.Keys(t)) {
				t[k] = walk(t[k], joinPath(path, k))
			}
			return t
		case []any:
			for i, val := range t {
				t[i] = walk(val, fmt.Sprintf("%s[%d]", path, i))
			}
			return t
		}
		return v
	}
	walk(v, path)
	return problems
}

func placeholder(kind, target string, repo *RepoFile, resolve Resolver) (any, error) {
	if target == "" {
		return nil, fmt.Errorf("placeholder %s needs a file name or URL", kind)
	}
	read := target
	if isURL(target) {
		// As Backstage: a URL is read only when it names a file of the same
		// repository, and then as that file, within the same budget.
		rel, err := repo.relativeTarget(target)
		if err != nil {
			return nil, fmt.Errorf("placeholder %s %s: %v", kind, target, err)
		}
		read = rel
	}
	if resolve == nil {
		return nil, fmt.Errorf("placeholder %s %s cannot be read here", kind, target)
	}
	data, err := resolve(read)
	if errors.Is(err, errPlaceholderBudget) {
		return nil, err
	}
	if errors.Is(err, ErrNotFetched) {
		// Left as a pointer to the document rather than an error: the entity is
		// still worth having, and its definition is one click away.
		return target, nil
	}
	if err != nil {
		return nil, fmt.Errorf("placeholder %s %s: %v", kind, target, err)
	}
	if len(data) > maxPlaceholder {
		return nil, fmt.Errorf("placeholder %s %s: %d bytes is over the %d limit", kind, target, len(data), maxPlaceholder)
	}
	switch kind {
	case "$json":
		var v any
		if err := json.Unmarshal(data, &v); err != nil {
			return nil, fmt.Errorf("placeholder $json %s: %v", target, err)
		}
		return v, nil
	case "$yaml":
		v, err := placeholderYAML(data)
		if err != nil {
			return nil, fmt.Errorf("placeholder $yaml %s: %v", target, err)
		}
		return v, nil
	}
	return string(data), nil
}

// placeholderYAML decodes a $yaml target, which must hold one document. It
// goes through the same limits as a catalog file: a target can be a bomb too.
func placeholderYAML(data []byte) (any, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); errors.Is(err, io.EOF) {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	for {
		var next yaml.Node
		err := dec.Decode(&next)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		if len(next.Content) > 0 {
			return nil, fmt.Errorf("holds more than one YAML document")
		}
	}
	if len(doc.Content) == 0 {
		return nil, nil
	}
	v, err := decodeNode(doc.Content[0], map[string]int{})
	var ne *nodeError
	if errors.As(err, &ne) && ne.line > 0 {
		return nil, fmt.Errorf("line %d: %s", ne.line, ne.msg)
	}
	return v, err
}
