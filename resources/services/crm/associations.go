package crm

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/cloudquery/plugin-sdk/v4/schema"

	"github.com/hubspot-cq/cq-plugin-hubspot/client"
)

const (
	associationsTable         = "hubspot_crm_associations"
	associationRefreshesTable = "hubspot_crm_association_refreshes"
)

// Associations is the table of associations between records, with the table of the reads that
// produced its rows, which tells live rows from rows of associations removed since.
func Associations() client.CustomTable {
	refreshes := &schema.Table{
		Name:  associationRefreshesTable,
		Title: "HubSpot association refreshes",
		Description: "One row per read of a record's associations to one object type: the associations table's rows of that record and type " +
			"with the same refreshed_at are its associations as of that read; rows with an older refreshed_at are associations removed since. " +
			"A record archived or merged away gets a read with no associations. See docs/incremental.md for the query of live associations.",
		IsIncremental: true,
		Columns: schema.ColumnList{
			portalColumn(),
			primaryKey(field("from_object_type", arrow.BinaryTypes.String, "Object type of the record whose associations were read.")),
			primaryKey(field("from_id", arrow.PrimitiveTypes.Int64, "Id of the record whose associations were read.")),
			primaryKey(field("to_object_type", arrow.BinaryTypes.String, "Object type its associations were read to.")),
			field("refreshed_at", arrow.FixedWidthTypes.Timestamp_ms, "When they were read: the refreshed_at of the association rows this read sent."),
			field("associations", arrow.PrimitiveTypes.Int64, "How many association rows (one per association and type) the read found."),
		},
	}
	table := &schema.Table{
		Name:  associationsTable,
		Title: "HubSpot associations",
		Description: "Associations between CRM records, one row per association type (labels included). A record's associations are read again when it changes, " +
			"and within associations.refresh_runs runs in any case (association changes alone do not mark a record changed in HubSpot). " +
			"Rows of removed associations are not deleted: live associations are the rows whose refreshed_at equals their record's latest refresh in " +
			"hubspot_crm_association_refreshes (see docs/incremental.md).",
		IsIncremental: true,
		Columns: schema.ColumnList{
			portalColumn(),
			primaryKey(field("from_object_type", arrow.BinaryTypes.String, "Object type of the record the association is read from.")),
			primaryKey(field("from_id", arrow.PrimitiveTypes.Int64, "")),
			primaryKey(field("to_object_type", arrow.BinaryTypes.String, "")),
			primaryKey(field("to_id", arrow.PrimitiveTypes.Int64, "")),
			primaryKey(field("type_id", arrow.PrimitiveTypes.Int64, "Association type id (e.g. 279 contact to company).")),
			field("category", arrow.BinaryTypes.String, "HUBSPOT_DEFINED, USER_DEFINED or INTEGRATOR_DEFINED."),
			field("label", arrow.BinaryTypes.String, "The association label; null for unlabelled types."),
			field("refreshed_at", arrow.FixedWidthTypes.Timestamp_ms, "When the record's associations to this object type were read (see hubspot_crm_association_refreshes)."),
		},
		Relations: schema.Tables{refreshes},
	}
	refreshes.Parent = table
	return client.CustomTable{Table: table, Sync: syncAssociations, Companions: []string{associationRefreshesTable}, Follows: associationSources}
}

// associationSources names the object types the associations table reads associations from.
func associationSources(ctx context.Context, m *client.Meta) ([]string, error) {
	pairs, err := m.AssociationPairs(ctx)
	if err != nil {
		return nil, err
	}
	froms, _ := bySource(pairs)
	names := make([]string, len(froms))
	for i, o := range froms {
		names[i] = o.Name
	}
	return names, nil
}

// bySource groups pairs by the object type they read from, in the order of pairs.
func bySource(pairs []client.AssociationPair) ([]client.ObjectType, map[string][]client.AssociationPair) {
	byFrom := map[string][]client.AssociationPair{}
	var froms []client.ObjectType
	for _, pair := range pairs {
		if len(byFrom[pair.From.Name]) == 0 {
			froms = append(froms, pair.From)
		}
		byFrom[pair.From.Name] = append(byFrom[pair.From.Name], pair)
	}
	return froms, byFrom
}

// syncAssociations reads, for every pair's source object, the associations of the records the
// client names (changed, archived or merged away, or due for a refresh), and sends them with one
// refresh row per record and pair read.
func syncAssociations(ctx context.Context, m *client.Meta, selected *schema.Table, send func(arrow.Record) error) error {
	pairs, err := m.AssociationPairs(ctx)
	if err != nil {
		return err
	}
	froms, byFrom := bySource(pairs)
	refreshesTable := selected.Relations.Get(associationRefreshesTable) // nil when not selected
	for _, from := range froms {
		err := m.ReadAssociationSources(ctx, associationsTable, from, func(reads client.AssociationReads) error {
			// A read's rows and its refresh rows share one time: that is what ties them.
			at := arrow.Timestamp(time.Now().UnixMilli())
			builders := []*rowBuilder{newRowBuilder(selected)}
			if refreshesTable != nil {
				builders = append(builders, newRowBuilder(refreshesTable))
			}
			defer func() {
				for _, b := range builders {
					b.Release()
				}
			}()
			for _, pair := range byFrom[from.Name] {
				found, err := readAssociations(ctx, m, pair, reads.Reread, at, builders[0])
				if err != nil {
					return err
				}
				if refreshesTable == nil {
					continue
				}
				for _, id := range reads.Reread {
					builders[1].refresh(m.Portal.Name, pair, id, at, found[id])
				}
				for _, id := range reads.Gone {
					builders[1].refresh(m.Portal.Name, pair, id, at, 0)
				}
			}
			for _, b := range builders {
				if b.n > 0 {
					if err := send(b.NewRecord()); err != nil { // the receiver owns the record
						return err
					}
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// readAssociations reads the associations of ids from one pair's source object to its target into
// rows, returning how many rows each source record got.
func readAssociations(ctx context.Context, m *client.Meta, pair client.AssociationPair, ids []string, at arrow.Timestamp, rows *rowBuilder) (map[string]int64, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	sets, err := m.Portal.API.Associations.BatchRead(ctx, pair.From.TypeID, pair.To.TypeID, ids)
	if err != nil {
		return nil, fmt.Errorf("read %s to %s associations: %w", pair.From.Name, pair.To.Name, err)
	}
	found := make(map[string]int64, len(sets))
	for _, set := range sets {
		fromID, err := strconv.ParseInt(set.FromID, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("association from id %q is not numeric: %w", set.FromID, err)
		}
		for _, to := range set.To {
			toID, err := strconv.ParseInt(to.ToObjectID, 10, 64)
			if err != nil {
				return nil, fmt.Errorf("association to id %q is not numeric: %w", to.ToObjectID, err)
			}
			for _, t := range to.Types {
				rows.association(m.Portal.Name, pair, fromID, toID, int64(t.TypeID), t.Category, t.Label, at)
				found[set.FromID]++
			}
		}
	}
	return found, nil
}

// rowBuilder builds one Arrow record of the associations table or of its refreshes, appending in
// the order of the tables' columns above.
type rowBuilder struct {
	*array.RecordBuilder
	n int
}

func newRowBuilder(t *schema.Table) *rowBuilder {
	return &rowBuilder{RecordBuilder: array.NewRecordBuilder(memory.DefaultAllocator, t.ToArrowSchema())}
}

func (b *rowBuilder) association(portal string, pair client.AssociationPair, from, to, typeID int64, category string, label *string, at arrow.Timestamp) {
	b.n++
	b.Field(0).(*array.StringBuilder).Append(portal)
	b.Field(1).(*array.StringBuilder).Append(pair.From.Name)
	b.Field(2).(*array.Int64Builder).Append(from)
	b.Field(3).(*array.StringBuilder).Append(pair.To.Name)
	b.Field(4).(*array.Int64Builder).Append(to)
	b.Field(5).(*array.Int64Builder).Append(typeID)
	b.Field(6).(*array.StringBuilder).Append(category)
	if label == nil {
		b.Field(7).AppendNull()
	} else {
		b.Field(7).(*array.StringBuilder).Append(*label)
	}
	b.Field(8).(*array.TimestampBuilder).Append(at)
}

// refresh appends the refresh row of one record's read; a record's id is numeric (ids of records
// read from search, or merged into one of them), as the associations' own from_id.
func (b *rowBuilder) refresh(portal string, pair client.AssociationPair, id string, at arrow.Timestamp, found int64) {
	from, _ := strconv.ParseInt(id, 10, 64)
	b.n++
	b.Field(0).(*array.StringBuilder).Append(portal)
	b.Field(1).(*array.StringBuilder).Append(pair.From.Name)
	b.Field(2).(*array.Int64Builder).Append(from)
	b.Field(3).(*array.StringBuilder).Append(pair.To.Name)
	b.Field(4).(*array.TimestampBuilder).Append(at)
	b.Field(5).(*array.Int64Builder).Append(found)
}
