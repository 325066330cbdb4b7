package reverse

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/hubspot-cq/cq-plugin-hubspot/internal/hubspot"
)

// keyKind is how records are looked up by key.
type keyKind int

const (
	keyByID     keyKind = iota // batch read by record id
	keyByUnique                // batch read by a unique property (idProperty), upsert-able
	keyBySearch                // search with IN: the property is not unique (company domain or name)
)

// searchValuesPerRequest caps the values of the one IN filter a lookup search sends.
const searchValuesPerRequest = 100

// finder looks records of one object type up by one key property, in batches.
type finder struct {
	object   *Object
	property string // hs_object_id for keyByID
	kind     keyKind
}

// newFinder picks how to look records up by property.
func newFinder(obj *Object, property string) (finder, error) {
	if slices.Contains(idProperties, property) {
		return finder{object: obj, property: "hs_object_id", kind: keyByID}, nil
	}
	def, ok := obj.Properties[property]
	switch {
	case !ok:
		return finder{}, fmt.Errorf("%s has no property %q", obj.Name, property)
	case def.HasUniqueValue || (obj.Name == "contacts" && property == "email"):
		return finder{object: obj, property: property, kind: keyByUnique}, nil
	case obj.Name == "companies" && (property == "domain" || property == "name"):
		return finder{object: obj, property: property, kind: keyBySearch}, nil
	}
	return finder{}, fmt.Errorf("%q is not unique in %s: use id, a property with unique values%s", property, obj.Name, searchHint(obj))
}

// newTargetFinder is newFinder for association targets, which may be matched on any property
// through search.
func newTargetFinder(obj *Object, property string) (finder, error) {
	f, err := newFinder(obj, property)
	if err == nil {
		return f, nil
	}
	if _, ok := obj.Properties[property]; !ok {
		return finder{}, err
	}
	return finder{object: obj, property: property, kind: keyBySearch}, nil
}

func searchHint(obj *Object) string {
	if obj.Name == "companies" {
		return ", domain or name"
	}
	if obj.Name == "contacts" {
		return " or email"
	}
	return ""
}

// normalize turns a key as written in a row into the form keys are compared in: ids as numbers,
// emails and other text without case, domains without scheme, "www." or path.
func (f finder) normalize(v string) string {
	v = strings.TrimSpace(v)
	switch {
	case v == "":
		return ""
	case f.kind == keyByID:
		n, err := strconv.ParseUint(v, 10, 64)
		if err != nil || n == 0 {
			return ""
		}
		return strconv.FormatUint(n, 10)
	case f.property == "domain":
		v = strings.ToLower(v)
		if u, err := url.Parse(v); err == nil && u.Host != "" {
			v = u.Host
		}
		v, _, _ = strings.Cut(v, "/")
		return strings.TrimPrefix(v, "www.")
	}
	return strings.ToLower(v)
}

// lookup is the value sent to HubSpot for a row's key: normalized for ids, emails and domains,
// as written otherwise (unique values keep their case).
func (f finder) lookup(v string) string {
	if f.kind == keyByID || f.property == "email" || f.property == "domain" {
		return f.normalize(v)
	}
	return strings.TrimSpace(v)
}

// find looks up records by lookup values, reading props; it returns them by normalized key.
// Keys without a record are absent. Several records with one (non-unique) key resolve to the oldest one.
func (f finder) find(ctx context.Context, api *hubspot.Client, keys []string, props []string) (map[string]*hubspot.Object, error) {
	out := make(map[string]*hubspot.Object, len(keys))
	chunk := hubspot.MaxBatchInputs
	if f.kind == keyBySearch {
		chunk = searchValuesPerRequest
	}
	for part := range slices.Chunk(keys, chunk) {
		var err error
		if f.kind == keyBySearch {
			err = f.search(ctx, api, part, props, out)
		} else {
			err = f.read(ctx, api, part, props, out)
		}
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (f finder) read(ctx context.Context, api *hubspot.Client, keys, props []string, out map[string]*hubspot.Object) error {
	req := hubspot.BatchReadRequest{IDs: keys, Properties: props}
	if f.kind == keyByUnique {
		req.IDProperty = f.property
		req.Properties = appendMissing(props, f.property)
	}
	res, err := api.Objects.BatchRead(ctx, f.object.TypeID, req)
	if err != nil {
		return fmt.Errorf("read %s by %s: %w", f.object.Name, f.property, err)
	}
	for _, e := range res.Errors {
		if e.Category != "OBJECT_NOT_FOUND" {
			return fmt.Errorf("read %s by %s: %w", f.object.Name, f.property, e)
		}
	}
	for i := range res.Results {
		o := &res.Results[i].Object
		f.keep(out, f.keyOf(o), o)
	}
	return nil
}

func (f finder) search(ctx context.Context, api *hubspot.Client, keys, props []string, out map[string]*hubspot.Object) error {
	def, values := f.object.Properties[f.property], make([]string, len(keys))
	for i, k := range keys {
		values[i] = def.InValue(k)
	}
	req := hubspot.SearchRequest{
		FilterGroups: []hubspot.FilterGroup{{Filters: []hubspot.Filter{{PropertyName: f.property, Operator: "IN", Values: values}}}},
		Sorts:        []hubspot.Sort{{PropertyName: "hs_object_id", Direction: "ASCENDING"}},
		Properties:   appendMissing(props, f.property),
		Limit:        200,
	}
	for {
		page, err := api.Objects.Search(ctx, f.object.TypeID, req)
		if err != nil {
			return fmt.Errorf("search %s by %s: %w", f.object.Name, f.property, err)
		}
		for i := range page.Results {
			o := &page.Results[i]
			f.keep(out, f.keyOf(o), o)
		}
		if page.After == "" {
			return nil
		}
		req.After = page.After
	}
}

// keep records o under key unless an older record already holds it.
func (f finder) keep(out map[string]*hubspot.Object, key string, o *hubspot.Object) {
	if key == "" {
		return
	}
	if prev, ok := out[key]; ok && hubspot.CompareIDs(prev.ID, o.ID) <= 0 {
		return
	}
	out[key] = o
}

// keyOf is a record's normalized key.
func (f finder) keyOf(o *hubspot.Object) string {
	if f.kind == keyByID {
		return f.normalize(o.ID)
	}
	if v := o.Properties[f.property]; v != nil {
		return f.normalize(*v)
	}
	return ""
}

func appendMissing(list []string, name string) []string {
	if slices.Contains(list, name) {
		return list
	}
	return append(slices.Clip(list), name)
}
