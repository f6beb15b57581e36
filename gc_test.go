package rustydb

import (
	"runtime/debug"
	"testing"

	"rustydb/config"
)

// TestApplyGC checks that the [memory] GC parameters reach the runtime
// (with GOGC and GOMEMLIMIT unset) and that
// the default limit is a part of the machine's memory.
func TestApplyGC(t *testing.T) {
	t.Setenv("GOGC", "")
	t.Setenv("GOMEMLIMIT", "")
	oldPercent, oldLimit := debug.SetGCPercent(100), debug.SetMemoryLimit(-1)
	defer func() {
		debug.SetGCPercent(oldPercent)
		debug.SetMemoryLimit(oldLimit)
	}()
	c := config.Default()
	c.Memory.GCPercent, c.Memory.GCMemoryLimit = 250, "3GB"
	ApplyGC(c)
	if got := debug.SetGCPercent(100); got != 250 {
		t.Errorf("gc_percent 250 gave GOGC %d", got)
	}
	if got := debug.SetMemoryLimit(-1); got != 3<<30 {
		t.Errorf("gc_memory_limit 3GB gave a limit of %d bytes", got)
	}
	c.Memory.GCMemoryLimit = ""
	if n := gcMemoryLimit(c); n < 64<<20 || n >= 1<<62 {
		t.Errorf("default gc_memory_limit %d bytes, want 75%% of this machine's memory", n)
	}
}
