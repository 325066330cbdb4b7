package hubspot

import (
	"context"
	"fmt"
	"maps"
	"net/url"
	"slices"
	"strings"

	"github.com/hubspot-cq/cq-plugin-hubspot/internal/hubspot/pagejson"
)

// fitProperties adds to q as many property names as keep the request URL within urlBudget and
// returns the names that did not fit. The names go comma-joined in one `properties` parameter,
// the shortest encoding HubSpot accepts.
func (c *Client) fitProperties(path string, q url.Values, names []string) []string {
	if len(names) == 0 {
		return nil
	}
	length := len(c.baseURL.String()) + len(path) + len("?") + len(q.Encode()) + len("&properties=")
	n := 0
	for i, name := range names {
		add := len(url.QueryEscape(name))
		if i > 0 {
			add += len("%2C")
		}
		if length+add > urlBudget {
			break
		}
		length += add
		n++
	}
	if n > 0 {
		q.Set("properties", strings.Join(names[:n], ","))
	}
	return names[n:]
}

// fillProperties reads names for objs with POST batch/read (names travel in the body, so no URL
// limit applies) and merges them into objs: into Values when l lays the objects out by position
// (names are then l's last ones), into Properties otherwise. A record deleted between the two
// reads keeps the properties of the first one.
func (s *ObjectsService) fillProperties(ctx context.Context, objectType string, archived bool, objs []Object, names []string, l *pagejson.Layout) error {
	if len(names) == 0 || len(objs) == 0 {
		return nil
	}
	index := make(map[string]int, len(objs))
	ids := make([]string, len(objs))
	for i, o := range objs {
		index[o.ID] = i
		ids[i] = o.ID
	}
	for chunk := range slices.Chunk(ids, MaxBatchInputs) {
		res, err := s.batchRead(ctx, objectType, BatchReadRequest{IDs: chunk, Properties: names, ByPosition: l != nil}, archived)
		if err != nil {
			return fmt.Errorf("read %d more properties: %w", len(names), err)
		}
		for _, e := range res.Errors {
			if e.Category != categoryObjectNotFound {
				return fmt.Errorf("read %d more properties: %w", len(names), e)
			}
		}
		for _, r := range res.Results {
			i, ok := index[r.ID]
			if !ok {
				continue
			}
			if l != nil {
				copy(objs[i].Values[l.Len()-len(names):], r.Values)
				continue
			}
			if objs[i].Properties == nil {
				objs[i].Properties = make(map[string]*string, len(r.Properties))
			}
			maps.Copy(objs[i].Properties, r.Properties)
		}
	}
	return nil
}
