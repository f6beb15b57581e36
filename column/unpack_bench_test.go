package column

import "testing"

// BenchmarkUnpack decodes batches of 1024 bit-packed 12-bit values (a
// date column's width over a few years).
func BenchmarkUnpack(b *testing.B) {
	vals := make([]int64, 64*1024)
	for i := range vals {
		vals[i] = 8000 + int64(i*7919%2500)
	}
	p := pack(vals, 8000, 12)
	dst := make([]int64, 1024)
	b.SetBytes(1024 * 8)
	for i := 0; b.Loop(); i++ {
		p.unpack(i%64*1024, dst)
	}
}
