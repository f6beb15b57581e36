//go:build noasm || !amd64

package rustydb

// Without the TSC the session clock counts by the monotonic clock.
func rdtsc() uint64 { return 0 }

const tscUsable = false
