package digest

import (
	"bytes"
	"context"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	mail "github.com/wneessen/go-mail"
)

// Message is one digest email: a multipart/alternative of Text and HTML.
type Message struct {
	From    string
	To      string
	Subject string
	Text    string
	HTML    string
	// Inline are the images the HTML shows by Content-ID (cid:), as
	// multipart/related parts.
	Inline []Inline
}

// Mailer sends a digest email.
type Mailer interface {
	Send(ctx context.Context, m Message) error
}

// SMTPMailer sends email over SMTP with go-mail.
type SMTPMailer struct {
	host string
	opts []mail.Option
	addr string // host:port, for errors
}

// NewSMTPMailer reads SMTP_URL:
//
//	smtp://[user:pass@]host[:port]   STARTTLS when the server offers it (port 587 by default)
//	smtps://[user:pass@]host[:port]  implicit TLS (port 465 by default)
//
// With a user, callboard authenticates, preferring SCRAM and CRAM-MD5, then
// PLAIN and LOGIN, which are refused over a connection that is neither
// encrypted nor to localhost. Query parameters: auth=plain|login|cram-md5|
// scram-sha-256|... forces a mechanism; tls=required (smtp://) refuses to
// send without STARTTLS; tls=none never starts TLS.
func NewSMTPMailer(raw string) (*SMTPMailer, error) {
	u, err := url.Parse(raw)
	if err != nil {
		// url.Parse's error quotes the URL, password included.
		return nil, fmt.Errorf("SMTP_URL does not parse as a URL")
	}
	host := u.Hostname()
	if host == "" {
		return nil, fmt.Errorf("SMTP_URL has no host (want smtp://user:pass@host:port)")
	}
	m := &SMTPMailer{host: host}
	port, tlsOpt, err := transport(u)
	if err != nil {
		return nil, err
	}
	m.opts = append(m.opts, tlsOpt)
	if p := u.Port(); p != "" {
		if port, err = strconv.Atoi(p); err != nil || port <= 0 || port > 65535 {
			return nil, fmt.Errorf("SMTP_URL port %q is not a port", p)
		}
	}
	m.opts = append(m.opts, mail.WithPort(port), mail.WithTimeout(30*time.Second))
	if u.User != nil && u.User.Username() != "" {
		pass, _ := u.User.Password()
		m.opts = append(m.opts, mail.WithUsername(u.User.Username()), mail.WithPassword(pass))
		if a := u.Query().Get("auth"); a != "" {
			var t mail.SMTPAuthType
			if err := t.UnmarshalString(a); err != nil {
				return nil, fmt.Errorf("SMTP_URL auth=%q: %v", a, err)
			}
			m.opts = append(m.opts, mail.WithSMTPAuth(t))
		} else {
			m.opts = append(m.opts, mail.WithOpportunisticSMTPAuth(mail.SMTPAuthSCRAMSHA256, mail.SMTPAuthSCRAMSHA1,
				mail.SMTPAuthCramMD5, mail.SMTPAuthPlain, mail.SMTPAuthLogin))
		}
	}
	m.addr = host + ":" + strconv.Itoa(port)
	// Check the options now, so a bad SMTP_URL fails at start, not at 9 on Monday.
	if _, err := mail.NewClient(m.host, m.opts...); err != nil {
		return nil, fmt.Errorf("SMTP_URL: %w", err)
	}
	return m, nil
}

// transport is the default port and the TLS option of the URL's scheme
// (and its tls= parameter).
func transport(u *url.URL) (int, mail.Option, error) {
	switch strings.ToLower(u.Scheme) {
	case "smtp":
		policy := mail.TLSOpportunistic
		switch strings.ToLower(u.Query().Get("tls")) {
		case "", "opportunistic":
		case "required", "mandatory":
			policy = mail.TLSMandatory
		case "none", "off":
			policy = mail.NoTLS
		default:
			return 0, nil, fmt.Errorf("SMTP_URL tls=%q: want required, opportunistic or none", u.Query().Get("tls"))
		}
		return 587, mail.WithTLSPolicy(policy), nil
	case "smtps":
		return 465, mail.WithSSL(), nil
	}
	return 0, nil, fmt.Errorf("SMTP_URL scheme %q: want smtp or smtps", u.Scheme)
}

// Send sends one message as multipart/alternative (text, then HTML).
func (m *SMTPMailer) Send(ctx context.Context, msg Message) error {
	em := mail.NewMsg()
	if err := em.From(msg.From); err != nil {
		return fmt.Errorf("digest sender %q: %w", msg.From, err)
	}
	if err := em.To(msg.To); err != nil {
		return fmt.Errorf("digest recipient %q: %w", msg.To, err)
	}
	em.Subject(msg.Subject)
	em.SetDate()
	em.SetMessageID()
	em.SetGenHeader(mail.Header("Auto-Submitted"), "auto-generated")
	em.SetBodyString(mail.TypeTextPlain, msg.Text)
	em.AddAlternativeString(mail.TypeTextHTML, msg.HTML)
	for _, img := range msg.Inline {
		if err := em.EmbedReader(img.CID, bytes.NewReader(img.PNG), mail.WithFileContentID(img.CID), mail.WithFileContentType(mail.ContentType("image/png"))); err != nil {
			return fmt.Errorf("embedding %s in the digest: %w", img.CID, err)
		}
	}
	c, err := mail.NewClient(m.host, m.opts...)
	if err != nil {
		return fmt.Errorf("mail client for %s: %w", m.addr, err)
	}
	if err := c.DialAndSendWithContext(ctx, em); err != nil {
		return fmt.Errorf("sending the digest to %s through %s: %w", msg.To, m.addr, err)
	}
	return nil
}
