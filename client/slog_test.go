package client

import (
	"bytes"
	"encoding/json"
	"errors"
	"log/slog"
	"testing"
	"time"

	"github.com/rs/zerolog"
)

func TestSlogLinesReachTheZerologLogger(t *testing.T) {
	cases := []struct {
		name  string
		level zerolog.Level
		log   func(*slog.Logger)
		want  map[string]any // nil: nothing written
	}{
		{
			name:  "debug retry line with attributes and a group",
			level: zerolog.DebugLevel,
			log: func(l *slog.Logger) {
				l.With("portal", "eu").WithGroup("request").Debug("retrying", "method", "GET", "attempt", 2,
					"wait", 1500*time.Millisecond, "err", errors.New("connection reset"))
			},
			want: map[string]any{"level": "debug", "message": "retrying", "portal": "eu", "request.method": "GET",
				"request.attempt": float64(2), "request.wait": "1.5s", "request.err": "connection reset"},
		},
		{
			name:  "warn kept at warn",
			level: zerolog.InfoLevel,
			log:   func(l *slog.Logger) { l.Warn("slow down", slog.Group("limit", "policy", "SECONDLY")) },
			want:  map[string]any{"level": "warn", "message": "slow down", "limit.policy": "SECONDLY"},
		},
		{
			name:  "debug dropped at info",
			level: zerolog.InfoLevel,
			log:   func(l *slog.Logger) { l.Debug("retrying") },
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var out bytes.Buffer
			tc.log(newSlogLogger(zerolog.New(&out).Level(tc.level)))
			if tc.want == nil {
				if out.Len() != 0 {
					t.Errorf("wrote %s, want nothing", out.String())
				}
				return
			}
			var got map[string]any
			if err := json.Unmarshal(out.Bytes(), &got); err != nil {
				t.Fatalf("line %q: %v", out.String(), err)
			}
			for k, v := range tc.want {
				if got[k] != v {
					t.Errorf("%s = %v, want %v (line %s)", k, got[k], v, out.String())
				}
			}
		})
	}
}
