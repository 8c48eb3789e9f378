package githubapp

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/google/go-github/v62/github"
)

// maxGraphQLAnswer bounds a GraphQL answer read into memory: a batch of 100
// repositories with their catalog file and CODEOWNERS is well under it.
const maxGraphQLAnswer = 64 << 20

// gqlAnswer is a GraphQL answer: data by alias, and errors.
type gqlAnswer struct {
	Data   map[string]json.RawMessage `json:"data"`
	Errors []gqlFieldError            `json:"errors"`
}

type gqlFieldError struct {
	Type    string `json:"type"`
	Path    []any  `json:"path"`
	Message string `json:"message"`
}

// alias is the first element of the error's path ("" for the query).
func (e gqlFieldError) alias() string {
	if len(e.Path) > 0 {
		if s, ok := e.Path[0].(string); ok {
			return s
		}
	}
	return ""
}

// errGraphQLUnavailable: GraphQL did not answer the query (an old GitHub
// Enterprise Server, a query it refuses); the caller reads through REST.
var errGraphQLUnavailable = errors.New("GitHub's GraphQL API did not answer")

// errRateLimited: the GraphQL budget is spent until its reset.
var errRateLimited = errors.New("GitHub's GraphQL rate limit is exceeded")

// postGraphQL sends a query with gh's credentials. A transient failure
// (5xx, 429, a secondary rate limit) comes back as go-github's error, for
// ghapi.Classify; an answer that refuses the query as a whole as
// errGraphQLUnavailable; an exceeded budget as errRateLimited.
func postGraphQL(ctx context.Context, gh *github.Client, endpoint, query string, vars map[string]any) (*gqlAnswer, error) {
	body, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := gh.Client().Do(req)
	if err != nil {
		return nil, fmt.Errorf("GraphQL query: %w", err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxGraphQLAnswer+1))
	if err != nil {
		return nil, fmt.Errorf("reading a GraphQL answer: %w", err)
	}
	if len(raw) > maxGraphQLAnswer {
		return nil, fmt.Errorf("%w: an answer over %d bytes", errGraphQLUnavailable, maxGraphQLAnswer)
	}
	if resp.StatusCode >= 500 || resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusForbidden {
		resp.Body = io.NopCloser(bytes.NewReader(raw))
		return nil, github.CheckResponse(resp)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%w: %s", errGraphQLUnavailable, resp.Status)
	}
	var ans gqlAnswer
	if err := json.Unmarshal(raw, &ans); err != nil {
		return nil, fmt.Errorf("%w: %v", errGraphQLUnavailable, err)
	}
	for _, e := range ans.Errors {
		if e.Type == "RATE_LIMITED" {
			return nil, errRateLimited
		}
	}
	if ans.Data == nil {
		msg := "no data"
		if len(ans.Errors) > 0 {
			msg = ans.Errors[0].Message
		}
		return nil, fmt.Errorf("%w: %s", errGraphQLUnavailable, msg)
	}
	return &ans, nil
}

// gqlRateLimit is GraphQL's rateLimit field, asked for with every query.
type gqlRateLimit struct {
	Cost      int       `json:"cost"`
	Limit     int       `json:"limit"`
	Remaining int       `json:"remaining"`
	ResetAt   time.Time `json:"resetAt"`
}

const rateLimitField = ` rateLimit{cost limit remaining resetAt}`

// rateLimitOf reads the answer's rateLimit into b, and returns the cost.
func rateLimitOf(ans *gqlAnswer, b *budget) int {
	raw, ok := ans.Data["rateLimit"]
	if !ok {
		return 0
	}
	var rl gqlRateLimit
	if json.Unmarshal(raw, &rl) != nil {
		return 0
	}
	if b != nil && rl.Limit > 0 {
		b.set(resourceGraphQL, rl.Limit, rl.Remaining, rl.ResetAt)
	}
	return rl.Cost
}
