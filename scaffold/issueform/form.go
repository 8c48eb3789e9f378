package issueform

import (
	"bytes"
	"cmp"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Label is the label that marks an issue as a scaffold request; every form
// sets it.
const Label = "scaffold"

// TemplateFieldID is the id of the form field that names the template.
const TemplateFieldID = "template"

// Issue-form body item types.
const (
	KindMarkdown   = "markdown"
	KindInput      = "input"
	KindTextarea   = "textarea"
	KindDropdown   = "dropdown"
	KindCheckboxes = "checkboxes"
)

// Form is a GitHub issue form (.github/ISSUE_TEMPLATE/*.yml).
type Form struct {
	Name        string     `yaml:"name"`
	Description string     `yaml:"description"`
	Title       string     `yaml:"title,omitempty"`
	Labels      stringList `yaml:"labels,omitempty"`
	Body        []Item     `yaml:"body"`
}

// Item is one element of a form's body.
type Item struct {
	Type        string       `yaml:"type"`
	ID          string       `yaml:"id,omitempty"`
	Attributes  Attributes   `yaml:"attributes"`
	Validations *Validations `yaml:"validations,omitempty"`
}

// Attributes are an item's attributes; which apply depends on its type.
// Options holds strings for a dropdown and {label, required} objects for
// checkboxes.
type Attributes struct {
	Label       string `yaml:"label,omitempty"`
	Description string `yaml:"description,omitempty"`
	Placeholder string `yaml:"placeholder,omitempty"`
	Value       string `yaml:"value,omitempty"`
	Render      string `yaml:"render,omitempty"`
	Multiple    bool   `yaml:"multiple,omitempty"`
	Options     []any  `yaml:"options,omitempty"`
	Default     *int   `yaml:"default,omitempty"`
}

// Validations are an item's validations.
type Validations struct {
	Required bool `yaml:"required"`
}

// stringList reads labels given as a list or as one comma-separated string.
type stringList []string

func (l *stringList) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		for _, s := range strings.Split(n.Value, ",") {
			if s = strings.TrimSpace(s); s != "" {
				*l = append(*l, s)
			}
		}
		return nil
	}
	var ss []string
	if err := n.Decode(&ss); err != nil {
		return err
	}
	*l = ss
	return nil
}

// ParseForm reads an issue form.
func ParseForm(data []byte) (*Form, error) {
	var f Form
	if err := yaml.Unmarshal(data, &f); err != nil {
		return nil, fmt.Errorf("reading the issue form: %w", err)
	}
	return &f, nil
}

// YAML writes the form as a file for .github/ISSUE_TEMPLATE/.
func (f *Form) YAML() []byte {
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(f); err != nil {
		panic("issueform: form does not encode: " + err.Error())
	}
	enc.Close()
	return b.Bytes()
}

// Field is a body item that takes an answer, as the parser sees it.
type Field struct {
	ID       string // the item's id, or its label slugified when it has none
	Label    string
	Kind     string
	Required bool
	Multiple bool     // dropdown
	Options  []string // dropdown options or checkbox labels, as shown
	Render   string   // textarea: the value is a code block of this language

	// What the field stands for in a template's form.
	Role   Role
	Param  *Param // the parameter it fills, if any
	values []any  // per option, the parameter value it stands for (enums)
}

// Role is what a field stands for in a template's form.
type Role int

// The roles: a template parameter, the dropdown naming the template, the
// new service's owner, the new repository's name.
const (
	RoleParam Role = iota
	RoleTemplate
	RoleOwner
	RoleRepoName
)

// Fields returns the items that take an answer.
func (f *Form) Fields() []Field {
	var out []Field
	for _, it := range f.Body {
		if it.Type == KindMarkdown {
			continue
		}
		fd := Field{ID: it.ID, Label: strings.TrimSpace(it.Attributes.Label), Kind: it.Type, Multiple: it.Attributes.Multiple, Render: it.Attributes.Render}
		if fd.ID == "" {
			fd.ID = Slug(fd.Label)
		}
		if it.Validations != nil {
			fd.Required = it.Validations.Required
		}
		for _, o := range it.Attributes.Options {
			switch o := o.(type) {
			case string:
				fd.Options = append(fd.Options, o)
			case map[string]any:
				fd.Options = append(fd.Options, fmt.Sprint(o["label"]))
			default:
				fd.Options = append(fd.Options, fmt.Sprint(o))
			}
		}
		out = append(out, fd)
	}
	return out
}

var reNonAlnum = regexp.MustCompile(`[^a-z0-9]+`)

// Slug is a label as a key: lower case, runs of other characters as one "_".
func Slug(s string) string {
	return strings.Trim(reNonAlnum.ReplaceAllString(strings.ToLower(s), "_"), "_")
}

// FormOptions is what a template's form needs besides the template.
type FormOptions struct {
	// Org is the organisation new repositories are created in.
	Org string
	// Host is the GitHub host in repoUrl values (default github.com).
	Host string
	// Owners are the catalog's groups, as the owner dropdown offers them
	// ("payments", or "namespace/name" outside the default namespace).
	Owners []string
}

// RequestForm is a template's issue form and how its answers map to the
// template's parameters.
type RequestForm struct {
	Template *Template
	Form     *Form
	Fields   []Field
	opts     FormOptions
}

var reID = regexp.MustCompile(`^[a-zA-Z0-9_-]+$`)

// FormFor turns a template's parameters (every page) into an issue form:
// strings become inputs, enums dropdowns, booleans checkboxes, textarea
// widgets textareas; the OwnerPicker is a dropdown of the catalog's groups
// and the RepoUrlPicker the new repository's name. A template without an
// owner parameter gets one: every service callboard creates is born owned.
// The form carries the scaffold label and names its template in a
// one-option dropdown.
func FormFor(t *Template, opts FormOptions) *RequestForm {
	if opts.Host == "" {
		opts.Host = "github.com"
	}
	rf := &RequestForm{Template: t, opts: opts, Form: &Form{
		Name:        t.Title,
		Description: cmp.Or(firstLine(t.Description), "Create a new repository from the Backstage template "+t.Title),
		Title:       "[scaffold] " + t.Title + ": ",
		Labels:      stringList{Label},
	}}
	org := "the organisation"
	if opts.Org != "" {
		org = "**" + opts.Org + "**"
	}
	rf.markdown(fmt.Sprintf(
		"This request runs the Backstage template **%s** (`%s`). When you submit it, callboard checks the answers, "+
			"creates the repository in %s with the files the template writes, registers it in the catalog, "+
			"and closes this issue with the links. If an answer needs fixing, callboard says so in a comment: edit the issue and it tries again.",
		MDEscape(t.Title), t.Ref, org))
	b := &formBuilder{rf: rf, ids: map[string]bool{}, labels: map[string]bool{}}
	zero := 0
	b.add(Field{ID: TemplateFieldID, Label: "Template", Kind: KindDropdown, Required: true, Options: []string{t.Ref.String()}, Role: RoleTemplate},
		Item{Attributes: Attributes{Description: "The template this request runs. Leave it as it is.", Options: []any{t.Ref.String()}, Default: &zero}})
	owner := ownerParam(t)
	for i, pg := range t.Pages {
		if pg.Title != "" || pg.Description != "" {
			rf.markdown(pageIntro(pg))
		}
		for _, p := range pg.Params {
			if !p.hidden() && !p.secret() && (p.Const == nil || p.Type == "boolean") {
				b.add(rf.paramField(p, p == owner))
			}
		}
		if i == 0 && owner == nil {
			b.add(rf.ownerField(nil))
		}
	}
	if len(t.Pages) == 0 && owner == nil {
		b.add(rf.ownerField(nil))
	}
	return rf
}

// pageIntro is the Markdown that opens a page's fields: its title and
// description.
func pageIntro(pg Page) string {
	text := ""
	if pg.Title != "" {
		text = "## " + pg.Title
	}
	if pg.Description != "" {
		text = strings.TrimSpace(text + "\n\n" + pg.Description)
	}
	return text
}

func (rf *RequestForm) markdown(text string) {
	rf.Form.Body = append(rf.Form.Body, Item{Type: KindMarkdown, Attributes: Attributes{Value: text}})
}

// formBuilder adds fields to a form, each with an id and a label of its own.
type formBuilder struct {
	rf          *RequestForm
	ids, labels map[string]bool
}

func (b *formBuilder) add(fd Field, it Item) {
	fd.ID = uniqueID(fd.ID, b.ids)
	if b.labels[strings.ToLower(fd.Label)] {
		fd.Label = fd.Label + " (" + fd.ID + ")"
	}
	b.labels[strings.ToLower(fd.Label)] = true
	it.ID, it.Type = fd.ID, fd.Kind
	it.Attributes.Label = fd.Label
	if fd.Required {
		it.Validations = &Validations{Required: true}
	}
	b.rf.Form.Body = append(b.rf.Form.Body, it)
	b.rf.Fields = append(b.rf.Fields, fd)
}

// enumOptions returns the options a dropdown shows for an enum, distinct
// and non-empty, and the value each stands for.
func enumOptions(enum []any, names []string) ([]string, []any) {
	var opts []string
	var vals []any
	for i, v := range enum {
		s := fmt.Sprint(v)
		if v == nil {
			s = "null"
		}
		if i < len(names) && names[i] != "" {
			s = names[i]
		}
		if s == "" {
			s = "(empty)"
		}
		if strings.EqualFold(s, "none") {
			// GitHub keeps "None" for a dropdown left unanswered.
			s += " (value)"
		}
		if slices.Contains(opts, s) {
			continue
		}
		opts = append(opts, s)
		vals = append(vals, v)
	}
	return opts, vals
}

func uniqueID(id string, used map[string]bool) string {
	if !reID.MatchString(id) {
		id = strings.Trim(regexp.MustCompile(`[^a-zA-Z0-9_-]+`).ReplaceAllString(id, "-"), "-")
		if id == "" {
			id = "field"
		}
	}
	base := id
	for n := 2; used[id]; n++ {
		id = base + "-" + strconv.Itoa(n)
	}
	used[id] = true
	return id
}

func dedupe(ss []string) []string {
	var out []string
	for _, s := range ss {
		if s != "" && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

func scalarText(v any) (string, bool) {
	switch v := v.(type) {
	case string:
		return v, v != ""
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64), true
	case int:
		return strconv.Itoa(v), true
	case bool:
		return strconv.FormatBool(v), true
	}
	return "", false
}

func textsOf(v any) []string {
	var out []string
	for _, x := range list(v) {
		if s, ok := scalarText(x); ok {
			out = append(out, s)
		}
	}
	return out
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	return strings.TrimSpace(s)
}

// MDEscape keeps text from being read as Markdown formatting.
func MDEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, "*", `\*`, "_", `\_`, "`", "\\`", "[", `\[`, "]", `\]`, "<", "&lt;", ">", "&gt;").Replace(s)
}
