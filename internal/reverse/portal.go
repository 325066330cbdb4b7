package reverse

import (
	"context"
	"fmt"
	"slices"
	"sync"

	"github.com/hubspot-cq/cq-plugin-hubspot/internal/hubspot"
)

// standardTypes are HubSpot's built-in object types by plural name, with their type ids.
var standardTypes = map[string]string{
	"contacts": "0-1", "companies": "0-2", "deals": "0-3", "tickets": "0-5",
	"calls": "0-48", "emails": "0-49", "meetings": "0-47", "notes": "0-46", "tasks": "0-27",
}

// requiredOnCreate lists, per standard object, the property groups a create must fill (one
// property of each group), as HubSpot enforces them.
var requiredOnCreate = map[string][][]string{
	"companies": {{"domain", "name"}},
	"deals":     {{"dealname"}, {"dealstage"}, {"pipeline"}},
	"tickets":   {{"subject"}, {"hs_pipeline"}, {"hs_pipeline_stage"}},
	"calls":     {{"hs_timestamp"}},
	"meetings":  {{"hs_timestamp"}},
	"notes":     {{"hs_timestamp"}},
	"tasks":     {{"hs_timestamp"}},
	"emails":    {{"hs_timestamp"}, {"hs_email_direction"}},
}

// pipelineProperties names the pipeline and stage properties of the objects that have them.
var pipelineProperties = map[string][2]string{
	"deals":   {"pipeline", "dealstage"},
	"tickets": {"hs_pipeline", "hs_pipeline_stage"},
}

// Object is what the engine knows of one object type of a portal: every property definition
// (not only the synced ones), what a create needs, and its pipelines.
type Object struct {
	Name, TypeID string
	Properties   map[string]hubspot.Property
	Required     [][]string
	Pipelines    []hubspot.Pipeline
}

// Portal caches a portal's definitions for the mappings that target it. Safe for concurrent use.
type Portal struct {
	Name string
	API  *hubspot.Client

	mu      sync.Mutex
	schemas []hubspot.Schema
	objects map[string]*Object
	labels  map[[2]string][]hubspot.AssociationLabel
}

// NewPortal wraps a portal's API client.
func NewPortal(name string, api *hubspot.Client) *Portal {
	return &Portal{Name: name, API: api, objects: map[string]*Object{}, labels: map[[2]string][]hubspot.AssociationLabel{}}
}

// Object loads (once) the definitions of an object type given by plural name.
func (p *Portal) Object(ctx context.Context, name string) (*Object, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if o, ok := p.objects[name]; ok {
		return o, nil
	}
	o := &Object{Name: name, TypeID: standardTypes[name], Required: requiredOnCreate[name]}
	if o.TypeID == "" {
		if err := p.loadSchemas(ctx); err != nil {
			return nil, err
		}
		i := slices.IndexFunc(p.schemas, func(s hubspot.Schema) bool { return s.Name == name })
		if i < 0 {
			return nil, fmt.Errorf("%q is neither a standard object nor a custom object of portal %s", name, p.Name)
		}
		o.TypeID = p.schemas[i].ObjectTypeID
		for _, r := range p.schemas[i].RequiredProperties {
			o.Required = append(o.Required, []string{r})
		}
	}
	props, err := p.API.Properties.List(ctx, o.TypeID)
	if err != nil {
		return nil, fmt.Errorf("list %s properties: %w", name, err)
	}
	o.Properties = make(map[string]hubspot.Property, len(props))
	for _, prop := range props {
		o.Properties[prop.Name] = prop
	}
	if _, ok := pipelineProperties[name]; ok {
		if o.Pipelines, err = p.API.Pipelines.List(ctx, name); err != nil {
			return nil, fmt.Errorf("list %s pipelines: %w", name, err)
		}
	}
	p.objects[name] = o
	return o, nil
}

func (p *Portal) loadSchemas(ctx context.Context) error {
	if p.schemas != nil {
		return nil
	}
	s, err := p.API.Schemas.List(ctx)
	if err != nil {
		return fmt.Errorf("list custom object schemas: %w", err)
	}
	p.schemas = append([]hubspot.Schema{}, s...)
	return nil
}

// Labels loads (once) the association types from one object type to another.
func (p *Portal) Labels(ctx context.Context, from, to *Object) ([]hubspot.AssociationLabel, error) {
	key := [2]string{from.TypeID, to.TypeID}
	p.mu.Lock()
	defer p.mu.Unlock()
	if l, ok := p.labels[key]; ok {
		return l, nil
	}
	l, err := p.API.Associations.Labels(ctx, from.TypeID, to.TypeID)
	if err != nil {
		return nil, fmt.Errorf("list %s->%s association types: %w", from.Name, to.Name, err)
	}
	p.labels[key] = l
	return l, nil
}
