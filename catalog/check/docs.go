package check

import (
	"fmt"
	"path"
	"strconv"
	"strings"

	"github.com/callboard/callboard/catalog"
)

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
