package catalog

import (
	"errors"
	"fmt"
)

// Limits on the placeholders of one file: each may read a file of up to
// maxPlaceholder bytes, and a file of a few kilobytes can hold hundreds.
const (
	MaxPlaceholders     = 50      // $text/$json/$yaml placeholders resolved per file
	MaxPlaceholderBytes = 4 << 20 // bytes they may pull in, per file, counted at each use
)

// errPlaceholderBudget stops a file's placeholders past its limits.
var errPlaceholderBudget = errors.New("over the placeholder budget")

// placeholderBudget counts what one file's placeholders resolve.
type placeholderBudget struct {
	resolve Resolver
	n       int
	bytes   int
	over    string // why the budget ran out, once it did
}

// read resolves one placeholder within the file's budget.
func (b *placeholderBudget) read(target string) ([]byte, error) {
	if b.over != "" {
		return nil, errPlaceholderBudget
	}
	if b.n++; b.n > MaxPlaceholders {
		b.over = fmt.Sprintf("more than %d placeholders ($text, $json, $yaml) in one file; the rest are not read", MaxPlaceholders)
		return nil, errPlaceholderBudget
	}
	data, err := b.resolve(target)
	if err != nil {
		return data, err
	}
	if b.bytes += len(data); b.bytes > MaxPlaceholderBytes {
		b.over = fmt.Sprintf("placeholders pull more than %d MB into one file; the rest are not read", MaxPlaceholderBytes>>20)
		return nil, errPlaceholderBudget
	}
	return data, nil
}
