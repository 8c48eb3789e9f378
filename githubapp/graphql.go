package githubapp

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"time"

	"github.com/callboard/callboard/internal/ghapi"
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
var errGraphQLUnavailable = ghapi.ErrGraphQLUnavailable

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
	raw, err := ghapi.GraphQLRequest{GH: gh, Endpoint: endpoint, Body: body, Max: maxGraphQLAnswer}.Post(ctx)
	if err != nil {
		var unreached *url.Error
		if errors.As(err, &unreached) {
			return nil, fmt.Errorf("GraphQL query: %w", err)
		}
		return nil, err
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
