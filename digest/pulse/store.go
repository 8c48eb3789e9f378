package pulse

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/callboard/callboard/digest/kpi"
	"github.com/callboard/callboard/sqlite"
)

// RoundOpen is how long a round takes answers after it starts.
const RoundOpen = 14 * 24 * time.Hour

// MaxComment bounds a comment, in characters.
const MaxComment = 1000

// Store keeps rounds and answers (migration 0015_kpi.sql).
type Store struct {
	db  *sqlite.DB
	Now func() time.Time
}

// NewStore returns the pulse's records in db.
func NewStore(db *sqlite.DB) *Store { return &Store{db: db, Now: time.Now} }

// Outcome is what became of an answer.
type Outcome int

// Outcomes of Record.
const (
	Recorded     Outcome = iota // the person's answer of the round
	Already                     // they had answered this round: the first answer stands
	CommentAdded                // a comment on their answer
	Closed                      // the round no longer takes answers
	NoRound                     // no such round
)

// Answer is one person's answer: Score 0–10, or -1 for a comment alone
// (on an answer already given).
type Answer struct {
	Round   string
	Team    string // Slack team (workspace) id
	User    string // Slack user id
	Score   int
	Comment string
}

// StartRound opens a round and reports whether it is new: a round started
// twice keeps its first start and key; asked is how many people were asked
// (0: unknown).
func (s *Store) StartRound(ctx context.Context, round string, at time.Time, asked int) (bool, error) {
	if round == "" || len(round) > 40 {
		return false, fmt.Errorf("starting a pulse round: name %q", round)
	}
	salt := make([]byte, 32)
	if _, err := rand.Read(salt); err != nil {
		return false, err
	}
	res, err := s.db.Exec(ctx, `INSERT INTO pulse_rounds (round, started_at, asked, salt) VALUES (?, ?, ?, ?)
		ON CONFLICT (round) DO NOTHING`, round, at.UTC().UnixMilli(), max(asked, 0), salt)
	if err != nil {
		return false, fmt.Errorf("starting pulse round %s: %w", round, err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// Record stores an answer: the first of a person in a round counts, a later
// score is refused (Already), a comment is added to their answer. It checks
// the answer first; nothing is stored for a bad one.
func (s *Store) Record(ctx context.Context, a Answer) (Outcome, error) {
	comment, err := checkAnswer(a)
	if err != nil {
		return 0, err
	}
	var out Outcome
	err = s.db.WithTx(ctx, func(tx *sql.Tx) error {
		var started int64
		var salt []byte
		err := tx.QueryRowContext(ctx, `SELECT started_at, salt FROM pulse_rounds WHERE round = ?`, a.Round).Scan(&started, &salt)
		if errors.Is(err, sql.ErrNoRows) {
			out = NoRound
			return nil
		}
		if err != nil {
			return err
		}
		if s.Now().After(time.UnixMilli(started).Add(RoundOpen)) {
			out = Closed
			return nil
		}
		who := respondent(salt, a.Team, a.User)
		if a.Score == -1 {
			res, err := tx.ExecContext(ctx, `UPDATE pulse_answers SET comment = ? WHERE round = ? AND respondent = ?`, comment, a.Round, who)
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n == 0 {
				return errors.New("a pulse comment before a score")
			}
			out = CommentAdded
			return nil
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO pulse_answers (round, respondent, score, comment) VALUES (?, ?, ?, ?)
			ON CONFLICT (round, respondent) DO NOTHING`, a.Round, who, a.Score, comment)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			out = Already
			return nil
		}
		out = Recorded
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("recording a pulse answer in round %s: %w", a.Round, err)
	}
	return out, nil
}

// checkAnswer refuses a bad answer, and returns its comment trimmed and
// bounded.
func checkAnswer(a Answer) (string, error) {
	switch {
	case a.Team == "" || a.User == "":
		return "", errors.New("a pulse answer names no Slack user")
	case a.Score < -1 || a.Score > 10:
		return "", fmt.Errorf("a pulse score is 0 to 10, not %d", a.Score)
	case a.Score == -1 && strings.TrimSpace(a.Comment) == "":
		return "", errors.New("a pulse answer with neither score nor comment")
	case !utf8.ValidString(a.Comment):
		return "", errors.New("a pulse comment that is not UTF-8")
	}
	comment := strings.TrimSpace(a.Comment)
	if utf8.RuneCountInString(comment) > MaxComment {
		comment = string([]rune(comment)[:MaxComment])
	}
	return comment, nil
}

// respondent is the key an answer is kept under: enough to tell that a
// person answered this round, not enough to say who (the round's salt is
// random, and a person's key differs from round to round).
func respondent(salt []byte, team, user string) []byte {
	m := hmac.New(sha256.New, salt)
	m.Write([]byte(team + "/" + user))
	return m.Sum(nil)
}

// PulseRounds returns the rounds started since a time with their scores,
// oldest first (the KPIs' source; nothing in them names anyone).
func (s *Store) PulseRounds(ctx context.Context, since time.Time) ([]kpi.PulseRound, error) {
	rows, err := s.db.Query(ctx, `SELECT r.round, r.started_at, r.asked, a.score FROM pulse_rounds r
		LEFT JOIN pulse_answers a ON a.round = r.round WHERE r.started_at >= ? ORDER BY r.started_at, r.round LIMIT 1000000`,
		since.UTC().UnixMilli())
	if err != nil {
		return nil, fmt.Errorf("reading pulse rounds: %w", err)
	}
	defer rows.Close()
	var out []kpi.PulseRound
	for rows.Next() {
		var round string
		var started int64
		var asked int
		var score sql.NullInt64
		if err := rows.Scan(&round, &started, &asked, &score); err != nil {
			return nil, fmt.Errorf("reading pulse rounds: %w", err)
		}
		if len(out) == 0 || out[len(out)-1].Round != round {
			out = append(out, kpi.PulseRound{Round: round, Start: time.UnixMilli(started).UTC(), Asked: asked})
		}
		if score.Valid {
			r := &out[len(out)-1]
			r.Scores = append(r.Scores, int(score.Int64))
		}
	}
	return out, rows.Err()
}
