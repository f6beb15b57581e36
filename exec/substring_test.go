package exec

import (
	"math"
	"testing"
)

// TestSubstring checks substring against PostgreSQL 15's answers.
func TestSubstring(t *testing.T) {
	cases := []struct {
		s           string
		from, count int64
		want        string
	}{
		{"hello", 1, 2, "he"},
		{"hello", 2, -1, "ello"},
		{"hello", -1, 3, "h"},
		{"hello", 0, 1, ""},
		{"hello", 4, 10, "lo"},
		{"hello", 6, 1, ""},
		{"hello", 2, math.MaxInt64, "ello"},
		{"héllo wörld", 2, 4, "éllo"},
		{"héllo wörld", 8, -1, "örld"},
		{"", 1, 2, ""},
	}
	for _, c := range cases {
		if got := substring(c.s, c.from, c.count); got != c.want {
			t.Errorf("substring(%q, %d, %d) = %q, want %q", c.s, c.from, c.count, got, c.want)
		}
	}
}
