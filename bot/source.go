package bot

import (
	"net/url"
	"strings"

	"github.com/callboard/callboard/catalog"
	"github.com/callboard/callboard/internal/slacktext"
)

// sourceText says where the answer came from, with a link to the file or
// line; "" when nothing said anything.
func sourceText(a *catalog.OwnerAnswer) string {
	ref := ""
	if a.Entity != nil {
		ref = " · " + slacktext.Code(a.Entity.Ref().String())
	}
	switch {
	case a.Source == catalog.FromArchive:
		return "From the catalog as it stood when " + slacktext.Link(a.SourceURL, a.Repository.FullName) + " was archived; its entities left the catalog then"
	case a.Source == catalog.FromCodeowners:
		return codeownersSource(a)
	case a.Entity != nil && a.Entity.FromGitHubOrg():
		label := a.Entity.Metadata.Annotations[catalog.AnnotationTeamSlug]
		if label == "" {
			label = a.Entity.Metadata.Annotations[catalog.AnnotationUserLogin]
		}
		return "From GitHub " + slacktext.Link(a.SourceURL, label) + ref
	case a.SourceURL != "":
		return "From " + slacktext.Link(a.SourceURL, fileLabel(a.SourceURL)) + ref
	case a.Entity != nil:
		return "From the catalog" + ref
	}
	return "" // a repository with neither a catalog file nor CODEOWNERS
}

// codeownersSource says which CODEOWNERS rule answered, and why CODEOWNERS
// did: the catalog file has no owner for the path, does not validate, or
// is missing.
func codeownersSource(a *catalog.OwnerAnswer) string {
	label := "CODEOWNERS"
	if a.Repository != nil && a.Repository.CodeownersPath != "" {
		label = a.Repository.CodeownersPath
	}
	if _, line, ok := strings.Cut(a.SourceURL, "#L"); ok {
		label += " line " + line
	}
	src := "From " + slacktext.Link(a.SourceURL, label)
	if a.Repository == nil {
		return src
	}
	switch a.Repository.CatalogStatus {
	case catalog.StatusRegistered:
		return src + ", the rule for this path"
	case catalog.StatusInvalid:
		return src + " — this repository's catalog file does not validate"
	}
	src = "From CODEOWNERS — this repository has no catalog file: " + slacktext.Link(a.SourceURL, label)
	if a.Archived {
		return src
	}
	return src + ". Add a catalog-info.yaml so /owner can say more."
}

// fileLabel is the path of a file in a repository URL (catalog-info.yaml,
// services/a/catalog-info.yaml), or the URL itself.
func fileLabel(u string) string {
	p, err := url.Parse(u)
	if err != nil {
		return u
	}
	parts := strings.Split(strings.Trim(p.Path, "/"), "/")
	if len(parts) > 4 && (parts[2] == "blob" || parts[2] == "tree") {
		return strings.Join(parts[4:], "/")
	}
	if p.Scheme == "" {
		return parts[len(parts)-1]
	}
	return u
}
