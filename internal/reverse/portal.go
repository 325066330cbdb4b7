package reverse

import (
	"context"
	"fmt"
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

// Discovery tells the engine how a portal defines its object types. The plugin passes the
// discovery its source uses, so that a client reads each type's definitions once.
type Discovery interface {
	// Definitions returns the object type with the given plural name; a name the portal does
	// not know is an error.
	Definitions(ctx context.Context, name string) (Definitions, error)
}

// Definitions are an object type as a portal defines it.
type Definitions struct {
	TypeID string
	// Properties are every property definition of the type.
	Properties []hubspot.Property
	// Required lists the properties a custom object's schema requires on create; a standard
	// type's come from the catalog.
	Required []string
}

// Target is a portal as the engine writes to it: its API client, and the definitions its
// mappings need, cached. Safe for concurrent use.
type Target struct {
	Name string
	API  *hubspot.Client

	discovery Discovery
	mu        sync.Mutex
	objects   map[string]*Object
	labels    map[[2]string][]hubspot.AssociationLabel
}

// NewTarget wraps a portal's API client and the discovery that reads its definitions.
func NewTarget(name string, api *hubspot.Client, discovery Discovery) *Target {
	return &Target{Name: name, API: api, discovery: discovery, objects: map[string]*Object{}, labels: map[[2]string][]hubspot.AssociationLabel{}}
}

// Object returns (completed once) the definitions of an object type given by plural name.
func (p *Target) Object(ctx context.Context, name string) (*Object, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if o, ok := p.objects[name]; ok {
		return o, nil
	}
	defs, err := p.discovery.Definitions(ctx, name)
	if err != nil {
		return nil, err
	}
	o := &Object{Name: name, TypeID: defs.TypeID, Properties: make(map[string]hubspot.Property, len(defs.Properties))}
	for _, prop := range defs.Properties {
		o.Properties[prop.Name] = prop
	}
	if std, ok := catalog.Lookup(name); ok && std.Name == name {
		o.Required = std.RequiredOnCreate
	} else {
		for _, r := range defs.Required {
			o.Required = append(o.Required, []string{r})
		}
	}
	if _, ok := pipelineProperties[name]; ok {
		if o.Pipelines, err = p.API.Pipelines.List(ctx, name); err != nil {
			return nil, fmt.Errorf("list %s pipelines: %w", name, err)
		}
	}
	p.objects[name] = o
	return o, nil
}

// Labels loads (once) the association types from one object type to another.
func (p *Target) Labels(ctx context.Context, from, to *Object) ([]hubspot.AssociationLabel, error) {
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
