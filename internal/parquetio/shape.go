package parquetio

// shape is how one top-level Arrow field lies in its Parquet leaf column.
// Every field maps to exactly one leaf: either a primitive column or a
// 3-level LIST of primitives. The definition levels of a leaf value tell a
// null field from an empty list, a null element and a present value:
//
//	level < present         the field is null
//	present <= level < entry the list is empty (lists only)
//	entry <= level < value   the list element is null (lists only)
//	level == value           a value is present
type shape struct {
	leaf    int  // index of the leaf column in a row
	list    bool // the field is a list of the leaf's values
	present int  // lowest level at which the field is not null
	entry   int  // lists: lowest level at which a list element exists
	value   int  // level of a present leaf value (the leaf's maximum)
}

// primitiveShape is the shape of a top-level primitive column.
func primitiveShape(leaf int, nullable bool) shape {
	level := levelOf(nullable)
	return shape{leaf: leaf, present: level, entry: level, value: level}
}

// listShape is the shape of a top-level list column.
func listShape(leaf int, nullable, elementNullable bool) shape {
	present := levelOf(nullable)
	entry := present + 1
	return shape{leaf: leaf, list: true, present: present, entry: entry, value: entry + levelOf(elementNullable)}
}

// nullable reports whether the field itself may be null.
func (s shape) nullable() bool { return s.present > 0 }

// elementNullable reports whether list elements may be null.
func (s shape) elementNullable() bool { return s.value > s.entry }

// levelOf is the definition level an optional node adds.
func levelOf(optional bool) int {
	if optional {
		return 1
	}
	return 0
}
