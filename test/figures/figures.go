// Package figures prints benchmark figures the one way `make bench` shows them: the value, its
// unit, the target, the ratio to it and the verdict.
package figures

import (
	"fmt"
	"time"
)

const (
	// PeakRSSMiB is DESIGN.md's ceiling for the real process's peak resident memory.
	PeakRSSMiB = 256
	// APIAllowsPerRecord is the time HubSpot's fastest published limits allow per object record:
	// 250 requests per 10 s at 100 records a page.
	APIAllowsPerRecord = time.Second / 2500
	// CPUPerRecord is the plugin's CPU budget per record, a tenth of what the API allows.
	CPUPerRecord = APIAllowsPerRecord / 10
)

// Print prints one figure; a target of 0 has no ratio. It returns whether the figure meets it.
func Print(name string, value float64, unit string, target float64, higherIsBetter bool) bool {
	ratio := fmt.Sprintf("%6.3f", value/target)
	if target == 0 {
		ratio = "   n/a"
	}
	meets := (higherIsBetter && value >= target) || (!higherIsBetter && value <= target)
	verdict := "meets"
	if !meets {
		verdict = "MISSES"
	}
	cmp := "<="
	if higherIsBetter {
		cmp = ">="
	}
	fmt.Printf("%-58s %12.2f %-14s target %s %-10.4g ratio %s  %s\n", name, value, unit, cmp, target, ratio, verdict)
	return meets
}

// Micros is d in microseconds.
func Micros(d time.Duration) float64 { return float64(d.Nanoseconds()) / 1000 }
