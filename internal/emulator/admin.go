package emulator

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// adminRoutes serve /_emulator/: no auth, no rate limits, no faults. They let a person (or a test
// in another process) drive a standalone emulator with curl.
func (e *Emulator) adminRoutes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /_emulator/{$}", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]any{"portalId": e.portalID, "objectTypes": e.ObjectTypes(), "routes": []string{
			"GET /_emulator/stats", "GET /_emulator/records/{type}", "GET /_emulator/associations/{fromType}/{toType}",
			"GET|POST /_emulator/faults", "POST /_emulator/mutate",
			"POST /_emulator/expire-tokens", "POST /_emulator/revoke-refresh-token",
		}})
	})
	mux.HandleFunc("GET /_emulator/stats", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, e.Stats())
	})
	mux.HandleFunc("GET /_emulator/records/{type}", e.adminLiveRecords)
	mux.HandleFunc("GET /_emulator/associations/{fromType}/{toType}", e.adminAssociations)
	mux.HandleFunc("GET /_emulator/faults", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, faultsToJSON(e.faults.get()))
	})
	mux.HandleFunc("POST /_emulator/faults", func(w http.ResponseWriter, r *http.Request) {
		var in faultsJSON
		if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
			adminError(w, fmt.Errorf("decode faults: %w", err))
			return
		}
		f, err := in.faults()
		if err == nil {
			err = f.validate()
		}
		if err != nil {
			adminError(w, err)
			return
		}
		e.SetFaults(f)
		writeJSON(w, http.StatusOK, faultsToJSON(e.faults.get()))
	})
	mux.HandleFunc("POST /_emulator/mutate", func(w http.ResponseWriter, r *http.Request) {
		var m mutation
		if err := json.NewDecoder(r.Body).Decode(&m); err != nil {
			adminError(w, fmt.Errorf("decode mutation: %w", err))
			return
		}
		id, err := e.mutate(m)
		if err != nil {
			adminError(w, err)
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"ok": true, "id": id})
	})
	mux.HandleFunc("POST /_emulator/expire-tokens", func(w http.ResponseWriter, r *http.Request) {
		e.ExpireTokens()
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("POST /_emulator/revoke-refresh-token", func(w http.ResponseWriter, r *http.Request) {
		e.RevokeRefreshToken()
		w.WriteHeader(http.StatusNoContent)
	})
	return mux
}

// adminLiveRecords answers the ids of an object type's live records, ascending; with a
// filterGroups parameter (search's JSON form and limits), only those the filters match. It is
// the ground truth a convergence check compares a warehouse with: unlike search, it sees every
// record at once, with no index lag and no 10,000-result cap.
func (e *Emulator) adminLiveRecords(w http.ResponseWriter, r *http.Request) {
	t, aerr := e.resolveType(r.PathValue("type"))
	if aerr != nil {
		adminError(w, aerr)
		return
	}
	var req searchRequest
	if groups := r.URL.Query().Get("filterGroups"); groups != "" {
		if err := json.Unmarshal([]byte(groups), &req.FilterGroups); err != nil {
			adminError(w, fmt.Errorf("filterGroups: %w; send search's filterGroups as JSON, such as [{\"filters\":[{\"propertyName\":\"lifecyclestage\",\"operator\":\"EQ\",\"value\":\"lead\"}]}]", err))
			return
		}
	}
	q, aerr := compileSearch(t, &req)
	if aerr != nil {
		adminError(w, aerr)
		return
	}
	q.cutoff = maxInt64
	e.mu.RLock()
	defer e.mu.RUnlock()
	tb := e.tables[t.name]
	ids := []string{}
	for pos := range tb.recs {
		if q.matches(tb, int32(pos)) {
			ids = append(ids, strconv.FormatUint(tb.recs[pos].id, 10))
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"ids": ids})
}

// adminAssociation is one association of one type, as the admin API lists them.
type adminAssociation struct {
	FromID   string  `json:"fromId"`
	ToID     string  `json:"toId"`
	TypeID   int     `json:"typeId"`
	Category string  `json:"category"`
	Label    *string `json:"label"`
}

// adminAssociations answers every association from the live records of one object type to
// another, one entry per association type, ascending by ids then type id.
func (e *Emulator) adminAssociations(w http.ResponseWriter, r *http.Request) {
	e.mu.RLock()
	defer e.mu.RUnlock()
	from, err := e.tableOf(r.PathValue("fromType"))
	if err != nil {
		adminError(w, err)
		return
	}
	to, err := e.tableOf(r.PathValue("toType"))
	if err != nil {
		adminError(w, err)
		return
	}
	out := []adminAssociation{}
	sd, ok := e.assoc.side(from.typ.name, to.typ.name)
	if !ok {
		writeJSON(w, http.StatusOK, map[string]any{"results": out})
		return
	}
	for pos := range from.recs {
		if !from.recs[pos].live() {
			continue
		}
		for _, ed := range sd.edges(int32(pos)) {
			for _, i := range typeIndexes(ed.mask) {
				a := adminAssociation{FromID: strconv.FormatUint(from.recs[pos].id, 10), ToID: strconv.FormatUint(to.recs[ed.to].id, 10),
					TypeID: sd.typeID(i), Category: sd.p.types[i].category}
				if l := sd.label(i); l != "" {
					a.Label = &l
				}
				out = append(out, a)
			}
		}
	}
	slices.SortFunc(out, func(a, b adminAssociation) int {
		return cmp.Or(cmpID(a.FromID, b.FromID), cmpID(a.ToID, b.ToID), cmp.Compare(a.TypeID, b.TypeID))
	})
	writeJSON(w, http.StatusOK, map[string]any{"results": out})
}

// cmpID orders decimal ids as numbers.
func cmpID(a, b string) int { return cmp.Or(cmp.Compare(len(a), len(b)), strings.Compare(a, b)) }

func adminError(w http.ResponseWriter, err error) {
	writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
}

// faultsJSON is the admin form of Faults: status keys as text, latency as a duration string
// ("250ms") or milliseconds.
type faultsJSON struct {
	ErrorRate    map[string]float64 `json:"errorRate,omitempty"`
	Latency      json.RawMessage    `json:"latency,omitempty"`
	ResetRate    float64            `json:"resetRate,omitempty"`
	TruncateRate float64            `json:"truncateRate,omitempty"`
	HangRate     float64            `json:"hangRate,omitempty"`
}

func (in faultsJSON) faults() (Faults, error) {
	f := Faults{ErrorRate: map[int]float64{}, ResetRate: in.ResetRate, TruncateRate: in.TruncateRate, HangRate: in.HangRate}
	for k, v := range in.ErrorRate {
		status, err := strconv.Atoi(k)
		if err != nil {
			return f, fmt.Errorf("error rate key %q is not a status code", k)
		}
		f.ErrorRate[status] = v
	}
	if lat := scalar(in.Latency); lat != "" {
		if ms, err := strconv.ParseFloat(lat, 64); err == nil {
			f.Latency = time.Duration(ms * float64(time.Millisecond))
		} else if f.Latency, err = time.ParseDuration(lat); err != nil {
			return f, fmt.Errorf("latency %q: use a duration like 250ms or milliseconds", lat)
		}
	}
	return f, nil
}

func faultsToJSON(f Faults) faultsJSON {
	out := faultsJSON{ErrorRate: map[string]float64{}, ResetRate: f.ResetRate, TruncateRate: f.TruncateRate, HangRate: f.HangRate}
	for s, r := range f.ErrorRate {
		out.ErrorRate[strconv.Itoa(s)] = r
	}
	lat, _ := json.Marshal(f.Latency.String())
	out.Latency = lat
	return out
}

// mutation is the body of POST /_emulator/mutate.
type mutation struct {
	Op        string            `json:"op"` // create, update, archive, merge, setModified, associate, disassociate, listAdd, listRemove
	Type      string            `json:"type"`
	ID        string            `json:"id"`
	IDs       []string          `json:"ids"`
	Props     map[string]string `json:"props"`
	At        string            `json:"at"` // RFC 3339 or epoch ms; default now
	PrimaryID string            `json:"primaryId"`
	MergedID  string            `json:"mergedId"`
	FromType  string            `json:"fromType"`
	FromID    string            `json:"fromId"`
	ToType    string            `json:"toType"`
	ToID      string            `json:"toId"`
	TypeID    int               `json:"typeId"`
	ListID    string            `json:"listId"`
}

// mutate runs one admin mutation through the public hooks.
func (e *Emulator) mutate(m mutation) (string, error) {
	switch m.Op {
	case "create":
		return e.Create(m.Type, m.Props)
	case "update":
		return m.ID, e.Update(m.Type, m.ID, m.Props)
	case "archive":
		return m.ID, e.Archive(m.Type, m.ID)
	case "merge":
		return m.PrimaryID, e.Merge(m.Type, m.PrimaryID, m.MergedID)
	case "setModified":
		at := e.now()
		if m.At != "" {
			var err error
			if at, err = parseInstant(m.At); err != nil {
				return "", err
			}
		}
		return "", e.SetModified(m.Type, m.IDs, at)
	case "associate":
		return "", e.Associate(m.FromType, m.FromID, m.ToType, m.ToID, m.TypeID)
	case "disassociate":
		return "", e.Disassociate(m.FromType, m.FromID, m.ToType, m.ToID)
	case "listAdd":
		return m.ListID, e.AddToList(m.ListID, m.IDs)
	case "listRemove":
		return m.ListID, e.RemoveFromList(m.ListID, m.IDs)
	}
	return "", errors.New("unknown op: use create, update, archive, merge, setModified, associate, disassociate, listAdd or listRemove")
}

// parseInstant reads RFC 3339 or epoch milliseconds.
func parseInstant(s string) (time.Time, error) {
	if ms, err := strconv.ParseInt(s, 10, 64); err == nil {
		return time.UnixMilli(ms).UTC(), nil
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("at %q: use RFC 3339 or epoch milliseconds", s)
	}
	return t, nil
}
