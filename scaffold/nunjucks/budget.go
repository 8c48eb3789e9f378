package nunjucks

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"
	"unicode/utf8"
)

// Budget bounds what rendering a template may cost: a template comes from
// any repository's catalog file, so a few hundred bytes of it must not be
// able to ask for gigabytes or loop for ever. One budget covers one render
// job (a request's step inputs, or all the files of its skeleton); zero
// fields take DefaultBudget's.
type Budget struct {
	// Output is how many bytes the job may write in all.
	Output int
	// String is the largest value (a string, or what a list or object
	// turns into as text or JSON) one expression may make.
	String int
	// Steps counts expression evaluations, loop iterations and the items
	// a filter or a conversion visits.
	Steps int
	// Time is the wall time the job may take.
	Time time.Duration
}

// DefaultBudget is what a render job may cost unless told otherwise: as
// much output as a skeleton may hold (scaffold's limit, 50 MB).
var DefaultBudget = Budget{Output: 50 << 20, String: 1 << 20, Steps: 2_000_000, Time: 10 * time.Second}

// Limits of the template syntax itself.
const (
	maxExprDepth  = 100 // nested parentheses, brackets, prefix operators
	maxBlockDepth = 100 // nested {% if %} and {% for %}
	maxValueDepth = 200 // lists in lists, as a value is printed
)

// checkEvery is how many steps pass between looks at the clock and the
// context: often enough that a cancelled request stops within milliseconds.
const checkEvery = 1024

// BudgetError is a render that asked for more than its budget: the
// template's fault, so retrying cannot help.
type BudgetError struct{ msg string }

func (e *BudgetError) Error() string { return e.msg }

func overBudget(format string, args ...any) error {
	return &BudgetError{fmt.Sprintf(format, args...)}
}

// Meter is one render job (a request's step inputs, or all the files of
// its skeleton) and what it has spent of its Budget.
type Meter struct {
	ctx       context.Context
	b         Budget
	deadline  time.Time
	steps     int
	unchecked int
	output    int
}

// NewMeter starts a render job of budget b; ctx stops it.
func NewMeter(ctx context.Context, b Budget) *Meter {
	if b.Output <= 0 {
		b.Output = DefaultBudget.Output
	}
	if b.String <= 0 {
		b.String = DefaultBudget.String
	}
	if b.Steps <= 0 {
		b.Steps = DefaultBudget.Steps
	}
	if b.Time <= 0 {
		b.Time = DefaultBudget.Time
	}
	return &Meter{ctx: ctx, b: b, deadline: time.Now().Add(b.Time)}
}

// step spends n steps; now and then it looks at the clock and the context.
func (m *Meter) step(n int) error {
	m.steps += n
	if m.steps > m.b.Steps {
		return overBudget("the template takes more than %d steps to render (loop iterations and evaluations)", m.b.Steps)
	}
	m.unchecked += n
	if m.unchecked < checkEvery {
		return nil
	}
	m.unchecked = 0
	if err := m.ctx.Err(); err != nil {
		return err
	}
	if time.Now().After(m.deadline) {
		return overBudget("the template takes longer than %s to render", m.b.Time)
	}
	return nil
}

// str checks the size of a value about to be made.
func (m *Meter) str(n int) error {
	if n > m.b.String || n < 0 {
		return overBudget("the template makes a value of more than %s (the limit of one value)", size(m.b.String))
	}
	return nil
}

// write spends n bytes of output.
func (m *Meter) write(n int) error {
	m.output += n
	if m.output > m.b.Output {
		return overBudget("the template renders to more than %s", size(m.b.Output))
	}
	return nil
}

func size(n int) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

// toString is jsString within the budget: a list turns into its items
// joined by commas, however deeply nested, and that text is bounded.
func (m *Meter) toString(v any) (string, error) {
	switch v.(type) {
	case []any:
		var b strings.Builder
		if err := m.appendString(&b, v, 0); err != nil {
			return "", err
		}
		return b.String(), nil
	case string:
		return v.(string), nil
	}
	return jsString(v), nil
}

func (m *Meter) appendString(b *strings.Builder, v any, depth int) error {
	if depth > maxValueDepth {
		return overBudget("the template makes a list nested more than %d deep", maxValueDepth)
	}
	if err := m.step(1); err != nil {
		return err
	}
	l, ok := v.([]any)
	if !ok {
		s := ToString(v) // an undefined or null item joins as nothing
		if err := m.str(b.Len() + len(s)); err != nil {
			return err
		}
		b.WriteString(s)
		return nil
	}
	for i, x := range l {
		if i > 0 {
			if err := m.str(b.Len() + 1); err != nil {
				return err
			}
			b.WriteByte(',')
		}
		if err := m.appendString(b, x, depth+1); err != nil {
			return err
		}
	}
	return nil
}

// jsonSize is an upper bound of the bytes JSON.stringify(v, null, indent)
// writes, found within the budget: a list that holds itself twice, set
// after set, is small in memory and enormous in print.
func (m *Meter) jsonSize(v any, indent, depth int) (int, error) {
	if depth > maxValueDepth {
		return 0, overBudget("the template makes a value nested more than %d deep", maxValueDepth)
	}
	if err := m.step(1); err != nil {
		return 0, err
	}
	pad := 1 + indent*(depth+1) // a newline and the indentation of each item
	switch v := v.(type) {
	case string:
		return len(v) + 2 + 5*countEscapes(v), nil
	case []any:
		n := 2
		for _, x := range v {
			k, err := m.jsonSize(x, indent, depth+1)
			if err != nil {
				return 0, err
			}
			if n += k + pad + 1; n > m.b.String {
				return n, nil
			}
		}
		return n + pad, nil
	case map[string]any:
		n := 2
		for k, x := range v {
			s, err := m.jsonSize(x, indent, depth+1)
			if err != nil {
				return 0, err
			}
			if n += len(k) + 5*countEscapes(k) + 4 + s + pad + 1; n > m.b.String {
				return n, nil
			}
		}
		return n + pad, nil
	}
	return 32, nil // a number, a boolean, null
}

// countEscapes counts the characters JSON writes as \uXXXX or \x.
func countEscapes(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == '"' || c == '\\' {
			n++
		}
	}
	if !utf8.ValidString(s) {
		n += len(s) // invalid bytes become \ufffd
	}
	return n
}

// replaceSize is the length of strings.Replace(s, old, new, n) without
// making it.
func replaceSize(s, old, new string, n int) int {
	count := strings.Count(s, old)
	if n >= 0 && n < count {
		count = n
	}
	grow := len(new) - len(old)
	if grow > 0 && count > 0 && grow > (math.MaxInt-len(s))/count {
		return -1 // more than any budget
	}
	return len(s) + count*grow
}

// Interrupted reports a render stopped because its request was (shutdown,
// a timeout): worth retrying, unlike a template over its budget.
func Interrupted(err error) bool {
	return errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}
