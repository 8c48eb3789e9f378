package digest

import (
	"bytes"
	"encoding/base64"
	"io"
	"mime"
	"mime/multipart"
	"net/mail"
	"regexp"
	"strings"
	"testing"
)

// mimeLeaf is one non-multipart part of a message.
type mimeLeaf struct {
	Type, ContentID string
	Body            []byte
}

// leaves walks a MIME message down to its leaves, with the multipart
// types passed on the way.
func leaves(t *testing.T, header map[string][]string, body io.Reader, path []string) ([]mimeLeaf, []string) {
	t.Helper()
	h := mail.Header(header)
	mt, params, err := mime.ParseMediaType(h.Get("Content-Type"))
	if err != nil {
		t.Fatalf("Content-Type %q: %v", h.Get("Content-Type"), err)
	}
	if !strings.HasPrefix(mt, "multipart/") {
		if strings.EqualFold(h.Get("Content-Transfer-Encoding"), "base64") {
			body = base64.NewDecoder(base64.StdEncoding, body)
		}
		b, _ := io.ReadAll(body)
		return []mimeLeaf{{Type: mt, ContentID: strings.Trim(h.Get("Content-Id"), "<>"), Body: b}}, path
	}
	path = append(path, mt)
	var out []mimeLeaf
	mr := multipart.NewReader(body, params["boundary"])
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		ls, sub := leaves(t, p.Header, p, path)
		out = append(out, ls...)
		path = sub
	}
	return out, path
}

// TestSendEmbedsCharts: the email carries each KPI's chart as an inline
// PNG whose Content-ID the HTML names; a plugin owner's email carries none.
func TestSendEmbedsCharts(t *testing.T) {
	f := newFixture(t)
	svc := f.service(t, nil)
	svc.cfg.KPIs = &KPISources{Records: NewStore(f.st.db), Catalog: f.st, Usage: f.st}
	if _, err := svc.Send(withTimeout(t), svc.LastWeek()); err != nil {
		t.Fatal(err)
	}
	for _, m := range f.smtp.Messages() {
		msg, err := mail.ReadMessage(bytes.NewReader(m.Data))
		if err != nil {
			t.Fatal(err)
		}
		ls, kinds := leaves(t, msg.Header, msg.Body, nil)
		var html string
		pngs := map[string]bool{}
		for _, l := range ls {
			switch l.Type {
			case "text/html":
				html = string(l.Body)
			case "image/png":
				if !bytes.HasPrefix(l.Body, []byte("\x89PNG")) {
					t.Errorf("%s is not a PNG", l.ContentID)
				}
				pngs[l.ContentID] = true
			}
		}
		cids := regexp.MustCompile(`src="cid:([^"]+)"`).FindAllStringSubmatch(html, -1)
		switch m.To[0] {
		case "platform-team@acme.example":
			if len(cids) == 0 || len(cids) != len(pngs) {
				t.Errorf("the HTML shows %d charts, the message holds %d PNGs (parts %v)", len(cids), len(pngs), kinds)
			}
			for _, c := range cids {
				if !pngs[c[1]] {
					t.Errorf("the HTML shows cid:%s, which the message does not hold", c[1])
				}
			}
			if !strings.Contains(html, "What changed") || !strings.Contains(kinds[0], "multipart/") {
				t.Errorf("no summary, or parts %v", kinds)
			}
		default: // a plugin owner
			if len(cids) != 0 || len(pngs) != 0 {
				t.Errorf("the owner's email shows %d charts and holds %d PNGs, want none", len(cids), len(pngs))
			}
		}
	}
}
