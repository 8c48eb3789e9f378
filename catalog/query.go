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

// ListQuery selects entities for a list (the catalog API's GET /entities):
// in ref order, or by each field of Order (entities without a field after
// those with it), ties broken by uid.
type ListQuery struct {
	Where  Predicate
	Order  []Order
	Offset int
	Limit  int // 0: no limit
}

// PageQuery asks for one page of a keyset-paged list (the catalog API's
// GET /entities/by-query), as Backstage pages it: entities that have
// SortField, by its value (lower-cased) and then by uid, or by uid alone
// without one; the page starts after the row whose sort values are After
// (before it, with Backward).
type PageQuery struct {
	Where          Predicate
	SortField      string // lower-case; "" sorts by uid
	Desc           bool
	FullTextTerm   string
	FullTextFields []string  // none: metadata.name, metadata.title, spec.profile.displayname
	After          []*string // the sort value and uid (or the uid) of the row the page follows
	Backward       bool
	Offset         int  // rows skipped first (a first page only)
	Limit          int  // 0: no rows, only the count
	Count          bool // count the matches (PageInfo.TotalItems)
	// Estimate is how many entities match, when known (a cursor carries
	// it), else -1: it picks how the page is read, never what it holds.
	Estimate int
}

// PageInfo is where a page of a PageQuery starts and ends.
type PageInfo struct {
	TotalItems  int       // when counted
	More        bool      // rows remain past the page, in its direction
	First, Last []*string // the sort values of its first and last rows; nil when empty
}
