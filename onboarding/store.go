package onboarding

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/callboard/callboard/sqlite"
)

// States of a proposal.
const (
	StateDryRun     = "dry-run"
	StateOpen       = "open"
	StateMerged     = "merged"
	StateClosed     = "closed" // without a merge: "no thanks"
	StateNeedsOwner = "needs-owner"
)

// Record is what callboard keeps of a proposal to one repository.
type Record struct {
	Repo          string
	Installation  int64
	State         string
	Number        int
	URL           string
	Owner         string
	Title         string
	File          string
	Body          string
	Fingerprint   string
	Facts         string // JSON of the evidence read from GitHub
	FactsPushedAt time.Time
	HeadSHA       string
	OpenedAt      time.Time
	WrittenAt     time.Time
	ClosedAt      time.Time
	UpdatedAt     time.Time
}

// Store keeps proposals in the database (migration 0013).
type Store struct {
	db  *sqlite.DB
	now func() time.Time
}

// NewStore returns the store over db; now is the clock (nil: time.Now).
func NewStore(db *sqlite.DB, now func() time.Time) *Store {
	if now == nil {
		now = time.Now
	}
	return &Store{db: db, now: now}
}

const recordColumns = `repository, installation_id, state, number, url, owner, title, file, body, fingerprint, facts,
	facts_pushed_at, head_sha, opened_at, written_at, closed_at, updated_at`

func ms(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

func fromMS(v int64) time.Time {
	if v == 0 {
		return time.Time{}
	}
	return time.UnixMilli(v)
}

// Put inserts or replaces the record of r.Repo.
func (s *Store) Put(ctx context.Context, r *Record) error {
	r.UpdatedAt = s.now()
	_, err := s.db.Exec(ctx, `INSERT INTO onboarding_proposals (`+recordColumns+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (repository) DO UPDATE SET installation_id = excluded.installation_id, state = excluded.state,
			number = excluded.number, url = excluded.url, owner = excluded.owner, title = excluded.title, file = excluded.file,
			body = excluded.body, fingerprint = excluded.fingerprint, facts = excluded.facts, facts_pushed_at = excluded.facts_pushed_at,
			head_sha = excluded.head_sha, opened_at = excluded.opened_at, written_at = excluded.written_at,
			closed_at = excluded.closed_at, updated_at = excluded.updated_at`,
		r.Repo, r.Installation, r.State, r.Number, r.URL, r.Owner, r.Title, r.File, r.Body, r.Fingerprint, cmpStr(r.Facts, "{}"),
		ms(r.FactsPushedAt), r.HeadSHA, ms(r.OpenedAt), ms(r.WrittenAt), ms(r.ClosedAt), ms(r.UpdatedAt))
	if err != nil {
		return fmt.Errorf("storing the onboarding proposal of %s: %w", r.Repo, err)
	}
	return nil
}

func cmpStr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func (s *Store) records(ctx context.Context, where string, args ...any) ([]*Record, error) {
	rows, err := s.db.Query(ctx, `SELECT `+recordColumns+` FROM onboarding_proposals `+where, args...)
	if err != nil {
		return nil, fmt.Errorf("reading onboarding proposals: %w", err)
	}
	defer rows.Close()
	var out []*Record
	for rows.Next() {
		var r Record
		var factsAt, opened, written, closed, updated int64
		if err := rows.Scan(&r.Repo, &r.Installation, &r.State, &r.Number, &r.URL, &r.Owner, &r.Title, &r.File, &r.Body,
			&r.Fingerprint, &r.Facts, &factsAt, &r.HeadSHA, &opened, &written, &closed, &updated); err != nil {
			return nil, fmt.Errorf("reading onboarding proposals: %w", err)
		}
		r.FactsPushedAt, r.OpenedAt, r.WrittenAt, r.ClosedAt, r.UpdatedAt = fromMS(factsAt), fromMS(opened), fromMS(written), fromMS(closed), fromMS(updated)
		out = append(out, &r)
	}
	return out, rows.Err()
}

// ErrNotFound is a repository without a proposal.
var ErrNotFound = errors.New("no onboarding proposal")

// Get returns the record of a repository (org/repo, any case), or ErrNotFound.
func (s *Store) Get(ctx context.Context, repo string) (*Record, error) {
	rs, err := s.records(ctx, `WHERE repository = ?`, repo)
	if err != nil {
		return nil, err
	}
	if len(rs) == 0 {
		return nil, fmt.Errorf("%w for %s", ErrNotFound, repo)
	}
	return rs[0], nil
}

// Delete forgets the record of a repository.
func (s *Store) Delete(ctx context.Context, repo string) error {
	if _, err := s.db.Exec(ctx, `DELETE FROM onboarding_proposals WHERE repository = ?`, repo); err != nil {
		return fmt.Errorf("forgetting the onboarding proposal of %s: %w", repo, err)
	}
	return nil
}

// All returns every record, by repository.
func (s *Store) All(ctx context.Context) ([]*Record, error) {
	return s.records(ctx, `ORDER BY repository`)
}

// ByOwner returns the records of an owner ref in a state, oldest first.
func (s *Store) ByOwner(ctx context.Context, owner, state string) ([]*Record, error) {
	return s.records(ctx, `WHERE owner = ? AND state = ? ORDER BY opened_at, repository`, owner, state)
}

// InState returns the records in a state, by owner then repository.
func (s *Store) InState(ctx context.Context, state string) ([]*Record, error) {
	return s.records(ctx, `WHERE state = ? ORDER BY owner, repository`, state)
}

// OpenedSince counts the pull requests opened at or after t.
func (s *Store) OpenedSince(ctx context.Context, t time.Time) (int, error) {
	var n int
	err := s.db.QueryRow(ctx, `SELECT count(*) FROM onboarding_proposals WHERE opened_at >= ?`, t.UnixMilli()).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("counting onboarding proposals: %w", err)
	}
	return n, nil
}

// Closed records that a proposal's pull request was merged or closed
// without a merge (a pull_request webhook). It reports whether the pull
// request was one of callboard's proposals; a redelivery changes nothing.
func (s *Store) Closed(ctx context.Context, repo string, number int, merged bool, at time.Time) (bool, error) {
	state := StateClosed
	if merged {
		state = StateMerged
	}
	res, err := s.db.Exec(ctx, `UPDATE onboarding_proposals SET state = ?, closed_at = ?, updated_at = ?
		WHERE repository = ? AND number = ? AND number > 0 AND state IN ('open', 'merged', 'closed')`,
		state, ms(at), ms(s.now()), repo, number)
	if err != nil {
		return false, fmt.Errorf("recording the close of %s#%d: %w", repo, number, err)
	}
	n, err := res.RowsAffected()
	return n > 0, err
}

// Stats is what the digest says of onboarding in a period.
type Stats struct {
	Proposed, Merged, ClosedUnmerged int
	// MergeTimes are how long each pull request merged in the period was open.
	MergeTimes []time.Duration
}

// StatsBetween counts the proposals opened, merged and closed in [from, to).
func (s *Store) StatsBetween(ctx context.Context, from, to time.Time) (Stats, error) {
	var st Stats
	err := s.db.QueryRow(ctx, `SELECT
		(SELECT count(*) FROM onboarding_proposals WHERE opened_at >= ?1 AND opened_at < ?2),
		(SELECT count(*) FROM onboarding_proposals WHERE state = 'closed' AND closed_at >= ?1 AND closed_at < ?2)`,
		from.UnixMilli(), to.UnixMilli()).Scan(&st.Proposed, &st.ClosedUnmerged)
	if err != nil {
		return st, fmt.Errorf("counting onboarding proposals: %w", err)
	}
	rows, err := s.db.Query(ctx, `SELECT opened_at, closed_at FROM onboarding_proposals
		WHERE state = 'merged' AND closed_at >= ? AND closed_at < ? ORDER BY closed_at`, from.UnixMilli(), to.UnixMilli())
	if err != nil {
		return st, fmt.Errorf("reading merged onboarding proposals: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var opened, closed int64
		if err := rows.Scan(&opened, &closed); err != nil {
			return st, err
		}
		st.Merged++
		if opened > 0 && closed >= opened {
			st.MergeTimes = append(st.MergeTimes, time.Duration(closed-opened)*time.Millisecond)
		}
	}
	return st, rows.Err()
}
