package bot

// The words of questions asked in English, as sets. Kept apart from the
// rules that read them (intent.go), so a word can be added without reading
// the rules.

// vocabulary is every word that phrases a question: never a name by itself
// when it phrases the question, never "did you mean" material.
var vocabulary = setOf(
	// ownership
	"owns", "own", "owned", "owner", "owners", "ownership", "owning", "whose", "maintains", "maintain", "maintained",
	"maintainer", "maintainers", "responsible", "contact", "poc", "reach", "ask", "talk", "runs", "behind", "built",
	"wrote", "belongs", "belong", "who", "whom",
	// docs
	"docs", "doc", "documentation", "documented", "document", "documents", "readme", "runbook", "runbooks",
	"techdocs", "manual", "wiki", "guide", "handbook", "playbook",
	// on-call
	"on-call", "oncall", "oncalls", "call", "duty", "pager", "pagerduty", "paging", "page", "escalate", "escalation",
	"escalations", "incident", "incidents", "rota", "rotation", "outage", "opsgenie",
	// search
	"search", "find", "look", "lookup", "locate",
	// help
	"help", "hi", "hello", "hey", "thanks", "thank", "commands", "usage", "examples", "howdy", "yo",
)

// stopwords are the filler of a question: never part of what it names on
// their own.
var stopwords = setOf(
	"a", "an", "the", "is", "are", "was", "were", "be", "been", "being", "am", "do", "does", "did", "done", "doing",
	"what", "where", "when", "why", "how", "which", "whats", "whos", "wheres", "hows", "for", "of", "to", "in", "on",
	"at", "by", "with", "about", "from", "into", "onto", "over", "under", "as", "me", "my", "mine", "i", "we", "our",
	"us", "you", "your", "u", "it", "its", "this", "that", "these", "those", "there", "here", "and", "or", "but",
	"so", "if", "then", "than", "any", "anyone", "anybody", "someone", "somebody", "everyone", "something",
	"anything", "everything", "all", "some", "know", "knows", "tell", "give", "show", "list", "get", "got", "need",
	"needs", "want", "like", "please", "pls", "plz", "quick", "question", "q", "can", "could", "would", "should",
	"will", "shall", "may", "might", "must", "just", "currently", "now", "today", "right", "still", "also", "again",
	"team", "teams", "group", "groups", "squad", "person", "people", "folks", "one", "ones", "org", "department",
	"have", "has", "had", "having", "go", "goes", "going", "see", "read", "use", "using", "used", "check",
	"mention", "mentions", "related", "relating", "regarding", "handle", "handles", "handling", "deal", "deals",
	"work", "works", "working", "on", "there's", "ok", "okay", "yes", "no", "not", "any", "else", "exactly",
	"actually", "really", "thing", "stuff", "kind", "sort", "type", "whole", "currently", "these", "days", "hmm",
	"callboard", "bot", "hiya", "morning", "afternoon", "folks", "y'all", "guys", "team's", "latest", "current",
	"up", "down", "out", "off", "via", "per", "vs", "versus", "let", "lets", "let's", "kindly", "dear", "sorry",
	"again", "more", "most", "much", "many", "other", "another", "same", "new", "old", "good", "best", "point",
	"where's", "who's", "what's", "&", "+", "-", "—", "…",
)

// generic are nouns for kinds of things ("service", "repo"): part of a
// name when a name holds them ("search api"), filler otherwise.
var generic = setOf(
	"service", "services", "svc", "api", "apis", "app", "apps", "application", "applications", "repo", "repos",
	"repository", "repositories", "system", "systems", "component", "components", "library", "libraries", "lib",
	"project", "projects", "things", "codebase", "code", "microservice", "microservices", "website", "websites",
	"site", "sites", "database", "databases", "db", "endpoint", "endpoints", "module", "modules", "package",
	"packages", "tool", "tools", "tooling", "infra", "infrastructure", "resource", "resources", "domain", "domains",
	"entity", "entities", "catalog", "links", "link", "info", "information", "details",
)

func setOf(words ...string) map[string]bool {
	m := make(map[string]bool, len(words))
	for _, w := range words {
		m[w] = true
	}
	return m
}
