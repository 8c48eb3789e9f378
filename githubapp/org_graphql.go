package githubapp

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/callboard/callboard/catalog"
)

// Teams and members through GraphQL: a page of 100 teams with the first
// 100 members of each costs one query (and one point); a team with more
// members, and the organisation's members, page on.
const (
	teamsQuery = `query Teams($org:String!,$after:String){organization(login:$org){teams(first:100,after:$after){
 pageInfo{hasNextPage endCursor} nodes{slug name description parentTeam{slug} members(first:100,membership:IMMEDIATE){pageInfo{hasNextPage endCursor} nodes{login}}}}}` + rateLimitField + `}`
	teamMembersQuery = `query TeamMembers($org:String!,$slug:String!,$after:String){organization(login:$org){team(slug:$slug){
 members(first:100,after:$after,membership:IMMEDIATE){pageInfo{hasNextPage endCursor} nodes{login}}}}` + rateLimitField + `}`
	orgMembersQuery = `query Members($org:String!,$after:String){organization(login:$org){membersWithRole(first:100,after:$after){
 pageInfo{hasNextPage endCursor} nodes{login}}}` + rateLimitField + `}`
)

type gqlPageInfo struct {
	HasNextPage bool    `json:"hasNextPage"`
	EndCursor   *string `json:"endCursor"`
}

type gqlLogins struct {
	PageInfo gqlPageInfo `json:"pageInfo"`
	Nodes    []struct {
		Login string `json:"login"`
	} `json:"nodes"`
}

// syncOrg reads an organisation's teams and members through GraphQL, or
// through REST where GraphQL does not answer.
func (j *job) syncOrg(ctx context.Context, org string) (catalog.ReplaceResult, error) {
	if !j.restOnly.Load() {
		st, err := j.readOrg(ctx, org)
		if err == nil {
			return j.b.sync.saveOrg(ctx, st)
		}
		if !errors.Is(err, errGraphQLUnavailable) {
			return catalog.ReplaceResult{}, err
		}
		j.b.log.Warn("reading teams through REST: GraphQL did not answer", "installation", j.inst, "err", err)
	}
	if err := j.spend(ctx, resourceCore, restPerBatch); err != nil {
		return catalog.ReplaceResult{}, err
	}
	return j.b.sync.syncOrg(ctx, j.gh, org)
}

func (j *job) readOrg(ctx context.Context, org string) (*orgState, error) {
	st := newOrgState(org)
	if err := j.readTeams(ctx, st); err != nil {
		return nil, err
	}
	if err := j.readMembers(ctx, st); err != nil {
		return nil, err
	}
	return st, nil
}

// readTeams pages through the organisation's teams and their members.
func (j *job) readTeams(ctx context.Context, st *orgState) error {
	org := st.org
	var after any
	for {
		var out struct {
			Organization *struct {
				Teams struct {
					PageInfo gqlPageInfo `json:"pageInfo"`
					Nodes    []struct {
						Slug        string  `json:"slug"`
						Name        string  `json:"name"`
						Description *string `json:"description"`
						ParentTeam  *struct {
							Slug string `json:"slug"`
						} `json:"parentTeam"`
						Members gqlLogins `json:"members"`
					} `json:"nodes"`
				} `json:"teams"`
			} `json:"organization"`
		}
		if err := j.orgQuery(ctx, teamsQuery, map[string]any{"org": org, "after": after}, &out); err != nil {
			return err
		}
		for _, n := range out.Organization.Teams.Nodes {
			t := &team{Slug: n.Slug, Name: n.Name}
			if n.Description != nil {
				t.Description = *n.Description
			}
			if n.ParentTeam != nil {
				t.Parent = n.ParentTeam.Slug
			}
			for _, m := range n.Members.Nodes {
				t.Members = append(t.Members, m.Login)
			}
			if pi := n.Members.PageInfo; pi.HasNextPage && pi.EndCursor != nil {
				more, err := j.teamMembers(ctx, org, n.Slug, *pi.EndCursor)
				if err != nil {
					return err
				}
				t.Members = append(t.Members, more...)
			}
			st.teams[t.Slug] = t
		}
		pi := out.Organization.Teams.PageInfo
		if !pi.HasNextPage || pi.EndCursor == nil {
			break
		}
		after = *pi.EndCursor
	}
	return nil
}

// readMembers pages through the organisation's members.
func (j *job) readMembers(ctx context.Context, st *orgState) error {
	var after any
	for {
		var out struct {
			Organization *struct {
				MembersWithRole gqlLogins `json:"membersWithRole"`
			} `json:"organization"`
		}
		if err := j.orgQuery(ctx, orgMembersQuery, map[string]any{"org": st.org, "after": after}, &out); err != nil {
			return err
		}
		for _, m := range out.Organization.MembersWithRole.Nodes {
			st.addUser(m.Login)
		}
		pi := out.Organization.MembersWithRole.PageInfo
		if !pi.HasNextPage || pi.EndCursor == nil {
			break
		}
		after = *pi.EndCursor
	}
	return nil
}

// teamMembers pages through a team's members past the first page.
func (j *job) teamMembers(ctx context.Context, org, slug, after string) ([]string, error) {
	var logins []string
	for {
		var out struct {
			Organization *struct {
				Team *struct {
					Members gqlLogins `json:"members"`
				} `json:"team"`
			} `json:"organization"`
		}
		if err := j.orgQuery(ctx, teamMembersQuery, map[string]any{"org": org, "slug": slug, "after": after}, &out); err != nil {
			return nil, err
		}
		if out.Organization.Team == nil {
			return logins, nil // deleted meanwhile: its team event follows
		}
		m := out.Organization.Team.Members
		for _, n := range m.Nodes {
			logins = append(logins, n.Login)
		}
		if !m.PageInfo.HasNextPage || m.PageInfo.EndCursor == nil {
			return logins, nil
		}
		after = *m.PageInfo.EndCursor
	}
}

// orgQuery runs a query about the organisation and decodes its data; any
// error in the answer (members:read missing, say) sends the caller to REST.
func (j *job) orgQuery(ctx context.Context, query string, vars map[string]any, out any) error {
	ans, err := j.graphql(ctx, query, vars)
	if err != nil {
		return err
	}
	if len(ans.Errors) > 0 {
		return fmt.Errorf("%w: %s (%s)", errGraphQLUnavailable, ans.Errors[0].Message, ans.Errors[0].Type)
	}
	raw, err := json.Marshal(ans.Data)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(raw, out); err != nil {
		return fmt.Errorf("%w: %v", errGraphQLUnavailable, err)
	}
	if string(ans.Data["organization"]) == "null" {
		return fmt.Errorf("%w: organization %s not found", errGraphQLUnavailable, vars["org"])
	}
	return nil
}
