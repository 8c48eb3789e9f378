package githubapp

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/callboard/callboard/catalog"
	"github.com/callboard/callboard/githubapp/repofs"
)

// Batches: one GraphQL query reads up to batchSize repositories (their
// metadata, catalog file and the three CODEOWNERS places), as Backstage's
// GitHub provider reads 50–100 a query; a later query reads the files
// their walks still want, up to maxBatchFiles at once.
const (
	batchSize     = 100
	maxBatchFiles = 300
	maxTopics     = 20
)

// blobFields are a file's fields: GraphQL gives text up to its size
// (isTruncated past it); a binary or cut file is read through REST.
const blobFragment = ` fragment B on Blob{text byteSize isBinary isTruncated}`

// repoFragment is what a backfill reads of a repository.
// Its language bytes (the largest maxLanguages) and root manifests are for
// the KPIs' fragmentation figures: read here, they cost no call of their
// own (the languages connection adds one point per 100 repositories).
var repoFragment = fmt.Sprintf(` fragment R on Repository{databaseId nameWithOwner description url isArchived isFork isPrivate pushedAt updatedAt
 defaultBranchRef{name} primaryLanguage{name} repositoryTopics(first:%d){nodes{topic{name}}}
 languages(first:%d,orderBy:{field:SIZE,direction:DESC}){edges{size node{name}}}
 cat:object(expression:$cat){...B} co0:object(expression:$co0){...B} co1:object(expression:$co1){...B} co2:object(expression:$co2){...B}
 m0:object(expression:$m0){...B} m1:object(expression:$m1){...B} m2:object(expression:$m2){...B}}`, maxTopics, maxLanguages)

// manifests are the root manifests the batch query reads (m0…m2), as the
// KPIs name them (digest/kpi.Manifests).
var manifests = [...]string{"go.mod", "package.json", "pom.xml"}

const maxLanguages = 10

// repoQuery is the query of a batch of n repositories, aliases r0…, each
// named by variables $o<i> and $n<i>.
func repoQuery(n int) string {
	var decl, sel strings.Builder
	decl.WriteString("$cat:String!,$co0:String!,$co1:String!,$co2:String!,$m0:String!,$m1:String!,$m2:String!")
	for i := range n {
		fmt.Fprintf(&decl, ",$o%d:String!,$n%d:String!", i, i)
		fmt.Fprintf(&sel, " r%d:repository(owner:$o%d,name:$n%d){...R}", i, i, i)
	}
	return "query Backfill(" + decl.String() + "){" + sel.String() + rateLimitField + "}" + repoFragment + blobFragment
}

// gqlBlob is a Blob as the query reads it; null when the path is missing.
type gqlBlob struct {
	Text        *string `json:"text"`
	ByteSize    int     `json:"byteSize"`
	IsBinary    *bool   `json:"isBinary"`
	IsTruncated bool    `json:"isTruncated"`
}

// blob turns what GraphQL said of path into a repofs.Blob.
func (b *gqlBlob) blob(path string) repofs.Blob {
	switch {
	case b == nil:
		return repofs.Blob{Path: path}
	case b.Text == nil || b.IsTruncated || b.IsBinary != nil && *b.IsBinary || len(*b.Text) != b.ByteSize:
		return repofs.Blob{Path: path, REST: true}
	}
	return repofs.Blob{Path: path, Found: true, Content: []byte(*b.Text), Size: b.ByteSize}
}

// gqlRepo is a repository as the batch query reads it.
type gqlRepo struct {
	DatabaseID       int64      `json:"databaseId"`
	NameWithOwner    string     `json:"nameWithOwner"`
	Description      *string    `json:"description"`
	URL              string     `json:"url"`
	IsArchived       bool       `json:"isArchived"`
	IsFork           bool       `json:"isFork"`
	IsPrivate        bool       `json:"isPrivate"`
	PushedAt         *time.Time `json:"pushedAt"`
	UpdatedAt        time.Time  `json:"updatedAt"`
	DefaultBranchRef *struct {
		Name string `json:"name"`
	} `json:"defaultBranchRef"`
	PrimaryLanguage *struct {
		Name string `json:"name"`
	} `json:"primaryLanguage"`
	RepositoryTopics struct {
		Nodes []struct {
			Topic struct {
				Name string `json:"name"`
			} `json:"topic"`
		} `json:"nodes"`
	} `json:"repositoryTopics"`
	Languages *struct {
		Edges []struct {
			Size int64 `json:"size"`
			Node struct {
				Name string `json:"name"`
			} `json:"node"`
		} `json:"edges"`
	} `json:"languages"`
	M0  *gqlBlob `json:"m0"`
	M1  *gqlBlob `json:"m1"`
	M2  *gqlBlob `json:"m2"`
	Cat *gqlBlob `json:"cat"`
	Co0 *gqlBlob `json:"co0"`
	Co1 *gqlBlob `json:"co1"`
	Co2 *gqlBlob `json:"co2"`
}

func (r *gqlRepo) info() repoInfo {
	ri := repoInfo{ID: r.DatabaseID, FullName: r.NameWithOwner, HTMLURL: r.URL, Private: r.IsPrivate, Archived: r.IsArchived, UpdatedAt: r.UpdatedAt}
	if r.Description != nil {
		ri.Description = *r.Description
	}
	if r.DefaultBranchRef != nil {
		ri.DefaultBranch = r.DefaultBranchRef.Name
	}
	return ri
}

// facts are what the batch query says of a repository beyond its row.
func (r *gqlRepo) facts() repoFacts {
	f := repoFacts{Fork: r.IsFork}
	if r.PrimaryLanguage != nil {
		f.Language = r.PrimaryLanguage.Name
	}
	if r.PushedAt != nil {
		f.PushedAt = *r.PushedAt
	}
	for _, n := range r.RepositoryTopics.Nodes {
		f.Topics = append(f.Topics, n.Topic.Name)
	}
	return f
}

// stack is what the batch query says the repository is built with. A
// manifest GraphQL could not give whole (binary, cut at its size) is left
// unread rather than read through REST: the KPIs are not worth a call.
func (r *gqlRepo) stack() catalog.RepoStack {
	st := catalog.RepoStack{Repo: r.NameWithOwner, Manifests: map[string][]byte{}}
	if r.PrimaryLanguage != nil {
		st.Language = r.PrimaryLanguage.Name
	}
	if r.Languages != nil {
		st.Languages = map[string]int64{}
		for _, e := range r.Languages.Edges {
			st.Languages[e.Node.Name] = e.Size
		}
	}
	for i, b := range []*gqlBlob{r.M0, r.M1, r.M2} {
		switch rb := b.blob(manifests[i]); {
		case rb.Found:
			st.Manifests[manifests[i]] = rb.Content
		case !rb.REST:
			st.Manifests[manifests[i]] = nil
		}
	}
	return st
}

func (r *gqlRepo) blobs(catalogPath string) []repofs.Blob {
	out := []repofs.Blob{r.Cat.blob(catalogPath)}
	for i, b := range []*gqlBlob{r.Co0, r.Co1, r.Co2} {
		out = append(out, b.blob(catalog.CodeownersLocations[i]))
	}
	return out
}

// queryRepos reads a batch of repositories (org/name) in one query. A
// repository GitHub no longer finds (deleted since it was listed) is nil.
func (j *job) queryRepos(ctx context.Context, names []string) ([]*gqlRepo, error) {
	vars := map[string]any{"cat": "HEAD:" + j.b.sync.root()}
	for i, loc := range catalog.CodeownersLocations {
		vars[fmt.Sprintf("co%d", i)] = "HEAD:" + loc
	}
	for i, m := range manifests {
		vars[fmt.Sprintf("m%d", i)] = "HEAD:" + m
	}
	for i, n := range names {
		owner, name, _ := strings.Cut(n, "/")
		vars[fmt.Sprintf("o%d", i)], vars[fmt.Sprintf("n%d", i)] = owner, name
	}
	ans, err := j.graphql(ctx, repoQuery(len(names)), vars)
	if err != nil {
		return nil, err
	}
	if err := onlyNotFound(ans); err != nil {
		return nil, err
	}
	out := make([]*gqlRepo, len(names))
	for i := range names {
		raw := ans.Data[fmt.Sprintf("r%d", i)]
		if len(raw) == 0 || string(raw) == "null" {
			continue
		}
		var r gqlRepo
		if err := json.Unmarshal(raw, &r); err != nil {
			return nil, fmt.Errorf("%w: repository %s: %v", errGraphQLUnavailable, names[i], err)
		}
		out[i] = &r
	}
	return out, nil
}

// onlyNotFound accepts an answer whose errors only say that repositories
// are gone; any other error (a field refused, a permission missing) makes
// the batch read through REST, which names the problem repository by
// repository.
func onlyNotFound(ans *gqlAnswer) error {
	for _, e := range ans.Errors {
		if e.Type != "NOT_FOUND" || strings.Contains(fmt.Sprint(e.Path), "object") {
			return fmt.Errorf("%w: %s (%s)", errGraphQLUnavailable, e.Message, e.Type)
		}
	}
	return nil
}

// fileWant is a repository's files still to read.
type fileWant struct {
	name  string // org/repo
	paths []string
}

// queryFiles reads files of several repositories at their default branch,
// in queries of at most batchSize repositories and maxBatchFiles files.
func (j *job) queryFiles(ctx context.Context, wants []fileWant) (map[string][]repofs.Blob, error) {
	out := map[string][]repofs.Blob{}
	for len(wants) > 0 {
		var decl, sel strings.Builder
		vars := map[string]any{}
		files, n := 0, 0
		for ; n < len(wants) && n < batchSize && files < maxBatchFiles; n++ {
			w := wants[n]
			owner, name, _ := strings.Cut(w.name, "/")
			vars[fmt.Sprintf("o%d", n)], vars[fmt.Sprintf("n%d", n)] = owner, name
			if n > 0 {
				decl.WriteByte(',')
			}
			fmt.Fprintf(&decl, "$o%d:String!,$n%d:String!", n, n)
			fmt.Fprintf(&sel, " r%d:repository(owner:$o%d,name:$n%d){", n, n, n)
			for j, p := range w.paths {
				fmt.Fprintf(&decl, ",$x%d_%d:String!", n, j)
				fmt.Fprintf(&sel, "f%d:object(expression:$x%d_%d){...B} ", j, n, j)
				vars[fmt.Sprintf("x%d_%d", n, j)] = "HEAD:" + p
			}
			sel.WriteString("}")
			files += len(w.paths)
		}
		query := "query Files(" + decl.String() + "){" + sel.String() + rateLimitField + "}" + blobFragment
		ans, err := j.graphql(ctx, query, vars)
		if err != nil {
			return nil, err
		}
		if err := onlyNotFound(ans); err != nil {
			return nil, err
		}
		for i, w := range wants[:n] {
			var r map[string]*gqlBlob
			if raw := ans.Data[fmt.Sprintf("r%d", i)]; len(raw) > 0 {
				if err := json.Unmarshal(raw, &r); err != nil {
					return nil, fmt.Errorf("%w: files of %s: %v", errGraphQLUnavailable, w.name, err)
				}
			}
			if r == nil {
				continue // the repository is gone: its walk reads what it can through REST
			}
			for j, p := range w.paths {
				out[w.name] = append(out[w.name], r[fmt.Sprintf("f%d", j)].blob(p))
			}
		}
		wants = wants[n:]
	}
	return out, nil
}
