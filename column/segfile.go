package column

// Segment files: the on-disk form of a Segment, written by the row store's
// checkpoint (see package row) and read back at start instead of copying
// the rows from the heap again. The buffers are stored as a Segment holds
// them in memory (encoded integers stay encoded, strings keep their
// dictionaries), each at an 8-byte aligned offset, so that DecodeSegment
// views them in the file's bytes without copying.
//
// # Segment file (little-endian; part of the on-disk format)
//
//	header, 24 bytes:
//	0   8  magic "RDBCSEG\n"
//	8   4  u32 format version (SegmentFileVersion)
//	12  4  u32 row count n
//	16  4  u32 column count
//	20  4  reserved, 0
//
//	then per column a block, starting at an 8-byte aligned offset:
//	0   1  kind (Kind: 0 unsupported, 1 Int32, 2 Int64, 3 Float64, 4 String)
//	1   1  encoding (Encoding: 0 plain, 1 bit-packed, 2 run-length)
//	2   1  flags: 1 validity bitmap present, 2 dictionary (String), 4 zone
//	       has a minimum and maximum (not every row is NULL)
//	3   1  reserved, 0
//	4   4  u32 SQL type id (types.ID)
//	8   4  i32 width (varchar(n), char(n))
//	12  4  i32 numeric precision
//	16  4  i32 numeric scale
//	20  4  u32 array element type id
//	24  4  u32 null count (the zone map's)
//	28  4  u32 block length, from offset 0 through the CRC, a multiple of 8
//	32  .. zone minimum, then maximum (flag 4): Int32 and Int64 columns the
//	       value's int64 form (ToInt64), Float64 the IEEE 754 bits, String a
//	       buffer (below)
//	..  .. buffers, each a u64 byte length, the bytes, zeros up to a
//	       multiple of 8:
//	         validity bitmap (flag 1): (n+7)/8 bytes, bit i set: row i not NULL
//	         Int32 plain:   n int32 values
//	         Int64 plain:   n int64 values
//	         bit-packed:    u64 base, u64 width, then the packed bytes
//	                        (Packed.Bytes, 8 spare bytes included)
//	         run-length:    run values (int64), run ends (int32)
//	         Float64:       n float64 values
//	         String plain:  n+1 int32 offsets, then the bytes of the values
//	         dictionary:    n uint16 codes, the dictionary's count+1 int32
//	                        offsets, then the bytes of its values
//	last 8 u32 CRC-32C (Castagnoli) of the block's bytes before it, 4 zero bytes
//
//	trailer, 4 bytes: u32 CRC-32C of every byte of the file before it.
//
// A NULL slot holds zero (an Int32, Int64 or Float64 value, a code, an empty
// string), as in memory. DecodeSegment checks the file's checksum, each
// block's, and that every length, offset, code and run fits the row count,
// so that a damaged or truncated file is an error, never wrong rows or a
// panic.

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"math"
	"math/bits"
	"unsafe"

	"rustydb/types"
)

// Format constants of segment files.
const (
	segMagic = "RDBCSEG\n"
	// SegmentFileVersion is the segment file format this server writes and
	// reads.
	SegmentFileVersion = 1

	segHeaderSize = 24
	colHeaderSize = 32

	flagValid = 1
	flagDict  = 2
	flagZone  = 4
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// EncodeFile returns the segment file of s.
func (s *Segment) EncodeFile() []byte {
	b := make([]byte, segHeaderSize, segHeaderSize+s.Bytes()+int64(len(s.Cols))*64+4)
	copy(b, segMagic)
	binary.LittleEndian.PutUint32(b[8:], SegmentFileVersion)
	binary.LittleEndian.PutUint32(b[12:], uint32(s.Rows))
	binary.LittleEndian.PutUint32(b[16:], uint32(len(s.Cols)))
	for i := range s.Cols {
		b = s.Cols[i].appendBlock(b)
	}
	return binary.LittleEndian.AppendUint32(b, crc32.Checksum(b, castagnoli))
}

func (c *Column) appendBlock(b []byte) []byte {
	start := len(b)
	var flags byte
	if c.Valid != nil {
		flags |= flagValid
	}
	if c.Codes != nil {
		flags |= flagDict
	}
	if !c.Zone.Min.IsNull() {
		flags |= flagZone
	}
	b = append(b, byte(c.Kind), byte(c.Enc), flags, 0)
	for _, x := range []uint32{uint32(c.Type.ID), uint32(c.Type.Width), uint32(c.Type.Precision), uint32(c.Type.Scale), uint32(c.Type.Elem), uint32(c.Zone.Nulls), 0} {
		b = binary.LittleEndian.AppendUint32(b, x)
	}
	if flags&flagZone != 0 {
		for _, v := range []types.Value{c.Zone.Min, c.Zone.Max} {
			switch c.Kind {
			case Int32, Int64:
				b = binary.LittleEndian.AppendUint64(b, uint64(ToInt64(c.Type, v)))
			case Float64:
				b = binary.LittleEndian.AppendUint64(b, math.Float64bits(v.F))
			case String:
				b = appendBuf(b, []byte(v.S))
			}
		}
	}
	if c.Valid != nil {
		b = appendBuf(b, c.Valid)
	}
	switch {
	case c.Enc == BitPacked:
		b = binary.LittleEndian.AppendUint64(b, uint64(c.Pack.Base))
		b = binary.LittleEndian.AppendUint64(b, uint64(c.Pack.Width))
		b = appendBuf(b, c.Pack.Bytes)
	case c.Enc == RunLength:
		b = appendBuf(appendBuf(b, bytesOf(c.Runs.Values)), bytesOf(c.Runs.Ends))
	case c.Kind == Int32:
		b = appendBuf(b, bytesOf(c.I32))
	case c.Kind == Int64:
		b = appendBuf(b, bytesOf(c.I64))
	case c.Kind == Float64:
		b = appendBuf(b, bytesOf(c.F64))
	case c.Kind == String && c.Codes != nil:
		b = appendBuf(b, bytesOf(c.Codes))
		offsets := make([]int32, len(c.Dict)+1)
		var data []byte
		for i, s := range c.Dict {
			data = append(data, s...)
			offsets[i+1] = int32(len(data))
		}
		b = appendBuf(appendBuf(b, bytesOf(offsets)), data)
	case c.Kind == String:
		b = appendBuf(appendBuf(b, bytesOf(c.Str.ValueOffsets())), c.Str.ValueBytes())
	}
	binary.LittleEndian.PutUint32(b[start+28:], uint32(len(b)+8-start))
	b = binary.LittleEndian.AppendUint32(b, crc32.Checksum(b[start:], castagnoli))
	return append(b, 0, 0, 0, 0)
}

// appendBuf appends a buffer: its length, its bytes, zeros to a multiple of 8.
func appendBuf(b, data []byte) []byte {
	b = binary.LittleEndian.AppendUint64(b, uint64(len(data)))
	b = append(b, data...)
	return append(b, make([]byte, pad8(len(data)))...)
}

func pad8(n int) int { return -n & 7 }

// ErrSegmentFile is wrapped by every error DecodeSegment returns.
var ErrSegmentFile = errors.New("invalid segment file")

// DecodeSegment reads a segment file. The segment's buffers are views of
// data, which must not be modified afterwards.
func DecodeSegment(data []byte) (*Segment, error) {
	if len(data) < segHeaderSize+4 {
		return nil, fmt.Errorf("%w: %d bytes, shorter than a header (truncated?)", ErrSegmentFile, len(data))
	}
	if string(data[:8]) != segMagic {
		return nil, fmt.Errorf("%w: bad magic", ErrSegmentFile)
	}
	if v := binary.LittleEndian.Uint32(data[8:]); v != SegmentFileVersion {
		return nil, fmt.Errorf("%w: format version %d, this server reads %d", ErrSegmentFile, v, SegmentFileVersion)
	}
	body := data[:len(data)-4]
	if crc32.Checksum(body, castagnoli) != binary.LittleEndian.Uint32(data[len(body):]) {
		return nil, fmt.Errorf("%w: file checksum mismatch (damaged or truncated)", ErrSegmentFile)
	}
	if uintptr(unsafe.Pointer(unsafe.SliceData(body)))%8 != 0 { // views need aligned buffers
		aligned := unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(make([]uint64, (len(body)+7)/8)))), len(body))
		copy(aligned, body)
		body = aligned
	}
	rows := binary.LittleEndian.Uint32(body[12:])
	ncols := binary.LittleEndian.Uint32(body[16:])
	if rows > math.MaxInt32 || uint64(ncols)*colHeaderSize > uint64(len(body)) {
		return nil, fmt.Errorf("%w: %d rows, %d columns in %d bytes", ErrSegmentFile, rows, ncols, len(data))
	}
	s := &Segment{Rows: int(rows), Cols: make([]Column, ncols)}
	at := segHeaderSize
	for i := range s.Cols {
		n, err := s.Cols[i].decodeBlock(body[at:], s.Rows)
		if err != nil {
			return nil, fmt.Errorf("%w: column %d: %v", ErrSegmentFile, i+1, err)
		}
		at += n
	}
	if at != len(body) {
		return nil, fmt.Errorf("%w: %d bytes after the last column", ErrSegmentFile, len(body)-at)
	}
	return s, nil
}

// blockReader reads the fields of a column block, remembering the first
// error: reads past the end return zeros.
type blockReader struct {
	b   []byte
	at  int
	err error
}

func (r *blockReader) u64() uint64 {
	if r.err != nil || len(r.b)-r.at < 8 {
		r.fail("block ends early")
		return 0
	}
	x := binary.LittleEndian.Uint64(r.b[r.at:])
	r.at += 8
	return x
}

// buf reads a buffer of want bytes (-1: any length).
func (r *blockReader) buf(what string, want int) []byte {
	n := r.u64()
	if r.err != nil {
		return nil
	}
	if n > uint64(len(r.b)-r.at) || want >= 0 && n != uint64(want) {
		r.fail(fmt.Sprintf("%s buffer of %d bytes, want %d", what, n, want))
		return nil
	}
	b := r.b[r.at : r.at+int(n) : r.at+int(n)]
	r.at += int(n) + pad8(int(n))
	if r.at > len(r.b) {
		r.fail("block ends early")
	}
	return b
}

func (r *blockReader) fail(why string) {
	if r.err == nil {
		r.err = errors.New(why)
	}
}

// view returns b as a slice of T; b holds a whole number of them and is
// aligned (DecodeSegment aligns the file, appendBuf each buffer).
func view[T any](b []byte) []T {
	var zero T
	if len(b) == 0 {
		return []T{}
	}
	return unsafe.Slice((*T)(unsafe.Pointer(unsafe.SliceData(b))), len(b)/int(unsafe.Sizeof(zero)))
}

// decodeBlock reads a column block of a segment of n rows from the start
// of b and returns its length.
func (c *Column) decodeBlock(b []byte, n int) (int, error) {
	if len(b) < colHeaderSize+8 {
		return 0, errors.New("block ends early")
	}
	size := int(binary.LittleEndian.Uint32(b[28:]))
	if size < colHeaderSize+8 || size > len(b) || size%8 != 0 {
		return 0, fmt.Errorf("block length %d", size)
	}
	if crc32.Checksum(b[:size-8], castagnoli) != binary.LittleEndian.Uint32(b[size-8:]) {
		return 0, errors.New("block checksum mismatch")
	}
	kind, enc, flags := Kind(b[0]), Encoding(b[1]), b[2]
	u32 := func(off int) uint32 { return binary.LittleEndian.Uint32(b[off:]) }
	c.Kind, c.Enc = kind, enc
	c.Type = types.T{ID: types.ID(u32(4)), Width: int32(u32(8)), Precision: int32(u32(12)), Scale: int32(u32(16)), Elem: types.ID(u32(20))}
	if u32(4) > math.MaxUint8 || u32(20) > math.MaxUint8 || KindOf(c.Type) != kind {
		return 0, fmt.Errorf("kind %d does not store type %d", kind, u32(4))
	}
	intKind := kind == Int32 || kind == Int64
	if enc > RunLength || enc != Plain && !intKind || enc == BitPacked && kind != Int32 ||
		flags&^(flagValid|flagDict|flagZone) != 0 || flags&flagDict != 0 && kind != String {
		return 0, fmt.Errorf("encoding %d, flags %#x for kind %d", enc, flags, kind)
	}
	nulls := u32(24)
	if nulls > uint32(n) || kind == Unsupported && (nulls != 0 || flags != 0) {
		return 0, fmt.Errorf("%d nulls in %d rows", nulls, n)
	}
	c.Zone.Nulls = int(nulls)
	r := &blockReader{b: b[:size-8], at: colHeaderSize}
	if flags&flagZone != 0 {
		for _, v := range []*types.Value{&c.Zone.Min, &c.Zone.Max} {
			switch kind {
			case Int32, Int64:
				*v = FromInt64(c.Type, int64(r.u64()))
			case Float64:
				*v = types.NewFloat(math.Float64frombits(r.u64()))
			case String:
				*v = types.NewText(string(r.buf("zone", -1)))
			default:
				r.fail("zone map of an unsupported column")
			}
		}
	} else if kind != Unsupported && int(nulls) != n {
		r.fail("no zone map, yet not every row is NULL")
	}
	if flags&flagValid != 0 {
		c.Valid = r.buf("validity", (n+7)/8)
		if r.err == nil && bitsSet(c.Valid, n) != n-int(nulls) {
			r.fail("validity bitmap disagrees with the null count")
		}
	} else if nulls != 0 {
		r.fail("nulls without a validity bitmap")
	}
	switch {
	case kind == Unsupported:
	case enc == BitPacked:
		base, width := int64(r.u64()), r.u64()
		if width > maxPackedWidth {
			r.fail(fmt.Sprintf("bit width %d", width))
		}
		c.Pack = &Packed{Base: base, Width: uint(width)}
		c.Pack.Bytes = r.buf("bit-packed", packedBytes(n, uint(width)))
	case enc == RunLength:
		c.Runs = &Runs{Values: view[int64](r.buf("run values", -1))}
		c.Runs.Ends = view[int32](r.buf("run ends", len(c.Runs.Values)*4))
		if r.err == nil && !validRuns(c.Runs, n) {
			r.fail("run ends out of order or not ending at the last row")
		}
	case kind == Int32:
		c.I32 = view[int32](r.buf("values", n*4))
	case kind == Int64:
		c.I64 = view[int64](r.buf("values", n*8))
	case kind == Float64:
		c.F64 = view[float64](r.buf("values", n*8))
	case flags&flagDict != 0:
		c.Codes = view[uint16](r.buf("codes", n*2))
		offsets := r.buf("dictionary offsets", -1)
		data := r.buf("dictionary", -1)
		if r.err == nil {
			c.Dict = decodeDict(view[int32](offsets), data, r)
		}
		if r.err == nil && !validCodes(c, n) {
			r.fail("dictionary code out of range")
		}
	default:
		offsets := view[int32](r.buf("offsets", (n+1)*4))
		data := r.buf("strings", -1)
		if r.err == nil && !validOffsets(offsets, len(data)) {
			r.fail("string offsets out of order or past the data")
		}
		if r.err == nil {
			c.Str = NewStrings(data, offsets, c.Valid, c.Zone.Nulls)
		}
	}
	if r.err == nil && r.at != len(r.b) {
		r.fail(fmt.Sprintf("%d unread bytes", len(r.b)-r.at))
	}
	if r.err != nil {
		return 0, r.err
	}
	c.setArray(n)
	return size, nil
}

func bitsSet(valid []byte, n int) int {
	set := 0
	for i, x := range valid {
		if i == len(valid)-1 && n%8 != 0 {
			x &= 1<<(n%8) - 1
		}
		set += bits.OnesCount8(x)
	}
	return set
}

func validRuns(r *Runs, n int) bool {
	prev := int32(0)
	for _, e := range r.Ends {
		if e <= prev {
			return false
		}
		prev = e
	}
	return int(prev) == n
}

func validOffsets(offsets []int32, size int) bool {
	if len(offsets) == 0 || offsets[0] != 0 {
		return false
	}
	for i := 1; i < len(offsets); i++ {
		if offsets[i] < offsets[i-1] {
			return false
		}
	}
	return int(offsets[len(offsets)-1]) == size
}

func decodeDict(offsets []int32, data []byte, r *blockReader) []string {
	if !validOffsets(offsets, len(data)) || len(offsets)-1 > MaxDictionary {
		r.fail("dictionary offsets out of order or past the data")
		return nil
	}
	if len(offsets) == 1 {
		return nil // as the builder leaves an empty dictionary
	}
	dict := make([]string, len(offsets)-1)
	for i := range dict {
		dict[i] = string(data[offsets[i]:offsets[i+1]])
	}
	return dict
}

// validCodes reports whether every non-NULL row's code names a dictionary
// entry (a NULL row's is zero).
func validCodes(c *Column, n int) bool {
	for i, code := range c.Codes {
		if int(code) >= len(c.Dict) && !(c.Null(i) && code == 0) {
			return false
		}
	}
	return len(c.Codes) == n
}
