package column

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// Bytes returns the memory the segment's column data occupies: the bytes of
// its Arrow buffers (values, offsets, validity bitmaps, dictionaries), which
// the segment's typed views (I32, I64, Codes, ...) share, or those of an
// encoded column's values and validity bitmap.
func (s *Segment) Bytes() int64 {
	var n int64
	for _, c := range s.Cols {
		if c.Array != nil {
			n += dataBytes(c.Array.Data())
		} else if c.Enc != Plain {
			n += c.encodedBytes() + int64(len(c.Valid))
		}
	}
	return n
}

func dataBytes(d arrow.ArrayData) int64 {
	var n int64
	for _, b := range d.Buffers() {
		if b != nil {
			n += int64(b.Len())
		}
	}
	for _, child := range d.Children() {
		n += dataBytes(child)
	}
	// a Data without a dictionary returns a nil *Data inside the interface
	if dict, ok := d.Dictionary().(*array.Data); ok && dict != nil {
		n += dataBytes(dict)
	}
	return n
}
