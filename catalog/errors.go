package catalog

import "errors"

// ErrNotFound is returned when an entity or repository does not exist.
var ErrNotFound = errors.New("not found")
