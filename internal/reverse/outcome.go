package reverse

import (
	"cmp"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/hubspot-cq/cq-plugin-hubspot/internal/hubspot"
)

// Status is what happened to a row, as HubSpot's Data Sync reports it.
type Status string

// Every input row ends with exactly one status.
const (
	StatusSynced   Status = "synced"   // HubSpot holds the row's values (created, updated or already equal)
	StatusFailed   Status = "failed"   // HubSpot (or the value check before it) rejected the row
	StatusExcluded Status = "excluded" // the row was left out on purpose, with a reason
)

// Action is what a synced (or failed) row did or would have done to its record.
type Action string

// Actions of rows; excluded rows have none.
const (
	ActionNone      Action = ""
	ActionCreated   Action = "created"
	ActionUpdated   Action = "updated"
	ActionUnchanged Action = "unchanged"
	ActionArchived  Action = "archived"
)

// Reasons for excluded rows, reported as their category.
const (
	ReasonNoEmail       = "NO_EMAIL"
	ReasonInvalidEmail  = "INVALID_EMAIL"
	ReasonMissingKey    = "MISSING_KEY"
	ReasonDuplicate     = "DUPLICATE"
	ReasonNoPipeline    = "NO_PIPELINE_MAPPING"
	ReasonTargetMissing = "ASSOCIATION_TARGET_MISSING"
	ReasonNoMatch       = "NO_MATCHING_RECORD"
	ReasonExists        = "RECORD_EXISTS"
)

// Categories of failures the engine names itself.
const (
	CategoryAmbiguous   = "AMBIGUOUS_WRITE"
	CategoryUnconfirmed = "UNCONFIRMED"
	CategoryAborted     = "ABORTED"
)

// Outcome is the fate of one input row: one line of the report.
type Outcome struct {
	Table, Object, Portal string
	Row                   int64 // index of the row in the table during this run, from 0
	Key                   string
	// MatchKey names the match key Key is the value of: the one that found the row's record, or
	// for a row that matched none, the one that creates its record (else the first it has).
	MatchKey          string
	HubSpotID         string
	Status            Status
	Action            Action
	Category, Message string
	Time              time.Time
	DryRun            bool
}

// ObjectSummary counts the outcomes of one object type of one portal, like Data Sync's
// per-object view.
type ObjectSummary struct {
	Portal, Object                        string
	Synced, Failed, Excluded              int
	Created, Updated, Unchanged, Archived int
	// Categories counts failures and exclusions by category.
	Categories map[string]int
	// MatchedBy counts the rows that found their record, by the match key that found it.
	MatchedBy map[string]int
}

// CategoryCount is one line of a summary's top categories.
type CategoryCount struct {
	Category string
	Count    int
}

// TopCategories returns the n most frequent failure and exclusion categories.
func (s *ObjectSummary) TopCategories(n int) []CategoryCount {
	out := make([]CategoryCount, 0, len(s.Categories))
	for _, k := range slices.Sorted(maps.Keys(s.Categories)) {
		out = append(out, CategoryCount{k, s.Categories[k]})
	}
	slices.SortStableFunc(out, func(a, b CategoryCount) int { return cmp.Compare(b.Count, a.Count) })
	return out[:min(n, len(out))]
}

func (s *ObjectSummary) add(o Outcome) {
	switch o.Status {
	case StatusSynced:
		s.Synced++
		if o.MatchKey != "" && o.Action != ActionCreated {
			s.MatchedBy[o.MatchKey]++
		}
		switch o.Action {
		case ActionCreated:
			s.Created++
		case ActionUpdated:
			s.Updated++
		case ActionUnchanged:
			s.Unchanged++
		case ActionArchived:
			s.Archived++
		}
		return
	case StatusFailed:
		s.Failed++
	case StatusExcluded:
		s.Excluded++
	}
	s.Categories[o.Category]++
}

// Summary is a run's outcome counts per object type.
type Summary struct {
	DryRun      bool
	Objects     []ObjectSummary
	ReportFiles []string
}

// Failed counts the failed rows of every object.
func (s Summary) Failed() int {
	n := 0
	for _, o := range s.Objects {
		n += o.Failed
	}
	return n
}

// failure is a row failure: HubSpot's category and message.
type failure struct{ category, message string }

// describeFailure turns an error into a row's category and message. Validation errors carry the
// detail code in the category (VALIDATION_ERROR.INVALID_EMAIL) so the summary groups them usefully.
func describeFailure(err error) failure {
	var apiErr *hubspot.APIError
	var batchErr hubspot.BatchError
	var valErr *valueError
	var amb *hubspot.AmbiguousWriteError
	switch {
	case errors.As(err, &valErr):
		return failure{valErr.category, valErr.message}
	case errors.As(err, &amb):
		return failure{CategoryAmbiguous, amb.Error()}
	case errors.As(err, &apiErr):
		f := failure{cmp.Or(apiErr.Category, fmt.Sprintf("HTTP_%d", apiErr.StatusCode)), apiErr.Message}
		var msgs []string
		for _, d := range apiErr.Details {
			if d.Code != "" && !strings.Contains(f.category, ".") {
				f.category += "." + d.Code
			}
			msgs = append(msgs, d.Message)
		}
		if len(msgs) > 0 {
			f.message = strings.Join(msgs, "; ")
		}
		return f
	case errors.As(err, &batchErr):
		return failure{cmp.Or(batchErr.Category, "ERROR"), batchErr.Message}
	}
	return failure{CategoryAborted, err.Error()}
}
