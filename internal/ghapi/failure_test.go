package ghapi

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bradleyfalzon/ghinstallation/v2"
	"github.com/google/go-github/v62/github"
)

// answerOf is the error go-github returns for a response.
func answerOf(status int, header map[string]string, body string) error {
	req, _ := http.NewRequest(http.MethodGet, "https://api.github.com/repos/acme/x", nil)
	resp := &http.Response{StatusCode: status, Header: http.Header{}, Request: req, Body: io.NopCloser(strings.NewReader(body))}
	for k, v := range header {
		resp.Header.Set(k, v)
	}
	return github.CheckResponse(resp)
}

func TestClassify(t *testing.T) {
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	reset := strconv.FormatInt(now.Add(90*time.Second).Unix(), 10)
	tokenRefusal := func(status int, body string) error {
		return &ghinstallation.HTTPError{Message: "token refused", InstallationID: 7, Response: &http.Response{
			StatusCode: status, Header: http.Header{"Date": {now.Add(-time.Minute).Format(http.TimeFormat)}}, Body: io.NopCloser(strings.NewReader(body)),
		}}
	}
	for _, tc := range []struct {
		name      string
		err       error
		kind      Kind
		after     time.Duration
		transient bool
	}{
		{"server error", answerOf(502, nil, `{"message":"bad gateway"}`), Retry, 0, true},
		{"429 without a time", answerOf(429, nil, `{}`), Retry, 0, true},
		{"retry-after on a 403", answerOf(403, map[string]string{"Retry-After": "30"}, `{"message":"slow down"}`), Wait, 30 * time.Second, true},
		{"secondary rate limit", answerOf(403, map[string]string{"Retry-After": "7"},
			`{"message":"You have exceeded a secondary rate limit","documentation_url":"https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits"}`), Wait, 7 * time.Second, true},
		{"primary rate limit", answerOf(403, map[string]string{"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": reset, "X-RateLimit-Limit": "5000"},
			`{"message":"API rate limit exceeded"}`), Wait, 90 * time.Second, true},
		{"not found", answerOf(404, nil, `{"message":"Not Found"}`), NotFound, 0, false},
		{"forbidden", answerOf(403, nil, `{"message":"Resource not accessible by integration"}`), GiveUp, 0, false},
		{"unprocessable", answerOf(422, nil, `{"message":"Validation Failed"}`), GiveUp, 0, false},
		{"network", fmt.Errorf("reading x: %w", &net.OpError{Op: "dial", Err: errors.New("connection refused")}), Retry, 0, true},
		{"marked permanent", fmt.Errorf("reading x: %w", Permanent(errors.New("cannot decode"))), GiveUp, 0, false},
		{"not GitHub's", context.Canceled, Other, 0, false},
		{"installation gone", tokenRefusal(404, `{"message":"Not Found"}`), NotFound, 0, false},
		{"installation suspended", tokenRefusal(403, `{"message":"This installation has been suspended"}`), GiveUp, 0, false},
		{"token refused by a clock ahead", tokenRefusal(401, `{"message":"'Issued at' claim must be an Integer"}`), Retry, 0, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := Classify(tc.err, now)
			if f.Kind != tc.kind || f.After != tc.after || f.Transient() != tc.transient {
				t.Errorf("Classify = %s after %s (transient %v), want %s after %s (transient %v)", f.Kind, f.After, f.Transient(), tc.kind, tc.after, tc.transient)
			}
		})
	}
}

func TestClassifyReadsARefusedToken(t *testing.T) {
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	body := `{"message":"This installation has been suspended"}`
	err := &ghinstallation.HTTPError{InstallationID: 7, Response: &http.Response{
		StatusCode: 403, Header: http.Header{"Date": {now.Format(http.TimeFormat)}}, Body: io.NopCloser(strings.NewReader(body)),
	}}
	f := Classify(err, now)
	if !f.Token || f.Installation != 7 || f.Message != "This installation has been suspended" || !f.Date.Equal(now) {
		t.Errorf("Classify = %+v, want the token, installation 7, GitHub's message and date", f)
	}
	// The body is put back: a second reader (a log line) still has it.
	if again := Classify(err, now); again.Message != f.Message {
		t.Errorf("a second Classify read %q, want the message again", again.Message)
	}
}
