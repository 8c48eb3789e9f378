package catalog

import (
	"encoding/json"
	"fmt"
	"strings"
	"unicode/utf8"
)

// CodeownersLocations is where GitHub looks for the file, in order; the first one found wins.
var CodeownersLocations = []string{".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS"}

// MaxCodeownersSize is the largest file ParseCodeowners accepts: GitHub ignores CODEOWNERS files over 3 MB.
const MaxCodeownersSize = 3 << 20

const (
	// maxCodeownersLine bounds the work one line can cause. A real line is a path and a few
	// owners; Git itself caps paths at 4096 bytes on most systems.
	maxCodeownersLine = 16 << 10
	// maxCodeownersProblems keeps a garbled 3 MB file from producing millions of problems.
	maxCodeownersProblems = 1000
	// maxCodeownersSegments lets a pattern's match state, one bit per segment plus one, fit in a uint64.
	maxCodeownersSegments = 63
)

// CodeownersRule is one line of a CODEOWNERS file.
type CodeownersRule struct {
	Line    int    `json:"line"` // 1-based line number in the file
	Pattern string `json:"pattern"`
	// Owners are as written: "@org/team", "@user", "user@example.com". Empty means GitHub
	// treats matching paths as unowned, overriding earlier rules.
	Owners []string `json:"owners"`

	// matcher is compiled by ParseCodeowners and UnmarshalJSON. Rules built by hand leave it
	// nil, and Match compiles their pattern on every call.
	matcher *codeownersPattern
}

// UnmarshalJSON decodes a rule and compiles its pattern, so that a Codeowners read back from
// JSON matches as fast as a freshly parsed one.
func (r *CodeownersRule) UnmarshalJSON(data []byte) error {
	type plain CodeownersRule // drops the methods, so json.Unmarshal does not recurse
	var p plain
	if err := json.Unmarshal(data, &p); err != nil {
		return err
	}
	m, err := compileCodeownersPattern(p.Pattern)
	if err != nil {
		return fmt.Errorf("compiling codeowners pattern from line %d: %w", p.Line, err)
	}
	p.matcher = m
	*r = CodeownersRule(p)
	return nil
}

// CodeownersProblem is an invalid line: reported, never fatal, because GitHub skips such lines
// and applies the rest of the file.
type CodeownersProblem struct {
	Line    int    `json:"line"`
	Column  int    `json:"column,omitempty"` // 1-based, in characters; 0 when the whole line is at fault
	Message string `json:"message"`
}

// Error returns the problem as "line N: message".
func (p CodeownersProblem) Error() string {
	return fmt.Sprintf("line %d: %s", p.Line, p.Message)
}

// Codeowners is a parsed CODEOWNERS file.
type Codeowners struct {
	Rules    []CodeownersRule    `json:"rules"`
	Problems []CodeownersProblem `json:"problems,omitempty"`
}

// ParseCodeowners parses a CODEOWNERS file. It never fails on content: lines GitHub would
// reject become Problems and are left out of Rules. It returns an error only for input over
// MaxCodeownersSize.
func ParseCodeowners(data []byte) (*Codeowners, error) {
	if len(data) > MaxCodeownersSize {
		return nil, fmt.Errorf("codeowners file is %d bytes, over the %d-byte limit", len(data), MaxCodeownersSize)
	}
	// One conversion for the whole file; rules keep substrings of it.
	text := strings.TrimPrefix(string(data), "\uFEFF")
	c := &Codeowners{Rules: []CodeownersRule{}}
	for n := 1; text != ""; n++ {
		var line string
		line, text, _ = strings.Cut(text, "\n")
		c.parseLine(n, strings.TrimSuffix(line, "\r"))
	}
	return c, nil
}

func (c *Codeowners) parseLine(n int, line string) {
	if len(line) > maxCodeownersLine {
		c.addProblem(n, 0, fmt.Sprintf("line is %d bytes, over the %d-byte limit", len(line), maxCodeownersLine))
		return
	}
	fields := splitCodeownersLine(line)
	if len(fields) == 0 {
		return
	}
	pat := fields[0]
	m, err := compileCodeownersPattern(pat.text)
	if err != nil {
		c.addProblem(n, codeownersColumn(line, pat.offset), err.Error())
		return
	}
	// GitHub skips a line with any invalid owner rather than keeping the valid ones, so the
	// line is dropped, but every bad owner is reported so all can be fixed in one go.
	owners := make([]string, 0, len(fields)-1)
	valid := true
	for _, f := range fields[1:] {
		if !isCodeowner(f.text) {
			c.addProblem(n, codeownersColumn(line, f.offset), fmt.Sprintf("invalid owner format %q", f.text))
			valid = false
			continue
		}
		owners = append(owners, f.text)
	}
	if !valid {
		return
	}
	c.Rules = append(c.Rules, CodeownersRule{Line: n, Pattern: pat.text, Owners: owners, matcher: m})
}

func (c *Codeowners) addProblem(line, column int, msg string) {
	switch {
	case len(c.Problems) < maxCodeownersProblems:
		c.Problems = append(c.Problems, CodeownersProblem{Line: line, Column: column, Message: msg})
	case len(c.Problems) == maxCodeownersProblems:
		c.Problems = append(c.Problems, CodeownersProblem{Line: line, Message: "too many problems; later ones are not reported"})
	}
}

type codeownersField struct {
	text   string
	offset int // byte offset in the line
}

// splitCodeownersLine splits a line on unescaped spaces and tabs, stopping at a field that
// starts with "#": a comment line, or GitHub's inline comment after the owners.
func splitCodeownersLine(line string) []codeownersField {
	var fields []codeownersField
	for i := 0; i < len(line); {
		if line[i] == ' ' || line[i] == '\t' {
			i++
			continue
		}
		if line[i] == '#' {
			break
		}
		start := i
		for i < len(line) && line[i] != ' ' && line[i] != '\t' {
			if line[i] == '\\' && i+1 < len(line) {
				i++ // an escaped space belongs to the pattern, as in gitignore
			}
			i++
		}
		fields = append(fields, codeownersField{text: line[start:i], offset: start})
	}
	return fields
}

func codeownersColumn(line string, offset int) int {
	return utf8.RuneCountInString(line[:offset]) + 1
}

// Match returns the rule that owns path, and false if no rule matches. As on GitHub, the last
// matching rule wins, even when it has no owners. path is repository-relative, with or without
// a leading "/"; a path ending in "/" names a directory, which patterns ending in "/" also match.
// The returned rule shares its Owners with c; callers must not modify them.
func (c *Codeowners) Match(path string) (CodeownersRule, bool) {
	if c == nil {
		return CodeownersRule{}, false
	}
	path, isDir := cleanCodeownersPath(path)
	if path == "" {
		return CodeownersRule{}, false
	}
	for i := len(c.Rules) - 1; i >= 0; i-- {
		r := &c.Rules[i]
		m := r.matcher
		if m == nil {
			var err error
			if m, err = compileCodeownersPattern(r.Pattern); err != nil {
				continue // GitHub ignores a line it cannot parse
			}
		}
		if m.match(path, isDir) {
			return *r, true
		}
	}
	return CodeownersRule{}, false
}

// OwnersOf returns the owners of path, or nil when no rule matches or the matching rule leaves
// path unowned. The slice is shared with c; callers must not modify it.
func (c *Codeowners) OwnersOf(path string) []string {
	r, ok := c.Match(path)
	if !ok || len(r.Owners) == 0 {
		return nil
	}
	return r.Owners
}

// cleanCodeownersPath trims the slashes off path and reports whether it named a directory.
func cleanCodeownersPath(path string) (string, bool) {
	isDir := strings.HasSuffix(path, "/")
	path = strings.Trim(path, "/")
	// Rare, so the allocation stays off the common path; matching relies on no empty segments.
	for strings.Contains(path, "//") {
		path = strings.ReplaceAll(path, "//", "/")
	}
	return path, isDir
}

// TeamSlug returns "org/slug" for an owner written "@org/slug", and "" for users, emails and
// malformed owners. Case is kept as written; GitHub compares it case-insensitively.
func TeamSlug(owner string) string {
	name, ok := strings.CutPrefix(owner, "@")
	if !ok {
		return ""
	}
	org, slug, ok := strings.Cut(name, "/")
	if !ok || !isCodeownersLogin(org, false) || !isCodeownersTeamSlug(slug) {
		return ""
	}
	return name
}

// UserLogin returns "login" for an owner written "@login", and "" for teams, emails and
// malformed owners. Case is kept as written; GitHub compares it case-insensitively.
func UserLogin(owner string) string {
	login, ok := strings.CutPrefix(owner, "@")
	if !ok || !isCodeownersLogin(login, true) {
		return ""
	}
	return login
}

func isCodeowner(s string) bool {
	return UserLogin(s) != "" || TeamSlug(s) != "" || isCodeownersEmail(s)
}

// isCodeownersLogin checks GitHub's login alphabet. Underscores are allowed for users because
// Enterprise Managed Users get logins like "mona_octo"; organisations never have them.
func isCodeownersLogin(s string, underscore bool) bool {
	if s == "" || s[0] == '-' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !isCodeownersAlnum(c) && c != '-' && (c != '_' || !underscore) {
			return false
		}
	}
	return true
}

func isCodeownersTeamSlug(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !isCodeownersAlnum(c) && c != '-' && c != '_' {
			return false
		}
	}
	return true
}

// isCodeownersEmail is deliberately loose: GitHub looks the address up rather than validating
// it, so this only rejects what cannot be an address at all.
func isCodeownersEmail(s string) bool {
	local, domain, ok := strings.Cut(s, "@")
	if !ok || local == "" || strings.Contains(domain, "@") || !allBytes(local, isEmailLocalByte) {
		return false
	}
	labels := strings.Split(domain, ".")
	if len(labels) < 2 {
		return false
	}
	for _, l := range labels {
		if l == "" || !allBytes(l, isDomainByte) {
			return false
		}
	}
	tld := labels[len(labels)-1]
	return len(tld) >= 2 && allBytes(tld, isASCIILetter)
}

func allBytes(s string, ok func(byte) bool) bool {
	for i := 0; i < len(s); i++ {
		if !ok(s[i]) {
			return false
		}
	}
	return true
}

func isEmailLocalByte(c byte) bool { return isCodeownersAlnum(c) || strings.IndexByte("._%+-", c) >= 0 }

func isDomainByte(c byte) bool { return isCodeownersAlnum(c) || c == '-' }

func isASCIILetter(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }

func isCodeownersAlnum(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}
