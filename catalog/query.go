package catalog

// Condition matches entities whose filter key (lower-case dotted path such as
// "kind", "spec.type", "metadata.annotations.github.com/team-slug",
// "relations.ownedby") has one of Values (case-insensitive), or, with no
// Values, that have the key at all.
type Condition struct {
	Key    string
	Values []string
}

// FilterSet is a conjunction of conditions.
type FilterSet []Condition

// Filter is a disjunction of filter sets, as Backstage's repeated ?filter=
// parameters are. An empty Filter matches everything.
type Filter []FilterSet

// Order sorts results by a field.
type Order struct {
	Field string
	Desc  bool
}

// Query selects entities.
type Query struct {
	Filter         Filter
	Order          []Order
	FullTextTerm   string
	FullTextFields []string // default: metadata.name, metadata.title, spec.profile.displayname
	Offset, Limit  int      // Limit 0 = no limit
}

// Page is one page of a query's answer.
type Page struct {
	Entities   []*Entity
	TotalItems int
}

// FacetCount is how many entities have a value of a field.
type FacetCount struct {
	Value string `json:"value"`
	Count int    `json:"count"`
}

// NameEntry is a name something can be asked by (an entity's name, a
// repository's org/name), with the ref it leads to ("repo:org/name" for a
// repository).
type NameEntry struct {
	Name string
	Ref  string
}
