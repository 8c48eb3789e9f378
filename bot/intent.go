package bot

import (
	"regexp"
	"strings"

	"github.com/callboard/callboard/internal/slacktext"
)

// intent is what a question asked in words wants: who owns something, what
// a team owns, its docs, who is on call, a search, or the help.
type intent string

const (
	intentOwner  intent = "owner"
	intentOwns   intent = "owns"
	intentDocs   intent = "docs"
	intentOnCall intent = "on-call"
	intentSearch intent = "search"
	intentHelp   intent = "help"
)

// Why a question gets the help instead of an answer.
const (
	refusedEmpty    = "empty"          // nothing was asked
	refusedAction   = "action"         // it asks callboard to do something (deploy, restart)
	refusedUnknown  = "not understood" // no question callboard answers, nothing it knows
	refusedNoTarget = "no subject"     // a question it answers, about nothing named
)

// question is what understand read from a sentence.
type question struct {
	intent   intent
	subjects []subject // what it is about, in the order written
	search   string    // the words to search for (intentSearch)
	refused  string    // why it gets the help ("" when it is answered)
	verb     string    // the action refused (deploy)
	text     string    // the question, cleaned, as asked
}

// subject is one thing a question names.
type subject struct {
	// name is what to look up: the catalog's name for it (payments-api,
	// acme/legacy-billing for a repository without entities), or what was
	// pasted (a URL, an entity ref, org/repo, @org/team).
	name  string
	typed string // as written, when it is a guess or unknown
	// guess: the catalog has no such name, and name is the one it is
	// closest to; unknown: nothing close enough to take it for.
	guess, unknown bool
	suggestions    []string // for an unknown subject: the closest names
}

// Limits of a question.
const (
	maxQuestion    = 500 // characters read
	maxSubjects    = 3   // things answered about in one reply
	maxSuggestions = 5
)

// token is one word of a question.
type token struct {
	raw    string // as written, punctuation trimmed
	norm   string // lower-case; a keyword's spelling when it was a typo of one
	pasted bool   // a URL, ref, org/repo or @handle: a subject as it stands
	used   bool   // read as part of the question's phrasing
}

var (
	// Slack's markup: <@U123>, <#C123|name>, <!here>, <https://x|label>.
	reMarkup = regexp.MustCompile(`<([^<>]*)>`)
	reKinds  = regexp.MustCompile(`^(component|api|group|user|system|domain|resource|template|location|repo):[^\s]+$`)
	reSlash  = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]*/[a-z0-9][a-z0-9._-]*$`)
)

// understand reads a question asked in plain English — who owns, what a
// team owns, docs, on-call, search, help — and the catalog names in it,
// without a language model: phrases decide the intent (a table, not a
// grammar), and the names come from the catalog, with typos taken for the
// closest name when one is clearly closest.
func understand(text string, ix *nameIndex) question {
	toks, asked := tokenize(text)
	q := question{text: slacktext.Truncate(strings.TrimSpace(asked), maxQueryEcho)}
	if len(toks) == 0 {
		q.intent, q.refused = intentHelp, refusedEmpty
		return q
	}
	fixTypos(toks, ix)
	q.intent = readIntent(toks)
	if q.intent == intentHelp {
		// "help", "hi", "what can you do": nothing else is read.
		return q
	}
	if verb := actionVerb(toks); verb != "" && q.intent == "" {
		q.intent, q.refused, q.verb = intentHelp, refusedAction, verb
		return q
	}
	if q.intent == intentSearch {
		q.search = searchText(toks)
		if q.search == "" {
			q.intent, q.refused = intentHelp, refusedNoTarget
		}
		return q
	}
	q.subjects = readSubjects(toks, ix)
	switch {
	case q.intent == "" && len(q.subjects) == 0:
		q.intent, q.refused = intentHelp, refusedUnknown
	case q.intent == "" && allUnknown(q.subjects) && (len(content(toks)) > 2 || len(q.subjects[0].suggestions) == 0):
		// Words that are no question and no name: not something to look up.
		q.intent, q.refused, q.subjects = intentHelp, refusedUnknown, nil
	case q.intent == "":
		// A bare name asks who owns it, as /owner does.
		q.intent = intentOwner
	case len(q.subjects) == 0:
		q.refused = refusedNoTarget
	}
	return q
}

func allUnknown(ss []subject) bool {
	for _, s := range ss {
		if !s.unknown {
			return false
		}
	}
	return true
}

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
		if code, ok := strings.CutPrefix(f, "`"); ok {
			// `payments-api`: a name as typed in code.
			if c := strings.Trim(code, "`.,;:?!"); c != "" {
				toks = append(toks, token{raw: c, norm: strings.ToLower(c), pasted: true})
			}
			continue
		}
		raw := strings.TrimRight(strings.TrimLeft(f, `"'“”‘’([{*_`), `?!.,;:)]}"'“”‘’*_`)
		if raw == "" {
			continue
		}
		low := strings.ToLower(raw)
		if isPasted(low) {
			toks = append(toks, token{raw: raw, norm: low, pasted: true})
			continue
		}
		low = strings.NewReplacer("’", "'", "‘", "'").Replace(low)
		if first, rest, ok := strings.Cut(low, "'"); ok && first != "" {
			switch rest {
			case "s":
				if contraction[first] {
					toks = append(toks, token{raw: first, norm: first}, token{raw: "is", norm: "is"})
					continue
				}
				low = first // payments-api's
			case "re", "ve", "ll", "d", "m", "t":
				low = first // who're, i've, don't: the first word carries the meaning
			case "":
				low = first // teams'
			}
		}
		for _, w := range strings.FieldsFunc(low, func(r rune) bool { return r == ',' || r == '?' || r == '!' }) {
			toks = append(toks, token{raw: w, norm: w})
		}
	}
	return toks, asked
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

// Phrasings, in the order they decide: on-call before docs before
// ownership before search ("who owns the docs" is about docs, "find who
// owns X" about an owner).
var (
	onCallPhrases = [][]string{{"on", "call"}, {"on-call"}, {"oncall"}, {"on", "duty"}, {"pager"}, {"pagerduty"},
		{"paging"}, {"escalate"}, {"escalation"}, {"escalations"}, {"incident"}, {"incidents"}, {"rota"}, {"rotation"},
		{"oncalls"}, {"outage"}, {"opsgenie"}, {"i", "page"}, {"we", "page"}, {"to", "page"}}
	docsPhrases = [][]string{{"docs"}, {"doc"}, {"documentation"}, {"documented"}, {"document"}, {"documents"},
		{"readme"}, {"runbook"}, {"runbooks"}, {"techdocs"}, {"manual"}, {"wiki"}, {"guide"}, {"handbook"}, {"playbook"}}
	ownerWords = []string{"owns", "own", "owned", "owner", "owners", "ownership", "owning", "whose", "maintains",
		"maintain", "maintained", "maintainer", "maintainers", "responsible", "contact", "poc", "reach", "ask", "talk",
		"runs", "behind", "built", "wrote", "belongs", "belong"}
	searchStarts = [][]string{{"search"}, {"find"}, {"look", "for"}, {"look", "up"}, {"lookup"}, {"locate"},
		{"is", "there"}, {"are", "there"}, {"anything", "about"}, {"something", "for"}, {"something", "that"},
		{"any", "service"}, {"any", "services"}, {"which", "services"}, {"what", "services"}, {"list", "services"}}
	helpWords = map[string]bool{"help": true, "hi": true, "hello": true, "hey": true, "thanks": true, "thank": true,
		"commands": true, "usage": true, "examples": true, "howdy": true, "yo": true}
	// Verbs of things callboard does not do; a question that starts with
	// one asks for an action, not an answer.
	actionVerbs = map[string]bool{"deploy": true, "restart": true, "rollback": true, "revert": true, "delete": true,
		"remove": true, "merge": true, "create": true, "scale": true, "reboot": true, "kill": true, "release": true,
		"approve": true, "rotate": true, "shutdown": true, "stop": true, "start": true, "run": true, "rerun": true,
		"open": true, "close": true, "assign": true, "ping": true, "notify": true, "page": true, "make": true,
		"book": true, "order": true, "write": true, "fix": true, "update": true, "upgrade": true, "roll": true}
	// Politeness and preamble before what is asked.
	preamble = map[string]bool{"please": true, "pls": true, "plz": true, "can": true, "could": true, "would": true,
		"you": true, "u": true, "hey": true, "hi": true, "callboard": true, "kindly": true, "go": true, "and": true,
		"ok": true, "okay": true, "so": true}
)

// keywords are the phrasing words a typo may stand for.
var keywords = []string{"owns", "owner", "owners", "owned", "maintains", "maintainer", "responsible", "docs",
	"documentation", "documented", "readme", "runbook", "oncall", "on-call", "pagerduty", "escalation", "search",
	"find", "contact", "rotation", "incident", "incidents", "maintained", "ownership"}

// readIntent decides what is asked from the phrasing alone; "" when the
// phrasing says nothing (a bare name).
func readIntent(toks []token) intent {
	if isHelp(toks) {
		return intentHelp
	}
	if hasAny(toks, onCallPhrases...) {
		return intentOnCall
	}
	if hasAny(toks, docsPhrases...) {
		return intentDocs
	}
	if in := ownership(toks); in != "" {
		return in
	}
	start := firstContent(toks)
	for _, p := range searchStarts {
		if start >= 0 && start+len(p) <= len(toks) && phraseAt(toks, start, p) && len(toks) > start+len(p) {
			for j := range p {
				toks[start+j].used = true
			}
			return intentSearch
		}
	}
	if i := index(toks, "search"); i >= 0 && i+1 < len(toks) && toks[i+1].norm == "for" {
		toks[i].used, toks[i+1].used = true, true
		return intentSearch
	}
	return ""
}

func phraseAt(toks []token, i int, p []string) bool {
	for j, w := range p {
		if toks[i+j].pasted || toks[i+j].norm != w {
			return false
		}
	}
	return true
}

// firstContent is the position of the first word after the preamble.
func firstContent(toks []token) int {
	for i, t := range toks {
		if t.pasted || !preamble[t.norm] {
			return i
		}
	}
	return -1
}

// isHelp: the question is a greeting, thanks, or asks for help or what
// callboard can do, and names nothing else.
func isHelp(toks []token) bool {
	words := 0
	help := false
	for _, t := range toks {
		switch {
		case t.pasted:
			return false
		case helpWords[t.norm]:
			help = true
		case stopwords[t.norm] || preamble[t.norm]:
		default:
			words++
		}
	}
	if help && words == 0 {
		return true
	}
	return has(toks, "what", "can", "you", "do") || has(toks, "what", "do", "you", "do") ||
		has(toks, "how", "do", "i", "use", "you") || has(toks, "how", "does", "this", "work") ||
		has(toks, "what", "do", "you", "know") || has(toks, "who", "are", "you")
}

// ownership tells "what does X own" (owns) from "who owns X" (owner).
func ownership(toks []token) intent {
	own := index(toks, ownerWords...)
	if own < 0 {
		if has(toks, "which", "team") || has(toks, "what", "team") || has(toks, "whose", "team") {
			return intentOwner
		}
		return ""
	}
	what := index(toks, "what", "which", "list", "show", "everything", "anything", "all")
	who := index(toks, "who", "whom", "whose")
	w := toks[own].norm
	switch {
	// "what does payments own", "what do alice and bob own"
	case (w == "own" || w == "maintain") && index(toks, "does", "do", "did") >= 0 && (who < 0 || who > own):
		toks[own].used = true
		return intentOwns
	// "what is owned by payments", "list everything owned by search"
	case (w == "owned" || w == "maintained") && own+1 < len(toks) && toks[own+1].norm == "by" && what >= 0 && what < own:
		toks[own].used, toks[own+1].used = true, true
		return intentOwns
	// "what the payments team owns" (not "what team owns billing": a
	// subject after the verb is what is owned)
	case (w == "owns" || w == "maintains") && what >= 0 && what < own && who < 0 && onlyFiller(toks[own+1:]):
		toks[own].used = true
		return intentOwns
	// "what is search responsible for"
	case w == "responsible" && what >= 0 && what < own && (own+1 == len(toks)-1 && toks[own+1].norm == "for" || own+1 == len(toks)):
		toks[own].used = true
		return intentOwns
	// "what belongs to payments"
	case (w == "belongs" || w == "belong") && what >= 0 && what < own:
		toks[own].used = true
		return intentOwns
	}
	toks[own].used = true
	return intentOwner
}

// onlyFiller reports whether toks hold no word but filler.
func onlyFiller(toks []token) bool {
	for _, t := range toks {
		if t.pasted || !stopwords[t.norm] {
			return false
		}
	}
	return true
}

// actionVerb is the verb a question starts with when it asks for an action.
func actionVerb(toks []token) string {
	i := firstContent(toks)
	if i < 0 || toks[i].pasted {
		return ""
	}
	if actionVerbs[toks[i].norm] {
		return toks[i].norm
	}
	return ""
}

// content is the words that are neither phrasing nor filler.
func content(toks []token) []token {
	var out []token
	for _, t := range toks {
		if t.pasted || (!t.used && !stopwords[t.norm] && !vocabulary[t.norm]) {
			out = append(out, t)
		}
	}
	return out
}

// searchText is what to search for: the words after the phrasing, without
// filler ("is there a service that does autocomplete" searches autocomplete).
func searchText(toks []token) string {
	var words []string
	for _, t := range toks {
		if t.used || (!t.pasted && (stopwords[t.norm] || vocabulary[t.norm] || generic[t.norm])) {
			continue
		}
		words = append(words, t.raw)
	}
	return slacktext.Truncate(strings.Join(words, " "), maxQueryEcho)
}

// readSubjects finds what a question is about: what was pasted, the
// catalog's names (the longest first: "payments api" is payments-api, not
// payments), and runs of other words, taken for the closest name when one
// is clearly closest.
func readSubjects(toks []token, ix *nameIndex) []subject {
	var out []subject
	seen := map[string]bool{}
	addSubject := func(s subject) {
		key := strings.ToLower(s.name)
		if s.unknown {
			key = "?" + strings.ToLower(s.typed)
		}
		if seen[key] || len(out) == maxSubjects {
			return
		}
		seen[key] = true
		out = append(out, s)
	}
	var run []token // words not yet read as anything
	flush := func() {
		if len(run) == 0 {
			return
		}
		for _, phrase := range splitRun(run) {
			addSubject(guess(phrase, ix))
		}
		run = nil
	}
	for i := 0; i < len(toks); {
		t := toks[i]
		if t.pasted {
			flush()
			addSubject(subject{name: t.raw})
			i++
			continue
		}
		if n, name := longestName(toks, i, ix); n > 0 {
			flush()
			addSubject(subject{name: name})
			i += n
			continue
		}
		switch {
		case generic[t.norm] && len(run) > 0 && !t.used:
			run = append(run, t) // "paymnets api": the noun may be part of the name
		case t.used || stopwords[t.norm] || vocabulary[t.norm] || generic[t.norm]:
			flush()
		default:
			run = append(run, t)
		}
		i++
	}
	flush()
	return out
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
