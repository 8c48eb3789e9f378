package check

import (
	"fmt"
	"path"
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

func codeowners(in Input, r *Report, entities []*catalog.Entity) {
	if in.Codeowners == nil {
		return // no CODEOWNERS: nothing to compare, and not every organisation uses it
	}
	co, err := catalog.ParseCodeowners(in.Codeowners.Content)
	if err != nil {
		r.Findings = append(r.Findings, Finding{Severity: Warning, Check: CheckCodeowners, File: in.Codeowners.Path, Message: err.Error()})
		return
	}
	for _, p := range co.Problems {
		r.Findings = append(r.Findings, Finding{Severity: Warning, Check: CheckCodeowners, File: in.Codeowners.Path, Line: p.Line,
			Message: "GitHub ignores this line: " + p.Message})
	}
	// The catalog owner's team should own the catalog file and the root.
	var want []string // @org/slug
	var ownerRefs []string
	for _, e := range entities {
		ref, ok := e.OwnerRef()
		if !ok {
			continue
		}
		slug := in.KnownOwners[ref.String()]
		if slug == "" {
			continue
		}
		t := "@" + slug
		if !contains(want, t) {
			want = append(want, t)
			ownerRefs = append(ownerRefs, ownerOf(e))
		}
	}
	if len(want) == 0 {
		return
	}
	for _, probe := range []string{in.CatalogPath, "README.md"} {
		rule, ok := co.Match(probe)
		var got []string
		if ok {
			got = rule.Owners
		}
		if overlaps(got, want) {
			continue
		}
		where := strconv.Quote(in.CatalogPath)
		if probe == "README.md" {
			where = "the repository root"
		}
		// Handles are in backticks: a bare @org/team in the comment would notify the team.
		catalogSide := fmt.Sprintf("the catalog's owner is %s, GitHub team %s", strings.Join(quoteAll(ownerRefs), ", "), strings.Join(quoteAll(want), " "))
		var msg string
		line := 0
		switch {
		case !ok:
			msg = fmt.Sprintf("no CODEOWNERS rule covers %s; %s", where, catalogSide)
		case len(got) == 0:
			msg = fmt.Sprintf("CODEOWNERS leaves %s without an owner; %s", where, catalogSide)
		default:
			msg = fmt.Sprintf("CODEOWNERS gives %s to %s, but %s", where, strings.Join(quoteAll(got), " "), catalogSide)
		}
		if ok {
			line = rule.Line
		}
		r.Findings = append(r.Findings, Finding{Severity: Warning, Check: CheckCodeowners, File: in.Codeowners.Path, Line: line, Message: msg})
		if probe == in.CatalogPath {
			// The same rule (or the lack of one) usually covers the root: one finding is enough.
			if r2, ok2 := co.Match("README.md"); ok2 == ok && r2.Line == rule.Line {
				break
			}
		}
	}
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}

func overlaps(got, want []string) bool {
	for _, g := range got {
		if contains(want, g) {
			return true
		}
	}
	return false
}

// minReadme is how much text a README needs beyond its title to count as docs.
const minReadme = 200

func docs(in Input, r *Report, entities []*catalog.Entity) {
	if in.Readme == nil {
		r.Findings = append(r.Findings, Finding{Severity: Warning, Check: CheckDocs, File: "README.md", Message: "there is no README"})
	} else if n := substance(in.Readme.Content); n < minReadme {
		r.Findings = append(r.Findings, Finding{Severity: Warning, Check: CheckDocs, File: in.Readme.Path,
			Message: fmt.Sprintf("the README has %d characters of text beyond its title; say what this is, who it is for and how to run it", n)})
	}
	for i, e := range entities {
		p := in.Parsed[i]
		dir, ok := TechDocsDir(p, in.CatalogPath)
		if !ok {
			continue
		}
		td := TechDocs{Mkdocs: in.MkdocsFound, DocsDir: in.DocsDirFound}
		if in.TechDocs != nil {
			if td, ok = in.TechDocs[dir]; !ok {
				continue
			}
		}
		field := "metadata.annotations." + catalog.AnnotationTechDocsRef
		f := Finding{Severity: Warning, Check: CheckDocs, File: fileOf(in.CatalogPath, p), Line: p.LineOf(field), Field: field}
		switch {
		case !td.Mkdocs:
			f.Message = fmt.Sprintf("%q sets backstage.io/techdocs-ref but there is no mkdocs.yml in %s", e.Ref().String(), dirOf(dir))
		case !td.DocsDir && td.DocsPath != "":
			f.Message = fmt.Sprintf("%q sets backstage.io/techdocs-ref but its docs folder %s has no files", e.Ref().String(), dirOf(td.DocsPath))
		case !td.DocsDir:
			f.Message = fmt.Sprintf("%q sets backstage.io/techdocs-ref but the docs folder mkdocs.yml points to does not exist", e.Ref().String())
		default:
			continue
		}
		r.Findings = append(r.Findings, f)
	}
}

// TechDocsDir is the repository folder an entity's backstage.io/techdocs-ref
// points to ("." for the root): a dir: reference is relative to the file
// that declares the entity, as in Backstage. ok is false when the
// annotation is unset, is a URL, or leaves the repository.
func TechDocsDir(p *catalog.Parsed, catalogPath string) (string, bool) {
	d, ok := strings.CutPrefix(p.Entity.Metadata.Annotations[catalog.AnnotationTechDocsRef], "dir:")
	if !ok {
		return "", false
	}
	dir := path.Clean(path.Join(path.Dir(fileOf(catalogPath, p)), strings.TrimSpace(d)))
	if dir == ".." || strings.HasPrefix(dir, "../") {
		return "", false
	}
	return dir, true
}

func dirOf(p string) string {
	p = path.Clean(strings.TrimPrefix(p, "/"))
	if p == "." {
		return "the repository root"
	}
	return strconv.Quote(p + "/")
}

// substance counts the characters of a README that are not headings,
// badges, or blank.
func substance(b []byte) int {
	n := 0
	for _, line := range strings.Split(string(b), "\n") {
		t := strings.TrimSpace(line)
		if t == "" || strings.HasPrefix(t, "#") || strings.HasPrefix(t, "[![") || strings.HasPrefix(t, "![") || strings.HasPrefix(t, "<!--") {
			continue
		}
		n += len(t)
	}
	return n
}

// changes compares the base's entities with the head's.
func changes(base, head []*catalog.Entity, headValid bool) []Change {
	if !headValid && len(head) == 0 {
		return nil // an unreadable file says nothing about removals
	}
	before := map[string]*catalog.Entity{}
	for _, e := range base {
		before[e.Ref().String()] = e
	}
	var out []Change
	seen := map[string]bool{}
	for _, e := range head {
		ref := e.Ref().String()
		seen[ref] = true
		old, ok := before[ref]
		if !ok {
			out = append(out, Change{Ref: ref, Kind: "added"})
			continue
		}
		if o, n := ownerOf(old), ownerOf(e); o != n {
			out = append(out, Change{Ref: ref, Kind: "owner", From: o, To: n})
		}
		if o, n := old.SpecString("lifecycle"), e.SpecString("lifecycle"); o != n {
			out = append(out, Change{Ref: ref, Kind: "lifecycle", From: o, To: n})
		}
	}
	if headValid {
		for ref := range before {
			if !seen[ref] {
				out = append(out, Change{Ref: ref, Kind: "removed"})
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Kind != out[j].Kind {
			return changeOrder[out[i].Kind] < changeOrder[out[j].Kind]
		}
		return out[i].Ref < out[j].Ref
	})
	return out
}

var changeOrder = map[string]int{"owner": 0, "removed": 1, "added": 2, "lifecycle": 3}

// ownerOf prints an entity's owner the way people say it: "payments", or
// "user:alice" for a user.
func ownerOf(e *catalog.Entity) string {
	ref, ok := e.OwnerRef()
	if !ok {
		return ""
	}
	if strings.EqualFold(ref.Kind, "group") && ref.Namespace == catalog.DefaultNamespace {
		return strings.ToLower(ref.Name)
	}
	return ref.String()
}
