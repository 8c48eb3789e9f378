package catalog

import (
	"fmt"
	"net/url"
	"path"
	"strings"
)

// RepoFile names a catalog file in a repository at a ref: what a
// placeholder URL is compared with.
type RepoFile struct {
	// WebURL is the web address of the GitHub host: https://github.com, or
	// a GitHub Enterprise Server's.
	WebURL string
	Owner  string
	Repo   string
	// Ref is the branch (or tag, or commit) the file is read at.
	Ref string
	// Path is the file's path in the repository, without a leading slash.
	Path string
	// Base is another ref a URL may name, read at Ref all the same: a pull
	// request's head is read at its commit, its files name the base branch.
	Base string
}

// ParseRepoFile is ParseFile for a catalog file of a repository. A
// placeholder may then name a file of the same repository by its GitHub
// URL (https://github.com/ORG/REPO/blob/REF/PATH, or tree/ or raw/) at the
// ref the file is read at: resolve reads it as the relative path it is, so
// it counts in the same budget and obeys the same rules. Any other URL is
// refused, as Backstage refuses it.
func ParseRepoFile(f RepoFile, data []byte, resolve Resolver) ([]*Parsed, []Problem) {
	return parseFile(f.Path, &f, data, resolve)
}

// errOtherRepository is why a placeholder URL is refused.
const errOtherRepository = "may only reference files from the same repository as the entity"

// isURL reports whether a placeholder target is a URL rather than a path.
func isURL(target string) bool {
	return strings.Contains(target, "://")
}

// relativeTarget turns a placeholder URL into the path it names relative to
// the catalog file, when it names a file of the same repository at the same
// ref; otherwise it says why not.
func (f *RepoFile) relativeTarget(target string) (string, error) {
	if f == nil {
		return "", fmt.Errorf("%s (a URL is not read; name a file of this repository by its path)", errOtherRepository)
	}
	rest, err := f.refAndPath(target)
	if err != nil {
		return "", err
	}
	file, ok := strings.CutPrefix(rest, f.Ref+"/")
	if !ok && f.Base != "" {
		file, ok = strings.CutPrefix(rest, f.Base+"/")
	}
	if !ok {
		return "", fmt.Errorf("names another ref than %s, which this catalog file is read at; placeholders are read at the same ref", f.Ref)
	}
	if err := checkFilePath(file); err != nil {
		return "", err
	}
	dir := path.Dir(strings.TrimPrefix(f.Path, "/"))
	if dir == "." {
		return file, nil
	}
	return strings.Repeat("../", strings.Count(dir, "/")+1) + file, nil
}

// refAndPath checks that a file URL names this repository on its host,
// and returns what follows .../blob/ (the ref and the path), unescaped.
func (f *RepoFile) refAndPath(target string) (string, error) {
	u, err := url.Parse(target)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") {
		return "", fmt.Errorf("%s (not an http or https URL)", errOtherRepository)
	}
	base, err := url.Parse(f.WebURL)
	if err != nil || !strings.EqualFold(u.Host, base.Host) || u.User != nil {
		return "", fmt.Errorf("%s (%s is not %s)", errOtherRepository, u.Host, hostOf(f.WebURL))
	}
	// GitHub names are case-insensitive; a percent sign or a dot-dot in
	// them is refused rather than decoded into something else.
	raw := strings.TrimPrefix(u.EscapedPath(), "/")
	parts := strings.SplitN(raw, "/", 4)
	if len(parts) < 4 || !strings.EqualFold(parts[0], f.Owner) || !strings.EqualFold(parts[1], f.Repo) {
		return "", fmt.Errorf("%s (%s/%s)", errOtherRepository, f.Owner, f.Repo)
	}
	switch parts[2] {
	case "blob", "tree", "raw":
	default:
		return "", fmt.Errorf("%s (not a file URL: want .../%s/%s/blob/%s/PATH)", errOtherRepository, f.Owner, f.Repo, f.Ref)
	}
	rest, err := url.PathUnescape(parts[3])
	if err != nil {
		return "", fmt.Errorf("%s (%v)", errOtherRepository, err)
	}
	return rest, nil
}

// checkFilePath refuses an empty, absolute or dotted path.
func checkFilePath(file string) error {
	if file == "" || strings.HasPrefix(file, "/") || strings.ContainsRune(file, 0) {
		return fmt.Errorf("%s (no file named)", errOtherRepository)
	}
	for _, seg := range strings.Split(file, "/") {
		if seg == ".." || seg == "." {
			return fmt.Errorf("%s (the path holds %q)", errOtherRepository, seg)
		}
	}
	return nil
}

func hostOf(webURL string) string {
	if u, err := url.Parse(webURL); err == nil && u.Host != "" {
		return u.Host
	}
	return webURL
}
