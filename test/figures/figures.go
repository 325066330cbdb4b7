// Package figures reads what a benchmarked process used (peak RSS, CPU) and prints benchmark
// figures the one way `make bench` shows them: the value, its unit, the target, the ratio to it
// and the verdict.
package figures

import (
	"bytes"
	"fmt"
	"os"
	"strconv"
	"strings"
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

// PeakRSSMiBOf is a process's peak resident set size (VmHWM) in MiB; proc is a process id, or
// "self".
func PeakRSSMiBOf(proc string) (float64, error) {
	raw, err := os.ReadFile("/proc/" + proc + "/status")
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(raw), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.Fields(v)[0], 10, 64)
			return float64(kb) / 1024, err
		}
	}
	return 0, fmt.Errorf("no VmHWM in /proc/%s/status", proc)
}

// CPUOf is the user and system CPU time a process has used, from /proc/PID/stat: another
// process's, which getrusage cannot read while it runs.
func CPUOf(pid int) (time.Duration, error) {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	// Fields after the command name, which is in parentheses and may hold spaces.
	fields := strings.Fields(string(raw[bytes.LastIndexByte(raw, ')')+2:]))
	utime, _ := strconv.ParseInt(fields[11], 10, 64)
	stime, _ := strconv.ParseInt(fields[12], 10, 64)
	const clockTicks = 100 // USER_HZ, 100 on every Linux architecture Go supports
	return time.Duration(utime+stime) * time.Second / clockTicks, nil
}
