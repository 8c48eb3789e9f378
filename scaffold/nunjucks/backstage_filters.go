package nunjucks

import (
	"fmt"
	"math"
	"net/url"
	"regexp"
	"strconv"
	"strings"
)

// Backstage's scaffolder adds four filters. They run outside its template
// sandbox, and their result comes back as JSON: a filter that finds
// nothing (pick of a missing key) fails the render, and numbers JSON
// cannot hold become null.
func backstage(f filter) filter {
	return func(m *Meter, v any, args []any) (any, error) {
		out, err := f(m, v, args)
		if err != nil {
			return nil, err
		}
		if out == nil {
			return nil, fmt.Errorf("the filter found nothing")
		}
		return jsonClean(out), nil
	}
}

// jsonClean is v as JSON carries it: NaN and infinities become null.
func jsonClean(v any) any {
	switch v := v.(type) {
	case float64:
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return null
		}
	case []any:
		out := make([]any, len(v))
		for i, x := range v {
			out[i] = jsonClean(stored(x))
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, x := range v {
			out[k] = jsonClean(stored(x))
		}
		return out
	}
	return v
}

func parseRepoURLFilter(m *Meter, v any, _ []any) (any, error) {
	s, err := m.toString(v)
	if err != nil {
		return nil, err
	}
	return ParseRepoURL(s)
}

func projectSlugFilter(m *Meter, v any, _ []any) (any, error) {
	s, err := m.toString(v)
	if err != nil {
		return nil, err
	}
	r, err := ParseRepoURL(s)
	if err != nil {
		return nil, err
	}
	return jsString(r["owner"]) + "/" + jsString(r["repo"]), nil
}

// ParseRepoURL reads a RepoUrlPicker value, "github.com?owner=o&repo=r", as
// Backstage's parseRepoUrl does for a GitHub host: the host as a URL has
// it, and owner, repo (both required), organization, workspace and project
// from the query, each trimmed of "/".
func ParseRepoURL(s string) (map[string]any, error) {
	u, err := url.Parse("https://" + s)
	if err != nil || u.Host == "" {
		return nil, fmt.Errorf("%q is not a repository URL (want github.com?owner=ORG&repo=NAME)", s)
	}
	host := strings.TrimSuffix(strings.ToLower(u.Host), ":443")
	q := searchParams(u.RawQuery)
	for _, k := range []string{"repo", "owner"} {
		if v, _ := q[k]; v == "" {
			return nil, fmt.Errorf("%q names no %s (want github.com?owner=ORG&repo=NAME)", s, k)
		}
	}
	out := map[string]any{"host": host}
	for _, k := range []string{"owner", "repo", "organization", "workspace", "project"} {
		if v, ok := q[k]; ok {
			out[k] = strings.Trim(v, "/")
		}
	}
	return out, nil
}

// searchParams reads a query as URLSearchParams does: the first value of
// each name, "+" as a space, a bad %-escape left as written.
func searchParams(query string) map[string]string {
	out := map[string]string{}
	for _, part := range strings.Split(query, "&") {
		if part == "" {
			continue
		}
		k, v, _ := strings.Cut(part, "=")
		k, v = unescapeForm(k), unescapeForm(v)
		if _, seen := out[k]; !seen {
			out[k] = v
		}
	}
	return out
}

func unescapeForm(s string) string {
	s = strings.ReplaceAll(s, "+", " ")
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+2 < len(s) {
			if n, err := strconv.ParseUint(s[i+1:i+3], 16, 8); err == nil {
				b = append(b, byte(n))
				i += 2
				continue
			}
		}
		b = append(b, s[i])
	}
	return string(b)
}

// parseEntityRefFilter is @backstage/catalog-model's parseEntityRef:
// [kind:][namespace/]name, with the defaults of its second argument
// (defaultKind, defaultNamespace, itself "default" by default); case is
// kept as written.
func parseEntityRefFilter(_ *Meter, v any, args []any) (any, error) {
	if !truthy(v) {
		return nil, fmt.Errorf("an entity reference must not be empty")
	}
	ctx := arg(args, 0)
	defKind := member(ctx, "defaultKind")
	defNS := member(ctx, "defaultNamespace")
	if !truthy(defNS) {
		defNS = "default"
	}
	var kind, ns, name any
	if s, ok := v.(string); ok {
		var err error
		if kind, ns, name, err = splitEntityRef(s); err != nil {
			return nil, err
		}
	} else {
		kind, ns, name = member(v, "kind"), member(v, "namespace"), member(v, "name")
	}
	if nullish(kind) {
		kind = defKind
	}
	if nullish(ns) {
		ns = defNS
	}
	switch {
	case !truthy(kind):
		return nil, fmt.Errorf("the entity reference %s has no kind (write kind:name, or give defaultKind)", jsString(v))
	case !truthy(ns):
		return nil, fmt.Errorf("the entity reference %s has no namespace", jsString(v))
	case !truthy(name):
		return nil, fmt.Errorf("the entity reference %s has no name", jsString(v))
	}
	return map[string]any{"kind": kind, "namespace": ns, "name": name}, nil
}

// splitEntityRef reads [kind:][namespace/]name; a part not written is nil.
func splitEntityRef(s string) (kind, ns, name any, err error) {
	colon, slash := strings.Index(s, ":"), strings.Index(s, "/")
	if slash != -1 && slash < colon {
		colon = -1
	}
	name = s[max(colon+1, slash+1):]
	if colon != -1 {
		kind = s[:colon]
	}
	if slash != -1 {
		ns = s[colon+1 : slash]
	}
	if kind == "" || ns == "" || name == "" {
		return nil, nil, nil, fmt.Errorf("the entity reference %q is not of the form [kind:][namespace/]name", s)
	}
	return kind, ns, name, nil
}

var (
	rePlainProp = regexp.MustCompile(`^\w*$`)
	reDeepProp  = regexp.MustCompile(`\.|\[(?:[^\[\]]*|"(?:[^"\\]|\\.)*?"|'(?:[^'\\]|\\.)*?')\]`)
	rePathPart  = regexp.MustCompile(`[^.\[\]]+|\[(?:([^"'][^\[]*)|(["'])((?:[^\\]|\\.)*?)(["']))\]|(\.|\[\])(?:\.|\[\]|$)`)
)

// pickFilter is lodash's get(obj, path): a key, or a path such as
// "a.b[0]".
func pickFilter(_ *Meter, v any, args []any) (any, error) {
	key := arg(args, 0)
	var path []string
	s, isString := key.(string)
	switch {
	case !isString:
		path = []string{jsString(key)}
	case rePlainProp.MatchString(s) || !reDeepProp.MatchString(s):
		path = []string{s}
	default:
		if m, ok := v.(map[string]any); ok {
			if _, has := m[s]; has {
				path = []string{s}
				break
			}
		}
		if s != "" && s[0] == '.' {
			path = append(path, "")
		}
		for _, p := range rePathPart.FindAllStringSubmatch(s, -1) {
			switch {
			case p[2] != "":
				path = append(path, strings.ReplaceAll(p[3], `\`, ""))
			case p[1] != "":
				path = append(path, p[1])
			default:
				path = append(path, p[0])
			}
		}
	}
	for _, k := range path {
		if nullish(v) {
			return nil, nil
		}
		v = member(v, k)
	}
	return v, nil
}
