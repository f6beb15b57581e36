package rustydb

import (
	"math"
	"sync/atomic"
	"time"
)

// clock reads the time for a session's bookkeeping: each statement's start
// and end, which v$session, the statement statistics and now() show. A
// reading is a wall-clock reading at most a second old plus the time since
// then, counted in TSC ticks where the kernel keeps time by the TSC (see
// tscUsable) and by the monotonic clock elsewhere. On these virtual
// machines time.Now costs 60-100 ns and the monotonic clock half that; a
// TSC read is under 10 ns, and a point query makes two readings. A step of
// the wall clock shows within the second.
type clock struct {
	base    time.Time
	baseTSC uint64
}

// tscEpoch is the process's first clock and TSC reading, from which
// tscRate measures the TSC's rate, more exactly the longer the process runs.
var tscEpoch = struct {
	at  time.Time
	tsc uint64
}{time.Now(), rdtsc()}

// tscRate holds the float64 bits of the nanoseconds per TSC tick; 0 until a
// tenth of a second after tscEpoch.
var tscRate atomic.Uint64

func (c *clock) now() time.Time {
	if !c.base.IsZero() {
		var d time.Duration
		if rate := math.Float64frombits(tscRate.Load()); rate > 0 {
			d = time.Duration(float64(rdtsc()-c.baseTSC) * rate)
		} else {
			d = time.Since(c.base)
		}
		if d >= 0 && d < time.Second {
			return c.base.Add(d)
		}
	}
	c.rebase(time.Now(), rdtsc())
	return c.base
}

// rebase takes now, read when the TSC read tsc, as the new base, and
// measures the TSC's rate since tscEpoch.
func (c *clock) rebase(now time.Time, tsc uint64) {
	if tscUsable && tsc > tscEpoch.tsc {
		if elapsed := now.Sub(tscEpoch.at); elapsed >= 100*time.Millisecond {
			tscRate.Store(math.Float64bits(float64(elapsed) / float64(tsc-tscEpoch.tsc)))
		}
	}
	c.base, c.baseTSC = now, tsc
}
