package catalog

import (
	"slices"
	"strings"
	"sync"
)

// "Did you mean" at 100,000 entities: comparing the query with every name
// costs a tenth of a second. A trigram index names the few hundred names
// that share most of the query's three-letter pieces (every close match
// does: an edit changes at most three of them), and only those are ranked
// by Suggest's rules (prefix, substring, edit distance).

// indexFrom is the catalog size from which suggestions go through the
// index; below it the scan is as fast and exact by construction.
const indexFrom = 2000

// maxCandidates is how many names the index hands to the ranking.
const maxCandidates = 256

// nameIndex maps the trigrams of each name's short form (after the last
// "/") to the names holding them.
type nameIndex struct {
	names   []NameEntry
	byShort map[string][]int32 // short form → names, for a query that extends a name
	grams   map[uint32][]int32 // trigram → names, ascending
	owners  []NameEntry        // the groups and users, for an owner the catalog lacks
}

func shortName(name string) string {
	if i := strings.LastIndexByte(name, '/'); i >= 0 {
		return name[i+1:]
	}
	return name
}

// trigrams calls f with each trigram of s, padded so that a name's first
// and last letters count as much as the others.
func trigrams(s string, f func(uint32)) {
	if s == "" {
		return
	}
	p := make([]byte, 0, len(s)+2)
	p = append(append(append(p, 1), s...), 2)
	for i := 0; i+3 <= len(p); i++ {
		f(uint32(p[i])<<16 | uint32(p[i+1])<<8 | uint32(p[i+2]))
	}
}

func buildNameIndex(names []NameEntry) *nameIndex {
	ix := &nameIndex{names: names, byShort: make(map[string][]int32, len(names)), grams: map[uint32][]int32{}}
	for i, ne := range names {
		id := int32(i)
		short := shortName(ne.Name)
		ix.byShort[short] = append(ix.byShort[short], id)
		last := uint32(0)
		seen := map[uint32]bool{}
		trigrams(short, func(g uint32) {
			if g == last || seen[g] {
				return
			}
			seen[g], last = true, g
			ix.grams[g] = append(ix.grams[g], id)
		})
		if strings.HasPrefix(ne.Ref, "group:") || strings.HasPrefix(ne.Ref, "user:") {
			ix.owners = append(ix.owners, ne)
		}
	}
	return ix
}

// scratch is one query's working memory, reused: a miss allocates little.
type scratch struct {
	counts  []uint8 // per name: trigrams shared with the query
	mark    []bool  // per name: already a candidate
	touched []int32
	buckets [256][]int32
}

var scratchPool = sync.Pool{New: func() any { return new(scratch) }}

// candidates returns the names that may be close to q (as Suggest
// normalises it): those it extends, and those sharing the most trigrams.
func (ix *nameIndex) candidates(q string) []NameEntry {
	sc := scratchPool.Get().(*scratch)
	defer scratchPool.Put(sc)
	if len(sc.counts) < len(ix.names) {
		sc.counts, sc.mark = make([]uint8, len(ix.names)), make([]bool, len(ix.names))
	}
	ids := make([]int32, 0, maxCandidates+8)
	add := func(id int32) {
		if !sc.mark[id] {
			sc.mark[id] = true
			ids = append(ids, id)
		}
	}
	defer func() {
		for _, id := range ids {
			sc.mark[id] = false
		}
	}()
	// A name the query starts with ("payments" for "payments-apii").
	for k := min(3, len(q)); k <= len(q); k++ {
		for _, id := range ix.byShort[q[:k]] {
			add(id)
		}
	}
	ix.countGrams(q, sc)
	for c := 255; c > 0 && len(ids) < maxCandidates; c-- {
		for _, id := range sc.buckets[c] {
			if len(ids) >= maxCandidates {
				break
			}
			add(id)
		}
	}
	out := make([]NameEntry, len(ids))
	for i, id := range ids {
		out[i] = ix.names[id]
	}
	return out
}

// countGrams counts, for each name, the trigrams it shares with q, and
// buckets the names by that count (sc.buckets).
func (ix *nameIndex) countGrams(q string, sc *scratch) {
	var qgrams []uint32
	trigrams(q, func(g uint32) { qgrams = append(qgrams, g) })
	// The rarest trigrams first; one held by more than an eighth of the
	// names says little and costs most, and is skipped once four rarer
	// ones have been counted.
	slices.Sort(qgrams)
	qgrams = slices.Compact(qgrams)
	slices.SortFunc(qgrams, func(a, b uint32) int { return len(ix.grams[a]) - len(ix.grams[b]) })
	counts, touched := sc.counts, sc.touched[:0]
	for i, g := range qgrams {
		list := ix.grams[g]
		if i >= 4 && len(list) > len(ix.names)/8 {
			break
		}
		for _, id := range list {
			if counts[id] == 0 {
				touched = append(touched, id)
			}
			if counts[id] < 255 {
				counts[id]++
			}
		}
	}
	// The most shared trigrams first: bucket by count.
	for c := range sc.buckets {
		sc.buckets[c] = sc.buckets[c][:0]
	}
	for _, id := range touched {
		sc.buckets[counts[id]] = append(sc.buckets[counts[id]], id)
		counts[id] = 0
	}
	sc.touched = touched
}

// lastIndex is the index of the latest names list seen: a store hands out
// the same list until the catalog changes, so the index is built once per
// change.
var lastIndex struct {
	sync.Mutex
	first *NameEntry
	n     int
	ix    *nameIndex
}

// indexOf returns the index of names, building it when the list is new.
func indexOf(names []NameEntry) *nameIndex {
	lastIndex.Lock()
	defer lastIndex.Unlock()
	if lastIndex.ix != nil && lastIndex.n == len(names) && lastIndex.first == &names[0] {
		return lastIndex.ix
	}
	ix := buildNameIndex(names)
	lastIndex.first, lastIndex.n, lastIndex.ix = &names[0], len(names), ix
	return ix
}

// suggestAmong is Suggest over a large list through its index.
func suggestAmong(q string, names []NameEntry, n int) []string {
	if len(names) < indexFrom {
		return Suggest(q, names, n)
	}
	nq := normalQuery(q)
	if nq == "" {
		return nil
	}
	return Suggest(q, indexOf(names).candidates(nq), n)
}

// ownersAmong returns the groups and users among names.
func ownersAmong(names []NameEntry) []NameEntry {
	if len(names) >= indexFrom {
		return indexOf(names).owners
	}
	owners := make([]NameEntry, 0, len(names))
	for _, n := range names {
		if strings.HasPrefix(n.Ref, "group:") || strings.HasPrefix(n.Ref, "user:") {
			owners = append(owners, n)
		}
	}
	return owners
}
