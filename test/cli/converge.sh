#!/usr/bin/env bash
# converge.sh: the warehouse equals HubSpot's live set under the real CloudQuery CLI, in SQLite and
# in PostgreSQL, with record filters off and on, and with a list gate. See test/cli/README.md.
#
# For each variant it starts a fresh emulator, runs `cloudquery sync` (with a state backend) into
# both databases, then makes rounds of changes through HubSpot's public API (merges, association
# creates and removals between otherwise unchanged records, updates moving contacts in and out of
# the filter, archives, a create, list membership changes), each followed by REFRESH_RUNS
# incremental runs. After every run each database's live records and current list members must
# equal HubSpot's, and after REFRESH_RUNS runs its live associations (docs/incremental.md's
# queries) too. Prints PASS or FAIL per check; exits 1 on any
# FAIL, 2 when a tool is missing or a sync fails.
set -euo pipefail

REFRESH_RUNS=3       # associations.refresh_runs
ROUNDS=2             # rounds of changes
SETTLE_LAG_SECONDS=1 # settle_lag: a change is read by a run starting this long after it
OBJECTS=(contacts companies)
PAIRS=(contacts:companies companies:contacts)

missing=()
[[ -x "${CQ:-}" ]] || missing+=("CQ: the CloudQuery CLI binary (v6), from https://github.com/cloudquery/cloudquery/releases (cli-v6.*)")
[[ -x "${CQ_SQLITE:-}" ]] || missing+=("CQ_SQLITE: the SQLite destination plugin binary: 'go build' in cloudquery/cloudquery's plugins/destination/sqlite, or a plugins-destination-sqlite release")
[[ -x "${CQ_POSTGRES:-}" ]] || missing+=("CQ_POSTGRES: the PostgreSQL destination plugin binary: 'go build' in cloudquery/cloudquery's plugins/destination/postgresql, or a plugins-destination-postgresql release")
[[ -n "${PG_URL:-}" ]] || missing+=("PG_URL: a PostgreSQL database whose hubspot_crm_* and cq_state_hubspot tables the check may drop, such as postgresql://postgres@127.0.0.1:5432/postgres")
for tool in go sqlite3 psql; do
  command -v "$tool" >/dev/null || missing+=("$tool: install it and put it on PATH")
done
if ((${#missing[@]})); then
  echo "converge.sh needs:" >&2
  printf '  %s\n' "${missing[@]}" >&2
  echo "for example: make check-cli CQ=/path/cloudquery CQ_SQLITE=/path/sqlite CQ_POSTGRES=/path/postgresql PG_URL=postgresql://..." >&2
  exit 2
fi

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
WORK=${CONVERGE_DIR:-$(mktemp -d)}
mkdir -p "$WORK/logs"
export CQ_TELEMETRY_LEVEL=none PG_URL
# The emulator accepts whatever token it is given; this one is the run's own.
HUBSPOT_ACCESS_TOKEN="converge-$(od -An -N8 -tx8 /dev/urandom | tr -d ' ')"
export HUBSPOT_ACCESS_TOKEN
echo "work directory: $WORK (CLI logs in $WORK/logs)"

(cd "$ROOT" && go build -o bin/hubspot . && go build -o "$WORK/portal" ./test/cli/portal)

EMULATOR_PID=""
stop_emulator() {
  if [[ -n "$EMULATOR_PID" ]]; then
    kill "$EMULATOR_PID" 2>/dev/null || true
    wait "$EMULATOR_PID" 2>/dev/null || true
    EMULATOR_PID=""
  fi
}
trap stop_emulator EXIT

# start_emulator starts a fresh portal on a free port and sets URL.
start_emulator() {
  local log=$WORK/logs/emulator-$1.log
  "$ROOT/bin/hubspot" emulator --port 0 --seed 21 --token "$HUBSPOT_ACCESS_TOKEN" --burst 250 \
    --counts contacts=150,companies=30 >"$log" 2>&1 &
  EMULATOR_PID=$!
  URL=""
  for _ in $(seq 100); do
    URL=$(sed -n 's/^HubSpot emulator listening on \(http:[^ ]*\).*/\1/p' "$log")
    [[ -n "$URL" ]] && return
    sleep 0.1
  done
  echo "the emulator did not start; see $log" >&2
  exit 2
}

portal() { "$WORK/portal" -url "$URL" "$@"; }

# write_spec DESTINATION VARIANT FILTER: the CLI spec of one database.
write_spec() {
  local dest=$1 variant=$2 filter=$3 plugin connection pairs filters=""
  case $dest in
    sqlite) plugin=$CQ_SQLITE connection="$WORK/$variant.sqlite" ;;
    postgresql) plugin=$CQ_POSTGRES connection='${PG_URL}' ;;
  esac
  pairs=$(printf '"%s",' "${PAIRS[@]}")
  [[ -n $filter ]] && filters="filters: {contacts: $filter}"
  cat >"$WORK/$variant-$dest.yml" <<YAML
kind: source
spec:
  name: hubspot
  registry: local
  path: $ROOT/bin/hubspot
  # The refreshes come with the associations and memberships tables, whatever
  # skip_dependent_tables says; the lists table comes as the memberships' parent.
  tables: [hubspot_crm_contacts, hubspot_crm_companies, hubspot_crm_associations, hubspot_crm_list_memberships]
  destinations: [$dest]
  backend_options:
    table_name: cq_state_hubspot
    connection: "@@plugins.$dest.connection"
  spec:
    access_token: \${HUBSPOT_ACCESS_TOKEN}
    base_url: $URL
    objects: [contacts, companies]
    properties: {contacts: [email, firstname, lifecyclestage], companies: [name, domain]}
    settle_lag: ${SETTLE_LAG_SECONDS}s
    tombstone_interval: 0s
    rate_limit: {burst_per_10s: 250}
    associations: {pairs: [${pairs%,}], refresh_runs: $REFRESH_RUNS}
    list_memberships: {refresh_runs: $REFRESH_RUNS}
    $filters
---
kind: destination
spec:
  name: $dest
  registry: local
  path: $plugin
  spec:
    connection_string: $connection
YAML
}

# query DESTINATION VARIANT SQL: rows as tab-separated lines.
query() {
  case $1 in
    sqlite) sqlite3 -separator $'\t' "$WORK/$2.sqlite" "$3" ;;
    postgresql) psql "$PG_URL" -AtqX -F $'\t' -v ON_ERROR_STOP=1 -c "$3" ;;
  esac
}

reset_databases() {
  rm -f "$WORK/$1.sqlite"
  psql "$PG_URL" -qX -v ON_ERROR_STOP=1 -c 'SET client_min_messages = warning' -c 'DROP TABLE IF EXISTS
    hubspot_crm_contacts, hubspot_crm_companies, hubspot_crm_associations, hubspot_crm_association_refreshes,
    hubspot_crm_lists, hubspot_crm_list_memberships, hubspot_crm_list_membership_refreshes, cq_state_hubspot'
}

SYNCS=0
# sync DESTINATION VARIANT LABEL: one `cloudquery sync`; its output goes to a log file only.
sync_db() {
  local log=$WORK/logs/$2-$1-$SYNCS.log summary=$WORK/logs/$2-$1-$SYNCS.summary.jsonl
  SYNCS=$((SYNCS + 1))
  if ! "$CQ" sync "$WORK/$2-$1.yml" --cq-dir "$WORK/.cq" --log-file-name "$log" --summary-location "$summary" \
    >"$log.out" 2>&1; then
    echo "FAIL $2 $1 $3: cloudquery sync failed; see $log and $log.out"
    exit 2
  fi
  if grep -Eq '"(source|destination)_errors": ?[1-9]' "$summary"; then
    echo "FAIL $2 $1 $3: cloudquery sync reported errors; see $log"
    exit 2
  fi
}

FAILED=0
# compare LABEL WANT DESTINATION VARIANT SQL: PASS when HubSpot's rows (WANT) equal the query's.
compare() {
  local label=$1 want=$2 got diffs=$WORK/diff
  if ! got=$(query "$3" "$4" "$5" 2>"$WORK/query.err"); then
    echo "FAIL $label: the query failed: $(head -c 300 "$WORK/query.err")"
    FAILED=1
    return
  fi
  if diff <(LC_ALL=C sort <<<"$want") <(LC_ALL=C sort <<<"$got") >"$diffs"; then
    echo "PASS $label ($(grep -c . <<<"$want") rows)"
  else
    echo "FAIL $label: $(grep -c '^<' "$diffs" || true) of HubSpot's rows missing, $(grep -c '^>' "$diffs" || true) rows not in HubSpot; first:"
    grep '^[<>]' "$diffs" | head -5 | sed 's/^/    /'
    FAILED=1
  fi
}

live_associations_sql() {
  cat <<SQL
SELECT a.from_id, a.to_id, a.type_id
FROM hubspot_crm_associations a
JOIN (SELECT portal, from_object_type, from_id, to_object_type, max(refreshed_at) AS refreshed_at
      FROM hubspot_crm_association_refreshes
      GROUP BY portal, from_object_type, from_id, to_object_type) r
  ON  a.portal = r.portal AND a.from_object_type = r.from_object_type
  AND a.from_id = r.from_id AND a.to_object_type = r.to_object_type
  AND a.refreshed_at = r.refreshed_at
WHERE a.from_object_type = '$1' AND a.to_object_type = '$2'
SQL
}

current_members_sql() {
  cat <<SQL
SELECT m.list_id, m.record_id
FROM hubspot_crm_list_memberships m
JOIN (SELECT portal, list_id, max(refreshed_at) AS refreshed_at
      FROM hubspot_crm_list_membership_refreshes
      GROUP BY portal, list_id) r
  ON m.portal = r.portal AND m.list_id = r.list_id AND m.refreshed_at = r.refreshed_at
SQL
}

# check_records VARIANT FILTER LABEL, check_associations VARIANT LABEL and check_members VARIANT
# LABEL compare both databases.
check_records() {
  local object want filter
  for object in "${OBJECTS[@]}"; do
    filter=""
    [[ $object == contacts ]] && filter=$2
    want=$(portal records "$object" ${filter:+"$filter"})
    for dest in sqlite postgresql; do
      compare "$1 $dest $3: $object" "$want" "$dest" "$1" "SELECT id FROM hubspot_crm_$object WHERE archived IS NOT TRUE"
    done
  done
}

check_associations() {
  local pair want
  for pair in "${PAIRS[@]}"; do
    want=$(portal associations "${pair%%:*}" "${pair##*:}")
    for dest in sqlite postgresql; do
      compare "$1 $dest $2: associations ${pair%%:*}->${pair##*:}" "$want" "$dest" "$1" \
        "$(live_associations_sql "${pair%%:*}" "${pair##*:}")"
    done
  done
}

check_members() {
  local want
  want=$(portal memberships)
  for dest in sqlite postgresql; do
    compare "$1 $dest $2: list members" "$want" "$dest" "$1" "$(current_members_sql)"
  done
}

# check_merges VARIANT LABEL CHANGES: each merged-away record's row is a merged tombstone naming
# its survivor; CHANGES holds the "merged OBJECT AWAY into INTO" lines of `portal change`.
check_merges() {
  local object away into
  while read -r _ object away _ into; do
    for dest in sqlite postgresql; do
      compare "$1 $dest $2: $object $away merged into $into" "merged	$into" "$dest" "$1" \
        "SELECT archived_reason, merged_into_id FROM hubspot_crm_$object WHERE id = $away"
    done
  done <"$3"
}

sync_both() {
  sync_db sqlite "$1" "$2"
  sync_db postgresql "$1" "$2"
}

for variant in unfiltered filtered gated; do
  reset_databases "$variant"
  start_emulator "$variant"
  case $variant in
    unfiltered) filter="" ;;
    filtered) filter=$(portal filter) ;;
    gated) filter=$(portal gated-filter) ;;
  esac
  write_spec sqlite "$variant" "$filter"
  write_spec postgresql "$variant" "$filter"

  sync_both "$variant" "full sync"
  check_records "$variant" "$filter" "full sync"
  check_members "$variant" "full sync"
  check_associations "$variant" "full sync"
  for round in $(seq "$ROUNDS"); do
    changes=$WORK/logs/$variant-changes-$round.txt
    portal change >"$changes"
    sleep $((SETTLE_LAG_SECONDS + 1))
    for run in $(seq "$REFRESH_RUNS"); do
      sync_both "$variant" "round $round run $run"
      check_records "$variant" "$filter" "round $round run $run"
      check_members "$variant" "round $round run $run"
    done
    check_associations "$variant" "round $round after $REFRESH_RUNS runs"
    check_merges "$variant" "round $round" "$changes"
  done
  stop_emulator
done

if ((FAILED)); then
  echo "FAIL: a database differs from HubSpot's live set"
  exit 1
fi
echo "PASS: SQLite and PostgreSQL equal HubSpot's live set and list members, with filters off, on, and with a list gate"
