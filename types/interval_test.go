package types

import "testing"

func TestIntervalFormat(t *testing.T) {
	f := func(in, want string) {
		t.Helper()
		v, err := ParseInterval(in)
		if err != nil {
			t.Fatalf("%q: %v", in, err)
		}
		if got := Format(v); got != want {
			t.Errorf("%q: got %q, want %q", in, got, want)
		}
	}
	f("1 day", "1 day")
	f("90 days", "90 days")
	f("-1 day", "-1 days")
	f("1 year 2 months 3 days 04:05:06.5", "1 year 2 mons 3 days 04:05:06.5")
	f("2 hours 30 minutes", "02:30:00")
	f("1.5 days", "1 day 12:00:00")
	f("1 week", "7 days")
	f("3 mons", "3 mons")
	f("0 seconds", "00:00:00")
	f("1 day ago", "-1 days")
	f("-01:30", "-01:30:00")
	if _, err := ParseInterval("1 fortnight"); err == nil {
		t.Error("bad unit accepted")
	}
	a, _ := ParseInterval("1 day")
	b, _ := ParseInterval("24 hours")
	if Compare(a, b) != 0 || string(a.HashKey(nil)) != string(b.HashKey(nil)) {
		t.Error("1 day != 24 hours")
	}
}
