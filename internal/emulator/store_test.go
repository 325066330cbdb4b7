package emulator

import (
	"slices"
	"testing"
)

// TestModIndexOrder moves records around (past the rebuild threshold) and checks that every
// bounded scan, ascending and descending, equals a brute-force sort.
func TestModIndexOrder(t *testing.T) {
	recs := seedRecords(1, 2, 3000, 1_800_000_000_000)
	var m modIndex
	m.rebuild(recs)
	for i := range 2500 {
		pos := int32(mix(uint64(i)) % uint64(len(recs)))
		at := recs[pos].updated + int64(mix(uint64(i)+7)%1_000_000) - 500_000
		if i%10 == 0 {
			at = recs[0].updated
		}
		recs[pos].updated = at
		m.move(pos, at, recs)
	}
	truth := make([]modEntry, len(recs))
	for i := range recs {
		truth[i] = modEntry{recs[i].updated, int32(i)}
	}
	slices.SortFunc(truth, cmpMod)
	cases := []struct {
		name   string
		lo, hi int64
	}{
		{"all", minInt64, maxInt64},
		{"from the middle", truth[len(truth)/2].at, maxInt64},
		{"up to the middle", minInt64, truth[len(truth)/2].at},
		{"one shared value", recs[0].updated, recs[0].updated},
		{"empty", 1, 2},
	}
	for _, tc := range cases {
		var want []int32
		for _, e := range truth {
			if e.at >= tc.lo && e.at <= tc.hi {
				want = append(want, e.pos)
			}
		}
		for _, desc := range []bool{false, true} {
			var got []int32
			m.scan(tc.lo, tc.hi, desc, func(p int32) bool { got = append(got, p); return true })
			w := slices.Clone(want)
			if desc {
				slices.Reverse(w)
			}
			if !slices.Equal(got, w) {
				t.Errorf("%s desc=%v: %d positions, want %d", tc.name, desc, len(got), len(w))
			}
		}
	}
}

func TestLastDigits(t *testing.T) {
	cases := []struct {
		in   string
		want uint64
		ok   bool
	}{
		{"ava.smith719869649082@acme.io", 719869649082, true},
		{"ext-1025", 1025, true},
		{"VIN12abc", 12, true},
		{"no digits@1.com", 0, false},
		{"", 0, false},
	}
	for _, tc := range cases {
		got, ok := lastDigits(tc.in)
		if got != tc.want || ok != tc.ok {
			t.Errorf("lastDigits(%q) = %d, %v; want %d, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}
