package crm

import (
	"context"
	"fmt"
	"regexp"
	"strings"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/cloudquery/plugin-sdk/v4/scalar"
	"github.com/cloudquery/plugin-sdk/v4/schema"

	"github.com/hubspot-cq/cq-plugin-hubspot/client"
)

// portalColumn tells portals apart in multi-portal specs; it is part of every primary key.
func portalColumn() schema.Column {
	return schema.Column{
		Name:        "portal",
		Type:        arrow.BinaryTypes.String,
		Description: "Name of the portal in the spec (`default` for a single-portal spec).",
		PrimaryKey:  true,
		NotNull:     true,
		Resolver:    resolvePortal,
	}
}

func resolvePortal(_ context.Context, meta schema.ClientMeta, r *schema.Resource, c schema.Column) error {
	return r.Set(c.Name, portalOf(meta).Name)
}

var invalidColumnChars = regexp.MustCompile(`[^a-z0-9_]+`)

// columnName turns a HubSpot name into a column name matching ^[a-z_][a-z0-9_]*$.
func columnName(name string) string {
	n := invalidColumnChars.ReplaceAllString(strings.ToLower(name), "_")
	if n == "" || (n[0] >= '0' && n[0] <= '9') {
		n = "_" + n
	}
	return n
}

func portalOf(meta schema.ClientMeta) *client.PortalClient { return meta.(*client.Meta).Portal }

// column is a plain column read from a field of the item.
func column(name string, typ arrow.DataType, path, description string) schema.Column {
	return schema.Column{Name: name, Type: typ, Resolver: schema.PathResolver(path), Description: description}
}

// field is a column of a table whose rows are built as Arrow records, without a resolver.
func field(name string, typ arrow.DataType, description string) schema.Column {
	return schema.Column{Name: name, Type: typ, Description: description}
}

func primaryKey(c schema.Column) schema.Column {
	c.PrimaryKey, c.NotNull = true, true
	return c
}

// sendRows hands rows to the scheduler as one slice. The SDK's batch sender (v4.71.1) reads its
// pending batch without its lock when items arrive one at a time, racing its flush timer; a
// slice is passed through under the lock. Resolvers therefore send slices, so that a lone item
// can only be the last thing they send.
func sendRows[T any](ctx context.Context, res chan<- any, rows []T) error {
	if len(rows) == 0 {
		return nil
	}
	select {
	case res <- rows:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// sendResolved builds rows into one Arrow record of t, each column resolved as the SDK's scheduler
// resolves it, and sends it. Unlike the scheduler, which only logs a column resolver's error, it
// fails on one.
func sendResolved[T any](ctx context.Context, meta schema.ClientMeta, t *schema.Table, rows []T, send func(arrow.Record) error) error {
	if len(rows) == 0 {
		return nil
	}
	b := array.NewRecordBuilder(memory.DefaultAllocator, t.ToArrowSchema())
	defer b.Release()
	for _, row := range rows {
		r := schema.NewResourceData(t, nil, row)
		for _, c := range t.Columns {
			if err := c.Resolver(ctx, meta, r, c); err != nil {
				return fmt.Errorf("%s.%s: %w", t.Name, c.Name, err)
			}
		}
		scalar.AppendToRecordBuilder(b, r.GetValues())
	}
	return send(b.NewRecord())
}
