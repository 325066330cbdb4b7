package client

import (
	"context"
	"log/slog"
	"strings"
	"time"

	"github.com/rs/zerolog"
)

// zerologHandler is an slog.Handler that writes to the plugin's zerolog logger, so the API
// client's retry and rate-limit lines land in the plugin's log with its level and format. A
// dozen lines do it; a bridge library would be one more dependency for the same.
type zerologHandler struct {
	logger zerolog.Logger
	prefix string // open groups, "group." each
}

var _ slog.Handler = zerologHandler{}

func newSlogLogger(logger zerolog.Logger) *slog.Logger {
	return slog.New(zerologHandler{logger: logger})
}

func (h zerologHandler) Enabled(_ context.Context, level slog.Level) bool {
	l := zerologLevel(level)
	return l >= h.logger.GetLevel() && l >= zerolog.GlobalLevel()
}

func (h zerologHandler) Handle(_ context.Context, r slog.Record) error {
	ev := h.logger.WithLevel(zerologLevel(r.Level))
	r.Attrs(func(a slog.Attr) bool {
		addAttr(h.prefix, a, func(key string, v any) { ev.Interface(key, v) })
		return true
	})
	ev.Msg(r.Message)
	return nil
}

func (h zerologHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	ctx := h.logger.With()
	for _, a := range attrs {
		addAttr(h.prefix, a, func(key string, v any) { ctx = ctx.Interface(key, v) })
	}
	return zerologHandler{logger: ctx.Logger(), prefix: h.prefix}
}

func (h zerologHandler) WithGroup(name string) slog.Handler {
	if name == "" {
		return h
	}
	return zerologHandler{logger: h.logger, prefix: h.prefix + name + "."}
}

// addAttr flattens an attribute into dotted keys; durations are written as "1.5s" rather than
// nanoseconds.
func addAttr(prefix string, a slog.Attr, add func(key string, v any)) {
	v := a.Value.Resolve()
	switch {
	case a.Equal(slog.Attr{}):
	case v.Kind() == slog.KindGroup:
		p := prefix
		if a.Key != "" {
			p += a.Key + "."
		}
		for _, g := range v.Group() {
			addAttr(p, g, add)
		}
	case v.Kind() == slog.KindDuration:
		add(prefix+a.Key, v.Duration().String())
	case v.Kind() == slog.KindTime:
		add(prefix+a.Key, v.Time().Format(time.RFC3339Nano))
	case v.Kind() == slog.KindAny:
		if err, ok := v.Any().(error); ok {
			add(prefix+a.Key, err.Error())
			return
		}
		add(prefix+a.Key, v.Any())
	default:
		add(prefix+a.Key, v.Any())
	}
}

func zerologLevel(l slog.Level) zerolog.Level {
	switch {
	case l < slog.LevelInfo:
		return zerolog.DebugLevel
	case l < slog.LevelWarn:
		return zerolog.InfoLevel
	case l < slog.LevelError:
		return zerolog.WarnLevel
	default:
		return zerolog.ErrorLevel
	}
}

// userAgent names the plugin and its build in every request, so HubSpot's logs tell versions apart.
func userAgent(version string) string {
	return "cq-plugin-hubspot/" + strings.TrimSpace(version)
}
