package catalog

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

// benchNames is a catalog as large organisations have it: services,
// their APIs, teams, people, and repositories.
func benchNames(n int) []NameEntry {
	words := []string{"payments", "ledger", "search", "checkout", "identity", "billing", "gateway", "inventory", "shipping", "catalog", "notify", "risk"}
	var out []NameEntry
	for i := 0; len(out) < n; i++ {
		w := words[i%len(words)] + "-" + words[(i/len(words))%len(words)]
		name := fmt.Sprintf("%s-%d", w, i)
		out = append(out, NameEntry{Name: name, Ref: "component:default/" + name})
		if i%4 == 0 {
			out = append(out, NameEntry{Name: name + "-api", Ref: "api:default/" + name + "-api"})
		}
		if i%2 == 0 {
			out = append(out, NameEntry{Name: "acme/" + name, Ref: "repo:acme/" + name})
		}
		if i%100 == 0 {
			out = append(out, NameEntry{Name: fmt.Sprintf("team-%d", i/100), Ref: fmt.Sprintf("group:default/team-%d", i/100)})
			out = append(out, NameEntry{Name: fmt.Sprintf("user-%d", i/100), Ref: fmt.Sprintf("user:default/user-%d", i/100)})
		}
	}
	return out
}

// typo changes one letter of s (or drops or doubles one).
func typo(r *rand.Rand, s string) string {
	i := r.IntN(len(s))
	switch r.IntN(3) {
	case 0:
		return s[:i] + string(rune('a'+r.IntN(26))) + s[i+1:]
	case 1:
		return s[:i] + s[i+1:]
	}
	return s[:i] + s[i:i+1] + s[i:]
}

// TestIndexedSuggestionsMatchTheScan: through the index, "did you mean"
// says what comparing the query with every name says, for misspelt names,
// extended names and other shapes of query.
func TestIndexedSuggestionsMatchTheScan(t *testing.T) {
	names := benchNames(6000)
	r := rand.New(rand.NewPCG(1, 2))
	var queries []string
	for range 60 {
		ne := names[r.IntN(len(names))]
		queries = append(queries, typo(r, shortName(ne.Name)), shortName(ne.Name)+"x", "acme/"+typo(r, shortName(ne.Name)))
	}
	queries = append(queries, "paymnts-ledger-12", "team-3", "tem-30", "user-99", "component:default/ledgr-risk-41", "zzzzzz", "ab")
	firstSame, allSame := 0, 0
	for _, q := range queries {
		scan := Suggest(q, names, maxSuggestions)
		got := suggestAmong(q, names, maxSuggestions)
		if len(scan) > 0 && len(got) > 0 && scan[0] == got[0] || len(scan) == 0 && len(got) == 0 {
			firstSame++
		} else {
			t.Logf("%q: index %v, scan %v", q, got, scan)
		}
		if slices.Equal(scan, got) {
			allSame++
		}
	}
	// The first suggestion is what a person acts on; the rest may tie.
	if firstSame < len(queries)*99/100 {
		t.Errorf("the first suggestion differs from the scan's for %d of %d queries", len(queries)-firstSame, len(queries))
	}
	if allSame < len(queries)*90/100 {
		t.Errorf("the suggestions differ from the scan's for %d of %d queries", len(queries)-allSame, len(queries))
	}
	if got := suggestAmong("payments-ledger-12", names, 5); len(got) == 0 || got[0] != "payments-ledger-12" {
		t.Errorf("an existing name: %v", got)
	}
}

// BenchmarkSuggestMiss: a miss at 150,000 names (100,000 entities and
// their repositories), through the index and by the scan.
func BenchmarkSuggestMiss(b *testing.B) {
	names := benchNames(150000)
	r := rand.New(rand.NewPCG(3, 4))
	indexOf(names)
	for _, mode := range []string{"index", "scan"} {
		b.Run(mode, func(b *testing.B) {
			var took []time.Duration
			for b.Loop() {
				q := typo(r, shortName(names[r.IntN(len(names))].Name))
				t0 := time.Now()
				if mode == "index" {
					suggestAmong(q, names, maxSuggestions)
				} else {
					Suggest(q, names, maxSuggestions)
				}
				took = append(took, time.Since(t0))
			}
			slices.Sort(took)
			b.ReportMetric(float64(took[len(took)/2].Microseconds())/1000, "p50-ms")
			b.ReportMetric(float64(took[len(took)*99/100].Microseconds())/1000, "p99-ms")
		})
	}
}
