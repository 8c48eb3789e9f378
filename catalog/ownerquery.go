package catalog

import (
	"regexp"
	"strings"
)

// queryKind is what an owner query names, read from its shape alone.
type queryKind int

const (
	queryName  queryKind = iota // payments-api
	queryRef                    // component:default/payments-api, repo:acme/x
	querySlash                  // acme/payments-api, default/payments-api, acme/payments
	queryURL                    // a repository, file or folder on GitHub
	queryTeam                   // @acme/payments, a CODEOWNERS team handle
	queryUser                   // @alice, a CODEOWNERS user handle
)

// ownerQuery is an owner question as people paste it, read into one shape.
type ownerQuery struct {
	kind queryKind
	// text is what to look up: the name, the ref, org/name, the https URL,
	// the team's org/slug or the user's login.
	text string
}

// reSCPGit is git's scp-like remote, user@host:path (git@github.com:acme/x.git).
// Entity refs never hold an @, so "group:payments" is not one.
var reSCPGit = regexp.MustCompile(`^[A-Za-z0-9._-]+@([A-Za-z0-9.-]+\.[A-Za-z]{2,}):/?([^/].*)$`)

// parseOwnerQuery reads what people copy from GitHub, CODEOWNERS and their
// terminal: a name, an entity ref, org/repo (or org/team), a CODEOWNERS handle
// (@org/team, @login), a GitHub URL with or without its scheme
// (github.com/acme/x/blob/main/a.go), a clone URL (https://github.com/acme/x.git,
// git@github.com:acme/x.git, ssh://git@github.com/acme/x.git). The query is
// already cleaned (trimmed, unquoted, Slack's <url|label> unwrapped).
func parseOwnerQuery(q string) ownerQuery {
	lower := strings.ToLower(q)
	if m := reSCPGit.FindStringSubmatch(q); m != nil {
		return ownerQuery{kind: queryURL, text: "https://" + m[1] + "/" + m[2]}
	}
	for _, scheme := range []string{"https://", "http://", "ssh://", "git+ssh://", "git://"} {
		if strings.HasPrefix(lower, scheme) {
			rest := q[len(scheme):]
			if i := strings.IndexByte(rest, '@'); i >= 0 && i < strings.IndexByte(rest+"/", '/') {
				rest = rest[i+1:] // ssh://git@github.com/...: drop the user
			}
			return ownerQuery{kind: queryURL, text: "https://" + rest}
		}
	}
	if handle, ok := strings.CutPrefix(q, "@"); ok {
		if slug := TeamSlug(q); slug != "" {
			return ownerQuery{kind: queryTeam, text: strings.ToLower(slug)}
		}
		if login := UserLogin(q); login != "" {
			return ownerQuery{kind: queryUser, text: login}
		}
		q = handle // not a handle GitHub makes: read it as what follows the @
		lower = strings.ToLower(q)
	}
	if first, rest, ok := strings.Cut(q, "/"); ok && looksLikeHost(first) && rest != "" {
		return ownerQuery{kind: queryURL, text: "https://" + q}
	}
	switch {
	case strings.HasPrefix(lower, "repo:"):
		return ownerQuery{kind: querySlash, text: trimGit(q[len("repo:"):])}
	case strings.Contains(q, ":"):
		return ownerQuery{kind: queryRef, text: q}
	case strings.Count(strings.TrimSuffix(q, "/"), "/") == 1:
		return ownerQuery{kind: querySlash, text: trimGit(strings.TrimSuffix(q, "/"))}
	}
	return ownerQuery{kind: queryName, text: q}
}

// looksLikeHost says whether the first segment of a path-like query is a host
// (github.com, www.github.com, ghe.acme.example) rather than an organisation or
// a namespace, which hold no dot.
func looksLikeHost(s string) bool {
	i := strings.LastIndexByte(s, '.')
	if i <= 0 || i == len(s)-1 || strings.ContainsAny(s, "@:") {
		return false
	}
	tld := s[i+1:]
	for _, r := range tld {
		if (r < 'a' || r > 'z') && (r < 'A' || r > 'Z') {
			return false // "v1.2": not a top-level domain
		}
	}
	return len(tld) >= 2
}

// trimGit drops a clone URL's ".git" from org/repo.git.
func trimGit(s string) string {
	if strings.HasSuffix(strings.ToLower(s), ".git") {
		return s[:len(s)-len(".git")]
	}
	return s
}
