package catalog

import "strings"

// RepoLocation is the managed-by-location of a file in a repository, as
// Backstage's GitHub provider writes it.
func RepoLocation(repo *Repository, path string) string {
	return "url:" + repo.BlobURL(strings.TrimPrefix(path, "/"))
}

// StampRepoEntity adds the annotations an entity declared in a repository
// carries: where it is managed, and the repository's slug (unless the file
// names another).
func StampRepoEntity(e *Entity, repo *Repository, path string) {
	if e.Metadata.Annotations == nil {
		e.Metadata.Annotations = map[string]string{}
	}
	loc := RepoLocation(repo, path)
	e.Metadata.Annotations[AnnotationManagedByLocation] = loc
	e.Metadata.Annotations[AnnotationManagedByOrigin] = loc
	if _, ok := e.Metadata.Annotations[AnnotationProjectSlug]; !ok {
		e.Metadata.Annotations[AnnotationProjectSlug] = repo.FullName
	}
}
