package rustydb

import "time"

// clock reads the time for a session's bookkeeping: each statement's start
// and end, which v$session, the statement statistics and now() show. A
// reading is a wall-clock reading at most a second old plus the monotonic
// time since then. On these virtual machines time.Now costs 60-90 ns and
// the monotonic clock alone about 40 (reading the TSC directly was tried:
// 25 ns, not worth its calibration); a statement makes two readings. A
// step of the wall clock shows within the second.
type clock struct{ base time.Time }

func (c *clock) now() time.Time {
	if !c.base.IsZero() {
		if d := time.Since(c.base); d >= 0 && d < time.Second {
			return c.base.Add(d)
		}
	}
	c.base = time.Now()
	return c.base
}
