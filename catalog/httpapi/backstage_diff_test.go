package httpapi

// The differential test of issue 16: the catalog that e2e/backstage records
// a real Backstage backend on (Backstage's example entities plus
// e2e/backstage/catalog) is imported into callboard as `callboard import`
// does, every request of e2e/backstage/requests.json is replayed against the
// real handler, and the answers are compared with e2e/backstage/recorded.json.
//
// The test fails on every difference, except those listed in
// deliberateBackstageDifferences: by request, the README's compatibility
// table row it is, and the kinds of difference accepted (a listed request
// that differs in another way fails too, as does an entry that no longer
// differs). CALLBOARD_BACKSTAGE_DIFF=report only reports (t.Log): where the
// differences are, by how many requests, and per request the JSON path of
// each with both values; CALLBOARD_BACKSTAGE_DIFF_OUT=FILE writes the full
// report to FILE.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/callboard/callboard/catalog"
	"github.com/callboard/callboard/catalog/store"
	"github.com/callboard/callboard/internal/testcatalog"
	"github.com/gorilla/mux"
)

var (
	backstageE2EDir      = filepath.Join("..", "..", "e2e", "backstage")
	backstageExamplesDir = filepath.Join("..", "..", "..", "shared", "testdata", "backstage", "packages", "catalog-model", "examples")
)

// deliberateBackstageDifferences lists, by request name, the requests whose
// answers callboard keeps different on purpose: the README's compatibility
// table row (its reason), and the kinds of difference accepted
// (diffEntry.group). Anything else fails.
var deliberateBackstageDifferences = map[string]deliberateDifference{
	// Full text without fullTextFilterFields: Backstage searches
	// metadata.uid (so finds nothing by name); callboard searches the name,
	// title and display name.
	"text-no-fields":           fullTextFields,
	"text-no-fields-no-filter": fullTextFields,
	// % and _ in a full-text term: wildcards in Backstage (they reach SQL
	// LIKE unescaped), the characters themselves in callboard.
	"text-percent-wildcard":    fullTextWildcards,
	"text-underscore-wildcard": fullTextWildcards,
	"text-underscore-only":     fullTextWildcards,
	// A cursor that does not decode: same status, error name and
	// "Malformed cursor: " prefix; the cause after it is Node's JSON parser
	// or zod in Backstage, callboard's own words here.
	"query-cursor-garbage":         cursorCause,
	"query-cursor-empty-object":    cursorCause,
	"query-cursor-json-array":      cursorCause,
	"query-cursor-not-base64-json": cursorCause,
	// A body that is not JSON: same status and error name; the message is
	// Node's JSON parser's in Backstage.
	"refs-not-json": {"a body that is not JSON: the parser's message", []string{"body.error.message: values differ"}},
	// No such route: Backstage answers 404 with an empty body; callboard
	// answers 404 with its error body naming the route.
	"name-missing-segment": unknownRoute,
	"refs-get":             unknownRoute,
	"route-unknown":        unknownRoute,
	"route-entities-post":  unknownRoute,
	// GET /entities/by-name/…/ancestry: callboard does not keep which
	// Location led to an entity.
	"name-ancestry": {"ancestry is not served (501)", []string{"status: backstage 200, callboard 501"}},
}

// deliberateDifference is one row of the README's compatibility table as
// the test accepts it.
type deliberateDifference struct {
	reason string
	groups []string // the kinds of difference accepted (diffEntry.group)
}

var (
	fullTextFields = deliberateDifference{"full text without fullTextFilterFields searches names, titles and display names", []string{
		"body.totalItems: values differ", "body.items.length: values differ", "body.items{}: absent in backstage"}}
	fullTextWildcards = deliberateDifference{"% and _ in a full-text term are the characters themselves", []string{
		"body.totalItems: values differ", "body.items.length: values differ", "body.items{}: absent in callboard"}}
	cursorCause  = deliberateDifference{"a malformed cursor: the cause after \"Malformed cursor: \"", []string{"body.error.message: values differ"}}
	unknownRoute = deliberateDifference{"no such route: 404 with callboard's error body", []string{"body: values differ", "header:content-type: absent in backstage"}}
)

// diffRequest is one entry of requests.json (see e2e/backstage/README.md).
type diffRequest struct {
	Name        string            `json:"name"`
	Method      string            `json:"method"`
	Path        string            `json:"path"`
	Body        json.RawMessage   `json:"body"`
	RawBody     *string           `json:"rawBody"`
	Headers     map[string]string `json:"headers"`
	Follow      []string          `json:"follow"`
	FollowQuery string            `json:"followQuery"`
	Unordered   bool              `json:"unordered"`
	OrderKey    []string          `json:"orderKey"`
}

// diffResponse is one answer, as recorded and as replayed.
type diffResponse struct {
	Step    string            `json:"step"`
	Missing bool              `json:"missing"`
	Status  int               `json:"status"`
	Headers map[string]string `json:"headers"`
	Body    any               `json:"body"`
	Text    *string           `json:"text"`
}

type diffRecording struct {
	ServedFrom                string            `json:"servedFrom"`
	Backstage                 map[string]string `json:"backstage"`
	GeneratedLocationEntities []json.RawMessage `json:"generatedLocationEntities"`
	Requests                  []struct {
		Name      string         `json:"name"`
		Responses []diffResponse `json:"responses"`
	} `json:"requests"`
}

// diffEntry is one difference in one request's answers.
type diffEntry struct {
	request string
	step    int    // which response: 0 is the request itself, then each follow step
	path    string // status, header:link, body.items{component:default/x}.metadata.namespace, …
	want    any    // Backstage's value (diffAbsent{} when it has none)
	got     any    // callboard's
	note    string
}

func (d diffEntry) String() string {
	s := fmt.Sprintf("%s [response %d] %s: backstage %s, callboard %s", d.request, d.step, d.path, diffShort(d.want), diffShort(d.got))
	if d.note != "" {
		s += " — " + d.note
	}
	return s
}

// group is what the summary counts requests by: the path with indices and
// entity refs taken out, and for statuses, whether each side has the value.
func (d diffEntry) group() string {
	p := diffIndexRE.ReplaceAllString(d.path, "[]")
	p = diffRefRE.ReplaceAllString(p, "{}")
	switch {
	case d.path == "status":
		return fmt.Sprintf("status: backstage %v, callboard %v", d.want, d.got)
	case d.note != "" && strings.HasPrefix(d.note, "order"):
		return p + ": order differs"
	case isAbsent(d.got):
		return p + ": absent in callboard"
	case isAbsent(d.want):
		return p + ": absent in backstage"
	}
	return p + ": values differ"
}

var (
	diffIndexRE = regexp.MustCompile(`\[\d+\]`)
	diffRefRE   = regexp.MustCompile(`\{[^{}]*\}`)
)

// diffAbsent marks a value one side does not have.
type diffAbsent struct{}

func isAbsent(v any) bool {
	_, ok := v.(diffAbsent)
	return ok
}

func TestBackstageDifferential(t *testing.T) {
	var spec struct {
		Requests []diffRequest `json:"requests"`
	}
	diffReadJSON(t, filepath.Join(backstageE2EDir, "requests.json"), &spec)
	var rec diffRecording
	diffReadJSON(t, filepath.Join(backstageE2EDir, "recorded.json"), &rec)
	if len(spec.Requests) < 150 {
		t.Fatalf("requests.json has %d requests; issue 16 asks for at least 150", len(spec.Requests))
	}
	if len(rec.Requests) != len(spec.Requests) {
		t.Fatalf("recorded.json answers %d requests, requests.json has %d: re-record (e2e/backstage/README.md)", len(rec.Requests), len(spec.Requests))
	}
	for i, r := range spec.Requests {
		if rec.Requests[i].Name != r.Name {
			t.Fatalf("recorded.json request %d is %q, requests.json has %q: re-record (e2e/backstage/README.md)", i, rec.Requests[i].Name, r.Name)
		}
	}

	st := diffStore(t, rec.GeneratedLocationEntities)
	r := mux.NewRouter()
	Register(r, st, Options{})
	srv := httptest.NewServer(r)
	t.Cleanup(srv.Close)

	norm := diffNormalizer{servedFrom: rec.ServedFrom}
	perRequest := map[string][]diffEntry{}
	var order []string
	for i, req := range spec.Requests {
		got := diffReplay(t, srv.URL, req)
		if d := diffCompare(req, rec.Requests[i].Responses, got, norm); len(d) > 0 {
			perRequest[req.Name] = d
			order = append(order, req.Name)
		}
	}
	summary, full := diffReport(rec, len(spec.Requests), order, perRequest)
	t.Log(summary)
	if out := os.Getenv("CALLBOARD_BACKSTAGE_DIFF_OUT"); out != "" {
		if err := os.WriteFile(out, []byte(full), 0o644); err != nil {
			t.Errorf("writing %s: %v", out, err)
		}
	}
	if os.Getenv("CALLBOARD_BACKSTAGE_DIFF") == "report" {
		return
	}
	for _, name := range order {
		accepted, listed := deliberateBackstageDifferences[name]
		if !listed {
			t.Errorf("answers differently from Backstage (fix it, or list it in the README's compatibility table and deliberateBackstageDifferences): %s", perRequest[name][0])
			continue
		}
		for _, d := range perRequest[name] {
			if !slices.Contains(accepted.groups, d.group()) {
				t.Errorf("answers differently from Backstage, and not as deliberateBackstageDifferences accepts (%s): %s", accepted.reason, d)
			}
		}
	}
	for name := range deliberateBackstageDifferences {
		if _, differs := perRequest[name]; !differs {
			t.Errorf("%s answers as Backstage does now: take it out of deliberateBackstageDifferences (and the README's compatibility table)", name)
		}
	}
}

// diffReport is the summary for the test log, and the full report.
func diffReport(rec diffRecording, total int, order []string, perRequest map[string][]diffEntry) (summary, full string) {
	var b strings.Builder
	fmt.Fprintf(&b, "Backstage differential (recorded from backend-defaults %s, plugin-catalog-backend %s, %s): %d requests, %d identical, %d differ\n",
		rec.Backstage["@backstage/backend-defaults"], rec.Backstage["@backstage/plugin-catalog-backend"], rec.Backstage["database"],
		total, total-len(order), len(order))

	type groupCount struct {
		group    string
		requests []string
	}
	groups := map[string]*groupCount{}
	for _, name := range order {
		seen := map[string]bool{}
		for _, d := range perRequest[name] {
			g := d.group()
			if seen[g] {
				continue
			}
			seen[g] = true
			if groups[g] == nil {
				groups[g] = &groupCount{group: g}
			}
			groups[g].requests = append(groups[g].requests, name)
		}
	}
	sorted := make([]*groupCount, 0, len(groups))
	for _, g := range groups {
		sorted = append(sorted, g)
	}
	sort.Slice(sorted, func(i, j int) bool {
		if len(sorted[i].requests) != len(sorted[j].requests) {
			return len(sorted[i].requests) > len(sorted[j].requests)
		}
		return sorted[i].group < sorted[j].group
	})
	b.WriteString("\nDifferences by where they are (requests, first of them):\n")
	for _, g := range sorted {
		names := g.requests
		if len(names) > 4 {
			names = append(names[:4:4], "…")
		}
		fmt.Fprintf(&b, "  %4d  %s  (%s)\n", len(g.requests), g.group, strings.Join(names, ", "))
	}

	b.WriteString("\nPer request (the first difference of each kind):\n")
	var all strings.Builder
	all.WriteString("\nPer request (every difference):\n")
	for _, name := range order {
		ds := perRequest[name]
		mark := ""
		if d, ok := deliberateBackstageDifferences[name]; ok {
			mark = " [deliberate: " + d.reason + "]"
		}
		fmt.Fprintf(&b, "  %s (%d differences)%s\n", name, len(ds), mark)
		fmt.Fprintf(&all, "  %s (%d differences)%s\n", name, len(ds), mark)
		shown := map[string]bool{}
		for _, d := range ds {
			line := fmt.Sprintf("      [response %d] %s: backstage %s, callboard %s", d.step, d.path, diffShort(d.want), diffShort(d.got))
			if d.note != "" {
				line += " — " + d.note
			}
			if g := d.group(); !shown[g] {
				shown[g] = true
				b.WriteString(line + "\n")
			}
			all.WriteString(line + "\n")
		}
	}
	return b.String(), b.String() + all.String()
}

func diffReadJSON(t *testing.T, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

// diffStore imports the catalog Backstage was recorded on, as `callboard
// import` does, plus the Location entities Backstage made for its configured
// locations (callboard has no configured locations to make them from).
func diffStore(t *testing.T, generated []json.RawMessage) *store.Store {
	t.Helper()
	ctx := context.Background()
	st := testcatalog.Open(t)
	for _, dir := range []string{backstageExamplesDir, filepath.Join(backstageE2EDir, "catalog")} {
		rep, err := catalog.ImportDir(ctx, st, dir)
		if err != nil {
			t.Fatalf("importing %s: %v", dir, err)
		}
		if rep.Added < 50 {
			t.Fatalf("importing %s added %d entities; want the whole catalog", dir, rep.Added)
		}
		t.Logf("imported %s: %d files, %d entities, %d problems", dir, rep.Files, rep.Added, len(rep.Problems))
		for _, p := range rep.Problems {
			t.Logf("  refused: %v", p)
		}
	}
	var decl []catalog.Declared
	for _, raw := range generated {
		var m map[string]any
		if err := json.Unmarshal(raw, &m); err != nil {
			t.Fatal(err)
		}
		if md, ok := m["metadata"].(map[string]any); ok {
			delete(md, "uid")
			delete(md, "etag")
		}
		b, _ := json.Marshal(m)
		parsed, problems := catalog.ParseFile("backstage-config-locations", b, nil)
		if len(problems) > 0 || len(parsed) != 1 {
			t.Fatalf("a recorded Location entity does not parse: %v", problems)
		}
		e := parsed[0].Entity
		decl = append(decl, catalog.Declared{Entity: e, Location: e.Metadata.Annotations[catalog.AnnotationManagedByLocation]})
	}
	res, err := st.ReplaceSource(ctx, "backstage:config-locations", decl, catalog.ReplaceOptions{})
	if err != nil || len(res.Conflicts) > 0 {
		t.Fatalf("loading Backstage's configured locations: %v %v", err, res.Conflicts)
	}
	return st
}

var diffUIDPlaceholder = regexp.MustCompile(`\{uid:([^}]+)\}`)

// diffReplay sends req to callboard as record.mjs sent it to Backstage
// (e2e/backstage/replay.mjs): placeholders first, then the follow steps.
func diffReplay(t *testing.T, base string, req diffRequest) []diffResponse {
	t.Helper()
	path := diffUIDPlaceholder.ReplaceAllStringFunc(req.Path, func(m string) string {
		ref := diffUIDPlaceholder.FindStringSubmatch(m)[1]
		kind, rest, _ := strings.Cut(ref, ":")
		ns, name, _ := strings.Cut(rest, "/")
		raw := diffSend(t, base, http.MethodGet, Prefix+"/entities/by-name/"+kind+"/"+ns+"/"+name, nil, nil)
		var e struct {
			Metadata struct {
				UID string `json:"uid"`
			} `json:"metadata"`
		}
		if raw.status != http.StatusOK || json.Unmarshal(raw.body, &e) != nil || e.Metadata.UID == "" {
			return "no-uid-for-" + url.PathEscape(ref) // the request then misses, and that shows as a difference
		}
		return url.PathEscape(e.Metadata.UID)
	})
	method := req.Method
	if method == "" {
		method = http.MethodGet
	}
	headers := map[string]string{}
	for k, v := range req.Headers {
		headers[k] = v
	}
	var body []byte
	switch {
	case req.RawBody != nil:
		body = []byte(*req.RawBody)
	case req.Body != nil:
		body = req.Body
		if _, ok := headers["content-type"]; !ok {
			headers["content-type"] = "application/json"
		}
	}
	first := diffSend(t, base, method, path, body, headers)
	out := []diffResponse{first.response("first")}
	prev := first
	for _, step := range req.Follow {
		kind, repeat := strings.CutSuffix(step, "*")
		for n := 0; n < 60; n++ {
			next := diffStepTarget(kind, prev, req.FollowQuery)
			if next == "" {
				if !repeat {
					out = append(out, diffResponse{Step: kind, Missing: true})
				}
				break
			}
			prev = diffSend(t, base, http.MethodGet, next, nil, nil)
			out = append(out, prev.response(kind))
			if !repeat {
				break
			}
		}
	}
	return out
}

type diffAnswer struct {
	status int
	header http.Header
	body   []byte
}

func diffSend(t *testing.T, base, method, path string, body []byte, headers map[string]string) diffAnswer {
	t.Helper()
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequest(method, base+path, rd)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	return diffAnswer{res.StatusCode, res.Header, b}
}

// response is the answer as recorded: the headers that matter, and the body
// parsed when it is JSON.
func (a diffAnswer) response(step string) diffResponse {
	r := diffResponse{Step: step, Status: a.status, Headers: map[string]string{}}
	if ct := a.header.Get("Content-Type"); ct != "" {
		r.Headers["content-type"] = ct
	}
	if l := a.header.Get("Link"); l != "" {
		r.Headers["link"] = l
	}
	var v any
	if strings.Contains(a.header.Get("Content-Type"), "json") && json.Unmarshal(a.body, &v) == nil {
		r.Body = v
	} else {
		s := string(a.body)
		r.Text = &s
	}
	return r
}

var diffLinkNextRE = regexp.MustCompile(`<([^>]*)>\s*;\s*rel="?next"?`)

// diffStepTarget is where a follow step goes from answer a, or "" when
// there is nowhere to go.
func diffStepTarget(kind string, a diffAnswer, followQuery string) string {
	if kind == "link" {
		m := diffLinkNextRE.FindStringSubmatch(a.header.Get("Link"))
		if m == nil {
			return ""
		}
		if strings.HasPrefix(m[1], Prefix+"/") {
			return m[1]
		}
		return Prefix + m[1] // Backstage's targets are relative to the API's base
	}
	var page struct {
		PageInfo map[string]any `json:"pageInfo"`
	}
	if json.Unmarshal(a.body, &page) != nil {
		return ""
	}
	c, _ := page.PageInfo[kind+"Cursor"].(string)
	if c == "" {
		return ""
	}
	target := Prefix + "/entities/by-query?cursor=" + url.QueryEscape(c)
	if followQuery != "" {
		target += "&" + followQuery
	}
	return target
}

// diffNormalizer takes out what differs by nature between two catalogs.
type diffNormalizer struct {
	servedFrom string // where record.mjs served the catalog files from
}

var diffAfterCursorRE = regexp.MustCompile(`([?&]after=)(?:<cursor>|[^&>]*)`)

func (n diffNormalizer) headers(h map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range h {
		if k == "link" {
			v = diffAfterCursorRE.ReplaceAllString(v, "${1}<cursor>")
		}
		out[k] = v
	}
	return out
}

// body replaces uids, etags and cursors with placeholders (as record.mjs
// does), the location annotations' values with "<location>", drops the
// annotations Backstage derives from the URL it read a file from, and drops
// error stacks.
func (n diffNormalizer) body(v any) any {
	switch v := v.(type) {
	case []any:
		out := make([]any, len(v))
		for i, x := range v {
			out[i] = n.body(x)
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, x := range v {
			out[k] = n.body(x)
		}
		if md, ok := out["metadata"].(map[string]any); ok {
			if _, ok := md["uid"].(string); ok {
				md["uid"] = "<uid>"
			}
			if _, ok := md["etag"].(string); ok {
				md["etag"] = "<etag>"
			}
			if ann, ok := md["annotations"].(map[string]any); ok {
				n.annotations(ann)
			}
		}
		if pi, ok := out["pageInfo"].(map[string]any); ok {
			for _, c := range []string{"nextCursor", "prevCursor"} {
				if _, ok := pi[c].(string); ok {
					pi[c] = "<cursor>"
				}
			}
		}
		if e, ok := out["error"].(map[string]any); ok {
			delete(e, "stack")
		}
		return out
	}
	return v
}

func (n diffNormalizer) annotations(ann map[string]any) {
	for _, k := range []string{catalog.AnnotationManagedByLocation, catalog.AnnotationManagedByOrigin} {
		if _, ok := ann[k]; ok {
			ann[k] = "<location>"
		}
	}
	served := strings.TrimPrefix(strings.TrimPrefix(n.servedFrom, "http://"), "https://")
	for _, k := range []string{"backstage.io/view-url", "backstage.io/edit-url", catalog.AnnotationSourceLocation} {
		if s, ok := ann[k].(string); ok && served != "" && strings.Contains(s, served) {
			delete(ann, k)
		}
	}
}

// diffCompare compares callboard's answers (got) with Backstage's (want).
func diffCompare(req diffRequest, want, got []diffResponse, n diffNormalizer) []diffEntry {
	c := &diffCollector{request: req.Name}
	if len(want) != len(got) {
		c.add("responses", diffSteps(want), diffSteps(got), "a different number of pages to follow")
	}
	byItems := req.Unordered || len(req.OrderKey) > 0
	// Followed pages compared as sets or by key are compared together: the
	// page boundaries fall differently between ties.
	across := byItems && len(want) > 1
	var wantItems, gotItems []any
	for i := 0; i < len(want) && i < len(got); i++ {
		c.step = i
		w, g := want[i], got[i]
		if w.Missing || g.Missing {
			if w.Missing != g.Missing {
				c.add("step "+w.Step, diffPresence(!w.Missing), diffPresence(!g.Missing), "")
			}
			continue
		}
		if w.Status != g.Status {
			// The bodies then differ as a whole; say what each side said.
			c.add("status", w.Status, g.Status, "backstage: "+diffGist(w)+"; callboard: "+diffGist(g))
			continue
		}
		wh, gh := n.headers(w.Headers), n.headers(g.Headers)
		for _, k := range []string{"content-type", "link"} {
			if wh[k] != gh[k] {
				c.add("header:"+k, diffOptional(wh, k), diffOptional(gh, k), "")
			}
		}
		if (w.Text == nil) != (g.Text == nil) {
			c.add("body", diffBodyOrText(w), diffBodyOrText(g), "one is JSON, the other is not")
			continue
		}
		if w.Text != nil {
			if *w.Text != *g.Text {
				c.add("body", *w.Text, *g.Text, "")
			}
			continue
		}
		wb, gb := n.body(w.Body), n.body(g.Body)
		wl, wrest, wok := diffSplitItems(wb)
		gl, grest, gok := diffSplitItems(gb)
		if !wok || !gok {
			c.values("body", wb, gb)
			continue
		}
		c.values("body", wrest, grest)
		path := diffItemsPath(wb)
		if len(wl) != len(gl) {
			c.add(path+".length", len(wl), len(gl), "")
		}
		switch {
		case across:
			wantItems = append(wantItems, wl...)
			gotItems = append(gotItems, gl...)
		case byItems:
			c.items(path, wl, gl, false, req.OrderKey)
		default:
			c.items(path, wl, gl, true, nil)
		}
	}
	if across {
		c.step = 0
		if len(wantItems) != len(gotItems) {
			c.add("pages.items.length", len(wantItems), len(gotItems), "all pages together")
		}
		c.items("pages.items", wantItems, gotItems, false, req.OrderKey)
	}
	return c.out
}

type diffCollector struct {
	request string
	step    int
	out     []diffEntry
}

func (c *diffCollector) add(path string, want, got any, note string) {
	c.out = append(c.out, diffEntry{request: c.request, step: c.step, path: path, want: want, got: got, note: note})
}

// values adds every place where a and b differ, by JSON path.
func (c *diffCollector) values(path string, a, b any) {
	switch av := a.(type) {
	case map[string]any:
		bv, ok := b.(map[string]any)
		if !ok {
			c.add(path, a, b, "")
			return
		}
		keys := make([]string, 0, len(av)+len(bv))
		for k := range av {
			keys = append(keys, k)
		}
		for k := range bv {
			if _, ok := av[k]; !ok {
				keys = append(keys, k)
			}
		}
		sort.Strings(keys)
		for _, k := range keys {
			x, inA := av[k]
			y, inB := bv[k]
			p := diffJoinPath(path, k)
			switch {
			case !inA:
				c.add(p, diffAbsent{}, y, "")
			case !inB:
				c.add(p, x, diffAbsent{}, "")
			default:
				c.values(p, x, y)
			}
		}
		return
	case []any:
		bv, ok := b.([]any)
		if !ok {
			c.add(path, a, b, "")
			return
		}
		if diffIsFacetList(av) && (len(bv) == 0 || diffIsFacetList(bv)) || len(av) == 0 && diffIsFacetList(bv) {
			c.facets(path, av, bv)
			return
		}
		c.list(path, av, bv)
		return
	}
	if diffCanonical(a) != diffCanonical(b) {
		c.add(path, a, b, "")
	}
}

// items compares two lists of entities. Entities are paired by their ref
// (kind, namespace — "default" when absent — and name, as far as the fields
// asked for keep them), and each pair compared by path, so that one
// difference in every entity reads as one path, not as two unrelated sets.
// Entities without a partner are listed as only on one side. Then the order:
// with ordered, the paired entities must come in the same order; with
// orderKey, the runs of equal keys must (ties are broken at random by
// Backstage, so within a run any order is right).
func (c *diffCollector) items(path string, want, got []any, ordered bool, orderKey []string) {
	if diffCanonical(want) == diffCanonical(got) {
		return
	}
	type slot struct {
		index int
		used  bool
	}
	byRef := map[string][]*slot{}
	gotRefs := make([]string, len(got))
	for i, g := range got {
		k := diffItemRef(g)
		gotRefs[i] = k
		byRef[k] = append(byRef[k], &slot{index: i})
	}
	paired := make([]bool, len(got))
	var wantSeq, gotSeq []string // refs of the paired entities, in each answer's order
	for _, w := range want {
		k := diffItemRef(w)
		// An identical entity first: a ref can be ambiguous when the fields
		// asked for leave out the kind or the namespace.
		var partner *slot
		wc := diffCanonical(w)
		for _, s := range byRef[k] {
			if !s.used && diffCanonical(got[s.index]) == wc {
				partner = s
				break
			}
		}
		for _, s := range byRef[k] {
			if partner == nil && !s.used {
				partner = s
			}
		}
		p := diffItemPath(path, k)
		if partner == nil {
			c.add(p, w, diffAbsent{}, "only in backstage")
			continue
		}
		partner.used = true
		paired[partner.index] = true
		wantSeq = append(wantSeq, k)
		c.values(p, w, got[partner.index])
	}
	for i, g := range got {
		if paired[i] {
			gotSeq = append(gotSeq, gotRefs[i])
		} else {
			c.add(diffItemPath(path, gotRefs[i]), diffAbsent{}, g, "only in callboard")
		}
	}
	if ordered {
		for i := 0; i < len(wantSeq) && i < len(gotSeq); i++ {
			if wantSeq[i] != gotSeq[i] {
				c.add(fmt.Sprintf("%s[%d]", path, i), wantSeq[i], gotSeq[i], "order: the entities both answers hold come in a different order from here")
				break
			}
		}
	}
	if len(orderKey) > 0 {
		wk, gk := diffRunKeys(want, orderKey), diffRunKeys(got, orderKey)
		for i := 0; i < len(wk) || i < len(gk); i++ {
			var a, b any = diffAbsent{}, diffAbsent{}
			if i < len(wk) {
				a = wk[i]
			}
			if i < len(gk) {
				b = gk[i]
			}
			if diffCanonical(a) != diffCanonical(b) {
				c.add(fmt.Sprintf("%s (run %d of equal %s)", path, i, strings.Join(orderKey, ",")), a, b, "order by "+strings.Join(orderKey, ",")+" differs from here")
				break
			}
		}
	}
}

// diffItemRef is an entity's ref as far as the answer shows it, for
// pairing: kind (when present), namespace ("default" when absent) and name,
// lower-cased; null for a by-refs miss; the whole JSON otherwise.
func diffItemRef(v any) string {
	m, ok := v.(map[string]any)
	if !ok {
		return diffCanonical(v)
	}
	md, _ := m["metadata"].(map[string]any)
	name, _ := md["name"].(string)
	if name == "" {
		return diffCanonical(v)
	}
	ns, _ := md["namespace"].(string)
	if ns == "" {
		ns = "default"
	}
	kind, _ := m["kind"].(string)
	if kind == "" {
		return strings.ToLower(ns + "/" + name)
	}
	return strings.ToLower(kind + ":" + ns + "/" + name)
}

// diffRunKeys is the sequence of keys of the runs of equal keys.
func diffRunKeys(items []any, orderKey []string) []string {
	var out []string
	for _, it := range items {
		parts := make([]string, 0, len(orderKey))
		for _, p := range orderKey {
			parts = append(parts, diffKeyValue(it, p))
		}
		k := strings.Join(parts, " | ")
		if len(out) == 0 || out[len(out)-1] != k {
			out = append(out, k)
		}
	}
	return out
}

// diffKeyValue is the item's value at a dotted path, lower-cased as Backstage
// sorts, or "(missing)".
func diffKeyValue(v any, path string) string {
	for _, seg := range strings.Split(path, ".") {
		m, ok := v.(map[string]any)
		if !ok {
			return "(missing)"
		}
		if v, ok = m[seg]; !ok {
			return "(missing)"
		}
	}
	if s, ok := v.(string); ok {
		return strings.ToLower(s)
	}
	return diffCanonical(v)
}

func diffSteps(rs []diffResponse) string {
	var s []string
	for _, r := range rs {
		if r.Missing {
			s = append(s, r.Step+"(none)")
		} else {
			s = append(s, r.Step)
		}
	}
	return strings.Join(s, ",")
}

func diffPresence(b bool) string {
	if b {
		return "present"
	}
	return "absent"
}

func diffOptional(h map[string]string, k string) any {
	if v, ok := h[k]; ok {
		return v
	}
	return diffAbsent{}
}

func diffBodyOrText(r diffResponse) any {
	if r.Text != nil {
		return *r.Text
	}
	return r.Body
}

// diffSplitItems returns the entity list of an answer (a top-level array, or
// "items") and the rest of the answer.
func diffSplitItems(v any) (items []any, rest any, ok bool) {
	switch v := v.(type) {
	case []any:
		return v, nil, true
	case map[string]any:
		l, ok := v["items"].([]any)
		if !ok {
			return nil, nil, false
		}
		r := make(map[string]any, len(v))
		for k, x := range v {
			if k != "items" {
				r[k] = x
			}
		}
		return l, r, true
	}
	return nil, nil, false
}

func diffItemsPath(v any) string {
	if _, ok := v.([]any); ok {
		return "body"
	}
	return "body.items"
}

// diffCanonical is v as JSON with sorted keys (encoding/json sorts map keys),
// without HTML escaping.
func diffCanonical(v any) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
	return strings.TrimSuffix(b.String(), "\n")
}

var diffPlainKey = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

func diffJoinPath(path, key string) string {
	if diffPlainKey.MatchString(key) {
		return path + "." + key
	}
	return path + "[" + diffCanonical(key) + "]"
}

func diffShort(v any) string {
	if isAbsent(v) {
		return "(absent)"
	}
	s := diffCanonical(v)
	if len(s) > 200 {
		return s[:200] + "…"
	}
	return s
}

// diffItemPath names an entity in a list by its ref; an item without one
// (a projection without the name) is "{}", its value shows which.
func diffItemPath(path, ref string) string {
	if strings.HasPrefix(ref, "{") || strings.HasPrefix(ref, "[") {
		return path + "{}"
	}
	return path + "{" + ref + "}"
}

// diffGist is what an answer says in a few words: its error, or its size.
func diffGist(r diffResponse) string {
	if r.Text != nil {
		return diffShort(*r.Text)
	}
	if m, ok := r.Body.(map[string]any); ok {
		if e, ok := m["error"].(map[string]any); ok {
			return fmt.Sprintf("%v %v", e["name"], diffShort(e["message"]))
		}
	}
	if l, _, ok := diffSplitItems(r.Body); ok {
		return fmt.Sprintf("%d entities", len(l))
	}
	return diffShort(r.Body)
}

// diffIsFacetList reports whether v is a facet's list of {value, count}.
func diffIsFacetList(v []any) bool {
	if len(v) == 0 {
		return false
	}
	for _, x := range v {
		m, ok := x.(map[string]any)
		if !ok || len(m) != 2 || m["value"] == nil || m["count"] == nil {
			return false
		}
	}
	return true
}

// facets compares two facet lists by value: counts, values only one side
// has, then the order.
func (c *diffCollector) facets(path string, a, b []any) {
	counts := func(l []any) (map[string]any, []string) {
		m := map[string]any{}
		var order []string
		for _, x := range l {
			v := fmt.Sprint(x.(map[string]any)["value"])
			m[v] = x.(map[string]any)["count"]
			order = append(order, v)
		}
		return m, order
	}
	am, ao := counts(a)
	bm, bo := counts(b)
	for _, v := range ao {
		if n, ok := bm[v]; !ok {
			c.add(path+"{"+v+"}", am[v], diffAbsent{}, "a value only backstage counts")
		} else if diffCanonical(n) != diffCanonical(am[v]) {
			c.add(path+"{"+v+"}.count", am[v], n, "")
		}
	}
	for _, v := range bo {
		if _, ok := am[v]; !ok {
			c.add(path+"{"+v+"}", diffAbsent{}, bm[v], "a value only callboard counts")
		}
	}
	var common []string
	for _, v := range ao {
		if _, ok := bm[v]; ok {
			common = append(common, v)
		}
	}
	j := 0
	for _, v := range bo {
		if _, ok := am[v]; !ok {
			continue
		}
		if common[j] != v {
			c.add(path, common[j], v, "order: the values both count come in a different order from here")
			return
		}
		j++
	}
}

// list compares two lists that are not entity or facet lists: the elements
// only one side has (at "[?]"), then the order of the elements both have.
func (c *diffCollector) list(path string, a, b []any) {
	if diffCanonical(a) == diffCanonical(b) {
		return
	}
	count := map[string]int{}
	for _, x := range b {
		count[diffCanonical(x)]++
	}
	var common []string
	for _, x := range a {
		k := diffCanonical(x)
		if count[k] > 0 {
			count[k]--
			common = append(common, k)
		} else {
			c.add(path+"[?]", x, diffAbsent{}, "an element only backstage has")
		}
	}
	count = map[string]int{}
	for _, x := range a {
		count[diffCanonical(x)]++
	}
	var commonB []string
	for _, x := range b {
		k := diffCanonical(x)
		if count[k] > 0 {
			count[k]--
			commonB = append(commonB, k)
		} else {
			c.add(path+"[?]", diffAbsent{}, x, "an element only callboard has")
		}
	}
	for i := range common {
		if common[i] != commonB[i] {
			if len(common) == len(a) && len(a) == len(b) {
				c.add(path, a, b, "order: the same elements in a different order")
			} else {
				c.add(fmt.Sprintf("%s[%d]", path, i), json.RawMessage(common[i]), json.RawMessage(commonB[i]), "order: the elements both have come in a different order from here")
			}
			return
		}
	}
}
