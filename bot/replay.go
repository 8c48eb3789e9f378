package bot

import (
	"errors"
	"sync"
	"time"
)

// errReplayed refuses a request whose signature was seen before: within the
// 5-minute window a captured request would otherwise run again as its
// sender.
var errReplayed = errors.New("repeated request: this signature was used before")

// maxRemembered bounds the signatures kept: a busy workspace sends far fewer
// commands in five minutes.
const maxRemembered = 100_000

// replays remembers the signatures of the requests accepted within the
// signature window.
type replays struct {
	mu   sync.Mutex
	seen map[string]time.Time // signature -> when it leaves the window
}

// first records sig, valid until expires, and reports whether it is new.
func (rp *replays) first(sig string, expires, now time.Time) bool {
	rp.mu.Lock()
	defer rp.mu.Unlock()
	if rp.seen == nil {
		rp.seen = map[string]time.Time{}
	}
	if until, ok := rp.seen[sig]; ok && now.Before(until) {
		return false
	}
	if len(rp.seen) >= maxRemembered {
		var oldest string
		for s, until := range rp.seen {
			if !now.Before(until) {
				delete(rp.seen, s)
			} else if oldest == "" || until.Before(rp.seen[oldest]) {
				oldest = s
			}
		}
		if len(rp.seen) >= maxRemembered {
			delete(rp.seen, oldest)
		}
	}
	rp.seen[sig] = expires
	return true
}
