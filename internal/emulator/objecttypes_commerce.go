package emulator

import (
	"strconv"
	"strings"
)

// commerceCounts are the default record counts of the commerce, sales and service objects: modest,
// so that demos and tests stay fast.
var commerceCounts = map[string]int{
	"products": 60, "line_items": 200, "quotes": 60, "leads": 100, "invoices": 80, "goal_targets": 20,
	"feedback_submissions": 60, "communications": 80, "postal_mail": 30, "orders": 80, "carts": 40,
}

// commerceTypes defines the standard objects beyond the CRM core and the engagements: products,
// line items, quotes, leads, invoices, goal targets, feedback submissions, communications, postal
// mail, orders and carts, with the type ids and scopes of HubSpot's specs.
func commerceTypes(owners []owner) []*objectType {
	object := func(name, typeID, singular, label, scope, display string, props ...*propDef) *objectType {
		return &objectType{
			name: name, typeID: typeID, singular: singular, labelSingular: label, labelPlural: label + "s",
			readScope: "crm.objects." + scope + ".read", writeScope: "crm.objects." + scope + ".write",
			createdProp: "hs_createdate", modifiedProp: "hs_lastmodifieddate",
			defaults: []string{display}, searchable: []string{display}, primaryDisplay: display,
			props: append(systemProps("hs_createdate", "hs_lastmodifieddate", owners), append(props,
				prop("external_"+singular+"_id", "External "+strings.ToLower(label)+" ID", kText).withGen(genUnique(singular[:2]+"-")).withUnique().withFill(70))...),
		}
	}
	money := func(name, label string) *propDef {
		return prop(name, label, kNumber).withFill(95).withGen(func(g gen) string {
			return strconv.FormatFloat(float64(g.n(7, 500_000))/100, 'f', 2, 64)
		})
	}
	currency := func() *propDef {
		return prop("hs_currency", "Currency", kSelect).withOptions(opts("USD", "EUR", "GBP", "JPY")).withFill(100)
	}
	title := func(name, label string) *propDef {
		return prop(name, label, kText).withFill(100).withGen(func(g gen) string { return sentence(g.h, 2+int(g.n(1, 3))) })
	}
	sku := func(g gen) string { return "SKU-" + strconv.FormatUint(g.n(3, 100_000), 10) }

	products := object("products", "0-7", "product", "Product", "products", "name",
		prop("name", "Name", kText).withFill(100).withGen(func(g gen) string {
			return g.pick([]string{"Starter", "Professional", "Enterprise", "Onboarding", "Support"}) + " " + g.pick([]string{"plan", "seat", "package", "add-on"})
		}),
		prop("description", "Description", kTextarea).withFill(70),
		money("price", "Unit price"),
		prop("hs_sku", "SKU", kText).withGen(genUnique("SKU-")).withUnique().withFill(90),
		prop("hs_cost_of_goods_sold", "Unit cost", kNumber),
		prop("hs_recurring_billing_period", "Term", kText).withGen(func(g gen) string { return "P" + strconv.FormatUint(1+g.n(1, 24), 10) + "M" }),
		prop("recurringbillingfrequency", "Billing frequency", kSelect).withOptions(opts("monthly", "quarterly", "annually")),
		prop("hs_product_type", "Product type", kSelect).withOptions(opts("inventory", "non_inventory", "service")),
		prop("hs_url", "URL", kText).withGen(genWebsite),
		prop("hs_margin", "Margin", kNumber).calc(),
	)
	products.defaults = []string{"name", "description", "price"}

	lineItems := object("line_items", "0-8", "line_item", "Line item", "line_items", "name",
		prop("name", "Name", kText).withFill(100).withGen(func(g gen) string {
			return g.pick([]string{"Starter", "Professional", "Enterprise"}) + " " + g.pick([]string{"plan", "seats", "services"})
		}),
		prop("hs_product_id", "Product ID", kNumber).withFill(80).withGen(func(g gen) string { return strconv.FormatUint(1000+g.n(4, 2000), 10) }),
		prop("quantity", "Quantity", kNumber).withFill(100).withGen(func(g gen) string { return strconv.FormatUint(1+g.n(5, 50), 10) }),
		money("price", "Unit price"),
		prop("amount", "Net price", kNumber).calc().withFill(100).withGen(func(g gen) string {
			q, _ := strconv.ParseFloat(g.other("quantity"), 64)
			p, _ := strconv.ParseFloat(g.other("price"), 64)
			return strconv.FormatFloat(q*p, 'f', 2, 64)
		}),
		prop("discount", "Unit discount", kNumber),
		prop("hs_sku", "SKU", kText).withGen(sku),
		prop("hs_recurring_billing_period", "Term", kText).withGen(func(g gen) string { return "P12M" }),
		prop("hs_line_item_currency_code", "Currency", kSelect).withOptions(opts("USD", "EUR", "GBP")),
		prop("hs_position_on_quote", "Position on quote", kNumber),
	)
	lineItems.defaults = []string{"name", "quantity", "price", "amount"}

	quotes := object("quotes", "0-14", "quote", "Quote", "quotes", "hs_title",
		title("hs_title", "Quote name"),
		prop("hs_expiration_date", "Expiration date", kDatetime).withFill(100),
		prop("hs_status", "Quote approval status", kSelect).withOptions(opts("DRAFT", "APPROVAL_NOT_NEEDED", "PENDING_APPROVAL", "APPROVED", "REJECTED")).withFill(100),
		money("hs_quote_amount", "Amount"),
		currency(),
		prop("hs_quote_number", "Quote number", kText).withGen(genUnique("Q-")).withUnique().withFill(100),
		prop("hs_language", "Language", kSelect).withOptions(opts("en", "de", "fr", "es")),
		prop("hs_terms", "Terms", kTextarea),
		prop("hs_sender_email", "Sender email", kText).withGen(func(g gen) string { return "rep" + strconv.FormatUint(g.n(1, 20), 10) + "@emulated-portal.example" }),
		prop("hs_esign_enabled", "E-signature enabled", kBool),
		prop("hs_quote_link", "Quote link", kText).calc().withGen(func(g gen) string {
			return "https://quotes.example/" + strconv.FormatUint(g.r.id, 36)
		}),
	)
	quotes.required = [][]string{{"hs_title"}, {"hs_expiration_date"}}

	leads := object("leads", "0-136", "lead", "Lead", "leads", "hs_lead_name",
		title("hs_lead_name", "Lead name"),
		prop("hs_lead_type", "Lead type", kSelect).withOptions(opts("NEW_BUSINESS", "UPSELL", "RE_ATTEMPTING")).withFill(80),
		prop("hs_lead_label", "Lead label", kSelect).withOptions(opts("COLD", "WARM", "HOT")).withFill(70),
		prop("hs_pipeline_stage", "Lead stage", kSelect).withOptions(opts("new-stage-id", "attempting-stage-id", "connected-stage-id", "qualified-stage-id", "unqualified-stage-id")).withFill(100),
		prop("hs_lead_source", "Lead source", kSelect).withOptions(opts("ORGANIC_SEARCH", "PAID_SEARCH", "REFERRALS", "OFFLINE")),
		prop("hs_first_outreach_date", "First outreach date", kDatetime).readonly(),
		prop("hs_last_activity_date", "Last activity date", kDatetime).calc(),
	)

	invoices := object("invoices", "0-53", "invoice", "Invoice", "invoices", "hs_number",
		currency(),
		prop("hs_number", "Invoice number", kText).withGen(genUnique("INV-")).withUnique().withFill(100),
		prop("hs_invoice_status", "Invoice status", kSelect).withOptions(opts("draft", "open", "paid", "voided")).withFill(100),
		money("hs_amount_billed", "Amount billed"),
		prop("hs_balance_due", "Balance due", kNumber).calc(),
		prop("hs_invoice_date", "Invoice date", kDatetime).withFill(100),
		prop("hs_due_date", "Due date", kDatetime).withFill(100),
		prop("hs_purchase_order_number", "Purchase order number", kText).withGen(genUnique("PO-")),
		prop("hs_comments", "Comments", kTextarea),
	)
	invoices.required = [][]string{{"hs_currency"}}

	goals := object("goal_targets", "0-74", "goal_target", "Goal target", "goals", "hs_goal_name",
		title("hs_goal_name", "Goal name"),
		money("hs_target_amount", "Target amount"),
		prop("hs_start_datetime", "Start date", kDatetime).withFill(100),
		prop("hs_end_datetime", "End date", kDatetime).withFill(100),
		prop("hs_goal_type", "Goal type", kSelect).withOptions(opts("revenue", "deals_created", "calls_made", "meetings_booked", "tickets_closed")).withFill(100),
		prop("hs_assignee_user_id", "Assigned user", kNumber).withFill(90).withGen(func(g gen) string { return strconv.FormatUint(9_000_000+g.n(2, 40), 10) }),
		prop("hs_progress_amount", "Progress", kNumber).calc(),
	)

	// Feedback submissions come from surveys: HubSpot serves them read-only. Association writes on
	// them need only their read scope.
	feedback := object("feedback_submissions", "0-19", "feedback_submission", "Feedback submission", "feedback_submissions", "hs_survey_name",
		prop("hs_survey_name", "Survey name", kText).withFill(100).withGen(func(g gen) string {
			return g.pick([]string{"Customer satisfaction", "Net Promoter Score", "Customer effort"})
		}),
		prop("hs_survey_type", "Survey type", kSelect).withOptions(opts("CSAT", "NPS", "CES", "CUSTOM")).withFill(100),
		prop("hs_response_value", "Rating", kNumber).withFill(100).withGen(func(g gen) string { return strconv.FormatUint(g.n(1, 11), 10) }),
		prop("hs_sentiment", "Sentiment", kSelect).withOptions(opts("POSITIVE", "NEUTRAL", "NEGATIVE")).withFill(100),
		prop("hs_content", "Response", kTextarea).withFill(60),
		prop("hs_submission_timestamp", "Submitted at", kDatetime).withFill(100),
		prop("hs_survey_channel", "Channel", kSelect).withOptions(opts("EMAIL", "WEB", "CHAT")),
		prop("hs_nps_category", "NPS category", kSelect).withOptions(opts("promoter", "passive", "detractor")).calc(),
	)
	feedback.writeScope, feedback.readOnly = feedback.readScope, true

	// Communications (SMS, WhatsApp and LinkedIn messages) and postal mail are engagements: they
	// live under the contacts scopes.
	engagement := func(t *objectType) *objectType {
		t.readScope, t.writeScope = "crm.objects.contacts.read", "crm.objects.contacts.write"
		t.props = append(t.props, prop("hs_timestamp", "Activity date", kDatetime).withFill(100),
			prop("hs_body_preview", "Body preview", kText).calc())
		t.required = append([][]string{{"hs_timestamp"}}, t.required...)
		return t
	}
	communications := engagement(object("communications", "0-18", "communication", "Communication", "", "hs_communication_body",
		prop("hs_communication_channel_type", "Channel type", kSelect).withOptions(opts("SMS", "WHATS_APP", "LINKEDIN_MESSAGE")).withFill(100),
		prop("hs_communication_logged_from", "Logged from", kSelect).withOptions(opts("CRM")).withFill(100),
		prop("hs_communication_body", "Body", kTextarea).withFill(95),
	))
	communications.required = append(communications.required, []string{"hs_communication_channel_type"})
	postal := engagement(object("postal_mail", "0-116", "postal_mail", "Postal mail", "", "hs_postal_mail_body",
		prop("hs_postal_mail_body", "Body", kTextarea).withFill(95),
		prop("hs_direction", "Direction", kSelect).withOptions(opts("INCOMING", "OUTGOING")).withFill(90),
		prop("hs_delivery_status", "Delivery status", kSelect).withOptions(opts("SENT", "DELIVERED", "RETURNED")),
	))
	postal.labelPlural = "Postal mail"

	address := []*propDef{
		prop("hs_billing_address_city", "Billing city", kText).withGen(genCity),
		prop("hs_billing_address_country", "Billing country", kText).withGen(genCountry),
		prop("hs_billing_address_zip", "Billing postal code", kText).withGen(genZip),
	}
	orders := object("orders", "0-123", "order", "Order", "orders", "hs_order_name",
		append([]*propDef{
			title("hs_order_name", "Order name"),
			money("hs_total_price", "Total price"),
			money("hs_subtotal_price", "Subtotal"),
			currency(),
			prop("hs_external_order_id", "External order ID", kText).withGen(genUnique("ord-")).withUnique().withFill(90),
			prop("hs_fulfillment_status", "Fulfillment status", kSelect).withOptions(opts("UNFULFILLED", "PARTIAL", "FULFILLED")),
			prop("hs_payment_status", "Payment status", kSelect).withOptions(opts("PENDING", "PAID", "REFUNDED")),
			prop("hs_order_discount", "Discount", kNumber),
			prop("hs_shipping_cost", "Shipping cost", kNumber),
			prop("hs_num_line_items", "Number of line items", kNumber).calc(),
		}, address...)...,
	)
	carts := object("carts", "0-142", "cart", "Cart", "carts", "hs_cart_name",
		title("hs_cart_name", "Cart name"),
		money("hs_total_price", "Total price"),
		currency(),
		prop("hs_external_cart_id", "External cart ID", kText).withGen(genUnique("cart-")).withUnique().withFill(90),
		prop("hs_cart_url", "Cart URL", kText).withGen(func(g gen) string { return "https://shop.example/cart/" + strconv.FormatUint(g.r.id, 10) }),
		prop("hs_source_store", "Store", kText).withGen(func(g gen) string { return g.pick([]string{"web", "mobile", "pos"}) }),
		prop("hs_cart_discount", "Discount", kNumber),
		prop("hs_abandoned", "Abandoned", kBool),
		prop("hs_num_line_items", "Number of line items", kNumber).calc(),
	)
	return []*objectType{products, lineItems, quotes, leads, invoices, goals, feedback, communications, postal, orders, carts}
}

// commerceAssocIDs are the HubSpot-defined association type ids of the commerce, sales and service
// objects towards the primary objects, each direction's id with its inverse.
var commerceAssocIDs = []struct {
	from, to string
	ab, ba   int
	rule     assocRule
}{
	{"line_items", "deals", 20, 19, assocRule{pct: 90, minN: 1, maxN: 1}},
	{"quotes", "deals", 64, 63, assocRule{pct: 95, minN: 1, maxN: 1}},
	{"quotes", "contacts", 69, 70, assocRule{pct: 90, minN: 1, maxN: 2}},
	{"quotes", "companies", 71, 72, assocRule{pct: 80, minN: 1, maxN: 1}},
	{"leads", "contacts", 578, 579, assocRule{pct: 100, minN: 1, maxN: 1}},
	{"leads", "companies", 580, 581, assocRule{pct: 70, minN: 1, maxN: 1}},
	{"invoices", "contacts", 177, 178, assocRule{pct: 95, minN: 1, maxN: 1}},
	{"invoices", "companies", 179, 180, assocRule{pct: 80, minN: 1, maxN: 1}},
	{"invoices", "deals", 175, 176, assocRule{pct: 50, minN: 1, maxN: 1}},
	{"feedback_submissions", "contacts", 97, 96, assocRule{pct: 100, minN: 1, maxN: 1}},
	{"feedback_submissions", "tickets", 99, 98, assocRule{pct: 30, minN: 1, maxN: 1}},
	{"communications", "contacts", 81, 82, assocRule{pct: 100, minN: 1, maxN: 1}},
	{"communications", "companies", 87, 88, assocRule{pct: 60, minN: 1, maxN: 1}},
	{"communications", "deals", 85, 86, assocRule{pct: 30, minN: 1, maxN: 1}},
	{"communications", "tickets", 89, 90, assocRule{pct: 15, minN: 1, maxN: 1}},
	{"postal_mail", "contacts", 453, 454, assocRule{pct: 100, minN: 1, maxN: 1}},
	{"postal_mail", "companies", 455, 456, assocRule{pct: 60, minN: 1, maxN: 1}},
	{"postal_mail", "deals", 457, 458, assocRule{pct: 30, minN: 1, maxN: 1}},
	{"postal_mail", "tickets", 459, 460, assocRule{pct: 15, minN: 1, maxN: 1}},
	{"orders", "contacts", 507, 508, assocRule{pct: 100, minN: 1, maxN: 1}},
	{"orders", "companies", 509, 510, assocRule{pct: 70, minN: 1, maxN: 1}},
	{"orders", "deals", 511, 512, assocRule{pct: 40, minN: 1, maxN: 1}},
	{"carts", "contacts", 586, 587, assocRule{pct: 90, minN: 1, maxN: 1}},
}

// commerceAssocSpecs seeds the commerce, sales and service objects' associations.
func commerceAssocSpecs() []assocSpec {
	specs := make([]assocSpec, len(commerceAssocIDs))
	for i, a := range commerceAssocIDs {
		specs[i] = assocSpec{a.from, a.to, []assocType{hubspotType(a.ab, a.ba)}, a.rule}
	}
	return specs
}
