package catalog

import "context"

// Declared is an entity together with the file that declared it.
type Declared struct {
	Entity   *Entity
	Location string // url:https://github.com/ORG/REPO/blob/BRANCH/PATH, or file:/abs/path
	Line     int    // the line of its document in that file; 0 when not known (the store keeps the last known)
}

// ReplaceResult says what a replacement changed, by entity ref.
type ReplaceResult struct {
	Added, Updated, Unchanged, Removed []string
	// Conflicts are entities refused because another source declares them.
	Conflicts []Problem
}

// Changed reports whether anything in the catalog changed.
func (r ReplaceResult) Changed() bool {
	return len(r.Added)+len(r.Updated)+len(r.Removed) > 0
}

// ReplaceOptions tunes ReplaceSource.
type ReplaceOptions struct {
	// KeepMissing keeps the source's entities that decl does not name. Used
	// when some of the source's files could not be read or did not validate:
	// an entity we could not read is not an entity that was removed.
	KeepMissing bool
}

// SourceBatch is what one source declares, for replacing several at once.
type SourceBatch struct {
	Source   string
	Entities []Declared
	Options  ReplaceOptions
}

// PreparedWrite writes, in one transaction, a group of sources an
// ImportStore made ready (encoded and hashed) before it: the results come
// in the order of the group's batches.
type PreparedWrite func(ctx context.Context) ([]ReplaceResult, error)
