package exec

import (
	"reflect"
	"testing"
)

func TestSplitTextRow(t *testing.T) {
	null := "<null>"
	for _, tc := range []struct {
		raw   string
		delim byte
		nullS string
		want  []string // null marks NULL
	}{
		{"1|abc|2.50|", '|', `\N`, []string{"1", "abc", "2.50", ""}},
		{"a\tb\t\\N", '\t', `\N`, []string{"a", "b", null}},
		{"a\t\t", '\t', `\N`, []string{"a", "", ""}},
		{"x,NULL,y", ',', "NULL", []string{"x", null, "y"}},
		{"x,,y", ',', "", []string{"x", null, "y"}},
		{`a\tb|c\\d|\x41\101`, '|', `\N`, []string{"a\tb", `c\d`, "AA"}},
		{"", '|', `\N`, []string{""}},
		{"é|ü", '|', `\N`, []string{"é", "ü"}},
	} {
		fields, err := splitTextRow([]byte(tc.raw), CopyFormat{Delimiter: tc.delim, Null: tc.nullS}, &fieldSlab{})
		if err != nil {
			t.Fatalf("%q: %v", tc.raw, err)
		}
		got := make([]string, len(fields))
		for i, f := range fields {
			if got[i] = null; f != nil {
				got[i] = *f
			}
		}
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%q: got %q, want %q", tc.raw, got, tc.want)
		}
	}
}
