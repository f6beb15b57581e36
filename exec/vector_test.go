package exec

import (
	"testing"
	"time"
)

// civil must agree with the time package, which the row path's extract
// uses, across eras, leap days and dates before 1970.
func TestCivilMatchesTime(t *testing.T) {
	for days := int64(-800_000); days <= 800_000; days += 7 {
		got := civil(days)
		tm := time.Unix(days*86400, 0).UTC()
		if want := [3]int64{int64(tm.Year()), int64(tm.Month()), int64(tm.Day())}; got != want {
			t.Fatalf("civil(%d) = %v, want %v", days, got, want)
		}
	}
}
