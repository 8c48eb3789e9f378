package catalog

import (
	"fmt"
	"strings"
)

// Text renders the answer for a terminal (callboard owner); bot renders
// the same answer for Slack.
func (a *OwnerAnswer) Text() string {
	var b strings.Builder
	if !a.Found() {
		fmt.Fprintf(&b, "Nothing in the catalog matches %q.\n", a.Query)
		if len(a.Suggestions) > 0 {
			fmt.Fprintf(&b, "Did you mean: %s?\n", strings.Join(a.Suggestions, ", "))
		}
		return b.String()
	}
	subject := a.Query
	switch {
	case a.Entity != nil:
		subject = fmt.Sprintf("%s (%s)", a.Entity.DisplayName(), a.Entity.Ref())
	case a.Repository != nil:
		subject = a.Repository.FullName
	}
	if a.Path != "" {
		subject += " " + a.Path
	}
	switch {
	case a.Team && a.Entity != nil:
		fmt.Fprintf(&b, "%s\n", subject)
	case len(a.Owners) == 0 && a.Archived:
		fmt.Fprintf(&b, "%s has no owner on record; the repository is archived.\n", subject)
	case len(a.Owners) == 0:
		fmt.Fprintf(&b, "%s has no owner on record.\n", subject)
	default:
		names := make([]string, len(a.Owners))
		for i, o := range a.Owners {
			names[i] = o.DisplayName
			if o.Known {
				names[i] += " (" + o.Ref + ")"
			}
		}
		if a.Archived {
			fmt.Fprintf(&b, "%s was owned by %s %s\n", subject, strings.Join(names, ", "), a.UntilArchived())
		} else {
			fmt.Fprintf(&b, "%s is owned by %s\n", subject, strings.Join(names, ", "))
		}
	}
	for _, o := range a.Owners {
		if len(a.Owners) > 1 || a.Team {
			fmt.Fprintf(&b, "\n%s\n", o.DisplayName)
		}
		if !o.Known {
			fmt.Fprintf(&b, "  %s is not in the catalog", o.Ref)
			if len(o.Suggestions) > 0 {
				fmt.Fprintf(&b, "; did you mean %s?", strings.Join(o.Suggestions, ", "))
			}
			b.WriteString("\n")
		}
		if o.SlackChannel != "" {
			fmt.Fprintf(&b, "  Slack:   %s", o.SlackChannel)
			if o.SlackChannelID != "" && o.SlackChannelID != o.SlackChannel {
				fmt.Fprintf(&b, " (%s)", o.SlackChannelID)
			}
			b.WriteString("\n")
		}
		if o.Email != "" {
			fmt.Fprintf(&b, "  Email:   %s\n", o.Email)
		}
		if o.GitHubTeam != "" {
			fmt.Fprintf(&b, "  GitHub:  @%s\n", o.GitHubTeam)
		}
		if len(o.Members) > 0 {
			ms := make([]string, len(o.Members))
			for i, m := range o.Members {
				ms[i] = m.DisplayName
				if m.Email != "" {
					ms[i] += " <" + m.Email + ">"
				}
			}
			fmt.Fprintf(&b, "  Members: %s", strings.Join(ms, ", "))
			if o.MoreMembers > 0 {
				fmt.Fprintf(&b, " and %d more", o.MoreMembers)
			}
			b.WriteString("\n")
		}
		for _, l := range o.OnCall {
			fmt.Fprintf(&b, "  On-call: %s\n", linkText(l))
		}
	}
	if len(a.Owned) > 0 {
		b.WriteString("\nOwns:\n")
		for _, e := range a.Owned {
			fmt.Fprintf(&b, "  %-12s %s", strings.ToLower(e.Kind), e.Metadata.Name)
			if t := e.SpecString("type"); t != "" {
				fmt.Fprintf(&b, " (%s)", t)
			}
			b.WriteString("\n")
		}
		if a.MoreOwned > 0 {
			fmt.Fprintf(&b, "  and %d more\n", a.MoreOwned)
		}
	}
	b.WriteString("\n")
	if a.RepoURL != "" {
		fmt.Fprintf(&b, "Repository: %s\n", a.RepoURL)
	}
	for _, l := range a.Docs {
		fmt.Fprintf(&b, "Docs:       %s\n", linkText(l))
	}
	switch {
	case a.SourceURL == "":
	case a.Team && a.Entity.FromGitHubOrg():
		fmt.Fprintf(&b, "Source:     GitHub %s\n", a.SourceURL)
	case a.Source == FromCatalog:
		fmt.Fprintf(&b, "Source:     catalog file %s\n", a.SourceURL)
	case a.Source == FromCodeowners:
		fmt.Fprintf(&b, "Source:     CODEOWNERS (no catalog file) %s\n", a.SourceURL)
	case a.Source == FromArchive:
		fmt.Fprintf(&b, "Source:     the catalog when the repository was archived %s\n", a.SourceURL)
	}
	return b.String()
}

func linkText(l Link) string {
	switch {
	case l.Title != "" && l.URL != "":
		return l.Title + " " + l.URL
	case l.URL != "":
		return l.URL
	}
	return l.Title
}
