package emulator

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// maxURILength is the longest request URI HubSpot's edge accepts before 414.
const maxURILength = 16_384

// pathFamily is one of the two path families serving the same handlers.
type pathFamily struct {
	v2026                                                                           bool
	objects, properties, schemas, associations, objectsV4, pipelines, owners, lists string
}

var pathFamilies = []pathFamily{
	{false, "/crm/v3/objects", "/crm/v3/properties", "/crm-object-schemas/v3/schemas", "/crm/v4/associations", "/crm/v4/objects", "/crm/v3/pipelines", "/crm/v3/owners", "/crm/v3/lists"},
	{true, "/crm/objects/2026-09", "/crm/properties/2026-09", "/crm-object-schemas/2026-09/schemas", "/crm/associations/2026-09", "/crm/objects/2026-09", "/crm/pipelines/2026-09", "/crm/owners/2026-09", "/crm/lists/2026-09"},
}

// call is one API request being served.
type call struct {
	e     *Emulator
	r     *http.Request
	v2026 bool // date-based family: null values, folded batch errors, validation rules
	oauth bool
}

// handlerFunc serves an API route: a status and a JSON body (nil for no body), or an error.
type handlerFunc func(c *call) (int, any, *apiError)

func (e *Emulator) routes() http.Handler {
	mux := http.NewServeMux()
	for _, f := range pathFamilies {
		api := func(pattern, family string, h handlerFunc) {
			mux.Handle(pattern, e.api(family, false, f.v2026, h))
		}
		o := f.objects
		api("GET "+o+"/{type}", FamilyList, e.listObjects)
		api("GET "+o+"/{type}/{id}", FamilyList, e.getObject)
		api("POST "+o+"/{type}", FamilyBatch, e.createObject)
		api("PATCH "+o+"/{type}/{id}", FamilyBatch, e.updateObject)
		api("DELETE "+o+"/{type}/{id}", FamilyBatch, e.archiveObject)
		api("POST "+o+"/{type}/batch/{op}", FamilyBatch, e.batch)
		mux.Handle("POST "+o+"/{type}/search", e.api(FamilySearch, true, f.v2026, e.search))
		api("POST "+o+"/{type}/merge", FamilyBatch, e.mergeObjects)
		a := f.associations + "/{from}/{to}"
		api("POST "+a+"/batch/read", FamilyAssociations, e.assocBatchRead)
		api("POST "+a+"/batch/create", FamilyAssociations, e.assocBatchCreate)
		api("POST "+a+"/batch/associate/default", FamilyAssociations, e.assocBatchDefault)
		api("POST "+a+"/batch/archive", FamilyAssociations, e.assocBatchArchive)
		api("POST "+a+"/batch/labels/archive", FamilyAssociations, e.assocBatchLabelsArchive)
		api("GET "+a+"/labels", FamilyAssociations, e.assocLabels)
		r := f.objectsV4 + "/{from}/{id}/associations"
		api("GET "+r+"/{to}", FamilyAssociations, e.assocList)
		api("PUT "+r+"/default/{to}/{toId}", FamilyAssociations, e.assocPutDefault)
		api("PUT "+r+"/{to}/{toId}", FamilyAssociations, e.assocPutLabels)
		api("DELETE "+r+"/{to}/{toId}", FamilyAssociations, e.assocDelete)
		api("GET "+f.properties+"/{type}", FamilyOther, e.listProperties)
		api("GET "+f.properties+"/{type}/{name}", FamilyOther, e.getProperty)
		api("GET "+f.schemas, FamilyOther, e.listSchemas)
		api("GET "+f.schemas+"/{type}", FamilyOther, e.getSchema)
		api("GET "+f.pipelines+"/{type}", FamilyOther, e.listPipelines)
		api("GET "+f.pipelines+"/{type}/{id}", FamilyOther, e.getPipeline)
		api("GET "+f.owners, FamilyOther, e.listOwners)
		api("GET "+f.owners+"/{$}", FamilyOther, e.listOwners)
		api("GET "+f.owners+"/{id}", FamilyOther, e.getOwner)
		api("POST "+f.lists+"/search", FamilyOther, e.searchLists)
		api("GET "+f.lists+"/{listId}", FamilyOther, e.getList)
		api("GET "+f.lists+"/{listId}/memberships", FamilyLists, e.listMemberships)
		api("PUT "+f.lists+"/{listId}/memberships/add", FamilyLists, e.addMemberships)
		api("PUT "+f.lists+"/{listId}/memberships/remove", FamilyLists, e.removeMemberships)
		api("GET "+f.lists+"/records/{objectTypeId}/{recordId}/memberships", FamilyLists, e.recordMemberships)
	}
	mux.Handle("POST /oauth/v1/token", e.public(e.handleToken))
	mux.Handle("/_emulator/", e.adminRoutes())
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/_emulator/") {
			mux.ServeHTTP(w, r)
			return
		}
		if len(r.RequestURI) > maxURILength {
			e.stats.request(FamilyOther)
			e.fail(w, newError(http.StatusRequestURITooLong, "URI_TOO_LONG",
				"Request-URI Too Long: the URI is %d characters, more than %d", len(r.RequestURI), maxURILength))
			return
		}
		if _, pattern := mux.Handler(r); pattern == "" {
			e.stats.request(FamilyOther)
			e.fail(w, notFound("No route matches %s %s", r.Method, r.URL.Path))
			return
		}
		mux.ServeHTTP(w, r)
	})
}

// fail writes an error response and counts it.
func (e *Emulator) fail(w http.ResponseWriter, err *apiError) {
	e.stats.status(err.status)
	writeError(w, err, newCorrelationID())
}

// public wraps an unauthenticated, unlimited API route (the OAuth token endpoint); faults apply.
func (e *Emulator) public(h http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		e.stats.request(FamilyOther)
		if done, _ := e.injectFault(w, r); done {
			return
		}
		h(w, r)
	})
}

// injectFault applies latency, hangs, resets and error statuses; it reports whether the request
// is done and whether a successful response must be cut short. A hung request holds only its own
// goroutine, until the client gives up or the emulator closes, and is then dropped unanswered.
func (e *Emulator) injectFault(w http.ResponseWriter, r *http.Request) (done, truncate bool) {
	f := e.faults.draw()
	if f.latency > 0 {
		t := time.NewTimer(f.latency)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
		}
	}
	switch {
	case f.hang:
		e.stats.fault(f)
		// The server notices a client that gave up only once the request body is consumed.
		_, _ = io.Copy(io.Discard, r.Body)
		select {
		case <-r.Context().Done():
		case <-e.closing:
		}
		panic(http.ErrAbortHandler)
	case f.reset:
		e.stats.fault(f)
		panic(http.ErrAbortHandler)
	case f.status != 0:
		e.stats.fault(f)
		e.stats.status(f.status)
		e.writeFault(w, f)
		return true, false
	}
	return false, f.truncate
}

// api wraps an authenticated API route: auth, API access, rate limits, faults, then the handler.
func (e *Emulator) api(family string, search, v2026 bool, h handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		e.stats.request(family)
		now := e.nowMs()
		oauth, err := e.auth.authenticate(r.Header.Get("Authorization"), now)
		if err != nil {
			e.fail(w, err)
			return
		}
		q, policy := e.limits.admit(now, search)
		if !search {
			e.limits.setHeaders(w.Header(), q, oauth)
		}
		if policy != "" {
			e.stats.rateLimited(policy)
			writeRateLimited(w, policy, newCorrelationID())
			return
		}
		done, truncate := e.injectFault(w, r)
		if done {
			return
		}
		status, body, herr := h(&call{e: e, r: r, v2026: v2026, oauth: oauth})
		if herr != nil {
			e.fail(w, herr)
			return
		}
		e.respond(w, status, body, truncate)
	})
}

// respond writes a handler's result, cutting the body short when a truncate fault was drawn.
func (e *Emulator) respond(w http.ResponseWriter, status int, body any, truncate bool) {
	e.stats.status(status)
	if body == nil {
		w.WriteHeader(status)
		return
	}
	if !truncate || status >= 300 {
		writeJSON(w, status, body)
		return
	}
	data, err := json.Marshal(body)
	if err != nil {
		panic(fmt.Sprintf("emulator: encode response: %v", err))
	}
	e.stats.fault(fault{truncate: true})
	w.Header().Set("Content-Type", "application/json;charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(data)))
	w.WriteHeader(status)
	w.Write(data[:len(data)/2])
	if fl, ok := w.(http.Flusher); ok {
		fl.Flush()
	}
	panic(http.ErrAbortHandler)
}

// objectType resolves the {type} (or other named) path value.
func (c *call) objectType(name string) (*objectType, *apiError) {
	return c.e.resolveType(c.r.PathValue(name))
}

// readableType resolves the path's object type and checks that the token may read it.
func (c *call) readableType() (*objectType, *apiError) {
	return c.scopedType(func(t *objectType) string { return t.readScope })
}

// writableType resolves the path's object type and checks that the token may write it and that
// HubSpot accepts writes of it.
func (c *call) writableType() (*objectType, *apiError) {
	t, err := c.scopedType(func(t *objectType) string { return t.writeScope })
	if err != nil {
		return nil, err
	}
	return t, refuseReadOnly(t)
}

// refuseReadOnly fails a record write to a type HubSpot serves read-only.
func refuseReadOnly(t *objectType) *apiError {
	if !t.readOnly {
		return nil
	}
	return badRequest("%s are read-only through the API: records can be read, searched and associated, not created, updated or archived", t.name)
}

func (c *call) scopedType(scope func(*objectType) string) (*objectType, *apiError) {
	t, err := c.objectType("type")
	if err != nil {
		return nil, err
	}
	if err := c.e.requireScopes(scope(t)); err != nil {
		return nil, err
	}
	return t, nil
}

// decode reads a JSON request body strictly: it must be present and well-formed.
func (c *call) decode(v any) *apiError {
	body, err := io.ReadAll(io.LimitReader(c.r.Body, 64<<20))
	if err != nil {
		return badRequest("Could not read the request body: %v", err)
	}
	if len(strings.TrimSpace(string(body))) == 0 {
		return badRequest("Invalid input JSON: No content to map due to end-of-input")
	}
	if err := json.Unmarshal(body, v); err != nil {
		return badRequest("Invalid input JSON: %v", err)
	}
	return nil
}

// listParam reads a query parameter given comma-separated, repeated, or both.
func listParam(q url.Values, name string) []string {
	var out []string
	for _, v := range q[name] {
		for _, s := range strings.Split(v, ",") {
			if s = strings.TrimSpace(s); s != "" {
				out = append(out, s)
			}
		}
	}
	return out
}

// intParam reads an integer query parameter within [1, max], with a default when absent.
func intParam(q url.Values, name string, def, maxV int) (int, *apiError) {
	s := q.Get(name)
	if s == "" {
		return def, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 {
		return 0, badRequest("%s must be a positive integer, got %q", name, s)
	}
	if n > maxV {
		return 0, badRequest("%s must be at most %d, got %d", name, maxV, n)
	}
	return n, nil
}

// boolParam reads a true/false query parameter.
func boolParam(q url.Values, name string) (bool, *apiError) {
	switch s := q.Get(name); s {
	case "", "false":
		return false, nil
	case "true":
		return true, nil
	default:
		return false, badRequest("%s must be true or false, got %q", name, s)
	}
}
