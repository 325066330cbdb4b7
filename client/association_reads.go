package client

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/hubspot-cq/cq-plugin-hubspot/internal/hubspot"
	"github.com/hubspot-cq/cq-plugin-hubspot/internal/incremental"
)

// AssociationReads names records of one object type whose associations an association refresh
// reads again, and records whose associations are gone.
type AssociationReads struct {
	// Reread: records changed since the last run, or due in this run of the rolling refresh.
	Reread []string
	// Gone: records archived, or merged into another record, since the last run. HubSpot drops
	// an archived record's associations and moves a merged one's to the record it merged into.
	Gone []string
}

// ReadAssociationSources hands over, at most 1,000 ids at a time, the records of one object type
// whose associations changed or may have: those changed since the last run of the table (every
// record on a full refresh or a first run), those archived or merged away since, and the records
// due in this run of a walk over every record that re-reads them all within
// associations.refresh_runs runs (association changes alone do not change a record's
// last-modified time). The records changed since the last run come from the object type's table
// when it ran incrementally in this run and its changes cover this stream's; a search finds them
// otherwise.
func (m *Meta) ReadAssociationSources(ctx context.Context, table string, obj ObjectType, emit func(AssociationReads) error) error {
	props := associationSourceProperties(obj)
	merges := len(props) > 1
	full := m.run.spec.Associations.FullRefresh
	var shared *incremental.Feed
	if !full {
		shared = m.feed(obj.Name)
	}
	stream := m.stateKey(table + "/" + obj.Name)
	reader := m.reader(m.run.association)
	res, err := reader.Read(ctx, incremental.Stream{
		Key:               stream,
		ObjectType:        obj.TypeID,
		ModifiedProperty:  obj.ModifiedProperty,
		Properties:        props,
		BackfillBySearch:  true,
		BatchSize:         hubspot.MaxAssociationReadInputs,
		FullRefresh:       full,
		Tombstones:        *m.run.spec.Tombstones,
		TombstoneInterval: m.run.spec.TombstoneInterval.Duration(),
		Shared:            shared,
	}, func(objs []hubspot.Object) error {
		var reads AssociationReads
		for _, o := range objs {
			if o.Archived {
				reads.Gone = append(reads.Gone, o.ID)
				continue
			}
			reads.Reread = append(reads.Reread, o.ID)
			if merges {
				ids, _ := MergedIDs(o.Values[1]) // the object table reports the parts that are not ids
				for _, id := range ids {
					reads.Gone = append(reads.Gone, strconv.FormatInt(id, 10))
				}
			}
		}
		return emit(reads)
	})
	if err == nil && res.Complete && !full && res.Phase == incremental.PhaseIncremental {
		var phase int
		phase, err = m.rollingPhase(ctx, obj)
		var rolled incremental.Result
		if err == nil {
			rolled, err = reader.ReadRolling(ctx, incremental.RollingStream{
				Key:        stream + "/rolling",
				ObjectType: obj.TypeID,
				Runs:       m.run.spec.Associations.RefreshRuns,
				Phase:      phase,
				Properties: props[:1],
				BatchSize:  hubspot.MaxAssociationReadInputs,
			}, func(objs []hubspot.Object) error {
				ids := make([]string, len(objs))
				for i, o := range objs {
					ids[i] = o.ID
				}
				return emit(AssociationReads{Reread: ids})
			})
		}
		res.Records += rolled.Records
		res.Complete = rolled.Complete
	}
	if m.unreadable(obj, err) {
		return nil
	}
	if err != nil {
		err = fmt.Errorf("read %s ids for associations: %w", obj.Name, err)
	}
	return m.endStream(table+" ("+obj.Name+")", res, err)
}

// associationSourceProperties are what an association refresh reads of its source records: the
// modified time, and the ids merged into each when the type merges.
func associationSourceProperties(obj ObjectType) []string {
	props := []string{obj.ModifiedProperty}
	if slices.ContainsFunc(obj.Definitions, func(p hubspot.Property) bool { return p.Name == MergedIDsProperty }) {
		props = append(props, MergedIDsProperty)
	}
	return props
}

// rollingPhase spreads the rolling refresh's walks over associations.refresh_runs runs: an object
// type's first walk begins as far in as its place among the types read from, so that the last
// runs of their walks, which read every record of a small type, fall in different runs. Walks
// under way keep their place when types are added or removed.
func (m *Meta) rollingPhase(ctx context.Context, obj ObjectType) (int, error) {
	pairs, err := m.AssociationPairs(ctx)
	if err != nil {
		return 0, fmt.Errorf("association pairs: %w", err)
	}
	var froms []string
	for _, p := range pairs {
		if !slices.Contains(froms, p.From.Name) {
			froms = append(froms, p.From.Name)
		}
	}
	i := slices.Index(froms, obj.Name)
	if i < 0 {
		return 0, nil // read from by no pair: any phase will do
	}
	return i * m.run.spec.Associations.RefreshRuns / len(froms), nil
}

// MergedIDs parses a value of MergedIDsProperty ("12;34"): the record ids, and the parts that
// are not ids.
func MergedIDs(v string) (ids []int64, notIDs []string) {
	for part := range strings.SplitSeq(v, ";") {
		if part = strings.TrimSpace(part); part == "" {
			continue
		}
		if id, err := strconv.ParseInt(part, 10, 64); err == nil {
			ids = append(ids, id)
		} else {
			notIDs = append(notIDs, part)
		}
	}
	return ids, notIDs
}
