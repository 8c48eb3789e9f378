package store

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/callboard/callboard/catalog"
)

// Coverage measures the catalog against every repository callboard knows,
// in four queries whatever the number of repositories, each row read and
// let go: at 50,000 repositories the repositories and their decoded
// entities held at once would not fit the memory callboard keeps to
// (150 MB); what stays is a few bytes a repository.
func (s *Store) Coverage(ctx context.Context) (catalog.Coverage, error) {
	var c catalog.Coverage
	if err := s.db.QueryRow(ctx, `SELECT count(*) FROM entities`).Scan(&c.Entities); err != nil {
		return c, err
	}
	owners, err := s.knownOwners(ctx)
	if err != nil {
		return c, err
	}
	declared, err := s.declaredBySource(ctx, owners)
	if err != nil {
		return c, err
	}
	rows, err := s.db.Query(ctx, `SELECT full_name, source, catalog_status, codeowners FROM repositories WHERE archived = 0`)
	if err != nil {
		return c, fmt.Errorf("reading repositories: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var name, source, status, co string
		if err := rows.Scan(&name, &source, &status, &co); err != nil {
			return c, err
		}
		c.Repositories++
		switch status {
		case catalog.StatusRegistered:
			c.Registered++
		case catalog.StatusInvalid:
			c.Invalid++
		}
		d, has := declared[source]
		owned := d.owned
		if !has && co != "" {
			if owned, err = codeownersOwn(name, co); err != nil {
				return c, err
			}
		}
		if owned {
			c.Owned++
		}
		if d.documented {
			c.Documented++
		}
	}
	return c, rows.Err()
}

// codeownersOwn says whether a repository's CODEOWNERS (stored as JSON)
// names an owner of its catalog file.
func codeownersOwn(name, co string) (bool, error) {
	var rules catalog.Codeowners
	if err := json.Unmarshal([]byte(co), &rules); err != nil {
		return false, fmt.Errorf("decoding CODEOWNERS of %s: %w", name, err)
	}
	rule, ok := rules.Match("catalog-info.yaml")
	return ok && len(rule.Owners) > 0, nil
}

// knownOwners are the refs of every group and user.
func (s *Store) knownOwners(ctx context.Context) (map[string]bool, error) {
	rows, err := s.db.Query(ctx, `SELECT ref FROM entities WHERE kind IN ('group', 'user')`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	owners := map[string]bool{}
	for rows.Next() {
		var ref string
		if err := rows.Scan(&ref); err != nil {
			return nil, err
		}
		owners[ref] = true
	}
	return owners, rows.Err()
}

// sourceCoverage is what a repository's entities say for coverage.
type sourceCoverage struct{ owned, documented bool }

// declaredBySource reads the entities repositories declare, one at a
// time, into what each repository's say: an owner the catalog knows, docs.
func (s *Store) declaredBySource(ctx context.Context, owners map[string]bool) (map[string]sourceCoverage, error) {
	rows, err := s.db.Query(ctx, `SELECT source, ref, body FROM entities WHERE source IN (SELECT source FROM repositories)`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]sourceCoverage{}
	for rows.Next() {
		var source, ref string
		var body []byte
		if err := rows.Scan(&source, &ref, &body); err != nil {
			return nil, err
		}
		e, err := decodeForCoverage(body)
		if err != nil {
			return nil, fmt.Errorf("decoding %s: %w", ref, err)
		}
		d := out[source]
		if ref, ok := e.OwnerRef(); ok && owners[ref.String()] {
			d.owned = true
		}
		if catalog.HasDocs(e) {
			d.documented = true
		}
		out[source] = d
	}
	return out, rows.Err()
}

// decodeForCoverage reads only what coverage looks at (the owner, the
// docs annotations and links): a full decode of every entity is most of
// the time a coverage takes.
func decodeForCoverage(body []byte) (*catalog.Entity, error) {
	var v struct {
		Kind     string `json:"kind"`
		Metadata struct {
			Name        string            `json:"name"`
			Namespace   string            `json:"namespace"`
			Annotations map[string]string `json:"annotations"`
			Links       []catalog.Link    `json:"links"`
		} `json:"metadata"`
		Spec struct {
			Owner any `json:"owner"`
		} `json:"spec"`
	}
	if err := json.Unmarshal(body, &v); err != nil {
		return nil, err
	}
	return &catalog.Entity{Kind: v.Kind, Metadata: catalog.Metadata{
		Name: v.Metadata.Name, Namespace: v.Metadata.Namespace, Annotations: v.Metadata.Annotations, Links: v.Metadata.Links,
	}, Spec: map[string]any{"owner": v.Spec.Owner}}, nil
}
