package fakegithub

import (
	"maps"
	"slices"
)

// AddHookDelivery records a delivery of the app's webhook and returns its
// id: d.ID, or the next id when it is 0 (GitHub's ids only grow).
func (s *Server) AddHookDelivery(d HookDelivery) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	if d.ID == 0 {
		d.ID = s.newID()
	}
	s.nextID = max(s.nextID, d.ID)
	s.deliveries = append(s.deliveries, d)
	return d.ID
}

// Redelivered returns the delivery ids POSTed to /app/hook/deliveries/{id}/attempts, in order.
// Without SetWebhook, redelivering adds no delivery; a test that wants one calls AddHookDelivery.
func (s *Server) Redelivered() []int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.redelivered)
}

// Calls returns the requests received so far, in order.
func (s *Server) Calls() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.calls)
}

// CallCount counts the requests whose "METHOD /path" matches pattern, as in FailNext; "" counts all.
func (s *Server) CallCount(pattern string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, c := range s.calls {
		if matches(pattern, c.Method+" "+c.Path) {
			n++
		}
	}
	return n
}

// ResetCalls forgets the requests received so far.
func (s *Server) ResetCalls() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls = nil
}

// Comments returns the comments on an issue or pull request, oldest first.
func (s *Server) Comments(fullName string, issue int) []Comment {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Comment
	for _, c := range s.mustRepo(fullName).comments {
		if c.issue == issue {
			out = append(out, c.Comment)
		}
	}
	return out
}

// DeleteComment deletes a comment, as a person may on GitHub; it reports
// whether the comment was there.
func (s *Server) DeleteComment(fullName string, id int64) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	rp := s.mustRepo(fullName)
	n := len(rp.comments)
	rp.comments = slices.DeleteFunc(rp.comments, func(c *comment) bool { return c.ID == id })
	return len(rp.comments) < n
}

// CheckRuns returns the repository's check runs, oldest first.
func (s *Server) CheckRuns(fullName string) []CheckRun {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []CheckRun
	for _, cr := range s.mustRepo(fullName).checkRuns {
		c := cr.CheckRun
		c.Output, c.AnnotationBatches = maps.Clone(c.Output), slices.Clone(c.AnnotationBatches)
		out = append(out, c)
	}
	return out
}
