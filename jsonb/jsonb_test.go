package jsonb

import (
	"fmt"
	"math/rand"
	"strings"
	"testing"

	"github.com/minio/simdjson-go"

	"rustydb/sqlerr"
)

// eachParser runs f once with the native parser only and, where the CPU
// has what simdjson needs, once with simdjson validating every container
// json input checks.
func eachParser(t *testing.T, f func(t *testing.T)) {
	saved, savedMin := useSIMD, simdMin
	defer func() { useSIMD, simdMin = saved, savedMin }()
	t.Run("native", func(t *testing.T) {
		useSIMD = false
		f(t)
	})
	if !simdjson.SupportedCPU() {
		t.Log("simdjson needs AVX2 and CLMUL: its path is not tested on this CPU")
		return
	}
	t.Run("simd", func(t *testing.T) {
		useSIMD, simdMin = true, 0
		f(t)
	})
}

func TestParseCanonical(t *testing.T) {
	cases := []struct{ in, want string }{
		{`1`, `1`},
		{` -0 `, `0`},
		{`-0.0`, `0.0`},
		{`1.50`, `1.50`},
		{`1E2`, `100`},
		{`1.0e1`, `10`},
		{`1.50E1`, `15.0`},
		{`0.00001e-2`, `0.0000001`},
		{`123456789012345678901234567890`, `123456789012345678901234567890`},
		{`-9223372036854775808`, `-9223372036854775808`},
		{`18446744073709551615`, `18446744073709551615`},
		{`"a\"b\\c\/d\n\u00e9\ud83d\ude00\u0001"`, "\"a\\\"b\\\\c/d\\né😀\\u0001\""},
		{"\"\x7f\"", "\"\x7f\""},
		{`true`, `true`},
		{`null`, `null`},
		{`[]`, `[]`},
		{`{}`, `{}`},
		{` [1 , 2.50,[ ] ,{ }] `, `[1, 2.50, [], {}]`},
		{`{"b":1,"a":2,"aa":3,"a":4}`, `{"a": 4, "b": 1, "aa": 3}`},
		{`{"a":{"z":null,"y":[true,false]}}`, `{"a": {"y": [true, false], "z": null}}`},
		{`[1e400]`, `[1` + strings.Repeat("0", 400) + `]`},
		{`[-1E-3, 1.5e308, 2e-320]`, `[-0.001, 15` + strings.Repeat("0", 307) + `, 0.` + strings.Repeat("0", 319) + `2]`},
		{`["\u0041", 1.0]`, `["A", 1.0]`},
	}
	for _, c := range cases {
		v, err := Parse(c.in)
		if err != nil {
			t.Errorf("Parse(%q): %v", c.in, err)
			continue
		}
		if got := v.String(); got != c.want {
			t.Errorf("Parse(%q) = %s, want %s", c.in, got, c.want)
		}
		// canonical text reads back as itself
		if d, err := Decode(c.want); err != nil || d.String() != c.want {
			t.Errorf("Decode(%q) = %s, %v", c.want, d.String(), err)
		}
	}
}

// TestParseErrors checks jsonb input's errors and, where json input
// rejects the text too (its check is of the syntax only), json's.
func TestParseErrors(t *testing.T) {
	cases := []struct{ in, code, detail string }{
		{``, "22P02", "The input string ended unexpectedly."},
		{`{"a":1`, "22P02", "The input string ended unexpectedly."},
		{`abc`, "22P02", `Token "abc" is invalid.`},
		{`01`, "22P02", `Token "01" is invalid.`},
		{`[1.]`, "22P02", `Token "1." is invalid.`},
		{`[1 x]`, "22P02", `Token "x" is invalid.`},
		{`[1 2]`, "22P02", `Expected "," or "]", but found "2".`},
		{`[1,]`, "22P02", `Expected JSON value, but found "]".`},
		{`[}`, "22P02", `Expected array element or "]", but found "}".`},
		{`{"a":1,}`, "22P02", `Expected string, but found "}".`},
		{`{1:1}`, "22P02", `Expected string or "}", but found "1".`},
		{`{"a" 1}`, "22P02", `Expected ":", but found "1".`},
		{`{"a":1 "b"}`, "22P02", `Expected "," or "}", but found ""b"".`},
		{`[1] 2`, "22P02", `Expected end of input, but found "2".`},
		{`"abc`, "22P02", `Token ""abc" is invalid.`},
		{"[\"a\tb\"]", "22P02", "Character with value 0x09 must be escaped."},
		{`["\q"]`, "22P02", `Escape sequence "\q" is invalid.`},
		{`["\u12"]`, "22P02", `"\u" must be followed by four hexadecimal digits.`},
		{`["\ud800"]`, "22P02", "Unicode low surrogate must follow a high surrogate."},
		{`["\udc00"]`, "22P02", "Unicode low surrogate must follow a high surrogate."},
		{`["\ud800\ud800"]`, "22P02", "Unicode high surrogate must not follow a high surrogate."},
		{`["\ud800\u0041"]`, "22P02", "Unicode low surrogate must follow a high surrogate."},
		{`["\ud800x"]`, "22P02", "Unicode low surrogate must follow a high surrogate."},
		{`["\u0000"]`, "22P05", `\u0000 cannot be converted to text.`},
		{`[1e1000000]`, "22003", ""},
		{strings.Repeat("[", maxDepth+1) + strings.Repeat("]", maxDepth+1), "54001", ""},
	}
	check := func(t *testing.T, fn string, err error, in, code, detail string) {
		t.Helper()
		e, ok := err.(*sqlerr.Error)
		if !ok {
			t.Errorf("%s(%.40q): error %v, want SQLSTATE %s", fn, in, err, code)
			return
		}
		if e.Code != code || detail != "" && e.Detail != detail {
			t.Errorf("%s(%.40q): %s %q, want %s %q", fn, in, e.Code, e.Detail, code, detail)
		}
	}
	for _, c := range cases {
		_, err := Parse(c.in)
		check(t, "Parse", err, c.in, c.code, c.detail)
	}
	eachParser(t, func(t *testing.T) {
		for _, c := range cases {
			if c.code != "22P02" || strings.Contains(c.detail, "surrogate") {
				continue
			}
			check(t, "CheckJSON", CheckJSON(c.in), c.in, c.code, c.detail)
		}
	})
}

// TestCheckJSON: json input checks the syntax only, as PostgreSQL's does,
// so unpaired surrogates and \u0000 pass.
func TestCheckJSON(t *testing.T) {
	eachParser(t, func(t *testing.T) {
		for _, ok := range []string{`"\ud800"`, `["\u0000"]`, ` {"a" : [1, 2.50e0], "a": null} `, `1e1000000`} {
			if err := CheckJSON(ok); err != nil {
				t.Errorf("CheckJSON(%q): %v", ok, err)
			}
		}
		for _, bad := range []string{`{"a":}`, `["\u00zz"]`, `[1,2`, "[\"\n\"]"} {
			if CheckJSON(bad) == nil {
				t.Errorf("CheckJSON(%q) accepted it", bad)
			}
		}
	})
}

// TestParseJSONKeepsText: json's tree keeps each value's source text and
// every key, as json's operators need.
func TestParseJSONKeepsText(t *testing.T) {
	v, err := ParseJSON(` {"b" : [1,  2.50e0], "a": "x\u0041", "b": 3} `)
	if err != nil {
		t.Fatal(err)
	}
	if len(v.Keys) != 3 || v.Vals[0].Raw != `[1,  2.50e0]` || v.Vals[0].Elems[1].Str != "2.50e0" {
		t.Fatalf("tree %+v", v)
	}
	if f, _ := v.Field("b"); f.Text() != "3" {
		t.Errorf("the last duplicate wins: %q", f.Text())
	}
	if f, _ := v.Field("a"); f.Str != "xA" || f.Text() != `"x\u0041"` {
		t.Errorf("string: %q, text %q", f.Str, f.Text())
	}
}

// TestSIMDMatchesNative validates random documents, and broken copies of
// them, both ways: the verdicts and errors must be the same.
func TestSIMDMatchesNative(t *testing.T) {
	if !simdjson.SupportedCPU() {
		t.Skip("simdjson needs AVX2 and CLMUL")
	}
	saved, savedMin := useSIMD, simdMin
	defer func() { useSIMD, simdMin = saved, savedMin }()
	simdMin = 0
	rng := rand.New(rand.NewSource(1))
	for i := range 400 {
		doc := randomDoc(rng, 0)
		inputs := []string{doc, doc[:rng.Intn(len(doc)+1)]}
		if len(doc) > 2 {
			j := rng.Intn(len(doc))
			const junk = "{}[],:\"x1-. "
			inputs = append(inputs, doc[:j]+string(junk[rng.Intn(len(junk))])+doc[j+1:])
		}
		for _, in := range inputs {
			useSIMD = false
			werr := CheckJSON(in)
			useSIMD = true
			gerr := CheckJSON(in)
			if (werr == nil) != (gerr == nil) || werr != nil && werr.Error() != gerr.Error() {
				t.Fatalf("doc %d %q:\n native %v\n simd   %v", i, in, werr, gerr)
			}
		}
	}
}

func randomDoc(rng *rand.Rand, depth int) string {
	switch k := rng.Intn(10); {
	case depth == 0 || k < 2 && depth < 5:
		n := rng.Intn(6)
		parts := make([]string, n)
		for i := range parts {
			parts[i] = fmt.Sprintf("%q:%s", []string{"a", "b", "aa", "", "a b", "é"}[rng.Intn(6)], randomDoc(rng, depth+1))
		}
		return "{" + strings.Join(parts, ", ") + "}"
	case k < 4 && depth < 5:
		n := rng.Intn(6)
		parts := make([]string, n)
		for i := range parts {
			parts[i] = randomDoc(rng, depth+1)
		}
		return "[ " + strings.Join(parts, ",") + "]"
	case k < 5:
		return []string{`"x"`, `""`, `"a\"b\\c\n"`, `"日本"`}[rng.Intn(4)]
	case k < 8:
		return []string{"0", "-0", "1.50", "1e2", "-1.5E-3", "123456789012345678901234567890", "9223372036854775808", "42"}[rng.Intn(8)]
	}
	return []string{"true", "false", "null"}[rng.Intn(3)]
}

func TestCompare(t *testing.T) {
	// PostgreSQL 15's ORDER BY of these jsonb values
	order := []string{`[]`, `null`, `"a"`, `1`, `1.0`, `2`, `false`, `true`, `["a"]`, `[1]`, `[[1]]`, `[1, 2]`,
		`{}`, `{"a": 1}`, `{"aa": 1}`, `{"b": 1}`}
	docs := make([]Value, len(order))
	for i, s := range order {
		var err error
		if docs[i], err = Parse(s); err != nil {
			t.Fatal(err)
		}
	}
	for i := range docs {
		for j := range docs {
			want := cmpInt(i, j)
			if order[i] == "1" && order[j] == "1.0" || order[i] == "1.0" && order[j] == "1" {
				want = 0
			}
			if got := Compare(docs[i], docs[j]); got != want {
				t.Errorf("Compare(%s, %s) = %d, want %d", order[i], order[j], got, want)
			}
			if (string(AppendKey(nil, docs[i])) == string(AppendKey(nil, docs[j]))) != (want == 0) {
				t.Errorf("AppendKey of %s and %s disagrees with Compare", order[i], order[j])
			}
		}
	}
}

func TestContains(t *testing.T) {
	cases := []struct {
		a, b string
		want bool
	}{
		{`["a", {"b":1}]`, `["a"]`, true},
		{`[1,2]`, `1`, true},
		{`1`, `[1]`, false},
		{`{"a":{"b":1,"c":2}}`, `{"a":{"b":1}}`, true},
		{`[1,[2,3]]`, `[[2]]`, true},
		{`[1,2,[1,3]]`, `[1,3]`, false},
		{`{"a":1}`, `{"a":1.00}`, true},
		{`{}`, `[]`, false},
		{`[1,"1"]`, `"1"`, true},
		{`{"a":[1,2,3]}`, `{"a":[3,1]}`, true},
		{`{"a":[1]}`, `{"a":1}`, false},
	}
	for _, c := range cases {
		a, _ := Parse(c.a)
		b, _ := Parse(c.b)
		if got := Contains(a, b); got != c.want {
			t.Errorf("%s @> %s = %v, want %v", c.a, c.b, got, c.want)
		}
	}
}

func TestPretty(t *testing.T) {
	v, _ := Parse(`{"a":[1,{"b":null}],"c":{},"d":[]}`)
	want := "{\n    \"a\": [\n        1,\n        {\n            \"b\": null\n        }\n    ],\n    \"c\": {\n    },\n    \"d\": [\n    ]\n}"
	if got := v.Pretty(); got != want {
		t.Errorf("Pretty:\n%s\nwant\n%s", got, want)
	}
}

// BenchmarkParse compares reading a jsonb tree with validating json input,
// natively and with simdjson, on documents of about 16 KB, 64 KB and 400 KB.
func BenchmarkParse(b *testing.B) {
	saved, savedMin := useSIMD, simdMin
	defer func() { useSIMD, simdMin = saved, savedMin }()
	simdMin = 0
	for _, n := range []int{200, 800, 5000} {
		doc := "[" + strings.Repeat(`{"id": 12345, "name": "a name", "price": 12.50, "tags": ["x", "y"], "ok": true}, `, n) + "null]"
		run := func(name string, simd bool, fn func(string) error) {
			b.Run(fmt.Sprintf("size=%dKB/%s", len(doc)>>10, name), func(b *testing.B) {
				useSIMD = simd
				b.SetBytes(int64(len(doc)))
				b.ReportAllocs()
				for b.Loop() {
					if err := fn(doc); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
		run("jsonb", false, func(s string) error { _, err := Parse(s); return err })
		run("json", false, CheckJSON)
		if simdjson.SupportedCPU() {
			run("json-simd", true, CheckJSON)
		}
	}
}
