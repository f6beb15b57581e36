package rustydb

import (
	"os"
	"runtime/debug"
	"strconv"
	"strings"
	"syscall"

	"rustydb/config"
)

// ApplyGC sets the Go runtime's garbage collector from [memory] gc_percent
// and gc_memory_limit, and returns the percentage and limit in force. The
// database keeps its rows' versions and indexes on the Go heap, so the
// runtime's default (a cycle each time the heap doubles) spends a tenth of
// an OLTP workload's CPU marking; a larger percentage with a soft limit
// below the machine's memory collects rarely while the heap is small and
// stays bounded when it is large. The GOGC and GOMEMLIMIT environment
// variables, when set, win. The server applies it at start and on every
// change of the parameters; an embedded engine when it opens (see
// Options.KeepGC).
func ApplyGC(c *config.Config) (percent, limit string) {
	percent, limit = "GOGC", "GOMEMLIMIT"
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(c.Memory.GCPercent)
		percent = strconv.Itoa(c.Memory.GCPercent)
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		n := gcMemoryLimit(c)
		debug.SetMemoryLimit(n)
		limit = strconv.FormatInt(n>>20, 10) + "MB"
	}
	return percent, limit
}

// gcMemoryLimit is gc_memory_limit in bytes: the configured size, else 75%
// of the memory the process may use (the machine's, or its cgroup's limit
// when lower).
func gcMemoryLimit(c *config.Config) int64 {
	if n, err := config.ParseSize(c.Memory.GCMemoryLimit); err == nil && c.Memory.GCMemoryLimit != "" {
		return n
	}
	var total int64
	var si syscall.Sysinfo_t
	if syscall.Sysinfo(&si) == nil {
		total = int64(si.Totalram) * int64(si.Unit)
	}
	if b, err := os.ReadFile("/sys/fs/cgroup/memory.max"); err == nil {
		if n, err := strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64); err == nil && (total == 0 || n < total) {
			total = n
		}
	}
	if total <= 0 {
		return 1 << 62 // unknown: no limit, as the runtime's default
	}
	return total / 4 * 3
}
