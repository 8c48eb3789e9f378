package bot

import (
	"cmp"
	"fmt"
	"net/url"
	"strings"

	"github.com/callboard/callboard/catalog"
	"github.com/callboard/callboard/internal/slacktext"
)

// reach adds how to reach an owner: channel, email and GitHub team on one
// line (a person's Slack account first), then members, on-call and the
// owner's other links.
func reach(t *slacktext.Lines, o catalog.Owner, named bool, p *people) {
	contact := contacts(o, p)
	if o.GitHubTeam != "" {
		org, slug, ok := strings.Cut(o.GitHubTeam, "/")
		if ok {
			contact = append(contact, slacktext.Link("https://github.com/orgs/"+url.PathEscape(org)+"/teams/"+url.PathEscape(slug), "@"+o.GitHubTeam))
		} else {
			contact = append(contact, slacktext.Escape("@"+o.GitHubTeam))
		}
	}
	line := strings.Join(contact, " · ")
	if named {
		prefix := slacktext.Bold(cmp.Or(o.DisplayName, o.Name))
		if !o.Known {
			prefix += " (not in the catalog)"
		}
		line = strings.Join(append([]string{prefix}, contact...), " · ")
	}
	t.Add(line)
	if !o.Known && len(o.Suggestions) > 0 {
		var ss []string
		for _, s := range o.Suggestions {
			ss = append(ss, slacktext.Code(s))
		}
		t.Add(slacktext.Escape(o.Ref) + " is not in the catalog. Did you mean " + joinOr(ss) + "?")
	}
	if len(o.Members) > 0 {
		t.Add("Members: " + members(o, p))
	}
	if l := linkList(o.OnCall); l != "" {
		t.Add("On-call: " + l)
	}
	if l := linkList(o.Links); l != "" {
		t.Add("Links: " + l)
	}
}

// contacts are the ways to reach an owner, as links: a person's Slack
// account, the owner's channel, its email.
func contacts(o catalog.Owner, p *people) []string {
	var out []string
	if strings.EqualFold(o.Kind, "user") {
		if s := p.slackOf(o.Email); s != "" {
			out = append(out, s)
		}
	}
	if o.SlackChannel != "" {
		out = append(out, channel(o))
	}
	if o.Email != "" {
		out = append(out, slacktext.Mailto(o.Email, ""))
	}
	return out
}

// members names an owner's first members and counts the rest.
func members(o catalog.Owner, p *people) string {
	var ms []string
	for i, m := range o.Members {
		if i == maxMembersLine {
			break
		}
		ms = append(ms, p.person(m.Email, cmp.Or(m.DisplayName, m.Name)))
	}
	if more := len(o.Members) - len(ms) + o.MoreMembers; more > 0 {
		ms = append(ms, fmt.Sprintf("%d more", more))
	}
	return slacktext.JoinAnd(ms)
}

// linkList shows links as "a, b and c", a link without a URL as its title.
func linkList(ls []catalog.Link) string {
	var out []string
	for i, l := range ls {
		if i == maxLinks {
			out = append(out, fmt.Sprintf("%d more", len(ls)-i))
			break
		}
		title := l.Title
		if title == "" {
			title = l.URL
		}
		if l.URL == "" {
			out = append(out, slacktext.Escape(title))
			continue
		}
		out = append(out, slacktext.Link(l.URL, title))
	}
	return slacktext.JoinAnd(out)
}

// linksText is the repository and the docs.
func linksText(a *catalog.OwnerAnswer) *slacktext.Lines {
	t := slacktext.NewLines(slacktext.MaxSectionText)
	if a.RepoURL != "" {
		label := a.RepoURL
		if a.Repository != nil {
			label = a.Repository.FullName
		} else if u, err := url.Parse(a.RepoURL); err == nil && u.Host == "github.com" {
			label = strings.Trim(u.Path, "/")
		}
		t.Add("Repository: " + slacktext.Link(a.RepoURL, label))
	}
	if l := linkList(a.Docs); l != "" {
		t.Add("Docs: " + l)
	}
	return t
}
