package ghapi

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/google/go-github/v62/github"
)

// Sticky is the one comment callboard keeps on an issue or pull request
// (the PR check's, a scaffold request's status): found by its Marker among
// the comments the App wrote, and edited in place.
type Sticky struct {
	GH       *github.Client // the installation's
	AppID    int64          // the App's: only its own comments are callboard's
	FullName string         // org/repo
	Number   int
	Marker   string // the comment's first line
}

// Find returns the id of the first comment that starts with the marker and
// that the App wrote, or 0. Anyone can write a comment that starts with the
// marker; only the App's own is callboard's to edit. GitHub says which App
// wrote a comment in performed_via_github_app, which go-github does not
// read, so the list is decoded here.
func (s Sticky) Find(ctx context.Context) (int64, error) {
	type comment struct {
		ID   int64  `json:"id"`
		Body string `json:"body"`
		App  *struct {
			ID int64 `json:"id"`
		} `json:"performed_via_github_app"`
	}
	for page := 1; page != 0; {
		req, err := s.GH.NewRequest(http.MethodGet, fmt.Sprintf("repos/%s/issues/%d/comments?per_page=100&page=%d", s.FullName, s.Number, page), nil)
		if err != nil {
			return 0, err
		}
		var cs []comment
		resp, err := s.GH.Do(ctx, req, &cs)
		if err != nil {
			return 0, fmt.Errorf("listing comments on %s#%d: %w", s.FullName, s.Number, err)
		}
		for _, cm := range cs {
			if strings.HasPrefix(cm.Body, s.Marker) && cm.App != nil && cm.App.ID == s.AppID && s.AppID != 0 {
				return cm.ID, nil
			}
		}
		page = resp.NextPage
	}
	return 0, nil
}

// Write makes the comment say body: it edits the comment id, and creates
// one when id is 0 or the comment was deleted meanwhile, if create allows
// (a passing check writes no new comment). It returns the comment's id, 0
// when there is none.
func (s Sticky) Write(ctx context.Context, id int64, body string, create bool) (int64, error) {
	owner, name, _ := strings.Cut(s.FullName, "/")
	if id != 0 {
		cm, resp, err := s.GH.Issues.EditComment(ctx, owner, name, id, &github.IssueComment{Body: github.String(body)})
		if err == nil {
			return cm.GetID(), nil
		}
		if resp == nil || resp.StatusCode != http.StatusNotFound {
			return 0, fmt.Errorf("editing the comment on %s#%d: %w", s.FullName, s.Number, err)
		}
		// Someone deleted it: a new one, if there is something to say.
	}
	if !create {
		return 0, nil
	}
	cm, _, err := s.GH.Issues.CreateComment(ctx, owner, name, s.Number, &github.IssueComment{Body: github.String(body)})
	if err != nil {
		return 0, fmt.Errorf("commenting on %s#%d: %w", s.FullName, s.Number, err)
	}
	return cm.GetID(), nil
}
