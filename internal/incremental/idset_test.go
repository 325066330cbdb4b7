package incremental

import (
	"maps"
	"strconv"
	"testing"
)

func TestIDSetRoundTrip(t *testing.T) {
	for _, ids := range []map[string]bool{
		{},
		{"0": true},
		{"1": true, "2": true, "3": true},
		{"18446744073709551615": true, "7": true},
		{"12345678901": true, "12345678950": true, "99": true},
	} {
		enc, err := encodeIDs(ids)
		if err != nil {
			t.Fatal(err)
		}
		got, err := decodeIDs(enc)
		if err != nil {
			t.Fatalf("decode %q: %v", enc, err)
		}
		if !maps.Equal(got, ids) {
			t.Errorf("round trip of %v gave %v", ids, got)
		}
	}
	if _, err := encodeIDs(map[string]bool{"12a": true}); err == nil {
		t.Error("a non-numeric id was encoded")
	}
	for _, bad := range []string{"", "!!", "AYA", "AQEA", "Ag"} { // empty; not base64; a truncated varint; a repeated id; another version
		if _, err := decodeIDs(bad); err == nil {
			t.Errorf("decodeIDs(%q) accepted it", bad)
		}
	}
}

func FuzzDecodeIDs(f *testing.F) {
	seed, _ := encodeIDs(map[string]bool{"1": true, "300": true, "70000": true})
	f.Add(seed)
	f.Add("")
	f.Add("AYA")
	f.Fuzz(func(t *testing.T, s string) {
		ids, err := decodeIDs(s)
		if err != nil {
			return
		}
		enc, err := encodeIDs(ids)
		if err != nil {
			t.Fatalf("re-encode: %v", err)
		}
		again, err := decodeIDs(enc)
		if err != nil || !maps.Equal(again, ids) {
			t.Fatalf("%q decoded to %d ids that do not survive a round trip", s, len(ids))
		}
		for id := range ids {
			if _, err := strconv.ParseUint(id, 10, 64); err != nil {
				t.Fatalf("decoded a non-numeric id %q", id)
			}
		}
	})
}
