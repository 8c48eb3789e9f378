package issueform

import (
	"cmp"
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
	gotHost, gotOrg, name, msg := parseRepoAnswer(s)
	switch {
	case msg != "":
		return "", "", msg
	case gotHost != "" && host != "" && !strings.EqualFold(gotHost, host):
		return "", "", fmt.Sprintf("`%s` is not on %s: write the new repository's name, such as `%s`.", Code(s), host, Code(name))
	case gotOrg != "" && org != "" && !strings.EqualFold(gotOrg, org):
		return "", "", fmt.Sprintf("`%s` would be in `%s`, but this form creates repositories in **%s** only: write `%s` or `%s/%s`.",
			Code(s), Code(gotOrg), org, Code(name), org, Code(name))
	case !ValidRepoName(name):
		return "", "", fmt.Sprintf("`%s` is not a repository name GitHub takes: use up to 100 letters, digits, `-`, `_` and `.`.", Code(name))
	}
	return cmp.Or(org, gotOrg), name, ""
}

// parseRepoAnswer takes a repository answer apart: the host and the
// organisation it names, if any, and the name; or says why it names none.
func parseRepoAnswer(s string) (host, org, name, msg string) {
	if h, query, ok := strings.Cut(s, "?"); ok {
		q, err := url.ParseQuery(query)
		if err != nil || q.Get("repo") == "" {
			return "", "", "", fmt.Sprintf("`%s` is not a repository: write a name such as `my-service`.", Code(s))
		}
		return strings.TrimPrefix(strings.TrimPrefix(h, "https://"), "http://"), q.Get("owner"), q.Get("repo"), ""
	}
	host, path := splitRepoHost(s)
	path = strings.Trim(path, "/")
	if strings.HasSuffix(strings.ToLower(path), ".git") {
		path = path[:len(path)-len(".git")]
	}
	parts := strings.Split(path, "/")
	switch len(parts) {
	case 1:
		return host, "", parts[0], ""
	case 2:
		return host, parts[0], parts[1], ""
	}
	return "", "", "", fmt.Sprintf("`%s` is not a repository: write its name, such as `my-service`, or `org/my-service`.", Code(s))
}

// splitRepoHost splits the host off a URL, an scp-like address or a
// github.com/org/name path; host is "" when s names none.
func splitRepoHost(s string) (host, path string) {
	if i := strings.Index(s, "://"); i >= 0 {
		path = s[i+len("://"):]
		if at := strings.IndexByte(path, '@'); at >= 0 && at < strings.IndexByte(path+"/", '/') {
			path = path[at+1:] // ssh://git@github.com/...
		}
		host, path, _ = strings.Cut(path, "/")
		return host, path
	}
	if at := strings.IndexByte(s, '@'); at >= 0 && strings.Contains(s[at:], ":") {
		host, path, _ = strings.Cut(s[at+1:], ":") // git@github.com:org/name.git
		return host, path
	}
	if first, rest, ok := strings.Cut(s, "/"); ok && strings.Contains(first, ".") {
		return first, rest // github.com/org/name
	}
	return "", s
}

// RepoURL is the value a RepoUrlPicker gives: host?owner=org&repo=name.
func RepoURL(host, org, name string) string {
	return host + "?" + url.Values{"owner": {org}, "repo": {name}}.Encode()
}
