package parquetio

import (
	"time"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/format"
)

// perSecond is how many ticks of an Arrow time unit make one second.
func perSecond(u arrow.TimeUnit) int64 {
	return int64(time.Second / u.Multiplier())
}

// parquetPerSecond is how many ticks of a Parquet TIMESTAMP unit make one second.
func parquetPerSecond(u format.TimeUnit) int64 {
	return int64(time.Second / u.Value.Duration())
}

// storedTimeUnit is the Parquet unit an Arrow timestamp is written in. Spark
// and older readers do not read TIMESTAMP(NANOS), and Parquet has no seconds:
// seconds are stored as milliseconds and nanoseconds as microseconds.
func storedTimeUnit(u arrow.TimeUnit) (parquet.TimeUnit, int64) {
	switch u {
	case arrow.Second, arrow.Millisecond:
		return parquet.Millisecond, 1e3
	default:
		return parquet.Microsecond, 1e6
	}
}

// rescale converts a tick count between units given in ticks per second,
// rounding towards negative infinity when precision is lost.
func rescale(v, from, to int64) int64 {
	switch {
	case from == to:
		return v
	case to > from:
		return v * (to / from)
	default:
		d := from / to
		q := v / d
		if v%d < 0 {
			q--
		}
		return q
	}
}

// arrowTimeUnit is the Arrow unit of a Parquet TIMESTAMP unit.
func arrowTimeUnit(u format.TimeUnit) arrow.TimeUnit {
	switch u.Value.Duration() {
	case time.Millisecond:
		return arrow.Millisecond
	case time.Microsecond:
		return arrow.Microsecond
	default:
		return arrow.Nanosecond
	}
}
