package emulator

import (
	"net/http"
	"strconv"
)

// propertyJSON is a property definition as the properties API returns it.
type propertyJSON struct {
	Name                 string               `json:"name"`
	Label                string               `json:"label"`
	Type                 string               `json:"type"`
	FieldType            string               `json:"fieldType"`
	Description          string               `json:"description"`
	GroupName            string               `json:"groupName"`
	Options              []option             `json:"options"`
	DisplayOrder         int                  `json:"displayOrder"`
	Calculated           bool                 `json:"calculated"`
	ExternalOptions      bool                 `json:"externalOptions"`
	HasUniqueValue       bool                 `json:"hasUniqueValue"`
	Hidden               bool                 `json:"hidden"`
	HubspotDefined       bool                 `json:"hubspotDefined"`
	ModificationMetadata modificationMetadata `json:"modificationMetadata"`
	FormField            bool                 `json:"formField"`
	ReferencedObjectType string               `json:"referencedObjectType,omitempty"`
	CreatedAt            string               `json:"createdAt"`
	UpdatedAt            string               `json:"updatedAt"`
	Archived             bool                 `json:"archived"`
}

type modificationMetadata struct {
	Archivable         bool `json:"archivable"`
	ReadOnlyDefinition bool `json:"readOnlyDefinition"`
	ReadOnlyValue      bool `json:"readOnlyValue"`
}

func (e *Emulator) propertyJSON(p *propDef) propertyJSON {
	stamp := isoMillis(e.startMs - seedSpanMs - int64(p.salt%uint64(365*dayMs)))
	return propertyJSON{
		Name: p.name, Label: p.label, Type: p.typ, FieldType: p.fieldType, Description: p.description,
		GroupName: p.group, Options: append([]option{}, p.options...), DisplayOrder: p.index,
		Calculated: p.calculated, HasUniqueValue: p.unique && !p.uniqueHidden, Hidden: p.hidden,
		HubspotDefined:       !p.custom,
		ModificationMetadata: modificationMetadata{Archivable: p.custom, ReadOnlyDefinition: !p.custom, ReadOnlyValue: p.readOnly},
		FormField:            !p.readOnly, ReferencedObjectType: p.referencedObjectType,
		CreatedAt: stamp, UpdatedAt: stamp,
	}
}

// listProperties serves GET /properties/{type}; it needs the object's read scope.
func (e *Emulator) listProperties(c *call) (int, any, *apiError) {
	t, err := c.readableType()
	if err != nil {
		return 0, nil, err
	}
	out := make([]propertyJSON, len(t.props))
	for i, p := range t.props {
		out[i] = e.propertyJSON(p)
	}
	return http.StatusOK, map[string]any{"results": out}, nil
}

// getProperty serves GET /properties/{type}/{name}.
func (e *Emulator) getProperty(c *call) (int, any, *apiError) {
	t, err := c.readableType()
	if err != nil {
		return 0, nil, err
	}
	p := t.propByName[c.r.PathValue("name")]
	if p == nil {
		return 0, nil, notFound("Property %s does not exist on %s", c.r.PathValue("name"), t.name)
	}
	return http.StatusOK, e.propertyJSON(p), nil
}

type schemaJSON struct {
	ID                         string            `json:"id"`
	Name                       string            `json:"name"`
	Labels                     map[string]string `json:"labels"`
	ObjectTypeID               string            `json:"objectTypeId"`
	FullyQualifiedName         string            `json:"fullyQualifiedName"`
	PrimaryDisplayProperty     string            `json:"primaryDisplayProperty"`
	SecondaryDisplayProperties []string          `json:"secondaryDisplayProperties"`
	RequiredProperties         []string          `json:"requiredProperties"`
	SearchableProperties       []string          `json:"searchableProperties"`
	AllowsSensitiveProperties  bool              `json:"allowsSensitiveProperties"`
	Properties                 []propertyJSON    `json:"properties"`
	Associations               []schemaAssoc     `json:"associations"`
	MetaType                   string            `json:"metaType"`
	CreatedAt                  string            `json:"createdAt"`
	UpdatedAt                  string            `json:"updatedAt"`
	Archived                   bool              `json:"archived"`
}

type schemaAssoc struct {
	ID               string `json:"id"`
	FromObjectTypeID string `json:"fromObjectTypeId"`
	ToObjectTypeID   string `json:"toObjectTypeId"`
	Name             string `json:"name"`
}

func (e *Emulator) schemaJSON(t *objectType) schemaJSON {
	s := schemaJSON{
		ID: t.schemaID, Name: t.name, ObjectTypeID: t.typeID, FullyQualifiedName: t.fqName,
		Labels:                 map[string]string{"singular": t.labelSingular, "plural": t.labelPlural},
		PrimaryDisplayProperty: t.primaryDisplay, SecondaryDisplayProperties: []string{},
		SearchableProperties: t.searchable, MetaType: "PORTAL_SPECIFIC",
		CreatedAt: isoMillis(e.startMs - seedSpanMs), UpdatedAt: isoMillis(e.startMs - seedSpanMs/2),
		Associations: []schemaAssoc{},
	}
	for _, r := range t.required {
		s.RequiredProperties = append(s.RequiredProperties, r...)
	}
	for _, p := range t.props {
		s.Properties = append(s.Properties, e.propertyJSON(p))
	}
	for _, sd := range e.assoc.pairsOf(t.name) {
		s.Associations = append(s.Associations, schemaAssoc{ID: strconv.Itoa(sd.typeID(0)), FromObjectTypeID: t.typeID,
			ToObjectTypeID: sd.to().typ.typeID, Name: t.name + "_to_" + sd.to().typ.name})
	}
	return s
}

// listSchemas serves GET /crm-object-schemas/.../schemas: the custom objects.
func (e *Emulator) listSchemas(c *call) (int, any, *apiError) {
	if err := e.requireScopes("crm.schemas.custom.read"); err != nil {
		return 0, nil, err
	}
	out := []schemaJSON{}
	for _, t := range e.types {
		if t.custom {
			out = append(out, e.schemaJSON(t))
		}
	}
	return http.StatusOK, map[string]any{"results": out}, nil
}

// getSchema serves GET .../schemas/{type} for a custom object (name, type id or qualified name).
func (e *Emulator) getSchema(c *call) (int, any, *apiError) {
	if err := e.requireScopes("crm.schemas.custom.read"); err != nil {
		return 0, nil, err
	}
	t, err := c.objectType("type")
	if err != nil {
		return 0, nil, err
	}
	if !t.custom {
		return 0, nil, notFound("%s is not a custom object schema", t.name)
	}
	return http.StatusOK, e.schemaJSON(t), nil
}

type pipelineJSON struct {
	ID           string      `json:"id"`
	Label        string      `json:"label"`
	DisplayOrder int         `json:"displayOrder"`
	Archived     bool        `json:"archived"`
	Stages       []stageJSON `json:"stages"`
	CreatedAt    string      `json:"createdAt"`
	UpdatedAt    string      `json:"updatedAt"`
}

type stageJSON struct {
	ID           string            `json:"id"`
	Label        string            `json:"label"`
	DisplayOrder int               `json:"displayOrder"`
	Metadata     map[string]string `json:"metadata"`
	// WritePermissions is one of CRM_PERMISSIONS_ENFORCEMENT, READ_ONLY or INTERNAL_ONLY; seeded
	// stages follow the portal's CRM permissions, as stages created in HubSpot's UI do.
	WritePermissions string `json:"writePermissions"`
	Archived         bool   `json:"archived"`
	CreatedAt        string `json:"createdAt"`
	UpdatedAt        string `json:"updatedAt"`
}

func (e *Emulator) pipelineJSON(p pipeline, order int) pipelineJSON {
	stamp := isoMillis(e.startMs - seedSpanMs)
	created := stamp
	if p.builtIn() {
		created = isoMillis(0) // HubSpot dates its default pipelines and their stages 0
	}
	out := pipelineJSON{ID: p.id, Label: p.label, DisplayOrder: order, CreatedAt: created, UpdatedAt: stamp}
	for i, s := range p.stages {
		md := map[string]string{"isClosed": strconv.FormatBool(s.closed)}
		if s.ticketState != "" {
			md["ticketState"] = s.ticketState
		} else {
			md["probability"] = s.probability
		}
		out.Stages = append(out.Stages, stageJSON{ID: s.id, Label: s.label, DisplayOrder: i, Metadata: md,
			WritePermissions: "CRM_PERMISSIONS_ENFORCEMENT", CreatedAt: created, UpdatedAt: stamp})
	}
	return out
}

// pipelinesOf resolves {type} to a type with pipelines, checking its read scope.
func (c *call) pipelinesOf() ([]pipeline, *apiError) {
	t, err := c.objectType("type")
	if err != nil {
		return nil, err
	}
	if err := c.e.requireScopes(t.readScope); err != nil {
		return nil, err
	}
	ps, ok := c.e.pipelines[t.name]
	if !ok {
		return nil, notFound("%s do not have pipelines", t.name)
	}
	return ps, nil
}

// listPipelines serves GET /pipelines/{deals|tickets}.
func (e *Emulator) listPipelines(c *call) (int, any, *apiError) {
	ps, err := c.pipelinesOf()
	if err != nil {
		return 0, nil, err
	}
	out := make([]pipelineJSON, len(ps))
	for i, p := range ps {
		out[i] = e.pipelineJSON(p, i)
	}
	return http.StatusOK, map[string]any{"results": out}, nil
}

// getPipeline serves GET /pipelines/{type}/{id}.
func (e *Emulator) getPipeline(c *call) (int, any, *apiError) {
	ps, err := c.pipelinesOf()
	if err != nil {
		return 0, nil, err
	}
	for i, p := range ps {
		if p.id == c.r.PathValue("id") {
			return http.StatusOK, e.pipelineJSON(p, i), nil
		}
	}
	return 0, nil, notFound("Pipeline %s does not exist", c.r.PathValue("id"))
}

type ownerJSON struct {
	ID        string `json:"id"`
	Type      string `json:"type"`
	Email     string `json:"email,omitempty"`
	FirstName string `json:"firstName"`
	LastName  string `json:"lastName"`
	UserID    *int64 `json:"userId"`
	// UserIDIncludingInactive is a person's user id even once deactivated, when userId is null.
	UserIDIncludingInactive *int64     `json:"userIdIncludingInactive,omitempty"`
	Teams                   []teamJSON `json:"teams"`
	CreatedAt               string     `json:"createdAt"`
	UpdatedAt               string     `json:"updatedAt"`
	Archived                bool       `json:"archived"`
}

type teamJSON struct {
	ID      string `json:"id"`
	Name    string `json:"name"`
	Primary bool   `json:"primary"`
}

func ownerToJSON(o owner) ownerJSON {
	out := ownerJSON{ID: o.id, Type: "PERSON", Email: o.email, FirstName: o.first, LastName: o.last,
		Teams: []teamJSON{{ID: o.teamID, Name: o.teamName, Primary: true}}, CreatedAt: isoMillis(o.created),
		UpdatedAt: isoMillis(o.updated), Archived: o.archived}
	if o.queue {
		out.Type = "QUEUE"
	} else {
		uid, _ := strconv.ParseInt(o.userID, 10, 64)
		out.UserIDIncludingInactive = &uid
		if !o.archived {
			out.UserID = &uid
		}
	}
	return out
}

// listOwners serves GET /owners (trailing slash accepted): limit (max 500), after, archived.
func (e *Emulator) listOwners(c *call) (int, any, *apiError) {
	if err := e.requireScopes("crm.objects.owners.read"); err != nil {
		return 0, nil, err
	}
	q := c.r.URL.Query()
	limit, err := intParam(q, "limit", 100, 500)
	if err != nil {
		return 0, nil, err
	}
	archived, err := boolParam(q, "archived")
	if err != nil {
		return 0, nil, err
	}
	start := 0
	if a := q.Get("after"); a != "" {
		n, err := strconv.Atoi(a)
		if err != nil || n < 0 {
			return 0, nil, badRequest("Invalid after value %q", a)
		}
		start = n
	}
	var matching []owner
	for _, o := range e.owners {
		if o.archived == archived {
			matching = append(matching, o)
		}
	}
	resp := struct {
		Results []ownerJSON `json:"results"`
		Paging  *paging     `json:"paging,omitempty"`
	}{Results: []ownerJSON{}}
	for i := start; i < len(matching) && i < start+limit; i++ {
		resp.Results = append(resp.Results, ownerToJSON(matching[i]))
	}
	if start+limit < len(matching) {
		after := strconv.Itoa(start + limit)
		resp.Paging = &paging{Next: pageNext{After: after, Link: c.r.URL.Path + "?after=" + after}}
	}
	return http.StatusOK, resp, nil
}

// getOwner serves GET /owners/{id}.
func (e *Emulator) getOwner(c *call) (int, any, *apiError) {
	if err := e.requireScopes("crm.objects.owners.read"); err != nil {
		return 0, nil, err
	}
	for _, o := range e.owners {
		if o.id == c.r.PathValue("id") {
			return http.StatusOK, ownerToJSON(o), nil
		}
	}
	return 0, nil, notFound("Owner %s does not exist", c.r.PathValue("id"))
}
