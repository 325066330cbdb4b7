package names

import (
	"slices"
	"testing"
)

func TestEditDistance(t *testing.T) {
	cases := []struct {
		a, b string
		want int
	}{
		{"firstname", "firstname", 0},
		{"fristname", "firstname", 1}, // a swap counts one
		{"phnoe", "phone", 1},
		{"status", "state", 2},
		{"", "abc", 3},
		{"createdat", "createdate", 1},
	}
	for _, tc := range cases {
		if got := editDistance(tc.a, tc.b); got != tc.want {
			t.Errorf("editDistance(%q, %q) = %d, want %d", tc.a, tc.b, got, tc.want)
		}
	}
}

func TestClosest(t *testing.T) {
	known := []string{"firstname", "lastname", "lifecyclestage", "email", "domain", "phone"}
	for _, tc := range []struct {
		written string
		want    []string
	}{
		{"fristname", []string{"firstname"}},
		{"lifecyclestag", []string{"lifecyclestage"}},
		{"company_domain", []string{"domain"}},
		{"e_mail", []string{"email"}},
		{"zip", nil}, // too short to guess
		{"unrelated", nil},
	} {
		if got := Closest(tc.written, known, 3); !slices.Equal(got, tc.want) && (len(got) > 0 || len(tc.want) > 0) {
			t.Errorf("Closest(%q) = %v, want %v", tc.written, got, tc.want)
		}
	}
}
