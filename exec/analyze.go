package exec

import (
	"fmt"
	"time"
	"unsafe"

	"github.com/cockroachdb/apd/v3"

	"rustydb/plan"
	"rustydb/types"
)

// Analysis collects EXPLAIN ANALYZE's measurements: for each plan operator
// (or plan.ScanOf for an UPDATE's or DELETE's table access), the rows it
// produced, how often it started and the time spent in it, its inputs
// included.
type Analysis struct {
	ops map[any]*OpStats
}

// OpStats are one operator's measurements.
type OpStats struct {
	Rows, Loops int64
	First       time.Duration // spent until the first row, in the first loop
	Total       time.Duration // spent in all loops
	Workers     int           // parallel workers the operator ran, when more than one
	// Segments is how many column segments a vectorized operator had,
	// SegmentsPruned how many of them their zone maps let it skip.
	Segments, SegmentsPruned int
	// Memory is the most data the operator held at once, in bytes: the
	// rows a hash join builds its table of, a sort's rows, an
	// aggregation's groups (see rowBytes; the Go allocator's own overhead
	// is not counted).
	Memory int64
	// TopN is the bound of a sort that kept only its best TopN rows (0:
	// a full sort).
	TopN int64
	// Runs is how many sorted runs a sort merged: the ones it spilled and
	// each worker's rows in memory (0: it merged none).
	Runs int
	// Disk is what the operator wrote to temporary files when its data
	// passed work_mem, in bytes.
	Disk int64
	// Vectorized says the operator ran on batches of column vectors in a
	// vectorized hash join's pipeline (vjoin.go), not row by row.
	Vectorized bool
}

// NewAnalysis returns an empty Analysis.
func NewAnalysis() *Analysis { return &Analysis{ops: map[any]*OpStats{}} }

// Stats returns the measurements of key, creating them.
func (a *Analysis) Stats(key any) *OpStats {
	st := a.ops[key]
	if st == nil {
		st = &OpStats{}
		a.ops[key] = st
	}
	return st
}

// Annotation is the text EXPLAIN ANALYZE appends to key's line, in
// PostgreSQL's form; operators that never ran say so.
func (a *Analysis) Annotation(key any) string {
	st := a.ops[key]
	if st == nil || st.Loops == 0 {
		return " (never executed)"
	}
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 / float64(st.Loops) }
	workers := ""
	if st.Workers > 1 {
		workers = fmt.Sprintf(" workers=%d", st.Workers)
	}
	if st.Vectorized {
		workers += " vectorized"
	}
	if st.Segments > 0 {
		workers += fmt.Sprintf(" segments=%d pruned=%d", st.Segments, st.SegmentsPruned)
	}
	if st.TopN > 0 {
		workers += fmt.Sprintf(" top-N=%d", st.TopN)
	}
	if st.Runs > 0 {
		workers += fmt.Sprintf(" runs=%d", st.Runs)
	}
	if st.Memory > 0 {
		workers += fmt.Sprintf(" memory=%dkB", (st.Memory+1023)/1024)
	}
	if st.Disk > 0 {
		workers += fmt.Sprintf(" disk=%dkB", (st.Disk+1023)/1024)
	}

	return fmt.Sprintf(" (actual time=%.3f..%.3f rows=%d loops=%d%s)", ms(st.First), ms(st.Total), st.Rows/st.Loops, st.Loops, workers)
}

// analyzeOp measures the operator it wraps.
type analyzeOp struct {
	in    Operator
	st    *OpStats
	first bool
}

func (o *analyzeOp) Init() error {
	o.st.Loops++
	o.first = o.st.Loops == 1
	t := time.Now()
	err := o.in.Init()
	o.st.Total += time.Since(t)
	return err
}

func (o *analyzeOp) Next() ([]types.Value, error) {
	t := time.Now()
	r, err := o.in.Next()
	o.st.Total += time.Since(t)
	if r != nil {
		o.st.Rows++
		if o.first {
			o.st.First, o.first = o.st.Total, false
		}
	}
	return r, err
}

func (o *analyzeOp) Close() { o.in.Close() }

// analyzed wraps op to measure it for node n when the statement runs under
// EXPLAIN ANALYZE.
func (c *Context) analyzed(n plan.Node, op Operator) Operator {
	if c.Analysis == nil {
		return op
	}
	return &analyzeOp{in: op, st: c.Analysis.Stats(n)}
}

// noteMemory records that the operator of n held bytes at once, under
// EXPLAIN ANALYZE.
func (c *Context) noteMemory(n plan.Node, bytes int64) {
	if c.Analysis == nil {
		return
	}
	if st := c.Analysis.Stats(n); bytes > st.Memory {
		st.Memory = bytes
	}
}

// noteTopN records that the sort of n kept only its best k rows, under
// EXPLAIN ANALYZE.
func (c *Context) noteTopN(n plan.Node, k int64) {
	if c.Analysis != nil {
		c.Analysis.Stats(n).TopN = k
	}
}

// valueSize is the size of a types.Value; decimalSize that of the
// apd.Decimal a numeric points to.
var valueSize, decimalSize = int64(unsafe.Sizeof(types.Value{})), int64(unsafe.Sizeof(apd.Decimal{}))

// rowBytes is the memory rows hold: their values, the strings and decimals
// they point to, and the slice headers.
func rowBytes(rows [][]types.Value) int64 {
	var n int64
	for _, r := range rows {
		n += rowSize(r)
	}
	return n
}

// rowSize is rowBytes of one row.
func rowSize(r []types.Value) int64 {
	n := int64(unsafe.Sizeof(r)) + int64(len(r))*valueSize
	for _, v := range r {
		n += int64(len(v.S))
		if v.D != nil {
			n += decimalSize
		}
	}
	return n
}
