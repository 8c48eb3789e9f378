package ghapi

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/google/go-github/v62/github"
)

// ErrGraphQLUnavailable is GraphQL not answering a query: a status other
// than 200 that is not transient (an old GitHub Enterprise Server, a query
// it refuses) or an answer over the caller's bound. Callers read through
// REST instead.
var ErrGraphQLUnavailable = errors.New("GitHub's GraphQL API did not answer")

// GraphQLRequest is one GraphQL call made with an installation's
// credentials.
type GraphQLRequest struct {
	GH       *github.Client
	Endpoint string
	Body     []byte // the JSON request: query and variables
	Max      int64  // the largest answer read into memory
	// ForbiddenNeedsRetryAfter counts a 403 as transient only when it
	// names a Retry-After (a secondary rate limit); otherwise every 403 is.
	ForbiddenNeedsRetryAfter bool
}

// Post sends the request and returns a 200 answer's bytes. A transient
// failure (5xx, 429, a secondary rate limit) comes back as go-github's
// error, for Classify; a refusal or an answer over Max as
// ErrGraphQLUnavailable; a failure to reach GitHub as the client's error.
func (r GraphQLRequest) Post(ctx context.Context) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, r.Endpoint, bytes.NewReader(r.Body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := r.GH.Client().Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, r.Max+1))
	if err != nil {
		return nil, fmt.Errorf("reading a GraphQL answer: %w", err)
	}
	if int64(len(raw)) > r.Max {
		return nil, fmt.Errorf("%w: an answer over %d bytes", ErrGraphQLUnavailable, r.Max)
	}
	if r.transient(resp) {
		resp.Body = io.NopCloser(bytes.NewReader(raw))
		return nil, github.CheckResponse(resp)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%w: %s", ErrGraphQLUnavailable, resp.Status)
	}
	return raw, nil
}

func (r GraphQLRequest) transient(resp *http.Response) bool {
	switch resp.StatusCode {
	case http.StatusTooManyRequests:
		return true
	case http.StatusForbidden:
		return !r.ForbiddenNeedsRetryAfter || resp.Header.Get("Retry-After") != ""
	}
	return resp.StatusCode >= 500
}
