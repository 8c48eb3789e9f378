package githubapp

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"path"
	"strings"

	"github.com/callboard/callboard/internal/ghapi"
	"github.com/google/go-github/v62/github"
)

// repoRef names a repository and the branch (or commit) to read, with the
// files already read ahead for it.
type repoRef struct {
	owner, name, branch string
	cache               *prefetch
	tree                *treeListing // when set, the branch is listed once
}

// treeListing keeps a branch's file list for the reads that need it.
type treeListing struct {
	listed    bool
	files     []string
	truncated bool
}

// getFile reads one file. found is false when it does not exist (or is a
// directory). ref "" reads the default branch; branch is then learned from
// the file's html_url.
func getFile(ctx context.Context, gh *github.Client, r repoRef, p string, limit int) (content []byte, branch string, found bool, err error) {
	if r.cache != nil {
		if f, ok := r.cache.files[p]; ok {
			branch = r.branch
			if branch == "" {
				branch = r.cache.branch
			}
			if f.found && f.size > limit {
				return nil, branch, true, errTooLarge{path: p, size: f.size, limit: limit}
			}
			return f.content, branch, f.found, nil
		}
	}
	opts := &github.RepositoryContentGetOptions{Ref: r.branch}
	fc, _, resp, err := gh.Repositories.GetContents(ctx, r.owner, r.name, p, opts)
	if resp != nil && resp.StatusCode == http.StatusNotFound {
		return nil, r.branch, false, nil
	}
	if err != nil {
		return nil, r.branch, false, fmt.Errorf("reading %s in %s/%s: %w", p, r.owner, r.name, err)
	}
	if fc == nil {
		return nil, r.branch, false, nil // a directory
	}
	branch = r.branch
	if branch == "" {
		branch = branchFromHTMLURL(fc.GetHTMLURL(), r, p)
	}
	if fc.GetSize() > limit {
		return nil, branch, true, errTooLarge{path: p, size: fc.GetSize(), limit: limit}
	}
	s, err := fc.GetContent()
	if err != nil {
		return nil, branch, true, ghapi.Permanent(fmt.Errorf("decoding %s in %s/%s: %w", p, r.owner, r.name, err))
	}
	return []byte(s), branch, true, nil
}

type errTooLarge struct {
	path        string
	size, limit int
}

func (e errTooLarge) Error() string {
	return fmt.Sprintf("%s is %d bytes; the limit is %d", e.path, e.size, e.limit)
}

func isTooLarge(err error) bool {
	var e errTooLarge
	return errors.As(err, &e)
}

// branchFromHTMLURL reads the branch out of https://github.com/o/r/blob/BRANCH/path.
func branchFromHTMLURL(u string, r repoRef, p string) string {
	prefix := "/" + r.owner + "/" + r.name + "/blob/"
	i := strings.Index(u, prefix)
	if i < 0 {
		return ""
	}
	rest := u[i+len(prefix):]
	return strings.TrimSuffix(rest, "/"+p)
}

// listTree returns every file path of a branch (for Location globs and
// TechDocs folders); truncated says GitHub listed only part of it.
func listTree(ctx context.Context, gh *github.Client, r repoRef) (files []string, truncated bool, err error) {
	if r.tree != nil && r.tree.listed {
		return r.tree.files, r.tree.truncated, nil
	}
	t, _, err := gh.Git.GetTree(ctx, r.owner, r.name, r.branch, true)
	if err != nil {
		return nil, false, fmt.Errorf("listing %s/%s@%s: %w", r.owner, r.name, r.branch, err)
	}
	for _, e := range t.Entries {
		if e.GetType() == "blob" {
			files = append(files, e.GetPath())
		}
	}
	if r.tree != nil {
		*r.tree = treeListing{listed: true, files: files, truncated: t.GetTruncated()}
	}
	return files, t.GetTruncated(), nil
}

// resolveTarget turns a Location target into a repository path relative to
// the file that names it; ok is false for targets outside the repository.
func resolveTarget(from, target string) (string, bool) {
	if strings.Contains(target, "://") {
		return "", false
	}
	p := path.Clean(path.Join(path.Dir(from), target))
	if p == "." || strings.HasPrefix(p, "../") || p == ".." {
		return "", false
	}
	return strings.TrimPrefix(p, "/"), true
}

func hasGlob(p string) bool { return strings.ContainsAny(p, "*?[") }
