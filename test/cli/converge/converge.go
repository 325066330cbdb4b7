// Package converge is the convergence scenario that the end-to-end test (test/e2e) and the check
// under the CloudQuery CLI (test/cli/converge.sh) share: the changes made through HubSpot's
// public API between runs, and HubSpot's side of the comparison, read from the emulator's admin
// API (every live record at once, with no search lag and no 10,000-result cap).
package converge

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"

	"github.com/hubspot-cq/cq-plugin-hubspot/client/spec"
	"github.com/hubspot-cq/cq-plugin-hubspot/internal/hubspot"
)

// Portal is an emulated portal, reached through HubSpot's public API and the emulator's admin API.
type Portal struct {
	API  *hubspot.Client
	base string
	http *http.Client
}

// NewPortal connects to the emulator at baseURL with a private-app token.
func NewPortal(baseURL, token string) (*Portal, error) {
	api, err := hubspot.NewClient(hubspot.WithBaseURL(baseURL), hubspot.WithAccessToken(token))
	if err != nil {
		return nil, fmt.Errorf("hubspot client: %w", err)
	}
	return &Portal{API: api, base: baseURL, http: &http.Client{}}, nil
}

// admin reads an endpoint of the emulator's admin API into out.
func (p *Portal) admin(ctx context.Context, path string, query url.Values, out any) error {
	u := p.base + "/_emulator/" + path
	if len(query) > 0 {
		u += "?" + query.Encode()
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return fmt.Errorf("admin %s: %w", path, err)
	}
	resp, err := p.http.Do(req)
	if err != nil {
		return fmt.Errorf("admin %s: %w", path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return fmt.Errorf("admin %s: read: %w", path, err)
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("admin %s: status %d: %s", path, resp.StatusCode, body)
	}
	if err := json.Unmarshal(body, out); err != nil {
		return fmt.Errorf("admin %s: decode: %w", path, err)
	}
	return nil
}

// LiveIDs lists the ids of an object type's live records, ascending; with a filter, only those
// HubSpot says match it and, with lists, are members of one. The filter is the plugin spec's
// (filters.<object>), values as written.
func (p *Portal) LiveIDs(ctx context.Context, object string, filter *spec.RecordFilter) ([]int64, error) {
	query := url.Values{}
	if filter != nil && len(filter.Groups) > 0 {
		groups, err := json.Marshal(searchGroups(filter))
		if err != nil {
			return nil, fmt.Errorf("live %s: encode filter: %w", object, err)
		}
		query.Set("filterGroups", string(groups))
	}
	var out struct{ IDs []string }
	if err := p.admin(ctx, "records/"+url.PathEscape(object), query, &out); err != nil {
		return nil, fmt.Errorf("live %s: %w", object, err)
	}
	ids := make([]int64, len(out.IDs))
	for i, id := range out.IDs {
		n, err := strconv.ParseInt(id, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("live %s: id %q: %w", object, id, err)
		}
		ids[i] = n
	}
	if filter != nil && len(filter.Lists) > 0 {
		members := map[int64]bool{}
		for _, list := range filter.Lists {
			in, err := p.members(ctx, list)
			if err != nil {
				return nil, fmt.Errorf("live %s: %w", object, err)
			}
			maps.Copy(members, in)
		}
		ids = slices.DeleteFunc(ids, func(id int64) bool { return !members[id] })
	}
	slices.Sort(ids)
	return ids, nil
}

// searchGroups is a spec filter in the form HubSpot search takes it.
func searchGroups(f *spec.RecordFilter) []hubspot.FilterGroup {
	text := func(v *spec.FilterValue) string {
		if v == nil {
			return ""
		}
		return string(*v)
	}
	groups := make([]hubspot.FilterGroup, len(f.Groups))
	for i, g := range f.Groups {
		for _, c := range g {
			hf := hubspot.Filter{PropertyName: c.Property, Operator: c.Operator, Value: text(c.Value), HighValue: text(c.HighValue)}
			for _, v := range c.Values {
				hf.Values = append(hf.Values, string(v))
			}
			groups[i].Filters = append(groups[i].Filters, hf)
		}
	}
	return groups
}

// Association is one association of one type, as the associations table holds it.
type Association struct {
	FromID, ToID int64
	TypeID       int64
}

func (a Association) String() string {
	return fmt.Sprintf("%d->%d (type %d)", a.FromID, a.ToID, a.TypeID)
}

// Associations lists every association from the live records of one object type to another,
// ascending.
func (p *Portal) Associations(ctx context.Context, from, to string) ([]Association, error) {
	var out struct {
		Results []struct {
			FromID, ToID string
			TypeID       int64
		}
	}
	if err := p.admin(ctx, "associations/"+url.PathEscape(from)+"/"+url.PathEscape(to), nil, &out); err != nil {
		return nil, fmt.Errorf("associations %s->%s: %w", from, to, err)
	}
	list := make([]Association, len(out.Results))
	for i, r := range out.Results {
		fromID, err1 := strconv.ParseInt(r.FromID, 10, 64)
		toID, err2 := strconv.ParseInt(r.ToID, 10, 64)
		if err := errors.Join(err1, err2); err != nil {
			return nil, fmt.Errorf("associations %s->%s: %w", from, to, err)
		}
		list[i] = Association{fromID, toID, r.TypeID}
	}
	slices.SortFunc(list, CompareAssociations)
	return list, nil
}

// CompareAssociations orders associations by from id, to id, then type id.
func CompareAssociations(a, b Association) int {
	return cmp.Or(cmp.Compare(a.FromID, b.FromID), cmp.Compare(a.ToID, b.ToID), cmp.Compare(a.TypeID, b.TypeID))
}

// Membership is one record in one list.
type Membership struct {
	ListID   string
	RecordID int64
}

// Memberships lists the members of every list, ordered by list and record.
func (p *Portal) Memberships(ctx context.Context) ([]Membership, error) {
	var out []Membership
	lists, err := p.API.Lists.All(ctx, hubspot.ListSearch{})
	if err != nil {
		return nil, fmt.Errorf("search lists: %w", err)
	}
	for _, l := range lists {
		in, err := p.members(ctx, l.ID)
		if err != nil {
			return nil, err
		}
		for _, id := range slices.Sorted(maps.Keys(in)) {
			out = append(out, Membership{l.ID, id})
		}
	}
	return out, nil
}
