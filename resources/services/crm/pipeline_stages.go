package crm

import (
	"context"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/cloudquery/plugin-sdk/v4/schema"
	"github.com/cloudquery/plugin-sdk/v4/types"
)

// PipelineStages is the table of the stages of each pipeline, a child of Pipelines.
func PipelineStages() *schema.Table {
	return &schema.Table{
		Name:        "hubspot_crm_pipeline_stages",
		Title:       "HubSpot pipeline stages",
		Description: "Stages of deal and ticket pipelines. Deals store stage ids in `dealstage`, tickets in `hs_pipeline_stage`.",
		Resolver:    fetchPipelineStages,
		Columns: schema.ColumnList{
			portalColumn(),
			primaryKey(schema.Column{Name: "object_type", Type: arrow.BinaryTypes.String, Resolver: schema.ParentColumnResolver("object_type")}),
			primaryKey(schema.Column{Name: "pipeline_id", Type: arrow.BinaryTypes.String, Resolver: schema.ParentColumnResolver("id")}),
			primaryKey(column("id", arrow.BinaryTypes.String, "ID", "Stage id.")),
			column("label", arrow.BinaryTypes.String, "Label", ""),
			column("display_order", arrow.PrimitiveTypes.Int64, "DisplayOrder", ""),
			column("archived", arrow.FixedWidthTypes.Boolean, "Archived", ""),
			column("metadata", types.ExtensionTypes.JSON, "Metadata", "Deal stages: probability; ticket stages: ticketState."),
			column("created_at", arrow.FixedWidthTypes.Timestamp_ms, "CreatedAt", "Null for the default pipeline's stages, which HubSpot dates 0 (1970-01-01)."),
			column("updated_at", arrow.FixedWidthTypes.Timestamp_ms, "UpdatedAt", ""),
		},
	}
}

func fetchPipelineStages(ctx context.Context, _ schema.ClientMeta, parent *schema.Resource, res chan<- any) error {
	return sendRows(ctx, res, parent.Item.(pipelineRow).Stages)
}
