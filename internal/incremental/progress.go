package incremental

// Progress hears how many records a stream's read expects to hand over, as far as HubSpot's
// search totals tell: a live display turns that into an estimate of the time left.
type Progress interface {
	// Expect says that the read of stream (its state key) will hand over about records records
	// in all, those it already handed over included. It is called again when a new query narrows
	// or widens the estimate.
	Expect(stream string, records int)
}
