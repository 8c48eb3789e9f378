package bearer

import "testing"

func TestCheck(t *testing.T) {
	tok := New("s3cret")
	for _, tc := range []struct {
		header        string
		ok, presented bool
	}{
		{"Bearer s3cret", true, true},
		{"bearer  s3cret ", true, true},
		{"Bearer wrong", false, true},
		{"Bearer s3cre", false, true},
		{"Basic s3cret", false, false},
		{"s3cret", false, false},
		{"", false, false},
	} {
		ok, presented := tok.Check(tc.header)
		if ok != tc.ok || presented != tc.presented {
			t.Errorf("Check(%q) = %v, %v; want %v, %v", tc.header, ok, presented, tc.ok, tc.presented)
		}
	}
	if ok, _ := New("").Check(""); !ok {
		t.Error("no token set: a request without one was refused")
	}
}
