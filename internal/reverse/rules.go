package reverse

import "strings"

// Mode is what a mapping does with the records its rows match.
type Mode string

const (
	// ModeUpsert creates missing records and updates changed ones.
	ModeUpsert Mode = "upsert"
	// ModeUpdate only changes existing records.
	ModeUpdate Mode = "update"
	// ModeCreate only adds missing records.
	ModeCreate Mode = "create"
	// ModeArchive moves the matched records to the recycle bin.
	ModeArchive Mode = "archive"
)

// Conflict says which side wins when both the row and the record have a value.
type Conflict string

const (
	// ConflictSource lets row values overwrite; empty row values change nothing.
	ConflictSource Conflict = "source"
	// ConflictHubSpot only fills properties that are empty in HubSpot.
	ConflictHubSpot Conflict = "hubspot"
)

// DeleteRule is what rows deleted upstream do to their records.
type DeleteRule string

const (
	// DeleteIgnore leaves the records alone (the plugin logs the delete).
	DeleteIgnore DeleteRule = "ignore"
	// DeleteArchive archives the matched records.
	DeleteArchive DeleteRule = "archive"
)

// PipelineMatch is how row values name pipelines and stages.
type PipelineMatch string

const (
	// PipelinesByID takes values as HubSpot ids.
	PipelinesByID PipelineMatch = "id"
	// PipelinesByLabel takes values as labels, without case.
	PipelinesByLabel PipelineMatch = "label"
	// PipelinesAuto picks the most similar label and logs the pairs it chose.
	PipelinesAuto PipelineMatch = "auto"
)

// MatchByID is the match key (and association match property) naming the record id.
const MatchByID = "id"

// Mapping is how the rows of one table are written to one object type. A plugin fills it from its
// configuration once that is validated and defaulted: the engine takes every field as given and
// checks only what needs the portal (properties, types, labels).
type Mapping struct {
	// Object is the target object type by plural name.
	Object string
	Mode   Mode
	// MatchKey lists the properties identifying a row's record, tried in order: id, email, a
	// unique property, or for companies domain or name (matched through search).
	MatchKey []string
	// Columns maps column to property; a column mapped to "" is skipped, and columns not listed
	// go to the property of the same name when there is a writable one.
	Columns  map[string]string
	Conflict Conflict
	// RequireEmail excludes rows without a valid email address.
	RequireEmail bool
	// Pipelines translates pipeline and stage values; nil takes them as they are.
	Pipelines *PipelineRules
	// Associations are created from each written record to existing records.
	Associations []AssociationRule
	// StrictColumns fails a column that maps to nothing but is named like a writable property.
	StrictColumns bool
	OnDelete      DeleteRule
}

// matchKeys names the match keys as messages do: "domain or name".
func (m *Mapping) matchKeys() string { return strings.Join(m.MatchKey, " or ") }

// PipelineRules translates the pipeline and stage values of deal or ticket rows.
type PipelineRules struct {
	Match PipelineMatch
	// Map translates row values to HubSpot labels or ids before Match applies.
	Map map[string]string
}

// AssociationRule associates each written record with an existing record named by a column.
type AssociationRule struct {
	// To is the target object type by plural name; Column holds the target's key, which
	// matches the target's MatchProperty (MatchByID, a unique or a searchable property).
	To, Column, MatchProperty string
	// TypeID or Label names the association type; neither means the default (unlabeled) type.
	TypeID int
	Label  string
}
