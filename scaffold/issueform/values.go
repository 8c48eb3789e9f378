package issueform

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/callboard/callboard/catalog"
	"go.yaml.in/yaml/v3"
)

// Problem is one reason a request cannot run as written.
type Problem struct {
	Field   string // the form label it concerns; "" for the request as a whole
	Message string
}

// String prints the problem as "Field: message".
func (p Problem) String() string {
	if p.Field == "" {
		return p.Message
	}
	return p.Field + ": " + p.Message
}

// Answers are a request's answers, read against its template.
type Answers struct {
	// Params are the template's parameters, by name, as Backstage's form
	// would give them (booleans, numbers, lists, repoUrl values).
	Params map[string]any
	// Owner is the owner as answered; OwnerParam the parameter it fills
	// ("" when callboard added the owner field).
	Owner, OwnerParam string
	// RepoName is the new repository's name as answered; RepoParam the
	// parameter it fills.
	RepoName, RepoParam string
}

var reRepoName = regexp.MustCompile(`^[A-Za-z0-9_.-]{1,100}$`)

// ValidRepoName reports whether GitHub takes s as a repository name.
func ValidRepoName(s string) bool {
	return reRepoName.MatchString(s) && s != "." && s != ".." && !strings.HasSuffix(strings.ToLower(s), ".git")
}

// Read turns a submission into the template's parameters and checks them
// against the template's JSON Schema (every keyword of draft-07, as
// Backstage's form checks them) and the pickers' rules (catalog names,
// repository names). Whether the owner exists and the repository
// name is free is for the caller, who can ask the catalog and GitHub.
func (rf *RequestForm) Read(sub *Submission) (Answers, []Problem) {
	ans := Answers{Params: map[string]any{}}
	for _, p := range rf.Template.Params() {
		if p.hidden() || p.secret() || p.Const != nil {
			if v := p.Default; v != nil {
				ans.Params[p.Name] = v
			} else if p.Const != nil {
				ans.Params[p.Name] = p.Const
			}
		}
	}
	var problems []Problem
	for _, f := range rf.Fields {
		if f.Role == RoleTemplate {
			continue
		}
		if msg := rf.readField(f, sub.Answers[f.ID], &ans); msg != "" {
			problems = append(problems, Problem{Field: f.Label, Message: msg})
		}
	}
	return ans, problems
}

// readField reads the answer a to one field into ans, and returns what is
// wrong with it ("" when nothing is).
func (rf *RequestForm) readField(f Field, a *Answer, ans *Answers) string {
	empty, text := a == nil || a.Empty, answerText(f, a)
	switch f.Role {
	case RoleOwner:
		ans.Owner = text
		if f.Param != nil {
			ans.OwnerParam = f.Param.Name
		}
		return requiredIf(empty, "is required: every service needs an owner.")
	case RoleRepoName:
		return rf.readRepoName(f, text, empty, ans)
	}
	p := f.Param
	switch {
	case f.Kind == KindCheckboxes:
		ticked := a != nil && slices.Contains(a.Selected, f.Options[0])
		ans.Params[p.Name] = ticked
		if p.Const == true && !ticked {
			return "must be ticked."
		}
	case !empty:
		v, msg := checkedValue(f, p, a)
		if msg == "" {
			ans.Params[p.Name] = v
		}
		return msg
	case f.Required || p.Required:
		return "is required."
	case p.Default != nil:
		ans.Params[p.Name] = p.Default
	}
	return ""
}

// answerText is an answer as text: what was written, or a dropdown's
// first choice.
func answerText(f Field, a *Answer) string {
	if a == nil {
		return ""
	}
	if f.Kind == KindDropdown && len(a.Selected) > 0 {
		return a.Selected[0]
	}
	return strings.TrimSpace(a.Text)
}

// requiredIf is msg when the answer is empty.
func requiredIf(empty bool, msg string) string {
	if empty {
		return msg
	}
	return ""
}

// readRepoName reads the new repository's name: its parameter is the
// RepoUrlPicker's value.
func (rf *RequestForm) readRepoName(f Field, text string, empty bool, ans *Answers) string {
	ans.RepoName, ans.RepoParam = text, f.Param.Name
	if empty {
		return "is required."
	}
	org, name, msg := readRepoField(text, rf.opts.Host, rf.opts.Org)
	if msg == "" {
		ans.RepoName, ans.Params[f.Param.Name] = name, RepoURL(rf.opts.Host, org, name)
	}
	return msg
}

// checkedValue reads an answer as its parameter's value, and checks it
// against the parameter's schema and picker.
func checkedValue(f Field, p *Param, a *Answer) (any, string) {
	v, msg := convert(f, p, a)
	if msg != "" {
		return nil, msg
	}
	if msg := checkSchema(p, v); msg != "" {
		return nil, msg
	}
	if p.UIField == "EntityNamePicker" && !catalog.ValidName(display(v)) {
		return nil, fmt.Sprintf("`%s` is not a valid catalog name: use 1–63 characters `a-z`, `A-Z`, `0-9`, separated by `-`, `_` or `.` (for example `%s`).", Code(display(v)), SuggestName(display(v)))
	}
	return v, ""
}

// convert reads an answer as the parameter's JSON type.
func convert(f Field, p *Param, a *Answer) (any, string) {
	text := strings.TrimSpace(a.Text)
	switch {
	case f.Kind == KindDropdown:
		return selected(f, a.Selected)
	case p.Type == "number" || p.Type == "integer":
		n, err := strconv.ParseFloat(text, 64)
		if err != nil {
			return nil, fmt.Sprintf("`%s` is not a number.", Code(text))
		}
		if p.Type == "integer" && n != float64(int64(n)) {
			return nil, fmt.Sprintf("`%s` is not a whole number.", Code(text))
		}
		return n, ""
	case p.Type == "array":
		var out []any
		for _, l := range strings.Split(a.Text, "\n") {
			l = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(l), "- "))
			if l != "" {
				out = append(out, l)
			}
		}
		return out, ""
	case p.Type == "object":
		var v any
		if err := yaml.Unmarshal([]byte(unfence(a.Text)), &v); err != nil {
			return nil, "is not valid YAML or JSON: " + strings.TrimPrefix(err.Error(), "yaml: ")
		}
		m, ok := jsonValue(v).(map[string]any)
		if !ok {
			return nil, "must be an object (key: value lines)."
		}
		return m, ""
	case f.Kind == KindTextarea:
		return a.Text, ""
	}
	return text, ""
}

// selected is the value of a dropdown's selected options: a list when it
// takes many, else the one.
func selected(f Field, sel []string) (any, string) {
	var out []any
	for _, s := range sel {
		i := slices.Index(f.Options, s)
		if i < 0 {
			return nil, fmt.Sprintf("`%s` is not one of the choices (%s).", Code(s), choices(f.Options))
		}
		out = append(out, f.values[i])
	}
	if f.Multiple {
		return out, ""
	}
	return out[0], ""
}

// jsonValue turns YAML-decoded values into JSON ones (string keys, float64 numbers).
func jsonValue(v any) any {
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			v[k] = jsonValue(x)
		}
		return v
	case map[any]any:
		m := make(map[string]any, len(v))
		for k, x := range v {
			m[fmt.Sprint(k)] = jsonValue(x)
		}
		return m
	case []any:
		for i, x := range v {
			v[i] = jsonValue(x)
		}
		return v
	case int:
		return float64(v)
	case int64:
		return float64(v)
	case uint64:
		return float64(v)
	}
	return v
}

var reNameJunk = regexp.MustCompile(`[^A-Za-z0-9]+`)

// SuggestName is a valid catalog name close to s.
func SuggestName(s string) string {
	n := strings.Trim(reNameJunk.ReplaceAllString(strings.ToLower(s), "-"), "-")
	if len(n) > 63 {
		n = strings.Trim(n[:63], "-")
	}
	if n == "" {
		return "my-service"
	}
	return n
}

func choices(opts []string) string {
	quoted := make([]string, 0, len(opts))
	for i, o := range opts {
		if i == 10 {
			quoted = append(quoted, "…")
			break
		}
		quoted = append(quoted, "`"+Code(o)+"`")
	}
	return strings.Join(quoted, ", ")
}

// Code keeps a value readable inside `backticks`: one line, no backticks.
func Code(s string) string {
	s = strings.ReplaceAll(s, "`", "'")
	if i := strings.IndexAny(s, "\r\n"); i >= 0 {
		s = s[:i] + "…"
	}
	if utf8.RuneCountInString(s) > 80 {
		s = string([]rune(s)[:79]) + "…"
	}
	return s
}
