package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/callboard/callboard/catalog"
)

// repoStatusSQL is catalog.RepoStatusOf over a repositories row. The
// codeowners column holds the JSON putRepository wrote (json.Marshal of a
// catalog.Codeowners: "rules" first), so a file with a rule starts
// {"rules":[{ — read without parsing the JSON of every row.
const repoStatusSQL = `(CASE WHEN archived THEN 'archived'
	WHEN catalog_status = 'registered' THEN 'registered'
	WHEN catalog_status = 'invalid' THEN 'invalid'
	WHEN substr(codeowners, 1, 11) = '{"rules":[{' THEN 'codeowners'
	ELSE 'none' END)`

// repoStatusRank orders statuses as catalog.RepoStatuses lists them.
const repoStatusRank = `(CASE ` + repoStatusSQL + ` WHEN 'registered' THEN 0 WHEN 'invalid' THEN 1 WHEN 'codeowners' THEN 2 WHEN 'none' THEN 3 ELSE 4 END)`

// RepositoryList returns one page of repositories, filtered by status and
// by a part of their name, sorted, with the counts per status and the owners
// their catalog entities name.
func (s *Store) RepositoryList(ctx context.Context, q catalog.RepoListQuery) (catalog.RepoListPage, error) {
	page := catalog.RepoListPage{Owners: map[string][]string{}}
	var conds []string
	var args []any
	if t := strings.TrimSpace(q.Text); t != "" {
		conds = append(conds, `full_name LIKE ? ESCAPE '\'`)
		args = append(args, "%"+likeEscaper.Replace(t)+"%")
	}
	var err error
	if page.ByStatus, err = s.countByStatus(ctx, conds, args); err != nil {
		return page, fmt.Errorf("counting repositories: %w", err)
	}
	if q.Status != "" {
		conds = append(conds, repoStatusSQL+` = ?`)
		args = append(args, q.Status)
		page.Total = page.ByStatus[q.Status]
	} else {
		for _, n := range page.ByStatus {
			page.Total += n
		}
	}
	where := ""
	if len(conds) > 0 {
		where = "WHERE " + strings.Join(conds, " AND ")
	}
	limit := q.Limit
	if limit <= 0 {
		limit = 50
	}
	limit = min(limit, 200)
	page.Repositories, err = s.repos(ctx, where+" ORDER BY "+repoOrder(q)+" LIMIT ? OFFSET ?", append(args, limit, max(q.Offset, 0))...)
	if err != nil || len(page.Repositories) == 0 {
		return page, err
	}
	return page, s.repoOwners(ctx, page.Repositories, page.Owners)
}

// countByStatus counts the repositories that meet conds, by status.
func (s *Store) countByStatus(ctx context.Context, conds []string, args []any) (map[string]int, error) {
	where := "1"
	if len(conds) > 0 {
		where = strings.Join(conds, " AND ")
	}
	byStatus := map[string]int{}
	rows, err := s.db.Query(ctx, `SELECT `+repoStatusSQL+`, count(*) FROM repositories WHERE `+where+` GROUP BY 1`, args...)
	if err != nil {
		return byStatus, err
	}
	defer rows.Close()
	for rows.Next() {
		var st string
		var n int
		if err := rows.Scan(&st, &n); err != nil {
			return byStatus, err
		}
		byStatus[st] = n
	}
	return byStatus, rows.Err()
}

// repoOrder is the ORDER BY of a repository list.
func repoOrder(q catalog.RepoListQuery) string {
	dir := "ASC"
	if q.Desc {
		dir = "DESC"
	}
	switch q.Sort {
	case catalog.RepoSortStatus:
		return repoStatusRank + " " + dir + ", full_name"
	case catalog.RepoSortUpdated:
		return "updated_at " + dir + ", full_name"
	}
	return "full_name " + dir
}

// repoOwners adds to owners, by repository, the owners the repositories'
// catalog entities name.
func (s *Store) repoOwners(ctx context.Context, repos []*catalog.Repository, owners map[string][]string) error {
	bySource := map[string]string{}
	srcArgs := make([]any, 0, len(repos))
	for _, r := range repos {
		bySource[r.Source] = r.FullName
		srcArgs = append(srcArgs, r.Source)
	}
	rows, err := s.db.Query(ctx, `SELECT DISTINCT e.source, r.target_ref FROM entities e JOIN relations r ON r.entity_id = e.id
		WHERE r.type = 'ownedBy' AND e.source IN (?`+strings.Repeat(",?", len(srcArgs)-1)+`) ORDER BY 1, 2`, srcArgs...)
	if err != nil {
		return fmt.Errorf("reading repository owners: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var src, owner string
		if err := rows.Scan(&src, &owner); err != nil {
			return fmt.Errorf("reading repository owners: %w", err)
		}
		owners[bySource[src]] = append(owners[bySource[src]], owner)
	}
	return rows.Err()
}

var likeEscaper = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)

// LatestUsage returns the most recent usage event of plugin about entity
// (an entity ref, or org/repo for a repository's pull-request checks), or
// nil when there is none.
func (s *Store) LatestUsage(ctx context.Context, plugin, entity string) (*catalog.UsageEvent, error) {
	var e catalog.UsageEvent
	var at int64
	err := s.db.QueryRow(ctx, `SELECT at, plugin, action, actor, entity, outcome, detail FROM usage_events
		WHERE entity = ? AND plugin = ? ORDER BY at DESC, id DESC LIMIT 1`, entity, plugin).
		Scan(&at, &e.Plugin, &e.Action, &e.Actor, &e.Entity, &e.Outcome, &e.Detail)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading the latest %s event of %s: %w", plugin, entity, err)
	}
	e.At = time.UnixMilli(at).UTC()
	return &e, nil
}

// UsageOfEntities counts the usage events about any of entities, per plugin
// and per interval [bounds[i], bounds[i+1]): out[plugin][i].
func (s *Store) UsageOfEntities(ctx context.Context, entities []string, bounds []time.Time) (map[string][]int, error) {
	out := map[string][]int{}
	if len(entities) == 0 || len(bounds) < 2 {
		return out, nil
	}
	args := make([]any, 0, len(entities)+2)
	for _, e := range entities {
		args = append(args, e)
	}
	args = append(args, bounds[0].UTC().UnixMilli(), bounds[len(bounds)-1].UTC().UnixMilli())
	rows, err := s.db.Query(ctx, `SELECT plugin, at FROM usage_events WHERE entity IN (?`+strings.Repeat(",?", len(entities)-1)+`)
		AND at >= ? AND at < ?`, args...)
	if err != nil {
		return nil, fmt.Errorf("reading usage of %s: %w", strings.Join(entities, ", "), err)
	}
	defer rows.Close()
	for rows.Next() {
		var p string
		var at int64
		if err := rows.Scan(&p, &at); err != nil {
			return nil, fmt.Errorf("reading usage: %w", err)
		}
		for i := 0; i+1 < len(bounds); i++ {
			if at < bounds[i+1].UTC().UnixMilli() {
				if out[p] == nil {
					out[p] = make([]int, len(bounds)-1)
				}
				out[p][i]++
				break
			}
		}
	}
	return out, rows.Err()
}

// UsageTotals counts the usage events in [from, to) and the people behind them.
func (s *Store) UsageTotals(ctx context.Context, from, to time.Time) (events, people int, err error) {
	err = s.db.QueryRow(ctx, `SELECT count(*), count(DISTINCT actor) FROM usage_events WHERE at >= ? AND at < ?`,
		from.UTC().UnixMilli(), to.UTC().UnixMilli()).Scan(&events, &people)
	if err != nil {
		return 0, 0, fmt.Errorf("counting usage: %w", err)
	}
	return events, people, nil
}

// WebKey returns the database's random key called name (32 bytes), making
// it on first use. Every process on the database reads the same key.
func (s *Store) WebKey(ctx context.Context, name string) ([]byte, error) {
	var key []byte
	err := s.db.QueryRow(ctx, `SELECT key FROM web_keys WHERE name = ?`, name).Scan(&key)
	if err == nil {
		return key, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("reading the %s key: %w", name, err)
	}
	fresh := make([]byte, 32)
	if _, err := rand.Read(fresh); err != nil {
		return nil, err
	}
	// Two processes may both find no key: the first insert wins and both read it.
	err = s.db.WithTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO web_keys (name, key, created_at) VALUES (?, ?, ?) ON CONFLICT (name) DO NOTHING`,
			name, fresh, s.Now().UnixMilli()); err != nil {
			return fmt.Errorf("storing the %s key: %w", name, err)
		}
		if err := tx.QueryRowContext(ctx, `SELECT key FROM web_keys WHERE name = ?`, name).Scan(&key); err != nil {
			return fmt.Errorf("reading the %s key: %w", name, err)
		}
		return nil
	})
	return key, err
}

// OwnedCounts returns, per owner ref, how many entities name it as their owner.
func (s *Store) OwnedCounts(ctx context.Context) (map[string]int, error) {
	rows, err := s.db.Query(ctx, `SELECT target_ref, count(*) FROM relations WHERE type = 'ownedBy' GROUP BY target_ref`)
	if err != nil {
		return nil, fmt.Errorf("counting owned entities: %w", err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var ref string
		var n int
		if err := rows.Scan(&ref, &n); err != nil {
			return nil, fmt.Errorf("counting owned entities: %w", err)
		}
		out[ref] = n
	}
	return out, rows.Err()
}

// KindCounts returns how many entities of each kind (lower-case) the catalog holds.
func (s *Store) KindCounts(ctx context.Context) (map[string]int, error) {
	rows, err := s.db.Query(ctx, `SELECT kind, count(*) FROM entities GROUP BY kind`)
	if err != nil {
		return nil, fmt.Errorf("counting entities: %w", err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var kind string
		var n int
		if err := rows.Scan(&kind, &n); err != nil {
			return nil, fmt.Errorf("counting entities: %w", err)
		}
		out[kind] = n
	}
	return out, rows.Err()
}

// EntitiesOfKind returns up to limit entities of a kind (any namespace) in
// name order, and how many there are, without their relations: a list of
// teams need not read everything each team owns.
func (s *Store) EntitiesOfKind(ctx context.Context, kind string, limit int) ([]*catalog.Entity, int, error) {
	var n int
	if err := s.db.QueryRow(ctx, `SELECT count(*) FROM entities WHERE kind = ?`, strings.ToLower(kind)).Scan(&n); err != nil {
		return nil, 0, fmt.Errorf("counting %s entities: %w", kind, err)
	}
	es, err := s.list(ctx, `SELECT uid, etag, body FROM entities WHERE kind = ? ORDER BY name, ref LIMIT ?`, strings.ToLower(kind), limit)
	if err != nil {
		return nil, 0, fmt.Errorf("reading %s entities: %w", kind, err)
	}
	return es, n, nil
}

// CatalogVersion changes whenever an entity or a repository is added,
// changed or removed, by this process or another: a cache of a measurement
// over the whole catalog (coverage) compares it before measuring again.
func (s *Store) CatalogVersion(ctx context.Context) (string, error) {
	var ne, nr int
	var te, tr sql.NullInt64
	err := s.db.QueryRow(ctx, `SELECT (SELECT count(*) FROM entities), (SELECT max(updated_at) FROM entities),
		(SELECT count(*) FROM repositories), (SELECT max(updated_at) FROM repositories)`).Scan(&ne, &te, &nr, &tr)
	if err != nil {
		return "", fmt.Errorf("reading the catalog's version: %w", err)
	}
	return fmt.Sprintf("%d.%d.%d.%d", ne, te.Int64, nr, tr.Int64), nil
}

// DeclaredLine returns the line of the entity's document in the file that
// declared it; 0 when not known.
func (s *Store) DeclaredLine(ctx context.Context, ref catalog.Ref) (int, error) {
	var line int
	err := s.db.QueryRow(ctx, `SELECT line FROM entities WHERE ref = ?`, ref.String()).Scan(&line)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("%w: %s", catalog.ErrNotFound, ref)
	}
	if err != nil {
		return 0, fmt.Errorf("reading where %s is declared: %w", ref, err)
	}
	return line, nil
}
