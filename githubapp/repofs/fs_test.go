package repofs

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"io/fs"
	"net/http"
	"net/url"
	"slices"
	"testing"

	"github.com/bradleyfalzon/ghinstallation/v2"
	"github.com/callboard/callboard/catalog"
	"github.com/callboard/callboard/internal/fakegithub"
	"github.com/google/go-github/v62/github"
)

// installationClient is go-github as installation 7 of the fake GitHub.
func installationClient(t *testing.T, gh *fakegithub.Server) *github.Client {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	key := pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(k)})
	tr, err := ghinstallation.New(http.DefaultTransport, 4242, 7, key)
	if err != nil {
		t.Fatal(err)
	}
	tr.BaseURL = gh.URL
	c := github.NewClient(&http.Client{Transport: tr})
	c.BaseURL, _ = url.Parse(gh.URL + "/")
	return c
}

// A repository at a revision reads as an fs.FS: the read-ahead answers
// the files it read in one GraphQL call, other files cost one REST call,
// a glob lists the tree once, and the default branch is learned.
func TestRepositoryAsFS(t *testing.T) {
	gh := fakegithub.New(t)
	gh.AddInstallation(7, "acme")
	gh.AddRepo(7, fakegithub.Repo{ID: 101, FullName: "acme/platform", DefaultBranch: "trunk"})
	files := map[string]string{
		"catalog-info.yaml":                "root",
		"CODEOWNERS":                       "* @acme/platform",
		"services/api/catalog-info.yaml":   "api",
		"services/a/b/c/catalog-info.yaml": "deep",
		"docs/index.md":                    "# docs",
	}
	for p, c := range files {
		gh.SetFile("acme/platform", "trunk", p, []byte(c))
	}
	ctx := context.Background()
	fsys := New(ctx, installationClient(t, gh), "acme/platform", "")
	gh.ResetCalls()
	if err := fsys.ReadAhead(GraphQLURL(gh.URL+"/"), []string{"catalog-info.yaml", ".github/CODEOWNERS", "CODEOWNERS"}); err != nil {
		t.Fatal(err)
	}
	if fsys.Branch() != "trunk" {
		t.Errorf("branch %q after the read-ahead, want the default branch trunk", fsys.Branch())
	}
	p, data, _, err := catalog.FindCodeowners(fsys)
	if err != nil || p != "CODEOWNERS" || string(data) != "* @acme/platform" {
		t.Errorf("CODEOWNERS: %q %q %v", p, data, err)
	}
	if b, err := fs.ReadFile(fsys, "catalog-info.yaml"); err != nil || string(b) != "root" {
		t.Errorf("catalog-info.yaml: %q %v", b, err)
	}
	if n := gh.CallCount("GET /repos/*/*/contents/*"); n != 0 {
		t.Errorf("%d REST reads of files the read-ahead had", n)
	}

	if b, err := fs.ReadFile(fsys, "docs/index.md"); err != nil || string(b) != "# docs" {
		t.Errorf("docs/index.md: %q %v", b, err)
	}
	if _, err := fs.ReadFile(fsys, "nope.yaml"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a missing file: %v, want fs.ErrNotExist", err)
	}
	for range 2 {
		got, err := fs.Glob(fsys, "services/**/catalog-info.yaml")
		want := []string{"services/a/b/c/catalog-info.yaml", "services/api/catalog-info.yaml"}
		if err != nil || !slices.Equal(got, want) {
			t.Errorf("glob: %q %v, want %q", got, err, want)
		}
	}
	if n := gh.CallCount("GET /repos/*/*/git/trees/*"); n != 1 {
		t.Errorf("the tree was listed %d times, want once", n)
	}
	if _, err := fs.Glob(fsys, "services/["); err == nil {
		t.Error("a malformed glob gave no error")
	}
}
