package reverse

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"

	"github.com/hubspot-cq/cq-plugin-hubspot/internal/hubspot"
)

var testPipelines = []hubspot.Pipeline{
	{ID: "default", Label: "Sales Pipeline", Stages: []hubspot.Stage{
		{ID: "appointmentscheduled", Label: "Appointment Scheduled"}, {ID: "closedwon", Label: "Closed Won"}, {ID: "closedlost", Label: "Closed Lost"}}},
	{ID: "777", Label: "Renewals", Stages: []hubspot.Stage{{ID: "778", Label: "Negotiation"}, {ID: "779", Label: "Renewed"}}},
	{ID: "old", Label: "Old", Archived: true, Stages: []hubspot.Stage{{ID: "x", Label: "Closed Won"}}},
}

func TestPipelineResolver(t *testing.T) {
	cases := []struct {
		name            string
		cfg             PipelineRules
		pipeline, stage string
		wantPipe        string
		wantStage       string
		ok              bool
	}{
		{"ids", PipelineRules{Match: PipelinesByID}, "777", "778", "777", "778", true},
		{"id mode refuses labels", PipelineRules{Match: PipelinesByID}, "Renewals", "", "", "", false},
		{"labels without case", PipelineRules{Match: PipelinesByLabel}, "sales pipeline", "CLOSED WON", "default", "closedwon", true},
		{"label mode refuses near misses", PipelineRules{Match: PipelinesByLabel}, "Sales", "", "", "", false},
		{"stage outside its pipeline", PipelineRules{Match: PipelinesByLabel}, "Renewals", "Closed Won", "", "", false},
		{"auto by similarity", PipelineRules{Match: PipelinesAuto}, "renewal", "negotiations", "777", "778", true},
		{"auto punctuation", PipelineRules{Match: PipelinesAuto}, "Sales-Pipeline", "closed_won", "default", "closedwon", true},
		{"auto refuses unrelated", PipelineRules{Match: PipelinesAuto}, "Sales Pipeline", "Frobnicated", "", "", false},
		{"stage alone finds its pipeline", PipelineRules{Match: PipelinesByLabel}, "", "Renewed", "777", "779", true},
		{"explicit map first", PipelineRules{Match: PipelinesByID, Map: map[string]string{"S": "Sales Pipeline", "won": "closedwon"}}, "S", "won", "default", "closedwon", true},
		{"archived pipelines ignored", PipelineRules{Match: PipelinesByLabel}, "Old", "", "", "", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := newPipelineResolver(testPipelines, tc.cfg, [2]string{"pipeline", "dealstage"})
			p, s, ok := r.resolve(tc.pipeline, tc.stage)
			if ok != tc.ok || (ok && (p != tc.wantPipe || s != tc.wantStage)) {
				t.Errorf("resolve(%q, %q) = %q, %q, %v; want %q, %q, %v", tc.pipeline, tc.stage, p, s, ok, tc.wantPipe, tc.wantStage, tc.ok)
			}
		})
	}
}

func TestAutoChoicesAreRemembered(t *testing.T) {
	r := newPipelineResolver(testPipelines, PipelineRules{Match: PipelinesAuto}, [2]string{"pipeline", "dealstage"})
	r.resolve("renewal", "")
	r.resolve("renewal", "")
	got := r.Choices()
	if len(got) != 1 || got[0].Label != "Renewals" || got[0].Score < autoThreshold {
		t.Errorf("choices %+v", got)
	}
}

func TestFinderNormalize(t *testing.T) {
	obj := &Object{Name: "companies", Properties: map[string]hubspot.Property{"domain": {Name: "domain"}, "name": {Name: "name"}, "code": {Name: "code", HasUniqueValue: true}}}
	cases := []struct {
		property, in, normalized, lookup string
	}{
		{"hs_object_id", " 00123 ", "123", "123"},
		{"hs_object_id", "12a", "", ""},
		{"domain", "https://WWW.Example.com/about", "example.com", "example.com"},
		{"domain", "www.example.com", "example.com", "example.com"},
		{"name", " Acme Inc ", "acme inc", "Acme Inc"},
		{"code", "AbC", "abc", "AbC"},
	}
	for _, tc := range cases {
		f, err := newFinder(obj, tc.property)
		if err != nil {
			t.Fatal(err)
		}
		if got := f.normalize(tc.in); got != tc.normalized {
			t.Errorf("%s normalize(%q) = %q, want %q", tc.property, tc.in, got, tc.normalized)
		}
		if got := f.lookup(tc.in); got != tc.lookup {
			t.Errorf("%s lookup(%q) = %q, want %q", tc.property, tc.in, got, tc.lookup)
		}
	}
	if _, err := newFinder(&Object{Name: "deals", Properties: map[string]hubspot.Property{"dealname": {Name: "dealname"}}}, "dealname"); err == nil {
		t.Error("a non-unique deal property was accepted as a match key")
	}
}

func TestCompareIDsIsNumeric(t *testing.T) {
	if hubspot.CompareIDs("7199", "719869649082") >= 0 || hubspot.CompareIDs("10", "9") <= 0 || hubspot.CompareIDs("5", "5") != 0 {
		t.Error("ids compare as text")
	}
}

func TestDescribeFailure(t *testing.T) {
	cases := []struct {
		err      error
		category string
		message  string
	}{
		{&hubspot.APIError{StatusCode: 400, Category: "VALIDATION_ERROR", Message: "Property values were not valid",
			Details: []hubspot.ErrorDetail{{Code: "INVALID_EMAIL", Message: "Email address x is invalid"}}}, "VALIDATION_ERROR.INVALID_EMAIL", "Email address x is invalid"},
		{&hubspot.APIError{StatusCode: 409, Category: "CONFLICT", Message: "Contact already exists. Existing ID: 5"}, "CONFLICT", "Contact already exists. Existing ID: 5"},
		{&hubspot.APIError{StatusCode: 502}, "HTTP_502", ""},
		{hubspot.BatchError{Category: "OBJECT_NOT_FOUND", Message: "gone"}, "OBJECT_NOT_FOUND", "gone"},
		{&valueError{category: CategoryInvalidOption, message: "bad"}, CategoryInvalidOption, "bad"},
		{context.Canceled, CategoryAborted, "context canceled"},
	}
	for _, tc := range cases {
		f := describeFailure(tc.err)
		if f.category != tc.category || f.message != tc.message {
			t.Errorf("%v: got %+v, want %s / %s", tc.err, f, tc.category, tc.message)
		}
	}
}

func TestForChunks(t *testing.T) {
	items := make([]int, 250)
	var calls, sum atomic.Int64
	err := forChunks(context.Background(), items, 100, 3, func(_ context.Context, part []int) error {
		calls.Add(1)
		sum.Add(int64(len(part)))
		return nil
	})
	if err != nil || calls.Load() != 3 || sum.Load() != 250 {
		t.Errorf("err %v, %d calls over %d items", err, calls.Load(), sum.Load())
	}
	boom := errors.New("boom")
	err = forChunks(context.Background(), items, 10, 2, func(ctx context.Context, part []int) error { return boom })
	if !errors.Is(err, boom) {
		t.Errorf("err %v, want boom", err)
	}
}

func TestSummaryTopCategories(t *testing.T) {
	s := &ObjectSummary{Categories: map[string]int{}}
	for _, o := range []Outcome{
		{Status: StatusSynced, Action: ActionCreated}, {Status: StatusSynced, Action: ActionUnchanged},
		{Status: StatusFailed, Category: "VALIDATION_ERROR.INVALID_EMAIL"}, {Status: StatusExcluded, Category: ReasonDuplicate},
		{Status: StatusExcluded, Category: ReasonDuplicate},
	} {
		s.add(o)
	}
	top := s.TopCategories(1)
	if s.Synced != 2 || s.Created != 1 || s.Unchanged != 1 || s.Failed != 1 || s.Excluded != 2 || len(top) != 1 || top[0] != (CategoryCount{ReasonDuplicate, 2}) {
		t.Errorf("summary %+v, top %+v", s, top)
	}
}
