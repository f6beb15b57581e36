package types

import (
	"testing"
	"time"
)

// TestDaysFromCivil checks the plain date parser's arithmetic against
// time.Date over every day of years at the edges and around leap rules.
func TestDaysFromCivil(t *testing.T) {
	for _, y := range []int{1, 2, 3, 4, 99, 100, 399, 400, 401, 1582, 1899, 1900, 1969, 1970, 1971, 1999, 2000, 2004, 2100, 2400, 9998, 9999} {
		for m := 1; m <= 12; m++ {
			days := time.Date(y, time.Month(m)+1, 0, 0, 0, 0, 0, time.UTC).Day()
			if got := monthDays(y, m); got != days {
				t.Errorf("monthDays(%d, %d) = %d, want %d", y, m, got, days)
			}
			for d := 1; d <= days; d++ {
				if got, want := daysFromCivil(y, m, d), civilDays(y, m, d); got != want {
					t.Fatalf("daysFromCivil(%d, %d, %d) = %d, want %d", y, m, d, got, want)
				}
			}
		}
	}
}
