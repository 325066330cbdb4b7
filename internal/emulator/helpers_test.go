package emulator

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeClock is an injectable clock for lag, windows and token expiry.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{t: time.Date(2026, 10, 1, 12, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// harness runs an emulator behind a real HTTP server and talks to it with raw net/http.
type harness struct {
	t     *testing.T
	e     *Emulator
	srv   *httptest.Server
	clock *fakeClock
	token string
}

// smallCounts keeps test portals small and fast.
func smallCounts() map[string]int {
	c := DefaultCounts()
	for k := range c {
		c[k] = 60
	}
	c["contacts"], c["companies"] = 400, 40
	return c
}

func newHarness(t *testing.T, cfg Config) *harness {
	t.Helper()
	clock := newFakeClock()
	if cfg.Now == nil {
		cfg.Now = clock.Now
	}
	if cfg.Counts == nil {
		cfg.Counts = smallCounts()
	}
	e, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	srv := httptest.NewServer(e.Handler())
	t.Cleanup(srv.Close)
	return &harness{t: t, e: e, srv: srv, clock: clock, token: e.Token()}
}

// raw sends a request and returns the response with its body read.
func (h *harness) raw(method, path string, body any, header map[string]string) (*http.Response, []byte, error) {
	h.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		data, err := json.Marshal(b)
		if err != nil {
			h.t.Fatalf("marshal: %v", err)
		}
		rd = bytes.NewReader(data)
	}
	req, err := http.NewRequest(method, h.srv.URL+path, rd)
	if err != nil {
		h.t.Fatalf("request: %v", err)
	}
	req.Header.Set("Authorization", "Bearer "+h.token)
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := h.srv.Client().Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	return resp, data, err
}

// call sends a request that must get a complete response, decoding a JSON object body.
func (h *harness) call(method, path string, body any) (int, map[string]any) {
	h.t.Helper()
	resp, data, err := h.raw(method, path, body, nil)
	if err != nil {
		h.t.Fatalf("%s %s: %v", method, path, err)
	}
	out := map[string]any{}
	if len(data) > 0 {
		if err := json.Unmarshal(data, &out); err != nil {
			h.t.Fatalf("%s %s: decode %q: %v", method, path, data, err)
		}
	}
	return resp.StatusCode, out
}

// get walks a decoded JSON value by keys and indexes, e.g. get(v, "results", 0, "id").
func get(v any, path ...any) any {
	for _, p := range path {
		switch k := p.(type) {
		case string:
			m, ok := v.(map[string]any)
			if !ok {
				return nil
			}
			v = m[k]
		case int:
			s, ok := v.([]any)
			if !ok || k >= len(s) {
				return nil
			}
			v = s[k]
		}
	}
	return v
}

func length(v any) int {
	s, _ := v.([]any)
	return len(s)
}

// search posts a search body to the v3 family.
func (h *harness) search(objectType string, body map[string]any) (int, map[string]any) {
	h.t.Helper()
	return h.call("POST", "/crm/v3/objects/"+objectType+"/search", body)
}

// filter builds one search filter.
func filter(prop, op string, value any) map[string]any {
	f := map[string]any{"propertyName": prop, "operator": op}
	switch v := value.(type) {
	case nil:
	case []string:
		f["values"] = v
	default:
		f["value"] = v
	}
	return f
}

// groups builds filterGroups from groups of filters.
func groups(gs ...[]map[string]any) []any {
	out := make([]any, len(gs))
	for i, g := range gs {
		out[i] = map[string]any{"filters": g}
	}
	return out
}

// ids extracts the ids of a results array.
func ids(v any) []string {
	var out []string
	for _, r := range v.([]any) {
		out = append(out, r.(map[string]any)["id"].(string))
	}
	return out
}

// wantStatus fails the test when a call's status differs, showing the body.
func wantStatus(t *testing.T, got, want int, body any) {
	t.Helper()
	if got != want {
		text := fmt.Sprint(body)
		t.Fatalf("status %d, want %d; body %.600s", got, want, text)
	}
}

// wantErrorBody checks HubSpot's error shape and category.
func wantErrorBody(t *testing.T, body map[string]any, category string) {
	t.Helper()
	if body["status"] != "error" || body["category"] != category || body["message"] == "" {
		t.Fatalf("error body %v, want status=error category=%s with a message", body, category)
	}
	if !uuidPattern.MatchString(fmt.Sprint(body["correlationId"])) {
		t.Fatalf("correlationId %v is not uuid-shaped", body["correlationId"])
	}
}

var uuidPattern = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

func jsonDecode(r io.Reader, v any) error { return json.NewDecoder(r).Decode(v) }

func copyBody(w io.Writer, resp *http.Response) (int64, error) { return io.Copy(w, resp.Body) }
