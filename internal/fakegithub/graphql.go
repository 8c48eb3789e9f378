package fakegithub

import (
	"encoding/json"
	"net/http"
	"strings"
)

// graphql answers the one GraphQL query shape callboard sends: a
// repository's default branch and blobs by expression, with the
// expressions in variables e0, e1, …:
//
//	query($owner:String!,$name:String!,$e0:String!…){repository(owner:$owner,name:$name){
//	  defaultBranchRef{name} f0:object(expression:$e0){...on Blob{text byteSize isBinary}} …}}
func (s *Server) graphql(w http.ResponseWriter, r *http.Request) (int, any) {
	var req struct {
		Query     string         `json:"query"`
		Variables map[string]any `json:"variables"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil || !strings.Contains(req.Query, "repository(owner:$owner,name:$name)") {
		return http.StatusOK, map[string]any{"errors": []any{map[string]any{"message": "fakegithub: unsupported query"}}}
	}
	owner, _ := req.Variables["owner"].(string)
	name, _ := req.Variables["name"].(string)
	rp, in := s.findRepo(owner+"/"+name), s.caller(r)
	if rp == nil || in == nil || rp.inst != in.id {
		return http.StatusOK, map[string]any{"data": map[string]any{"repository": nil},
			"errors": []any{map[string]any{"type": "NOT_FOUND", "message": "Could not resolve to a Repository with the name '" + owner + "/" + name + "'."}}}
	}
	repoOut := map[string]any{"defaultBranchRef": map[string]any{"name": rp.DefaultBranch}}
	for k, v := range req.Variables {
		expr, ok := v.(string)
		if !ok || !strings.HasPrefix(k, "e") {
			continue
		}
		alias := "f" + k[1:]
		rev, p, _ := strings.Cut(expr, ":")
		if rev == "HEAD" {
			rev = rp.DefaultBranch
		}
		c := s.resolve(rp, rev)
		if c == nil {
			repoOut[alias] = nil
			continue
		}
		sha, found := s.trees[c.tree][p]
		if !found {
			repoOut[alias] = nil
			continue
		}
		text := string(s.blobs[sha])
		repoOut[alias] = map[string]any{"text": text, "byteSize": len(text), "isBinary": false}
	}
	return http.StatusOK, map[string]any{"data": map[string]any{"repository": repoOut}}
}
