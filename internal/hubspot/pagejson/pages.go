// Package pagejson reads HubSpot's record pages: the answers of the CRM list, search and batch
// endpoints, by far the largest bodies a sync reads (a 100-record page of contacts with 160
// properties is about 575 KB).
//
// It exists for CPU. encoding/json reads such a page in three passes (validation, decoding, and
// Object.UnmarshalJSON re-validating and re-decoding each record) with a heap string per property
// value: about 250 µs and 550 allocations per record at 160 properties, when the README's
// Performance section budgets the whole plugin at 40 µs per record served (a tenth of the 400 µs
// per record HubSpot's fastest tier allows). Decode reads a page in one pass over the body,
// viewed as a string without a copy: values without escapes are substrings of it, property names
// are interned, values are stored in shared blocks, and with a Layout a record's properties are
// read by position (Object.Values) without a map per record. BenchmarkDecodeListPage measures both.
//
// What it guarantees, for the page types it reads (List, Search, Batch): it accepts exactly the
// bodies encoding/json accepts and produces exactly the values encoding/json produces with the
// types' UnmarshalJSON methods (the reference; the fuzz test holds the two to each other). When
// it rejects a body, the body is decoded again with encoding/json, so callers see encoding/json's
// error types and messages (a truncated body is a *json.SyntaxError or io.ErrUnexpectedEOF).
// The body must not be written to while decoded values are in use: they share its bytes.
package pagejson

import (
	"bytes"
	"encoding/json"
	"time"
)

// Object is one CRM record.
type Object struct {
	ID string
	// Properties holds the returned properties: a nil value is JSON null (2026-09 family), a
	// missing key is a property that was not returned.
	Properties map[string]*string
	// Values holds the properties instead when the request asked for them by position:
	// Values[i] is the value of the request's i-th property name, "" when HubSpot returned it
	// null or empty or not at all. Reading by position spares a map per record.
	Values     []string
	CreatedAt  time.Time
	UpdatedAt  time.Time
	Archived   bool
	ArchivedAt *time.Time
	// FilteredOut marks a record, read because it changed, that no longer matches the sync's
	// record filters: it leaves the warehouse as a tombstone. Readers set it; pages never do.
	FilteredOut bool
	// MergesOnly marks a record the sync does not hold (it does not match the filters), handed
	// over only for the tombstones of the records merged into it, which the sync may hold.
	// Readers set it; pages never do.
	MergesOnly   bool
	Associations map[string][]AssociationRef // keyed by the requested object type, from `associations=`
}

// AssociationRef is an associated record listed with an object.
type AssociationRef struct {
	ID   string
	Type string // e.g. contact_to_company
}

// UnmarshalJSON reads HubSpot's record shape, ids as strings or numbers.
func (o *Object) UnmarshalJSON(data []byte) error {
	var w struct {
		ID           FlexString         `json:"id"`
		Properties   map[string]*string `json:"properties"`
		CreatedAt    time.Time          `json:"createdAt"`
		UpdatedAt    time.Time          `json:"updatedAt"`
		Archived     bool               `json:"archived"`
		ArchivedAt   *time.Time         `json:"archivedAt"`
		Associations map[string]struct {
			Results []struct {
				ID   FlexString `json:"id"`
				Type string     `json:"type"`
			} `json:"results"`
		} `json:"associations"`
	}
	if err := json.Unmarshal(data, &w); err != nil {
		return err
	}
	*o = Object{ID: string(w.ID), Properties: w.Properties, CreatedAt: w.CreatedAt, UpdatedAt: w.UpdatedAt, Archived: w.Archived, ArchivedAt: w.ArchivedAt}
	if len(w.Associations) > 0 {
		o.Associations = make(map[string][]AssociationRef, len(w.Associations))
		for k, v := range w.Associations {
			refs := make([]AssociationRef, len(v.Results))
			for i, r := range v.Results {
				refs[i] = AssociationRef{ID: string(r.ID), Type: r.Type}
			}
			o.Associations[k] = refs
		}
	}
	return nil
}

// BatchObject is a record returned by a batch call.
type BatchObject struct {
	Object
	New bool // set by upsert when the record was created
}

// UnmarshalJSON reads the record and upsert's `new` flag.
func (b *BatchObject) UnmarshalJSON(data []byte) error {
	if err := b.Object.UnmarshalJSON(data); err != nil {
		return err
	}
	var extra struct {
		New bool `json:"new"`
	}
	if err := json.Unmarshal(data, &extra); err != nil {
		return err
	}
	b.New = extra.New
	return nil
}

// FlexString decodes a JSON string or number (HubSpot sends ids both ways) into text; any other
// value keeps its raw JSON text.
type FlexString string

func (f *FlexString) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case bytes.Equal(b, []byte("null")):
		*f = ""
	case len(b) > 0 && b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*f = FlexString(s)
	default:
		*f = FlexString(b)
	}
	return nil
}

// Paging is HubSpot's cursor block: {"next": {"after": "..."}}, absent on the last page.
type Paging struct {
	Next *struct {
		After FlexString `json:"after"`
	} `json:"next"`
}

// After returns the next cursor, "" on the last page.
func (p *Paging) After() string {
	if p == nil || p.Next == nil {
		return ""
	}
	return string(p.Next.After)
}

// List is a page of the list endpoints (GET /crm/v3/objects/{type}).
type List struct {
	Results []Object `json:"results"`
	Paging  *Paging  `json:"paging"`
}

// Search is a page of the search endpoint (POST /crm/v3/objects/{type}/search).
type Search struct {
	Total int `json:"total"`
	List
}

// Batch is the answer of a batch endpoint (read, create, update, upsert). Errors, small and rare,
// are read by encoding/json into the caller's type E.
type Batch[E any] struct {
	Results   []BatchObject `json:"results"`
	NumErrors int           `json:"numErrors"`
	Errors    E             `json:"errors"`
}

// Page is a page type Decode reads: *List, *Search or *Batch.
type Page interface {
	decode(body []byte, l *Layout) error
}

// Decode fills page from a success body. A nil layout keeps properties by name
// (Object.Properties); a layout reads them by position (Object.Values).
func Decode(body []byte, page Page, l *Layout) error { return page.decode(body, l) }

// Layout gives each requested property its position in Object.Values.
type Layout struct {
	names []string
	slots map[string]int
}

// NewLayout lays out names in order; a repeated name keeps its first position.
func NewLayout(names []string) *Layout {
	l := &Layout{names: names, slots: make(map[string]int, len(names))}
	for i, n := range names {
		if _, dup := l.slots[n]; !dup {
			l.slots[n] = i
		}
	}
	return l
}

// Len is the length of every record's Values.
func (l *Layout) Len() int { return len(l.names) }

// slot returns name's position, -1 for a property that was not requested.
func (l *Layout) slot(name string) int {
	if i, ok := l.slots[name]; ok {
		return i
	}
	return -1
}
