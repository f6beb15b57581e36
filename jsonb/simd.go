package jsonb

import (
	"strings"
	"sync"

	"github.com/minio/simdjson-go"
)

// simdjson-go validates large documents faster than the native parser
// (BenchmarkParse: 1.4x at 400 KB, even at 64 KB, slower below), but
// building a tree from its tape costs more than the native parser's whole
// work (it was tried: 1.2x slower at every size), and
// it keeps numbers as float64 (1.50 must stay 1.50). So it checks json
// input, which keeps its text and needs no tree. It needs AVX2 and CLMUL,
// reads only objects and arrays at the top level, and decodes \u escapes
// unlike PostgreSQL (an unpaired high surrogate is an error to it), so it
// gets only large containers without \u escapes; a document it rejects is
// read again by the native parser, whose verdict and error messages are
// PostgreSQL's (simdjson also rejects numbers beyond float64's range).

// useSIMD and simdMin (the size from which a document goes to simdjson)
// are variables so that tests can force either path.
var (
	useSIMD = simdjson.SupportedCPU()
	simdMin = 64 << 10
)

// simdPool recycles simdjson's tape buffers between documents.
var simdPool sync.Pool

func simdEligible(s string) bool {
	if !useSIMD || len(s) < simdMin {
		return false
	}
	first := strings.TrimLeft(s, " \t\n\r")
	return first != "" && (first[0] == '{' || first[0] == '[') && !strings.Contains(s, `\u`)
}

// validSIMD reports whether simdjson accepts s; false means the native
// parser must decide.
func validSIMD(s string) bool {
	reuse, _ := simdPool.Get().(*simdjson.ParsedJson)
	pj, err := simdjson.Parse([]byte(s), reuse, simdjson.WithCopyStrings(false))
	if err != nil {
		if reuse != nil {
			simdPool.Put(reuse)
		}
		return false
	}
	simdPool.Put(pj)
	return true
}
