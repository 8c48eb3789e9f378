package digest

import (
	"cmp"
	"slices"
	"strings"
	"time"

	"github.com/callboard/callboard/catalog"
)

// Build computes the digest from its input. It reads the clock only through in.Now.
func Build(in Input) *Digest {
	loc := in.Location
	if loc == nil {
		loc = time.UTC
	}
	d := &Digest{
		Week: in.Week, Zone: loc.String(),
		From: in.Week.Start(loc), To: in.Week.End(loc),
		GeneratedAt: in.Now.In(loc),
	}
	d.Partial = in.Now.Before(d.To)
	for i := TrendWeeks - 1; i >= 0; i-- {
		d.Trend = append(d.Trend, in.Week.Add(-i))
	}
	byPlugin := map[string][]catalog.UsageEvent{}
	for _, e := range in.Events {
		byPlugin[e.Plugin] = append(byPlugin[e.Plugin], e)
	}
	for id := range pluginIDs(in, byPlugin) {
		d.Plugins = append(d.Plugins, pluginUsage(in, id, byPlugin[id]))
	}
	slices.SortFunc(d.Plugins, func(a, b PluginUsage) int {
		return cmp.Or(cmp.Compare(b.Events, a.Events), cmp.Compare(b.Prev, a.Prev), cmp.Compare(a.ID, b.ID))
	})
	d.Total = totals(d.Plugins)

	d.Coverage = coverageReport(in.Coverage, in.PrevCoverage)
	d.NewEntities = slices.Clone(in.NewEntities)
	slices.Sort(d.NewEntities)
	d.Scaffolded = scaffolded(byPlugin[catalog.PluginScaffolder])
	d.ChecksFailing, d.ChecksFixed = prChecks(in.PrevEvents, byPlugin[catalog.PluginPRCheck])
	d.Unanswered = unanswered(byPlugin[catalog.PluginSlackOwner])
	d.KPIs = kpis(in, d.From, d.To)
	return d
}

// pluginIDs are the plugins the digest lists: those used this week or in the
// trend's weeks, and those the catalog names an owner for.
func pluginIDs(in Input, byPlugin map[string][]catalog.UsageEvent) map[string]bool {
	ids := map[string]bool{}
	for p := range byPlugin {
		ids[p] = true
	}
	for _, w := range in.Weekly {
		for p, n := range w {
			if n > 0 {
				ids[p] = true
			}
		}
	}
	for p := range in.Owners {
		ids[p] = true
	}
	return ids
}

// pluginUsage is one plugin's week, from its events evs.
func pluginUsage(in Input, id string, evs []catalog.UsageEvent) PluginUsage {
	pu := PluginUsage{ID: id, Own: Own(id), Events: len(evs), actors: actorsOf(evs)}
	pu.Users = len(pu.actors)
	if o, ok := in.Owners[id]; ok && !pu.Own {
		pu.Owner = &o
	}
	pu.Trend = make([]int, TrendWeeks)
	for i := range TrendWeeks - 1 {
		pu.Trend[i] = weekly(in.Weekly, i, id)
	}
	pu.Trend[TrendWeeks-1] = pu.Events
	pu.Prev = pu.Trend[TrendWeeks-2]
	pu.Change = ChangeOf(pu.Events, pu.Prev)
	actions := map[string]int{}
	for _, e := range evs {
		actions[e.Action]++
	}
	pu.Actions = len(actions)
	pu.TopActions = top(actions, maxTopActions)
	return pu
}

// weekly is a plugin's events in the trend's week i (0 the oldest).
func weekly(w []map[string]int, i int, plugin string) int {
	// w may be shorter than TrendWeeks; it ends with this week.
	j := i - (TrendWeeks - len(w))
	if j < 0 || j >= len(w) {
		return 0
	}
	return w[j][plugin]
}

// totals sums the plugins' usage; a person who used two counts once.
func totals(ps []PluginUsage) Totals {
	var t Totals
	users := map[string]bool{}
	for _, p := range ps {
		t.Events += p.Events
		t.Prev += p.Prev
		for a := range p.actors {
			users[a] = true
		}
	}
	t.Users = len(users)
	t.Change = ChangeOf(t.Events, t.Prev)
	return t
}

// scaffolded lists the services the scaffolder's successful events created.
func scaffolded(evs []catalog.UsageEvent) []Scaffolded {
	var out []Scaffolded
	for _, e := range evs {
		if e.Outcome != catalog.OutcomeSuccess {
			continue
		}
		what := cmp.Or(e.Entity, e.Detail, e.Action)
		out = append(out, Scaffolded{What: what, Actor: e.Actor})
	}
	return out
}

func actorsOf(evs []catalog.UsageEvent) map[string]bool {
	seen := map[string]bool{}
	for _, e := range evs {
		if a := strings.ToLower(strings.TrimSpace(e.Actor)); a != "" {
			seen[a] = true
		}
	}
	return seen
}

// top returns the n largest counts, ties in name order.
func top(m map[string]int, n int) []Count {
	out := make([]Count, 0, len(m))
	for k, v := range m {
		out = append(out, Count{Name: k, Count: v})
	}
	slices.SortFunc(out, func(a, b Count) int { return cmp.Or(cmp.Compare(b.Count, a.Count), cmp.Compare(a.Name, b.Name)) })
	if len(out) > n {
		out = out[:n]
	}
	return out
}
