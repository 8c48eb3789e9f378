package web

import (
	"encoding/base64"
	"html/template"

	"github.com/callboard/callboard/digest"
)

// adoptionView is the digest page's KPI part: what changed, and each KPI
// with its chart as SVG (in an img, so the page's style-src 'self' policy
// does not apply to the chart's own styles).
type adoptionView struct {
	Changes  []string
	Rows     []adoptionRow
	From, To string
}

type adoptionRow struct {
	digest.AdoptionRow
	Chart template.URL // data:image/svg+xml;base64,...
}

func newAdoptionView(d *digest.Digest) (*adoptionView, error) {
	a := d.Adoption
	if a == nil || d.Scope != "" {
		return nil, nil
	}
	v := &adoptionView{Changes: a.Changes, From: a.Weeks[0].String(), To: a.Weeks[len(a.Weeks)-1].String()}
	for i, r := range a.Rows() {
		svg, err := digest.ChartSVG(a.Series[i], a.Weeks)
		if err != nil {
			return nil, err
		}
		// The URL is built here from the chart's own bytes, base64-encoded:
		// nothing in it comes from a request.
		v.Rows = append(v.Rows, adoptionRow{AdoptionRow: r, Chart: template.URL("data:image/svg+xml;base64," + base64.StdEncoding.EncodeToString(svg))})
	}
	return v, nil
}
