package catalog

import (
	"fmt"
	"strings"
)

// Text renders the answer for a terminal (callboard owner); bot renders
// the same answer for Slack. Who owns it and how to reach them come first,
// then links, then where the answer came from.
func (a *OwnerAnswer) Text() string {
	var b strings.Builder
	if !a.Found() {
		fmt.Fprintf(&b, "Nothing in the catalog matches %q.\n", a.Query)
		if len(a.Suggestions) > 0 {
			fmt.Fprintf(&b, "Did you mean: %s?\n", strings.Join(a.Suggestions, ", "))
		}
		return b.String()
	}
	a.writeHeadline(&b)
	for _, o := range a.Owners {
		if len(a.Owners) > 1 || a.Team {
			fmt.Fprintf(&b, "\n%s\n", o.DisplayName)
		}
		writeOwnerText(&b, o)
	}
	a.writeOwned(&b)
	b.WriteString("\n")
	if a.RepoURL != "" {
		fmt.Fprintf(&b, "Repository: %s\n", a.RepoURL)
	}
	for _, l := range a.Docs {
		fmt.Fprintf(&b, "Docs:       %s\n", linkText(l))
	}
	if src := a.sourceText(); src != "" {
		fmt.Fprintf(&b, "Source:     %s %s\n", src, a.SourceURL)
	}
	return b.String()
}

// subjectText names what the answer is about.
func (a *OwnerAnswer) subjectText() string {
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
	return subject
}

// writeHeadline writes the first line: what the answer is about, and who
// owns it.
func (a *OwnerAnswer) writeHeadline(b *strings.Builder) {
	subject := a.subjectText()
	switch {
	case a.Team && a.Entity != nil:
		fmt.Fprintf(b, "%s\n", subject)
	case len(a.Owners) == 0 && a.Archived:
		fmt.Fprintf(b, "%s has no owner on record; the repository is archived.\n", subject)
	case len(a.Owners) == 0:
		fmt.Fprintf(b, "%s has no owner on record.\n", subject)
	case a.Archived:
		fmt.Fprintf(b, "%s was owned by %s %s\n", subject, ownerNamesText(a.Owners), a.UntilArchived())
	default:
		fmt.Fprintf(b, "%s is owned by %s\n", subject, ownerNamesText(a.Owners))
	}
}

// ownerNamesText lists owners by name, with the ref of those in the catalog.
func ownerNamesText(owners []Owner) string {
	names := make([]string, len(owners))
	for i, o := range owners {
		names[i] = o.DisplayName
		if o.Known {
			names[i] += " (" + o.Ref + ")"
		}
	}
	return strings.Join(names, ", ")
}

// writeOwnerText writes how to reach one owner, a line a way.
func writeOwnerText(b *strings.Builder, o Owner) {
	if !o.Known {
		fmt.Fprintf(b, "  %s is not in the catalog", o.Ref)
		if len(o.Suggestions) > 0 {
			fmt.Fprintf(b, "; did you mean %s?", strings.Join(o.Suggestions, ", "))
		}
		b.WriteString("\n")
	}
	if o.SlackChannel != "" {
		fmt.Fprintf(b, "  Slack:   %s", o.SlackChannel)
		if o.SlackChannelID != "" && o.SlackChannelID != o.SlackChannel {
			fmt.Fprintf(b, " (%s)", o.SlackChannelID)
		}
		b.WriteString("\n")
	}
	if o.Email != "" {
		fmt.Fprintf(b, "  Email:   %s\n", o.Email)
	}
	if o.GitHubTeam != "" {
		fmt.Fprintf(b, "  GitHub:  @%s\n", o.GitHubTeam)
	}
	if len(o.Members) > 0 {
		ms := make([]string, len(o.Members))
		for i, m := range o.Members {
			ms[i] = m.DisplayName
			if m.Email != "" {
				ms[i] += " <" + m.Email + ">"
			}
		}
		fmt.Fprintf(b, "  Members: %s", strings.Join(ms, ", "))
		if o.MoreMembers > 0 {
			fmt.Fprintf(b, " and %d more", o.MoreMembers)
		}
		b.WriteString("\n")
	}
	for _, l := range o.OnCall {
		fmt.Fprintf(b, "  On-call: %s\n", linkText(l))
	}
}

// writeOwned lists what a team owns.
func (a *OwnerAnswer) writeOwned(b *strings.Builder) {
	if len(a.Owned) == 0 {
		return
	}
	b.WriteString("\nOwns:\n")
	for _, e := range a.Owned {
		fmt.Fprintf(b, "  %-12s %s", strings.ToLower(e.Kind), e.Metadata.Name)
		if t := e.SpecString("type"); t != "" {
			fmt.Fprintf(b, " (%s)", t)
		}
		b.WriteString("\n")
	}
	if a.MoreOwned > 0 {
		fmt.Fprintf(b, "  and %d more\n", a.MoreOwned)
	}
}

// sourceText says where the answer came from; "" when it links nowhere.
func (a *OwnerAnswer) sourceText() string {
	switch {
	case a.SourceURL == "":
	case a.Team && a.Entity.FromGitHubOrg():
		return "GitHub"
	case a.Source == FromCatalog:
		return "catalog file"
	case a.Source == FromCodeowners:
		return "CODEOWNERS (no catalog file)"
	case a.Source == FromArchive:
		return "the catalog when the repository was archived"
	}
	return ""
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
