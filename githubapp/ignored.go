package githubapp

import "fmt"

// ignoredError is errIgnored with the reason a person reads in callboard
// deliveries ("push to a branch that is not the default").
type ignoredError string

func (e ignoredError) Error() string        { return string(e) }
func (e ignoredError) Is(target error) bool { return target == errIgnored }

// ignored ends a delivery that callboard has nothing to do for, saying why.
func ignored(reason string) error { return ignoredError(reason) }

// ignoredAction ignores an action of an event callboard does not act on.
func ignoredAction(event, action string) error {
	return ignoredError(fmt.Sprintf("%s %q: not an action callboard acts on", event, action))
}
