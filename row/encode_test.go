package row

import (
	"bytes"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/cockroachdb/apd/v3"

	"rustydb/types"
)

func mustDecimal(t testing.TB, s string) types.Value {
	t.Helper()
	d, _, err := apd.NewFromString(s)
	if err != nil {
		t.Fatalf("apd.NewFromString(%q): %v", s, err)
	}
	return types.NewDecimal(d)
}

// sameValue reports whether a and b are the same stored value: same kind and
// same payload (float bits, decimal text including its scale).
func sameValue(a, b types.Value) bool {
	if a.K != b.K {
		return false
	}
	switch a.K {
	case types.KNull:
		return true
	case types.KBool, types.KInt, types.KDate, types.KTimestamp, types.KTimestampTZ, types.KTime:
		return a.I == b.I
	case types.KFloat:
		return math.Float64bits(a.F) == math.Float64bits(b.F)
	case types.KDecimal:
		// The plain text keeps sign, digits and scale ("12.340" != "12.34").
		return a.D.Text('f') == b.D.Text('f')
	case types.KText, types.KUUID, types.KBytes, types.KJSON, types.KJSONB:
		return a.S == b.S
	}
	return false
}

func describe(v types.Value) string {
	switch v.K {
	case types.KNull:
		return "NULL"
	case types.KFloat:
		return "float(" + types.Format(v) + ")"
	case types.KDecimal:
		return "numeric(" + v.D.Text('f') + ")"
	case types.KText:
		return "text(" + v.S + ")"
	}
	return types.Format(v)
}

func sameRow(a, b []types.Value) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !sameValue(a[i], b[i]) {
			return false
		}
	}
	return true
}

func rowString(vals []types.Value) string {
	parts := make([]string, len(vals))
	for i, v := range vals {
		parts[i] = describe(v)
	}
	return "(" + strings.Join(parts, ", ") + ")"
}

// sampleValues returns one value of every kind and the edge cases of each.
func sampleValues(t testing.TB) []types.Value {
	return []types.Value{
		types.Null,
		types.NewBool(false),
		types.NewBool(true),
		types.NewInt(0),
		types.NewInt(1),
		types.NewInt(-1),
		types.NewInt(63),
		types.NewInt(-64),
		types.NewInt(math.MaxInt64),
		types.NewInt(math.MinInt64),
		types.NewInt(math.MaxInt32),
		types.NewInt(math.MinInt32),
		types.NewFloat(0),
		types.NewFloat(math.Copysign(0, -1)),
		types.NewFloat(1.5),
		types.NewFloat(-2.25e-300),
		types.NewFloat(math.MaxFloat64),
		types.NewFloat(math.SmallestNonzeroFloat64),
		types.NewFloat(math.Inf(1)),
		types.NewFloat(math.Inf(-1)),
		types.NewFloat(math.NaN()),
		mustDecimal(t, "0"),
		mustDecimal(t, "12.340"),
		mustDecimal(t, "-12.340"),
		mustDecimal(t, "-0.001"),
		mustDecimal(t, "0.000"),
		mustDecimal(t, "100"),
		mustDecimal(t, "123456789012345678901234567890.123456789012345678901234567890"),
		mustDecimal(t, "-99999999999999999999999999999999999999"),
		mustDecimal(t, "1E+5"),
		mustDecimal(t, "NaN"),
		mustDecimal(t, "Infinity"),
		mustDecimal(t, "-Infinity"),
		types.NewText(""),
		types.NewText("hello"),
		types.NewText("héllo wörld — 日本語 🚀"),
		types.NewText("embedded\x00nul and \xff byte"),
		types.NewText(strings.Repeat("x", 300)), // length needs a 2-byte uvarint
		types.NewDate(0),
		types.NewDate(-1),
		types.NewDate(-719528), // 0001-01-01 BC
		types.NewDate(2932896), // 9999-12-31
		types.NewTimestamp(0),
		types.NewTimestamp(-1),
		types.NewTimestamp(-62135596800000000), // 0001-01-01 00:00:00
		types.NewTimestamp(1700000000123456),
		types.NewTimestamp(math.MinInt64),
		types.NewTimestamp(math.MaxInt64),
		types.NewUUID([16]byte{}),
		types.NewUUID([16]byte{0xa0, 0xee, 0xbc, 0x99, 0x9c, 0x0b, 0x4e, 0xf8, 0xbb, 0x6d, 0x6b, 0xb9, 0xbd, 0x38, 0x0a, 0x11}),
		types.NewBytea(nil),
		types.NewBytea([]byte{0, 0xff, '\\', 'x'}),
		types.NewBytea(bytes.Repeat([]byte{0x80}, 300)),
		types.NewTimestampTZ(0),
		types.NewTimestampTZ(-1),
		types.NewTimestampTZ(1700000000123456),
		types.NewTimestampTZ(math.MinInt64),
		types.NewTimestampTZ(math.MaxInt64),
		types.NewTime(0),
		types.NewTime(86400_000_000), // 24:00:00
		types.NewTime(49506_123_000), // 13:45:06.123
		{K: types.KJSON, S: `{"b" : 1, "a": [1.50]}`},
		{K: types.KJSONB, S: `{"a": [1.50], "bb": null}`},
		{K: types.KJSONB, S: "[" + strings.Repeat("1, ", 150) + "1]"}, // length needs a 2-byte uvarint
	}
}

func TestRowRoundTripEachValue(t *testing.T) {
	for _, v := range sampleValues(t) {
		row := []types.Value{v}
		buf := AppendRow(nil, row)
		got, rest, err := DecodeRow(buf)
		if err != nil {
			t.Errorf("DecodeRow(AppendRow(%s)) = error %v (encoding %x)", describe(v), err, buf)
			continue
		}
		if len(rest) != 0 {
			t.Errorf("DecodeRow(AppendRow(%s)) left %d bytes unread", describe(v), len(rest))
		}
		if !sameRow(got, row) {
			t.Errorf("round trip of %s gave %s (encoding %x)", describe(v), rowString(got), buf)
		}
	}
}

func TestRowRoundTripWholeRow(t *testing.T) {
	row := sampleValues(t)
	prefix := []byte("prefix")
	buf := AppendRow(append([]byte(nil), prefix...), row)
	if !bytes.HasPrefix(buf, prefix) {
		t.Fatalf("AppendRow clobbered the bytes it appends to: %q", buf[:len(prefix)])
	}
	// Two rows back to back, then trailing bytes: DecodeRow returns the rest.
	buf = AppendRow(buf, []types.Value{types.NewInt(7)})
	buf = append(buf, "tail"...)
	got, rest, err := DecodeRow(buf[len(prefix):])
	if err != nil {
		t.Fatalf("DecodeRow: %v", err)
	}
	if !sameRow(got, row) {
		t.Fatalf("round trip mismatch:\n got  %s\n want %s", rowString(got), rowString(row))
	}
	got2, rest, err := DecodeRow(rest)
	if err != nil {
		t.Fatalf("DecodeRow of the second row: %v", err)
	}
	if !sameRow(got2, []types.Value{types.NewInt(7)}) {
		t.Fatalf("second row = %s, want (7)", rowString(got2))
	}
	if string(rest) != "tail" {
		t.Fatalf("rest after two rows = %q, want %q", rest, "tail")
	}
}

// TestDecodeColumns decodes every kind of value with each column wanted
// alone, none and all: the wanted ones round trip, the others stay NULL, and
// the rest after the row is the same as a whole decode's.
func TestDecodeColumns(t *testing.T) {
	row := sampleValues(t)
	buf := append(AppendRow(nil, row), "tail"...)
	wants := [][]bool{make([]bool, len(row)), slices.Repeat([]bool{true}, len(row))}
	for i := range row {
		w := make([]bool, len(row)+1) // longer than the row: extra entries are ignored
		w[i] = true
		wants = append(wants, w)
	}
	for _, want := range wants {
		got, rest, err := decodeColumns(buf, nil, want)
		if err != nil {
			t.Fatalf("decodeColumns(%v): %v", want, err)
		}
		if string(rest) != "tail" {
			t.Fatalf("decodeColumns(%v) left %q, want %q", want, rest, "tail")
		}
		for i, v := range got {
			if w := want[i]; w && !sameRow([]types.Value{v}, row[i:i+1]) || !w && !v.IsNull() {
				t.Fatalf("decodeColumns(%v): column %d = %s, want %s (wanted %v)", want, i, rowString(got[i:i+1]), rowString(row[i:i+1]), w)
			}
		}
	}
}

func TestRowRoundTripEmptyRow(t *testing.T) {
	buf := AppendRow(nil, nil)
	if !bytes.Equal(buf, []byte{0}) {
		t.Fatalf("AppendRow(nil) = %x, want 00", buf)
	}
	got, rest, err := DecodeRow(buf)
	if err != nil || len(got) != 0 || len(rest) != 0 {
		t.Fatalf("DecodeRow(00) = %v, %x, %v; want empty row, no rest, no error", got, rest, err)
	}
}

// TestRowEncodingFormat pins the documented on-disk encoding.
func TestRowEncodingFormat(t *testing.T) {
	cases := []struct {
		v    types.Value
		want []byte
	}{
		{types.Null, []byte{1, 0}},
		{types.NewBool(false), []byte{1, 1}},
		{types.NewBool(true), []byte{1, 2}},
		{types.NewInt(-1), []byte{1, 3, 1}},                                                               // zig-zag
		{types.NewInt(1), []byte{1, 3, 2}},                                                                // zig-zag
		{types.NewFloat(1), []byte{1, 4, 0, 0, 0, 0, 0, 0, 0xf0, 0x3f}},                                   // IEEE 754 LE
		{mustDecimal(t, "-1.50"), []byte{1, 11, 3, 0xab, 0x02}},                                           // exponent -2, coefficient -150 (zig-zag)
		{mustDecimal(t, "12345678901234567890.5"), append([]byte{1, 5, 22}, "12345678901234567890.5"...)}, // too big for int64: text
		{types.NewText("hé"), []byte{1, 6, 3, 'h', 0xc3, 0xa9}},
		{types.NewDate(-2), []byte{1, 7, 3}},
		{types.NewTimestamp(2), []byte{1, 8, 4}},
		{types.NewUUID([16]byte{0: 0xa0, 15: 0x11}), []byte{1, 13, 0xa0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x11}}, // 16 raw bytes
		{types.NewBytea([]byte{1, 0xff}), []byte{1, 14, 2, 1, 0xff}},                                                      // length, bytes
		{types.NewTimestampTZ(-3), []byte{1, 15, 5}},                                                                      // zig-zag, UTC
		{types.NewTime(3600_000_000), []byte{1, 16, 0x80, 0x90, 0x9d, 0xe9, 0x1a}},                                        // zig-zag 2*3.6e9
		{types.Value{K: types.KJSON, S: "[1 ]"}, []byte{1, 17, 4, '[', '1', ' ', ']'}},                                    // the text as input
		{types.Value{K: types.KJSONB, S: `{"a": 1}`}, append([]byte{1, 18, 8}, `{"a": 1}`...)},                            // canonical text
	}
	for _, c := range cases {
		if got := AppendRow(nil, []types.Value{c.v}); !bytes.Equal(got, c.want) {
			t.Errorf("AppendRow(%s) = % x, want % x", describe(c.v), got, c.want)
		}
	}
}

func TestDecodeRowTruncated(t *testing.T) {
	rows := [][]types.Value{sampleValues(t)}
	for _, v := range sampleValues(t) {
		rows = append(rows, []types.Value{v}, []types.Value{types.NewInt(5), v})
	}
	for _, row := range rows {
		buf := AppendRow(nil, row)
		for i := 0; i < len(buf); i++ {
			func() {
				defer func() {
					if r := recover(); r != nil {
						t.Fatalf("DecodeRow panicked on %s truncated to %d of %d bytes: %v", rowString(row), i, len(buf), r)
					}
				}()
				// Copy so that reading past the end cannot hit the original bytes.
				got, _, err := DecodeRow(bytes.Clone(buf[:i]))
				if err == nil {
					t.Fatalf("DecodeRow of %s truncated to %d of %d bytes returned %s and no error", rowString(row), i, len(buf), rowString(got))
				}
			}()
		}
	}
}

func TestDecodeRowCorrupt(t *testing.T) {
	cases := map[string][]byte{
		"empty":                 {},
		"unknown kind":          {1, 9},
		"kind 0xff":             {1, 0xff},
		"huge column count":     {0xff, 0xff, 0xff, 0xff, 0x0f},
		"count beyond input":    {3, 0, 0},
		"overlong uvarint":      {0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01},
		"text length too long":  {1, 6, 5, 'a'},
		"text length huge":      {1, 6, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01},
		"bad decimal":           {1, 5, 3, 'a', 'b', 'c'},
		"empty decimal":         {1, 5, 0},
		"short float":           {1, 4, 0, 0, 0},
		"overlong varint":       {1, 3, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01},
		"missing int payload":   {1, 3},
		"missing date payload":  {1, 7},
		"missing ts payload":    {1, 8},
		"second value missing":  {2, 0},
		"decimal length beyond": {1, 5, 0x81, 0x01, '1'},
		"short uuid":            {1, 13, 1, 2, 3},
		"bytea length beyond":   {1, 14, 3, 1},
		"missing tstz payload":  {1, 15},
		"missing time payload":  {1, 16},
	}
	for name, buf := range cases {
		got, _, err := DecodeRow(buf)
		if err == nil {
			t.Errorf("%s: DecodeRow(% x) = %s, want an error", name, buf, rowString(got))
		}
	}
}

func FuzzDecodeRow(f *testing.F) {
	for _, v := range sampleValues(f) {
		f.Add(AppendRow(nil, []types.Value{v}))
	}
	f.Add(AppendRow(nil, sampleValues(f)))
	f.Add([]byte{})
	f.Add([]byte{1, 5, 3, '1', 'e', '9'})
	f.Add([]byte{2, 6, 0, 5, 1, '7'})
	f.Fuzz(func(t *testing.T, buf []byte) {
		vals, rest, err := DecodeRow(buf)
		if err != nil {
			if vals != nil || rest != nil {
				t.Fatalf("DecodeRow returned values or rest together with error %v", err)
			}
			return
		}
		if len(rest) > len(buf) {
			t.Fatalf("rest (%d bytes) longer than input (%d bytes)", len(rest), len(buf))
		}
		if len(rest) > 0 && &rest[len(rest)-1] != &buf[len(buf)-1] {
			t.Fatalf("rest is not a suffix of the input")
		}
		// Re-encoding what was decoded must decode to the same values; skip
		// decimals with huge exponents, whose plain text would be enormous.
		for _, v := range vals {
			if v.K == types.KDecimal && (v.D.Exponent > 1000 || v.D.Exponent < -1000) {
				return
			}
		}
		again, rest2, err := DecodeRow(AppendRow(nil, vals))
		if err != nil {
			t.Fatalf("re-encoded row %s does not decode: %v", rowString(vals), err)
		}
		if len(rest2) != 0 {
			t.Fatalf("re-encoded row %s left %d bytes", rowString(vals), len(rest2))
		}
		if len(again) != len(vals) {
			t.Fatalf("re-encoded row has %d values, want %d", len(again), len(vals))
		}
		for i := range vals {
			a, b := vals[i], again[i]
			if a.K != b.K {
				t.Fatalf("value %d changed kind on re-encoding: %s -> %s", i, describe(a), describe(b))
			}
			if a.K == types.KDecimal {
				if a.D.Cmp(b.D) != 0 && !(a.D.Form != apd.Finite && a.D.Form == b.D.Form) {
					t.Fatalf("value %d changed on re-encoding: %s -> %s", i, describe(a), describe(b))
				}
				continue
			}
			if !sameValue(a, b) {
				t.Fatalf("value %d changed on re-encoding: %s -> %s", i, describe(a), describe(b))
			}
		}
	})
}
