//go:build !noasm

package rustydb

import (
	"os"
	"strings"
)

// rdtsc reads the time-stamp counter (tsc_amd64.s).
func rdtsc() uint64

// tscUsable reports whether the TSC counts time at a constant rate on
// every CPU: the kernel keeps its own time by it only then.
var tscUsable = func() bool {
	b, err := os.ReadFile("/sys/devices/system/clocksource/clocksource0/current_clocksource")
	return err == nil && strings.TrimSpace(string(b)) == "tsc"
}()
