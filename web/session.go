package web

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"time"
)

// Session is who is signed in, as the signed cookie carries it.
type Session struct {
	Login string    `json:"l"`           // the GitHub login; "token" for a token sign-in
	Name  string    `json:"n,omitempty"` // a display name
	Orgs  []string  `json:"o,omitempty"` // the organisations that let them in
	Via   string    `json:"v"`           // the auth mode that signed them in
	Until time.Time `json:"u"`
}

// sessionTTL matches the lifetime of GitHub's user access tokens: a member
// who leaves the organisation is out within a working day.
const sessionTTL = 8 * time.Hour

// signer signs and verifies cookie values: base64url(JSON) "." base64url(HMAC-SHA256).
//
// Its key is derived from two secrets: a random key made once per database
// (web_keys, so every process on the database shares it and a restart keeps
// people signed in) and the deployment's own secret (GITHUB_CLIENT_SECRET,
// or CALLBOARD_API_TOKEN in token mode). A copy of the database alone cannot
// sign a cookie, nor can the secret alone; rotating either signs everyone out.
type signer struct {
	key []byte
}

func newSigner(dbKey []byte, mode Mode, secret string) signer {
	m := hmac.New(sha256.New, dbKey)
	m.Write([]byte("callboard web session v1\x00"))
	m.Write([]byte(mode))
	m.Write([]byte{0})
	m.Write([]byte(secret))
	return signer{key: m.Sum(nil)}
}

// purpose keeps a value signed for one cookie from being replayed as another.
func (s signer) sign(purpose string, v any) (string, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return "", err
	}
	payload := base64.RawURLEncoding.EncodeToString(b)
	return payload + "." + base64.RawURLEncoding.EncodeToString(s.mac(purpose, payload)), nil
}

var errBadCookie = errors.New("cookie does not verify")

func (s signer) verify(purpose, value string, v any) error {
	payload, sig, ok := strings.Cut(value, ".")
	if !ok || len(value) > maxCookie {
		return errBadCookie
	}
	got, err := base64.RawURLEncoding.DecodeString(sig)
	if err != nil || !hmac.Equal(got, s.mac(purpose, payload)) {
		return errBadCookie
	}
	b, err := base64.RawURLEncoding.DecodeString(payload)
	if err != nil {
		return errBadCookie
	}
	if err := json.Unmarshal(b, v); err != nil {
		return errBadCookie
	}
	return nil
}

func (s signer) mac(purpose, payload string) []byte {
	m := hmac.New(sha256.New, s.key)
	m.Write([]byte(purpose))
	m.Write([]byte{0})
	m.Write([]byte(payload))
	return m.Sum(nil)
}

// maxCookie bounds what is read from a cookie before it is verified.
const maxCookie = 4096

// cookies names and writes the web view's cookies. On https the session
// cookie takes the __Host- prefix, which browsers keep to Secure, Path=/
// cookies set by this host.
type cookies struct {
	secure bool
}

func (c cookies) sessionName() string {
	if c.secure {
		return "__Host-callboard_session"
	}
	return "callboard_session"
}

const oauthCookie = "callboard_oauth"

func (c cookies) set(w http.ResponseWriter, name, value, path string, ttl time.Duration) {
	http.SetCookie(w, &http.Cookie{
		Name: name, Value: value, Path: path, MaxAge: int(ttl.Seconds()),
		HttpOnly: true, Secure: c.secure, SameSite: http.SameSiteLaxMode,
	})
}

func (c cookies) clear(w http.ResponseWriter, name, path string) {
	http.SetCookie(w, &http.Cookie{Name: name, Value: "", Path: path, MaxAge: -1,
		HttpOnly: true, Secure: c.secure, SameSite: http.SameSiteLaxMode})
}
