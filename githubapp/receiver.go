package githubapp

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/callboard/callboard/githubapp/queue"
	"github.com/google/go-github/v62/github"
)

// MaxPayload is the largest delivery accepted: GitHub caps payloads at 25 MB.
const MaxPayload = 25 << 20

// validEvent accepts GitHub's event names (pull_request, check_suite, ...):
// the header is not signed, and it becomes a metric label and a log field.
func validEvent(e string) bool {
	if e == "" || len(e) > 64 {
		return false
	}
	for _, c := range e {
		if (c < 'a' || c > 'z') && c != '_' {
			return false
		}
	}
	return true
}

// payloadMeta is what the receiver reads of a payload to file it.
type payloadMeta struct {
	Action       string `json:"action"`
	Installation *struct {
		ID int64 `json:"id"`
	} `json:"installation"`
	Repository *struct {
		ID       int64  `json:"id"`
		FullName string `json:"full_name"`
	} `json:"repository"`
	Organization *struct {
		Login string `json:"login"`
	} `json:"organization"`
}

// orderingKey groups deliveries that must run in order: those of one
// repository, else of one organisation, else of one installation.
func orderingKey(event string, m payloadMeta) string {
	switch {
	case m.Repository != nil && m.Repository.ID != 0:
		return "repo:" + strconv.FormatInt(m.Repository.ID, 10)
	case m.Organization != nil && m.Organization.Login != "":
		return "org:" + m.Organization.Login
	case m.Installation != nil && m.Installation.ID != 0:
		return "installation:" + strconv.FormatInt(m.Installation.ID, 10)
	}
	return "event:" + event
}

// ServeHTTP receives POST /webhooks/github: verify the signature, store the
// delivery, then answer 202. Processing happens in the workers.
func (a *App) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	log := a.log.With("delivery", r.Header.Get("X-GitHub-Delivery"), "event", r.Header.Get("X-GitHub-Event"))
	payload, ok := a.verify(w, r, log)
	if !ok {
		return
	}
	event := github.WebHookType(r)
	guid := github.DeliveryID(r)
	if !validEvent(event) || guid == "" || len(guid) > 200 || !utf8.ValidString(guid) {
		http.Error(w, "missing or invalid X-GitHub-Event / X-GitHub-Delivery", http.StatusBadRequest)
		return
	}
	var meta payloadMeta
	if err := json.Unmarshal(payload, &meta); err != nil {
		a.metrics.deliveries.WithLabelValues(event, "malformed").Inc()
		log.Warn("webhook refused: payload is not a JSON object", "err", err)
		http.Error(w, "payload is not valid JSON", http.StatusBadRequest)
		return
	}
	d := &queue.Delivery{DeliveryID: guid, Event: event, Action: meta.Action, Payload: payload, OrderingKey: orderingKey(event, meta)}
	if meta.Installation != nil {
		d.InstallationID = meta.Installation.ID
	}
	if meta.Repository != nil {
		d.Repository = meta.Repository.FullName
	}
	dup, err := a.queue.Add(r.Context(), d)
	if err != nil {
		log.Error("webhook not stored", "err", err)
		http.Error(w, "could not store the delivery; GitHub may redeliver it", http.StatusServiceUnavailable)
		return
	}
	if dup {
		a.metrics.deliveries.WithLabelValues(event, "duplicate").Inc()
		log.Info("duplicate delivery acknowledged, not processed again")
		w.WriteHeader(http.StatusAccepted)
		fmt.Fprintln(w, "duplicate delivery; already received")
		return
	}
	a.metrics.deliveries.WithLabelValues(event, "accepted").Inc()
	log.Debug("delivery stored", "action", d.Action, "repository", d.Repository, "installation", d.InstallationID)
	w.WriteHeader(http.StatusAccepted)
	fmt.Fprintln(w, "accepted")
}

// verify reads the payload and checks its signature. When it does not
// verify, it answers the request (401, 413, 415 or 503) and returns false.
func (a *App) verify(w http.ResponseWriter, r *http.Request, log *slog.Logger) ([]byte, bool) {
	if len(a.cfg.WebhookSecret) == 0 {
		a.metrics.deliveries.WithLabelValues("unknown", "refused_unconfigured").Inc()
		log.Warn("webhook refused: GITHUB_WEBHOOK_SECRET is not set, so no delivery can be verified")
		http.Error(w, "webhook secret not configured", http.StatusServiceUnavailable)
		return nil, false
	}
	if r.Header.Get(github.SHA256SignatureHeader) == "" {
		a.metrics.deliveries.WithLabelValues("unknown", "bad_signature").Inc()
		log.Warn("webhook refused: no X-Hub-Signature-256 header")
		http.Error(w, "missing X-Hub-Signature-256", http.StatusUnauthorized)
		return nil, false
	}
	r.Body = http.MaxBytesReader(w, r.Body, MaxPayload)
	payload, err := github.ValidatePayload(r, a.cfg.WebhookSecret)
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			a.metrics.deliveries.WithLabelValues("unknown", "too_large").Inc()
			log.Warn("webhook refused: payload over the limit", "limit", MaxPayload)
			http.Error(w, fmt.Sprintf("payload larger than %d bytes", MaxPayload), http.StatusRequestEntityTooLarge)
			return nil, false
		}
		if strings.Contains(err.Error(), "Content-Type") {
			a.metrics.deliveries.WithLabelValues("unknown", "malformed").Inc()
			log.Warn("webhook refused: unsupported content type", "content_type", r.Header.Get("Content-Type"))
			http.Error(w, "Content-Type must be application/json or application/x-www-form-urlencoded", http.StatusUnsupportedMediaType)
			return nil, false
		}
		a.metrics.deliveries.WithLabelValues("unknown", "bad_signature").Inc()
		log.Warn("webhook refused: signature does not verify", "err", err)
		http.Error(w, "signature does not verify", http.StatusUnauthorized)
		return nil, false
	}
	return payload, true
}
