package catalog

import "testing"

func TestParseOwnerQuery(t *testing.T) {
	tests := []struct {
		in   string
		kind queryKind
		text string
	}{
		{"payments-api", queryName, "payments-api"},
		{"component:default/payments-api", queryRef, "component:default/payments-api"},
		{"group:payments", queryRef, "group:payments"},
		{"repo:acme/payments-api", querySlash, "acme/payments-api"},
		{"acme/payments-api", querySlash, "acme/payments-api"},
		{"acme/payments-api.git", querySlash, "acme/payments-api"},
		{"acme/payments-api/", querySlash, "acme/payments-api"},
		{"acme/payments", querySlash, "acme/payments"},
		{"@acme/payments", queryTeam, "acme/payments"},
		{"@Acme/Payments", queryTeam, "acme/payments"},
		{"@alice", queryUser, "alice"},
		{"@payments-api", queryUser, "payments-api"},
		{"@acme/", queryName, "acme/"},
		{"https://github.com/acme/payments-api", queryURL, "https://github.com/acme/payments-api"},
		{"https://github.com/acme/payments-api.git", queryURL, "https://github.com/acme/payments-api.git"},
		{"HTTP://github.com/acme/x", queryURL, "https://github.com/acme/x"},
		{"github.com/acme/payments-api", queryURL, "https://github.com/acme/payments-api"},
		{"github.com/acme/legacy-billing/blob/master/reports/q3.py", queryURL, "https://github.com/acme/legacy-billing/blob/master/reports/q3.py"},
		{"www.github.com/acme/x/tree/main/docs", queryURL, "https://www.github.com/acme/x/tree/main/docs"},
		{"ghe.acme.example/acme/x", queryURL, "https://ghe.acme.example/acme/x"},
		{"git@github.com:acme/payments-api.git", queryURL, "https://github.com/acme/payments-api.git"},
		{"git@ghe.acme.example:/acme/x.git", queryURL, "https://ghe.acme.example/acme/x.git"},
		{"ssh://git@github.com/acme/payments-api.git", queryURL, "https://github.com/acme/payments-api.git"},
		{"git+ssh://git@github.com/acme/x", queryURL, "https://github.com/acme/x"},
		{"git://github.com/acme/x.git", queryURL, "https://github.com/acme/x.git"},
		// Not hosts: a version, a namespace.
		{"v1.2/x", querySlash, "v1.2/x"},
		{"default/payments-api", querySlash, "default/payments-api"},
		{"a/b/c", queryName, "a/b/c"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got := parseOwnerQuery(tt.in)
			if got.kind != tt.kind || got.text != tt.text {
				t.Errorf("parseOwnerQuery(%q) = %v %q, want %v %q", tt.in, got.kind, got.text, tt.kind, tt.text)
			}
		})
	}
}
