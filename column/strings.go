package column

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// NewStrings wraps the values of a String column laid out as Arrow utf8
// (the bytes of every value, and n+1 offsets into them; valid is the
// validity bitmap, nil when no value is NULL) without copying: readers of
// columnar files build their string columns this way.
func NewStrings(data []byte, offsets []int32, valid []byte, nulls int) *array.String {
	var validBuf *memory.Buffer
	if valid != nil {
		validBuf = memory.NewBufferBytes(valid)
	}
	return array.NewStringData(array.NewData(arrow.BinaryTypes.String, len(offsets)-1,
		[]*memory.Buffer{validBuf, memory.NewBufferBytes(bytesOf(offsets)), memory.NewBufferBytes(data)}, nil, nulls, 0))
}
