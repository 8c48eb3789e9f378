package digest

import (
	"cmp"
	"slices"
	"strings"
)

// ForOwner returns the digest an owner receives: only the plugins whose
// owner's email is email (case-insensitive), without the organisation-wide
// sections. It returns nil when the owner has no plugin.
func (d *Digest) ForOwner(email string) *Digest {
	var ps []PluginUsage
	name := ""
	for _, p := range d.Plugins {
		if p.Owner != nil && strings.EqualFold(p.Owner.Email, email) {
			ps = append(ps, p)
			name = cmp.Or(name, p.Owner.Name)
		}
	}
	if len(ps) == 0 {
		return nil
	}
	return &Digest{Week: d.Week, Zone: d.Zone, From: d.From, To: d.To, Partial: d.Partial, GeneratedAt: d.GeneratedAt,
		Scope: cmp.Or(name, email), URL: d.URL, Plugins: ps, Trend: d.Trend, Total: totals(ps)}
}

// OwnerEmails returns the distinct owner addresses of the digest's plugins,
// lower-cased and sorted.
func (d *Digest) OwnerEmails() []string {
	var out []string
	for _, p := range d.Plugins {
		if p.Owner != nil && p.Owner.Email != "" {
			out = append(out, strings.ToLower(p.Owner.Email))
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}
