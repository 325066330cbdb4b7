package emulator

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Lists API limits and names, from HubSpot's Lists v3 and 2026-09 specs.
const (
	listSearchDefaultCount = 20
	listSearchMaxCount     = 500
	membershipsDefault     = 100
	membershipsMax         = 250

	ListManual   = "MANUAL"
	ListDynamic  = "DYNAMIC"
	ListSnapshot = "SNAPSHOT"

	listsReadScope  = "crm.lists.read"
	listsWriteScope = "crm.lists.write"
)

// listRule is a DYNAMIC list's filter: one property equal to one value.
type listRule struct {
	prop  *propDef
	value string
}

func (r *listRule) matches(tb *table, pos int32) bool {
	return tb.value(pos, r.prop) == r.value
}

// list is one ILS list. members holds record id -> membership time (epoch ms); archived records
// stay in it but are never shown, as HubSpot drops them from lists while they are in the recycle
// bin.
type list struct {
	id         int64
	name       string
	typ        *objectType
	processing string
	created    int64
	updated    int64
	members    map[uint64]int64
	lastAdded  int64
	lastRemove int64

	// DYNAMIC lists only: the rule, and the last-modified time up to which records were
	// evaluated against it (evaluated is false until the first evaluation).
	rule        *listRule
	evaluatedTo int64
	evaluated   bool
}

// listStore holds the portal's lists. mu is taken after Emulator.mu, whose read lock callers hold
// while they look at records.
type listStore struct {
	mu    sync.Mutex
	lists []*list // ascending id
}

// listSeed describes one seeded list.
type listSeed struct {
	name, objectType, processing string
	size                         int // MANUAL and SNAPSHOT: members drawn from the records
	ruleProp, ruleValue          string
}

// seededLists give each object type with lists one list of each processing type, from a handful
// of members to a few hundred.
var seededLists = []listSeed{
	{name: "Webinar attendees", objectType: "contacts", processing: ListManual, size: 300},
	{name: "Evangelists", objectType: "contacts", processing: ListDynamic, ruleProp: "lifecyclestage", ruleValue: "evangelist"},
	{name: "Trade show leads", objectType: "contacts", processing: ListSnapshot, size: 40},
	{name: "Target accounts", objectType: "companies", processing: ListManual, size: 25},
	{name: "Software companies", objectType: "companies", processing: ListDynamic, ruleProp: "industry", ruleValue: "COMPUTER_SOFTWARE"},
	{name: "Renewals this quarter", objectType: "companies", processing: ListSnapshot, size: 6},
}

// newListStore seeds the lists. A MANUAL or SNAPSHOT list takes records spread over the whole
// table, each joined at a time between its creation and the portal's start.
func newListStore(seed uint64, typeKeys map[string]*objectType, tables map[string]*table, start int64) *listStore {
	s := &listStore{}
	for i, ls := range seededLists {
		t := typeKeys[ls.objectType]
		tb := tables[t.name]
		salt := strHash("list:" + ls.name)
		l := &list{
			id: int64(i + 1), name: ls.name, typ: t, processing: ls.processing,
			created: start - seedSpanMs/2 + int64(hash3(seed, salt, 1)%uint64(dayMs)),
			members: map[uint64]int64{},
		}
		l.updated = l.created + int64(hash3(seed, salt, 2)%uint64(seedSpanMs/4))
		if ls.ruleProp != "" {
			l.rule = &listRule{prop: t.propByName[ls.ruleProp], value: ls.ruleValue}
		}
		if n := len(tb.recs); ls.size > 0 && n > 0 {
			stride := max(n/ls.size, 1)
			for pos := 0; pos < n && len(l.members) < ls.size; pos += stride {
				r := &tb.recs[pos]
				joined := r.created + int64(hash3(seed, salt, r.id)%uint64(max(start-minuteMs-r.created, 1)))
				l.members[r.id] = joined
				l.lastAdded = max(l.lastAdded, joined)
			}
		}
		s.lists = append(s.lists, l)
	}
	return s
}

// find resolves a listId path value: 400 for text that is not an id, 404 for no such list.
func (s *listStore) find(id string) (*list, *apiError) {
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil || strconv.FormatInt(n, 10) != id || n < 1 {
		return nil, badRequest("Invalid listId %q: a list id is the list's numeric ILS id", id)
	}
	i, ok := slices.BinarySearchFunc(s.lists, n, func(l *list, id int64) int { return int(l.id - id) })
	if !ok {
		nf := notFound("List %s does not exist.", id)
		nf.context = map[string][]string{"listId": {id}}
		return nil, nf
	}
	return s.lists[i], nil
}

// refresh brings a DYNAMIC list up to date with its records. Every property write moves a record's
// last-modified time to now, so the records to evaluate again are those modified at or after the
// previous evaluation; a record that stops matching leaves the list. Callers hold e.mu (read) and
// s.mu.
func (l *list) refresh(tb *table, now int64) {
	if l.rule == nil {
		return
	}
	lo := minInt64
	if l.evaluated {
		lo = l.evaluatedTo
	}
	tb.mod.scan(lo, maxInt64, false, func(pos int32) bool {
		r := &tb.recs[pos]
		_, member := l.members[r.id]
		switch match := l.rule.matches(tb, pos); {
		case match && !member:
			l.members[r.id] = r.updated
			l.lastAdded = max(l.lastAdded, r.updated)
		case !match && member:
			delete(l.members, r.id)
			l.lastRemove = max(l.lastRemove, now)
		}
		return true
	})
	l.evaluatedTo, l.evaluated = now, true
}

// liveMembers lists the ids of live members, ascending. Callers hold e.mu (read) and s.mu.
func (l *list) liveMembers(tb *table) []uint64 {
	out := make([]uint64, 0, len(l.members))
	for id := range l.members {
		if pos, ok := tb.pos(strconv.FormatUint(id, 10)); ok && tb.recs[pos].live() {
			out = append(out, id)
		}
	}
	slices.Sort(out)
	return out
}

// listJSON is a list as search and fetch return it (PublicObjectListSearchResult and
// PublicObjectList share these fields).
type listJSON struct {
	ListID               string            `json:"listId"`
	ListVersion          int               `json:"listVersion"`
	Name                 string            `json:"name"`
	ObjectTypeID         string            `json:"objectTypeId"`
	ProcessingStatus     string            `json:"processingStatus"`
	ProcessingType       string            `json:"processingType"`
	CreatedAt            string            `json:"createdAt"`
	UpdatedAt            string            `json:"updatedAt"`
	FiltersUpdatedAt     string            `json:"filtersUpdatedAt,omitempty"`
	AdditionalProperties map[string]string `json:"additionalProperties,omitempty"`
	Size                 *int              `json:"size,omitempty"`
	FilterBranch         any               `json:"filterBranch,omitempty"`
}

// defaultListProperties are the list properties every search returns.
var defaultListProperties = []string{"hs_list_size", "hs_last_record_added_at", "hs_last_record_removed_at", "hs_folder_name", "hs_list_reference_count"}

// render builds the fields search and fetch share; fetches add size and filters, searches the
// list properties.
func (l *list) render() listJSON {
	out := listJSON{
		ListID: strconv.FormatInt(l.id, 10), ListVersion: 1, Name: l.name, ObjectTypeID: l.typ.typeID,
		ProcessingStatus: "COMPLETE", ProcessingType: l.processing,
		CreatedAt: isoMillis(l.created), UpdatedAt: isoMillis(l.updated),
	}
	if l.rule != nil {
		out.FiltersUpdatedAt = isoMillis(l.created)
	}
	return out
}

// properties are the list properties with a value; empty ones are left out, as HubSpot does.
func (l *list) properties(size int) map[string]string {
	props := map[string]string{"hs_list_size": strconv.Itoa(size), "hs_list_reference_count": "0"}
	if l.lastAdded > 0 {
		props["hs_last_record_added_at"] = strconv.FormatInt(l.lastAdded, 10)
	}
	if l.lastRemove > 0 {
		props["hs_last_record_removed_at"] = strconv.FormatInt(l.lastRemove, 10)
	}
	return props
}

// filterBranch is a DYNAMIC list's rule in the spec's filter-branch shape: an OR of one AND.
func (r *listRule) filterBranch() any {
	filter := map[string]any{
		"filterType": "PROPERTY", "property": r.prop.name,
		"operation": map[string]any{"operationType": "ENUMERATION", "operator": "IS_ANY_OF",
			"values": []string{r.value}, "includeObjectsWithNoValueSet": false},
	}
	and := map[string]any{"filterBranchType": "AND", "filterBranchOperator": "AND", "filterBranches": []any{}, "filters": []any{filter}}
	return map[string]any{"filterBranchType": "OR", "filterBranchOperator": "OR", "filterBranches": []any{and}, "filters": []any{}}
}

// sizeOf refreshes a list and counts its live members. Callers hold e.mu (read) and s.mu.
func (e *Emulator) sizeOf(l *list) int {
	tb := e.tables[l.typ.name]
	l.refresh(tb, e.nowMs())
	return len(l.liveMembers(tb))
}

// listSearchRequest is the body of POST /lists/search. Pointers tell absent fields from empty ones.
type listSearchRequest struct {
	Query                *string   `json:"query"`
	ProcessingTypes      *[]string `json:"processingTypes"`
	ListIDs              *[]string `json:"listIds"`
	ObjectTypeID         *string   `json:"objectTypeId"`
	AdditionalProperties *[]string `json:"additionalProperties"`
	Offset               *int      `json:"offset"`
	Count                *int      `json:"count"`
	Sort                 *string   `json:"sort"`
}

// missing names the fields the path family's spec requires that the body leaves out.
func (req *listSearchRequest) missing(v2026 bool) []string {
	var out []string
	if req.AdditionalProperties == nil {
		out = append(out, "additionalProperties")
	}
	if v2026 && req.ListIDs == nil {
		out = append(out, "listIds")
	}
	if req.Offset == nil {
		out = append(out, "offset")
	}
	if v2026 && req.ProcessingTypes == nil {
		out = append(out, "processingTypes")
	}
	return out
}

type listSearchResponse struct {
	Lists   []listJSON `json:"lists"`
	HasMore bool       `json:"hasMore"`
	Offset  int        `json:"offset"`
	Total   int        `json:"total"`
}

// searchLists serves POST /lists/search: lists in id order, filtered by name, processing types,
// ids and object type, paged by offset and count.
func (e *Emulator) searchLists(c *call) (int, any, *apiError) {
	if err := e.requireScopes(listsReadScope); err != nil {
		return 0, nil, err
	}
	var req listSearchRequest
	if err := c.decode(&req); err != nil {
		return 0, nil, err
	}
	if missing := req.missing(c.v2026); len(missing) > 0 {
		return 0, nil, badRequest("The list search request requires %s (send [] or 0 when empty)", strings.Join(missing, ", "))
	}
	count := listSearchDefaultCount
	if req.Count != nil {
		count = *req.Count
	}
	switch {
	case count < 1 || count > listSearchMaxCount:
		return 0, nil, badRequest("count must be between 1 and %d, got %d", listSearchMaxCount, count)
	case *req.Offset < 0:
		return 0, nil, badRequest("offset must not be negative, got %d", *req.Offset)
	case req.Sort != nil && *req.Sort != "":
		return 0, nil, badRequest("sort %q is not supported by the emulator; leave it out for lists in id order", *req.Sort)
	}
	types := map[string]bool{}
	if req.ProcessingTypes != nil {
		for _, pt := range *req.ProcessingTypes {
			if pt != ListManual && pt != ListDynamic && pt != ListSnapshot {
				return 0, nil, badRequest("Invalid processingType %q: use %s, %s or %s", pt, ListManual, ListSnapshot, ListDynamic)
			}
			types[pt] = true
		}
	}
	var ids map[string]bool
	if req.ListIDs != nil && len(*req.ListIDs) > 0 {
		ids = map[string]bool{}
		for _, id := range *req.ListIDs {
			ids[id] = true
		}
	}
	query := ""
	if req.Query != nil {
		query = strings.ToLower(*req.Query)
	}
	e.mu.RLock()
	defer e.mu.RUnlock()
	e.lists.mu.Lock()
	defer e.lists.mu.Unlock()
	var matched []*list
	for _, l := range e.lists.lists {
		switch {
		case len(types) > 0 && !types[l.processing],
			ids != nil && !ids[strconv.FormatInt(l.id, 10)],
			req.ObjectTypeID != nil && *req.ObjectTypeID != "" && *req.ObjectTypeID != l.typ.typeID,
			!strings.Contains(strings.ToLower(l.name), query):
			continue
		}
		matched = append(matched, l)
	}
	resp := listSearchResponse{Lists: []listJSON{}, Total: len(matched), Offset: *req.Offset}
	wanted := slices.Concat(defaultListProperties, *req.AdditionalProperties)
	for _, l := range matched[min(*req.Offset, len(matched)):min(*req.Offset+count, len(matched))] {
		out := l.render()
		out.AdditionalProperties = map[string]string{}
		props := l.properties(e.sizeOf(l))
		for _, name := range wanted {
			if v, ok := props[name]; ok {
				out.AdditionalProperties[name] = v
			}
		}
		resp.Lists = append(resp.Lists, out)
		resp.Offset++
	}
	resp.HasMore = resp.Offset < len(matched)
	return http.StatusOK, resp, nil
}

// getList serves GET /lists/{listId}: the list with its size and, with includeFilters, its filters.
func (e *Emulator) getList(c *call) (int, any, *apiError) {
	if err := e.requireScopes(listsReadScope); err != nil {
		return 0, nil, err
	}
	withFilters, err := boolParam(c.r.URL.Query(), "includeFilters")
	if err != nil {
		return 0, nil, err
	}
	e.mu.RLock()
	defer e.mu.RUnlock()
	e.lists.mu.Lock()
	defer e.lists.mu.Unlock()
	l, err := e.lists.find(c.r.PathValue("listId"))
	if err != nil {
		return 0, nil, err
	}
	size := e.sizeOf(l)
	out := l.render()
	out.Size = &size
	if withFilters && l.rule != nil {
		out.FilterBranch = l.rule.filterBranch()
	}
	return http.StatusOK, map[string]any{"list": out}, nil
}

// membershipJSON is one member of a list (JoinTimeAndRecordId).
type membershipJSON struct {
	RecordID            string `json:"recordId"`
	MembershipTimestamp string `json:"membershipTimestamp"`
}

type membershipPaging struct {
	Next *pageNext `json:"next,omitempty"`
	Prev *pagePrev `json:"prev,omitempty"`
}

type pagePrev struct {
	Before string `json:"before"`
}

type membershipsResponse struct {
	Results []membershipJSON  `json:"results"`
	Paging  *membershipPaging `json:"paging,omitempty"`
	Total   int               `json:"total"`
}

// encodeMemberCursor and decodeMemberCursor make membership cursors opaque, and distinct from
// object list cursors.
func encodeMemberCursor(id uint64) string {
	return base64.RawURLEncoding.EncodeToString([]byte("member:" + strconv.FormatUint(id, 10)))
}

func decodeMemberCursor(s string) (uint64, bool) {
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return 0, false
	}
	rest, ok := strings.CutPrefix(string(raw), "member:")
	if !ok {
		return 0, false
	}
	n, err := strconv.ParseUint(rest, 10, 64)
	return n, err == nil
}

// listMemberships serves GET /lists/{listId}/memberships: members by record id, ascending after
// an `after` cursor (or from the start), descending before a `before` cursor; `after` wins when
// both are given.
func (e *Emulator) listMemberships(c *call) (int, any, *apiError) {
	if err := e.requireScopes(listsReadScope); err != nil {
		return 0, nil, err
	}
	q := c.r.URL.Query()
	limit, err := intParam(q, "limit", membershipsDefault, membershipsMax)
	if err != nil {
		return 0, nil, err
	}
	cursor := func(name string) (uint64, bool, *apiError) {
		s := q.Get(name)
		if s == "" {
			return 0, false, nil
		}
		id, ok := decodeMemberCursor(s)
		if !ok {
			return 0, false, badRequest("Invalid %s value %q: pass back paging.next.after or paging.prev.before unchanged", name, s)
		}
		return id, true, nil
	}
	after, hasAfter, err := cursor("after")
	if err != nil {
		return 0, nil, err
	}
	before, hasBefore, err := cursor("before")
	if err != nil {
		return 0, nil, err
	}
	e.mu.RLock()
	defer e.mu.RUnlock()
	e.lists.mu.Lock()
	defer e.lists.mu.Unlock()
	l, err := e.lists.find(c.r.PathValue("listId"))
	if err != nil {
		return 0, nil, err
	}
	tb := e.tables[l.typ.name]
	l.refresh(tb, e.nowMs())
	ids := l.liveMembers(tb)
	resp := membershipsResponse{Results: []membershipJSON{}, Total: len(ids)}
	var page []uint64
	var more bool
	if hasBefore && !hasAfter {
		end, _ := slices.BinarySearch(ids, before)
		start := max(end-limit, 0)
		page, more = slices.Clone(ids[start:end]), start > 0
		slices.Reverse(page)
	} else {
		start := 0
		if hasAfter {
			start, _ = slices.BinarySearch(ids, after+1)
		}
		end := min(start+limit, len(ids))
		page, more = ids[start:end], end < len(ids)
	}
	for _, id := range page {
		resp.Results = append(resp.Results, membershipJSON{RecordID: strconv.FormatUint(id, 10), MembershipTimestamp: isoMillis(l.members[id])})
	}
	if len(page) > 0 {
		resp.Paging = &membershipPaging{}
		last, first := page[len(page)-1], page[0]
		if hasBefore && !hasAfter {
			if more {
				resp.Paging.Prev = &pagePrev{Before: encodeMemberCursor(last)}
			}
			resp.Paging.Next = &pageNext{After: encodeMemberCursor(first)}
		} else {
			if more {
				resp.Paging.Next = &pageNext{After: encodeMemberCursor(last)}
			}
			if hasAfter {
				resp.Paging.Prev = &pagePrev{Before: encodeMemberCursor(first)}
			}
		}
		if resp.Paging.Next == nil && resp.Paging.Prev == nil {
			resp.Paging = nil
		}
	}
	return http.StatusOK, resp, nil
}

// membershipsUpdate is MembershipsUpdateResponse; HubSpot's spec spells the added field
// recordsIdsAdded.
type membershipsUpdate struct {
	Added   []string `json:"recordsIdsAdded"`
	Removed []string `json:"recordIdsRemoved"`
	Missing []string `json:"recordIdsMissing"`
}

// addMemberships serves PUT /lists/{listId}/memberships/add.
func (e *Emulator) addMemberships(c *call) (int, any, *apiError) { return e.changeMemberships(c, true) }

// removeMemberships serves PUT /lists/{listId}/memberships/remove.
func (e *Emulator) removeMemberships(c *call) (int, any, *apiError) {
	return e.changeMemberships(c, false)
}

// changeMemberships adds or removes the body's record ids. Ids that name no live record of the
// list's object type are reported missing; members added again, or non-members removed, are
// ignored.
func (e *Emulator) changeMemberships(c *call, add bool) (int, any, *apiError) {
	if err := e.requireScopes(listsReadScope, listsWriteScope); err != nil {
		return 0, nil, err
	}
	var ids []string
	if err := c.decode(&ids); err != nil {
		return 0, nil, err
	}
	e.mu.RLock()
	defer e.mu.RUnlock()
	e.lists.mu.Lock()
	defer e.lists.mu.Unlock()
	l, err := e.lists.find(c.r.PathValue("listId"))
	if err != nil {
		return 0, nil, err
	}
	if err := l.manualChange(); err != nil {
		return 0, nil, err
	}
	resp := membershipsUpdate{Added: []string{}, Removed: []string{}, Missing: []string{}}
	tb := e.tables[l.typ.name]
	now := e.nowMs()
	for _, id := range ids {
		pos, ok := tb.livePos(id)
		if !ok {
			resp.Missing = append(resp.Missing, id)
			continue
		}
		if l.change(tb.recs[pos].id, add, now) {
			if add {
				resp.Added = append(resp.Added, id)
			} else {
				resp.Removed = append(resp.Removed, id)
			}
		}
	}
	return http.StatusOK, resp, nil
}

// manualChange refuses membership changes to a DYNAMIC list, whose members follow its filters.
func (l *list) manualChange() *apiError {
	if l.processing == ListDynamic {
		return badRequest("List %d is a DYNAMIC list: its members follow its filters; only %s and %s lists take records through the API",
			l.id, ListManual, ListSnapshot)
	}
	return nil
}

// change adds or removes one live record; it reports whether membership changed. A record that
// leaves a list and comes back joins anew.
func (l *list) change(id uint64, add bool, now int64) bool {
	_, member := l.members[id]
	switch {
	case add && !member:
		l.members[id] = now
		l.lastAdded = max(l.lastAdded, now)
	case !add && member:
		delete(l.members, id)
		l.lastRemove = max(l.lastRemove, now)
	default:
		return false
	}
	return true
}

// recordMembershipJSON is one list a record belongs to (RecordListMembership).
type recordMembershipJSON struct {
	ListID              string `json:"listId"`
	ListVersion         int    `json:"listVersion"`
	FirstAddedTimestamp string `json:"firstAddedTimestamp"`
	LastAddedTimestamp  string `json:"lastAddedTimestamp"`
	IsPublicList        bool   `json:"isPublicList"`
}

// recordMemberships serves GET /lists/records/{objectTypeId}/{recordId}/memberships: the lists a
// live record is a member of, in list id order.
func (e *Emulator) recordMemberships(c *call) (int, any, *apiError) {
	if err := e.requireScopes(listsReadScope); err != nil {
		return 0, nil, err
	}
	typeID := c.r.PathValue("objectTypeId")
	t, ok := e.typeKeys[typeID]
	if !ok || t.typeID != typeID {
		return 0, nil, badRequest("Invalid objectTypeId %q: use an object type id such as 0-1 for contacts", typeID)
	}
	e.mu.RLock()
	defer e.mu.RUnlock()
	e.lists.mu.Lock()
	defer e.lists.mu.Unlock()
	tb := e.tables[t.name]
	recordID := c.r.PathValue("recordId")
	pos, ok := tb.livePos(recordID)
	if !ok {
		return 0, nil, objectNotFound(recordID)
	}
	results := []recordMembershipJSON{}
	now := e.nowMs()
	for _, l := range e.lists.lists {
		if l.typ != t {
			continue
		}
		l.refresh(tb, now)
		if joined, member := l.members[tb.recs[pos].id]; member {
			at := isoMillis(joined)
			results = append(results, recordMembershipJSON{ListID: strconv.FormatInt(l.id, 10), ListVersion: 1, FirstAddedTimestamp: at, LastAddedTimestamp: at})
		}
	}
	return http.StatusOK, map[string]any{"results": results, "total": len(results)}, nil
}

// List is the ground truth of one list, for tests.
type List struct {
	ID             string
	Name           string
	ObjectTypeID   string
	ProcessingType string
	// Members are the live members' record ids, ascending (numerically).
	Members []string
	// JoinedAt holds each live member's membership time.
	JoinedAt map[string]time.Time
}

// Lists returns every list with its live members, in list id order.
func (e *Emulator) Lists() []List {
	e.mu.RLock()
	defer e.mu.RUnlock()
	e.lists.mu.Lock()
	defer e.lists.mu.Unlock()
	out := make([]List, 0, len(e.lists.lists))
	now := e.nowMs()
	for _, l := range e.lists.lists {
		tb := e.tables[l.typ.name]
		l.refresh(tb, now)
		gt := List{ID: strconv.FormatInt(l.id, 10), Name: l.name, ObjectTypeID: l.typ.typeID, ProcessingType: l.processing,
			Members: []string{}, JoinedAt: map[string]time.Time{}}
		for _, id := range l.liveMembers(tb) {
			s := strconv.FormatUint(id, 10)
			gt.Members = append(gt.Members, s)
			gt.JoinedAt[s] = time.UnixMilli(l.members[id]).UTC()
		}
		out = append(out, gt)
	}
	return out
}

// AddToList adds live records to a MANUAL or SNAPSHOT list, as a user does in HubSpot; records
// already in it keep their membership time.
func (e *Emulator) AddToList(listID string, recordIDs []string) error {
	return e.changeList("add to list", listID, recordIDs, true)
}

// RemoveFromList removes records from a MANUAL or SNAPSHOT list, as a user does in HubSpot.
func (e *Emulator) RemoveFromList(listID string, recordIDs []string) error {
	return e.changeList("remove from list", listID, recordIDs, false)
}

func (e *Emulator) changeList(op, listID string, recordIDs []string, add bool) error {
	e.mu.RLock()
	defer e.mu.RUnlock()
	e.lists.mu.Lock()
	defer e.lists.mu.Unlock()
	l, aerr := e.lists.find(listID)
	if aerr == nil {
		aerr = l.manualChange()
	}
	if aerr != nil {
		return fmt.Errorf("%s: %w", op, aerr)
	}
	tb := e.tables[l.typ.name]
	ids := make([]uint64, len(recordIDs))
	for i, id := range recordIDs {
		pos, ok := tb.livePos(id)
		if !ok {
			return fmt.Errorf("%s %s: %s %s not found", op, listID, l.typ.name, id)
		}
		ids[i] = tb.recs[pos].id
	}
	now := e.nowMs()
	for _, id := range ids {
		l.change(id, add, now)
	}
	return nil
}

// DeleteList deletes a list as a user does in HubSpot: searches no longer return it and its
// routes answer 404.
func (e *Emulator) DeleteList(listID string) error {
	e.lists.mu.Lock()
	defer e.lists.mu.Unlock()
	l, aerr := e.lists.find(listID)
	if aerr != nil {
		return fmt.Errorf("delete list: %w", aerr)
	}
	e.lists.lists = slices.DeleteFunc(e.lists.lists, func(x *list) bool { return x == l })
	return nil
}
