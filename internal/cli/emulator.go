package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hubspot-cq/cq-plugin-hubspot/internal/emulator"
)

// tierLimits are HubSpot's rate limits per account tier: burst per rolling 10 s, daily, search/s.
type tierLimits struct{ burst, daily, search int }

var tiers = map[string]tierLimits{
	"free":         {emulator.FreeBurstLimit, emulator.FreeDailyLimit, emulator.FreeSearchPerSecond},
	"starter":      {100, 250_000, 5},
	"professional": {190, 625_000, 5},
	"enterprise":   {190, 1_000_000, 5},
	"api-addon":    {250, 1_000_000, 5},
	"oauth":        {110, 250_000, 5},
}

const emulatorUsage = `Usage: hubspot emulator [flags]

Serves an in-memory HubSpot portal with realistic seeded data (both the /crm/v3 and the
/crm/.../2026-09 path families), for tests and demos. It prints the base URL, the token and a
curl line, then serves until interrupted. Admin routes live under /_emulator/ (stats, faults,
mutate, expire-tokens).

Seed sizes (records per object; override with --counts or --<object> N):
%s
Tiers (--tier; --burst, --daily and --search-per-second override). Without --tier the free
tier's limits apply, as HubSpot always enforces limits; --no-limits turns enforcement off:
%s
Faults: --error-rate STATUS=SHARE,... with statuses %s,
  --latency, --reset-rate (connection closed), --truncate-rate (body cut short) and
  --hang-rate (accepted, never answered until the client gives up).

Flags:
`

// emulatorFlags holds the parsed command line.
type emulatorFlags struct {
	host, tier, token, counts, errorRate, scopes string
	scopeErrorShape                              string
	port, burst, daily, searchPerSecond          int
	seed, portalID                               int64
	searchLag, latency                           time.Duration
	resetRate, truncateRate, hangRate            float64
	noAPIAccess, noLimits                        bool
	oauth                                        emulator.OAuthConfig
	perType                                      map[string]*int
	set                                          map[string]bool // flags given on the command line
}

func newEmulatorFlagSet(stderr io.Writer) (*flag.FlagSet, *emulatorFlags) {
	fs := flag.NewFlagSet("emulator", flag.ContinueOnError)
	fs.SetOutput(stderr)
	f := &emulatorFlags{perType: map[string]*int{}}
	fs.StringVar(&f.host, "host", "127.0.0.1", "interface to listen on")
	fs.IntVar(&f.port, "port", 8080, "port to listen on (0 picks a free port)")
	fs.Int64Var(&f.seed, "seed", 1, "seed for every generated value, id and timestamp")
	fs.Int64Var(&f.portalID, "portal-id", 12345678, "HubSpot account id")
	fs.StringVar(&f.token, "token", "", "accepted private-app token (default: generated from the seed and printed)")
	fs.StringVar(&f.counts, "counts", "", "records per object, e.g. contacts=5000,deals=100")
	defaults := emulator.DefaultCounts()
	for _, name := range sortedKeys(defaults) {
		f.perType[name] = fs.Int(name, defaults[name], "number of "+name)
	}
	fs.StringVar(&f.tier, "tier", "free", "rate limits of a tier: "+strings.Join(sortedKeys(tiers), ", "))
	fs.IntVar(&f.burst, "burst", 0, "requests per rolling 10 s (default: the tier's)")
	fs.IntVar(&f.searchPerSecond, "search-per-second", 0, "search requests per rolling second (default: the tier's)")
	fs.IntVar(&f.daily, "daily", 0, "requests per day (default: the tier's)")
	fs.BoolVar(&f.noLimits, "no-limits", false, "enforce no rate limits (HubSpot always does; for tests that are not about limits)")
	fs.DurationVar(&f.searchLag, "search-lag", 0, "records changed more recently than this are not yet visible to search")
	fs.StringVar(&f.scopes, "scopes", "", "comma-separated granted scopes (default: all)")
	fs.StringVar(&f.scopeErrorShape, "scope-error-shape", emulator.ScopeErrorGranular, "where 403 MISSING_SCOPES bodies name the scope: "+
		emulator.ScopeErrorGranular+" (errors[].context.requiredGranularScopes), "+emulator.ScopeErrorRequired+
		" (errors[].context.requiredScopes) or "+emulator.ScopeErrorMissing+" (context.missingScopes)")
	fs.BoolVar(&f.noAPIAccess, "no-api-access", false, "refuse every API call with 403 MISSING_SCOPES, as HubSpot does for a portal whose subscription lacks API access")
	fs.StringVar(&f.errorRate, "error-rate", "", "injected error statuses and shares, e.g. 429=0.05,503=0.01")
	fs.DurationVar(&f.latency, "latency", 0, "latency added to every API response")
	fs.Float64Var(&f.resetRate, "reset-rate", 0, "share of requests whose connection is closed without a response")
	fs.Float64Var(&f.truncateRate, "truncate-rate", 0, "share of successful responses cut short")
	fs.Float64Var(&f.hangRate, "hang-rate", 0, "share of requests accepted and never answered, until the client gives up")
	fs.StringVar(&f.oauth.ClientID, "oauth-client-id", "", "OAuth client id (enables /oauth/v1/token with the two flags below)")
	fs.StringVar(&f.oauth.ClientSecret, "oauth-client-secret", "", "OAuth client secret")
	fs.StringVar(&f.oauth.RefreshToken, "oauth-refresh-token", "", "OAuth refresh token")
	fs.Usage = func() {
		var sizes, tierText strings.Builder
		for _, name := range sortedKeys(defaults) {
			fmt.Fprintf(&sizes, "  %-14s %d\n", name, defaults[name])
		}
		for _, name := range sortedKeys(tiers) {
			l := tiers[name]
			fmt.Fprintf(&tierText, "  %-13s burst %d per 10 s, daily %d, search %d/s\n", name, l.burst, l.daily, l.search)
		}
		fmt.Fprintf(fs.Output(), emulatorUsage, sizes.String(), tierText.String(), "429, 423, 477, 500, 502, 503, 504, 521, 523, 524")
		fs.PrintDefaults()
	}
	return fs, f
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// markSet records which flags the command line gave, after parsing.
func (f *emulatorFlags) markSet(fs *flag.FlagSet) {
	f.set = map[string]bool{}
	fs.Visit(func(fl *flag.Flag) { f.set[fl.Name] = true })
}

// config turns the flags into an emulator configuration.
func (f *emulatorFlags) config() (emulator.Config, error) {
	cfg := emulator.Config{Seed: f.seed, PortalID: f.portalID, Token: f.token, Counts: map[string]int{},
		SearchLag: f.searchLag, NoAPIAccess: f.noAPIAccess, ScopeErrorShape: f.scopeErrorShape,
		Faults: emulator.Faults{Latency: f.latency, ResetRate: f.resetRate, TruncateRate: f.truncateRate, HangRate: f.hangRate}}
	counts, err := parsePairs(f.counts, strconv.Atoi)
	if err != nil {
		return cfg, fmt.Errorf("--counts: %w", err)
	}
	for name, n := range counts {
		cfg.Counts[name] = n
	}
	for name, n := range f.perType {
		if f.set[name] {
			cfg.Counts[name] = *n
		}
	}
	if err := f.applyLimits(&cfg); err != nil {
		return cfg, err
	}
	rates, err := parsePairs(f.errorRate, func(s string) (float64, error) { return strconv.ParseFloat(s, 64) })
	if err != nil {
		return cfg, fmt.Errorf("--error-rate: %w", err)
	}
	if len(rates) > 0 {
		cfg.Faults.ErrorRate = map[int]float64{}
		for k, v := range rates {
			status, err := strconv.Atoi(k)
			if err != nil {
				return cfg, fmt.Errorf("--error-rate: %q is not a status code", k)
			}
			cfg.Faults.ErrorRate[status] = v
		}
	}
	if f.scopes != "" {
		cfg.Scopes = strings.Split(f.scopes, ",")
	}
	if f.oauth != (emulator.OAuthConfig{}) {
		o := f.oauth
		cfg.OAuth = &o
	}
	return cfg, nil
}

// applyLimits sets the tier's limits, the per-limit overrides, or no limits at all.
func (f *emulatorFlags) applyLimits(cfg *emulator.Config) error {
	l, ok := tiers[f.tier]
	if !ok {
		return fmt.Errorf("--tier %q: use one of %s", f.tier, strings.Join(sortedKeys(tiers), ", "))
	}
	if f.noLimits {
		for _, name := range []string{"tier", "burst", "daily", "search-per-second"} {
			if f.set[name] {
				return fmt.Errorf("--no-limits turns every limit off; drop --%s or --no-limits", name)
			}
		}
		cfg.NoLimits = true
		return nil
	}
	cfg.BurstLimit, cfg.DailyLimit, cfg.SearchPerSecond = l.burst, l.daily, l.search
	overrides := []struct {
		name  string
		value int
		field *int
	}{{"burst", f.burst, &cfg.BurstLimit}, {"daily", f.daily, &cfg.DailyLimit}, {"search-per-second", f.searchPerSecond, &cfg.SearchPerSecond}}
	for _, o := range overrides {
		if !f.set[o.name] {
			continue
		}
		if o.value < 1 {
			return fmt.Errorf("--%s %d: give a positive limit, or --no-limits to turn limits off", o.name, o.value)
		}
		*o.field = o.value
	}
	return nil
}

// parsePairs reads "key=value,key=value".
func parsePairs[V any](s string, parse func(string) (V, error)) (map[string]V, error) {
	out := map[string]V{}
	if s == "" {
		return out, nil
	}
	for _, part := range strings.Split(s, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok || k == "" {
			return nil, fmt.Errorf("%q is not key=value", part)
		}
		val, err := parse(v)
		if err != nil {
			return nil, fmt.Errorf("%q: %w", part, err)
		}
		out[k] = val
	}
	return out, nil
}

// runEmulator serves a standalone emulator until ctx is done, then shuts down gracefully.
func runEmulator(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, f := newEmulatorFlagSet(stderr)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return fmt.Errorf("emulator: %w", err)
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("emulator: unexpected arguments %v", fs.Args())
	}
	f.markSet(fs)
	cfg, err := f.config()
	if err != nil {
		return fmt.Errorf("emulator: %w", err)
	}
	start := time.Now()
	emu, err := emulator.New(cfg)
	if err != nil {
		return fmt.Errorf("emulator: %w", err)
	}
	ln, err := net.Listen("tcp", net.JoinHostPort(f.host, strconv.Itoa(f.port)))
	if err != nil {
		return fmt.Errorf("emulator: listen: %w", err)
	}
	srv := &http.Server{Handler: emu.Handler(), ReadHeaderTimeout: 10 * time.Second}
	srv.RegisterOnShutdown(emu.Close) // Shutdown waits for handlers: release the hung ones
	base := "http://" + ln.Addr().String()
	fmt.Fprintf(stdout, "HubSpot emulator listening on %s (portal %d, seed %d, built in %v)\n", base, emu.PortalID(), cfg.Seed, time.Since(start).Round(time.Millisecond))
	fmt.Fprintf(stdout, "Token: %s\n", emu.Token())
	fmt.Fprintf(stdout, "Try:   curl -H 'Authorization: Bearer %s' '%s/crm/v3/objects/contacts?limit=2'\n", emu.Token(), base)
	fmt.Fprintf(stdout, "Admin: %s/_emulator/ (stats, faults, mutate, expire-tokens)\n", base)
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	select {
	case err := <-served:
		return fmt.Errorf("emulator: serve: %w", err)
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("emulator: shutdown: %w", err)
	}
	return nil
}
