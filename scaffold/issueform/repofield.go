package issueform

import (
	"fmt"
	"net/url"
	"strings"
)

// readRepoField reads the answer to a form's new-repository field as people
// write it: a bare name, org/name, a GitHub URL (with or without https://,
// with or without .git, git@host:org/name.git) or Backstage's RepoUrlPicker
// value, host?owner=org&repo=name. A repository in any organisation other
// than org (the one the form creates repositories in) is refused with a line
// naming the allowed one; with org empty, the answer's organisation stands.
// It returns the organisation and name, or a problem for the form.
func readRepoField(text, host, org string) (string, string, string) {
	s := strings.TrimSpace(text)
	var gotHost, gotOrg, name string
	switch {
	case strings.Contains(s, "?"):
		h, query, _ := strings.Cut(s, "?")
		q, err := url.ParseQuery(query)
		if err != nil || q.Get("repo") == "" {
			return "", "", fmt.Sprintf("`%s` is not a repository: write a name such as `my-service`.", Code(s))
		}
		gotHost, gotOrg, name = strings.TrimPrefix(strings.TrimPrefix(h, "https://"), "http://"), q.Get("owner"), q.Get("repo")
	default:
		path := s
		if i := strings.Index(path, "://"); i >= 0 {
			path = path[i+len("://"):]
			if at := strings.IndexByte(path, '@'); at >= 0 && at < strings.IndexByte(path+"/", '/') {
				path = path[at+1:] // ssh://git@github.com/...
			}
			gotHost, path, _ = strings.Cut(path, "/")
		} else if at := strings.IndexByte(path, '@'); at >= 0 && strings.Contains(path[at:], ":") {
			gotHost, path, _ = strings.Cut(path[at+1:], ":") // git@github.com:org/name.git
		} else if first, rest, ok := strings.Cut(path, "/"); ok && strings.Contains(first, ".") {
			gotHost, path = first, rest // github.com/org/name
		}
		path = strings.Trim(path, "/")
		if strings.HasSuffix(strings.ToLower(path), ".git") {
			path = path[:len(path)-len(".git")]
		}
		parts := strings.Split(path, "/")
		switch {
		case len(parts) == 1:
			name = parts[0]
		case len(parts) == 2:
			gotOrg, name = parts[0], parts[1]
		default:
			return "", "", fmt.Sprintf("`%s` is not a repository: write its name, such as `my-service`, or `org/my-service`.", Code(s))
		}
	}
	if gotHost != "" && host != "" && !strings.EqualFold(gotHost, host) {
		return "", "", fmt.Sprintf("`%s` is not on %s: write the new repository's name, such as `%s`.", Code(s), host, Code(name))
	}
	if gotOrg != "" && org != "" && !strings.EqualFold(gotOrg, org) {
		return "", "", fmt.Sprintf("`%s` would be in `%s`, but this form creates repositories in **%s** only: write `%s` or `%s/%s`.",
			Code(s), Code(gotOrg), org, Code(name), org, Code(name))
	}
	if !ValidRepoName(name) {
		return "", "", fmt.Sprintf("`%s` is not a repository name GitHub takes: use up to 100 letters, digits, `-`, `_` and `.`.", Code(name))
	}
	if org == "" {
		org = gotOrg
	}
	return org, name, ""
}

// RepoURL is the value a RepoUrlPicker gives: host?owner=org&repo=name.
func RepoURL(host, org, name string) string {
	return host + "?" + url.Values{"owner": {org}, "repo": {name}}.Encode()
}
