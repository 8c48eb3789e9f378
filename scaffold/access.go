package scaffold

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/callboard/callboard/scaffold/nunjucks"
	"github.com/google/go-github/v62/github"
)

// mayAsk checks that whoever asks may have a repository created: the
// issue's author and the person who opened, edited or labelled it must be
// members of the organisation (asked of GitHub, not read from the payload's
// author_association) and, when the policy names teams, of one of them.
// msg says who may ask when they may not.
func (s *Service) mayAsk(ctx context.Context, gh GitHub, is Issue) (msg string, err error) {
	org := is.org()
	people := []string{is.Author}
	if is.Sender != "" && !strings.EqualFold(is.Sender, is.Author) {
		people = append(people, is.Sender)
	}
	for _, login := range people {
		ok, err := s.allowed(ctx, gh, org, login)
		if err != nil {
			return "", err
		}
		if !ok {
			s.log(is).Info("scaffold request from someone who may not ask", "repository", is.Repository, "issue", is.Number, "login", login)
			return fmt.Sprintf("`%s` may not request new services here: only %s may. Nothing was created.", code(login), s.Policy.whoMayAsk(org)), nil
		}
	}
	return "", nil
}

func (s *Service) allowed(ctx context.Context, gh GitHub, org, login string) (bool, error) {
	if login == "" {
		return false, nil
	}
	member, err := gh.IsMember(ctx, org, login)
	if err != nil || !member {
		return false, err
	}
	if len(s.Policy.AllowedTeams) == 0 {
		return true, nil
	}
	for _, slug := range s.Policy.teams(org) {
		in, err := gh.InTeam(ctx, org, slug, login)
		if err != nil {
			return false, err
		}
		if in {
			return true, nil
		}
	}
	return false, nil
}

// writable checks, before anything is created, that the App's installation
// may write everything the request needs: the repository (administration),
// its first commit (contents) and, when the skeleton has workflows, those
// (workflows). msg says what is missing.
func (s *Service) writable(ctx context.Context, gh GitHub, is Issue, files []File) (msg string, err error) {
	granted, err := gh.Permissions(ctx)
	if err != nil || granted == nil {
		return "", err
	}
	need := [][2]string{{"administration", "write"}, {"contents", "write"}}
	var workflows []string
	for _, f := range files {
		if inWorkflows(f.Path) {
			workflows = append(workflows, "`"+code(f.Path)+"`")
		}
	}
	if len(workflows) > 0 {
		need = append(need, [2]string{"workflows", "write"})
	}
	var missing []string
	for _, n := range need {
		if accessLevel(granted[n[0]]) < accessLevel(n[1]) {
			missing = append(missing, fmt.Sprintf("`%s: %s`", n[0], n[1]))
		}
	}
	if len(missing) == 0 {
		return "", nil
	}
	msg = fmt.Sprintf("callboard's GitHub App may not do what this request needs in this organisation: it lacks %s", strings.Join(missing, ", "))
	if len(workflows) > 0 && slices.Contains(missing, "`workflows: write`") {
		if len(workflows) > 5 {
			workflows = append(workflows[:5], "…")
		}
		msg += fmt.Sprintf(" (the skeleton has workflows: %s; the template can leave them out)", strings.Join(workflows, ", "))
	}
	return msg + ". An organisation owner can grant it; nothing was created.", nil
}

func accessLevel(a string) int {
	return map[string]int{"read": 1, "write": 2, "admin": 3}[a]
}

// Reason is what the issue says of an error: the scaffolder's own messages
// as they are, GitHub's answer in short (no URL, no request); the rest is
// in callboard's log.
func Reason(err error) string {
	var pe permanentError
	var be *nunjucks.BudgetError
	var re refusalError
	switch {
	case errors.As(err, &re):
		return re.Error()
	case errors.As(err, &pe):
		return pe.msg
	case errors.As(err, &be):
		return be.Error()
	}
	var er *github.ErrorResponse
	if errors.As(err, &er) && er.Response != nil {
		short := fmt.Sprintf("GitHub answered %d %s", er.Response.StatusCode, http.StatusText(er.Response.StatusCode))
		if er.Message != "" {
			short = fmt.Sprintf("GitHub answered %d (%s)", er.Response.StatusCode, oneLine(er.Message))
		}
		full := err.Error()
		if i := strings.Index(full, er.Error()); i > 0 {
			return full[:i] + short + "; callboard's log has the details"
		}
		return short + "; callboard's log has the details"
	}
	return "an unexpected error; callboard's log has the details"
}
