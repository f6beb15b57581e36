package rustydb

import (
	"testing"
	"time"
)

// TestClock checks the session clock against time.Now, across a new base.
func TestClock(t *testing.T) {
	var c clock
	check := func(stage string) {
		t.Helper()
		for range 20 {
			before := time.Now()
			got := c.now()
			after := time.Now()
			if got.Before(before.Add(-time.Millisecond)) || got.After(after.Add(time.Millisecond)) {
				t.Fatalf("%s: clock %v outside [%v, %v]", stage, got, before, after)
			}
			time.Sleep(time.Millisecond)
		}
	}
	check("first readings")
	c.base = c.base.Add(-2 * time.Second) // as if a second had passed since the last base
	check("after a new base")
	realStart, start := time.Now(), c.now()
	time.Sleep(20 * time.Millisecond)
	d, real := c.now().Sub(start), time.Since(realStart)
	if diff := d - real; diff < -time.Millisecond || diff > time.Millisecond {
		t.Errorf("an interval of %v measured as %v", real, d)
	}
}
