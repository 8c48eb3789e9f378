package catalog

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Limits on one catalog file. They bound the work a hostile or broken file can cause.
const (
	MaxFileSize     = 4 << 20 // bytes; what a file may cost is bounded by its size, not by how many documents it holds
	maxNodesPerDoc  = 200_000 // YAML nodes after alias expansion
	maxAliasNodes   = 10_000  // nodes that aliases may add to a document
	maxAliasPerFile = 200_000 // nodes that aliases may add to a whole file
	maxDepth        = 64
	maxPlaceholder  = 1 << 20 // bytes a $text/$json/$yaml placeholder may pull in
	maxScalarLength = 1 << 20
)

// Problem is one thing wrong with a catalog file: where, which field, what.
type Problem struct {
	File    string `json:"file"`
	Line    int    `json:"line,omitempty"`
	Field   string `json:"field,omitempty"`
	Message string `json:"message"`
	// Entity is the ref of the document's entity when it could be read.
	Entity string `json:"entity,omitempty"`
	// NotEntity marks a document with neither apiVersion nor kind: some other
	// YAML (an OpenAPI file, say) that a directory import may pass over.
	NotEntity bool `json:"-"`
	// DeclaredBy is, for an entity refused because another source declares
	// it, that source.
	DeclaredBy string `json:"-"`
}

// Error prints the problem as "file:line: field: message", the parts it has.
func (p Problem) Error() string {
	var b strings.Builder
	b.WriteString(p.File)
	if p.Line > 0 {
		fmt.Fprintf(&b, ":%d", p.Line)
	}
	b.WriteString(": ")
	if p.Field != "" {
		b.WriteString(p.Field)
		b.WriteString(": ")
	}
	b.WriteString(p.Message)
	return b.String()
}

// Resolver reads a file that a placeholder ($text, $json, $yaml) names,
// relative to the catalog file. It returns ErrNotFetched for targets it will
// not read (another host, say); the placeholder then stays a link.
type Resolver func(target string) ([]byte, error)

// ErrNotFetched tells the parser that a placeholder target was deliberately not read.
var ErrNotFetched = errors.New("not fetched")

// Parsed is one entity read from a file, with where it was found.
type Parsed struct {
	Entity *Entity
	Line   int // line of the document's first key
	lines  map[string]int
}

// LineOf returns the line of a field ("spec.owner", "metadata.tags[1]") in the
// document. For a field that is not in the file (a missing spec.owner) it is
// the line of the nearest enclosing field that is (spec), else the document's.
func (p *Parsed) LineOf(field string) int {
	for field != "" {
		if l, ok := p.lines[field]; ok {
			return l
		}
		field = parentField(field)
	}
	return p.Line
}

// parentField drops the last step of a field path: "spec.steps[0].action" →
// "spec.steps[0]" → "spec.steps" → "spec" → "". Keys with dots in them
// (annotation keys) are found before their parent is tried, so the split
// does not need to know about them.
func parentField(field string) string {
	if strings.HasSuffix(field, "]") {
		if i := strings.LastIndexByte(field, '['); i >= 0 {
			return field[:i]
		}
	}
	if i := strings.LastIndexByte(field, '.'); i >= 0 {
		return field[:i]
	}
	return ""
}

// ParseFile reads every document of a catalog file. Valid entities are
// returned even when other documents in the file have problems; a file that
// is not YAML at all yields only problems.
//
// A placeholder names a file by a path relative to this one; a URL is
// refused (ParseRepoFile reads a URL into the file's own repository).
func ParseFile(name string, data []byte, resolve Resolver) ([]*Parsed, []Problem) {
	return parseFile(name, nil, data, resolve)
}

func parseFile(name string, repo *RepoFile, data []byte, resolve Resolver) ([]*Parsed, []Problem) {
	if len(data) > MaxFileSize {
		return nil, []Problem{{File: name, Message: fmt.Sprintf("file is %d bytes; the limit is %d", len(data), MaxFileSize)}}
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var out []*Parsed
	var problems []Problem
	var budget *placeholderBudget
	if resolve != nil {
		budget = &placeholderBudget{resolve: resolve}
		resolve = budget.read
	}
	overReported := false
	aliased := 0 // nodes aliases added to the file's documents so far
	for {
		var doc yaml.Node
		err := dec.Decode(&doc)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			// A syntax error poisons the rest of the stream: report the file as unreadable.
			return nil, []Problem{{File: name, Line: yamlErrorLine(err), Message: "not valid YAML: " + strings.TrimPrefix(err.Error(), "yaml: ")}}
		}
		// No count of documents: generated files hold tens of thousands, and
		// decoding costs what the bytes cost (an empty document as much as
		// its four bytes), which MaxFileSize bounds.
		if len(doc.Content) == 0 || doc.Content[0].Kind == yaml.ScalarNode && doc.Content[0].ShortTag() == "!!null" {
			continue // declares nothing
		}
		root := doc.Content[0]
		lines := map[string]int{}
		v, err := decodeNodeWithin(root, lines, &aliased)
		if err != nil {
			problems = append(problems, nodeProblem(name, root.Line, err))
			continue
		}
		if v == nil {
			continue
		}
		raw, ok := v.(map[string]any)
		if !ok {
			problems = append(problems, Problem{File: name, Line: root.Line, Message: "document is not a mapping (an entity has apiVersion, kind, metadata and spec)"})
			continue
		}
		// Checked before placeholders, so that other YAML (an OpenAPI file) costs no reads.
		if raw["apiVersion"] == nil && raw["kind"] == nil {
			problems = append(problems, Problem{File: name, Line: root.Line, Message: "not an entity: the document has no apiVersion and no kind", NotEntity: true})
			continue
		}
		p := &Parsed{Line: root.Line, lines: lines}
		if errs := resolvePlaceholders(raw, "", repo, resolve, p); len(errs) > 0 {
			for _, pe := range errs {
				if pe.Message == errPlaceholderBudget.Error() {
					// Said once for the file, where the budget ran out.
					if !overReported {
						overReported = true
						problems = append(problems, Problem{File: name, Line: pe.Line, Field: pe.Field, Message: budget.over})
					}
					continue
				}
				pe.File = name
				problems = append(problems, pe)
			}
			continue
		}
		fieldErrs := ValidateRaw(raw)
		sort.SliceStable(fieldErrs, func(a, b int) bool { return p.LineOf(fieldErrs[a].Field) < p.LineOf(fieldErrs[b].Field) })
		if len(fieldErrs) > 0 {
			ref := rawRef(raw)
			for _, fe := range fieldErrs {
				problems = append(problems, Problem{File: name, Line: p.LineOf(fe.Field), Field: fe.Field, Message: fe.Message, Entity: ref})
			}
			continue
		}
		e, err := entityFromRaw(raw)
		if err != nil {
			problems = append(problems, Problem{File: name, Line: root.Line, Message: err.Error()})
			continue
		}
		p.Entity = e
		out = append(out, p)
	}
	return out, problems
}

func rawRef(raw map[string]any) string {
	kind, _ := raw["kind"].(string)
	md, _ := raw["metadata"].(map[string]any)
	name, _ := md["name"].(string)
	ns, _ := md["namespace"].(string)
	if kind == "" || name == "" {
		return ""
	}
	if ns == "" {
		ns = DefaultNamespace
	}
	return Ref{Kind: kind, Namespace: ns, Name: name}.String()
}

func entityFromRaw(raw map[string]any) (*Entity, error) {
	// Relations are derived, never read from a file; a malformed list must not
	// make an otherwise valid entity undecodable.
	delete(raw, "relations")
	b, err := json.Marshal(raw)
	if err != nil {
		return nil, fmt.Errorf("encoding entity: %w", err)
	}
	var e Entity
	if err := json.Unmarshal(b, &e); err != nil {
		return nil, fmt.Errorf("decoding entity: %w", err)
	}
	e.Metadata.UID, e.Metadata.Etag = "", ""
	return &e, nil
}

func yamlErrorLine(err error) int {
	msg := err.Error()
	if i := strings.Index(msg, "line "); i >= 0 {
		rest := msg[i+5:]
		j := 0
		for j < len(rest) && rest[j] >= '0' && rest[j] <= '9' {
			j++
		}
		if n, err := strconv.Atoi(rest[:j]); err == nil {
			return n
		}
	}
	return 0
}

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
		out := make([]any, 0, len(n.Content))
		for i, item := range n.Content {
			v, err := c.convert(item, fmt.Sprintf("%s[%d]", path, i), depth+1)
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
		return out, nil
	case yaml.MappingNode:
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
	return nil, errAt(n, path, "unsupported YAML node")
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
