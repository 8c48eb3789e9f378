package digest

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/callboard/callboard/sqlite"
)

// Store holds the digest's records (migration 0005_digest.sql) in
// callboard's database: coverage snapshots, sends, merged pull requests.
type Store struct {
	db  *sqlite.DB
	Now func() time.Time
}

// NewStore returns the digest's records in db.
func NewStore(db *sqlite.DB) *Store {
	return &Store{db: db, Now: time.Now}
}

// Send channels.
const (
	ChannelEmail = "email"
	ChannelSlack = "slack"
)

// Send states.
const (
	StateSending = "sending"
	StateSent    = "sent"
	StateFailed  = "failed"
)

// SendRecord is one (week, channel, recipient) and how its sending went.
type SendRecord struct {
	Week      string
	Channel   string
	Recipient string
	State     string
	Attempts  int
	LastError string
	ClaimedAt time.Time
	SentAt    time.Time
}

// botSuffix marks GitHub App accounts (dependabot[bot]), left out of the KPIs.
const botSuffix = "[bot]"

// RecordMerge stores a merged pull request (a pull_request event, action
// closed, merged true). A redelivered event changes nothing. Merges by bots
// are stored but left out of the KPIs.
func (s *Store) RecordMerge(ctx context.Context, repo string, number int, author string, mergedAt time.Time) error {
	switch {
	case !strings.Contains(repo, "/"):
		return fmt.Errorf("recording merge: repository %q is not org/repo", repo)
	case number <= 0:
		return fmt.Errorf("recording merge of %s: pull request number %d", repo, number)
	case author == "":
		return fmt.Errorf("recording merge of %s#%d: no author", repo, number)
	case mergedAt.IsZero():
		return fmt.Errorf("recording merge of %s#%d: no merge time", repo, number)
	}
	_, err := s.db.Exec(ctx, `INSERT INTO merges (repo, number, author, merged_at) VALUES (?, ?, ?, ?) ON CONFLICT (repo, number) DO NOTHING`,
		repo, number, author, mergedAt.UTC().UnixMilli())
	if err != nil {
		return fmt.Errorf("recording merge of %s#%d: %w", repo, number, err)
	}
	return nil
}

// MergeWindow bounds who counts as a newcomer: an author whose first merged
// PR is at most Window before the end of the week, and at least Warmup after
// callboard began recording merges (an earlier "first" merge may only be the
// first one callboard saw).
type MergeWindow struct {
	Window time.Duration
	Warmup time.Duration
}

// DefaultMergeWindow is 90 days for newcomers, after a 28-day warm-up.
var DefaultMergeWindow = MergeWindow{Window: 90 * 24 * time.Hour, Warmup: 28 * 24 * time.Hour}

// MergeStats counts the merges of [from, to) and of the 7 days before, and
// follows the newcomers towards their 10th merged PR (merged before to).
func (s *Store) MergeStats(ctx context.Context, from, to time.Time, win MergeWindow) (MergeStats, error) {
	var m MergeStats
	count := func(from, to time.Time, merges, authors *int) error {
		return s.db.QueryRow(ctx, `SELECT count(*), count(DISTINCT lower(author)) FROM merges
			WHERE merged_at >= ? AND merged_at < ? AND author NOT LIKE ?`,
			from.UTC().UnixMilli(), to.UTC().UnixMilli(), "%"+botSuffix).Scan(merges, authors)
	}
	if err := count(from, to, &m.Merges, &m.Authors); err != nil {
		return m, fmt.Errorf("counting merges: %w", err)
	}
	if err := count(from.AddDate(0, 0, -7), from, &m.PrevMerges, &m.PrevAuthors); err != nil {
		return m, fmt.Errorf("counting merges: %w", err)
	}
	var since sql.NullInt64
	if err := s.db.QueryRow(ctx, `SELECT min(merged_at) FROM merges`).Scan(&since); err != nil {
		return m, fmt.Errorf("reading merges: %w", err)
	}
	if !since.Valid {
		return m, nil
	}
	m.Since = time.UnixMilli(since.Int64).UTC()
	m.NewcomersFrom = to.Add(-win.Window).UTC()
	if w := m.Since.Add(win.Warmup); w.After(m.NewcomersFrom) {
		m.NewcomersFrom = w
	}
	if !m.NewcomersFrom.Before(to) {
		return m, nil
	}
	rows, err := s.db.Query(ctx, `
		WITH firsts AS (
			SELECT lower(author) AS login, min(author) AS author, min(merged_at) AS first FROM merges
			WHERE author NOT LIKE ?3 GROUP BY lower(author) HAVING first >= ?1 AND first < ?2
		)
		SELECT f.author, f.first,
			(SELECT merged_at FROM merges m WHERE lower(m.author) = f.login AND m.merged_at < ?2 ORDER BY m.merged_at LIMIT 1 OFFSET 9),
			(SELECT count(*) FROM merges m WHERE lower(m.author) = f.login AND m.merged_at < ?2)
		FROM firsts f ORDER BY f.first, f.login`,
		m.NewcomersFrom.UnixMilli(), to.UTC().UnixMilli(), "%"+botSuffix)
	if err != nil {
		return m, fmt.Errorf("reading newcomers' merges: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var n Newcomer
		var first int64
		var tenth sql.NullInt64
		if err := rows.Scan(&n.Login, &first, &tenth, &n.Merged); err != nil {
			return m, fmt.Errorf("reading newcomers' merges: %w", err)
		}
		n.First = time.UnixMilli(first).UTC()
		if tenth.Valid {
			n.Tenth = time.UnixMilli(tenth.Int64).UTC()
		}
		n.Merged = min(n.Merged, 10)
		m.Newcomers = append(m.Newcomers, n)
	}
	return m, rows.Err()
}

// SaveSnapshot stores the coverage a week's digest reported; the latest for a week wins.
func (s *Store) SaveSnapshot(ctx context.Context, snap Snapshot) error {
	c := snap.Coverage
	_, err := s.db.Exec(ctx, `INSERT INTO digest_coverage (week, taken_at, repositories, registered, invalid, owned, documented, entities)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (week) DO UPDATE SET taken_at = excluded.taken_at, repositories = excluded.repositories,
		registered = excluded.registered, invalid = excluded.invalid, owned = excluded.owned,
		documented = excluded.documented, entities = excluded.entities`,
		snap.Week.String(), snap.TakenAt.UTC().UnixMilli(), c.Repositories, c.Registered, c.Invalid, c.Owned, c.Documented, c.Entities)
	if err != nil {
		return fmt.Errorf("saving the coverage of %s: %w", snap.Week, err)
	}
	return nil
}

// SnapshotBefore returns the latest coverage snapshot of a week before w, or nil.
func (s *Store) SnapshotBefore(ctx context.Context, w Week) (*Snapshot, error) {
	var snap Snapshot
	var week string
	var taken int64
	c := &snap.Coverage
	err := s.db.QueryRow(ctx, `SELECT week, taken_at, repositories, registered, invalid, owned, documented, entities
		FROM digest_coverage WHERE week < ? ORDER BY week DESC LIMIT 1`, w.String()).
		Scan(&week, &taken, &c.Repositories, &c.Registered, &c.Invalid, &c.Owned, &c.Documented, &c.Entities)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading the coverage before %s: %w", w, err)
	}
	if snap.Week, err = ParseWeek(week); err != nil {
		return nil, err
	}
	snap.TakenAt = time.UnixMilli(taken).UTC()
	return &snap, nil
}

// Claim marks (week, channel, recipient) as being sent by this process and
// reports whether it may send: not when it was sent already, nor while
// another process holds a claim younger than staleAfter (a claim that old is
// taken to be from a process that died mid-send). One statement, so two
// processes on the same file cannot both win.
func (s *Store) Claim(ctx context.Context, w Week, channel, recipient string, staleAfter time.Duration) (bool, error) {
	now := s.Now()
	res, err := s.db.Exec(ctx, `INSERT INTO digest_sends (week, channel, recipient, state, attempts, claimed_at) VALUES (?, ?, ?, 'sending', 1, ?)
		ON CONFLICT (week, channel, recipient) DO UPDATE SET state = 'sending', attempts = attempts + 1, claimed_at = excluded.claimed_at
		WHERE digest_sends.state = 'failed' OR (digest_sends.state = 'sending' AND digest_sends.claimed_at < ?)`,
		w.String(), channel, recipient, now.UnixMilli(), now.Add(-staleAfter).UnixMilli())
	if err != nil {
		return false, fmt.Errorf("claiming the %s digest of %s for %s: %w", channel, w, recipient, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, err
	}
	return n == 1, nil
}

// MarkSent records a send that went through.
func (s *Store) MarkSent(ctx context.Context, w Week, channel, recipient string) error {
	_, err := s.db.Exec(ctx, `UPDATE digest_sends SET state = 'sent', sent_at = ?, last_error = '' WHERE week = ? AND channel = ? AND recipient = ?`,
		s.Now().UnixMilli(), w.String(), channel, recipient)
	if err != nil {
		return fmt.Errorf("recording the %s digest of %s for %s as sent: %w", channel, w, recipient, err)
	}
	return nil
}

// MarkFailed records a send that failed, so the next run retries it.
func (s *Store) MarkFailed(ctx context.Context, w Week, channel, recipient string, cause error) error {
	msg := cause.Error()
	if len(msg) > 1000 {
		msg = msg[:1000]
	}
	_, err := s.db.Exec(ctx, `UPDATE digest_sends SET state = 'failed', last_error = ? WHERE week = ? AND channel = ? AND recipient = ?`,
		msg, w.String(), channel, recipient)
	if err != nil {
		return fmt.Errorf("recording the %s digest of %s for %s as failed: %w", channel, w, recipient, err)
	}
	return nil
}

// Sends returns the send records of a week.
func (s *Store) Sends(ctx context.Context, w Week) ([]SendRecord, error) {
	rows, err := s.db.Query(ctx, `SELECT week, channel, recipient, state, attempts, last_error, claimed_at, sent_at
		FROM digest_sends WHERE week = ? ORDER BY channel, recipient`, w.String())
	if err != nil {
		return nil, fmt.Errorf("reading the sends of %s: %w", w, err)
	}
	defer rows.Close()
	var out []SendRecord
	for rows.Next() {
		var r SendRecord
		var claimed, sent int64
		if err := rows.Scan(&r.Week, &r.Channel, &r.Recipient, &r.State, &r.Attempts, &r.LastError, &claimed, &sent); err != nil {
			return nil, err
		}
		r.ClaimedAt = time.UnixMilli(claimed).UTC()
		if sent > 0 {
			r.SentAt = time.UnixMilli(sent).UTC()
		}
		out = append(out, r)
	}
	return out, rows.Err()
}
