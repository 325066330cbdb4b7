package client

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/cloudquery/plugin-sdk/v4/message"
	"github.com/cloudquery/plugin-sdk/v4/plugin"
	"github.com/cloudquery/plugin-sdk/v4/schema"

	"github.com/hubspot-cq/cq-plugin-hubspot/client/spec"
)

// Every shard count splits the work so that each (object table, portal) pair and each other table
// runs in exactly one shard, including counts that do not divide the work evenly.
func TestShardsCoverEverythingOnce(t *testing.T) {
	var tables schema.Tables
	var set TableSet
	c := &Client{}
	for i := range 5 {
		tbl := &schema.Table{Name: fmt.Sprintf("hubspot_crm_o%d", i)}
		tables = append(tables, tbl)
		set.Objects = append(set.Objects, ObjectTable{Table: tbl})
	}
	for i := range 4 {
		tables = append(tables, &schema.Table{Name: fmt.Sprintf("other%d", i)})
	}
	for _, portals := range []int{1, 2, 3} {
		c.portals = nil
		for p := range portals {
			c.portals = append(c.portals, &PortalClient{Name: fmt.Sprintf("p%d", p)})
		}
		units := 5*portals + 4
		for total := 1; total <= units+2; total++ {
			seen := map[string]int{}
			for num := 1; num <= total; num++ {
				jobs, scheduled := c.shard(set, tables, &plugin.Shard{Num: int32(num), Total: int32(total)})
				for _, j := range jobs {
					seen[j.name+"@"+j.portal.Name]++
				}
				for _, tbl := range scheduled {
					seen[tbl.Name]++
				}
			}
			if len(seen) != units {
				t.Errorf("%d portals, %d shards: %d of %d units ran", portals, total, len(seen), units)
			}
			for u, n := range seen {
				if n != 1 {
					t.Errorf("%d portals, %d shards: %s ran %d times", portals, total, u, n)
				}
			}
		}
	}
}

// A table that follows the object tables waits for their changes; it runs after them whatever the
// order of the tables and however few the slots, so that its wait never holds up theirs. Only the
// object tables it reads from keep their changes.
func TestFollowersWaitWithoutBlockingTheObjectTables(t *testing.T) {
	portal := &PortalClient{Name: "p0"}
	var order []string
	var mu sync.Mutex
	ran := func(name string) {
		mu.Lock()
		defer mu.Unlock()
		order = append(order, name)
	}
	jobs := []tableJob{
		{name: "follower", portal: portal, follows: func(context.Context, *Meta) ([]string, error) { return []string{"o1"}, nil }, sync: func(ctx context.Context, m *Meta, _ func(arrow.Record) error) error {
			_, err := m.feed("o1").Take(ctx)
			ran("follower")
			return err
		}},
		{name: "other", portal: portal, sync: func(context.Context, *Meta, func(arrow.Record) error) error {
			ran("other")
			return nil
		}},
		{name: "o1", object: "o1", portal: portal, sync: func(context.Context, *Meta, func(arrow.Record) error) error {
			ran("o1")
			return nil
		}},
		{name: "o2", object: "o2", portal: portal, sync: func(context.Context, *Meta, func(arrow.Record) error) error {
			ran("o2")
			return nil
		}},
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c := &Client{spec: &spec.Spec{Concurrency: 1}}
	r := &run{failed: map[string]error{}}
	c.syncJobs(ctx, r, jobs, make(chan message.SyncMessage, 1))
	if len(r.failed) > 0 {
		t.Fatalf("failed: %v", r.failed)
	}
	if want := []string{"other", "o1", "o2", "follower"}; !slices.Equal(order, want) {
		t.Errorf("ran %v, want %v", order, want)
	}
	if r.feeds["p0/o1"] == nil || len(r.feeds) != 1 {
		t.Errorf("feeds %v, want one, for o1, the object table the follower reads from", r.feeds)
	}
}
