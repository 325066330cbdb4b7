package client

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/hubspot-cq/cq-plugin-hubspot/client/spec"
	"github.com/hubspot-cq/cq-plugin-hubspot/internal/hubspot"
	"github.com/hubspot-cq/cq-plugin-hubspot/internal/statefile"
)

// TableFailure is a table of one portal that lost records in a sync, and why.
type TableFailure struct {
	Table string // "portal/table"
	Err   error
}

// RelationFailed is what a custom table's Sync returns when a relation lost records and the
// table itself did not, so that the run names the relation as the table that failed.
type RelationFailed struct {
	Table string // the relation's name
	Err   error
}

func (e *RelationFailed) Error() string { return e.Err.Error() }

func (e *RelationFailed) Unwrap() error { return e.Err }

// failedTable names the table that lost records when the job of table failed with err.
func failedTable(table string, err error) string {
	if rel, ok := errors.AsType[*RelationFailed](err); ok {
		return rel.Table
	}
	return table
}

// SyncError is a sync that lost records. It names every failed table with its cause, one line
// each; errors.Is and errors.As see every cause.
type SyncError struct {
	Failed []TableFailure
}

func (e *SyncError) Error() string {
	lines := make([]string, len(e.Failed))
	for i, f := range e.Failed {
		lines[i] = fmt.Sprintf("%s: %v", f.Table, f.Err)
	}
	return fmt.Sprintf("%d table(s) failed; their cursors were not advanced past what was read:\n  %s",
		len(e.Failed), strings.Join(lines, "\n  "))
}

func (e *SyncError) Unwrap() []error {
	errs := make([]error, len(e.Failed))
	for i, f := range e.Failed {
		errs[i] = f.Err
	}
	return errs
}

// Advice says what to do after a failed run: the fix when the same run would fail the same way
// (spec, credentials, scopes, plan, the day's budget), or to rerun when the failure was
// transient. A fix wins over a rerun when a run failed both ways.
func Advice(err error) string {
	var authErr *hubspot.AuthError
	switch {
	case errors.Is(err, spec.ErrInvalidSpec):
		return "fix the spec as the message says; rerunning it unchanged fails the same way"
	case errors.Is(err, statefile.ErrUnreadable):
		return "restore, delete or upgrade as the message says; rerunning unchanged fails the same way"
	case errors.As(err, &authErr):
		return "renew the OAuth credentials as the message says, then rerun"
	case hasAPIStatus(err, http.StatusUnauthorized):
		return "replace the access token as the message says, then rerun"
	case hasAPIStatus(err, http.StatusForbidden):
		return "grant the missing scope or check the portal's plan as the message says, then rerun"
	case errors.Is(err, hubspot.ErrDailyBudgetExhausted):
		return "the day's request budget is spent: rerun after 00:00 UTC, or raise rate_limit.daily_budget"
	default:
		return "rerun the same command to continue"
	}
}

// hasAPIStatus reports whether any error in err's tree is an *hubspot.APIError with the status;
// errors.As would stop at the first APIError of a SyncError.
func hasAPIStatus(err error, status int) bool {
	if apiErr, ok := err.(*hubspot.APIError); ok && apiErr.StatusCode == status {
		return true
	}
	switch u := err.(type) {
	case interface{ Unwrap() error }:
		return hasAPIStatus(u.Unwrap(), status)
	case interface{ Unwrap() []error }:
		for _, e := range u.Unwrap() {
			if hasAPIStatus(e, status) {
				return true
			}
		}
	}
	return false
}
