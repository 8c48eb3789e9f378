package digest

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/callboard/callboard/catalog"
)

// Limits on what POST /api/usage accepts in one request.
const (
	// MaxUsageBatch is the most events one request may carry; send more in
	// several requests.
	MaxUsageBatch = 1000
	// MaxUsageBody bounds the request body.
	MaxUsageBody = 1 << 20
	// MaxUsageSkew is how far in the future a timestamp may be (clocks differ).
	MaxUsageSkew = 5 * time.Minute
	// MaxUsageAge is how far in the past a timestamp may be.
	MaxUsageAge = 90 * 24 * time.Hour
)

// Field lengths, in characters.
const (
	maxPluginLen  = 64
	maxActionLen  = 100
	maxActorLen   = 200
	maxEntityLen  = 300
	maxOutcomeLen = 32
	maxDetailLen  = 1000
)

var (
	pluginID  = regexp.MustCompile(`^[a-z0-9](?:[a-z0-9._-]*[a-z0-9])?$`)
	outcomeID = regexp.MustCompile(`^[a-z0-9_-]*$`)
)

// UsageError is why a batch of usage events was refused, naming the event
// (its index in the batch) and the field when it is about one.
type UsageError struct {
	Index   int    // -1 when it is about the request as a whole
	Field   string // JSON path within the event, e.g. "timestamp", "context.pluginId"
	Message string
	// TooLarge marks a batch over MaxUsageBatch (HTTP 413, not 400).
	TooLarge bool
}

func (e *UsageError) Error() string {
	switch {
	case e.Index < 0:
		return e.Message
	case e.Field == "":
		return fmt.Sprintf("event %d: %s", e.Index, e.Message)
	}
	return fmt.Sprintf("event %d: %s: %s", e.Index, e.Field, e.Message)
}

// wireEvent holds either shape of event: callboard's (plugin, action,
// actor, timestamp, entityRef, outcome, detail) or a Backstage analytics
// event (action, subject, context.pluginId, attributes, value), maybe
// wrapped as {"event": {...}, "timestamp": ...} as forwarding modules send it.
type wireEvent struct {
	Plugin    *string `json:"plugin"`
	Action    *string `json:"action"`
	Actor     string  `json:"actor"`
	User      string  `json:"user"`
	Timestamp *string `json:"timestamp"`
	EntityRef string  `json:"entityRef"`
	Outcome   string  `json:"outcome"`
	Detail    string  `json:"detail"`

	Subject    *string         `json:"subject"`
	Context    map[string]any  `json:"context"`
	Attributes map[string]any  `json:"attributes"`
	Value      json.RawMessage `json:"value"`

	Event *wireEvent `json:"event"`
}

// ParseUsage reads a request body: one event, {"events": [...]}, or a JSON
// array of events, in callboard's shape or Backstage's. It checks every
// event against now and returns them all, or a *UsageError for the first
// that is refused.
func ParseUsage(body []byte, now time.Time) ([]catalog.UsageEvent, error) {
	body = bytes.TrimSpace(body)
	if len(body) == 0 {
		return nil, &UsageError{Index: -1, Message: "the body is empty: send one event, {\"events\": [...]}, or an array of events"}
	}
	var items []json.RawMessage
	switch body[0] {
	case '[':
		if err := json.Unmarshal(body, &items); err != nil {
			return nil, &UsageError{Index: -1, Message: "malformed JSON: " + jsonProblem(err)}
		}
	case '{':
		var top map[string]json.RawMessage
		if err := json.Unmarshal(body, &top); err != nil {
			return nil, &UsageError{Index: -1, Message: "malformed JSON: " + jsonProblem(err)}
		}
		_, hasAction := top["action"]
		_, hasEvent := top["event"]
		if evs, ok := top["events"]; ok && !hasAction && !hasEvent {
			if err := json.Unmarshal(evs, &items); err != nil {
				return nil, &UsageError{Index: -1, Message: `"events" must be an array of events`}
			}
		} else {
			items = []json.RawMessage{body}
		}
	default:
		return nil, &UsageError{Index: -1, Message: "malformed JSON: want an object or an array"}
	}
	if len(items) == 0 {
		return nil, &UsageError{Index: -1, Message: "the batch is empty"}
	}
	if len(items) > MaxUsageBatch {
		return nil, &UsageError{Index: -1, TooLarge: true,
			Message: fmt.Sprintf("the batch has %d events; the limit is %d a request: send them in several requests", len(items), MaxUsageBatch)}
	}
	out := make([]catalog.UsageEvent, 0, len(items))
	for i, raw := range items {
		e, err := parseEvent(raw, now)
		if err != nil {
			err.Index = i
			return nil, err
		}
		out = append(out, e)
	}
	return out, nil
}

func jsonProblem(err error) string {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		if te.Field != "" {
			return fmt.Sprintf("%s: want %s, not a JSON %s", te.Field, te.Type, te.Value)
		}
		return fmt.Sprintf("want %s, not a JSON %s", te.Type, te.Value)
	}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Sprintf("%v (at byte %d)", se, se.Offset)
	}
	return err.Error()
}

func parseEvent(raw json.RawMessage, now time.Time) (catalog.UsageEvent, *UsageError) {
	var w wireEvent
	if t := bytes.TrimSpace(raw); len(t) == 0 || t[0] != '{' {
		return catalog.UsageEvent{}, &UsageError{Message: "want an object"}
	}
	if err := json.Unmarshal(raw, &w); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) && te.Field != "" {
			return catalog.UsageEvent{}, &UsageError{Field: te.Field, Message: fmt.Sprintf("want %s, not a JSON %s", te.Type, te.Value)}
		}
		return catalog.UsageEvent{}, &UsageError{Message: "malformed JSON: " + jsonProblem(err)}
	}
	var e catalog.UsageEvent
	var ts *string
	var perr *UsageError
	switch {
	case w.Event != nil:
		ts = w.Timestamp
		if w.Event.Timestamp != nil && ts == nil {
			ts = w.Event.Timestamp
		}
		e, perr = fromBackstage(w.Event, "event.")
		if e.Actor == "" {
			e.Actor = cmp.Or(strings.TrimSpace(w.User), strings.TrimSpace(w.Actor))
		}
	case w.Context != nil || w.Subject != nil:
		ts = w.Timestamp
		e, perr = fromBackstage(&w, "")
	default:
		ts = w.Timestamp
		e, perr = fromCallboard(&w)
	}
	if perr != nil {
		return e, perr
	}
	e.At, perr = eventTime(ts, now)
	return e, perr
}

// eventTime reads an event's timestamp (now when it has none) and checks it
// is neither too far ahead nor too old.
func eventTime(ts *string, now time.Time) (time.Time, *UsageError) {
	at := now.UTC()
	if ts != nil && strings.TrimSpace(*ts) != "" {
		t, err := time.Parse(time.RFC3339Nano, strings.TrimSpace(*ts))
		if err != nil {
			return time.Time{}, &UsageError{Field: "timestamp", Message: fmt.Sprintf("%q is not an RFC 3339 time such as 2026-11-16T09:30:00Z", *ts)}
		}
		at = t.UTC()
	}
	if d := at.Sub(now); d > MaxUsageSkew {
		return at, &UsageError{Field: "timestamp", Message: fmt.Sprintf("%s is %s in the future; at most %s of clock skew is allowed",
			at.Format(time.RFC3339), d.Round(time.Second), MaxUsageSkew)}
	}
	if now.Sub(at) > MaxUsageAge {
		return at, &UsageError{Field: "timestamp", Message: fmt.Sprintf("%s is older than %d days", at.Format(time.RFC3339), int(MaxUsageAge.Hours()/24))}
	}
	return at, nil
}

func fromCallboard(w *wireEvent) (catalog.UsageEvent, *UsageError) {
	e := catalog.UsageEvent{Actor: strings.TrimSpace(w.Actor), Entity: strings.TrimSpace(w.EntityRef),
		Outcome: strings.TrimSpace(w.Outcome), Detail: strings.TrimSpace(w.Detail)}
	if w.Plugin == nil {
		return e, &UsageError{Field: "plugin", Message: "missing (a plugin id such as scaffolder, or a Backstage event with context.pluginId)"}
	}
	if err := checkPlugin("plugin", *w.Plugin, &e); err != nil {
		return e, err
	}
	if w.Action == nil {
		return e, &UsageError{Field: "action", Message: "missing"}
	}
	e.Action = strings.TrimSpace(*w.Action)
	if e.Actor == "" {
		return e, &UsageError{Field: "actor", Message: "missing (who used it: a login, an email or an entity ref)"}
	}
	checks := []struct {
		field, value string
		required     bool
		max          int
	}{
		{"action", e.Action, true, maxActionLen},
		{"actor", e.Actor, true, maxActorLen},
		{"entityRef", e.Entity, false, maxEntityLen},
		{"outcome", e.Outcome, false, maxOutcomeLen},
		{"detail", e.Detail, false, maxDetailLen},
	}
	for _, c := range checks {
		if err := checkText(c.field, c.value, c.required, c.max); err != nil {
			return e, err
		}
	}
	if !outcomeID.MatchString(e.Outcome) {
		return e, &UsageError{Field: "outcome", Message: fmt.Sprintf("%q: use lower-case letters, digits, - and _ (e.g. success, failure, answered, unanswered)", e.Outcome)}
	}
	return e, nil
}

func fromBackstage(w *wireEvent, prefix string) (catalog.UsageEvent, *UsageError) {
	str := func(m map[string]any, k string) string {
		s, _ := m[k].(string)
		return strings.TrimSpace(s)
	}
	var e catalog.UsageEvent
	plugin, ok := w.Context["pluginId"].(string)
	if !ok || strings.TrimSpace(plugin) == "" {
		return e, &UsageError{Field: prefix + "context.pluginId", Message: "missing: a Backstage analytics event names its plugin in context.pluginId"}
	}
	if err := checkPlugin(prefix+"context.pluginId", plugin, &e); err != nil {
		return e, err
	}
	if w.Action == nil {
		return e, &UsageError{Field: prefix + "action", Message: "missing"}
	}
	e.Action = strings.TrimSpace(*w.Action)
	if err := checkText(prefix+"action", e.Action, true, maxActionLen); err != nil {
		return e, err
	}
	// Backstage events carry no user; forwarders add one in various places.
	for _, a := range []string{w.Actor, w.User, str(w.Context, "userEntityRef"), str(w.Context, "userId"), str(w.Attributes, "userEntityRef")} {
		if a = strings.TrimSpace(a); a != "" {
			e.Actor = a
			break
		}
	}
	if err := checkText(prefix+"actor", e.Actor, false, maxActorLen); err != nil {
		return e, err
	}
	e.Entity = str(w.Context, "entityRef")
	if err := checkText(prefix+"context.entityRef", e.Entity, false, maxEntityLen); err != nil {
		return e, err
	}
	if w.Subject != nil {
		// The subject (a path, a search term) is kept as the detail, cut to length.
		e.Detail = truncate(strings.Map(dropControl, strings.TrimSpace(*w.Subject)), maxDetailLen)
	}
	return e, nil
}

func checkPlugin(field, v string, e *catalog.UsageEvent) *UsageError {
	id := strings.ToLower(strings.TrimSpace(v))
	if id == "" {
		return &UsageError{Field: field, Message: "empty"}
	}
	if utf8.RuneCountInString(id) > maxPluginLen || !pluginID.MatchString(id) {
		return &UsageError{Field: field, Message: fmt.Sprintf("%q is not a plugin id: up to %d letters, digits, '.', '-' and '_', starting and ending with a letter or digit (e.g. techdocs, slack.owner)", truncate(v, 80), maxPluginLen)}
	}
	if catalog.ReservedPlugin(id) {
		return &UsageError{Field: field, Message: fmt.Sprintf("%q is one of callboard's own features, which only callboard records; name your tool's plugin differently (e.g. techdocs, deploy-bot)", id)}
	}
	e.Plugin = id
	return nil
}

func checkText(field, v string, required bool, limit int) *UsageError {
	if required && v == "" {
		return &UsageError{Field: field, Message: "empty"}
	}
	if n := utf8.RuneCountInString(v); n > limit {
		return &UsageError{Field: field, Message: fmt.Sprintf("%d characters; the limit is %d", n, limit)}
	}
	if !utf8.ValidString(v) || strings.IndexFunc(v, unicode.IsControl) >= 0 {
		return &UsageError{Field: field, Message: "contains control characters"}
	}
	return nil
}

func dropControl(r rune) rune {
	if unicode.IsControl(r) {
		return ' '
	}
	return r
}
