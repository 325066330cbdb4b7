package hubspot

import (
	"errors"
	"testing"
)

// A cursor that points back at its own page would page for ever, spending the portal's daily
// limit: walk fails on it instead.
func TestWalkFailsOnARepeatedCursor(t *testing.T) {
	var fetches int
	var pages int
	var gotErr error
	for _, err := range walk("", func(after string) (int, string, error) {
		fetches++
		if fetches > 10 {
			return 0, "", errors.New("still paging")
		}
		return fetches, "same", nil
	}) {
		if err != nil {
			gotErr = err
			continue
		}
		pages++
	}
	if gotErr == nil || gotErr.Error() != `paging repeated cursor "same"` || pages != 2 || fetches != 2 {
		t.Errorf("pages %d, fetches %d, err %v; want 2 pages, 2 fetches and a repeated-cursor error", pages, fetches, gotErr)
	}
}
