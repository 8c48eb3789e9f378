package fakegithub

import (
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"time"
)

var checkConclusions = []string{"action_required", "cancelled", "failure", "neutral", "success", "skipped", "stale", "timed_out"}

// checkRunBody is the body of both creating and updating a check run.
type checkRunBody struct {
	Name, Status, Conclusion *string
	HeadSHA                  *string `json:"head_sha"`
	Output                   map[string]any
}

func (s *Server) createCheckRun(w http.ResponseWriter, r *http.Request, rp *repo) (int, any) {
	var body checkRunBody
	if !decode(r, &body) {
		return badJSON()
	}
	if body.Name == nil || *body.Name == "" || body.HeadSHA == nil || *body.HeadSHA == "" {
		return invalid("CheckRun", "name", "name and head_sha are required")
	}
	cr := &checkRun{CheckRun: CheckRun{ID: s.newID(), Status: "queued"}, started: time.Now()}
	if status, errBody := applyCheckRun(cr, body); status != 0 {
		return status, errBody
	}
	rp.checkRuns = append(rp.checkRuns, cr)
	return http.StatusCreated, s.checkRunJSON(rp, cr)
}

func (s *Server) updateCheckRun(w http.ResponseWriter, r *http.Request, rp *repo) (int, any) {
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	old := find(rp.checkRuns, func(c *checkRun) bool { return c.ID == id })
	if old == nil {
		return notFound()
	}
	var body checkRunBody
	if !decode(r, &body) {
		return badJSON()
	}
	// Apply to a copy, so that a refused update changes nothing.
	cr := *old
	if status, errBody := applyCheckRun(&cr, body); status != 0 {
		return status, errBody
	}
	*old = cr
	return http.StatusOK, s.checkRunJSON(rp, old)
}

// applyCheckRun applies a create or update body, validating as GitHub does;
// a non-zero status means the body was refused.
func applyCheckRun(cr *checkRun, b checkRunBody) (int, any) {
	setIf(&cr.Name, b.Name)
	setIf(&cr.HeadSHA, b.HeadSHA)
	setIf(&cr.Status, b.Status)
	setIf(&cr.Conclusion, b.Conclusion)
	if b.Conclusion != nil {
		cr.Status = "completed"
	}
	if cr.Status == "completed" && !slices.Contains(checkConclusions, cr.Conclusion) {
		return invalid("CheckRun", "conclusion", "conclusion is required when status is completed")
	}
	if cr.Status == "completed" && cr.completed.IsZero() {
		cr.completed = time.Now()
	}
	if b.Output == nil {
		return 0, nil
	}
	if b.Output["title"] == nil || b.Output["summary"] == nil {
		return invalid("CheckRun", "output", "output needs a title and a summary")
	}
	cr.Output = maps.Clone(b.Output)
	delete(cr.Output, "annotations")
	raw, _ := b.Output["annotations"].([]any)
	if len(raw) > 50 {
		return invalid("CheckRun", "annotations", "only 50 annotations are allowed per request")
	}
	var batch []map[string]any
	for _, a := range raw {
		if a, ok := a.(map[string]any); ok {
			batch = append(batch, a)
		}
	}
	if batch != nil {
		cr.AnnotationBatches = append(slices.Clip(cr.AnnotationBatches), batch)
	}
	return 0, nil
}

func (s *Server) checkRunJSON(rp *repo, cr *checkRun) map[string]any {
	url := fmt.Sprintf("%s/check-runs/%d", s.repoURL(rp), cr.ID)
	output := map[string]any{"title": nil, "summary": nil, "text": nil, "annotations_url": url + "/annotations"}
	maps.Copy(output, cr.Output)
	count := 0
	for _, b := range cr.AnnotationBatches {
		count += len(b)
	}
	output["annotations_count"] = count
	return map[string]any{
		"id": cr.ID, "name": cr.Name, "head_sha": cr.HeadSHA,
		"status": cr.Status, "conclusion": nullable(cr.Conclusion), "output": output,
		"started_at": ts(cr.started), "completed_at": ts(cr.completed),
		"url": url, "html_url": fmt.Sprintf("https://github.com/%s/runs/%d", rp.FullName, cr.ID),
		"check_suite": map[string]any{"id": 1},
		"app":         map[string]any{"id": 1, "slug": "callboard", "name": "callboard"}, "pull_requests": []any{},
	}
}

func setIf(dst, src *string) {
	if src != nil {
		*dst = *src
	}
}
