package fakegithub

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"path"
	"time"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"
)

type delay struct {
	pattern string
	n       int
	d       time.Duration
}

// DelayNext holds the next n requests whose "METHOD /path" matches pattern
// (as in FailNext) for d before serving them, so that the API is slow or,
// with d past the client's timeout, times out. Other requests are served
// meanwhile. A request whose client gives up first is then served at once
// all the same: GitHub finishes work whose caller stopped listening.
func (s *Server) DelayNext(pattern string, n int, d time.Duration) {
	s.t.Helper()
	if _, err := path.Match(pattern, ""); err != nil {
		s.t.Fatalf("fakegithub: DelayNext pattern %q: %v", pattern, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.delays = append(s.delays, &delay{pattern: pattern, n: n, d: d})
}

// hold waits out the delay, if any, that r is due; s.mu must not be held.
func (s *Server) hold(r *http.Request) {
	s.mu.Lock()
	var d time.Duration
	for _, dl := range s.delays {
		if dl.n > 0 && matches(dl.pattern, r.Method+" "+r.URL.Path) {
			dl.n--
			d = dl.d
			break
		}
	}
	lat := s.latency
	s.mu.Unlock()
	if lat.Request > 0 || lat.PerRootField > 0 {
		d += lat.Request
	}
	if d <= 0 {
		return
	}
	// The server notices a client going away only once the body is read.
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	if lat.PerRootField > 0 && r.URL.Path == "/graphql" {
		d += time.Duration(rootFields(body)) * lat.PerRootField
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-r.Context().Done():
	}
}

// Latency is how long the fake takes to answer, so that a program measured
// against it waits as it would for GitHub: Request for every request, and
// PerRootField more for each top-level field of a GraphQL query (each
// repository of a batched query is one).
type Latency struct {
	Request, PerRootField time.Duration
}

// SetLatency makes every request from now on take l.
func (s *Server) SetLatency(l Latency) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.latency = l
}

// rootFields counts the top-level fields of a GraphQL request body's
// operations (0 when it does not parse: the handler says why).
func rootFields(body []byte) int {
	var req struct {
		Query string `json:"query"`
	}
	if json.Unmarshal(body, &req) != nil {
		return 0
	}
	doc, err := parser.ParseQuery(&ast.Source{Input: req.Query})
	if err != nil {
		return 0
	}
	n := 0
	for _, op := range doc.Operations {
		n += len(op.SelectionSet)
	}
	return n
}
