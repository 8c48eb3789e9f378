package catalog

import (
	"context"
	"fmt"
	"net/url"
	"strings"
)

// answerURL answers for a GitHub URL: its repository, or the CODEOWNERS rule
// for the file or folder it names.
func answerURL(ctx context.Context, r OwnerReader, a *OwnerAnswer, q string) error {
	u, err := url.Parse(q)
	if err != nil {
		return nil // not a URL we understand: a miss
	}
	parts := strings.Split(strings.Trim(u.Path, "/"), "/")
	if len(parts) < 2 {
		return nil
	}
	full := parts[0] + "/" + strings.TrimSuffix(parts[1], ".git")
	repo, err := r.Repository(ctx, full)
	if notFound(err) {
		return nil
	}
	if err != nil {
		return err
	}
	path := ""
	if len(parts) > 4 && (parts[2] == "blob" || parts[2] == "tree") {
		path = strings.Join(parts[4:], "/")
		if parts[2] == "tree" {
			path += "/"
		}
	}
	if path == "" {
		return answerRepo(ctx, r, a, repo)
	}
	a.Repository, a.Path, a.RepoURL = repo, path, repo.URL()
	a.Archived, a.ArchivedAt = repo.Archived, repo.ArchivedAt
	if repo.Codeowners != nil {
		if rule, ok := repo.Codeowners.Match(path); ok {
			return fromCodeowners(ctx, r, a, repo, rule)
		}
	}
	// No CODEOWNERS rule for the path: the repository's owner is the answer.
	return answerRepo(ctx, r, a, repo)
}

// answerRepo answers for a repository: from its catalog entities when it has
// them, else from CODEOWNERS.
func answerRepo(ctx context.Context, r OwnerReader, a *OwnerAnswer, repo *Repository) error {
	a.Repository, a.RepoURL = repo, repo.URL()
	a.Archived, a.ArchivedAt = repo.Archived, repo.ArchivedAt
	es, err := r.EntitiesWithAnnotation(ctx, AnnotationProjectSlug, repo.FullName)
	if err != nil {
		return err
	}
	if e := preferred(es); e != nil {
		return answerEntity(ctx, r, a, e)
	}
	if repo.Archived && len(repo.FormerOwners) > 0 {
		return fromArchive(ctx, r, a, repo)
	}
	if repo.Codeowners != nil {
		// The owner of the repository as a whole is whoever owns its root files.
		if rule, ok := repo.Codeowners.Match(rootProbe(repo)); ok {
			return fromCodeowners(ctx, r, a, repo, rule)
		}
	}
	return nil
}

// fromArchive answers for an archived repository with the owners its
// entities named when it was archived.
func fromArchive(ctx context.Context, r OwnerReader, a *OwnerAnswer, repo *Repository) error {
	a.Source, a.SourceURL = FromArchive, repo.URL()
	for _, s := range repo.FormerOwners {
		ref, err := ParseRef(s, RefDefaults{Kind: "group"})
		if err != nil {
			continue
		}
		e, err := r.EntityWithoutRelations(ctx, ref)
		if notFound(err) {
			a.Owners = append(a.Owners, Owner{Ref: ref.String(), Name: ref.Name, DisplayName: ref.Name})
			continue
		}
		if err != nil {
			return err
		}
		o, err := ownerFromEntity(ctx, r, e)
		if err != nil {
			return err
		}
		a.Owners = append(a.Owners, o)
	}
	return nil
}

func rootProbe(repo *Repository) string {
	if repo.CatalogPath != "" {
		return repo.CatalogPath
	}
	return "catalog-info.yaml"
}

func fromCodeowners(ctx context.Context, r OwnerReader, a *OwnerAnswer, repo *Repository, rule CodeownersRule) error {
	a.Source = FromCodeowners
	a.SourceURL = fmt.Sprintf("%s#L%d", repo.BlobURL(repo.CodeownersPath), rule.Line)
	for _, o := range rule.Owners {
		owner, err := codeownersOwner(ctx, r, o)
		if err != nil {
			return err
		}
		a.Owners = append(a.Owners, owner)
	}
	return nil
}

// codeownersOwner maps a CODEOWNERS owner onto the catalog: a team onto the
// group whose github.com/team-slug names it, a user onto the user with that login.
func codeownersOwner(ctx context.Context, r OwnerReader, o string) (Owner, error) {
	slug, login := TeamSlug(o), UserLogin(o)
	if slug == "" && login == "" {
		return Owner{Ref: o, Name: o, DisplayName: o, Email: o}, nil
	}
	e, err := handleEntity(ctx, r, o)
	if err != nil {
		return Owner{}, err
	}
	if e != nil {
		ow, err := ownerFromEntity(ctx, r, e)
		if slug != "" {
			ow.GitHubTeam = slug
		}
		return ow, err
	}
	if slug != "" {
		_, name, _ := strings.Cut(slug, "/")
		return Owner{Ref: o, Name: name, DisplayName: o, GitHubTeam: slug}, nil
	}
	return Owner{Ref: o, Name: login, DisplayName: o}, nil
}
