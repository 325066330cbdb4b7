// Package catalog holds what the plugin knows of HubSpot's standard CRM object types before it
// asks a portal: names, type ids, scopes, pipelines, what a create needs and the default
// associations. The source, the destination and the API client's error hints all read it, so an
// object type is one entry here. The emulator keeps its own catalog on purpose: it must not share
// code with the client it tests.
package catalog

import "slices"

// Object is one standard CRM object type.
type Object struct {
	// Name is the plural name used in API paths and table names.
	Name string
	// TypeID is HubSpot's object type id (0-1 for contacts), accepted wherever Name is.
	TypeID string
	// ModifiedProperty is the last-modified property that incremental reads sort and filter on.
	ModifiedProperty string
	// ReadScope and WriteScope are the scopes a private app or OAuth token needs; WriteScope is
	// empty for the types HubSpot serves read-only.
	ReadScope, WriteScope string
	// Pipeline and Stage name the pipeline and stage properties of the types that have pipelines.
	Pipeline, Stage string
	// RequiredOnCreate lists the property groups a create must fill, one property of each group.
	RequiredOnCreate [][]string
	// AssociatesTo lists the object types whose associations the associations table reads from
	// this one by default; HubSpot's associations are symmetric, so each pair is read once.
	AssociatesTo []string
}

// ReadOnly reports whether HubSpot refuses creates, updates and archives of the type.
func (o Object) ReadOnly() bool { return o.WriteScope == "" }

// HasPipelines reports whether records of the type sit in pipelines.
func (o Object) HasPipelines() bool { return o.Pipeline != "" }

// engagement is an activity type: read and written under the contacts scopes, associated to the
// four primary objects.
func engagement(name, typeID string, required ...[]string) Object {
	return Object{
		Name: name, TypeID: typeID, ModifiedProperty: "hs_lastmodifieddate",
		ReadScope: "crm.objects.contacts.read", WriteScope: "crm.objects.contacts.write",
		RequiredOnCreate: append([][]string{{"hs_timestamp"}}, required...),
		AssociatesTo:     slices.Clone(CustomTargets),
	}
}

// commerce is an object type with scopes of its own, crm.objects.<scope>.read and .write.
func commerce(name, typeID, scope string, associatesTo ...string) Object {
	return Object{
		Name: name, TypeID: typeID, ModifiedProperty: "hs_lastmodifieddate",
		ReadScope: "crm.objects." + scope + ".read", WriteScope: "crm.objects." + scope + ".write",
		AssociatesTo: associatesTo,
	}
}

// CustomTargets are the standard objects a custom object's associations are read towards, when
// its schema defines them.
var CustomTargets = []string{"contacts", "companies", "deals", "tickets"}

// Standard lists HubSpot's standard object types in table order. Scopes and type ids are those of
// HubSpot's public API specs and object type reference.
var Standard = []Object{
	{Name: "contacts", TypeID: "0-1", ModifiedProperty: "lastmodifieddate",
		ReadScope: "crm.objects.contacts.read", WriteScope: "crm.objects.contacts.write"},
	{Name: "companies", TypeID: "0-2", ModifiedProperty: "hs_lastmodifieddate",
		ReadScope: "crm.objects.companies.read", WriteScope: "crm.objects.companies.write",
		RequiredOnCreate: [][]string{{"domain", "name"}}, AssociatesTo: []string{"contacts"}},
	{Name: "deals", TypeID: "0-3", ModifiedProperty: "hs_lastmodifieddate",
		ReadScope: "crm.objects.deals.read", WriteScope: "crm.objects.deals.write",
		Pipeline: "pipeline", Stage: "dealstage",
		RequiredOnCreate: [][]string{{"dealname"}, {"dealstage"}, {"pipeline"}}, AssociatesTo: []string{"contacts", "companies"}},
	// Tickets have a single scope, without a read or write suffix.
	{Name: "tickets", TypeID: "0-5", ModifiedProperty: "hs_lastmodifieddate",
		ReadScope: "tickets", WriteScope: "tickets",
		Pipeline: "hs_pipeline", Stage: "hs_pipeline_stage",
		RequiredOnCreate: [][]string{{"subject"}, {"hs_pipeline"}, {"hs_pipeline_stage"}}, AssociatesTo: []string{"contacts", "companies", "deals"}},
	engagement("calls", "0-48"),
	engagement("emails", "0-49", []string{"hs_email_direction"}),
	engagement("meetings", "0-47"),
	engagement("notes", "0-46"),
	engagement("tasks", "0-27"),
	// HubSpot also accepts the older e-commerce scope for products, line items and quotes.
	commerce("products", "0-7", "products"),
	commerce("line_items", "0-8", "line_items", "deals"),
	withRequired(commerce("quotes", "0-14", "quotes", "contacts", "companies", "deals"), []string{"hs_title"}, []string{"hs_expiration_date"}),
	commerce("leads", "0-136", "leads", "contacts", "companies"),
	withRequired(commerce("invoices", "0-53", "invoices", "contacts", "companies", "deals"), []string{"hs_currency"}),
	commerce("goal_targets", "0-74", "goals"),
	// Feedback submissions come from surveys: the API only reads them.
	{Name: "feedback_submissions", TypeID: "0-19", ModifiedProperty: "hs_lastmodifieddate",
		ReadScope: "crm.objects.feedback_submissions.read", AssociatesTo: []string{"contacts", "tickets"}},
	engagement("communications", "0-18", []string{"hs_communication_channel_type"}),
	engagement("postal_mail", "0-116"),
	commerce("orders", "0-123", "orders", "contacts", "companies", "deals"),
	commerce("carts", "0-142", "carts", "contacts"),
}

func withRequired(o Object, groups ...[]string) Object {
	o.RequiredOnCreate = append(o.RequiredOnCreate, groups...)
	return o
}

// Lookup finds a standard object type by plural name or type id.
func Lookup(key string) (Object, bool) {
	i := slices.IndexFunc(Standard, func(o Object) bool { return o.Name == key || o.TypeID == key })
	if i < 0 {
		return Object{}, false
	}
	return Standard[i], true
}
