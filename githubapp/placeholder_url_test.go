package githubapp

import (
	"context"
	"strings"
	"testing"

	"github.com/callboard/callboard/githubapp/queue"
)

// TestPlaceholderURLs: a $text placeholder may name a file of the same
// repository by its GitHub URL (read as that file, within the same budget);
// a URL into another repository refuses the entity with a problem naming
// the field, as Backstage refuses it (issue 16, point 12).
func TestPlaceholderURLs(t *testing.T) {
	h := newHarness(t, Config{})
	seedAcme(h.gh)
	h.deliver("installation", obj{"action": "created", "installation": installationJSON(7, "acme")})
	h.settle()
	repo := repoJSON(101, "acme/payments-api", "main")
	h.gh.SetFile("acme/payments-api", "main", "api/openapi.yaml", []byte("openapi: 3.0.0\n"))
	h.gh.SetFile("acme/payments-api", "main", "catalog-info.yaml", []byte(paymentsV1+`---
apiVersion: backstage.io/v1alpha1
kind: API
metadata:
  name: payments-rest
spec:
  type: openapi
  lifecycle: production
  owner: payments
  definition:
    $text: https://github.com/acme/payments-api/blob/main/api/openapi.yaml
---
apiVersion: backstage.io/v1alpha1
kind: API
metadata:
  name: borrowed-rest
spec:
  type: openapi
  lifecycle: production
  owner: payments
  definition:
    $text: https://github.com/acme/other-repo/blob/main/openapi.yaml
`))
	guid := h.deliver("push", pushJSON(7, repo, "main", commitJSON(nil, []string{"catalog-info.yaml"}, nil)))
	h.settle()
	h.mustState(guid, queue.StateDone)

	e := h.entity("api:default/payments-rest")
	if e == nil {
		t.Fatal("api:default/payments-rest is not in the catalog")
	}
	if got := e.Spec["definition"]; got != "openapi: 3.0.0\n" {
		t.Errorf("spec.definition %q, want the file the URL names", got)
	}
	if h.entity("api:default/borrowed-rest") != nil {
		t.Error("api:default/borrowed-rest, whose placeholder names another repository, was stored")
	}
	r, err := h.st.Repository(context.Background(), "acme/payments-api")
	if err != nil {
		t.Fatal(err)
	}
	var found bool
	for _, p := range r.CatalogProblems {
		if p.Field == "spec.definition" && strings.Contains(p.Message, "may only reference files from the same repository as the entity") {
			found = true
		}
	}
	if !found {
		t.Errorf("no problem names spec.definition and the other repository: %+v", r.CatalogProblems)
	}
}
