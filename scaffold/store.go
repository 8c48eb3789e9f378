package scaffold

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/callboard/callboard/sqlite"
)

// Request states.
const (
	StateRefused = "refused" // the answers do not validate; an edit retries
	StateRunning = "running" // accepted; steps under way or to resume
	StateFailed  = "failed"  // a step failed in a way retrying cannot fix; an edit retries
	StateDone    = "done"
)

// Steps a running request records as it completes them, in order.
const (
	stepAccepted   = ""
	stepStarted    = "started"    // the status comment says work started
	stepCreated    = "created"    // the repository exists (created_repo_id)
	stepCommitted  = "committed"  // the files are on its default branch
	stepConfigured = "configured" // default branch and team access set
	stepRegistered = "registered" // the catalog holds its entities
	stepReported   = "reported"   // the result comment is posted
)

var stepOrder = []string{stepAccepted, stepStarted, stepCreated, stepCommitted, stepConfigured, stepRegistered, stepReported}

func stepIndex(s string) int {
	for i, x := range stepOrder {
		if x == s {
			return i
		}
	}
	return 0
}

// Request is one scaffold request and its progress.
type Request struct {
	RepoID          int64
	Number          int
	Repository      string
	Author          string
	TemplateRef     string
	State           string
	Step            string
	Params          map[string]any
	OwnerRef        string
	Target          string
	CreateStartedAt time.Time
	CreatedRepoID   int64
	DefaultBranch   string
	CommitSHA       string
	EntityRef       string
	CommentID       int64
	ResultCommentID int64
	LastError       string
	CreatedAt       time.Time
	UpdatedAt       time.Time
}

// done reports whether step s is completed.
func (r *Request) done(s string) bool { return stepIndex(r.Step) >= stepIndex(s) }

// Store keeps scaffold requests (migration 0006_scaffold.sql) in
// callboard's database.
type Store struct {
	db  *sqlite.DB
	now func() time.Time
}

// NewStore returns the requests store in db.
func NewStore(db *sqlite.DB, now func() time.Time) *Store {
	if now == nil {
		now = time.Now
	}
	return &Store{db: db, now: now}
}

const requestColumns = `repository_id, issue_number, repository, author, template_ref, state, step, params, owner_ref, target,
	create_started_at, created_repo_id, default_branch, commit_sha, entity_ref, comment_id, result_comment_id, last_error, created_at, updated_at`

// Get returns the request for an issue, or nil when there is none.
func (s *Store) Get(ctx context.Context, repoID int64, number int) (*Request, error) {
	var r Request
	var params string
	var started, created, updated int64
	err := s.db.QueryRow(ctx, `SELECT `+requestColumns+` FROM scaffold_requests WHERE repository_id = ? AND issue_number = ?`, repoID, number).Scan(
		&r.RepoID, &r.Number, &r.Repository, &r.Author, &r.TemplateRef, &r.State, &r.Step, &params, &r.OwnerRef, &r.Target,
		&started, &r.CreatedRepoID, &r.DefaultBranch, &r.CommitSHA, &r.EntityRef, &r.CommentID, &r.ResultCommentID, &r.LastError, &created, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading scaffold request %d#%d: %w", repoID, number, err)
	}
	if err := json.Unmarshal([]byte(params), &r.Params); err != nil {
		return nil, fmt.Errorf("reading scaffold request %d#%d: params: %w", repoID, number, err)
	}
	if started > 0 {
		r.CreateStartedAt = time.UnixMilli(started)
	}
	r.CreatedAt, r.UpdatedAt = time.UnixMilli(created), time.UnixMilli(updated)
	return &r, nil
}

// Save writes a request, creating or replacing its row.
func (s *Store) Save(ctx context.Context, r *Request) error {
	params, err := json.Marshal(r.Params)
	if err != nil {
		return fmt.Errorf("saving scaffold request %s#%d: %w", r.Repository, r.Number, err)
	}
	now := s.now()
	if r.CreatedAt.IsZero() {
		r.CreatedAt = now
	}
	r.UpdatedAt = now
	var started int64
	if !r.CreateStartedAt.IsZero() {
		started = r.CreateStartedAt.UnixMilli()
	}
	_, err = s.db.Exec(ctx, `INSERT INTO scaffold_requests (`+requestColumns+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (repository_id, issue_number) DO UPDATE SET
			repository = excluded.repository, author = excluded.author, template_ref = excluded.template_ref,
			state = excluded.state, step = excluded.step, params = excluded.params, owner_ref = excluded.owner_ref,
			target = excluded.target, create_started_at = excluded.create_started_at, created_repo_id = excluded.created_repo_id,
			default_branch = excluded.default_branch, commit_sha = excluded.commit_sha, entity_ref = excluded.entity_ref,
			comment_id = excluded.comment_id, result_comment_id = excluded.result_comment_id, last_error = excluded.last_error,
			updated_at = excluded.updated_at`,
		r.RepoID, r.Number, r.Repository, r.Author, r.TemplateRef, r.State, r.Step, string(params), r.OwnerRef, r.Target,
		started, r.CreatedRepoID, r.DefaultBranch, r.CommitSHA, r.EntityRef, r.CommentID, r.ResultCommentID, r.LastError,
		r.CreatedAt.UnixMilli(), r.UpdatedAt.UnixMilli())
	if err != nil {
		return fmt.Errorf("saving scaffold request %s#%d: %w", r.Repository, r.Number, err)
	}
	return nil
}

// Claimed reports another request that is creating, or created, the
// repository target (org/name) or the repository with GitHub id repoID.
func (s *Store) Claimed(ctx context.Context, r *Request, target string, repoID int64) (string, error) {
	var repo string
	var number int
	err := s.db.QueryRow(ctx, `SELECT repository, issue_number FROM scaffold_requests
		WHERE NOT (repository_id = ? AND issue_number = ?)
		  AND ((target = ? COLLATE NOCASE AND state IN ('running', 'failed', 'done')) OR (created_repo_id = ? AND created_repo_id != 0))
		LIMIT 1`, r.RepoID, r.Number, strings.ToLower(target), repoID).Scan(&repo, &number)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("looking for other requests for %s: %w", target, err)
	}
	return fmt.Sprintf("%s#%d", repo, number), nil
}
