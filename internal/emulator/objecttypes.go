package emulator

import (
	"fmt"
	"maps"
	"strconv"
	"strings"
)

// objectType describes one CRM object type: its names, scopes, special properties and the
// property definitions the portal has for it.
type objectType struct {
	name, typeID, singular     string
	labelSingular, labelPlural string
	custom                     bool
	readOnly                   bool // HubSpot refuses creates, updates and archives of its records
	fqName                     string
	readScope, writeScope      string
	createdProp, modifiedProp  string
	defaults                   []string
	required                   [][]string // each entry: at least one of these must have a value on create
	searchable                 []string
	pipelineProp, stageProp    string
	primaryDisplay             string
	schemaID                   string
	props                      []*propDef
	propByName                 map[string]*propDef
	salt                       uint64
}

// DefaultCounts returns the modest record counts a portal gets when Config.Counts omits a type.
func DefaultCounts() map[string]int {
	counts := map[string]int{
		"contacts": 2000, "companies": 400, "deals": 600, "tickets": 300,
		"calls": 300, "emails": 300, "meetings": 300, "notes": 300, "tasks": 300,
		"cars": 100, "subscriptions": 100,
	}
	maps.Copy(counts, commerceCounts)
	return counts
}

const propertyTarget = 160

// finish indexes the definitions and assigns derivation salts and default generators.
func (t *objectType) finish(seed uint64) *objectType {
	t.salt = strHash(t.name)
	t.propByName = make(map[string]*propDef, len(t.props))
	for i, p := range t.props {
		if _, dup := t.propByName[p.name]; dup {
			panic(fmt.Sprintf("emulator: duplicate property %s.%s", t.name, p.name))
		}
		p.index, p.salt = i, strHash(t.name+"."+p.name)^seed
		if p.group == "" {
			p.group = t.singular + "information"
		}
		if p.gen == nil && p.sys == sysNone {
			p.gen = genByType(p)
		}
		t.propByName[p.name] = p
	}
	return t
}

// systemProps are the properties every object has: id, created and last-modified stamps, owner.
func systemProps(created, modified string, owners []owner) []*propDef {
	var ownerOpts []option
	for _, o := range owners {
		if !o.archived {
			ownerOpts = append(ownerOpts, option{Label: strings.TrimSpace(o.first + " " + o.last), Value: o.id, DisplayOrder: len(ownerOpts)})
		}
	}
	return []*propDef{
		prop("hs_object_id", "Record ID", kNumber).withSys(sysID),
		prop(created, "Create Date", kDatetime).withSys(sysCreated),
		prop(modified, "Last Modified Date", kDatetime).withSys(sysModified),
		prop("hubspot_owner_id", "Owner", kSelect).withOptions(ownerOpts).withRef("OWNER"),
		prop("hs_createdate_source", "Record source", kSelect).withOptions(opts("CRM_UI", "IMPORT", "API", "FORM", "INTEGRATION")).readonly(),
	}
}

// buildTypes defines the standard objects and the two custom objects of the portal.
func buildTypes(seed uint64, portalID int64, owners []owner, pipes map[string][]pipeline) []*objectType {
	types := []*objectType{
		contactsType(owners), companiesType(owners), dealsType(owners, pipes["deals"]),
		ticketsType(owners, pipes["tickets"]),
	}
	types = append(types, engagementTypes(owners)...)
	types = append(types, commerceTypes(owners)...)
	types = append(types, customTypes(seed, portalID, owners)...)
	for _, t := range types {
		t.props = customProps(t.props, propertyTarget)
		t.finish(seed)
	}
	return types
}

func contactsType(owners []owner) *objectType {
	props := append(systemProps("createdate", "lastmodifieddate", owners),
		prop("email", "Email", kText).withGen(genEmail).withFill(97).withIDKey(),
		prop("firstname", "First Name", kText).withGen(genFirst).withFill(95),
		prop("lastname", "Last Name", kText).withGen(genLast).withFill(95),
		prop("phone", "Phone Number", kPhone).withFill(70),
		prop("mobilephone", "Mobile Phone Number", kPhone),
		prop("company", "Company Name", kText).withGen(genCompany).withFill(80),
		prop("jobtitle", "Job Title", kText).withGen(genJob),
		prop("website", "Website URL", kText).withGen(genWebsite),
		prop("address", "Street Address", kText).withGen(func(g gen) string { return fmt.Sprintf("%d Main Street", 1+g.n(1, 999)) }),
		prop("city", "City", kText).withGen(genCity),
		prop("state", "State/Region", kText).withGen(genState),
		prop("zip", "Postal Code", kText).withGen(genZip),
		prop("country", "Country/Region", kText).withGen(genCountry),
		prop("lifecyclestage", "Lifecycle Stage", kRadio).withOptions(opts("subscriber", "lead", "marketingqualifiedlead", "salesqualifiedlead", "opportunity", "customer", "evangelist", "other")).withFill(90),
		prop("hs_lead_status", "Lead Status", kRadio).withOptions(opts("NEW", "OPEN", "IN_PROGRESS", "OPEN_DEAL", "UNQUALIFIED", "ATTEMPTED_TO_CONTACT", "CONNECTED", "BAD_TIMING")),
		prop("hs_email_optout", "Unsubscribed from all email", kBool).readonly(),
		prop("hs_language", "Preferred language", kSelect).withOptions(opts("en", "de", "fr", "es", "ja", "pt-br")),
		prop("industry", "Industry", kText).withGen(func(g gen) string { return g.pick(companySuffixes) }),
		prop("date_of_birth", "Date of birth", kDate),
		prop("salutation", "Salutation", kText).withGen(func(g gen) string { return g.pick([]string{"Mr.", "Ms.", "Dr.", "Mx."}) }),
		prop("message", "Message", kTextarea),
		prop("hs_timezone", "Time Zone", kSelect).withOptions(opts("europe_slash_dublin", "america_slash_new_york", "asia_slash_tokyo", "europe_slash_berlin")),
		prop("hs_persona", "Persona", kSelect).withOptions(opts("persona_1", "persona_2", "persona_3")),
		prop("external_id", "External ID", kText).withGen(genUnique("ext-")).withUnique().withFill(85),
		prop("hs_analytics_num_visits", "Number of Sessions", kNumber).readonly(),
		prop("hs_analytics_num_page_views", "Number of Pageviews", kNumber).readonly(),
		prop("hs_analytics_first_timestamp", "Time First Seen", kDatetime).readonly(),
		prop("hs_analytics_source", "Original Source", kSelect).withOptions(opts("ORGANIC_SEARCH", "PAID_SEARCH", "EMAIL_MARKETING", "SOCIAL_MEDIA", "REFERRALS", "OTHER_CAMPAIGNS", "DIRECT_TRAFFIC", "OFFLINE", "PAID_SOCIAL")).readonly(),
		prop("num_associated_deals", "Associated Deals", kNumber).calc(),
		prop("hs_email_domain", "Email Domain", kText).calc().withGen(func(g gen) string {
			e := g.other("email")
			return e[strings.IndexByte(e, '@')+1:]
		}),
		prop("total_revenue", "Total Revenue", kNumber).calc(),
		prop("hs_is_unworked", "Contact unworked", kBool).calc(),
		mergedIDsProp("Contact"),
	)
	return &objectType{
		name: "contacts", typeID: "0-1", singular: "contact", labelSingular: "Contact", labelPlural: "Contacts",
		readScope: "crm.objects.contacts.read", writeScope: "crm.objects.contacts.write",
		createdProp: "createdate", modifiedProp: "lastmodifieddate",
		defaults: []string{"firstname", "lastname", "email"}, searchable: []string{"firstname", "lastname", "email", "phone", "company"},
		primaryDisplay: "email", props: props,
	}
}

func companiesType(owners []owner) *objectType {
	props := append(systemProps("createdate", "hs_lastmodifieddate", owners),
		prop("name", "Company name", kText).withGen(genCompany).withFill(95),
		prop("domain", "Company Domain Name", kText).withGen(genDomain).withFill(90),
		prop("website", "Website URL", kText).withGen(genWebsite),
		prop("phone", "Phone Number", kPhone),
		prop("industry", "Industry", kSelect).withOptions(opts("COMPUTER_SOFTWARE", "HOSPITAL_HEALTH_CARE", "FINANCIAL_SERVICES", "RETAIL", "LOGISTICS_AND_SUPPLY_CHAIN", "FOOD_PRODUCTION")),
		prop("city", "City", kText).withGen(genCity),
		prop("state", "State/Region", kText).withGen(genState),
		prop("zip", "Postal Code", kText).withGen(genZip),
		prop("country", "Country/Region", kText).withGen(genCountry),
		prop("address", "Street Address", kText).withGen(func(g gen) string { return fmt.Sprintf("%d Harbor Road", 1+g.n(1, 999)) }),
		prop("numberofemployees", "Number of Employees", kNumber),
		prop("annualrevenue", "Annual Revenue", kNumber),
		prop("description", "Description", kTextarea),
		prop("lifecyclestage", "Lifecycle Stage", kRadio).withOptions(opts("lead", "opportunity", "customer", "other")),
		prop("type", "Type", kSelect).withOptions(opts("PROSPECT", "PARTNER", "RESELLER", "VENDOR", "OTHER")),
		prop("founded_year", "Year Founded", kText).withGen(func(g gen) string { return strconv.FormatUint(1950+g.n(1, 74), 10) }),
		prop("is_public", "Is Public", kBool),
		prop("timezone", "Time Zone", kText).withGen(func(g gen) string { return g.pick([]string{"Europe/Dublin", "America/New_York", "Asia/Tokyo"}) }),
		prop("linkedin_company_page", "LinkedIn Company Page", kText).withGen(func(g gen) string {
			return "https://www.linkedin.com/company/" + strconv.FormatUint(g.r.id, 10)
		}),
		prop("external_company_id", "External company ID", kText).withGen(genUnique("acct-")).withUnique().withFill(80),
		prop("hs_num_child_companies", "Number of child companies", kNumber).calc(),
		prop("num_associated_contacts", "Associated Contacts", kNumber).calc(),
		prop("num_associated_deals", "Associated Deals", kNumber).calc(),
		prop("total_revenue", "Total Revenue", kNumber).calc(),
		prop("hs_analytics_num_visits", "Number of Sessions", kNumber).readonly(),
		mergedIDsProp("Company"),
	)
	return &objectType{
		name: "companies", typeID: "0-2", singular: "company", labelSingular: "Company", labelPlural: "Companies",
		readScope: "crm.objects.companies.read", writeScope: "crm.objects.companies.write",
		createdProp: "createdate", modifiedProp: "hs_lastmodifieddate",
		defaults: []string{"name", "domain"}, required: [][]string{{"domain", "name"}},
		searchable: []string{"name", "domain", "website", "phone"}, primaryDisplay: "name", props: props,
	}
}

// pipelineProps defines a pipeline/stage property pair: stages are derived from the record's pipeline.
func pipelineProps(pipeName, stageName string, ps []pipeline) (*propDef, *propDef) {
	var pOpts, sOpts []option
	for _, p := range ps {
		pOpts = append(pOpts, option{Label: p.label, Value: p.id, DisplayOrder: len(pOpts)})
		for _, s := range p.stages {
			sOpts = append(sOpts, option{Label: s.label, Value: s.id, DisplayOrder: len(sOpts)})
		}
	}
	pick := func(g gen) *pipeline { return &ps[mix(g.r.id^0x5eed)%uint64(len(ps))] }
	pp := prop(pipeName, "Pipeline", kSelect).withOptions(pOpts).withFill(100).withGen(func(g gen) string { return pick(g).id })
	sp := prop(stageName, "Stage", kSelect).withOptions(sOpts).withFill(100).withGen(func(g gen) string {
		st := pick(g).stages
		return st[g.n(1, uint64(len(st)))].id
	})
	return pp, sp
}

// stageOf derives the stage of a seeded record and applies f to it (for calculated properties).
func stageOf(ps []pipeline, stageProp string, f func(*stage) string) generator {
	return func(g gen) string {
		if _, s := findStage(ps, g.other(stageProp)); s != nil {
			return f(s)
		}
		return ""
	}
}

func dealsType(owners []owner, ps []pipeline) *objectType {
	pp, sp := pipelineProps("pipeline", "dealstage", ps)
	props := append(systemProps("createdate", "hs_lastmodifieddate", owners), pp, sp,
		prop("dealname", "Deal Name", kText).withFill(100).withGen(func(g gen) string {
			return companyName(g.h) + " - " + g.pick([]string{"New business", "Expansion", "Renewal", "Pilot"})
		}),
		prop("amount", "Amount", kNumber).withFill(85),
		prop("closedate", "Close Date", kDatetime).withFill(80),
		prop("dealtype", "Deal Type", kRadio).withOptions(opts("newbusiness", "existingbusiness")),
		prop("description", "Deal Description", kTextarea),
		prop("hs_priority", "Priority", kSelect).withOptions(opts("low", "medium", "high")),
		prop("closed_lost_reason", "Closed Lost Reason", kTextarea),
		prop("closed_won_reason", "Closed Won Reason", kTextarea),
		prop("hs_next_step", "Next step", kTextarea),
		prop("deal_currency_code", "Currency", kSelect).withOptions(opts("USD", "EUR", "GBP", "JPY")),
		prop("external_deal_id", "External deal ID", kText).withGen(genUnique("deal-")).withUnique().withFill(80),
		prop("hs_is_closed", "Is Deal Closed?", kBool).calc().withFill(100).withGen(stageOf(ps, "dealstage", func(s *stage) string { return strconv.FormatBool(s.closed) })),
		prop("hs_is_closed_won", "Is Closed Won", kBool).calc().withFill(100).withGen(stageOf(ps, "dealstage", func(s *stage) string { return strconv.FormatBool(s.won) })),
		prop("hs_deal_stage_probability", "Deal probability", kNumber).calc().withFill(100).withGen(stageOf(ps, "dealstage", func(s *stage) string { return s.probability })),
		prop("days_to_close", "Days to close", kNumber).calc(),
		prop("amount_in_home_currency", "Amount in company currency", kNumber).calc(),
		prop("hs_forecast_amount", "Forecast amount", kNumber).calc(),
		prop("hs_acv", "Annual contract value", kNumber).calc(),
		prop("num_associated_contacts", "Number of Associated Contacts", kNumber).calc(),
		prop("hs_analytics_source", "Original Source Type", kSelect).withOptions(opts("ORGANIC_SEARCH", "PAID_SEARCH", "EMAIL_MARKETING", "OFFLINE", "DIRECT_TRAFFIC")).readonly(),
		mergedIDsProp("Deal"),
	)
	return &objectType{
		name: "deals", typeID: "0-3", singular: "deal", labelSingular: "Deal", labelPlural: "Deals",
		readScope: "crm.objects.deals.read", writeScope: "crm.objects.deals.write",
		createdProp: "createdate", modifiedProp: "hs_lastmodifieddate",
		defaults: []string{"dealname", "amount", "dealstage", "pipeline", "closedate"},
		required: [][]string{{"dealname"}, {"dealstage"}, {"pipeline"}}, searchable: []string{"dealname"},
		pipelineProp: "pipeline", stageProp: "dealstage", primaryDisplay: "dealname", props: props,
	}
}

func ticketsType(owners []owner, ps []pipeline) *objectType {
	pp, sp := pipelineProps("hs_pipeline", "hs_pipeline_stage", ps)
	props := append(systemProps("createdate", "hs_lastmodifieddate", owners), pp, sp,
		prop("subject", "Ticket name", kText).withFill(100).withGen(func(g gen) string { return sentence(g.h, 3+int(g.n(1, 4))) }),
		prop("content", "Ticket description", kTextarea).withFill(85),
		prop("hs_ticket_priority", "Priority", kSelect).withOptions(opts("LOW", "MEDIUM", "HIGH", "URGENT")),
		prop("hs_ticket_category", "Category", kCheckbox).withOptions(opts("PRODUCT_ISSUE", "BILLING_ISSUE", "FEATURE_REQUEST", "GENERAL_INQUIRY")),
		prop("source_type", "Source", kSelect).withOptions(opts("EMAIL", "CHAT", "PHONE", "FORM")),
		prop("closed_date", "Close date", kDatetime),
		prop("hs_resolution", "Resolution", kSelect).withOptions(opts("ISSUE_FIXED", "AUTOMATED", "NO_ACTION", "DUPLICATE")),
		prop("external_ticket_id", "External ticket ID", kText).withGen(genUnique("tkt-")).withUnique().withFill(80),
		prop("time_to_close", "Time to close", kNumber).calc(),
		prop("hs_num_times_contacted", "Number of times contacted", kNumber).calc(),
		prop("hs_is_closed", "Is ticket closed?", kBool).calc().withFill(100).withGen(stageOf(ps, "hs_pipeline_stage", func(s *stage) string { return strconv.FormatBool(s.closed) })),
		mergedIDsProp("Ticket"),
	)
	return &objectType{
		name: "tickets", typeID: "0-5", singular: "ticket", labelSingular: "Ticket", labelPlural: "Tickets",
		readScope: "tickets", writeScope: "tickets", createdProp: "createdate", modifiedProp: "hs_lastmodifieddate",
		defaults: []string{"subject", "content", "hs_pipeline", "hs_pipeline_stage"},
		required: [][]string{{"subject"}, {"hs_pipeline"}, {"hs_pipeline_stage"}}, searchable: []string{"subject", "content"},
		pipelineProp: "hs_pipeline", stageProp: "hs_pipeline_stage", primaryDisplay: "subject", props: props,
	}
}

// engagementTypes defines calls, emails, meetings, notes and tasks, in the order of standardTypeNames.
func engagementTypes(owners []owner) []*objectType {
	base := func(name, typeID, singular, label string, specific ...*propDef) *objectType {
		props := append(systemProps("hs_createdate", "hs_lastmodifieddate", owners),
			prop("hs_timestamp", "Activity date", kDatetime).withFill(100),
			prop("hs_body_preview", "Body preview", kText).calc(),
			prop("hs_activity_type", "Activity type", kSelect).withOptions(opts("Discovery", "Demo", "Check-in", "Escalation")),
			prop("external_"+singular+"_id", "External "+singular+" ID", kText).withGen(genUnique(singular[:1]+"-")).withUnique().withFill(70),
		)
		read, write := "crm.objects.contacts.read", "crm.objects.contacts.write"
		required := [][]string{{"hs_timestamp"}}
		if name == "emails" {
			read = "sales-email-read"
			required = append(required, []string{"hs_email_direction"})
		}
		return &objectType{
			name: name, typeID: typeID, singular: singular, labelSingular: label, labelPlural: label + "s",
			readScope: read, writeScope: write, createdProp: "hs_createdate", modifiedProp: "hs_lastmodifieddate",
			defaults: []string{"hs_timestamp"}, required: required, searchable: []string{"hs_body_preview"},
			primaryDisplay: "hs_timestamp", props: append(props, specific...),
		}
	}
	title := func(name, label string) *propDef {
		return prop(name, label, kText).withFill(85).withGen(func(g gen) string { return sentence(g.h, 2+int(g.n(1, 4))) })
	}
	return []*objectType{
		base("calls", "0-48", "call", "Call",
			title("hs_call_title", "Call Title"),
			prop("hs_call_body", "Call notes", kTextarea),
			prop("hs_call_duration", "Call duration", kNumber).withGen(func(g gen) string { return strconv.FormatUint(g.n(1, 3_600_000), 10) }),
			prop("hs_call_direction", "Call direction", kSelect).withOptions(opts("INBOUND", "OUTBOUND")),
			prop("hs_call_disposition", "Call outcome", kSelect).withOptions([]option{
				{Label: "Busy", Value: "9d9162e7-6cf3-4944-bf63-4dff82258764"},
				{Label: "Connected", Value: "f240bbac-87c9-4f6e-bf70-924b57d47db7", DisplayOrder: 1},
				{Label: "No answer", Value: "73a0d17f-1163-4015-bdd5-ec830791da20", DisplayOrder: 2},
			}),
			prop("hs_call_status", "Call status", kSelect).withOptions(opts("COMPLETED", "BUSY", "NO_ANSWER", "FAILED", "CANCELED", "IN_PROGRESS")),
			prop("hs_call_from_number", "From number", kPhone),
			prop("hs_call_to_number", "To number", kPhone),
			prop("hs_call_recording_url", "Recording URL", kText).withGen(func(g gen) string {
				return "https://recordings.example/" + strconv.FormatUint(g.h%1_000_000, 16) + ".mp3"
			}),
		),
		base("emails", "0-49", "email", "Email",
			prop("hs_email_direction", "Email direction", kSelect).withOptions(opts("EMAIL", "INCOMING_EMAIL", "FORWARDED_EMAIL")).withFill(100),
			title("hs_email_subject", "Email subject"),
			prop("hs_email_text", "Email body", kTextarea),
			prop("hs_email_html", "Email HTML", kTextarea).withGen(func(g gen) string { return "<p>" + sentence(g.h, 8) + "</p>" }),
			prop("hs_email_status", "Email send status", kSelect).withOptions(opts("BOUNCED", "FAILED", "SCHEDULED", "SENDING", "SENT")),
			prop("hs_email_sender_email", "Sender email", kText).withGen(func(g gen) string { return "rep" + strconv.FormatUint(g.n(1, 20), 10) + "@emulated-portal.example" }),
			prop("hs_email_to_email", "Recipient email", kText).withGen(func(g gen) string { return "buyer" + strconv.FormatUint(g.n(1, 5000), 10) + "@customer.example" }),
		),
		base("meetings", "0-47", "meeting", "Meeting",
			title("hs_meeting_title", "Meeting name"),
			prop("hs_meeting_body", "Meeting description", kTextarea),
			prop("hs_meeting_start_time", "Start time", kDatetime),
			prop("hs_meeting_end_time", "End time", kDatetime),
			prop("hs_meeting_location", "Location", kText).withGen(genCity),
			prop("hs_meeting_outcome", "Meeting outcome", kSelect).withOptions(opts("SCHEDULED", "COMPLETED", "RESCHEDULED", "NO_SHOW", "CANCELED")),
			prop("hs_internal_meeting_notes", "Internal notes", kTextarea),
			prop("hs_meeting_external_url", "External URL", kText).withGen(func(g gen) string { return "https://meet.example/" + strconv.FormatUint(g.h%1_000_000, 36) }),
		),
		base("notes", "0-46", "note", "Note",
			prop("hs_note_body", "Note body", kTextarea).withFill(95),
			prop("hs_attachment_ids", "Attachments", kText).withGen(func(g gen) string { return strconv.FormatUint(1_000_000+g.n(1, 9_000_000), 10) }),
		),
		base("tasks", "0-27", "task", "Task",
			title("hs_task_subject", "Task title"),
			prop("hs_task_body", "Task notes", kTextarea),
			prop("hs_task_status", "Task status", kSelect).withOptions(opts("NOT_STARTED", "IN_PROGRESS", "WAITING", "COMPLETED", "DEFERRED")),
			prop("hs_task_priority", "Priority", kSelect).withOptions(opts("NONE", "LOW", "MEDIUM", "HIGH")),
			prop("hs_task_type", "Task type", kSelect).withOptions(opts("TODO", "CALL", "EMAIL")),
			prop("hs_task_completion_date", "Completed at", kDatetime).readonly(),
			prop("hs_task_is_completed", "Is completed", kBool).calc(),
		),
	}
}

// customTypes defines the portal's two custom objects with per-portal type ids.
func customTypes(seed uint64, portalID int64, owners []owner) []*objectType {
	custom := func(i uint64, name, singular, label, display string, required []string, props ...*propDef) *objectType {
		id := 1_000_000 + hash3(seed, 0xc057, i)%9_000_000
		var req [][]string
		for _, r := range required {
			req = append(req, []string{r})
		}
		return &objectType{
			name: name, typeID: "2-" + strconv.FormatUint(id, 10), singular: singular, labelSingular: label,
			labelPlural: label + "s", custom: true, fqName: "p" + strconv.FormatInt(portalID, 10) + "_" + name,
			readScope: "crm.objects.custom.read", writeScope: "crm.objects.custom.write",
			createdProp: "hs_createdate", modifiedProp: "hs_lastmodifieddate",
			defaults: []string{display}, required: req, searchable: []string{display}, primaryDisplay: display,
			schemaID: strconv.FormatUint(id+17, 10),
			props:    append(append(systemProps("hs_createdate", "hs_lastmodifieddate", owners), props...), mergedIDsProp(label)),
		}
	}
	return []*objectType{
		custom(1, "cars", "car", "Car", "vin", []string{"vin", "make", "model"},
			prop("vin", "VIN", kText).withGen(genUnique("VIN")).withUnique().withFill(100),
			prop("make", "Make", kSelect).withOptions(opts("Toyota", "Volvo", "Ford", "Tesla", "Renault")).withFill(100),
			prop("model", "Model", kText).withFill(100).withGen(func(g gen) string { return g.pick([]string{"Corolla", "XC60", "Focus", "Model 3", "Clio"}) }),
			prop("year", "Year", kNumber).withGen(func(g gen) string { return strconv.FormatUint(2000+g.n(1, 25), 10) }),
			prop("color", "Color", kSelect).withOptions(opts("red", "blue", "black", "white", "silver")),
			prop("purchase_date", "Purchase date", kDate),
			prop("mileage", "Mileage", kNumber),
			prop("age_years", "Age in years", kNumber).calc(),
		),
		custom(2, "subscriptions", "subscription", "Subscription", "subscription_id", []string{"subscription_id", "plan"},
			prop("subscription_id", "Subscription ID", kText).withGen(genUnique("sub_")).withUnique().withFill(100),
			prop("plan", "Plan", kSelect).withOptions(opts("starter", "professional", "enterprise")).withFill(100),
			prop("status", "Status", kSelect).withOptions(opts("active", "past_due", "canceled", "trialing")),
			prop("mrr", "MRR", kNumber),
			prop("start_date", "Start date", kDate),
			prop("renewal_date", "Renewal date", kDate),
			prop("auto_renew", "Auto renew", kBool),
			prop("seats", "Seats", kNumber),
			prop("lifetime_value", "Lifetime value", kNumber).calc(),
		),
	}
}
