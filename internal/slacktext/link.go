package slacktext

import (
	"net/url"
	"regexp"
	"strings"
)

// Link is <url|label> for an http(s) URL; anything else is shown as text,
// never as a link. An empty label shows the URL.
func Link(u, label string) string {
	u = strings.TrimSpace(Clean(u))
	if label == "" {
		label = u
	}
	p, err := url.Parse(u)
	if err != nil || (p.Scheme != "https" && p.Scheme != "http") || p.Host == "" {
		return Escape(label)
	}
	return "<" + escURL(u) + "|" + Escape(label) + ">"
}

// escURL keeps a URL inside <...|...>: & as Slack's entity, and the three
// characters that would end or split the link percent-encoded.
var escURL = strings.NewReplacer("&", "&amp;", "<", "%3C", ">", "%3E", "|", "%7C", " ", "%20").Replace

var emailRE = regexp.MustCompile(`^[^\s@<>|&]+@[^\s@<>|&]+\.[^\s@<>|&]+$`)

// Mailto links an email address, or shows it as text when it does not look
// like one. An empty label shows the address.
func Mailto(addr, label string) string {
	addr = strings.TrimSpace(Clean(addr))
	if label == "" {
		label = addr
	}
	if !emailRE.MatchString(addr) {
		return Escape(label)
	}
	return "<mailto:" + escURL(addr) + "|" + Escape(label) + ">"
}

// Channel links a Slack channel: by id when it is known (Slack shows the
// channel's name and opens it), else by name through Slack's app_redirect,
// which opens a channel by name. An id or a name Slack would not allow is
// not linked.
func Channel(id, name string) string {
	if id := Clean(id); channelIDRE.MatchString(id) {
		return "<#" + id + ">"
	}
	name = strings.TrimPrefix(strings.TrimSpace(Clean(name)), "#")
	if !channelNameRE.MatchString(name) {
		return Escape("#" + name)
	}
	return Link("https://slack.com/app_redirect?channel="+url.QueryEscape(name), "#"+name)
}

// channelIDRE is a public (C) or private (G) channel's id.
var channelIDRE = regexp.MustCompile(`^[CG][A-Z0-9]{6,}$`)

// channelNameRE is what Slack allows in a channel name.
var channelNameRE = regexp.MustCompile(`^[\p{Ll}\p{Lo}\p{N}_-]{1,80}$`)
