package catalog

// RepoStack is what a repository is built with, as GitHub said it when it
// was read: the facts language and framework fragmentation are computed
// from. The digest's store keeps it; githubapp reads it.
type RepoStack struct {
	Repo string // org/repo
	// Language is GitHub's primary language; "" when not known.
	Language string
	// Languages are GitHub's language bytes (its largest languages); nil
	// when they were not read (what was recorded before stays).
	Languages map[string]int64
	// Manifests are root manifests read (go.mod, package.json, pom.xml), by
	// path: nil content when the file is not there. A manifest not in the
	// map was not read (what was recorded before stays).
	Manifests map[string][]byte
}
