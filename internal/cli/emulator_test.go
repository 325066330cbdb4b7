package cli

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncBuffer is a bytes.Buffer safe to read while runEmulator writes to it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

var (
	baseLine  = regexp.MustCompile(`listening on (http://\S+)`)
	tokenLine = regexp.MustCompile(`Token: (\S+)`)
)

// startEmulator runs runEmulator with args until the test ends or stop is called, and returns
// the printed base URL and token.
func startEmulator(t *testing.T, args ...string) (base, token string, stdout *syncBuffer, stop func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	stdout = &syncBuffer{}
	var stderr syncBuffer
	done := make(chan error, 1)
	go func() { done <- runEmulator(ctx, append([]string{"--port", "0"}, args...), stdout, &stderr) }()
	for deadline := time.Now().Add(10 * time.Second); base == "" || token == ""; {
		if time.Now().After(deadline) {
			t.Fatalf("no address printed; stdout %q stderr %q", stdout.String(), stderr.String())
		}
		if m := baseLine.FindStringSubmatch(stdout.String()); m != nil {
			base = m[1]
		}
		if m := tokenLine.FindStringSubmatch(stdout.String()); m != nil {
			token = m[1]
		}
		time.Sleep(10 * time.Millisecond)
	}
	stop = func() error {
		cancel()
		select {
		case err := <-done:
			return err
		case <-time.After(10 * time.Second):
			t.Fatal("runEmulator did not stop after cancel")
			return nil
		}
	}
	return base, token, stdout, stop
}

func TestRunEmulatorServesUntilCancelled(t *testing.T) {
	base, token, stdout, stop := startEmulator(t, "--seed", "5", "--counts", "contacts=50,deals=10", "--tier", "professional")
	if !strings.Contains(stdout.String(), "curl -H 'Authorization: Bearer "+token+"'") {
		t.Errorf("no ready-to-paste curl line: %s", stdout.String())
	}
	for _, tc := range []struct {
		token string
		want  int
	}{{token, 200}, {"wrong", 401}} {
		req, _ := http.NewRequest("GET", base+"/crm/v3/objects/contacts?limit=2", nil)
		req.Header.Set("Authorization", "Bearer "+tc.token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tc.want {
			t.Errorf("token %q: status %d, want %d (%s)", tc.token, resp.StatusCode, tc.want, body)
		}
		if tc.want == 200 && resp.Header.Get("X-HubSpot-RateLimit-Max") != "190" {
			t.Errorf("professional tier burst header %q", resp.Header.Get("X-HubSpot-RateLimit-Max"))
		}
	}
	if err := stop(); err != nil {
		t.Fatalf("runEmulator: %v", err)
	}
}

// Shutdown waits for handlers, so the emulator must release hung requests when it stops.
func TestRunEmulatorReleasesHungRequestsOnShutdown(t *testing.T) {
	base, token, _, stop := startEmulator(t, "--counts", "contacts=50", "--hang-rate", "1")
	answered := make(chan error, 1)
	go func() {
		req, _ := http.NewRequest("GET", base+"/crm/v3/objects/contacts?limit=1", nil)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			resp.Body.Close()
		}
		answered <- err
	}()
	// A request that ends before the emulator holds it would leave this loop polling for ever.
	for deadline := time.Now().Add(10 * time.Second); !strings.Contains(adminStats(t, base), `"hang":1`); {
		select {
		case err := <-answered:
			t.Fatalf("the request ended (%v) before the emulator held it", err)
		case <-time.After(5 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatal("the emulator did not hold the request within 10 s")
		}
	}
	if err := stop(); err != nil {
		t.Fatalf("runEmulator with a hung request: %v", err)
	}
	if err := <-answered; err == nil {
		t.Error("the hung request got an answer")
	}
}

func adminStats(t *testing.T, base string) string {
	t.Helper()
	resp, err := http.Get(base + "/_emulator/stats")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return string(body)
}

func TestRunEmulatorHelpMentionsKnobs(t *testing.T) {
	var stdout, stderr syncBuffer
	if err := runEmulator(context.Background(), []string{"--help"}, &stdout, &stderr); err != nil {
		t.Fatalf("--help: %v", err)
	}
	help := stderr.String()
	for _, want := range []string{"Seed sizes", "contacts", "2000", "professional", "api-addon", "--error-rate", "477",
		"-latency", "-reset-rate", "-truncate-rate", "-hang-rate", "-search-lag", "-oauth-refresh-token", "-burst", "-daily",
		"-no-limits", "-scope-error-shape", "context.missingScopes", "Without --tier the free\ntier's limits apply"} {
		if !strings.Contains(help, want) {
			t.Errorf("help lacks %q", want)
		}
	}
	if strings.Contains(help, "default -1") {
		t.Error("help shows an internal sentinel as a default")
	}
}

// A per-object flag wins over --counts only when given; otherwise --counts and the defaults apply.
func TestEmulatorCountFlags(t *testing.T) {
	fs, f := newEmulatorFlagSet(io.Discard)
	if err := fs.Parse([]string{"--counts", "contacts=7,deals=3", "--deals", "5"}); err != nil {
		t.Fatal(err)
	}
	f.markSet(fs)
	cfg, err := f.config()
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Counts["contacts"] != 7 || cfg.Counts["deals"] != 5 {
		t.Errorf("counts %v, want contacts 7 from --counts and deals 5 from --deals", cfg.Counts)
	}
	if _, ok := cfg.Counts["tickets"]; ok {
		t.Errorf("tickets %d set without a flag; the emulator's default should apply", cfg.Counts["tickets"])
	}
}

// Without --tier the emulator enforces the free tier, as HubSpot always enforces limits.
func TestEmulatorLimitFlags(t *testing.T) {
	cases := []struct {
		name                 string
		args                 []string
		burst, daily, search int
		noLimits             bool
	}{
		{"no flags: free tier", nil, 100, 250_000, 5, false},
		{"tier", []string{"--tier", "professional"}, 190, 625_000, 5, false},
		{"tier with overrides", []string{"--tier", "enterprise", "--burst", "50", "--search-per-second", "2"}, 50, 1_000_000, 2, false},
		{"override without tier", []string{"--daily", "1000"}, 100, 1000, 5, false},
		{"no limits", []string{"--no-limits"}, 0, 0, 0, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			fs, f := newEmulatorFlagSet(io.Discard)
			if err := fs.Parse(tc.args); err != nil {
				t.Fatal(err)
			}
			f.markSet(fs)
			cfg, err := f.config()
			if err != nil {
				t.Fatal(err)
			}
			if cfg.BurstLimit != tc.burst || cfg.DailyLimit != tc.daily || cfg.SearchPerSecond != tc.search || cfg.NoLimits != tc.noLimits {
				t.Errorf("limits burst %d daily %d search %d noLimits %v, want %d %d %d %v",
					cfg.BurstLimit, cfg.DailyLimit, cfg.SearchPerSecond, cfg.NoLimits, tc.burst, tc.daily, tc.search, tc.noLimits)
			}
		})
	}
}

func TestEmulatorScopeErrorShapeFlag(t *testing.T) {
	for _, shape := range []string{"granular", "required", "missing"} {
		fs, f := newEmulatorFlagSet(io.Discard)
		if err := fs.Parse([]string{"--scope-error-shape", shape}); err != nil {
			t.Fatal(err)
		}
		f.markSet(fs)
		cfg, err := f.config()
		if err != nil {
			t.Fatal(err)
		}
		if cfg.ScopeErrorShape != shape {
			t.Errorf("--scope-error-shape %s gave %q", shape, cfg.ScopeErrorShape)
		}
	}
}

func TestRunEmulatorRejectsBadFlags(t *testing.T) {
	cases := [][]string{
		{"--tier", "platinum"},
		{"--error-rate", "503"},
		{"--error-rate", "418=0.5"},
		{"--counts", "widgets=5"},
		{"--counts", "contacts=many"},
		{"--reset-rate", "2"},
		{"--hang-rate", "-0.1"},
		{"--no-limits", "--tier", "free"},
		{"--no-limits", "--burst", "10"},
		{"--burst", "0"},
		{"--scope-error-shape", "nested"},
		{"extra-argument"},
	}
	for _, args := range cases {
		var stdout, stderr syncBuffer
		if err := runEmulator(context.Background(), append([]string{"--port", "0"}, args...), &stdout, &stderr); err == nil {
			t.Errorf("%v accepted", args)
		}
	}
}
