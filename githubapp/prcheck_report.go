package githubapp

import (
	"context"
	"fmt"

	"github.com/callboard/callboard/catalog/check"
	"github.com/callboard/callboard/internal/ghapi"
	"github.com/google/go-github/v62/github"
)

// maxAnnotations is how many annotations GitHub takes in one request.
const maxAnnotations = 50

// writeCheckRun creates the completed check run at the head commit, its
// annotations sent in batches of 50.
func (c *prChecker) writeCheckRun(ctx context.Context, gh *github.Client, owner, name string, t prTarget, r *check.Report) (string, error) {
	anns := r.Annotations()
	batch := func(i int) []*github.CheckRunAnnotation {
		var out []*github.CheckRunAnnotation
		for _, a := range anns[i:min(i+maxAnnotations, len(anns))] {
			out = append(out, &github.CheckRunAnnotation{
				Path: github.String(a.Path), StartLine: github.Int(a.Line), EndLine: github.Int(a.Line),
				AnnotationLevel: github.String(a.Level), Title: github.String(a.Title), Message: github.String(a.Message),
			})
		}
		return out
	}
	output := &github.CheckRunOutput{Title: github.String(r.Title()), Summary: github.String(r.Summary()), Annotations: batch(0)}
	run, _, err := gh.Checks.CreateCheckRun(ctx, owner, name, github.CreateCheckRunOptions{
		Name: check.CheckRunName, HeadSHA: t.headSHA, Status: github.String("completed"),
		Conclusion: github.String(r.Conclusion), Output: output,
	})
	if err != nil {
		return "", fmt.Errorf("creating the check run on %s@%s: %w", t.repo.FullName, t.headSHA, err)
	}
	for i := maxAnnotations; i < len(anns); i += maxAnnotations {
		_, _, err := gh.Checks.UpdateCheckRun(ctx, owner, name, run.GetID(), github.UpdateCheckRunOptions{
			Name:   check.CheckRunName,
			Output: &github.CheckRunOutput{Title: github.String(r.Title()), Summary: github.String(r.Summary()), Annotations: batch(i)},
		})
		if err != nil {
			return "", fmt.Errorf("adding annotations to the check run on %s: %w", t.repo.FullName, err)
		}
	}
	return run.GetHTMLURL(), nil
}

// writeComment keeps one comment per pull request, found by its marker and
// edited in place; a pull request that passes gets none unless one exists.
func (c *prChecker) writeComment(ctx context.Context, gh *github.Client, owner, name string, t prTarget, r *check.Report, checksURL string) error {
	id, err := c.comments.get(ctx, t.repo.ID, t.number)
	if err != nil {
		return fmt.Errorf("reading the comment of %s#%d: %w", t.repo.FullName, t.number, err)
	}
	sticky := ghapi.Sticky{GH: gh, AppID: c.clients.AppID(), FullName: t.repo.FullName, Number: t.number, Marker: check.Marker}
	if id == 0 {
		// Not recorded (first run, or a database restored from backup): look for the marker.
		if id, err = sticky.Find(ctx); err != nil {
			return err
		}
	}
	written, err := sticky.Write(ctx, id, r.Comment(checksURL), r.Conclusion != check.Success)
	if err != nil {
		return err
	}
	if written == 0 {
		if id != 0 {
			// Someone deleted it: forget it.
			if err := c.comments.forget(ctx, t.repo.ID, t.number); err != nil {
				return fmt.Errorf("forgetting the deleted comment on %s#%d: %w", t.repo.FullName, t.number, err)
			}
		}
		return nil
	}
	return c.comments.remember(ctx, t.repo.ID, t.number, written)
}
