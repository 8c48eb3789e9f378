package repofs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/callboard/callboard/internal/ghapi"
	"github.com/google/go-github/v62/github"
)

// prefetch holds files read ahead of time in one GraphQL call: a
// repository's catalog file and its three CODEOWNERS places cost one API
// call instead of up to four REST calls.
type prefetch struct {
	branch string
	files  map[string]prefetched
}

type prefetched struct {
	content []byte
	found   bool
	size    int
}

// GraphQLURL is GitHub's GraphQL endpoint beside the REST base URL:
// https://api.github.com/graphql, or https://HOST/api/graphql on GitHub
// Enterprise Server (whose REST base is https://HOST/api/v3/).
func GraphQLURL(apiURL string) string {
	if strings.HasSuffix(apiURL, "/api/v3/") {
		return strings.TrimSuffix(apiURL, "v3/") + "graphql"
	}
	return apiURL + "graphql"
}

// maxGraphQLText is the largest blob read through GraphQL; larger ones are
// read through REST, which bounds them itself.
const maxGraphQLText = 1 << 20

// prefetchFiles reads paths at rev ("" = the default branch) in one call.
// It returns nil, nil when GraphQL cannot answer (an old GitHub Enterprise
// Server, say): the caller then reads through REST as usual.
func prefetchFiles(ctx context.Context, gh *github.Client, endpoint, owner, name, rev string, paths []string) (*prefetch, error) {
	body, err := filesQuery(owner, name, rev, paths)
	if err != nil {
		return nil, err
	}
	raw, err := ghapi.GraphQLRequest{
		GH: gh, Endpoint: endpoint, Body: body,
		Max:                      int64(len(paths)+1) * (2 * maxGraphQLText),
		ForbiddenNeedsRetryAfter: true,
	}.Post(ctx)
	var unreached *url.Error
	switch {
	case errors.Is(err, ghapi.ErrGraphQLUnavailable):
		return nil, nil
	case errors.As(err, &unreached):
		return nil, fmt.Errorf("reading %s/%s through GraphQL: %w", owner, name, err)
	case err != nil:
		return nil, err
	}
	return readPrefetch(raw, paths), nil
}

// filesQuery is the GraphQL request body that reads paths at rev, and the
// default branch's name.
func filesQuery(owner, name, rev string, paths []string) ([]byte, error) {
	if rev == "" {
		rev = "HEAD"
	}
	var decl, fields strings.Builder
	vars := map[string]any{"owner": owner, "name": name}
	for i, p := range paths {
		fmt.Fprintf(&decl, ",$e%d:String!", i)
		fmt.Fprintf(&fields, " f%d:object(expression:$e%d){...on Blob{text byteSize isBinary}}", i, i)
		vars[fmt.Sprintf("e%d", i)] = rev + ":" + p
	}
	query := fmt.Sprintf("query($owner:String!,$name:String!%s){repository(owner:$owner,name:$name){defaultBranchRef{name}%s}}", decl.String(), fields.String())
	return json.Marshal(map[string]any{"query": query, "variables": vars})
}

// readPrefetch reads the answer to filesQuery; nil when it does not answer.
func readPrefetch(raw []byte, paths []string) *prefetch {
	var out struct {
		Data struct {
			Repository map[string]json.RawMessage `json:"repository"`
		} `json:"data"`
		Errors []struct{ Message string } `json:"errors"`
	}
	if err := json.Unmarshal(raw, &out); err != nil || len(out.Errors) > 0 || out.Data.Repository == nil {
		return nil
	}
	pf := &prefetch{files: map[string]prefetched{}}
	var ref struct{ Name string }
	if b, ok := out.Data.Repository["defaultBranchRef"]; ok {
		_ = json.Unmarshal(b, &ref)
	}
	pf.branch = ref.Name
	for i, p := range paths {
		var blob *struct {
			Text     *string `json:"text"`
			ByteSize int     `json:"byteSize"`
			IsBinary bool    `json:"isBinary"`
		}
		if b, ok := out.Data.Repository[fmt.Sprintf("f%d", i)]; ok {
			if err := json.Unmarshal(b, &blob); err != nil {
				return nil
			}
		}
		switch {
		case blob == nil:
			pf.files[p] = prefetched{found: false}
		case blob.Text == nil || blob.IsBinary || blob.ByteSize > maxGraphQLText:
			// Leave it to REST, which reads or refuses it by size.
		default:
			pf.files[p] = prefetched{found: true, content: []byte(*blob.Text), size: blob.ByteSize}
		}
	}
	return pf
}
