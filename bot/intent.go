package bot

import (
	"slices"
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
	q := ownsQuestion{toks: toks, own: own, what: index(toks, "what", "which", "list", "show", "everything", "anything", "all"),
		who: index(toks, "who", "whom", "whose")}
	toks[own].used = true
	for _, r := range ownsRules {
		if slices.Contains(r.words, toks[own].norm) && r.asks(q) {
			for i := own; i < own+r.uses; i++ {
				toks[i].used = true
			}
			return intentOwns
		}
	}
	return intentOwner
}

// ownsQuestion is where a question's ownership word (own) stands, and its
// first "what" and "who" words (-1: none).
type ownsQuestion struct {
	toks           []token
	own, what, who int
}

// asksWhat says a "what" word comes before the ownership word.
func (q ownsQuestion) asksWhat() bool { return q.what >= 0 && q.what < q.own }

// ownsRules are the phrasings of "what does X own", by the ownership word:
// any other question with an ownership word asks who owns something. uses
// is how many words, from the ownership word on, the phrasing takes.
var ownsRules = []struct {
	words []string
	asks  func(ownsQuestion) bool
	uses  int
}{
	// "what does payments own", "what do alice and bob own"
	{[]string{"own", "maintain"}, func(q ownsQuestion) bool {
		return index(q.toks, "does", "do", "did") >= 0 && (q.who < 0 || q.who > q.own)
	}, 1},
	// "what is owned by payments", "list everything owned by search"
	{[]string{"owned", "maintained"}, func(q ownsQuestion) bool {
		return q.own+1 < len(q.toks) && q.toks[q.own+1].norm == "by" && q.asksWhat()
	}, 2},
	// "what the payments team owns" (not "what team owns billing": a
	// subject after the verb is what is owned)
	{[]string{"owns", "maintains"}, func(q ownsQuestion) bool {
		return q.asksWhat() && q.who < 0 && onlyFiller(q.toks[q.own+1:])
	}, 1},
	// "what is search responsible for"
	{[]string{"responsible"}, func(q ownsQuestion) bool {
		n := len(q.toks)
		return q.asksWhat() && (q.own+1 == n-1 && q.toks[q.own+1].norm == "for" || q.own+1 == n)
	}, 1},
	// "what belongs to payments"
	{[]string{"belongs", "belong"}, ownsQuestion.asksWhat, 1},
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
