package catalog

import (
	"cmp"
	"context"
	"net/url"
	"regexp"
	"strings"
)

// ownerSuggestions are the groups' and users' names closest to name.
func ownerSuggestions(ctx context.Context, r OwnerReader, name string) ([]string, error) {
	names, err := r.Names(ctx)
	if err != nil {
		return nil, err
	}
	return Suggest(name, ownersAmong(names), 3), nil
}

func ownerFromEntity(ctx context.Context, r OwnerReader, e *Entity) (Owner, error) {
	o := Owner{
		Ref:         e.Ref().String(),
		Kind:        CanonicalKind(e.Kind),
		Name:        e.Metadata.Name,
		DisplayName: e.DisplayName(),
		Email:       e.Email(),
		GitHubTeam:  e.Metadata.Annotations[AnnotationTeamSlug],
		Known:       true,
		OnCall:      onCallLinks(e),
	}
	name, id := SlackChannelOf(e)
	o.SlackChannel, o.SlackChannelID = cmp.Or(name, id), id
	for _, l := range e.Metadata.Links {
		if !isOnCall(l) {
			o.Links = append(o.Links, l)
		}
	}
	if strings.EqualFold(e.Kind, "group") {
		refs, err := r.RelatedRefs(ctx, e.Ref(), RelHasMember)
		if err != nil {
			return o, err
		}
		if len(refs) > maxMembers {
			o.MoreMembers = len(refs) - maxMembers
			refs = refs[:maxMembers]
		}
		users, err := r.EntitiesByRefs(ctx, refs)
		if err != nil {
			return o, err
		}
		for i, u := range users {
			m := Member{Ref: refs[i]}
			if u != nil {
				m.Name, m.DisplayName, m.Email = u.Metadata.Name, u.DisplayName(), u.Email()
			} else {
				m.Name = refs[i][strings.LastIndexByte(refs[i], '/')+1:]
				m.DisplayName = m.Name
			}
			o.Members = append(o.Members, m)
		}
	}
	return o, nil
}

// slackNameAnnotations name an owner's channel; the first set wins.
var slackNameAnnotations = []string{AnnotationSlackChannel, "slack.com/channel-name", "callboard.dev/slack-channel"}

// reSlackChannelID is a Slack conversation id: public (C), private (G).
var reSlackChannelID = regexp.MustCompile(`^[CG][A-Z0-9]{6,}$`)

// SlackChannelOf reads an entity's Slack channel from its annotations: the
// name as "#name" (written with or without the #), and the id (C0123ABCD)
// when slack.com/channel-id gives it or the channel annotation is one.
func SlackChannelOf(e *Entity) (name, id string) {
	if v := strings.TrimSpace(e.Metadata.Annotations["slack.com/channel-id"]); reSlackChannelID.MatchString(v) {
		id = v
	}
	for _, k := range slackNameAnnotations {
		v := strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(e.Metadata.Annotations[k]), "#"))
		switch {
		case v == "":
		case reSlackChannelID.MatchString(v):
			if id == "" {
				id = v
			}
		case name == "":
			name = "#" + v
		}
	}
	return name, id
}

func isOnCall(l Link) bool {
	s := strings.ToLower(l.Title + " " + l.Icon + " " + l.Type)
	for _, w := range []string{"on-call", "oncall", "on call", "pagerduty", "opsgenie", "incident"} {
		if strings.Contains(s, w) {
			return true
		}
	}
	return false
}

func onCallLinks(e *Entity) []Link {
	var out []Link
	for _, l := range e.Metadata.Links {
		if isOnCall(l) {
			out = append(out, l)
		}
	}
	if id := e.Metadata.Annotations[AnnotationPagerDutyService]; id != "" {
		out = append(out, Link{Title: "PagerDuty service " + id, URL: "https://app.pagerduty.com/service-directory/" + url.PathEscape(id)})
	}
	if team := e.Metadata.Annotations[AnnotationOpsgenieTeam]; team != "" {
		out = append(out, Link{Title: "Opsgenie team " + team})
	}
	return out
}

func docsLinks(e *Entity, repoURL string) []Link {
	var out []Link
	for _, l := range e.Metadata.Links {
		s := strings.ToLower(l.Title + " " + l.Icon + " " + l.Type)
		if strings.Contains(s, "doc") || strings.Contains(s, "wiki") || strings.Contains(s, "runbook") {
			out = append(out, l)
		}
	}
	if ref := e.Metadata.Annotations[AnnotationTechDocsRef]; ref != "" {
		if u := techDocsURL(ref, repoURL); u != "" {
			out = append(out, Link{Title: "TechDocs", URL: u})
		}
	}
	return out
}

// techDocsURL turns backstage.io/techdocs-ref (dir:., url:...) into a link a
// person can open.
func techDocsURL(ref, repoURL string) string {
	switch {
	case strings.HasPrefix(ref, "url:"):
		return strings.TrimPrefix(ref, "url:")
	case strings.HasPrefix(ref, "dir:") && repoURL != "":
		dir := strings.Trim(strings.TrimPrefix(ref, "dir:"), "./")
		if dir == "" {
			return repoURL + "/tree/HEAD/docs"
		}
		return repoURL + "/tree/HEAD/" + dir + "/docs"
	}
	return ""
}
