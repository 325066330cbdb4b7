package crm

import (
	"context"
	"fmt"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/cloudquery/plugin-sdk/v4/schema"

	"github.com/hubspot-cq/cq-plugin-hubspot/client"
	"github.com/hubspot-cq/cq-plugin-hubspot/internal/catalog"
	"github.com/hubspot-cq/cq-plugin-hubspot/internal/hubspot"
)

// pipelineRow is a pipeline with the object type it belongs to.
type pipelineRow struct {
	ObjectType string
	hubspot.Pipeline
}

// Pipelines is the table of deal and ticket pipelines; their stages are in PipelineStages.
func Pipelines() *schema.Table {
	return &schema.Table{
		Name:        "hubspot_crm_pipelines",
		Title:       "HubSpot pipelines",
		Description: "Deal and ticket pipelines. Deals store pipeline ids in `pipeline`, tickets in `hs_pipeline`.",
		Resolver:    fetchPipelines,
		Multiplex:   client.Multiplex,
		Columns: schema.ColumnList{
			portalColumn(),
			primaryKey(column("object_type", arrow.BinaryTypes.String, "ObjectType", "deals or tickets.")),
			primaryKey(column("id", arrow.BinaryTypes.String, "ID", "Pipeline id.")),
			column("label", arrow.BinaryTypes.String, "Label", ""),
			column("display_order", arrow.PrimitiveTypes.Int64, "DisplayOrder", ""),
			column("archived", arrow.FixedWidthTypes.Boolean, "Archived", ""),
			column("created_at", arrow.FixedWidthTypes.Timestamp_ms, "CreatedAt", "Null for the default pipeline, which HubSpot dates 0 (1970-01-01)."),
			column("updated_at", arrow.FixedWidthTypes.Timestamp_ms, "UpdatedAt", ""),
		},
		Relations: schema.Tables{PipelineStages()},
	}
}

func fetchPipelines(ctx context.Context, meta schema.ClientMeta, _ *schema.Resource, res chan<- any) error {
	p := portalOf(meta)
	var rows []pipelineRow
	for _, o := range catalog.Standard {
		if !o.HasPipelines() {
			continue
		}
		object := o.Name
		_, synced, err := p.Object(ctx, object)
		if err != nil {
			return fmt.Errorf("discover %s: %w", object, err)
		}
		if !synced {
			continue
		}
		pipelines, err := p.API.Pipelines.List(ctx, object)
		if err != nil {
			return fmt.Errorf("list %s pipelines: %w", object, err)
		}
		for _, pl := range pipelines {
			rows = append(rows, pipelineRow{ObjectType: object, Pipeline: pl})
		}
	}
	return sendRows(ctx, res, rows)
}
