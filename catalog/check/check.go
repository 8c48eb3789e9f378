package check

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/callboard/callboard/catalog"
)

// Severity of a finding.
type Severity int

// Severities, least to most severe.
const (
	Notice Severity = iota
	Warning
	Error
)

func (s Severity) String() string {
	return [...]string{"notice", "warning", "error"}[s]
}

// Conclusions of a check run, as GitHub names them.
const (
	Success = "success"
	Neutral = "neutral"
	Failure = "failure"
)

// Check names, in the order the comment lists them.
const (
	CheckCatalogFile = "catalog file"
	CheckOwner       = "owner"
	CheckCodeowners  = "CODEOWNERS"
	CheckDocs        = "docs"
)

// Finding is one thing the check found.
type Finding struct {
	Severity Severity
	Check    string
	Message  string
	File     string
	Line     int
	Field    string
}

// File is a file read at the pull request's head.
type File struct {
	Path    string
	Content []byte
}

// Input is everything the check judges. The plumbing fills it from the
// payload, the catalog, and the few files it reads at the head commit.
type Input struct {
	Repository  string // org/repo
	Description string
	CatalogPath string // e.g. catalog-info.yaml

	// Head: the catalog files (root first) parsed at the head commit, and
	// whether the root exists.
	CatalogFound bool
	Parsed       []*catalog.Parsed
	Problems     []catalog.Problem

	// CODEOWNERS at the head: its path ("" when none) and content.
	Codeowners *File

	// Docs at the head.
	Readme *File // nil when missing
	// TechDocs is what the head has in each folder an entity's
	// backstage.io/techdocs-ref points to (see TechDocsDir); a folder
	// missing from the map is not judged. When TechDocs is nil, every
	// folder is judged by MkdocsFound and DocsDirFound.
	TechDocs     map[string]TechDocs
	MkdocsFound  bool // mkdocs.yml (or .yaml) beside the catalog file
	DocsDirFound bool // the docs folder mkdocs.yml points to

	// Base is what the catalog held for the repository before this pull
	// request (the base branch), to say what it changes.
	Base []*catalog.Entity

	// Owners that exist: groups and users, by lower-case ref, with each
	// group's GitHub team slug (org/slug) when it has one.
	KnownOwners map[string]string
	// OwnerNames are names for "did you mean" suggestions.
	OwnerNames []catalog.NameEntry

	Strict bool // warnings fail the check too

	// BaseURL is callboard's address (CALLBOARD_BASE_URL): the comment links
	// the entities the catalog holds to their pages in the web view.
	BaseURL string
}

// TechDocs is what a pull request's head has in a folder that a
// backstage.io/techdocs-ref points to.
type TechDocs struct {
	Mkdocs   bool   // mkdocs.yml or mkdocs.yaml is there
	DocsPath string // the docs folder mkdocs.yml names (docs_dir, by default docs)
	DocsDir  bool   // and it holds at least one file
}

// Report is the check's verdict.
type Report struct {
	Conclusion string
	Findings   []Finding
	Changes    []Change
	// Suggested is a ready-to-paste catalog file, when the repository has none.
	Suggested string
	Entities  int

	catalogPath string
	baseURL     string
	pages       []string // refs of the entities the catalog holds for the repository
}

// Change is something the pull request changes in the catalog.
type Change struct {
	Ref  string
	Kind string // added, removed, owner, lifecycle
	From string
	To   string
}

// Errors, Warnings count findings by severity.
func (r *Report) count(s Severity) int {
	n := 0
	for _, f := range r.Findings {
		if f.Severity == s {
			n++
		}
	}
	return n
}

// Errors counts error findings.
func (r *Report) Errors() int { return r.count(Error) }

// Warnings counts warning findings.
func (r *Report) Warnings() int { return r.count(Warning) }

// Evaluate judges a repository at a pull request's head.
func Evaluate(in Input) *Report {
	r := &Report{catalogPath: in.CatalogPath, baseURL: strings.TrimRight(in.BaseURL, "/")}
	for _, e := range in.Base {
		r.pages = append(r.pages, e.Ref().String())
	}
	var entities []*catalog.Entity
	for _, p := range in.Parsed {
		entities = append(entities, p.Entity)
	}
	r.Entities = len(entities)
	catalogFile(in, r)
	owners(in, r, entities)
	codeowners(in, r, entities)
	docs(in, r, entities)
	r.Changes = changes(in.Base, entities, in.CatalogFound && len(in.Problems) == 0)
	sort.SliceStable(r.Findings, func(i, j int) bool { return r.Findings[i].Severity > r.Findings[j].Severity })
	switch {
	case r.Errors() > 0:
		r.Conclusion = Failure
	case r.Warnings() > 0 && in.Strict:
		r.Conclusion = Failure
	case r.Warnings() > 0:
		r.Conclusion = Neutral
	default:
		r.Conclusion = Success
	}
	return r
}

func catalogFile(in Input, r *Report) {
	if !in.CatalogFound {
		r.Findings = append(r.Findings, Finding{Severity: Warning, Check: CheckCatalogFile, File: in.CatalogPath,
			Message: fmt.Sprintf("%q is missing: the catalog does not know this repository", in.CatalogPath)})
		r.Suggested = suggestFile(in)
		return
	}
	for _, p := range in.Problems {
		r.Findings = append(r.Findings, Finding{Severity: Error, Check: CheckCatalogFile, File: p.File, Line: p.Line, Field: p.Field, Message: p.Message})
	}
	if len(in.Problems) == 0 && len(in.Parsed) == 0 {
		r.Findings = append(r.Findings, Finding{Severity: Warning, Check: CheckCatalogFile, File: in.CatalogPath, Message: "the file declares no entity"})
	}
}

func owners(in Input, r *Report, entities []*catalog.Entity) {
	for i, e := range entities {
		ref, ok := e.OwnerRef()
		if !ok {
			continue
		}
		if _, known := in.KnownOwners[ref.String()]; known {
			continue
		}
		// An owner declared in the same pull request is known too.
		if declaredHere(entities, ref) {
			continue
		}
		msg := fmt.Sprintf("%q: owner %q is not a known group or user", e.Ref().String(), e.SpecString("owner"))
		if s := catalog.Suggest(ref.Name, in.OwnerNames, 3); len(s) > 0 {
			msg += fmt.Sprintf(" (did you mean %s?)", strings.Join(quoteAll(s), ", "))
		}
		f := Finding{Severity: Error, Check: CheckOwner, Message: msg, Field: "spec.owner"}
		if p := in.Parsed[i]; p != nil {
			f.File, f.Line = fileOf(in.CatalogPath, p), p.LineOf("spec.owner")
		}
		r.Findings = append(r.Findings, f)
	}
}

func declaredHere(es []*catalog.Entity, ref catalog.Ref) bool {
	for _, e := range es {
		if e.Ref().String() == ref.String() {
			return true
		}
	}
	return false
}

// fileOf is the file a parsed entity came from: its managed-by-location's path.
func fileOf(catalogPath string, p *catalog.Parsed) string {
	loc := p.Entity.Metadata.Annotations[catalog.AnnotationManagedByLocation]
	if i := strings.Index(loc, "/blob/"); i >= 0 {
		rest := loc[i+len("/blob/"):]
		if j := strings.IndexByte(rest, '/'); j >= 0 {
			return rest[j+1:]
		}
	}
	return catalogPath
}

// quoteAll quotes values for a message; the comment shows each as code.
func quoteAll(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = strconv.Quote(s)
	}
	return out
}
