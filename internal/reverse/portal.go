package reverse

import (
	"context"
	"fmt"
	"slices"
	"sync"

	"github.com/hubspot-cq/cq-plugin-hubspot/internal/catalog"
	"github.com/hubspot-cq/cq-plugin-hubspot/internal/hubspot"
)

// pipelineProperties names, per object type that has pipelines, its pipeline and stage properties.
var pipelineProperties = pipelinePropertiesOf(catalog.Standard)

func pipelinePropertiesOf(objects []catalog.Object) map[string][2]string {
	out := map[string][2]string{}
	for _, o := range objects {
		if o.HasPipelines() {
			out[o.Name] = [2]string{o.Pipeline, o.Stage}
		}
	}
	return out
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
	o := &Object{Name: name}
	if std, ok := catalog.Lookup(name); ok && std.Name == name {
		o.TypeID, o.Required = std.TypeID, std.RequiredOnCreate
	} else {
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
