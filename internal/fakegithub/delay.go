package fakegithub

import (
	"bytes"
	"io"
	"net/http"
	"path"
	"time"
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
	s.mu.Unlock()
	if d <= 0 {
		return
	}
	// The server notices a client going away only once the body is read.
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-r.Context().Done():
	}
}
