package web

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/callboard/callboard/catalog"
	"github.com/callboard/callboard/internal/humanize"
)

const reposPerPage = 50

type reposView struct {
	Status, Text, Sort string
	Desc               bool
	Tabs               []tab
	Rows               []repoRow
	Total              int
	Page, Pages        int
	From, To           int
	Prev, Next         string
	Columns            []column
	Statuses           []option
	Sorts              []option
}

type tab struct {
	Label, URL string
	N          int
	Current    bool
	Status     string
}

type option struct {
	Value, Label string
	Selected     bool
}

type column struct {
	Label, URL, Sort string
	Current, Desc    bool
}

type repoRow struct {
	FullName, URL, Description string
	Status, StatusLabel        string
	Owners                     []link
	Via                        string // where the owner comes from: "catalog", "CODEOWNERS"
	CatalogURL                 string
	Problems                   int
	Updated                    string
}

func (s *Site) repositories(w http.ResponseWriter, r *http.Request, sess *Session) error {
	v := reposViewOf(r.URL.Query())
	list, err := s.cfg.Store.RepositoryList(r.Context(), catalog.RepoListQuery{Status: v.Status, Text: v.Text, Sort: v.Sort, Desc: v.Desc,
		Offset: (v.Page - 1) * reposPerPage, Limit: reposPerPage})
	if err != nil {
		return err
	}
	v.Total = list.Total
	v.Pages = max(1, (list.Total+reposPerPage-1)/reposPerPage)
	if v.Page > v.Pages && list.Total > 0 {
		http.Redirect(w, r, v.url(map[string]string{"page": strconv.Itoa(v.Pages)}), http.StatusSeeOther)
		return nil
	}
	v.From, v.To = (v.Page-1)*reposPerPage+1, (v.Page-1)*reposPerPage+len(list.Repositories)
	if v.Page > 1 {
		v.Prev = v.url(map[string]string{"page": strconv.Itoa(v.Page - 1)})
	}
	if v.Page < v.Pages {
		v.Next = v.url(map[string]string{"page": strconv.Itoa(v.Page + 1)})
	}
	v.controls(list.ByStatus)
	now := s.cfg.Now()
	for _, repo := range list.Repositories {
		v.Rows = append(v.Rows, repoRowOf(repo, list.Owners[repo.FullName], now))
	}
	return s.render(w, r, http.StatusOK, "repositories", &view{Title: "Repositories", Nav: "repositories", Session: sess, Data: v})
}

// reposViewOf reads the listing's parameters, each one that makes no sense
// replaced by its default.
func reposViewOf(q url.Values) reposView {
	v := reposView{Status: q.Get("status"), Text: strings.TrimSpace(q.Get("q")), Sort: q.Get("sort"), Desc: q.Get("dir") == "desc"}
	if !slices.Contains(catalog.RepoStatuses, v.Status) {
		v.Status = ""
	}
	if len(v.Text) > maxQuery {
		v.Text = v.Text[:maxQuery]
	}
	switch v.Sort {
	case catalog.RepoSortStatus, catalog.RepoSortUpdated:
	default:
		v.Sort = catalog.RepoSortName
	}
	v.Page, _ = strconv.Atoi(q.Get("page"))
	v.Page = max(v.Page, 1)
	return v
}

// controls are the listing's status tabs, filter and sort options and
// sortable column heads, given how many repositories have each status.
func (v *reposView) controls(byStatus map[string]int) {
	all := 0
	for _, n := range byStatus {
		all += n
	}
	v.Tabs = append(v.Tabs, tab{Label: "All", N: all, URL: v.url(map[string]string{"status": "", "page": ""}), Current: v.Status == ""})
	v.Statuses = append(v.Statuses, option{Value: "", Label: "Any status", Selected: v.Status == ""})
	for _, st := range catalog.RepoStatuses {
		v.Tabs = append(v.Tabs, tab{Label: statusLabel(st), N: byStatus[st], Status: st,
			URL: v.url(map[string]string{"status": st, "page": ""}), Current: v.Status == st})
		v.Statuses = append(v.Statuses, option{Value: st, Label: statusLabel(st), Selected: v.Status == st})
	}
	for _, o := range []option{{catalog.RepoSortName, "Name", false}, {catalog.RepoSortStatus, "Status", false}, {catalog.RepoSortUpdated, "Last updated", false}} {
		o.Selected = o.Value == v.Sort
		v.Sorts = append(v.Sorts, o)
	}
	for _, c := range []column{{Label: "Repository", Sort: catalog.RepoSortName}, {Label: "Status", Sort: catalog.RepoSortStatus}, {Label: "Owner"}, {Label: "Updated", Sort: catalog.RepoSortUpdated}} {
		if c.Sort != "" {
			c.Current = c.Sort == v.Sort
			dir := ""
			if c.Current && !v.Desc {
				dir = "desc"
			}
			c.Desc = c.Current && v.Desc
			c.URL = v.url(map[string]string{"sort": c.Sort, "dir": dir, "page": ""})
		}
		v.Columns = append(v.Columns, c)
	}
}

// repoRowOf is a repository as the listing shows it: its owners from the
// catalog (owners, as stored refs), else from CODEOWNERS.
func repoRowOf(repo *catalog.Repository, owners []string, now time.Time) repoRow {
	st := catalog.RepoStatusOf(repo)
	row := repoRow{FullName: repo.FullName, URL: repo.URL(), Description: repo.Description, Status: st, StatusLabel: statusLabel(st),
		Problems: len(repo.CatalogProblems), Updated: humanize.Ago(now, repo.UpdatedAt)}
	if repo.CatalogPath != "" && (st == catalog.RepoRegistered || st == catalog.RepoInvalid) {
		row.CatalogURL = repo.BlobURL(repo.CatalogPath)
	}
	if len(owners) > 0 {
		row.Via = "catalog"
		for _, o := range owners {
			row.Owners = append(row.Owners, link{Label: refName(o), URL: refPath(o)})
		}
	} else if rule, ok := catalog.RootOwners(repo); ok && len(rule.Owners) > 0 {
		row.Via = "CODEOWNERS"
		for _, o := range rule.Owners {
			row.Owners = append(row.Owners, link{Label: o})
		}
	}
	return row
}

// url is this listing's address with some parameters changed ("" removes one).
func (v *reposView) url(set map[string]string) string {
	q := url.Values{}
	put := func(k, val string) {
		if val != "" {
			q.Set(k, val)
		}
	}
	put("status", v.Status)
	put("q", v.Text)
	if v.Sort != catalog.RepoSortName {
		put("sort", v.Sort)
	}
	if v.Desc {
		put("dir", "desc")
	}
	if v.Page > 1 {
		put("page", strconv.Itoa(v.Page))
	}
	for k, val := range set {
		q.Del(k)
		if k == "sort" && val == catalog.RepoSortName {
			continue
		}
		put(k, val)
	}
	if len(q) == 0 {
		return "/repositories"
	}
	return "/repositories?" + q.Encode()
}
