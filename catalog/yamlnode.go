package catalog

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"iter"
	"math"

	"go.yaml.in/yaml/v3"
)

// nodeError is a problem at one place in a YAML document.
type nodeError struct {
	line  int
	field string
	msg   string
}

func (e *nodeError) Error() string { return e.msg }

func errAt(n *yaml.Node, field, format string, args ...any) error {
	return &nodeError{line: n.Line, field: field, msg: fmt.Sprintf(format, args...)}
}

// nodeProblem turns a decoding error into a Problem at the line it names, or at line.
func nodeProblem(file string, line int, err error) Problem {
	var ne *nodeError
	if errors.As(err, &ne) {
		if ne.line > 0 {
			line = ne.line
		}
		return Problem{File: file, Line: line, Field: ne.field, Message: ne.msg}
	}
	return Problem{File: file, Line: line, Message: err.Error()}
}

// decodeNode turns a document's root node into plain values, recording each
// field's line in lines. The document is measured first, so an alias bomb is
// refused before anything is built.
func decodeNode(root *yaml.Node, lines map[string]int) (any, error) {
	var aliased int
	return decodeNodeWithin(root, lines, &aliased)
}

// decodeNodeWithin is decodeNode for one document of a file, counting in
// fileAliased the nodes aliases add across the file: without a count of
// documents, a file of many small alias-heavy documents must not expand
// without bound either.
func decodeNodeWithin(root *yaml.Node, lines map[string]int, fileAliased *int) (any, error) {
	m := sizer{sizes: map[*yaml.Node]int{}}
	if _, err := m.walk(root, 0); err != nil {
		return nil, err
	}
	if *fileAliased += m.aliased; *fileAliased > maxAliasPerFile {
		return nil, errAt(root, "", "aliases expand the file by more than %d YAML nodes", maxAliasPerFile)
	}
	c := converter{lines: lines, budget: maxNodesPerDoc}
	return c.convert(root, "", 0)
}

// sizer counts the nodes a document expands to once aliases are followed,
// without expanding them: each anchored node's size is remembered, so the
// cost is one visit per node written in the file.
type sizer struct {
	sizes   map[*yaml.Node]int // expanded size of each anchored node; -1 while it is being walked
	nodes   int                // nodes of the expanded document so far
	aliased int                // of those, nodes that aliases copied
}

func (s *sizer) walk(n *yaml.Node, depth int) (int, error) {
	if depth > maxDepth {
		return 0, errAt(n, "", "document nests deeper than %d levels", maxDepth)
	}
	if n.Kind == yaml.AliasNode {
		if n.Alias == nil {
			return 0, errAt(n, "", "alias *%s names no anchor", n.Value)
		}
		size, ok := s.sizes[n.Alias]
		if !ok {
			// An anchor comes before its aliases, so it has been walked, unless
			// it is in an earlier document: yaml's decoder lets anchors carry
			// over ---, which YAML (and Backstage) do not.
			return 0, errAt(n, "", "alias *%s names an anchor of another document", n.Value)
		}
		if size < 0 {
			return 0, errAt(n, "", "alias *%s is inside the node it names", n.Value)
		}
		s.aliased += size
		s.nodes += size
		if s.aliased > maxAliasNodes {
			return 0, errAt(n, "", "aliases expand the document by more than %d YAML nodes", maxAliasNodes)
		}
		if s.nodes > maxNodesPerDoc {
			return 0, errAt(n, "", "document expands to more than %d YAML nodes", maxNodesPerDoc)
		}
		return size, nil
	}
	s.nodes++
	if s.nodes > maxNodesPerDoc {
		return 0, errAt(n, "", "document has more than %d YAML nodes", maxNodesPerDoc)
	}
	if n.Anchor != "" {
		s.sizes[n] = -1
	}
	size := 1
	for _, child := range n.Content {
		cs, err := s.walk(child, depth+1)
		if err != nil {
			return 0, err
		}
		size += cs
	}
	if n.Anchor != "" {
		s.sizes[n] = size
	}
	return size, nil
}

// converter turns a yaml.Node tree into plain Go values (the shapes
// encoding/json produces), expanding aliases and merge keys, and recording
// each field's line. The budget and depth checks repeat the sizer's as a
// second guard.
type converter struct {
	lines  map[string]int
	budget int
}

func joinPath(base, key string) string {
	if base == "" {
		return key
	}
	return base + "." + key
}

func (c *converter) convert(n *yaml.Node, path string, depth int) (any, error) {
	c.budget--
	if c.budget < 0 {
		return nil, errAt(n, path, "document expands to more than %d YAML nodes", maxNodesPerDoc)
	}
	if depth > maxDepth {
		return nil, errAt(n, path, "document nests deeper than %d levels", maxDepth)
	}
	if path != "" {
		if _, seen := c.lines[path]; !seen {
			c.lines[path] = n.Line
		}
	}
	switch n.Kind {
	case yaml.AliasNode:
		return c.convert(n.Alias, path, depth+1)
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			return nil, nil
		}
		return c.convert(n.Content[0], path, depth+1)
	case yaml.ScalarNode:
		return scalar(n, path)
	case yaml.SequenceNode:
		return c.sequence(n, path, depth)
	case yaml.MappingNode:
		return c.mapping(n, path, depth)
	}
	return nil, errAt(n, path, "unsupported YAML node")
}

func (c *converter) sequence(n *yaml.Node, path string, depth int) (any, error) {
	out := make([]any, 0, len(n.Content))
	for i, item := range n.Content {
		v, err := c.convert(item, fmt.Sprintf("%s[%d]", path, i), depth+1)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

func (c *converter) mapping(n *yaml.Node, path string, depth int) (any, error) {
	out := make(map[string]any, len(n.Content)/2)
	var merges []*yaml.Node
	for i := 0; i+1 < len(n.Content); i += 2 {
		kn, vn := n.Content[i], n.Content[i+1]
		if kn.Kind == yaml.ScalarNode && kn.Tag == "!!merge" {
			merges = append(merges, vn)
			continue
		}
		if kn.Kind != yaml.ScalarNode {
			return nil, errAt(kn, path, "a mapping key must be a plain value")
		}
		key := kn.Value
		p := joinPath(path, key)
		if _, dup := out[key]; dup {
			return nil, errAt(kn, p, "key %q appears twice", key)
		}
		// Merges are converted after the mapping's own keys, so a key written
		// here keeps its line even when a merged mapping has it too.
		if _, seen := c.lines[p]; !seen {
			c.lines[p] = kn.Line
		}
		v, err := c.convert(vn, p, depth+1)
		if err != nil {
			return nil, err
		}
		out[key] = v
	}
	for _, m := range merges {
		if err := c.merge(out, m, path, depth); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// merge applies a YAML merge key (<<: *base or <<: [*a, *b]): keys already
// present win, and of the merged mappings the first wins.
func (c *converter) merge(out map[string]any, n *yaml.Node, path string, depth int) error {
	deref := func(n *yaml.Node) *yaml.Node {
		if n.Kind == yaml.AliasNode && n.Alias != nil {
			return n.Alias
		}
		return n
	}
	var sources []*yaml.Node
	switch t := deref(n); t.Kind {
	case yaml.MappingNode:
		sources = append(sources, t)
	case yaml.SequenceNode:
		for _, it := range t.Content {
			if it = deref(it); it.Kind != yaml.MappingNode {
				return errAt(it, path, "a merge key (<<) takes a mapping or a list of mappings")
			}
			sources = append(sources, it)
		}
	default:
		return errAt(n, path, "a merge key (<<) takes a mapping or a list of mappings")
	}
	for _, src := range sources {
		v, err := c.convert(src, path, depth+1)
		if err != nil {
			return err
		}
		for k, val := range v.(map[string]any) {
			if _, ok := out[k]; !ok {
				out[k] = val
			}
		}
	}
	return nil
}

func scalar(n *yaml.Node, path string) (any, error) {
	if len(n.Value) > maxScalarLength {
		return nil, errAt(n, path, "a value is longer than %d bytes", maxScalarLength)
	}
	switch n.ShortTag() {
	case "!!null":
		return nil, nil
	case "!!bool":
		var b bool
		if err := n.Decode(&b); err != nil {
			return nil, errAt(n, path, "%v", err)
		}
		return b, nil
	case "!!int":
		var i int64
		if err := n.Decode(&i); err == nil {
			return float64(i), nil
		}
		var f float64
		if err := n.Decode(&f); err != nil {
			return nil, errAt(n, path, "%v", err)
		}
		return f, nil
	case "!!float":
		var f float64
		if err := n.Decode(&f); err != nil {
			return nil, errAt(n, path, "%v", err)
		}
		if math.IsInf(f, 0) || math.IsNaN(f) {
			return n.Value, nil // JSON has no such numbers; keep the text
		}
		return f, nil
	default:
		// strings, timestamps, binary and custom tags are kept as written
		return n.Value, nil
	}
}

// Documents yields the YAML documents of data in order. A syntax error is
// yielded once and ends the stream: it poisons the rest of it.
func Documents(data []byte) iter.Seq2[*yaml.Node, error] {
	return func(yield func(*yaml.Node, error) bool) {
		dec := yaml.NewDecoder(bytes.NewReader(data))
		for {
			doc := new(yaml.Node)
			err := dec.Decode(doc)
			if errors.Is(err, io.EOF) || !yield(doc, err) || err != nil {
				return
			}
		}
	}
}
