package fakegithub

import (
	"fmt"
	"testing"
)

// Standalone starts the fake outside a test, for programs such as the
// benchmark; stop closes it. Setup mistakes panic instead of failing a test.
func Standalone() (s *Server, stop func()) {
	tb := &standaloneTB{}
	return New(tb), tb.cleanup
}

// standaloneTB is the part of testing.TB the fake uses.
type standaloneTB struct {
	testing.TB
	cleanups []func()
}

func (*standaloneTB) Helper() {}

func (*standaloneTB) Fatalf(format string, args ...any) { panic(fmt.Sprintf(format, args...)) }

func (s *standaloneTB) Cleanup(f func()) { s.cleanups = append(s.cleanups, f) }

func (s *standaloneTB) cleanup() {
	for i := len(s.cleanups) - 1; i >= 0; i-- {
		s.cleanups[i]()
	}
}
