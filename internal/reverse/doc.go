// Package reverse is the reverse-ETL engine: it writes warehouse rows (Arrow records) to HubSpot
// the way HubSpot's Data Sync does. A Mapping (the engine's own rules, which the plugin fills
// from its validated spec) is compiled against a portal's full property definitions into a Plan
// (problems name table, column and property); a Run then converts each batch of rows to
// HubSpot's wire values, excludes rows (no email, duplicate key, no pipeline mapping, missing
// association target), matches records in batches, writes only the properties that change,
// creates associations that are missing, and gives every row one outcome: synced, failed or
// excluded. Outcomes go to a Parquet report and a per-object summary.
//
// The engine knows Arrow (input) and the HubSpot API client (output), and nothing of the
// CloudQuery plugin around it.
package reverse
