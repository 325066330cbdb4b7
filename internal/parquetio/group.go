package parquetio

import (
	"fmt"
	"reflect"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/compress"
	"github.com/parquet-go/parquet-go/encoding"
)

// orderedGroup is a Parquet group node that keeps its fields in the order
// given. parquet.Group sorts fields by name, which would reorder the columns
// of a table and break readers that match the stored Arrow schema to the
// Parquet schema by position (pqarrow, pyarrow).
type orderedGroup []parquet.Field

// newOrderedGroup names each node. Parquet needs unique names in a group.
func newOrderedGroup(names []string, nodes []parquet.Node) (orderedGroup, error) {
	g := make(orderedGroup, len(names))
	seen := make(map[string]bool, len(names))
	for i, name := range names {
		if seen[name] {
			return nil, fmt.Errorf("duplicate column name %q", name)
		}
		seen[name] = true
		g[i] = parquet.Group{name: nodes[i]}.Fields()[0]
	}
	return g, nil
}

func (g orderedGroup) ID() int                     { return 0 }
func (g orderedGroup) String() string              { return parquet.NewSchema("", g).String() }
func (g orderedGroup) Type() parquet.Type          { return parquet.Group{}.Type() }
func (g orderedGroup) Optional() bool              { return false }
func (g orderedGroup) Repeated() bool              { return false }
func (g orderedGroup) Required() bool              { return true }
func (g orderedGroup) Leaf() bool                  { return false }
func (g orderedGroup) Fields() []parquet.Field     { return g }
func (g orderedGroup) Encoding() encoding.Encoding { return nil }
func (g orderedGroup) Compression() compress.Codec { return nil }

// GoType is the struct type of the equivalent unordered group: parquet-go
// maps struct fields by their tags, so field order does not matter there.
func (g orderedGroup) GoType() reflect.Type {
	m := make(parquet.Group, len(g))
	for _, f := range g {
		m[f.Name()] = f
	}
	return m.GoType()
}
