package hubspot

import (
	"encoding/json"
	"slices"
	"strings"
	"sync"

	"github.com/hubspot-cq/cq-plugin-hubspot/internal/hubspot/pagejson"
)

// flexString is a JSON string or number read as text (HubSpot sends ids both ways); record pages
// carry it too.
type flexString = pagejson.FlexString

// flexStrings decodes a string array whose items may be strings or numbers, or a single value
// where an array was expected.
type flexStrings []string

func (f *flexStrings) UnmarshalJSON(b []byte) error {
	var list []flexString
	if err := json.Unmarshal(b, &list); err != nil {
		var one flexString
		if err := json.Unmarshal(b, &one); err != nil {
			return err
		}
		list = []flexString{one}
	}
	vals := make([]string, len(list))
	for i, s := range list {
		vals[i] = string(s)
	}
	*f = vals
	return nil
}

// flexContext decodes an error's context object, whose values are usually string arrays but may
// be single strings or numbers.
type flexContext map[string][]string

func (c *flexContext) UnmarshalJSON(b []byte) error {
	var raw map[string]flexStrings
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	out := make(flexContext, len(raw))
	for k, v := range raw {
		out[k] = v
	}
	*c = out
	return nil
}

// redactor removes credentials from text that reaches errors and logs: the configured secrets
// and the most recent OAuth access tokens.
type redactor struct {
	mu     sync.RWMutex
	static []string
	recent []string
}

const redacted = "[REDACTED]"

// minSecretLen keeps very short values from turning every message into noise.
const minSecretLen = 6

// maxRecentTokens bounds the issued access tokens remembered for redaction.
const maxRecentTokens = 8

func (r *redactor) add(secrets ...string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, s := range secrets {
		if len(s) >= minSecretLen {
			r.static = append(r.static, s)
		}
	}
}

func (r *redactor) addIssued(token string) {
	if len(token) < minSecretLen {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if slices.Contains(r.recent, token) {
		return
	}
	r.recent = append(r.recent, token)
	if len(r.recent) > maxRecentTokens {
		r.recent = slices.Delete(r.recent, 0, 1)
	}
}

func (r *redactor) redact(s string) string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	for _, secret := range r.static {
		s = strings.ReplaceAll(s, secret, redacted)
	}
	for _, secret := range r.recent {
		s = strings.ReplaceAll(s, secret, redacted)
	}
	return s
}

func (r *redactor) redactAll(in []string) []string {
	if in == nil {
		return nil
	}
	out := make([]string, len(in))
	for i, s := range in {
		out[i] = r.redact(s)
	}
	return out
}

func (r *redactor) redactContext(in map[string][]string) map[string][]string {
	if in == nil {
		return nil
	}
	out := make(map[string][]string, len(in))
	for k, v := range in {
		out[r.redact(k)] = r.redactAll(v)
	}
	return out
}
