package spec

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"path"
	"slices"
	"strings"

	"github.com/invopop/jsonschema"
)

// Reverse-ETL modes, conflict winners, delete rules and pipeline mapping modes.
const (
	ModeUpsert  = "upsert"
	ModeUpdate  = "update"
	ModeCreate  = "create"
	ModeArchive = "archive"

	ConflictSource  = "source"
	ConflictHubSpot = "hubspot"

	DeleteIgnore  = "ignore"
	DeleteArchive = "archive"

	PipelinesByID    = "id"
	PipelinesByLabel = "label"
	PipelinesAuto    = "auto"

	// MatchByID matches rows to records by HubSpot record id.
	MatchByID = "id"

	DefaultReportPath = "./hubspot-reverse-etl-report"
)

// Mapping says where the rows of one incoming table go in HubSpot (reverse ETL).
type Mapping struct {
	// Incoming table name; a glob such as `crm_*` matches several tables. The first mapping whose
	// pattern matches a table applies.
	Table string `json:"table" jsonschema:"required,minLength=1"`
	// Target object type by plural name: a standard object (contacts, companies, deals, tickets),
	// an engagement (calls, emails, meetings, notes, tasks) or a custom object's name.
	Object string `json:"object" jsonschema:"required,minLength=1"`
	// Portal (by name) of a multi-portal spec; defaults to the only portal.
	Portal string `json:"portal,omitempty"`
	// upsert creates missing records and updates changed ones; update only changes existing
	// records; create only adds missing records; archive moves the matched records to the recycle bin.
	Mode string `json:"mode,omitempty" jsonschema:"enum=upsert,enum=update,enum=create,enum=archive,default=upsert"`
	// Property that identifies a row's record: `id` (record id), `email` (contacts), any property
	// with unique values, or for companies `domain` or `name` (matched through search). A list, such
	// as `[domain, name]`, is tried in order: a row matches through the first key that has a value
	// in the row and finds a record. Defaults to email for contacts, domain for companies and id
	// for other objects.
	MatchKey MatchKeys `json:"match_key,omitempty"`
	// Column -> property. Columns not listed map to the property of the same name when there is
	// one; a column mapped to "" is skipped; `_cq_*` columns never reach HubSpot.
	Columns map[string]string `json:"columns,omitempty"`
	// Which side wins when both have a value: `source` (row values overwrite; empty row values
	// change nothing) or `hubspot` (only properties empty in HubSpot are filled).
	Conflict string `json:"conflict,omitempty" jsonschema:"enum=source,enum=hubspot,default=source"`
	// Contacts only: rows without a valid email are excluded. Default true.
	RequireEmail *bool `json:"require_email,omitempty"`
	// Deals and tickets: how pipeline and stage values translate to HubSpot's ids.
	Pipelines *PipelineMapping `json:"pipelines,omitempty"`
	// Associations created from each written record to existing records.
	Associations []AssociationRule `json:"associations,omitempty"`
	// Fail migrate when a column that maps to no property has a name close to a writable
	// property's (a typo such as `fristname`, or `company_domain` for `domain`) instead of
	// warning and leaving it out. Map such a column in columns, or skip it with "".
	StrictColumns bool `json:"strict_columns,omitempty"`
	// What DeleteStale and DeleteRecord messages do: `ignore` (logged) or `archive` the matched
	// records.
	OnDelete string `json:"on_delete,omitempty" jsonschema:"enum=ignore,enum=archive,default=ignore"`
}

// PipelineMapping translates the pipeline and stage values of deal or ticket rows.
type PipelineMapping struct {
	// id: values are HubSpot ids; label: values are pipeline and stage labels (case-insensitive);
	// auto: the most similar label wins, and the chosen pairs are logged.
	Mode string `json:"mode,omitempty" jsonschema:"enum=id,enum=label,enum=auto,default=label"`
	// Explicit translations, row value -> HubSpot label or id, checked before Mode applies.
	Map map[string]string `json:"map,omitempty"`
}

// AssociationRule associates each written record with an existing record named by a column.
type AssociationRule struct {
	// Target object type by plural name.
	To string `json:"to" jsonschema:"required,minLength=1"`
	// Column holding the target's key.
	Column string `json:"column" jsonschema:"required,minLength=1"`
	// Target property the column's value matches: `id` (default), a unique property, or any
	// searchable property.
	MatchProperty string `json:"match_property,omitempty" jsonschema:"default=id"`
	// Association type id; leave both this and label empty for the default (unlabeled) type.
	TypeID int `json:"type_id,omitempty" jsonschema:"minimum=1"`
	// Association label, such as "Billing contact".
	Label string `json:"label,omitempty"`
}

// RequiresEmail reports whether contact rows without a valid email are excluded.
func (m *Mapping) RequiresEmail() bool { return m.Object == "contacts" && *m.RequireEmail }

// setDefaults fills a mapping's optional fields; portal is the spec's only portal, if any.
func (m *Mapping) setDefaults(portal string) {
	m.Mode = cmp.Or(m.Mode, ModeUpsert)
	m.Conflict = cmp.Or(m.Conflict, ConflictSource)
	m.OnDelete = cmp.Or(m.OnDelete, DeleteIgnore)
	m.Portal = cmp.Or(m.Portal, portal)
	if m.RequireEmail == nil {
		m.RequireEmail = ptr(true)
	}
	if len(m.MatchKey) == 0 {
		switch m.Object {
		case "contacts":
			m.MatchKey = MatchKeys{"email"}
		case "companies":
			m.MatchKey = MatchKeys{"domain"}
		default:
			m.MatchKey = MatchKeys{MatchByID}
		}
	}
	if m.Pipelines != nil {
		m.Pipelines.Mode = cmp.Or(m.Pipelines.Mode, PipelinesByLabel)
	}
	for i := range m.Associations {
		m.Associations[i].MatchProperty = cmp.Or(m.Associations[i].MatchProperty, MatchByID)
	}
}

// validate checks what can be checked without the portal; the rest (properties, types, labels)
// is checked at migrate time.
func (m *Mapping) validate(p string, portals []Portal) error {
	if _, err := path.Match(m.Table, ""); err != nil {
		return fieldError(p+".table", fmt.Sprintf("bad glob pattern %q: %v", m.Table, err))
	}
	if strings.TrimSpace(m.Object) == "" {
		return fieldError(p+".object", "must be an object type such as contacts")
	}
	if len(portals) > 0 && !slices.ContainsFunc(portals, func(x Portal) bool { return x.Name == m.Portal }) {
		if m.Portal == "" {
			return fieldError(p+".portal", "required when the spec lists several portals")
		}
		return fieldError(p+".portal", fmt.Sprintf("no portal named %q in the spec", m.Portal))
	}
	checks := []enumCheck{
		{"mode", m.Mode, []string{ModeUpsert, ModeUpdate, ModeCreate, ModeArchive}},
		{"conflict", m.Conflict, []string{ConflictSource, ConflictHubSpot}},
		{"on_delete", m.OnDelete, []string{DeleteIgnore, DeleteArchive}},
	}
	if m.Pipelines != nil {
		checks = append(checks, enumCheck{"pipelines.mode", m.Pipelines.Mode, []string{PipelinesByID, PipelinesByLabel, PipelinesAuto}})
	}
	for _, c := range checks {
		if !slices.Contains(c.allowed, c.value) {
			return fieldError(p+"."+c.field, fmt.Sprintf("must be one of %s, got %q", strings.Join(c.allowed, ", "), c.value))
		}
	}
	if err := m.validateMatchKeys(p + ".match_key"); err != nil {
		return err
	}
	switch {
	case m.Pipelines != nil && m.Object != "deals" && m.Object != "tickets":
		return fieldError(p+".pipelines", fmt.Sprintf("applies to deals and tickets, not %s", m.Object))
	case !*m.RequireEmail && m.Object != "contacts":
		return fieldError(p+".require_email", "applies to contacts only")
	}
	for col := range m.Columns {
		if strings.HasPrefix(col, "_cq_") {
			return fieldError(fmt.Sprintf("%s.columns.%s", p, col), "_cq_* columns are CloudQuery's and never go to HubSpot")
		}
	}
	for i, a := range m.Associations {
		ap := fmt.Sprintf("%s.associations[%d]", p, i)
		switch {
		case strings.TrimSpace(a.To) == "":
			return fieldError(ap+".to", "must be an object type such as companies")
		case strings.TrimSpace(a.Column) == "":
			return fieldError(ap+".column", "must name the column holding the target's key")
		case a.TypeID < 0:
			return fieldError(ap+".type_id", fmt.Sprintf("must be positive, got %d", a.TypeID))
		case a.TypeID != 0 && a.Label != "":
			return fieldError(ap+".label", "set type_id or label, not both")
		}
	}
	return nil
}

// validateMatchKeys checks each match key on its own and the list as a whole.
func (m *Mapping) validateMatchKeys(p string) error {
	for i, k := range m.MatchKey {
		kp := p
		if len(m.MatchKey) > 1 {
			kp = fmt.Sprintf("%s[%d]", p, i)
		}
		switch {
		case strings.TrimSpace(k) == "":
			return fieldError(kp, "must name a property such as email, or id")
		case (k == "domain" || k == "name") && m.Object != "companies":
			return fieldError(kp, fmt.Sprintf("%q matching (through search) is for companies; use id or a unique property of %s", k, m.Object))
		case slices.Index(m.MatchKey, k) < i:
			return fieldError(kp, fmt.Sprintf("%q is listed twice; each key is tried once, in order", k))
		}
	}
	if m.Mode == ModeCreate && !slices.ContainsFunc(m.MatchKey, func(k string) bool { return k != MatchByID }) {
		return fieldError(p, "create needs a key HubSpot can search for (email, domain, name or a unique property), so that a retried or rerun create never duplicates a record")
	}
	return nil
}

// MatchKeys is match_key: one property, or a list of properties tried in order. In a spec it
// is a string or a list of strings.
type MatchKeys []string

// UnmarshalJSON accepts a single key (`"email"`) or a list (`["domain", "name"]`).
func (k *MatchKeys) UnmarshalJSON(b []byte) error {
	if bytes.Equal(bytes.TrimSpace(b), []byte("null")) {
		*k = nil
		return nil
	}
	var one string
	if err := json.Unmarshal(b, &one); err == nil {
		*k = MatchKeys{one}
		return nil
	}
	var list []string
	if err := json.Unmarshal(b, &list); err != nil {
		return errors.New("match_key must be a property name or a list of property names")
	}
	*k = list
	return nil
}

// JSONSchema describes match_key as a string or a non-empty list of distinct strings.
func (MatchKeys) JSONSchema() *jsonschema.Schema {
	one := uint64(1)
	return &jsonschema.Schema{OneOf: []*jsonschema.Schema{
		{Type: "string", MinLength: &one},
		{Type: "array", Items: &jsonschema.Schema{Type: "string", MinLength: &one}, MinItems: &one, UniqueItems: true},
	}}
}

// enumCheck is a field whose value must be one of a fixed set.
type enumCheck struct {
	field, value string
	allowed      []string
}

// MappingFor returns the first mapping whose table pattern matches table.
func (s *Spec) MappingFor(table string) (*Mapping, bool) {
	for i := range s.Mappings {
		if ok, _ := path.Match(s.Mappings[i].Table, table); ok {
			return &s.Mappings[i], true
		}
	}
	return nil, false
}
