// Package bearer checks the token of callboard's HTTP APIs
// (CALLBOARD_API_TOKEN): it owns how the token is held (hashed) and
// compared (in constant time). Check tells a request that carried no token
// from one that carried the wrong one, for the API to answer in its own
// shape; Protect guards a handler, taking the token as a bearer token or a
// browser's basic-auth password.
package bearer

import (
	"crypto/sha256"
	"crypto/subtle"
	"net/http"
	"strings"
)

// Token is the token requests must carry; the zero Token requires none.
type Token struct {
	set  bool
	hash [sha256.Size]byte
}

// New returns the Token for token; "" requires none.
func New(token string) Token {
	if token == "" {
		return Token{}
	}
	return Token{set: true, hash: sha256.Sum256([]byte(token))}
}

// Check reads an Authorization header. ok is true when no token is required
// or the header carries it; presented is false when the header holds no
// bearer token at all.
func (t Token) Check(authorization string) (ok, presented bool) {
	if !t.set {
		return true, true
	}
	scheme, token, found := strings.Cut(authorization, " ")
	if !found || !strings.EqualFold(scheme, "Bearer") {
		return false, false
	}
	// Hashing first makes the comparison constant-time in the token's length too.
	got := sha256.Sum256([]byte(strings.TrimSpace(token)))
	return subtle.ConstantTimeCompare(got[:], t.hash[:]) == 1, true
}

// Protect lets through to next only requests that carry the token: as a
// bearer token (scripts), or as the password of HTTP basic authentication
// with any user name, which a browser asks for by itself and keeps for the
// session, so that the token never appears in a URL, a link or a log. With
// the zero Token every request passes.
func (t Token) Protect(realm string, next http.Handler) http.Handler {
	if !t.set {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ok, _ := t.Check(r.Header.Get("Authorization"))
		if !ok {
			if _, password, basic := r.BasicAuth(); basic {
				got := sha256.Sum256([]byte(password))
				ok = subtle.ConstantTimeCompare(got[:], t.hash[:]) == 1
			}
		}
		if !ok {
			w.Header().Set("WWW-Authenticate", `Basic realm="`+realm+`", charset="UTF-8"`)
			w.Header().Set("Cache-Control", "no-store")
			http.Error(w, "Sign in with any user name and callboard's API token (CALLBOARD_API_TOKEN) as the password.", http.StatusUnauthorized)
			return
		}
		next.ServeHTTP(w, r)
	})
}
