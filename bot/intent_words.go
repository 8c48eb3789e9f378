package bot

import (
	"regexp"
	"strings"

	"github.com/callboard/callboard/internal/slacktext"
)

var (
	// Slack's markup: <@U123>, <#C123|name>, <!here>, <https://x|label>.
	reMarkup = regexp.MustCompile(`<([^<>]*)>`)
	reKinds  = regexp.MustCompile(`^(component|api|group|user|system|domain|resource|template|location|repo):[^\s]+$`)
	reSlash  = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]*/[a-z0-9][a-z0-9._-]*$`)
)

// tokenize splits a message into words: Slack's markup read (mentions and
// channels dropped, a link kept as its URL), its escaping undone, control
// characters dropped, possessives and contractions undone.
func tokenize(text string) ([]token, string) {
	text = reMarkup.ReplaceAllStringFunc(text, func(m string) string {
		inner := m[1 : len(m)-1]
		target, _, _ := strings.Cut(inner, "|")
		switch {
		case strings.HasPrefix(target, "http://"), strings.HasPrefix(target, "https://"):
			return " " + target + " "
		}
		return " " // <@U123>, <#C123|x>, <!here>, <mailto:...>
	})
	text = slacktext.Clean(slacktext.Unescape(text))
	if r := []rune(text); len(r) > maxQuestion {
		text = string(r[:maxQuestion])
	}
	asked := text
	var toks []token
	for _, f := range strings.Fields(text) {
		toks = append(toks, wordTokens(f)...)
	}
	return toks, asked
}

// wordTokens reads one space-separated word: a name in backticks or
// something pasted as it stands, else lower-cased, with its punctuation,
// possessive or contraction taken off.
func wordTokens(f string) []token {
	if code, ok := strings.CutPrefix(f, "`"); ok {
		// `payments-api`: a name as typed in code.
		if c := strings.Trim(code, "`.,;:?!"); c != "" {
			return []token{{raw: c, norm: strings.ToLower(c), pasted: true}}
		}
		return nil
	}
	raw := strings.TrimRight(strings.TrimLeft(f, `"'“”‘’([{*_`), `?!.,;:)]}"'“”‘’*_`)
	if raw == "" {
		return nil
	}
	low := strings.ToLower(raw)
	if isPasted(low) {
		return []token{{raw: raw, norm: low, pasted: true}}
	}
	low = strings.NewReplacer("’", "'", "‘", "'").Replace(low)
	if first, rest, ok := strings.Cut(low, "'"); ok && first != "" {
		switch rest {
		case "s":
			if contraction[first] {
				return []token{{raw: first, norm: first}, {raw: "is", norm: "is"}}
			}
			low = first // payments-api's
		case "re", "ve", "ll", "d", "m", "t":
			low = first // who're, i've, don't: the first word carries the meaning
		case "":
			low = first // teams'
		}
	}
	var toks []token
	for _, w := range strings.FieldsFunc(low, func(r rune) bool { return r == ',' || r == '?' || r == '!' }) {
		toks = append(toks, token{raw: w, norm: w})
	}
	return toks
}

// contraction: words whose 's is "is", not a possessive.
var contraction = map[string]bool{"who": true, "what": true, "where": true, "that": true, "it": true, "there": true, "here": true, "how": true, "which": true, "whats": true}

// isPasted says whether a word is something copied, a subject as it
// stands: a URL, a GitHub address, an entity ref, org/repo, @org/team.
func isPasted(low string) bool {
	switch {
	case strings.Contains(low, "://"), strings.HasPrefix(low, "github.com/"), strings.HasPrefix(low, "www.github.com/"),
		strings.HasPrefix(low, "git@"):
		return true
	case strings.HasPrefix(low, "@") && len(low) > 1:
		return true
	case reKinds.MatchString(low):
		return true
	case reSlash.MatchString(low):
		a, b, _ := strings.Cut(low, "/")
		return !vocabulary[a] && !vocabulary[b]
	}
	return false
}

// fixTypos takes a word that is not a catalog name but one edit away from
// a word of the phrasing ("onws", "documentaion", "oncal") for that word.
func fixTypos(toks []token, ix *nameIndex) {
	for i := range toks {
		t := &toks[i]
		if t.pasted || vocabulary[t.norm] || stopwords[t.norm] || generic[t.norm] || len(t.norm) < 4 {
			continue
		}
		if _, nes := ix.lookup(nameKey(t.norm)); nes != nil {
			continue
		}
		for _, w := range keywords {
			if len(w) >= 4 && osa(t.norm, w, 1) <= 1 {
				t.norm = w
				break
			}
		}
	}
}

// has reports whether the question holds the phrase (consecutive words)
// at or after position from, and marks its words used.
func has(toks []token, phrase ...string) bool {
	for i := 0; i+len(phrase) <= len(toks); i++ {
		ok := true
		for j, w := range phrase {
			if toks[i+j].pasted || toks[i+j].norm != w {
				ok = false
				break
			}
		}
		if ok {
			for j := range phrase {
				toks[i+j].used = true
			}
			return true
		}
	}
	return false
}

func hasAny(toks []token, phrases ...[]string) bool {
	found := false
	for _, p := range phrases {
		if has(toks, p...) {
			found = true
		}
	}
	return found
}

func index(toks []token, words ...string) int {
	for i, t := range toks {
		for _, w := range words {
			if !t.pasted && t.norm == w {
				return i
			}
		}
	}
	return -1
}
