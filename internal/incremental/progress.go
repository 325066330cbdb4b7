package incremental

import "context"

// Progress hears how many records a stream's read expects to hand over, as far as HubSpot's
// search totals tell: a live display turns that into an estimate of the time left.
type Progress interface {
	// Expect says that the read of stream (its state key) will hand over about records records
	// in all, those it already handed over included. It is called again when a new query narrows
	// or widens the estimate.
	Expect(stream string, records int)
}

type progressKey struct{}

// WithProgress makes every read under ctx report its expected record count to p.
func WithProgress(ctx context.Context, p Progress) context.Context {
	return context.WithValue(ctx, progressKey{}, p)
}

func progressFrom(ctx context.Context) Progress {
	p, _ := ctx.Value(progressKey{}).(Progress)
	return p
}
