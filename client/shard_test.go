package client

import (
	"fmt"
	"testing"

	"github.com/cloudquery/plugin-sdk/v4/plugin"
	"github.com/cloudquery/plugin-sdk/v4/schema"
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
