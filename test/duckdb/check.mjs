// Reads the Parquet files `hubspot sync` wrote with DuckDB, an independent engine, and checks that
// every table opens and that each HubSpot property type arrives with the DuckDB type it should.
// Usage: node check.mjs DIR (the destination's spec.path, one directory per table).
import { DuckDBInstance } from '@duckdb/node-api';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const dir = process.argv[2];
const db = await DuckDBInstance.create(':memory:');
const conn = await db.connect();
const fail = (msg) => { console.error('FAIL: ' + msg); process.exitCode = 1; };

const tables = readdirSync(dir).filter((t) => statSync(join(dir, t)).isDirectory());
if (tables.length === 0) fail(`no table directories in ${dir}`);
for (const t of tables) {
  const rows = await conn.runAndReadAll(`SELECT count(*) AS n FROM read_parquet('${join(dir, t)}/*.parquet')`);
  console.log(`${t}: ${rows.getRowObjects()[0].n} rows`);
}

// Column types of the contacts table: the static columns, then one property of each HubSpot type.
const want = {
  portal: 'VARCHAR', id: 'BIGINT', created_at: 'TIMESTAMP WITH TIME ZONE',
  updated_at: 'TIMESTAMP WITH TIME ZONE', archived: 'BOOLEAN', archived_at: 'TIMESTAMP WITH TIME ZONE',
};
const props = await conn.runAndReadAll(`SELECT name, type, field_type FROM read_parquet('${join(dir, 'hubspot_crm_properties')}/*.parquet') WHERE object_type = 'contacts'`);
const byType = { string: 'VARCHAR', number: 'DOUBLE', bool: 'BOOLEAN', date: 'DATE', datetime: 'TIMESTAMP WITH TIME ZONE', phone_number: 'VARCHAR' };
for (const p of props.getRowObjects()) {
  const type = p.type === 'enumeration' ? (p.field_type === 'checkbox' ? 'VARCHAR[]' : 'VARCHAR') : byType[p.type];
  if (type) want[p.name] ??= type;
}
const described = await conn.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet('${join(dir, 'hubspot_crm_contacts')}/*.parquet')`);
const got = Object.fromEntries(described.getRowObjects().map((r) => [r.column_name, r.column_type]));
let checked = 0;
for (const [col, type] of Object.entries(want)) {
  if (!(col in got)) continue; // property allow-lists may leave some out
  checked++;
  if (got[col] !== type) fail(`hubspot_crm_contacts.${col}: DuckDB reads ${got[col]}, want ${type}`);
}
const kinds = new Set(Object.entries(want).filter(([c]) => c in got).map(([, t]) => t));
for (const t of ['VARCHAR', 'VARCHAR[]', 'DOUBLE', 'BOOLEAN', 'DATE', 'TIMESTAMP WITH TIME ZONE', 'BIGINT']) {
  if (!kinds.has(t)) fail(`no contacts column of type ${t} to check`);
}
console.log(`${checked} contacts columns have the expected DuckDB types`);
