package bot

import (
	"sort"
	"strings"
	"sync"

	"github.com/callboard/callboard/catalog"
)

// nameIndex finds the catalog's names in a question: every entity name and
// repository name, keyed by its words (payments-api, payments_api and
// "payments api" are one key), so a name is found however it is written.
type nameIndex struct {
	byKey map[string][]catalog.NameEntry
	// keys are the distinct keys, for "did you mean".
	keys     []string
	maxWords int
	// Examples for the help: a component's and a team's name.
	component, team string
}

// maxNameWords bounds the words of a name looked for in a question.
const maxNameWords = 6

func newNameIndex(names []catalog.NameEntry) *nameIndex {
	ix := &nameIndex{byKey: make(map[string][]catalog.NameEntry, len(names))}
	add := func(key string, ne catalog.NameEntry) {
		if key == "" {
			return
		}
		if _, ok := ix.byKey[key]; !ok {
			ix.keys = append(ix.keys, key)
		}
		ix.byKey[key] = append(ix.byKey[key], ne)
		if n := strings.Count(key, " ") + 1; n > ix.maxWords {
			ix.maxWords = min(n, maxNameWords)
		}
	}
	for _, ne := range names {
		name := strings.ToLower(ne.Name)
		if full, ok := strings.CutPrefix(ne.Ref, "repo:"); ok {
			// A repository is found by its own name (legacy-billing) and by
			// org/repo; the answer asks for org/repo, which is unambiguous.
			ne = catalog.NameEntry{Name: full, Ref: ne.Ref}
			_, short, _ := strings.Cut(full, "/")
			add(nameKey(short), ne)
			continue
		}
		add(nameKey(name), ne)
		kind, _, _ := strings.Cut(ne.Ref, ":")
		switch {
		case kind == "component" && (ix.component == "" || name < ix.component):
			ix.component = name
		case kind == "group" && (ix.team == "" || name < ix.team):
			ix.team = name
		}
	}
	sort.Strings(ix.keys)
	return ix
}

// nameKey is a name's words, lower-case, separated by one space.
func nameKey(s string) string {
	return strings.Join(nameWords(s), " ")
}

func nameWords(s string) []string {
	return strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return r == '-' || r == '_' || r == '.' || r == ' ' || r == '/'
	})
}

// lookup returns the names a key stands for, entities before repositories,
// and the name to ask about: an entity's name, or a repository's org/repo.
func (ix *nameIndex) lookup(key string) (string, []catalog.NameEntry) {
	nes := ix.byKey[key]
	if len(nes) == 0 {
		return "", nil
	}
	best := nes[0]
	for _, ne := range nes[1:] {
		if strings.HasPrefix(best.Ref, "repo:") && !strings.HasPrefix(ne.Ref, "repo:") {
			best = ne
		}
	}
	return best.Name, nes
}

// near returns the names closest to key: those a few edits away (a typo,
// letters swapped), or whose words include key's as a whole word (billing
// for legacy-billing). close is the best distance found, -1 for none.
func (ix *nameIndex) near(key string, n int) (names []string, best int) {
	type cand struct {
		name string
		d    int
	}
	limit := typoLimit(len(key))
	squashed := strings.ReplaceAll(key, " ", "")
	seen := map[string]int{}
	for _, k := range ix.keys {
		d := osa(key, k, limit)
		if d > limit {
			// "payment api" for payments-api, "paymentsapi" for payments api
			if d2 := osa(squashed, strings.ReplaceAll(k, " ", ""), limit); d2 <= limit {
				d = d2
			} else if len(key) >= 4 && strings.Contains(" "+k+" ", " "+key+" ") {
				d = limit + 1 // a whole word of it: weaker than any typo
			} else {
				continue
			}
		}
		name, _ := ix.lookup(k)
		if old, ok := seen[name]; !ok || d < old {
			seen[name] = d
		}
	}
	cands := make([]cand, 0, len(seen))
	for name, d := range seen {
		cands = append(cands, cand{name, d})
	}
	sort.Slice(cands, func(i, j int) bool {
		if cands[i].d != cands[j].d {
			return cands[i].d < cands[j].d
		}
		return cands[i].name < cands[j].name
	})
	best = -1
	for i, c := range cands {
		if i == 0 {
			best = c.d
		}
		if len(names) == n {
			break
		}
		names = append(names, c.name)
	}
	return names, best
}

// typoLimit is how many edits a word of n letters may be away from a name
// and still be taken for it.
func typoLimit(n int) int {
	switch {
	case n <= 3:
		return 0
	case n <= 5:
		return 1
	case n <= 12:
		return 2
	}
	return 3
}

// osa is the optimal string alignment distance between a and b (edits, with
// two neighbouring letters swapped counting as one), or limit+1 once it is
// certain to exceed limit.
func osa(a, b string, limit int) int {
	if d := len(a) - len(b); d > limit || -d > limit {
		return limit + 1
	}
	prev2, prev, cur := make([]int, len(b)+1), make([]int, len(b)+1), make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		rowMin := i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
			rowMin = min(rowMin, cur[j])
		}
		if rowMin > limit {
			return limit + 1
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(b)]
}

// names caches the index over the catalog's names: the store keeps the list
// itself fresh, and hands back the same slice while nothing changed.
type names struct {
	mu   sync.Mutex
	list []catalog.NameEntry
	ix   *nameIndex
}

func (n *names) index(list []catalog.NameEntry) *nameIndex {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.ix != nil && len(list) == len(n.list) && (len(list) == 0 || &list[0] == &n.list[0]) {
		return n.ix
	}
	n.list, n.ix = list, newNameIndex(list)
	return n.ix
}
