package catalog

import "strings"

// Predicate selects entities, as Backstage's filter predicates do: a
// conjunction ($all), a disjunction ($any), a negation ($not), or a match
// on one field. The zero Predicate (an empty $all) matches everything.
type Predicate struct {
	Op    PredicateOp
	Preds []Predicate // the operands of All and Any; Not has exactly one
	Key   string      // Field: the lower-case dotted key ("spec.type", "relations.ownedby", "relations")
	Match Match       // Field: how the key's values must match
}

// PredicateOp is what a Predicate does.
type PredicateOp int

// The predicate operators.
const (
	PredAll PredicateOp = iota
	PredAny
	PredNot
	PredField
)

// Match is how a field's values are matched.
type Match struct {
	Kind MatchKind
	// Values: for MatchValues, any of them (case-insensitive); for
	// MatchPrefix, the one prefix; for MatchRelation, the targets (any of
	// them; none: any target).
	Values []string
	// Exists: for MatchExists, whether the key must exist or must not.
	Exists bool
	// RelationType: for MatchRelation (the key "relations"), the lower-case
	// relation type.
	RelationType string
}

// MatchKind is the kind of a Match.
type MatchKind int

// The kinds of match.
const (
	MatchValues MatchKind = iota
	MatchExists
	MatchPrefix
	MatchRelation
)

// All is the conjunction of ps.
func All(ps ...Predicate) Predicate { return Predicate{Op: PredAll, Preds: ps} }

// Any is the disjunction of ps.
func Any(ps ...Predicate) Predicate { return Predicate{Op: PredAny, Preds: ps} }

// Not is the negation of p.
func Not(p Predicate) Predicate { return Predicate{Op: PredNot, Preds: []Predicate{p}} }

// FieldIn matches entities whose key has one of values.
func FieldIn(key string, values ...string) Predicate {
	return Predicate{Op: PredField, Key: key, Match: Match{Kind: MatchValues, Values: values}}
}

// FieldExists matches entities that have key (exists) or lack it.
func FieldExists(key string, exists bool) Predicate {
	return Predicate{Op: PredField, Key: key, Match: Match{Kind: MatchExists, Exists: exists}}
}

// IsTrue reports whether p matches every entity without looking at it (an
// empty $all).
func (p Predicate) IsTrue() bool { return p.Op == PredAll && len(p.Preds) == 0 }

// Predicate is the filter as a predicate: the sets are alternatives, the
// conditions of a set all hold. An empty filter is the predicate that
// matches everything.
func (f Filter) Predicate() Predicate {
	var sets []Predicate
	for _, set := range f {
		var conds []Predicate
		for _, c := range set {
			if c.Values == nil {
				conds = append(conds, FieldExists(c.Key, true))
			} else {
				conds = append(conds, FieldIn(c.Key, c.Values...))
			}
		}
		if len(conds) == 1 {
			sets = append(sets, conds[0])
		} else {
			sets = append(sets, All(conds...))
		}
	}
	switch len(sets) {
	case 0:
		return All()
	case 1:
		return sets[0]
	}
	return Any(sets...)
}

// RelationType returns the relation type t names in any case ("ownedby" →
// "ownedBy"), or "" for a type callboard does not know.
func RelationType(t string) string {
	for k := range inverse {
		if strings.EqualFold(k, t) {
			return k
		}
	}
	return ""
}
