package client

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hubspot-cq/cq-plugin-hubspot/client/spec"
	"github.com/hubspot-cq/cq-plugin-hubspot/internal/hubspot"
	"github.com/hubspot-cq/cq-plugin-hubspot/internal/statefile"
)

func TestAdviceSaysRerunOnlyWhenItHelps(t *testing.T) {
	transient := &hubspot.APIError{StatusCode: 503, Method: "GET", Path: "/crm/owners/2026-09"}
	missingScope := &hubspot.APIError{StatusCode: 403, MissingScopes: []string{"crm.objects.owners.read"}}
	cases := []struct {
		name string
		err  error
		want string
	}{
		{"transient", fmt.Errorf("sync: %w", &SyncError{Failed: []TableFailure{{Table: "default/hubspot_crm_owners", Err: transient}}}), "rerun the same command"},
		{"field error", fmt.Errorf("init hubspot: %w", &spec.FieldError{Path: "objects[0]", Problem: "empty"}), "fix the spec"},
		{"schema violation", fmt.Errorf("init hubspot: %w", spec.ValidateJSON([]byte(`{"concurrency": "many"}`))), "fix the spec"},
		{"damaged state file", fmt.Errorf("open state file: %w", stateErr(t)), "restore, delete or upgrade"},
		{"bad token", fmt.Errorf("init: %w", &hubspot.APIError{StatusCode: 401}), "replace the access token"},
		{"oauth refresh", fmt.Errorf("init: %w", &hubspot.AuthError{StatusCode: 400, Code: "invalid_grant"}), "renew the OAuth credentials"},
		{"a missing scope behind a transient failure", &SyncError{Failed: []TableFailure{
			{Table: "default/hubspot_crm_owners", Err: transient}, {Table: "default/hubspot_crm_pipelines", Err: missingScope}}}, "grant the missing scope"},
		{"daily budget", &SyncError{Failed: []TableFailure{{Table: "default/hubspot_crm_owners", Err: fmt.Errorf("list owners: %w", hubspot.ErrDailyBudgetExhausted)}}}, "after 00:00 UTC"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := Advice(tc.err)
			if !strings.Contains(got, tc.want) {
				t.Errorf("Advice(%v) = %q, want it to say %q", tc.err, got, tc.want)
			}
			if tc.want != "rerun the same command" && strings.Contains(got, "rerun the same command") {
				t.Errorf("Advice(%v) = %q says to rerun unchanged, which cannot help", tc.err, got)
			}
		})
	}
}

// stateErr is what opening a damaged state file says.
func stateErr(t *testing.T) error {
	path := filepath.Join(t.TempDir(), "state.json")
	if err := os.WriteFile(path, []byte("{broken"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := statefile.Open(path)
	return err
}

func TestSyncErrorNamesEveryTableOnItsOwnLine(t *testing.T) {
	err := &SyncError{Failed: []TableFailure{
		{Table: "a/hubspot_crm_owners", Err: errors.New("503")},
		{Table: "b/hubspot_crm_pipelines", Err: hubspot.ErrDailyBudgetExhausted},
	}}
	lines := strings.Split(err.Error(), "\n")
	if len(lines) != 3 || !strings.HasSuffix(lines[1], "a/hubspot_crm_owners: 503") || !strings.Contains(lines[2], "b/hubspot_crm_pipelines: ") {
		t.Errorf("error %q, want a heading and one line per table", err)
	}
	if !errors.Is(err, hubspot.ErrDailyBudgetExhausted) {
		t.Error("errors.Is does not see a table's cause")
	}
}
