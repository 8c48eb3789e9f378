package fakegithub

import (
	"crypto/sha1"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
	"time"
)

// commit is a git commit. Trees are flat: a tree maps each file path to its
// blob, and directories exist only as path prefixes.
type commit struct {
	sha, tree, message string
	parents            []string
	author             string // login; "" for the App's commits
	date               time.Time
}

func hashOf(parts ...string) string {
	h := sha1.New()
	for _, p := range parts {
		h.Write([]byte(p))
	}
	return hex.EncodeToString(h.Sum(nil))
}

func (s *Server) putBlob(content []byte) string {
	sha := hashOf(fmt.Sprintf("blob %d\x00", len(content)), string(content))
	s.blobs[sha] = content
	return sha
}

func (s *Server) putTree(files map[string]string) string {
	var b strings.Builder
	for _, p := range slices.Sorted(maps.Keys(files)) {
		fmt.Fprintf(&b, "%s\x00%s\n", p, files[p])
	}
	sha := hashOf("tree ", b.String())
	s.trees[sha] = files
	return sha
}

func (s *Server) putCommit(tree, message string, parents []string) *commit {
	// The id keeps commits of the same tree distinct, as author dates do in git.
	c := &commit{tree: tree, message: message, parents: parents, date: time.Now()}
	c.sha = hashOf("commit ", tree, strings.Join(parents, ","), message, fmt.Sprint(s.newID()))
	s.commits[c.sha] = c
	return c
}

// commitFiles commits files as the new head of branch; a new branch starts from the default branch.
func (s *Server) commitFiles(rp *repo, branch string, files map[string]string, message string) {
	s.commitFilesAs(rp, branch, files, message, "", time.Now())
}

// commitFilesAs is commitFiles by an author (a login) at a date.
func (s *Server) commitFilesAs(rp *repo, branch string, files map[string]string, message, author string, when time.Time) {
	var parents []string
	if head := s.head(rp, branch); head != nil {
		parents = []string{head.sha}
	}
	c := s.putCommit(s.putTree(files), message, parents)
	c.author, c.date = author, when
	rp.branches[branch] = c.sha
	rp.pushed = when
}

// head is the commit at branch, or at the default branch if there is no such branch.
func (s *Server) head(rp *repo, branch string) *commit {
	if sha, ok := rp.branches[branch]; ok {
		return s.commits[sha]
	}
	return s.commits[rp.branches[rp.DefaultBranch]]
}

// filesOn returns a copy of the files at the head of branch.
func (s *Server) filesOn(rp *repo, branch string) map[string]string {
	files := map[string]string{}
	if c := s.head(rp, branch); c != nil {
		maps.Copy(files, s.trees[c.tree])
	}
	return files
}

// resolve finds the commit that ref names: a branch, refs/heads/<branch>, or a commit sha.
func (s *Server) resolve(rp *repo, ref string) *commit {
	if sha, ok := rp.branches[strings.TrimPrefix(strings.TrimPrefix(ref, "refs/"), "heads/")]; ok {
		return s.commits[sha]
	}
	return s.commits[ref]
}

func (s *Server) isAncestor(ancestor, sha string) bool {
	for queue := []string{sha}; len(queue) > 0; queue = queue[1:] {
		if queue[0] == ancestor {
			return true
		}
		if c := s.commits[queue[0]]; c != nil {
			queue = append(queue, c.parents...)
		}
	}
	return false
}

func (s *Server) createBlob(w http.ResponseWriter, r *http.Request, rp *repo) (int, any) {
	var body struct{ Content, Encoding string }
	if !decode(r, &body) {
		return badJSON()
	}
	content := []byte(body.Content)
	if body.Encoding == "base64" {
		var err error
		if content, err = base64.StdEncoding.DecodeString(body.Content); err != nil {
			return invalid("Blob", "content", "content is not valid Base64")
		}
	}
	sha := s.putBlob(content)
	return http.StatusCreated, map[string]any{"sha": sha, "url": s.repoURL(rp) + "/git/blobs/" + sha}
}

// createTree takes blob entries only. An entry with "sha": null deletes the
// path, and everything under it.
func (s *Server) createTree(w http.ResponseWriter, r *http.Request, rp *repo) (int, any) {
	var body struct {
		BaseTree string `json:"base_tree"`
		Tree     []struct {
			Path, Type   string
			SHA, Content *string
		}
	}
	if !decode(r, &body) {
		return badJSON()
	}
	base, ok := s.trees[body.BaseTree]
	if !ok && body.BaseTree != "" {
		return invalid("Tree", "base_tree", "base_tree is not a valid tree oid")
	}
	files := map[string]string{}
	maps.Copy(files, base)
	for _, e := range body.Tree {
		p := strings.Trim(e.Path, "/")
		// GitHub refuses a tree that writes a workflow without workflows: write.
		if strings.HasPrefix(p, workflowsDir) && !s.installation(rp.inst).perms.allows("workflows", "write") {
			return notAccessible(w, "workflows:write")
		}
		switch {
		case p == "":
			return invalid("Tree", "path", "tree.path is missing")
		case e.SHA == nil && e.Content == nil:
			maps.DeleteFunc(files, func(f, _ string) bool { return f == p || strings.HasPrefix(f, p+"/") })
		case e.Type != "" && e.Type != "blob":
			return invalid("Tree", "type", "this fake takes only blob entries")
		case e.Content != nil:
			files[p] = s.putBlob([]byte(*e.Content))
		case s.blobs[*e.SHA] == nil:
			return invalid("Tree", "sha", fmt.Sprintf("tree.sha %s is not a valid blob", *e.SHA))
		default:
			files[p] = *e.SHA
		}
	}
	return http.StatusCreated, s.treeJSON(rp, s.putTree(files), files)
}

// treeJSON is a tree as GitHub answers a new one.
func (s *Server) treeJSON(rp *repo, sha string, files map[string]string) map[string]any {
	entries := []any{}
	for _, p := range slices.Sorted(maps.Keys(files)) {
		entries = append(entries, map[string]any{"path": p, "mode": "100644", "type": "blob", "sha": files[p],
			"size": len(s.blobs[files[p]]), "url": s.repoURL(rp) + "/git/blobs/" + files[p]})
	}
	return map[string]any{"sha": sha, "url": s.repoURL(rp) + "/git/trees/" + sha, "tree": entries, "truncated": false}
}

func (s *Server) createCommit(w http.ResponseWriter, r *http.Request, rp *repo) (int, any) {
	var body struct {
		Message, Tree string
		Parents       []string
	}
	if !decode(r, &body) {
		return badJSON()
	}
	if _, ok := s.trees[body.Tree]; !ok {
		return invalid("Commit", "tree", "tree is not a valid tree oid")
	}
	for _, p := range body.Parents {
		if s.commits[p] == nil {
			return invalid("Commit", "parents", "parent "+p+" is not a valid commit oid")
		}
	}
	return http.StatusCreated, s.commitJSON(rp, s.putCommit(body.Tree, body.Message, body.Parents))
}

func (s *Server) getCommit(w http.ResponseWriter, r *http.Request, rp *repo) (int, any) {
	if c := s.commits[r.PathValue("sha")]; c != nil {
		return http.StatusOK, s.commitJSON(rp, c)
	}
	return notFound()
}

func (s *Server) commitJSON(rp *repo, c *commit) map[string]any {
	parents := []any{}
	for _, p := range c.parents {
		parents = append(parents, map[string]any{"sha": p, "url": s.repoURL(rp) + "/git/commits/" + p})
	}
	who := map[string]any{"name": botLogin, "email": "bot@callboard.invalid", "date": ts(c.date)}
	if c.author != "" {
		who = map[string]any{"name": c.author, "email": c.author + "@users.noreply.github.com", "date": ts(c.date)}
	}
	return map[string]any{
		"sha": c.sha, "url": s.repoURL(rp) + "/git/commits/" + c.sha, "message": c.message,
		"author": who, "committer": who, "parents": parents,
		"tree": map[string]any{"sha": c.tree, "url": s.repoURL(rp) + "/git/trees/" + c.tree},
	}
}

func (s *Server) createRef(w http.ResponseWriter, r *http.Request, rp *repo) (int, any) {
	var body struct{ Ref, SHA string }
	if !decode(r, &body) {
		return badJSON()
	}
	branch, ok := strings.CutPrefix(body.Ref, "refs/heads/")
	switch {
	case !ok || branch == "":
		return invalid("Reference", "ref", "this fake takes only refs/heads/<branch>")
	case rp.branches[branch] != "":
		return http.StatusUnprocessableEntity, errorBody("Reference already exists")
	case s.commits[body.SHA] == nil:
		return http.StatusUnprocessableEntity, errorBody("Object does not exist")
	}
	rp.branches[branch] = body.SHA
	rp.pushed = time.Now()
	return http.StatusCreated, s.refJSON(rp, branch)
}

func (s *Server) getRef(w http.ResponseWriter, r *http.Request, rp *repo) (int, any) {
	if rp.branches[r.PathValue("branch")] == "" {
		return notFound()
	}
	return http.StatusOK, s.refJSON(rp, r.PathValue("branch"))
}

// updateRef moves a branch, which changes the files that the contents API serves.
func (s *Server) updateRef(w http.ResponseWriter, r *http.Request, rp *repo) (int, any) {
	var body struct {
		SHA   string
		Force bool
	}
	if !decode(r, &body) {
		return badJSON()
	}
	branch := r.PathValue("branch")
	switch head := rp.branches[branch]; {
	case head == "":
		return http.StatusUnprocessableEntity, errorBody("Reference does not exist")
	case s.commits[body.SHA] == nil:
		return http.StatusUnprocessableEntity, errorBody("Object does not exist")
	case !body.Force && !s.isAncestor(head, body.SHA):
		return http.StatusUnprocessableEntity, errorBody("Update is not a fast forward")
	}
	rp.branches[branch] = body.SHA
	rp.pushed = time.Now()
	return http.StatusOK, s.refJSON(rp, branch)
}

func (s *Server) refJSON(rp *repo, branch string) map[string]any {
	sha := rp.branches[branch]
	return map[string]any{
		"ref": "refs/heads/" + branch, "url": s.repoURL(rp) + "/git/refs/heads/" + branch,
		"object": map[string]any{"type": "commit", "sha": sha, "url": s.repoURL(rp) + "/git/commits/" + sha},
	}
}
