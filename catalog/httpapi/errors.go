package httpapi

import (
	"fmt"
	"net/http"
	"strings"
)

// apiError is an error the client is told about, as Backstage's errors are:
// its name (NotFoundError, InputError, ...) picks the status.
type apiError struct {
	status  int
	name    string
	message string
}

func (e *apiError) Error() string { return e.name + ": " + e.message }

func inputError(format string, args ...any) error {
	return &apiError{http.StatusBadRequest, "InputError", fmt.Sprintf(format, args...)}
}

func notFoundError(format string, args ...any) error {
	return &apiError{http.StatusNotFound, "NotFoundError", fmt.Sprintf(format, args...)}
}

func notImplementedError(format string, args ...any) error {
	return &apiError{http.StatusNotImplemented, "NotImplementedError", fmt.Sprintf(format, args...)}
}

func authenticationError(message string) error {
	return &apiError{http.StatusUnauthorized, "AuthenticationError", message}
}

// errInternal is what a client reads when the store fails; the details go to
// the log, not to the client.
var errInternal = &apiError{http.StatusInternalServerError, "Error", "the catalog could not be read; the server log has the details"}

// errorBody is Backstage's ErrorResponseBody, which the client's
// ResponseError.fromResponse parses.
type errorBody struct {
	Error struct {
		Name    string `json:"name"`
		Message string `json:"message"`
	} `json:"error"`
	Request struct {
		Method string `json:"method"`
		URL    string `json:"url"`
	} `json:"request"`
	Response struct {
		StatusCode int `json:"statusCode"`
	} `json:"response"`
}

func writeError(w http.ResponseWriter, r *http.Request, e *apiError) {
	var b errorBody
	b.Error.Name = e.name
	b.Error.Message = e.message
	b.Request.Method = r.Method
	// As Backstage writes it: relative to the API's base.
	b.Request.URL = strings.TrimPrefix(r.URL.RequestURI(), Prefix)
	b.Response.StatusCode = e.status
	if e.status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="callboard"`)
	}
	_ = writeJSON(w, e.status, b) // an errorBody always encodes
}

// streamError is a failure after an answer's first bytes went out: the
// answer can only be cut short.
type streamError struct{ err error }

func (e *streamError) Error() string { return "after the answer started: " + e.err.Error() }
func (e *streamError) Unwrap() error { return e.err }
