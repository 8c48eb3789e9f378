package fakegithub

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"slices"
	"sync"
	"time"
)

// webhook is where the App's deliveries go, once a test sets it.
type webhook struct {
	url    string
	secret []byte
	sent   sync.WaitGroup
}

// SetWebhook makes redeliveries real: asked to redeliver a delivery that
// has a Payload, the server posts it, signed with secret, to url, as GitHub
// does a moment after it answers 202, and records the attempt as a new
// delivery of the same GUID (status 0 when nothing answered).
func (s *Server) SetWebhook(url string, secret []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.hook = &webhook{url: url, secret: secret}
	s.t.Cleanup(s.hook.sent.Wait)
}

var webhookClient = &http.Client{Timeout: 10 * time.Second}

// sendRedelivery posts delivery id again, in the background; s.mu is held.
func (s *Server) sendRedelivery(id int64) {
	i := slices.IndexFunc(s.deliveries, func(d HookDelivery) bool { return d.ID == id })
	if s.hook == nil || i < 0 || s.deliveries[i].Payload == nil {
		return
	}
	d, hook := s.deliveries[i], s.hook
	hook.sent.Add(1)
	go func() {
		defer hook.sent.Done()
		status := 0
		req, err := http.NewRequest(http.MethodPost, hook.url, bytes.NewReader(d.Payload))
		if err == nil {
			mac := hmac.New(sha256.New, hook.secret)
			mac.Write(d.Payload)
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("X-GitHub-Event", d.Event)
			req.Header.Set("X-GitHub-Delivery", d.GUID)
			req.Header.Set("X-Hub-Signature-256", "sha256="+hex.EncodeToString(mac.Sum(nil)))
			if resp, err := webhookClient.Do(req); err == nil {
				status = resp.StatusCode
				resp.Body.Close()
			}
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		d.ID, d.StatusCode, d.Redelivery, d.DeliveredAt = s.newID(), status, true, time.Now()
		s.deliveries = append(s.deliveries, d)
	}()
}
