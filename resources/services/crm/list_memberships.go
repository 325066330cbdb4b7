package crm

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/cloudquery/plugin-sdk/v4/schema"

	"github.com/hubspot-cq/cq-plugin-hubspot/client"
	"github.com/hubspot-cq/cq-plugin-hubspot/internal/hubspot"
)

const (
	listMembershipsTable         = "hubspot_crm_list_memberships"
	listMembershipRefreshesTable = "hubspot_crm_list_membership_refreshes"
)

// membershipRow is one record in one list, as one read of the list's members found it.
type membershipRow struct {
	ListID       string
	ObjectTypeID string
	ObjectType   *string
	RecordID     int64
	JoinedAt     time.Time
	RefreshedAt  time.Time
}

// membershipRefreshRow is one read of a list's members.
type membershipRefreshRow struct {
	ListID      string
	RefreshedAt time.Time
	Members     int64
}

// ListMemberships is the table of every list's members, a relation of Lists, with the table of the
// reads that produced its rows, which tells current members from records that left since.
func ListMemberships() *schema.Table {
	refreshes := &schema.Table{
		Name:  listMembershipRefreshesTable,
		Title: "HubSpot list membership refreshes",
		Description: "One row per read of a list's members: the memberships table's rows of that list with the same refreshed_at are its members " +
			"as of that read; rows with an older refreshed_at are records that left the list since. A deleted list gets a read with no members. " +
			"See docs/incremental.md for the query of current members.",
		IsIncremental: true,
		Columns: schema.ColumnList{
			portalColumn(),
			listIDKey(),
			column("refreshed_at", arrow.FixedWidthTypes.Timestamp_ms, "RefreshedAt", "When the members were read: the refreshed_at of the membership rows this read sent."),
			column("members", arrow.PrimitiveTypes.Int64, "Members", "How many members the read found."),
		},
	}
	table := &schema.Table{
		Name:  listMembershipsTable,
		Title: "HubSpot list memberships",
		Description: "The records in each list, one row per list and record. A list's members are read again when HubSpot shows a change " +
			"(its size, or the time of its last addition or removal) and within list_memberships.refresh_runs runs in any case. " +
			"Rows of records that left a list are not deleted: current members are the rows whose refreshed_at equals their list's latest refresh in " +
			"hubspot_crm_list_membership_refreshes (see docs/incremental.md). Needs scope `" + listsScope + "`, as hubspot_crm_lists does.",
		IsIncremental: true,
		Columns: schema.ColumnList{
			portalColumn(),
			listIDKey(),
			column("object_type_id", arrow.BinaryTypes.String, "ObjectTypeID", "Object type id of the record: 0-1 for contacts, 0-2 for companies..."),
			column("object_type", arrow.BinaryTypes.String, "ObjectType", "Plural name of the record's standard object type; its table is hubspot_crm_<object_type>."),
			primaryKey(column("record_id", arrow.PrimitiveTypes.Int64, "RecordID", "The record's id, as its object table's `id` holds it.")),
			column("membership_timestamp", arrow.FixedWidthTypes.Timestamp_ms, "JoinedAt", "When the record was added to the list."),
			column("refreshed_at", arrow.FixedWidthTypes.Timestamp_ms, "RefreshedAt", "When the list's members were read (see hubspot_crm_list_membership_refreshes)."),
		},
		Relations: schema.Tables{refreshes},
	}
	refreshes.Parent = table
	return table
}

// listIDKey is the list_id primary key column the membership tables share.
func listIDKey() schema.Column {
	return primaryKey(column("list_id", arrow.BinaryTypes.String, "ListID", "The list's id (`hubspot_crm_lists.id`)."))
}

// memberReaders bounds the lists whose members are read at once: enough to keep a portal's request
// budget busy when HubSpot takes a few hundred milliseconds a request, and no more, so the other
// tables keep their share.
const memberReaders = 4

// syncMemberships reads the members of the lists plan names (all of them on a first run) and
// saves which lists were read. Each list's refresh row goes out right after its members, and a gone
// list's at once: a run interrupted part-way leaves every list it read current in a destination
// that upserts, and only the lists being read at that moment hold a partial read there, until the
// next run reads them again. A list whose read failed is read again next run; the others keep their
// progress.
func syncMemberships(ctx context.Context, m *client.Meta, table *schema.Table, plan *client.MembershipPlan, send func(arrow.Record) error) error {
	refreshes := table.Relations.Get(listMembershipRefreshesTable) // nil when skipped by name
	sendRefresh := func(r membershipRefreshRow) error {
		if refreshes == nil {
			return nil
		}
		return sendResolved(ctx, m, refreshes, []membershipRefreshRow{r}, send)
	}
	for _, id := range plan.Gone {
		if err := sendRefresh(membershipRefreshRow{ListID: id, RefreshedAt: time.Now()}); err != nil {
			return err
		}
	}
	var (
		mu   sync.Mutex
		read []string
		errs []error
		wg   sync.WaitGroup
	)
	work := make(chan hubspot.List)
	for range min(memberReaders, len(plan.Read)) {
		wg.Go(func() {
			for l := range work {
				refresh, err := readMembers(ctx, m, table, l, send)
				deleted := hubspot.IsNotFound(err) // since the search: no members, and nothing to keep
				if deleted {
					refresh, err = membershipRefreshRow{ListID: l.ID, RefreshedAt: time.Now()}, nil
				}
				if err == nil {
					err = sendRefresh(refresh)
				}
				mu.Lock()
				switch {
				case err != nil:
					errs = append(errs, err)
				case !deleted:
					read = append(read, l.ID)
				}
				mu.Unlock()
			}
		})
	}
	for _, l := range plan.Read {
		select {
		case work <- l:
		case <-ctx.Done():
		}
	}
	close(work)
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := plan.Save(ctx, read); err != nil {
		return err
	}
	m.Logger.Info().Str("table", table.Name).Int("read", len(read)).Int("gone", len(plan.Gone)).Int("missed", len(plan.Missed)).Msg("list members read")
	return errors.Join(errs...)
}

// readMembers reads one list's members into rows that share the read's time, and returns the
// read's refresh row.
func readMembers(ctx context.Context, m *client.Meta, table *schema.Table, l hubspot.List, send func(arrow.Record) error) (membershipRefreshRow, error) {
	refresh := membershipRefreshRow{ListID: l.ID, RefreshedAt: time.Now()}
	objectType := objectTypeName(l.ObjectTypeID)
	for page, err := range m.Portal.API.Lists.Memberships(ctx, l.ID, hubspot.MembershipOptions{}) {
		if err != nil {
			return refresh, fmt.Errorf("read members of list %s: %w", l.ID, err)
		}
		rows := make([]membershipRow, len(page.Members))
		for i, mb := range page.Members {
			id, err := strconv.ParseInt(mb.RecordID, 10, 64)
			if err != nil {
				return refresh, fmt.Errorf("list %s: record id %q is not a number: %w", l.ID, mb.RecordID, err)
			}
			rows[i] = membershipRow{ListID: l.ID, ObjectTypeID: l.ObjectTypeID, ObjectType: objectType, RecordID: id, JoinedAt: mb.JoinedAt, RefreshedAt: refresh.RefreshedAt}
		}
		if err := sendResolved(ctx, m, table, rows, send); err != nil {
			return refresh, err
		}
		refresh.Members += int64(len(rows))
	}
	return refresh, nil
}
