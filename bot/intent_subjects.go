package bot

import "strings"

// readSubjects finds what a question is about: what was pasted, the
// catalog's names (the longest first: "payments api" is payments-api, not
// payments), and runs of other words, taken for the closest name when one
// is clearly closest.
func readSubjects(toks []token, ix *nameIndex) []subject {
	c := subjects{seen: map[string]bool{}, ix: ix}
	for i := 0; i < len(toks); {
		t := toks[i]
		if t.pasted {
			c.flush()
			c.add(subject{name: t.raw})
			i++
			continue
		}
		if n, name := longestName(toks, i, ix); n > 0 {
			c.flush()
			c.add(subject{name: name})
			i += n
			continue
		}
		switch {
		case generic[t.norm] && len(c.run) > 0 && !t.used:
			c.run = append(c.run, t) // "paymnets api": the noun may be part of the name
		case t.used || stopwords[t.norm] || vocabulary[t.norm] || generic[t.norm]:
			c.flush()
		default:
			c.run = append(c.run, t)
		}
		i++
	}
	c.flush()
	return c.out
}

// subjects collects a question's subjects, each once, up to maxSubjects.
type subjects struct {
	out  []subject
	seen map[string]bool // lower-case names; "?" and the words typed for an unknown one
	run  []token         // words not yet read as anything
	ix   *nameIndex
}

func (c *subjects) add(s subject) {
	key := strings.ToLower(s.name)
	if s.unknown {
		key = "?" + strings.ToLower(s.typed)
	}
	if c.seen[key] || len(c.out) == maxSubjects {
		return
	}
	c.seen[key] = true
	c.out = append(c.out, s)
}

// flush reads the run of words that are not names as phrases, each taken
// for the closest name or left unknown.
func (c *subjects) flush() {
	for _, phrase := range splitRun(c.run) {
		c.add(guess(phrase, c.ix))
	}
	c.run = nil
}

// longestName is the longest catalog name that starts at toks[i] and ends
// at a word's end, as the number of words and the name to ask about.
func longestName(toks []token, i int, ix *nameIndex) (int, string) {
	for n := min(ix.maxWords, len(toks)-i); n >= 1; n-- {
		var words []string
		ok := true
		for _, t := range toks[i : i+n] {
			if t.pasted {
				ok = false
				break
			}
			words = append(words, nameWords(t.norm)...)
		}
		if !ok || len(words) == 0 {
			continue
		}
		key := strings.Join(words, " ")
		name, nes := ix.lookup(key)
		if nes == nil {
			continue
		}
		// A single phrasing or filler word ("search" in "search for", "the")
		// is a name only when nothing else reads it.
		if n == 1 && (toks[i].used || stopwords[toks[i].norm]) {
			continue
		}
		return n, name
	}
	return 0, ""
}

// splitRun splits words that are not names into phrases at "and", "or"
// and commas were already taken out by the tokenizer.
func splitRun(run []token) [][]token {
	var out [][]token
	var cur []token
	for _, t := range run {
		switch t.norm {
		case "and", "or", "vs", "versus", "&", "+":
			if len(cur) > 0 {
				out = append(out, cur)
			}
			cur = nil
		default:
			cur = append(cur, t)
		}
	}
	if len(cur) > 0 {
		out = append(out, cur)
	}
	return out
}

// guess takes words that are no catalog name for the name they are
// clearly closest to, or leaves them unknown with the closest names.
func guess(phrase []token, ix *nameIndex) subject {
	var raw []string
	for _, t := range phrase {
		raw = append(raw, t.raw)
	}
	typed := strings.Join(raw, " ")
	s := guessWords(phrase, typed, ix)
	if s.unknown && generic[phrase[len(phrase)-1].norm] {
		// "zebra service": the generic noun was no part of a name
		if short := guessWords(phrase[:len(phrase)-1], typed, ix); !short.unknown {
			return short
		}
	}
	return s
}

func guessWords(phrase []token, typed string, ix *nameIndex) subject {
	var words []string
	for _, t := range phrase {
		words = append(words, nameWords(t.norm)...)
	}
	key := strings.Join(words, " ")
	if name, nes := ix.lookup(key); nes != nil {
		return subject{name: name} // "payments api" read as two runs' worth
	}
	names, best := ix.near(key, maxSuggestions)
	limit := typoLimit(len(key))
	if best >= 0 && best <= limit && (len(names) == 1 || secondWorse(key, names, ix)) {
		return subject{name: names[0], typed: typed, guess: true}
	}
	if len(names) == 1 && len(words) == 1 {
		// billing: a whole word of exactly one name (legacy-billing)
		return subject{name: names[0], typed: typed, guess: true}
	}
	return subject{typed: typed, unknown: true, suggestions: names}
}

// secondWorse reports whether the best of names is strictly closer to key
// than the next: a guess is taken only when one name is clearly closest.
func secondWorse(key string, names []string, ix *nameIndex) bool {
	limit := typoLimit(len(key)) + 1
	d := func(name string) int {
		k := nameKey(name)
		if i := strings.IndexByte(name, '/'); i >= 0 {
			k = nameKey(name[i+1:])
		}
		return min(osa(key, k, limit), osa(strings.ReplaceAll(key, " ", ""), strings.ReplaceAll(k, " ", ""), limit))
	}
	return d(names[0]) < d(names[1])
}
