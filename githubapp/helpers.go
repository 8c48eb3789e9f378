package githubapp

import (
	"errors"

	"github.com/callboard/callboard/catalog"
)

func isNotFound(err error) bool { return errors.Is(err, catalog.ErrNotFound) }
