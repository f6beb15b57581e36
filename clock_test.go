package rustydb

import (
	"testing"
	"time"
)

// TestClock checks the session clock against time.Now, calibrated (where
// the TSC counts) and not.
func TestClock(t *testing.T) {
	var c clock
	check := func(stage string) {
		t.Helper()
		for range 20 {
			before := time.Now()
			got := c.now()
			after := time.Now()
			if got.Before(before.Add(-2*time.Millisecond)) || got.After(after.Add(2*time.Millisecond)) {
				t.Fatalf("%s: clock %v outside [%v, %v]", stage, got, before, after)
			}
			time.Sleep(time.Millisecond)
		}
	}
	check("first readings")
	time.Sleep(time.Until(tscEpoch.at.Add(120 * time.Millisecond)))
	c.rebase(time.Now(), rdtsc()) // measures the TSC's rate
	if tscUsable && tscRate.Load() == 0 {
		t.Fatal("TSC rate not measured")
	}
	check("after calibration")
	realStart, start := time.Now(), c.now()
	time.Sleep(20 * time.Millisecond)
	d, real := c.now().Sub(start), time.Since(realStart)
	if diff := d - real; diff < -2*time.Millisecond || diff > 2*time.Millisecond {
		t.Errorf("an interval of %v measured as %v", real, d)
	}
}
