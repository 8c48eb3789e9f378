package catalog

import (
	"encoding/json"
	"errors"
	"fmt"
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
	fp := &fileParser{name: name, repo: repo}
	if resolve != nil {
		fp.budget = &placeholderBudget{resolve: resolve}
		fp.resolve = fp.budget.read
	}
	for doc, err := range Documents(data) {
		if err != nil {
			// A syntax error poisons the rest of the stream: report the file as unreadable.
			return nil, []Problem{{File: name, Line: yamlErrorLine(err), Message: "not valid YAML: " + strings.TrimPrefix(err.Error(), "yaml: ")}}
		}
		// No count of documents: generated files hold tens of thousands, and
		// decoding costs what the bytes cost (an empty document as much as
		// its four bytes), which MaxFileSize bounds.
		empty := len(doc.Content) == 0 || doc.Content[0].Kind == yaml.ScalarNode && doc.Content[0].ShortTag() == "!!null"
		if !empty { // an empty document declares nothing
			fp.document(doc.Content[0])
		}
	}
	return fp.out, fp.problems
}

// fileParser reads the documents of one file, in order.
type fileParser struct {
	name         string
	repo         *RepoFile // the repository the file is read from, for placeholder URLs (nil: none)
	aliased      int       // nodes aliases added to the file's documents so far
	resolve      Resolver
	budget       *placeholderBudget
	overReported bool // the placeholder budget ran out, and that was said
	out          []*Parsed
	problems     []Problem
}

func (fp *fileParser) problem(p Problem) {
	p.File = fp.name
	fp.problems = append(fp.problems, p)
}

// document reads one document: an entity, or the problems that keep it out.
func (fp *fileParser) document(root *yaml.Node) {
	lines := map[string]int{}
	v, err := decodeNodeWithin(root, lines, &fp.aliased)
	if err != nil {
		fp.problems = append(fp.problems, nodeProblem(fp.name, root.Line, err))
		return
	}
	if v == nil {
		return
	}
	raw, ok := v.(map[string]any)
	if !ok {
		fp.problem(Problem{Line: root.Line, Message: "document is not a mapping (an entity has apiVersion, kind, metadata and spec)"})
		return
	}
	// Checked before placeholders, so that other YAML (an OpenAPI file) costs no reads.
	if raw["apiVersion"] == nil && raw["kind"] == nil {
		fp.problem(Problem{Line: root.Line, Message: "not an entity: the document has no apiVersion and no kind", NotEntity: true})
		return
	}
	p := &Parsed{Line: root.Line, lines: lines}
	if errs := resolvePlaceholders(raw, "", fp.repo, fp.resolve, p); len(errs) > 0 {
		fp.placeholderProblems(errs)
		return
	}
	fieldErrs := ValidateRaw(raw)
	sort.SliceStable(fieldErrs, func(a, b int) bool { return p.LineOf(fieldErrs[a].Field) < p.LineOf(fieldErrs[b].Field) })
	if len(fieldErrs) > 0 {
		ref := rawRef(raw)
		for _, fe := range fieldErrs {
			fp.problem(Problem{Line: p.LineOf(fe.Field), Field: fe.Field, Message: fe.Message, Entity: ref})
		}
		return
	}
	e, err := entityFromRaw(raw)
	if err != nil {
		fp.problem(Problem{Line: root.Line, Message: err.Error()})
		return
	}
	p.Entity = e
	fp.out = append(fp.out, p)
}

// placeholderProblems reports what a document's placeholders could not
// read; the budget running out is said once for the file, where it ran out.
func (fp *fileParser) placeholderProblems(errs []Problem) {
	for _, pe := range errs {
		if pe.Message != errPlaceholderBudget.Error() {
			fp.problem(pe)
		} else if !fp.overReported {
			fp.overReported = true
			fp.problem(Problem{Line: pe.Line, Field: pe.Field, Message: fp.budget.over})
		}
	}
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
