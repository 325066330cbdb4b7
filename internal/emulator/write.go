package emulator

import (
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/mail"
	"slices"
	"strconv"
	"strings"
	"time"
)

const maxStringLen = 65_536

// writeInput is one record write from a batch input, a single-record body or a mutation hook.
type writeInput struct {
	index      int
	id         string
	idProperty string
	traceID    string
	props      map[string]string // raw values; "" clears
	assocs     []inputAssoc
}

// inputAssoc is an association requested alongside a create.
type inputAssoc struct {
	To struct {
		ID string `json:"id"`
	} `json:"to"`
	Types []assocTypeInput `json:"types"`
}

type assocTypeInput struct {
	Category string `json:"associationCategory"`
	TypeID   int    `json:"associationTypeId"`
}

// rawInput is the JSON of one write input.
type rawInput struct {
	ID                 string                     `json:"id"`
	IDProperty         string                     `json:"idProperty"`
	ObjectWriteTraceID string                     `json:"objectWriteTraceId"`
	Properties         map[string]json.RawMessage `json:"properties"`
	Associations       []inputAssoc               `json:"associations"`
}

// toInput converts property values: strings as-is, numbers and booleans as their text, null clears.
func (ri rawInput) toInput(index int) (writeInput, *apiError) {
	in := writeInput{index: index, id: ri.ID, idProperty: ri.IDProperty, traceID: ri.ObjectWriteTraceID,
		props: make(map[string]string, len(ri.Properties)), assocs: ri.Associations}
	for name, raw := range ri.Properties {
		var v any
		if err := json.Unmarshal(raw, &v); err != nil {
			return in, badRequest("Invalid input JSON for property %s: %v", name, err)
		}
		switch x := v.(type) {
		case nil:
			in.props[name] = ""
		case string:
			in.props[name] = x
		case bool:
			in.props[name] = strconv.FormatBool(x)
		case float64:
			in.props[name] = string(raw)
		default:
			return in, badRequest("Invalid value for property %s: values must be strings, numbers or booleans", name)
		}
	}
	return in, nil
}

// propError builds one entry of a validation error, tied to its input.
func propError(in *writeInput, name, code, format string, args ...any) errorDetail {
	ctx := map[string][]string{"propertyName": {name}, "inputIndex": {strconv.Itoa(in.index)}}
	if in.traceID != "" {
		ctx["objectWriteTraceId"] = []string{in.traceID}
	}
	return errorDetail{Message: fmt.Sprintf(format, args...), Code: code, Context: ctx, In: "properties"}
}

// validationFailure turns property errors into the 400 that rejects the whole request.
func validationFailure(errs []errorDetail) *apiError {
	msgs := make([]string, len(errs))
	for i, d := range errs {
		msgs[i] = d.Message
	}
	err := badRequest("Property values were not valid: %s", strings.Join(msgs, "; "))
	err.errors = errs
	return err
}

// normalize checks one value against its definition and returns the stored form.
func normalize(p *propDef, v string) (string, string, bool) {
	if v == "" {
		return "", "", true
	}
	switch p.typ {
	case "number":
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
			return "", "INVALID_DECIMAL", false
		}
		return v, "", true
	case "bool":
		switch strings.ToLower(v) {
		case "true", "false":
			return strings.ToLower(v), "", true
		}
		return "", "INVALID_BOOLEAN", false
	case "date":
		if ms, err := strconv.ParseInt(v, 10, 64); err == nil {
			if ms%dayMs != 0 {
				return "", "INVALID_DATE", false
			}
			return time.UnixMilli(ms).UTC().Format(time.DateOnly), "", true
		}
		if _, err := time.Parse(time.DateOnly, v); err != nil {
			return "", "INVALID_DATE", false
		}
		return v, "", true
	case "datetime":
		if ms, err := strconv.ParseInt(v, 10, 64); err == nil {
			return isoMillis(ms), "", true
		}
		t, err := time.Parse(time.RFC3339Nano, v)
		if err != nil {
			return "", "INVALID_DATETIME", false
		}
		return isoMillis(t.UnixMilli()), "", true
	case "enumeration":
		allowed := p.optionValues()
		parts := []string{v}
		if p.fieldType == "checkbox" {
			parts = strings.Split(v, ";")
		}
		for _, part := range parts {
			if !allowed[part] {
				return "", "INVALID_OPTION", false
			}
		}
		return v, "", true
	}
	if len(v) > maxStringLen {
		return "", "TOO_LONG", false
	}
	return v, "", true
}

// checkProps validates an input's properties for a record of type t and normalises them in place.
// current reads the existing record's value (nil on create); rules applies the 2026-09 portal
// validation rules.
func (e *Emulator) checkProps(t *objectType, in *writeInput, current func(string) string, rules bool) []errorDetail {
	var errs []errorDetail
	names := make([]string, 0, len(in.props))
	for n := range in.props {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, name := range names {
		v := in.props[name]
		p := t.propByName[name]
		switch {
		case p == nil:
			errs = append(errs, propError(in, name, "PROPERTY_DOESNT_EXIST", "Property %q does not exist", name))
			continue
		case p.readOnly:
			errs = append(errs, propError(in, name, "READ_ONLY_VALUE", "Property %q is read-only and cannot be written", name))
			continue
		}
		norm, code, ok := normalize(p, v)
		if !ok {
			errs = append(errs, propError(in, name, code, "%q is not a valid %s value for property %q%s", v, p.typ, name, optionHint(p)))
			continue
		}
		if t.name == "contacts" && name == "email" && norm != "" {
			if a, err := mail.ParseAddress(norm); err != nil || a.Address != norm || !strings.Contains(norm[strings.IndexByte(norm, '@'):], ".") {
				errs = append(errs, propError(in, name, "INVALID_EMAIL", "Email address %s is invalid", v))
				continue
			}
			norm = strings.ToLower(norm)
		}
		in.props[name] = norm
	}
	final := func(name string) string {
		if v, ok := in.props[name]; ok {
			return v
		}
		if current != nil {
			return current(name)
		}
		return ""
	}
	if current == nil {
		for _, group := range t.required {
			if !slices.ContainsFunc(group, func(n string) bool { return final(n) != "" }) {
				errs = append(errs, propError(in, group[0], "REQUIRED_PROPERTY",
					"Required property %s is missing", strings.Join(group, " or ")))
			}
		}
	}
	if t.stageProp != "" && (in.props[t.stageProp] != "" || in.props[t.pipelineProp] != "") {
		pl, st := findStage(e.pipelines[t.name], final(t.stageProp))
		if st == nil || pl.id != final(t.pipelineProp) {
			errs = append(errs, propError(in, t.stageProp, "INVALID_OPTION", "%s %q is not a stage of pipeline %q",
				t.stageProp, final(t.stageProp), final(t.pipelineProp)))
		} else if rules && t.name == "deals" && st.closed && !st.won && final("closed_lost_reason") == "" {
			errs = append(errs, propError(in, "closed_lost_reason", "VALIDATION_RULE",
				"The portal requires closed_lost_reason when a deal moves to a closed lost stage"))
		}
	}
	return errs
}

func optionHint(p *propDef) string {
	if p.typ != "enumeration" {
		return ""
	}
	vals := make([]string, 0, len(p.options))
	for _, o := range p.options {
		vals = append(vals, o.Value)
	}
	if len(vals) > 10 {
		vals = append(vals[:10], "...")
	}
	return ": allowed options are [" + strings.Join(vals, ", ") + "]"
}

// uniqueClaims checks that a batch's unique values are neither taken by other records nor repeated
// inside the batch. self maps input index to the record it updates (-1 for creates).
func (e *Emulator) uniqueClaims(tb *table, inputs []writeInput, self []int32) *apiError {
	claimed := map[string]int{}
	for i, in := range inputs {
		for name, v := range in.props {
			p := tb.typ.propByName[name]
			if p == nil || !p.unique || v == "" {
				continue
			}
			key := name + "\x00" + strings.ToLower(v)
			if j, dup := claimed[key]; dup {
				return badRequest("Duplicate value %q for unique property %s in batch inputs %d and %d", v, name, j, in.index)
			}
			claimed[key] = in.index
			pos, taken := tb.findUnique(p, v)
			if !taken || pos == self[i] {
				continue
			}
			id := tb.recs[pos].id
			if tb.typ.name == "contacts" && name == "email" {
				return newError(http.StatusConflict, catConflict, "Contact already exists. Existing ID: %d", id)
			}
			return newError(http.StatusConflict, catConflict, "A %s with %s %q already exists. Existing ID: %d", tb.typ.singular, name, v, id)
		}
	}
	return nil
}

// apply writes normalised values to a record; it reports whether any value changed. HubSpot does
// not bump last-modified for writes that change nothing.
func (tb *table) apply(pos int32, props map[string]string) bool {
	changed := false
	for name, v := range props {
		p := tb.typ.propByName[name]
		cur, state := tb.lookup(pos, p)
		if (state == valSet && cur == v) || (state != valSet && v == "") {
			continue
		}
		tb.set(pos, p, v)
		changed = true
	}
	return changed
}

// create adds a record with the given (validated) values. Callers hold e.mu for writing.
func (e *Emulator) create(tb *table, props map[string]string) int32 {
	e.writes++
	pos := tb.add(e.nowMs(), hash3(e.seed, 0x1d, e.writes))
	tb.apply(pos, props)
	return pos
}

// update writes (validated) values and bumps last-modified when something changed, or always
// when force is set. Callers hold e.mu for writing.
func (e *Emulator) update(tb *table, pos int32, props map[string]string, force bool) {
	if tb.apply(pos, props) || force {
		tb.touch(pos, max(e.nowMs(), tb.recs[pos].created))
	}
}

// writtenView renders the written properties plus id and timestamps.
func writtenView(t *objectType, inputs []writeInput, v2026 bool) *view {
	var names []string
	for _, in := range inputs {
		for n := range in.props {
			names = append(names, n)
		}
	}
	slices.Sort(names)
	return &view{props: selectProps(t, slices.Compact(names)), v2026: v2026}
}
