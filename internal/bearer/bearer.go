// Package bearer checks the bearer token of callboard's HTTP APIs.
package bearer

import (
	"crypto/sha256"
	"crypto/subtle"
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
