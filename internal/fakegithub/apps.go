package fakegithub

import (
	"cmp"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// appSlug is the App's slug; its comments and commits are by appSlug[bot].
const appSlug = "callboard"

func (s *Server) installationJSON(in *installation) map[string]any {
	return map[string]any{
		"id": in.id, "app_id": 1, "app_slug": appSlug, "target_type": "Organization",
		"account":              map[string]any{"login": in.account, "type": "Organization"},
		"repository_selection": "selected", "permissions": in.perms, "events": []string{},
		"access_tokens_url": fmt.Sprintf("%s/app/installations/%d/access_tokens", s.URL, in.id),
		"created_at":        ts(in.created), "updated_at": ts(in.created),
	}
}

func (s *Server) getInstallation(w http.ResponseWriter, r *http.Request) (int, any) {
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	in := s.installation(id)
	if in == nil {
		return notFound()
	}
	return http.StatusOK, s.installationJSON(in)
}

func (s *Server) createToken(w http.ResponseWriter, r *http.Request) (int, any) {
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if s.installation(id) == nil {
		return notFound()
	}
	tok := fmt.Sprintf("ghs_fake_%d_%d", id, len(s.tokens)+1)
	s.tokens[tok] = id
	_, jwt, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	s.tokenApps[tok] = jwtIssuer(jwt)
	return http.StatusCreated, map[string]any{
		"token": tok, "expires_at": ts(time.Now().Add(time.Hour)),
		"permissions": s.installation(id).perms, "repository_selection": "selected",
	}
}

func (s *Server) listInstallations(w http.ResponseWriter, r *http.Request) (int, any) {
	return http.StatusOK, list(w, r, s.installations, s.installationJSON)
}

// listDeliveries lists the newest deliveries first and, as GitHub does, pages
// with a cursor in the Link header rather than with page numbers.
func (s *Server) listDeliveries(w http.ResponseWriter, r *http.Request) (int, any) {
	ds := slices.SortedFunc(slices.Values(s.deliveries), func(x, y HookDelivery) int { return cmp.Compare(y.ID, x.ID) })
	if c := r.URL.Query().Get("cursor"); c != "" {
		before, err := strconv.ParseInt(strings.TrimPrefix(c, "v1_"), 10, 64)
		if err != nil {
			return invalid("HookDelivery", "cursor", "cursor is not valid")
		}
		ds = slices.DeleteFunc(ds, func(d HookDelivery) bool { return d.ID >= before })
	}
	if n := perPage(r); len(ds) > n {
		ds = ds[:n]
		q := r.URL.Query()
		q.Set("per_page", strconv.Itoa(n))
		q.Set("cursor", fmt.Sprintf("v1_%d", ds[n-1].ID))
		w.Header().Set("Link", fmt.Sprintf(`<%s>; rel="next"`, absURL(r, q)))
	}
	out := []any{}
	for _, d := range ds {
		status := "OK"
		if d.StatusCode < 200 || d.StatusCode > 299 {
			status = fmt.Sprintf("Invalid HTTP Response: %d", d.StatusCode)
		}
		out = append(out, map[string]any{
			"id": d.ID, "guid": d.GUID, "delivered_at": ts(d.DeliveredAt), "redelivery": d.Redelivery,
			"duration": 0.1, "status": status, "status_code": d.StatusCode,
			"event": d.Event, "action": nullable(d.Action), "throttled_at": nil,
			"installation_id": nullID(d.InstallationID), "repository_id": nullID(d.RepositoryID),
		})
	}
	return http.StatusOK, out
}

func (s *Server) redeliver(w http.ResponseWriter, r *http.Request) (int, any) {
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if !slices.ContainsFunc(s.deliveries, func(d HookDelivery) bool { return d.ID == id }) {
		return notFound()
	}
	s.redelivered = append(s.redelivered, id)
	s.sendRedelivery(id)
	return http.StatusAccepted, map[string]any{}
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}
