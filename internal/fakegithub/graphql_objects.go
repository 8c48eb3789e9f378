package fakegithub

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
)

func (x *gqlExec) repository(rp *repo) *gqlObject {
	_, name, _ := strings.Cut(rp.FullName, "/")
	return &gqlObject{typ: "Repository", fields: map[string]func(map[string]any) (any, error){
		"id":            constant(fmt.Sprintf("R_%d", rp.ID)),
		"databaseId":    constant(rp.ID),
		"name":          constant(name),
		"nameWithOwner": constant(rp.FullName),
		"description":   constant(nullable(rp.Description)),
		"url":           constant("https://github.com/" + rp.FullName),
		"isArchived":    constant(rp.Archived),
		"isFork":        constant(rp.Fork),
		"isPrivate":     constant(rp.Private),
		"isEmpty":       constant(len(rp.branches) == 0),
		"pushedAt":      constant(ts(rp.pushed)),
		"updatedAt":     constant(ts(rp.created)),
		"archivedAt":    constant(nil),
		"defaultBranchRef": func(map[string]any) (any, error) {
			if len(rp.branches) == 0 {
				return nil, nil
			}
			return &gqlObject{typ: "Ref", fields: map[string]func(map[string]any) (any, error){
				"id": constant("REF_" + rp.DefaultBranch), "name": constant(rp.DefaultBranch), "prefix": constant("refs/heads/"),
			}}, nil
		},
		"primaryLanguage": func(map[string]any) (any, error) {
			if rp.Language == "" {
				return nil, nil
			}
			return &gqlObject{typ: "Language", fields: map[string]func(map[string]any) (any, error){
				"id": constant("L_" + rp.Language), "name": constant(rp.Language), "color": constant(nil),
			}}, nil
		},
		"repositoryTopics": func(a map[string]any) (any, error) { return repositoryTopics(rp, a) },
		"languages":        func(a map[string]any) (any, error) { return languages(rp, a) },
		"object":           func(a map[string]any) (any, error) { return x.object(rp, a) },
	}}
}

// repositoryTopics is a repository's topics connection.
func repositoryTopics(rp *repo, a map[string]any) (any, error) {
	var topics []*gqlObject
	for _, t := range rp.Topics {
		topic := &gqlObject{typ: "Topic", fields: map[string]func(map[string]any) (any, error){"id": constant("T_" + t), "name": constant(t)}}
		topics = append(topics, &gqlObject{typ: "RepositoryTopic", fields: map[string]func(map[string]any) (any, error){
			"id": constant("RT_" + t), "topic": constant(topic),
		}})
	}
	return connection("RepositoryTopicConnection", topics, a)
}

// object is Repository.object(expression: "REV:PATH"): the blob at PATH,
// or null.
func (x *gqlExec) object(rp *repo, a map[string]any) (any, error) {
	if err := x.needs("contents", "read"); err != nil {
		return nil, err
	}
	expr := str(a, "expression")
	rev, p, ok := strings.Cut(expr, ":")
	if !ok {
		return nil, nil
	}
	if rev == "HEAD" || rev == "" {
		rev = rp.DefaultBranch
	}
	c := x.s.resolve(rp, rev)
	if c == nil {
		return nil, nil
	}
	sha, found := x.s.trees[c.tree][strings.Trim(p, "/")]
	if !found {
		return nil, nil
	}
	return blobObject(sha, x.s.blobs[sha]), nil
}

// maxBlobText is how much of a blob GitHub's Blob.text holds; past it the
// text is cut and isTruncated says so.
var maxBlobText = 512 << 10

func blobObject(sha string, data []byte) *gqlObject {
	binary := strings.ContainsRune(string(data[:min(len(data), 8000)]), 0)
	return &gqlObject{typ: "Blob", fields: map[string]func(map[string]any) (any, error){
		"id": constant("B_" + sha), "oid": constant(sha), "abbreviatedOid": constant(sha[:7]),
		"byteSize": constant(len(data)), "isBinary": constant(binary),
		"isTruncated": constant(len(data) > maxBlobText),
		"text": func(map[string]any) (any, error) {
			if binary {
				return nil, nil
			}
			return string(data[:min(len(data), maxBlobText)]), nil
		},
	}}
}

func (x *gqlExec) organization(org string) *gqlObject {
	s := x.s
	teamsOf := func() []*team {
		var out []*team
		for _, t := range s.teams {
			if strings.EqualFold(t.org, org) {
				out = append(out, t)
			}
		}
		return out
	}
	return &gqlObject{typ: "Organization", fields: map[string]func(map[string]any) (any, error){
		"id": constant("O_" + org), "login": constant(org), "name": constant(org),
		"team": func(a map[string]any) (any, error) {
			if err := x.needs("members", "read"); err != nil {
				return nil, err
			}
			t := s.findTeam(org, str(a, "slug"))
			if t == nil {
				return nil, nil
			}
			return x.team(t), nil
		},
		"teams": func(a map[string]any) (any, error) {
			if err := x.needs("members", "read"); err != nil {
				return nil, err
			}
			var out []*gqlObject
			for _, t := range teamsOf() {
				if root, _ := a["rootTeamsOnly"].(bool); root && t.ParentSlug != "" {
					continue
				}
				out = append(out, x.team(t))
			}
			return connection("TeamConnection", out, a)
		},
		"membersWithRole": func(a map[string]any) (any, error) {
			if err := x.needs("members", "read"); err != nil {
				return nil, err
			}
			return connection("OrganizationMemberConnection", x.users(s.orgMembers(org)), a)
		},
	}}
}

func (x *gqlExec) team(t *team) *gqlObject {
	s := x.s
	return &gqlObject{typ: "Team", fields: map[string]func(map[string]any) (any, error){
		"id": constant(fmt.Sprintf("T_%d", t.ID)), "slug": constant(t.Slug), "name": constant(t.Name),
		"description": constant(nullable(t.Description)),
		"parentTeam": func(map[string]any) (any, error) {
			if p := s.findTeam(t.org, t.ParentSlug); p != nil {
				return x.team(p), nil
			}
			return nil, nil
		},
		"members": func(a map[string]any) (any, error) {
			var logins []string
			mode, _ := a["membership"].(string)
			if mode != "CHILD_TEAM" {
				logins = append(logins, t.members...)
			}
			if mode != "IMMEDIATE" {
				for _, d := range s.descendants(t) {
					logins = append(logins, d.members...)
				}
			}
			return connection("TeamMemberConnection", x.users(dedupFold(logins)), a)
		},
	}}
}

func (s *Server) descendants(t *team) []*team {
	var out []*team
	for _, c := range s.teams {
		if strings.EqualFold(c.org, t.org) && strings.EqualFold(c.ParentSlug, t.Slug) {
			out = append(out, c)
			out = append(out, s.descendants(c)...)
		}
	}
	return out
}

func dedupFold(ss []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range ss {
		if k := strings.ToLower(s); !seen[k] {
			seen[k] = true
			out = append(out, s)
		}
	}
	return out
}

func (x *gqlExec) users(logins []string) []*gqlObject {
	out := make([]*gqlObject, 0, len(logins))
	for _, l := range logins {
		u := x.s.findUser(l)
		name := ""
		if u != nil {
			name = u.Name
		}
		out = append(out, &gqlObject{typ: "User", fields: map[string]func(map[string]any) (any, error){
			"id": constant("U_" + l), "login": constant(l), "name": constant(nullable(name)),
		}})
	}
	return out
}

// connection pages items as GitHub's cursor connections do (first/after,
// last/before; a cursor is opaque to the client).
func connection(typ string, items []*gqlObject, a map[string]any) (any, error) {
	lo, hi := 0, len(items)
	if c := str(a, "after"); c != "" {
		i, err := cursorIndex(c)
		if err != nil {
			return nil, err
		}
		lo = min(i+1, hi)
	}
	if c := str(a, "before"); c != "" {
		i, err := cursorIndex(c)
		if err != nil {
			return nil, err
		}
		hi = max(min(i, hi), lo)
	}
	if n, ok := toInt(a["first"]); ok && a["first"] != nil {
		hi = min(hi, lo+n)
	} else if n, ok := toInt(a["last"]); ok && a["last"] != nil {
		lo = max(lo, hi-n)
	}
	page := items[lo:hi]
	start, end := any(nil), any(nil)
	if len(page) > 0 {
		start, end = cursorOf(lo), cursorOf(hi-1)
	}
	pageInfo := &gqlObject{typ: "PageInfo", fields: map[string]func(map[string]any) (any, error){
		"startCursor": constant(start), "endCursor": constant(end),
		"hasNextPage": constant(hi < len(items)), "hasPreviousPage": constant(lo > 0),
	}}
	return &gqlObject{typ: typ, fields: map[string]func(map[string]any) (any, error){
		"nodes": constant(page), "pageInfo": constant(pageInfo), "totalCount": constant(len(items)),
	}}, nil
}

// languages is the repository's LanguageConnection: Repo.Languages (or its
// Language alone, at 1 byte, when no bytes were set), ordered by size as
// orderBy asks (by name otherwise), with edges carrying the sizes.
func languages(rp *repo, a map[string]any) (any, error) {
	bytes := rp.Languages
	if len(bytes) == 0 && rp.Language != "" {
		bytes = map[string]int64{rp.Language: 1}
	}
	names := slices.Sorted(maps.Keys(bytes))
	if order, ok := a["orderBy"].(map[string]any); ok && order["field"] == "SIZE" {
		desc := order["direction"] == "DESC"
		slices.SortStableFunc(names, func(x, y string) int {
			if desc {
				return cmp.Compare(bytes[y], bytes[x])
			}
			return cmp.Compare(bytes[x], bytes[y])
		})
	}
	var total int64
	edges := make([]*gqlObject, len(names))
	for i, n := range names {
		total += bytes[n]
		node := &gqlObject{typ: "Language", fields: map[string]func(map[string]any) (any, error){
			"id": constant("L_" + n), "name": constant(n), "color": constant(nil),
		}}
		edges[i] = &gqlObject{typ: "LanguageEdge", fields: map[string]func(map[string]any) (any, error){
			"cursor": constant(cursorOf(i)), "node": constant(node), "size": constant(bytes[n]),
		}}
	}
	c, err := connection("LanguageConnection", edges, a)
	if err != nil {
		return nil, err
	}
	conn := c.(*gqlObject)
	page, _ := conn.fields["nodes"](nil)
	var nodes []any
	for _, e := range page.([]*gqlObject) {
		n, _ := e.fields["node"](nil)
		nodes = append(nodes, n)
	}
	conn.fields["edges"] = constant(page)
	conn.fields["nodes"] = constant(nodes)
	conn.fields["totalSize"] = constant(total)
	return conn, nil
}

func cursorOf(i int) string { return "Y3Vyc29yOnYyOpHO" + strconv.Itoa(i) }

func cursorIndex(c string) (int, error) {
	i, err := strconv.Atoi(strings.TrimPrefix(c, "Y3Vyc29yOnYyOpHO"))
	if err != nil || !strings.HasPrefix(c, "Y3Vyc29yOnYyOpHO") {
		return 0, fmt.Errorf("`%s` does not appear to be a valid cursor.", c)
	}
	return i, nil
}
