package catalog

import (
	"encoding/json"
	"maps"
	"slices"
	"strings"
)

// Well-known annotations.
const (
	AnnotationManagedByLocation = "backstage.io/managed-by-location"
	AnnotationManagedByOrigin   = "backstage.io/managed-by-origin-location"
	AnnotationProjectSlug       = "github.com/project-slug"
	AnnotationTeamSlug          = "github.com/team-slug"
	AnnotationUserLogin         = "github.com/user-login"
	AnnotationTechDocsRef       = "backstage.io/techdocs-ref"
	AnnotationSourceLocation    = "backstage.io/source-location"
	AnnotationSlackChannel      = "slack.com/channel"
	AnnotationPagerDutyService  = "pagerduty.com/service-id"
	AnnotationOpsgenieTeam      = "opsgenie.com/team"
)

// Link is an entry of metadata.links.
type Link struct {
	URL   string `json:"url"`
	Title string `json:"title,omitempty"`
	Icon  string `json:"icon,omitempty"`
	Type  string `json:"type,omitempty"`
}

// Metadata is an entity's metadata. Fields Backstage does not define are kept
// in Extra and written back unchanged, so a file round-trips without loss.
type Metadata struct {
	UID         string
	Etag        string
	Name        string
	Namespace   string
	Title       string
	Description string
	Labels      map[string]string
	Annotations map[string]string
	Tags        []string
	Links       []Link
	Extra       map[string]any
}

// Relation is a directed edge from the entity that holds it to TargetRef.
type Relation struct {
	Type      string `json:"type"`
	TargetRef string `json:"targetRef"`
}

// Entity is a Backstage catalog entity.
type Entity struct {
	APIVersion string         `json:"apiVersion"`
	Kind       string         `json:"kind"`
	Metadata   Metadata       `json:"metadata"`
	Spec       map[string]any `json:"spec,omitempty"`
	Relations  []Relation     `json:"relations,omitempty"`
}

// Ref is the entity's own reference.
func (e *Entity) Ref() Ref {
	ns := e.Metadata.Namespace
	if ns == "" {
		ns = DefaultNamespace
	}
	return Ref{Kind: e.Kind, Namespace: ns, Name: e.Metadata.Name}
}

// SpecString returns spec[key] when it is a string.
func (e *Entity) SpecString(key string) string {
	s, _ := e.Spec[key].(string)
	return s
}

// SpecStrings returns spec[key] when it is a list of strings (other items are skipped).
func (e *Entity) SpecStrings(key string) []string {
	return stringList(e.Spec[key])
}

// SpecMap returns spec[key] when it is an object.
func (e *Entity) SpecMap(key string) map[string]any {
	m, _ := e.Spec[key].(map[string]any)
	return m
}

// DisplayName is what a person should read: the title, a profile's display
// name, or the name.
func (e *Entity) DisplayName() string {
	if e.Metadata.Title != "" {
		return e.Metadata.Title
	}
	if p := e.SpecMap("profile"); p != nil {
		if s, _ := p["displayName"].(string); s != "" {
			return s
		}
	}
	return e.Metadata.Name
}

// Email is spec.profile.email, for groups and users.
func (e *Entity) Email() string {
	if p := e.SpecMap("profile"); p != nil {
		s, _ := p["email"].(string)
		return s
	}
	return ""
}

// Clone returns a deep copy, so a caller may change it freely.
func (e *Entity) Clone() *Entity {
	b, err := json.Marshal(e)
	if err != nil {
		panic("catalog: entity does not marshal: " + err.Error())
	}
	var c Entity
	if err := json.Unmarshal(b, &c); err != nil {
		panic("catalog: entity does not unmarshal: " + err.Error())
	}
	return &c
}

func stringList(v any) []string {
	items, _ := v.([]any)
	if items == nil {
		if ss, ok := v.([]string); ok {
			return ss
		}
		return nil
	}
	out := make([]string, 0, len(items))
	for _, it := range items {
		if s, ok := it.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

var metadataKnown = []string{"uid", "etag", "name", "namespace", "title", "description", "labels", "annotations", "tags", "links"}

// MarshalJSON writes the identity (uid, etag) first, then every other field,
// known and extra, in key order.
func (m Metadata) MarshalJSON() ([]byte, error) {
	out := make(map[string]any, len(m.Extra)+8)
	maps.Copy(out, m.Extra)
	delete(out, "uid")
	delete(out, "etag")
	set := func(k, v string) {
		if v != "" {
			out[k] = v
		}
	}
	set("name", m.Name)
	set("namespace", m.Namespace)
	set("title", m.Title)
	set("description", m.Description)
	if m.Labels != nil {
		out["labels"] = m.Labels
	}
	if m.Annotations != nil {
		out["annotations"] = m.Annotations
	}
	if m.Tags != nil {
		out["tags"] = m.Tags
	}
	if m.Links != nil {
		out["links"] = m.Links
	}
	b, err := json.Marshal(out)
	if err != nil || (m.UID == "" && m.Etag == "") {
		return b, err
	}
	return appendIdentity(make([]byte, 0, len(b)+80), b, m.UID, m.Etag), nil
}

// appendIdentity appends obj, a JSON object, to dst with uid and etag made
// its first fields.
func appendIdentity(dst, obj []byte, uid, etag string) []byte {
	dst = append(dst, '{')
	n := 0
	for _, f := range [2][2]string{{"uid", uid}, {"etag", etag}} {
		if f[1] == "" {
			continue
		}
		if n > 0 {
			dst = append(dst, ',')
		}
		v, _ := json.Marshal(f[1]) // a string always encodes
		dst = append(dst, '"')
		dst = append(dst, f[0]...)
		dst = append(dst, '"', ':')
		dst = append(dst, v...)
		n++
	}
	rest := obj[1:] // after '{'
	if n > 0 && len(rest) > 0 && rest[0] != '}' {
		dst = append(dst, ',')
	}
	return append(dst, rest...)
}

// UnmarshalJSON reads metadata written by MarshalJSON (or by Backstage).
func (m *Metadata) UnmarshalJSON(b []byte) error {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	*m = Metadata{}
	// The fields metadata names, in a fixed order so that the first one
	// that does not decode is the one reported.
	for _, f := range []struct {
		key string
		dst any
	}{
		{"uid", &m.UID}, {"etag", &m.Etag}, {"name", &m.Name}, {"namespace", &m.Namespace}, {"title", &m.Title},
		{"description", &m.Description}, {"labels", &m.Labels}, {"annotations", &m.Annotations}, {"tags", &m.Tags}, {"links", &m.Links},
	} {
		if v, ok := raw[f.key]; ok {
			if err := json.Unmarshal(v, f.dst); err != nil {
				return err
			}
		}
	}
	for k, v := range raw {
		if slices.Contains(metadataKnown, k) {
			continue
		}
		if m.Extra == nil {
			m.Extra = map[string]any{}
		}
		var x any
		if err := json.Unmarshal(v, &x); err != nil {
			return err
		}
		m.Extra[k] = x
	}
	return nil
}

// FromGitHubOrg reports whether a group or user came from GitHub's teams and
// members (callboard's organisation sync) rather than from a catalog file.
func (e *Entity) FromGitHubOrg() bool {
	loc := e.Metadata.Annotations[AnnotationManagedByLocation]
	return (e.Metadata.Annotations[AnnotationTeamSlug] != "" || e.Metadata.Annotations[AnnotationUserLogin] != "") &&
		!strings.HasSuffix(loc, ".yaml") && !strings.HasSuffix(loc, ".yml")
}
