package digest

import (
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"strings"
	"time"

	"github.com/callboard/callboard/catalog"
	"github.com/callboard/callboard/internal/bearer"
)

// UsageOptions tunes UsageHandler.
type UsageOptions struct {
	// Token is the bearer token a request must carry (CALLBOARD_API_TOKEN);
	// none is required when it is empty.
	Token  string
	Now    func() time.Time
	Logger *slog.Logger
}

type usageHandler struct {
	rec   catalog.UsageRecorder
	now   func() time.Time
	log   *slog.Logger
	token bearer.Token
}

// UsageHandler serves POST /api/usage: it checks the bearer token, reads a
// body of at most MaxUsageBody bytes holding at most MaxUsageBatch events
// (see ParseUsage), and stores them all in one transaction, or none. It
// answers 202 {"accepted": n}; 400 with the event index and field for a
// refused event; 401 without the token; 413 over the limits.
func UsageHandler(rec catalog.UsageRecorder, opts UsageOptions) http.Handler {
	h := &usageHandler{rec: rec, now: opts.Now, log: opts.Logger, token: bearer.New(opts.Token)}
	if h.now == nil {
		h.now = time.Now
	}
	if h.log == nil {
		h.log = slog.Default()
	}
	return h
}

type usageErrorBody struct {
	Error struct {
		Message string `json:"message"`
		Index   *int   `json:"index,omitempty"`
		Field   string `json:"field,omitempty"`
	} `json:"error"`
}

func writeUsageError(w http.ResponseWriter, code int, ue *UsageError) {
	var b usageErrorBody
	b.Error.Message = ue.Error()
	if ue.Index >= 0 {
		i := ue.Index
		b.Error.Index = &i
		b.Error.Field = ue.Field
	}
	writeJSON(w, code, b)
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}

func (h *usageHandler) authorized(r *http.Request) bool {
	ok, _ := h.token.Check(r.Header.Get("Authorization"))
	return ok
}

func (h *usageHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !h.authorized(r) {
		w.Header().Set("WWW-Authenticate", `Bearer realm="callboard"`)
		writeUsageError(w, http.StatusUnauthorized, &UsageError{Index: -1, Message: "missing or invalid credentials: send Authorization: Bearer <CALLBOARD_API_TOKEN>"})
		return
	}
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		writeUsageError(w, http.StatusMethodNotAllowed, &UsageError{Index: -1, Message: "POST usage events to this endpoint"})
		return
	}
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || (mt != "application/json" && !strings.HasSuffix(mt, "+json")) {
			writeUsageError(w, http.StatusUnsupportedMediaType, &UsageError{Index: -1, Message: "send the events as application/json"})
			return
		}
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxUsageBody))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			writeUsageError(w, http.StatusRequestEntityTooLarge, &UsageError{Index: -1,
				Message: "the body is over 1 MB; send at most 1000 events a request"})
			return
		}
		writeUsageError(w, http.StatusBadRequest, &UsageError{Index: -1, Message: "reading the body: " + err.Error()})
		return
	}
	events, err := ParseUsage(body, h.now())
	if err != nil {
		var ue *UsageError
		if !errors.As(err, &ue) {
			ue = &UsageError{Index: -1, Message: err.Error()}
		}
		code := http.StatusBadRequest
		if ue.TooLarge {
			code = http.StatusRequestEntityTooLarge
		}
		writeUsageError(w, code, ue)
		return
	}
	if err := h.rec.RecordUsage(r.Context(), events...); err != nil {
		if errors.Is(err, catalog.ErrStorageFull) {
			h.log.Warn("usage events refused: the disk is full", "events", len(events), "err", err)
			w.Header().Set("Retry-After", "60")
			writeUsageError(w, http.StatusServiceUnavailable, &UsageError{Index: -1, Message: "the server's disk is full: the events were not stored (none was); send them again later"})
			return
		}
		h.log.Error("storing usage events", "events", len(events), "err", err)
		writeUsageError(w, http.StatusInternalServerError, &UsageError{Index: -1, Message: "the events could not be stored (none was); the server log has the details"})
		return
	}
	writeJSON(w, http.StatusAccepted, map[string]int{"accepted": len(events)})
}
