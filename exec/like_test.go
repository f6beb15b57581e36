package exec

import "testing"

// TestPercentOnlyLike checks the fast matcher of %-only LIKE patterns
// against the general one on every pair of a set of patterns and strings.
func TestPercentOnlyLike(t *testing.T) {
	patterns := []string{"", "%", "%%", "a", "abc", "a%", "%a", "%a%", "a%a", "%a%a%", "ab%ba",
		"%special%requests%", "PROMO%", "%BRASS", "forest%", "é%ü", "%aa%", "a%%b", "%Customer%Complaints%",
		"%x%é%", "% %", "%q%"}
	strs := []string{"", "a", "aa", "aaa", "ab", "ba", "aba", "abba", "abcba", "abc", "xabcx",
		"special requests", "requests special", "specialrequests!", "PROMO BRUSHED", "XPROMO",
		"LARGE BRASS", "BRASSY", "forest green", "éxü", "éü", "ü", "special request", "special reQuests",
		"Customer Complaints", "Customer xComplaints", "customer complaints", "xéx é", "a b", "q", "Q"}
	for _, p := range patterns {
		match := percentOnlyLike(p)
		if match == nil {
			t.Fatalf("%q: no fast matcher", p)
		}
		for _, s := range strs {
			want, err := like(s, p)
			if err != nil {
				t.Fatal(err)
			}
			if got := match(s); got != want {
				t.Errorf("%q LIKE %q = %v, want %v", s, p, got, want)
			}
		}
	}
	for _, p := range []string{"a_c", `a\%`, "_"} {
		if percentOnlyLike(p) != nil {
			t.Errorf("%q: a fast matcher for a pattern with _ or \\", p)
		}
	}
}

// TestRarestByte checks the byte a %-only pattern's matcher screens
// strings by: the pattern's least frequent in text.
func TestRarestByte(t *testing.T) {
	cases := []struct {
		pieces []string
		want   byte
		ok     bool
	}{
		{[]string{"", "special", "requests", ""}, 'q', true},
		{[]string{"", "Customer", "Complaints", ""}, 'C', true},
		{[]string{"PROMO", ""}, 'P', true},
		{[]string{"a b", "e"}, 'b', true},
		{[]string{"", "7", ""}, '7', true},
		{[]string{"", ""}, 0, false},
	}
	for _, c := range cases {
		if got, ok := rarestByte(c.pieces); got != c.want || ok != c.ok {
			t.Errorf("rarestByte(%q) = %q, %v; want %q, %v", c.pieces, got, ok, c.want, c.ok)
		}
	}
}
