package githubapp

import (
	"errors"

	"github.com/callboard/callboard/catalog"
)

var catalogReplaceAll = catalog.ReplaceOptions{}

func isNotFound(err error) bool { return errors.Is(err, catalog.ErrNotFound) }
