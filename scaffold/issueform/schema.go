package issueform

import (
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"regexp"
	"strconv"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

// A parameter's answer is checked against the parameter's JSON Schema, as
// Backstage's form checks it (draft-07, formats asserted), by
// santhosh-tekuri/jsonschema; its errors are told in the words of the
// scaffold comment, about the field people filled in.

// schemaFor compiles a parameter's schema. A schema that does not compile
// (a keyword of the wrong type) checks nothing, as before callboard read
// schemas with a library; a pattern Go cannot read matches anything.
func schemaFor(p *Param) *jsonschema.Schema {
	if p.Schema == nil {
		return nil
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft7)
	// A template comes from any repository: its $refs load nothing, no
	// file of this machine and no URL.
	c.UseLoader(refuseLoader{})
	c.UseRegexpEngine(lenientRegexp)
	const url = "urn:callboard:parameter"
	if err := c.AddResource(url, p.Schema); err != nil {
		return nil
	}
	s, err := c.Compile(url)
	if err != nil {
		return nil
	}
	return s
}

type refuseLoader struct{}

func (refuseLoader) Load(url string) (any, error) {
	return nil, fmt.Errorf("%s: a template's schema loads nothing", url)
}

// anything is the pattern callboard cannot read: it checks nothing.
type anything string

func (a anything) MatchString(string) bool { return true }
func (a anything) String() string          { return string(a) }

func lenientRegexp(s string) (jsonschema.Regexp, error) {
	re, err := regexp.Compile(s)
	if err != nil {
		return anything(s), nil
	}
	return re, nil
}

// checkSchema checks v against p's schema, and says what is wrong as the
// scaffold comment says it: "" when nothing is.
func checkSchema(p *Param, v any) string {
	s := schemaFor(p)
	if s == nil {
		return ""
	}
	err := s.Validate(v)
	var ve *jsonschema.ValidationError
	if err == nil || !errors.As(err, &ve) {
		return ""
	}
	leaf := firstLeaf(ve)
	msg := schemaMessage(leaf, v)
	if where := instancePath(leaf.InstanceLocation); where != "" {
		return where + ": " + msg
	}
	return msg
}

// firstLeaf is the first error that has no causes: the keyword that failed.
func firstLeaf(e *jsonschema.ValidationError) *jsonschema.ValidationError {
	for len(e.Causes) > 0 {
		e = e.Causes[0]
	}
	return e
}

// instancePath names where in an answer a problem is: "item 2" of a list,
// "`key`" of an object.
func instancePath(loc []string) string {
	parts := make([]string, len(loc))
	for i, l := range loc {
		if n, err := strconv.Atoi(l); err == nil {
			parts[i] = fmt.Sprintf("item %d", n+1)
		} else {
			parts[i] = "`" + Code(l) + "`"
		}
	}
	return strings.Join(parts, ", ")
}

var printer = message.NewPrinter(language.English)

// schemaMessage says what a failed keyword means for the answer v. It is
// one case a keyword, each a sentence: a table that splitting would only
// scatter (its cyclomatic complexity counts the keywords, not decisions).
func schemaMessage(e *jsonschema.ValidationError, v any) string {
	switch k := e.ErrorKind.(type) {
	case *kind.MinLength:
		return fmt.Sprintf("is %d characters long; the least is %d.", k.Got, k.Want)
	case *kind.MaxLength:
		return fmt.Sprintf("is %d characters long; the most is %d.", k.Got, k.Want)
	case *kind.Pattern:
		return fmt.Sprintf("`%s` does not match the pattern `%s`.", Code(k.Got), k.Want)
	case *kind.Minimum:
		return fmt.Sprintf("must be at least %s.", ratText(k.Want))
	case *kind.Maximum:
		return fmt.Sprintf("must be at most %s.", ratText(k.Want))
	case *kind.ExclusiveMinimum:
		return fmt.Sprintf("must be more than %s.", ratText(k.Want))
	case *kind.ExclusiveMaximum:
		return fmt.Sprintf("must be less than %s.", ratText(k.Want))
	case *kind.MultipleOf:
		return fmt.Sprintf("must be a multiple of %s.", ratText(k.Want))
	case *kind.MinItems:
		return fmt.Sprintf("lists %d; the least is %d.", k.Got, k.Want)
	case *kind.MaxItems:
		return fmt.Sprintf("lists %d; the most is %d.", k.Got, k.Want)
	case *kind.UniqueItems:
		return fmt.Sprintf("lists `%s` twice.", Code(display(itemAt(v, e.InstanceLocation, k.Duplicates[0]))))
	case *kind.Enum:
		return fmt.Sprintf("`%s` is not one of the choices.", Code(display(k.Got)))
	case *kind.Const:
		return fmt.Sprintf("must be `%s`.", Code(display(k.Want)))
	case *kind.Format:
		return fmt.Sprintf("`%s` is not a valid %s.", Code(display(k.Got)), k.Want)
	case *kind.Type:
		return fmt.Sprintf("is %s; it must be %s.", k.Got, strings.Join(k.Want, " or "))
	case *kind.Required:
		return fmt.Sprintf("lacks `%s`.", strings.Join(k.Missing, "`, `"))
	}
	return strings.TrimSuffix(e.ErrorKind.LocalizedString(printer), ".") + "."
}

// itemAt is item i of the list at loc in v.
func itemAt(v any, loc []string, i int) any {
	for _, k := range loc {
		switch x := v.(type) {
		case []any:
			n, _ := strconv.Atoi(k)
			v = x[n]
		case map[string]any:
			v = x[k]
		}
	}
	l, _ := v.([]any)
	if i < 0 || i >= len(l) {
		return nil
	}
	return l[i]
}

// display is a value as a problem quotes it.
func display(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case string:
		return v
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(v)
	}
	b, _ := json.Marshal(v)
	return string(b)
}

func ratText(r *big.Rat) string {
	f, _ := r.Float64()
	return display(f)
}
