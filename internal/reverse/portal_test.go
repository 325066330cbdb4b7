package reverse

import (
	"context"
	"fmt"
	"reflect"
	"sync"
	"testing"

	"github.com/hubspot-cq/cq-plugin-hubspot/internal/catalog"
	"github.com/hubspot-cq/cq-plugin-hubspot/internal/hubspot"
)

// apiDiscovery reads standard object types' definitions straight from the API, as the plugin's
// discovery does.
type apiDiscovery struct{ api *hubspot.Client }

func (d apiDiscovery) Definitions(ctx context.Context, name string) (Definitions, error) {
	o, ok := catalog.Lookup(name)
	if !ok {
		return Definitions{}, fmt.Errorf("%q is not a standard object", name)
	}
	props, err := d.api.Properties.List(ctx, o.TypeID)
	if err != nil {
		return Definitions{}, fmt.Errorf("list %s properties: %w", name, err)
	}
	return Definitions{TypeID: o.TypeID, Properties: props}, nil
}

// fixedDiscovery answers from fixed definitions and counts what it is asked.
type fixedDiscovery struct {
	defs map[string]Definitions

	mu    sync.Mutex
	asked map[string]int
}

func (d *fixedDiscovery) Definitions(_ context.Context, name string) (Definitions, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.asked[name]++
	defs, ok := d.defs[name]
	if !ok {
		return Definitions{}, fmt.Errorf("%q is neither a standard object nor a custom object", name)
	}
	return defs, nil
}

// The engine asks the discovery once per object type, and adds what a create needs: the
// catalog's groups for a standard type, each property its schema requires for a custom one.
func TestPortalAsksDiscoveryOncePerObject(t *testing.T) {
	d := &fixedDiscovery{asked: map[string]int{}, defs: map[string]Definitions{
		"companies": {TypeID: "0-2", Properties: []hubspot.Property{{Name: "domain"}, {Name: "name"}}},
		"cars":      {TypeID: "2-77", Properties: []hubspot.Property{{Name: "vin"}, {Name: "make"}}, Required: []string{"vin", "make"}},
	}}
	p := NewTarget("test", nil, d)
	ctx := context.Background()
	for _, tc := range []struct {
		name, typeID string
		required     [][]string
	}{
		{"companies", "0-2", [][]string{{"domain", "name"}}},
		{"cars", "2-77", [][]string{{"vin"}, {"make"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var wg sync.WaitGroup
			for range 3 {
				wg.Go(func() {
					o, err := p.Object(ctx, tc.name)
					if err != nil {
						t.Error(err)
						return
					}
					if o.TypeID != tc.typeID || !reflect.DeepEqual(o.Required, tc.required) || len(o.Properties) != 2 {
						t.Errorf("object %+v, want type %s requiring %v with 2 properties", o, tc.typeID, tc.required)
					}
				})
			}
			wg.Wait()
			if n := d.asked[tc.name]; n != 1 {
				t.Errorf("discovery asked %d times for %s, want once", n, tc.name)
			}
		})
	}
	if _, err := p.Object(ctx, "widgets"); err == nil {
		t.Error("an object type the portal does not know: want an error")
	}
}
