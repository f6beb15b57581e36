package column

import (
	"encoding/binary"
	"errors"
	"hash/crc32"
	"math/rand"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/array"

	"rustydb/types"
)

// fileTypes has a column of every physical kind and SQL type a segment
// stores, plus one it does not (interval).
var fileTypes = []types.T{types.TInt2, types.TInt4, types.TInt8, types.TDate, types.TBool, types.TTimestamp,
	types.TTimestampTZ, numeric(15, 2), types.TFloat8, types.TText, tVchar, tChar, types.TInterval}

// fileSegment builds a segment of n rows over fileTypes: nullEvery > 0 puts
// a NULL in every nullEvery-th row of each column, distinct > 0 limits the
// strings to that many values (a dictionary), sorted makes integer runs.
func fileSegment(rnd *rand.Rand, n, nullEvery, distinct int, sorted bool) *Segment {
	b := NewBuilder(table(fileTypes...), n)
	for i := range n {
		row := make([]types.Value, len(fileTypes))
		k := int64(rnd.Intn(1000))
		if sorted {
			k = int64(i / 100)
		}
		str := strings.Repeat("x", rnd.Intn(20)) // includes the empty string
		if distinct > 0 {
			str = []string{"", "A", "F", "N", "R", "O"}[rnd.Intn(min(distinct, 6))]
		}
		row[0] = types.NewInt(k - 500)
		row[1] = types.NewInt(k * 1000)
		row[2] = types.NewInt(k<<40 + int64(rnd.Intn(3)))
		row[3] = types.NewDate(9000 + k)
		row[4] = types.NewBool(k%2 == 0)
		row[5] = FromInt64(types.TTimestamp, k*3600e6)
		row[6] = FromInt64(types.TTimestampTZ, -k*60e6)
		row[7] = FromInt64(numeric(15, 2), k*100+int64(rnd.Intn(100)))
		row[8] = types.NewFloat(float64(k) / 7)
		row[9], row[10], row[11] = types.NewText(str), types.NewText(str+"v"), types.NewText("c")
		for c := range row {
			if nullEvery > 0 && (i+c)%nullEvery == 0 {
				row[c] = types.Null
			}
		}
		b.Add(row)
	}
	return b.Finish()
}

// sameSegment fails unless got holds exactly what want does: the same
// kinds, types, zone maps, validity, encodings, buffers, Arrow arrays and
// row values.
func sameSegment(t *testing.T, got, want *Segment) {
	t.Helper()
	if got.Rows != want.Rows || len(got.Cols) != len(want.Cols) {
		t.Fatalf("decoded %d rows, %d columns; want %d, %d", got.Rows, len(got.Cols), want.Rows, len(want.Cols))
	}
	for i := range want.Cols {
		g, w := &got.Cols[i], &want.Cols[i]
		if g.Kind != w.Kind || g.Type != w.Type || g.Enc != w.Enc || g.Zone.Nulls != w.Zone.Nulls ||
			!sameValue(g.Zone.Min, w.Zone.Min) || !sameValue(g.Zone.Max, w.Zone.Max) {
			t.Fatalf("column %d: kind %v type %v enc %v zone %+v; want %v %v %v %+v", i, g.Kind, g.Type, g.Enc, g.Zone, w.Kind, w.Type, w.Enc, w.Zone)
		}
		if !slices.Equal(g.Valid, w.Valid) || (g.Valid == nil) != (w.Valid == nil) || !slices.Equal(g.I32, w.I32) ||
			!slices.Equal(g.I64, w.I64) || !slices.Equal(g.F64, w.F64) || !slices.Equal(g.Codes, w.Codes) ||
			(g.Codes == nil) != (w.Codes == nil) || !slices.Equal(g.Dict, w.Dict) ||
			!reflect.DeepEqual(g.Pack, w.Pack) || !reflect.DeepEqual(g.Runs, w.Runs) {
			t.Fatalf("column %d (%v, %v): buffers differ", i, w.Type, w.Enc)
		}
		if (g.Array == nil) != (w.Array == nil) || g.Array != nil && !array.Equal(g.Array, w.Array) {
			t.Fatalf("column %d: Arrow array %v, want %v", i, g.Array, w.Array)
		}
		if (g.Str == nil) != (w.Str == nil) {
			t.Fatalf("column %d: Str %v, want %v", i, g.Str, w.Str)
		}
		for r := range want.Rows {
			if w.Kind != Unsupported && !sameValue(g.Value(r), w.Value(r)) {
				t.Fatalf("column %d row %d: %v, want %v", i, r, g.Value(r), w.Value(r))
			}
		}
	}
}

// TestSegmentFileRoundTrip writes segments of every column type and
// encoding to files and reads them back unchanged.
func TestSegmentFileRoundTrip(t *testing.T) {
	rnd := rand.New(rand.NewSource(3))
	tests := []struct {
		name                string
		n, nullEvery, dist  int
		sorted              bool
		encode              func(*Segment)
		wantDict, wantPlain bool
	}{
		{name: "empty", n: 0, encode: (*Segment).Encode},
		{name: "plain", n: 1000, encode: func(*Segment) {}, wantPlain: true},
		{name: "plain with nulls", n: 1000, nullEvery: 7, encode: func(*Segment) {}, wantPlain: true},
		{name: "all null", n: 300, nullEvery: 1, encode: (*Segment).Encode},
		{name: "encoded", n: 5000, nullEvery: 11, encode: (*Segment).Encode},
		{name: "runs and dictionary", n: 5000, dist: 6, sorted: true, encode: (*Segment).Encode, wantDict: true},
		{name: "run-length everywhere", n: 3000, sorted: true, dist: 3, encode: forceAll(RunLength), wantDict: true},
		{name: "bit-packed", n: 3000, nullEvery: 5, encode: forceAll(BitPacked)},
		{name: "one row", n: 1, encode: (*Segment).Encode},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := fileSegment(rnd, tc.n, tc.nullEvery, tc.dist, tc.sorted)
			tc.encode(s)
			if tc.wantDict && s.Cols[9].Codes == nil || tc.wantPlain && s.Cols[1].Enc != Plain {
				t.Fatalf("test segment lacks the layout under test")
			}
			file := s.EncodeFile()
			got, err := DecodeSegment(file)
			if err != nil {
				t.Fatal(err)
			}
			sameSegment(t, got, s)
			// An unaligned copy decodes too (copied to aligned memory).
			odd := make([]byte, len(file)+1)[1:]
			copy(odd, file)
			got, err = DecodeSegment(odd)
			if err != nil {
				t.Fatal(err)
			}
			sameSegment(t, got, s)
		})
	}
}

// forceAll stores every integer column of a segment in encoding e where
// it can.
func forceAll(e Encoding) func(*Segment) {
	return func(s *Segment) {
		for i := range s.Cols {
			c := &s.Cols[i]
			if c.Kind == Int32 || c.Kind == Int64 && e == RunLength {
				c.encodeAs(e, c.ints())
			}
		}
	}
}

// TestSegmentFileDamage checks that a flipped byte anywhere, a truncated
// file, a wrong version or bad magic is an error naming the problem.
func TestSegmentFileDamage(t *testing.T) {
	s := fileSegment(rand.New(rand.NewSource(5)), 500, 9, 4, true)
	s.Encode()
	file := s.EncodeFile()
	damage := []struct {
		name string
		mod  func([]byte) []byte
		want string
	}{
		{"truncated", func(b []byte) []byte { return b[:len(b)/2] }, "checksum"},
		{"truncated to the header", func(b []byte) []byte { return b[:10] }, "shorter than a header"},
		{"empty", func(b []byte) []byte { return nil }, "shorter than a header"},
		{"version", func(b []byte) []byte { binary.LittleEndian.PutUint32(b[8:], 9); return b }, "format version 9"},
		{"magic", func(b []byte) []byte { b[0] = 'X'; return b }, "bad magic"},
		{"extra bytes", func(b []byte) []byte { return append(b, 0, 0, 0, 0) }, "checksum"},
	}
	for _, d := range damage {
		t.Run(d.name, func(t *testing.T) {
			_, err := DecodeSegment(d.mod(slices.Clone(file)))
			if !errors.Is(err, ErrSegmentFile) || !strings.Contains(err.Error(), d.want) {
				t.Fatalf("error %v, want one with %q", err, d.want)
			}
		})
	}
	for i := range file { // every single flipped byte is caught
		b := slices.Clone(file)
		b[i] ^= 0x10
		if _, err := DecodeSegment(b); !errors.Is(err, ErrSegmentFile) {
			t.Fatalf("flipped byte %d of %d: error %v", i, len(file), err)
		}
	}
}

// TestSegmentFileChecks rewrites the checksums of damaged files, as a
// writer with a bug would, so that the structural checks must catch the
// damage.
func TestSegmentFileChecks(t *testing.T) {
	s := fileSegment(rand.New(rand.NewSource(6)), 200, 0, 3, true)
	s.Encode()
	file := s.EncodeFile()
	first := segHeaderSize // the first column's block
	tests := []struct {
		name string
		at   int
		val  byte
		want string
	}{
		{"kind", first, byte(String), "does not store type"},
		{"encoding", first + 1, 7, "encoding 7"},
		{"flags", first + 2, 0x80, "flags"},
		{"nulls", first + 24, 250, "nulls in 200 rows"},
		{"block length", first + 28, 0xff, "block length"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := slices.Clone(file)
			b[tc.at] = tc.val
			resum(b)
			_, err := DecodeSegment(b)
			if !errors.Is(err, ErrSegmentFile) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want one with %q", err, tc.want)
			}
		})
	}
}

// resum recomputes the first block's and the file's checksums of b.
func resum(b []byte) {
	first := b[segHeaderSize:]
	if size := int(binary.LittleEndian.Uint32(first[28:])); size <= len(first) && size >= colHeaderSize+8 {
		binary.LittleEndian.PutUint32(first[size-8:], crc32Sum(first[:size-8]))
	}
	binary.LittleEndian.PutUint32(b[len(b)-4:], crc32Sum(b[:len(b)-4]))
}

// FuzzDecodeSegment feeds damaged segment files, their checksums made
// right, to the decoder: it must return an error or a segment whose every
// row reads without a panic.
func FuzzDecodeSegment(f *testing.F) {
	rnd := rand.New(rand.NewSource(8))
	for _, dist := range []int{0, 4} {
		s := fileSegment(rnd, 40, 6, dist, dist > 0)
		s.Encode()
		f.Add(s.EncodeFile(), uint16(30), byte(1))
	}
	f.Fuzz(func(t *testing.T, file []byte, at uint16, x byte) {
		if len(file) < segHeaderSize+4 {
			return
		}
		file[int(at)%len(file)] ^= x
		for i := segHeaderSize; i+colHeaderSize+8 <= len(file)-4; { // make every block's checksum right
			size := int(binary.LittleEndian.Uint32(file[i+28:]))
			if size < colHeaderSize+8 || i+size > len(file)-4 {
				break
			}
			binary.LittleEndian.PutUint32(file[i+size-8:], crc32Sum(file[i:i+size-8]))
			i += size
		}
		binary.LittleEndian.PutUint32(file[len(file)-4:], crc32Sum(file[:len(file)-4]))
		s, err := DecodeSegment(file)
		if err != nil || s.Rows > 1<<16 {
			return // a few runs or unsupported columns can claim any row count
		}
		for i := range s.Cols {
			c := &s.Cols[i]
			if c.Kind == Unsupported {
				continue // no buffers: any row count is valid
			}
			for r := range s.Rows {
				c.Value(r)
			}
			if c.Kind == Int32 || c.Kind == Int64 {
				dst := make([]int64, s.Rows)
				c.Decode(0, s.Rows, dst)
			}
		}
	})
}

func crc32Sum(b []byte) uint32 { return crc32.Checksum(b, castagnoli) }
