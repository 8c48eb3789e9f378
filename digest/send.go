package digest

import (
	"context"
	"errors"
	"net/mail"
	"strings"
)

// Report says what a Send did.
type Report struct {
	Week    Week
	Sent    []string // channel:recipient
	Skipped []string // sent before, or being sent by another process
	Failed  []string
	// NotAllowed are plugin owners' addresses outside AllowedDomains: not
	// mailed.
	NotAllowed []string
}

// allowedAddress reports whether addr is in one of the allowed domains or
// below one.
func (s *Service) allowedAddress(addr string) bool {
	a, err := mail.ParseAddress(addr)
	if err != nil {
		return false
	}
	_, domain, ok := strings.Cut(strings.ToLower(a.Address), "@")
	if !ok {
		return false
	}
	for _, d := range s.cfg.AllowedDomains {
		if d != "" && (domain == d || strings.HasSuffix(domain, "."+d)) {
			return true
		}
	}
	return false
}

type delivery struct {
	channel, recipient string
	digest             *Digest
}

// Send sends the digest of w to every recipient it has not reached yet: the
// full digest to each DIGEST_TO address and the Slack channel, each plugin
// owner's part to the owner's address. A (week, recipient) is claimed before
// it is sent and marked sent after, so it goes out once however many
// processes run Send; a failure is recorded and retried by the next Send.
// The error joins the failures.
func (s *Service) Send(ctx context.Context, w Week) (Report, error) {
	rep := Report{Week: w}
	d, err := s.Digest(ctx, w)
	if err != nil {
		return rep, err
	}
	var ds []delivery
	if s.cfg.Mailer != nil {
		full := map[string]bool{}
		for _, to := range s.cfg.To {
			full[to] = true
			ds = append(ds, delivery{ChannelEmail, to, d})
		}
		for _, addr := range d.OwnerEmails() {
			switch {
			case full[addr]:
			case !s.allowedAddress(addr):
				s.log.Warn("a plugin owner's digest is not mailed: the address is outside DIGEST_ALLOWED_DOMAINS", "week", w.String(), "recipient", addr)
				rep.NotAllowed = append(rep.NotAllowed, ChannelEmail+":"+addr)
			default:
				ds = append(ds, delivery{ChannelEmail, addr, d.ForOwner(addr)})
			}
		}
	}
	if s.cfg.Slack != nil {
		ds = append(ds, delivery{ChannelSlack, s.cfg.SlackChannel, d})
	}
	var errs []error
	for _, dl := range ds {
		key := dl.channel + ":" + dl.recipient
		ok, err := s.cfg.Records.Claim(ctx, w, dl.channel, dl.recipient, s.cfg.StaleClaim)
		if err != nil {
			return rep, err
		}
		if !ok {
			rep.Skipped = append(rep.Skipped, key)
			continue
		}
		err = s.deliver(ctx, dl)
		// Record the outcome even when ctx ended mid-send (shutdown).
		rctx := context.WithoutCancel(ctx)
		if err != nil {
			s.log.Error("sending the digest", "week", w.String(), "channel", dl.channel, "recipient", dl.recipient, "err", err)
			rep.Failed = append(rep.Failed, key)
			errs = append(errs, err)
			if merr := s.cfg.Records.MarkFailed(rctx, w, dl.channel, dl.recipient, err); merr != nil {
				return rep, errors.Join(append(errs, merr)...)
			}
			continue
		}
		if err := s.cfg.Records.MarkSent(rctx, w, dl.channel, dl.recipient); err != nil {
			return rep, err
		}
		s.log.Info("digest sent", "week", w.String(), "channel", dl.channel, "recipient", dl.recipient)
		rep.Sent = append(rep.Sent, key)
	}
	return rep, errors.Join(errs...)
}

func (s *Service) deliver(ctx context.Context, dl delivery) error {
	ctx, cancel := context.WithTimeout(ctx, s.cfg.SendTimeout)
	defer cancel()
	switch dl.channel {
	case ChannelSlack:
		blocks, text := Slack(dl.digest)
		return s.cfg.Slack.PostDigest(ctx, dl.recipient, blocks, text)
	default:
		html, err := HTML(dl.digest)
		if err != nil {
			return err
		}
		m := Message{From: s.cfg.From, To: dl.recipient, Subject: subject(dl.digest), Text: Text(dl.digest), HTML: html}
		if a := dl.digest.Adoption; a != nil && dl.digest.Scope == "" {
			if m.Inline, err = a.Charts(); err != nil {
				return err
			}
		}
		return s.cfg.Mailer.Send(ctx, m)
	}
}

// Pending reports whether a send of week w failed, or was claimed longer
// ago than StaleClaim and never finished: the schedule's retries look at it.
func (s *Service) Pending(ctx context.Context, w Week) (bool, error) {
	recs, err := s.cfg.Records.Sends(ctx, w)
	if err != nil {
		return false, err
	}
	stale := s.cfg.Now().Add(-s.cfg.StaleClaim)
	for _, r := range recs {
		if r.State == StateFailed || (r.State == StateSending && r.ClaimedAt.Before(stale)) {
			return true, nil
		}
	}
	return false, nil
}

// Sends returns what was recorded about sending the digest of w.
func (s *Service) Sends(ctx context.Context, w Week) ([]SendRecord, error) {
	return s.cfg.Records.Sends(ctx, w)
}
