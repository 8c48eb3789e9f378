package scaffold

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/callboard/callboard/catalog"
	"github.com/google/go-github/v62/github"
)

// Files reads a skeleton: the files under a folder of a repository, within
// maxSkeletonFiles and maxSkeletonBytes.
func (c *Client) Files(ctx context.Context, src Source) ([]File, error) {
	branch, dir, err := c.splitRefPath(ctx, src)
	if err != nil {
		return nil, err
	}
	o, n := split(src.Repo)
	tree, resp, err := c.gh.Git.GetTree(ctx, o, n, branch, true)
	if status(resp) == http.StatusNotFound {
		return nil, permanentf("the template's repository %s has no branch %s (or callboard cannot read it)", src.Repo, branch)
	}
	if err != nil {
		return nil, fmt.Errorf("listing %s@%s: %w", src.Repo, branch, err)
	}
	if tree.GetTruncated() {
		return nil, permanentf("the tree of %s@%s is too large to read", src.Repo, branch)
	}
	prefix := strings.Trim(dir, "/")
	if prefix != "" {
		prefix += "/"
	}
	var out []File
	total := 0
	for _, e := range tree.Entries {
		p := e.GetPath()
		if e.GetType() != "blob" || !strings.HasPrefix(p, prefix) || e.GetMode() == "120000" {
			continue // symbolic links (120000) are not followed
		}
		if len(out) == maxSkeletonFiles {
			return nil, permanentf("the skeleton %s has more than %d files", dir, maxSkeletonFiles)
		}
		content, err := c.fileAt(ctx, src.Repo, branch, p)
		if err != nil {
			return nil, err
		}
		total += len(content)
		if total > maxSkeletonBytes {
			return nil, permanentf("the skeleton %s is larger than %d MB", dir, maxSkeletonBytes>>20)
		}
		mode := ModeFile
		if e.GetMode() == ModeExecutable {
			mode = ModeExecutable
		}
		out = append(out, File{Path: strings.TrimPrefix(p, prefix), Content: content, Mode: mode})
	}
	if len(out) == 0 {
		return nil, permanentf("the skeleton folder %s does not exist in %s@%s, or is empty", cmp.Or(dir, "/"), src.Repo, branch)
	}
	return out, nil
}

// splitRefPath splits a source's RefPath, BRANCH/FOLDER, into the two. A
// branch may hold slashes, so the default branch is tried first, then the
// first segment.
func (c *Client) splitRefPath(ctx context.Context, src Source) (branch, dir string, err error) {
	branch, dir, _ = strings.Cut(src.RefPath, "/")
	r, err := c.Repository(ctx, src.Repo)
	switch {
	case errors.Is(err, catalog.ErrNotFound):
	case err != nil:
		return "", "", err
	case strings.HasPrefix(src.RefPath, r.DefaultBranch+"/"):
		branch, dir = r.DefaultBranch, strings.TrimPrefix(src.RefPath, r.DefaultBranch+"/")
	case src.RefPath == r.DefaultBranch:
		branch, dir = r.DefaultBranch, ""
	}
	return branch, dir, nil
}

// fileAt reads the file p of repo at branch.
func (c *Client) fileAt(ctx context.Context, repo, branch, p string) ([]byte, error) {
	o, n := split(repo)
	fc, _, resp, err := c.gh.Repositories.GetContents(ctx, o, n, p, &github.RepositoryContentGetOptions{Ref: branch})
	if err != nil {
		if status(resp) == http.StatusNotFound {
			return nil, permanentf("%s vanished from %s while it was read", p, repo)
		}
		return nil, fmt.Errorf("reading %s in %s: %w", p, repo, err)
	}
	content, err := fileContent(ctx, c.gh, o, n, fc)
	if err != nil {
		return nil, fmt.Errorf("reading %s in %s: %w", p, repo, err)
	}
	return content, nil
}

// fileContent decodes a file; files over 1 MB come without content and are
// read as blobs.
func fileContent(ctx context.Context, gh *github.Client, o, n string, fc *github.RepositoryContent) ([]byte, error) {
	if fc.GetEncoding() == "base64" || fc.Content != nil {
		s, err := fc.GetContent()
		if err == nil {
			return []byte(s), nil
		}
	}
	return nilOr(gh.Git.GetBlobRaw(ctx, o, n, fc.GetSHA()))
}

func nilOr(b []byte, _ *github.Response, err error) ([]byte, error) { return b, err }
