package status

import (
	"strings"

	"github.com/hubspot-cq/cq-plugin-hubspot/internal/reverse"
)

// fixes says, per category, what makes the rows go through next run. Failure categories carry
// HubSpot's detail after a dot (VALIDATION_ERROR.INVALID_EMAIL): the full name wins, then its
// first part.
var fixes = map[string]string{
	// Exclusions: the row was left out on purpose.
	reverse.ReasonNoEmail:       "Contacts need an email to match: fill the email column, or set require_email: false on the mapping to create contacts without one.",
	reverse.ReasonInvalidEmail:  "The email is not a valid address: correct it in the warehouse (trim spaces, drop placeholder values).",
	reverse.ReasonMissingKey:    "The match key column is empty: fill it, or list a second key in match_key (for companies [domain, name]).",
	reverse.ReasonDuplicate:     "Another row of the run has the same key and won (the first row wins): deduplicate the table on its match key.",
	reverse.ReasonNoPipeline:    "The pipeline or stage value has no match in HubSpot: add it to the mapping's pipelines.map, or use the label HubSpot shows.",
	reverse.ReasonTargetMissing: "The association's target record does not exist in HubSpot: sync the target object first, or correct the key column.",
	reverse.ReasonNoMatch:       "mode update (or an id key) only changes existing records: create the record first, or use mode upsert.",
	reverse.ReasonExists:        "mode create never changes existing records: use mode upsert to update them too.",

	// Failures the engine names.
	reverse.CategoryInvalidValue:  "The value cannot convert to the property's type: fix the column's type or values, or map it to another property.",
	reverse.CategoryInvalidOption: "The value is not one of the property's options: map it to an option (value or label) or add the option in HubSpot.",
	reverse.CategoryAmbiguous:     "HubSpot's answer did not say which record a row became: rerun; the engine looks the keys up before writing again.",
	reverse.CategoryUnconfirmed:   "HubSpot neither confirmed nor rejected the row: rerun to check it; nothing is written twice.",
	reverse.CategoryAborted:       "The run stopped before the row was written (a network error or a stop): rerun; the message has the cause.",

	// HubSpot's categories.
	"VALIDATION_ERROR":               "HubSpot rejected a property value: the message names the property; correct the column or its mapping.",
	"VALIDATION_ERROR.INVALID_EMAIL": "HubSpot rejected the email address: correct it in the warehouse.",
	"OBJECT_NOT_FOUND":               "The record was deleted or merged in HubSpot since it was matched: rerun to match it again.",
	"CONFLICT":                       "Another record already holds this unique value: deduplicate the rows, or match on that property instead.",
	"MISSING_SCOPES":                 "The token lacks a write scope: grant the scope the message names to the private app and rerun.",
	"RATE_LIMITS":                    "HubSpot's rate limit was hit past every retry: lower rate_limit.burst_per_10s or run when other integrations are quiet.",
}

const defaultFix = "Read the message column of the export (--export) for HubSpot's reason, correct the rows, and rerun."

// Fix says how to fix the rows of a category.
func Fix(category string) string {
	if f, ok := fixes[category]; ok {
		return f
	}
	head, _, _ := strings.Cut(category, ".")
	if f, ok := fixes[head]; ok {
		return f
	}
	if strings.HasPrefix(category, "HTTP_5") {
		return "HubSpot failed past every retry: rerun later; rows already written are not written again."
	}
	return defaultFix
}

// IsExclusion reports whether category is a reason rows are excluded for rather than a failure.
func IsExclusion(category string) bool {
	switch category {
	case reverse.ReasonNoEmail, reverse.ReasonInvalidEmail, reverse.ReasonMissingKey, reverse.ReasonDuplicate,
		reverse.ReasonNoPipeline, reverse.ReasonTargetMissing, reverse.ReasonNoMatch, reverse.ReasonExists:
		return true
	}
	return false
}
