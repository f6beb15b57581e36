package exec

import (
	"testing"

	"github.com/minio/simdjson-go"
)

// TestJSONDecoder decodes lines with encoding/json and, where the CPU
// allows, simdjson-go, which must agree.
func TestJSONDecoder(t *testing.T) {
	paths := []bool{false}
	if simdjson.SupportedCPU() {
		paths = append(paths, true)
	}
	for _, tc := range []struct {
		line, want string // want: key=value pairs, NULL for null; or the error
	}{
		{`{}`, ``},
		{`{"a": 1, "b": "x\ty", "c": null, "d": true, "e": [1, {"f": 2}], "g": -2.5, "h": 18446744073709551615}`,
			"a=1 b=x\ty c=NULL d=true e=[1,{\"f\":2}] g=-2.5 h=18446744073709551615 "},
		{`{"a": "\u00e9"}`, "a=é "},
		{`[1, 2]`, "error"},
		{`{"a": 1`, "error"},
		{`{"a": 1} {"b": 2}`, "error"},
		{`"text"`, "error"},
	} {
		for _, simd := range paths {
			d := &JSONDecoder{simd: simd}
			members, err := d.Decode([]byte(tc.line))
			got := ""
			for _, m := range members {
				v := "NULL"
				if m.Val != nil {
					v = *m.Val
				}
				got += m.Key + "=" + v + " "
			}
			if err != nil {
				got = "error"
			}
			if got != tc.want {
				t.Errorf("%s (simd %v): got %q (%v), want %q", tc.line, simd, got, err, tc.want)
			}
		}
	}
}
