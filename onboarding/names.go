package onboarding

import (
	"net/url"
	"slices"
	"strings"

	"github.com/callboard/callboard/catalog"
)

// Name makes a valid metadata.name of a repository name: lower case,
// other characters become "-", a run of separators keeps its first, at most
// 63 characters.
func Name(repo string) string {
	var b strings.Builder
	prevSep := true // no separator first
	for _, r := range strings.ToLower(repo) {
		sep := r == '-' || r == '_' || r == '.'
		if !sep && !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9') {
			r, sep = '-', true
		}
		if sep && prevSep {
			continue
		}
		b.WriteRune(r)
		prevSep = sep
	}
	s := b.String()
	if len(s) > 63 {
		s = s[:63]
	}
	s = strings.TrimRight(s, "-_.")
	if s == "" {
		s = "repository"
	}
	return s
}

// Tags are the repository's topics and its main language, as valid tags.
func Tags(topics []string, language string) []string {
	var out []string
	add := func(s string) {
		s = tagOf(s)
		if catalog.ValidTag(s) && !slices.Contains(out, s) && len(out) < 10 {
			out = append(out, s)
		}
	}
	for _, t := range topics {
		add(t)
	}
	if language != "" {
		add(language)
	}
	return out
}

func tagOf(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(strings.TrimSpace(s)) {
		switch {
		case r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == ':' || r == '+' || r == '#':
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			dash = false
			b.WriteRune(r)
		default:
			dash = true
		}
	}
	return b.String()
}

// homepage is the repository's homepage when it is an http(s) URL.
func homepage(s string) string {
	u, err := url.Parse(strings.TrimSpace(s))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return ""
	}
	return u.String()
}

func quote(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = "`" + s + "`"
	}
	return out
}

// codeHandle puts a CODEOWNERS handle in a code span, so the body mentions
// (and notifies) nobody.
func codeHandle(s string) string { return "`" + strings.ReplaceAll(s, "`", "") + "`" }
