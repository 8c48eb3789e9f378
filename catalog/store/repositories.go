package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/callboard/callboard/catalog"
)

const repoColumns = `github_id, full_name, description, html_url, default_branch, private, archived,
	source, catalog_path, catalog_status, catalog_problems, codeowners_path, codeowners, updated_at, catalog_files,
	archived_at, former_owners`

// PutRepository inserts or updates a repository, keyed by its GitHub id when
// it has one (so a rename updates the row), else by its full name. The
// GitHub App installation it was last seen through stays as stored.
func (s *Store) PutRepository(ctx context.Context, r *catalog.Repository) error {
	return s.PutInstalledRepository(ctx, 0, r)
}

// PutInstalledRepository is PutRepository for a repository seen through
// the GitHub App installation inst (0: the one stored stays).
func (s *Store) PutInstalledRepository(ctx context.Context, inst int64, r *catalog.Repository) error {
	defer s.wrote()
	return s.db.WithTx(ctx, func(tx *sql.Tx) error {
		if err := s.putRepository(ctx, tx, inst, r); err != nil {
			return fmt.Errorf("storing repository %s: %w", r.FullName, err)
		}
		return nil
	})
}

func (s *Store) putRepository(ctx context.Context, tx *sql.Tx, installation int64, r *catalog.Repository) error {
	if r.FullName == "" || !strings.Contains(r.FullName, "/") {
		return fmt.Errorf("repository name %q is not org/repo", r.FullName)
	}
	if r.CatalogStatus == "" {
		r.CatalogStatus = catalog.StatusMissing
	}
	if r.Source == "" {
		r.Source = "repo:" + strings.ToLower(r.FullName)
	}
	r.UpdatedAt = s.Now()
	args, err := repositoryArgs(installation, r)
	if err != nil {
		return err
	}
	if r.GitHubID != 0 {
		// A renamed repository keeps its id; free the new name first if a stale row holds it.
		if _, err := tx.ExecContext(ctx, `DELETE FROM repositories WHERE full_name = ? AND (github_id IS NULL OR github_id != ?)`, r.FullName, r.GitHubID); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, repoUpsert+`ON CONFLICT (github_id) DO UPDATE SET full_name = excluded.full_name, `+repoUpdate, args...)
		return err
	}
	_, err = tx.ExecContext(ctx, repoUpsert+`ON CONFLICT (full_name) DO UPDATE SET `+repoUpdate, args...)
	return err
}

// repositoryArgs are the values of a repository's row, in repoUpsert's
// order; lists are stored as JSON, and a missing list as [].
func repositoryArgs(installation int64, r *catalog.Repository) ([]any, error) {
	problems, err := jsonList(r.CatalogProblems)
	if err != nil {
		return nil, err
	}
	var co []byte
	if r.Codeowners != nil {
		if co, err = json.Marshal(r.Codeowners); err != nil {
			return nil, err
		}
	}
	files, err := jsonList(r.CatalogFiles)
	if err != nil {
		return nil, err
	}
	var archivedAt int64
	if !r.ArchivedAt.IsZero() {
		archivedAt = r.ArchivedAt.UnixMilli()
	}
	former, err := jsonList(r.FormerOwners)
	if err != nil {
		return nil, err
	}
	return []any{nullIfZero(r.GitHubID), r.FullName, r.Name(), r.Description, r.HTMLURL, r.DefaultBranch, r.Private, r.Archived,
		nullIfZero(installation), r.Source, r.CatalogPath, r.CatalogStatus, string(problems), r.CodeownersPath, string(co),
		r.UpdatedAt.UnixMilli(), string(files), archivedAt, string(former)}, nil
}

// jsonList encodes a list, and a nil one as [] rather than null.
func jsonList[T any](v []T) ([]byte, error) {
	if v == nil {
		return []byte("[]"), nil
	}
	return json.Marshal(v)
}

// nullIfZero stores 0 as NULL.
func nullIfZero(v int64) any {
	if v == 0 {
		return nil
	}
	return v
}

// The insert of a repository row, and what a conflict updates: everything
// but the key it conflicted on.
const (
	repoUpsert = `INSERT INTO repositories (github_id, full_name, name, description, html_url, default_branch, private, archived,
		installation_id, source, catalog_path, catalog_status, catalog_problems, codeowners_path, codeowners, updated_at, catalog_files,
		archived_at, former_owners)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) `
	repoUpdate = `name = excluded.name, description = excluded.description,
		html_url = excluded.html_url, default_branch = excluded.default_branch, private = excluded.private, archived = excluded.archived,
		installation_id = coalesce(excluded.installation_id, repositories.installation_id), source = excluded.source, catalog_path = excluded.catalog_path,
		catalog_status = excluded.catalog_status, catalog_problems = excluded.catalog_problems,
		codeowners_path = excluded.codeowners_path, codeowners = excluded.codeowners, updated_at = excluded.updated_at,
		catalog_files = excluded.catalog_files, archived_at = excluded.archived_at, former_owners = excluded.former_owners`
)

// Repository returns the repository named org/repo (case-insensitive), or catalog.ErrNotFound.
func (s *Store) Repository(ctx context.Context, fullName string) (*catalog.Repository, error) {
	rs, err := s.repos(ctx, `WHERE full_name = ?`, fullName)
	if err != nil {
		return nil, err
	}
	if len(rs) == 0 {
		return nil, fmt.Errorf("%w: repository %s", catalog.ErrNotFound, fullName)
	}
	return rs[0], nil
}

// RepositoryByID returns the repository with a GitHub id, or catalog.ErrNotFound.
func (s *Store) RepositoryByID(ctx context.Context, id int64) (*catalog.Repository, error) {
	rs, err := s.repos(ctx, `WHERE github_id = ?`, id)
	if err != nil {
		return nil, err
	}
	if len(rs) == 0 {
		return nil, fmt.Errorf("%w: repository id %d", catalog.ErrNotFound, id)
	}
	return rs[0], nil
}

// RepositoriesByName returns the repositories called name in any organisation.
func (s *Store) RepositoriesByName(ctx context.Context, name string) ([]*catalog.Repository, error) {
	return s.repos(ctx, `WHERE name = ? ORDER BY full_name`, name)
}

// Repositories returns every repository.
func (s *Store) Repositories(ctx context.Context) ([]*catalog.Repository, error) {
	return s.repos(ctx, `ORDER BY full_name`)
}

// InstalledRepositories returns the full names of the repositories last
// seen through the GitHub App installation inst.
func (s *Store) InstalledRepositories(ctx context.Context, inst int64) ([]string, error) {
	rows, err := s.db.Query(ctx, `SELECT full_name FROM repositories WHERE installation_id = ? ORDER BY full_name`, inst)
	if err != nil {
		return nil, err
	}
	return scanStrings(rows)
}

// DeleteRepository removes a repository row and every entity its files declared.
func (s *Store) DeleteRepository(ctx context.Context, fullName string) ([]string, error) {
	r, err := s.Repository(ctx, fullName)
	if err != nil {
		return nil, err
	}
	var res catalog.ReplaceResult
	err = s.replacing(ctx, "", func(tx *sql.Tx, st *statements) error {
		if res, err = s.replace(ctx, st, r.Source, nil, catalog.ReplaceOptions{}); err != nil {
			return fmt.Errorf("removing entities of %s: %w", fullName, err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM repositories WHERE full_name = ?`, fullName); err != nil {
			return fmt.Errorf("removing repository %s: %w", fullName, err)
		}
		return nil
	})
	return res.Removed, err
}

// SyncRepository stores a repository and replaces the entities its catalog
// files declare, in one transaction, so the row and the entities never
// disagree. The installation it was last seen through stays as stored.
func (s *Store) SyncRepository(ctx context.Context, r *catalog.Repository, decl []catalog.Declared, opts catalog.ReplaceOptions) (catalog.ReplaceResult, error) {
	return s.SyncInstalledRepository(ctx, 0, r, decl, opts)
}

// SyncInstalledRepository is SyncRepository for a repository seen through
// the GitHub App installation inst (0: the one stored stays).
func (s *Store) SyncInstalledRepository(ctx context.Context, inst int64, r *catalog.Repository, decl []catalog.Declared, opts catalog.ReplaceOptions) (catalog.ReplaceResult, error) {
	enc, err := encodeAll([]catalog.SourceBatch{{Entities: decl}})
	if err != nil {
		return catalog.ReplaceResult{}, err
	}
	var res catalog.ReplaceResult
	err = s.replacing(ctx, "", func(tx *sql.Tx, st *statements) error {
		if err := s.putRepository(ctx, tx, inst, r); err != nil {
			return fmt.Errorf("storing repository %s: %w", r.FullName, err)
		}
		if res, err = s.replace(ctx, st, r.Source, enc[0], opts); err != nil {
			return fmt.Errorf("replacing entities of %s: %w", r.FullName, err)
		}
		return nil
	})
	if err != nil {
		return catalog.ReplaceResult{}, err
	}
	return res, nil
}

func (s *Store) repos(ctx context.Context, where string, args ...any) ([]*catalog.Repository, error) {
	rows, err := s.db.Query(ctx, `SELECT `+repoColumns+` FROM repositories `+where, args...)
	if err != nil {
		return nil, fmt.Errorf("reading repositories: %w", err)
	}
	defer rows.Close()
	var out []*catalog.Repository
	for rows.Next() {
		var r catalog.Repository
		var gid sql.NullInt64
		var problems, co, files, former string
		var updated, archivedAt int64
		if err := rows.Scan(&gid, &r.FullName, &r.Description, &r.HTMLURL, &r.DefaultBranch, &r.Private, &r.Archived,
			&r.Source, &r.CatalogPath, &r.CatalogStatus, &problems, &r.CodeownersPath, &co, &updated, &files,
			&archivedAt, &former); err != nil {
			return nil, err
		}
		if archivedAt != 0 {
			r.ArchivedAt = time.UnixMilli(archivedAt)
		}
		if err := json.Unmarshal([]byte(former), &r.FormerOwners); err != nil {
			return nil, fmt.Errorf("decoding former owners of %s: %w", r.FullName, err)
		}
		r.GitHubID = gid.Int64
		r.UpdatedAt = time.UnixMilli(updated)
		if err := json.Unmarshal([]byte(problems), &r.CatalogProblems); err != nil {
			return nil, fmt.Errorf("decoding problems of %s: %w", r.FullName, err)
		}
		if err := json.Unmarshal([]byte(files), &r.CatalogFiles); err != nil {
			return nil, fmt.Errorf("decoding catalog files of %s: %w", r.FullName, err)
		}
		if co != "" {
			var c catalog.Codeowners
			if err := json.Unmarshal([]byte(co), &c); err != nil {
				return nil, fmt.Errorf("decoding CODEOWNERS of %s: %w", r.FullName, err)
			}
			r.Codeowners = &c
		}
		out = append(out, &r)
	}
	return out, rows.Err()
}
