package exec

import (
	"errors"
	"math"
	"math/bits"
	"strings"

	"rustydb/asm"
	"rustydb/column"
	"rustydb/plan"
	"rustydb/row"
	"rustydb/types"
)

// Vectorized expressions over column segments. A batch is a range of rows
// of one segment; a selection vector (sel) lists the batch positions still
// in play, ascending. Value expressions fill a vec at the selected
// positions; predicates return the selected positions where they are TRUE.
//
// Integer-like SQL values (integers, dates, timestamps, booleans and
// numerics of known scale) are int64s here, a numeric scaled by 10^scale, so
// that decimal arithmetic is integer arithmetic. Whatever cannot be done
// exactly this way (an int64 overflow, a division by zero) stops the
// vectorized run with errVectorFallback, and the statement runs on the row
// path, which computes it exactly or reports the error as it should.

// errNotVectorized means an expression has no vectorized form.
var errNotVectorized = errors.New("not vectorized")

// errVectorFallback means a vectorized run met a value it cannot compute.
var errVectorFallback = errors.New("vectorized run cannot continue")

type vkind uint8

const (
	vInt vkind = iota
	vFloat
	vStr
)

// vtype is the representation of a vectorized expression's values.
type vtype struct {
	k     vkind
	scale int32   // for numerics
	t     types.T // the SQL type, for turning values back into Values
	// mixed: a numeric whose rows keep their own scales (vec.scale), as a
	// CASE's branches of different scales do; scale is the largest, at
	// which the values are
	mixed bool
	// konst is the value of a constant expression, which conversions
	// apply once rather than per row.
	konst *types.Value
}

// vec holds values at batch positions.
type vec struct {
	i    []int64
	f    []float64
	s    []string
	null []bool // nil: no position is NULL
	// lo and hi bound every selected non-NULL value of i when bounded
	// (see vbounds.go); producers that do not know leave bounded false.
	lo, hi  int64
	bounded bool
	// scale is each position's own scale, for a vtype that is mixed
	scale []int8
}

// vbatch is rows [off, off+n) of a segment.
type vbatch struct {
	seg *row.Segment
	off int
	n   int
}

// vfn computes an expression at the positions in sel.
type vfn func(b *vbatch, sel []int32) (*vec, error)

// vpred returns the positions of sel where a condition is TRUE.
type vpred func(b *vbatch, sel []int32) ([]int32, error)

// vcompiler compiles expressions for one worker; the compiled functions own
// their buffers, so each worker compiles its own.
type vcompiler struct {
	c    *Context
	cols []types.T // the scanned table's column types
	size int       // largest batch
	// With memoize, value shares one compiled function among equal
	// expressions and computes it once per epoch: the aggregation's keys
	// and arguments all see the same selection of a batch, so common
	// subexpressions (the sums of TPC-H Q1) are computed once.
	memoize bool
	memo    map[string]memoized
	epoch   uint64
	// decoded holds, by column, the last batch of an encoded column that
	// was decoded whole, shared by the functions reading the column (a
	// range filter compares it twice).
	decoded map[int]*decodedBatch
	// mixedScales lets the expression compiled next (a CASE, the argument
	// of a sum) be mixed (see vtype); its parts never are.
	mixedScales bool
}

// decodedBatch is rows [off, off+len(vals)) of a segment's column.
type decodedBatch struct {
	seg  *row.Segment
	off  int
	vals []int64
	buf  []int64
}

// decode returns the batch of b's encoded integer column idx as int64s,
// decoding it at most once per batch.
func (vc *vcompiler) decode(b *vbatch, idx int) []int64 {
	d := vc.decoded[idx]
	if d == nil {
		if vc.decoded == nil {
			vc.decoded = map[int]*decodedBatch{}
		}
		d = &decodedBatch{buf: make([]int64, vc.size)}
		vc.decoded[idx] = d
	}
	if d.seg != b.seg || d.off != b.off || len(d.vals) != b.n {
		d.seg, d.off, d.vals = b.seg, b.off, b.seg.Cols[idx].Decode(b.off, b.n, d.buf)
	}
	return d.vals
}

type memoized struct {
	fn vfn
	t  vtype
}

// shared returns e's compiled function, shared with equal expressions.
func (vc *vcompiler) shared(e plan.Expr, compile func() (vfn, vtype, error)) (vfn, vtype, error) {
	if !vc.memoize {
		return compile()
	}
	key := e.String()
	if m, ok := vc.memo[key]; ok {
		return m.fn, m.t, nil
	}
	fn, t, err := compile()
	if err != nil || t.konst != nil {
		return fn, t, err
	}
	last, cached := ^uint64(0), (*vec)(nil)
	m := memoized{t: t, fn: func(b *vbatch, sel []int32) (*vec, error) {
		if last == vc.epoch {
			return cached, nil
		}
		v, err := fn(b, sel)
		if err == nil {
			last, cached = vc.epoch, v
		}
		return v, err
	}}
	if vc.memo == nil {
		vc.memo = map[string]memoized{}
	}
	vc.memo[key] = m
	return m.fn, m.t, nil
}

func vtypeOf(t types.T) (vtype, bool) {
	switch t.ID {
	case types.Int2, types.Int4, types.Int8, types.Date, types.Timestamp, types.TimestampTZ, types.Bool:
		return vtype{k: vInt, t: t}, true
	case types.Numeric:
		if t.Precision > 0 && t.Precision <= 18 {
			return vtype{k: vInt, scale: t.Scale, t: t}, true
		}
	case types.Float4, types.Float8:
		return vtype{k: vFloat, t: t}, true
	case types.Text, types.Varchar, types.Char:
		return vtype{k: vStr, t: t}, true
	}
	return vtype{}, false
}

// constant reports whether e can be computed once for the whole statement.
func constant(e plan.Expr) bool { return constantOver(e, false) }

// statementConstant reports whether e has one value for the whole
// statement: a constant, or one over uncorrelated scalar subqueries, which
// run once a statement (Context.subqueryRows).
func statementConstant(e plan.Expr) bool { return constantOver(e, true) }

// constantOver reports whether e is constant, taking an uncorrelated
// scalar subquery for one when subqueries is set.
func constantOver(e plan.Expr, subqueries bool) bool {
	ok := true
	plan.Walk(e, func(x plan.Expr) {
		switch x := x.(type) {
		case *plan.ColRef, *plan.OuterRef, *plan.Quantified:
			ok = false
		case *plan.Subquery:
			ok = ok && subqueries && !x.Correlated && !x.Exists && !x.Array
		case *plan.In:
			ok = ok && x.Sub == nil
		case *plan.Func:
			if volatileFuncs[x.Name] {
				ok = false
			}
		}
	})
	return ok
}

// volatileFuncs return a new value on every call.
var volatileFuncs = map[string]bool{"random": true, "nextval": true, "setval": true, "currval": true,
	"lastval": true, "clock_timestamp": true, "timeofday": true, "gen_random_uuid": true, "statement_timestamp": true}

// eval computes a constant expression.
func (vc *vcompiler) eval(e plan.Expr) (types.Value, error) {
	f, err := vc.c.compile(e)
	if err != nil {
		return types.Null, err
	}
	return f(nil)
}

// value compiles a value expression.
func (vc *vcompiler) value(e plan.Expr) (vfn, vtype, error) {
	return vc.shared(e, func() (vfn, vtype, error) { return vc.compileValue(e) })
}

func (vc *vcompiler) compileValue(e plan.Expr) (vfn, vtype, error) {
	if constant(e) {
		v, err := vc.eval(e)
		if err != nil {
			return nil, vtype{}, err
		}
		return vc.constVec(v, e.Type())
	}
	switch e := e.(type) {
	case *plan.ColRef:
		return vc.colRef(e.Idx)
	case *plan.Binary:
		return vc.arith(e)
	case *plan.Unary:
		if e.Op != "-" {
			break
		}
		x, t, err := vc.value(e.X)
		if err != nil {
			return nil, t, err
		}
		return vc.each(x, t.k, func(v, out *vec, sel []int32) error {
			if t.k == vFloat {
				for _, j := range sel {
					out.f[j] = -v.f[j]
				}
				return nil
			}
			for _, j := range sel {
				if v.i[j] == math.MinInt64 {
					return errVectorFallback
				}
				out.i[j] = -v.i[j]
			}
			return nil
		}), t, nil
	case *plan.Cast:
		return vc.cast(e)
	case *plan.Case:
		return vc.caseExpr(e)
	case *plan.Func:
		if e.Name == "substring" || e.Name == "substr" {
			return vc.substring(e)
		}
		return vc.datePart(e)
	}
	return nil, vtype{}, errNotVectorized
}

// substring computes substring(s, from [, count]) of a string with
// constant bounds (TPC-H's substring(c_phone FROM 1 FOR 2)).
func (vc *vcompiler) substring(e *plan.Func) (vfn, vtype, error) {
	if len(e.Args) < 2 || len(e.Args) > 3 || e.Args[0].Type().ID == types.Char {
		return nil, vtype{}, errNotVectorized
	}
	bounds := [2]int64{0, -1}
	for k, a := range e.Args[1:] {
		if !constant(a) {
			return nil, vtype{}, errNotVectorized
		}
		v, err := vc.eval(a)
		if err != nil || v.K != types.KInt || k == 1 && v.I < 0 {
			return nil, vtype{}, errNotVectorized // a NULL or a negative count: the row path's answer
		}
		bounds[k] = v.I
	}
	x, t, err := vc.value(e.Args[0])
	if err != nil || t.k != vStr {
		return nil, vtype{}, errNotVectorized
	}
	return vc.each(x, vStr, func(v, out *vec, sel []int32) error {
		for _, j := range sel {
			if v.null == nil || !v.null[j] {
				out.s[j] = substring(v.s[j], bounds[0], bounds[1])
			}
		}
		return nil
	}), vtype{k: vStr, t: e.Type()}, nil
}

// datePart computes extract / date_part of the year, month or day of a
// date or timestamp (TPC-H groups by extract(year FROM o_orderdate)).
func (vc *vcompiler) datePart(e *plan.Func) (vfn, vtype, error) {
	if e.Name != "extract" && e.Name != "date_part" || len(e.Args) != 2 || !constant(e.Args[0]) {
		return nil, vtype{}, errNotVectorized
	}
	field, err := vc.eval(e.Args[0])
	if err != nil || field.K != types.KText {
		return nil, vtype{}, errNotVectorized
	}
	part := map[string]int{"year": 0, "years": 0, "month": 1, "months": 1, "mon": 1, "day": 2, "days": 2}
	which, ok := part[strings.ToLower(field.S)]
	id := e.Args[1].Type().ID
	if !ok || id != types.Date && !isTimestamp(id) {
		return nil, vtype{}, errNotVectorized
	}
	x, _, err := vc.value(e.Args[1])
	if err != nil {
		return nil, vtype{}, err
	}
	t := vtype{k: vInt, t: e.T}
	if e.Name == "date_part" {
		t.k = vFloat
	}
	return vc.each(x, t.k, func(v, out *vec, sel []int32) error {
		for _, j := range sel {
			days := v.i[j]
			if id != types.Date {
				days = floorDiv(days, 86400_000_000)
			}
			ymd := civil(days)
			if t.k == vFloat {
				out.f[j] = float64(ymd[which])
			} else {
				out.i[j] = ymd[which]
			}
		}
		return nil
	}), t, nil
}

// each compiles an element-wise function of x's values into a vector of
// kind k; NULLs stay NULL.
func (vc *vcompiler) each(x vfn, k vkind, fn func(v, out *vec, sel []int32) error) vfn {
	out := vc.newVec(k)
	return func(b *vbatch, sel []int32) (*vec, error) {
		v, err := x(b, sel)
		if err != nil {
			return nil, err
		}
		out.null = v.null
		return out, fn(v, out, sel)
	}
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && a < 0 {
		q--
	}
	return q
}

// civil returns the proleptic Gregorian year, month and day of a day
// number counted from 1970-01-01 (H. Hinnant's days_to_civil).
func civil(days int64) [3]int64 {
	z := days + 719468
	era := floorDiv(z, 146097)
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	d := doy - (153*mp+2)/5 + 1
	m := mp + 3
	if m > 12 {
		m -= 12
	}
	y := yoe + era*400
	if m <= 2 {
		y++
	}
	return [3]int64{y, m, d}
}

func (vc *vcompiler) newVec(k vkind) *vec {
	v := &vec{}
	switch k {
	case vInt:
		v.i = make([]int64, vc.size)
	case vFloat:
		v.f = make([]float64, vc.size)
	case vStr:
		v.s = make([]string, vc.size)
	}
	return v
}

// constVec returns a vector holding v at every position.
func (vc *vcompiler) constVec(v types.Value, t types.T) (vfn, vtype, error) {
	vt, ok := vtypeOf(t)
	if !ok && t.ID == types.Numeric && v.K == types.KDecimal {
		vt, ok = vtype{k: vInt, scale: max(0, -v.D.Exponent), t: t}, true
	}
	if !ok {
		return nil, vt, errNotVectorized
	}
	out := vc.newVec(vt.k)
	if v.IsNull() {
		out.null = make([]bool, vc.size)
		for i := range out.null {
			out.null[i] = true
		}
	} else {
		switch vt.k {
		case vInt:
			x, ok := scaledInt(v, vt.scale)
			if !ok {
				return nil, vt, errNotVectorized
			}
			for i := range out.i {
				out.i[i] = x
			}
			out.bound(x, x)
		case vFloat:
			for i := range out.f {
				out.f[i] = v.F
			}
		case vStr:
			for i := range out.s {
				out.s[i] = v.S
			}
		}
	}
	vt.konst = &v
	return func(*vbatch, []int32) (*vec, error) { return out, nil }, vt, nil
}

// constInt returns a vector holding x at every position.
func (vc *vcompiler) constInt(x int64, null bool) vfn {
	out := vc.newVec(vInt)
	for i := range out.i {
		out.i[i] = x
	}
	out.bound(x, x)
	if null {
		out.null = make([]bool, vc.size)
		for i := range out.null {
			out.null[i] = true
		}
	}
	return func(*vbatch, []int32) (*vec, error) { return out, nil }
}

// scaledInt returns v's int64 form at scale.
func scaledInt(v types.Value, scale int32) (int64, bool) {
	switch v.K {
	case types.KDecimal:
		d := v.D
		if d.Form != 0 || -d.Exponent > scale || !d.Coeff.IsInt64() {
			return 0, false
		}
		x := d.Coeff.Int64()
		if d.Negative {
			x = -x
		}
		return rescale(x, scale+d.Exponent)
	case types.KFloat, types.KText, types.KNull:
		return 0, false
	}
	return rescale(v.I, scale)
}

var pow10 = func() (p [19]int64) {
	p[0] = 1
	for i := 1; i < len(p); i++ {
		p[i] = p[i-1] * 10
	}
	return p
}()

// rescale multiplies x by 10^by, reporting overflow.
func rescale(x int64, by int32) (int64, bool) {
	if by == 0 {
		return x, true
	}
	if by < 0 || by > 18 {
		return 0, false
	}
	return mulChecked(x, pow10[by])
}

func mulChecked(a, b int64) (int64, bool) {
	if a == int64(int32(a)) && b == int64(int32(b)) {
		return a * b, true
	}
	hi, lo := bits.Mul64(uint64(abs64(a)), uint64(abs64(b)))
	if hi != 0 || lo > math.MaxInt64 || a == math.MinInt64 || b == math.MinInt64 {
		return 0, false
	}
	if (a < 0) != (b < 0) {
		return -int64(lo), true
	}
	return int64(lo), true
}

// colRef reads column idx of the segment.
func (vc *vcompiler) colRef(idx int) (vfn, vtype, error) {
	t, ok := vtypeOf(vc.cols[idx])
	if !ok || column.KindOf(vc.cols[idx]) == column.Unsupported {
		return nil, t, errNotVectorized
	}
	out := vc.newVec(t.k)
	nulls := make([]bool, vc.size)
	var decoded []int64 // a plain int32 column's or an encoded one's selected rows
	if t.k == vInt {
		decoded = make([]int64, vc.size)
	}
	return func(b *vbatch, sel []int32) (*vec, error) {
		c := &b.seg.Cols[idx]
		off := b.off
		out.null = nil
		out.bounded = false
		if t.k == vInt {
			if lo, hi, ok := zoneBounds(&c.Zone, t.scale); ok {
				out.bound(lo, hi)
			}
		}
		if c.Valid != nil {
			out.null = nulls
			for _, j := range sel {
				nulls[j] = c.Null(off + int(j))
			}
		}
		switch {
		case c.Enc != column.Plain && sparse(sel, b.n):
			c.Gather(off, sel, decoded)
			out.i = decoded
		case c.Enc != column.Plain:
			out.i = vc.decode(b, idx)
		case c.Kind == column.Int64:
			out.i = c.I64[off : off+b.n] // a view: no copy
		case c.Kind == column.Int32:
			out.i = decoded
			x := c.I32[off:]
			for _, j := range sel {
				out.i[j] = int64(x[j])
			}
		case c.Kind == column.Float64:
			out.f = c.F64[off : off+b.n]
		case c.Kind == column.String:
			if c.Codes != nil {
				codes := c.Codes[off:]
				for _, j := range sel {
					out.s[j] = c.Dict[codes[j]]
				}
			} else {
				for _, j := range sel {
					out.s[j] = c.Str.Value(off + int(j))
				}
			}
		}
		return out, nil
	}, t, nil
}

// aligned compiles l and r, brought to a common representation for
// comparison or addition: floats if either is a float, otherwise ints at
// the larger scale.
func (vc *vcompiler) aligned(le, re plan.Expr) (vfn, vfn, vtype, error) {
	l, lt, err := vc.value(le)
	if err != nil {
		return nil, nil, lt, err
	}
	r, rt, err := vc.value(re)
	if err != nil {
		return nil, nil, rt, err
	}
	if (lt.k == vStr) != (rt.k == vStr) {
		return nil, nil, lt, errNotVectorized
	}
	if lt.k == vFloat || rt.k == vFloat {
		return vc.toFloat(l, lt), vc.toFloat(r, rt), vtype{k: vFloat, t: types.TFloat8}, nil
	}
	if lt.k == vStr {
		return l, r, lt, nil
	}
	// A date meets a timestamp as its midnight, as types.Compare has it.
	ld, rd := le.Type().ID == types.Date, re.Type().ID == types.Date
	if ld != rd && (isTimestamp(le.Type().ID) || isTimestamp(re.Type().ID)) {
		if ld {
			return vc.dateToTimestamp(l), r, rt, nil
		}
		return l, vc.dateToTimestamp(r), lt, nil
	}
	s := max(lt.scale, rt.scale)
	return vc.scaleTo(l, lt, s), vc.scaleTo(r, rt, s), vtype{k: vInt, scale: s, t: lt.t}, nil
}

func isTimestamp(id types.ID) bool { return id == types.Timestamp || id == types.TimestampTZ }

// dateToTimestamp turns days into microseconds.
func (vc *vcompiler) dateToTimestamp(x vfn) vfn {
	const usPerDay = 86400 * 1e6
	return vc.mulInts(x, usPerDay)
}

// scaleTo rescales an int vector of type t up to scale to.
func (vc *vcompiler) scaleTo(f vfn, t vtype, to int32) vfn {
	from := t.scale
	if from == to {
		return f
	}
	if t.konst != nil {
		if x, ok := scaledInt(*t.konst, to); ok || t.konst.IsNull() {
			return vc.constInt(x, t.konst.IsNull())
		}
	}
	return vc.mulInts(f, pow10[to-from])
}

// mulInts multiplies an int vector by m; an overflow sends the statement
// back to the row path, which reports it as PostgreSQL does.
func (vc *vcompiler) mulInts(f vfn, m int64) vfn {
	return vc.each(f, vInt, func(v, out *vec, sel []int32) error {
		out.bounded = false
		if lo, hi, ok := resultBounds("*", v, &vec{lo: m, hi: m, bounded: true}); ok {
			for _, j := range sel {
				out.i[j] = v.i[j] * m
			}
			out.bound(lo, hi)
			return nil
		}
		for _, j := range sel {
			x, ok := mulChecked(v.i[j], m)
			if !ok {
				return errVectorFallback
			}
			out.i[j] = x
		}
		return nil
	})
}

// toFloat converts an int vector at scale t.scale to floats.
func (vc *vcompiler) toFloat(f vfn, t vtype) vfn {
	if t.k == vFloat {
		return f
	}
	div := float64(pow10[t.scale])
	return vc.each(f, vFloat, func(v, out *vec, sel []int32) error {
		for _, j := range sel {
			out.f[j] = float64(v.i[j]) / div
		}
		return nil
	})
}

// arith compiles + - * and float /.
func (vc *vcompiler) arith(e *plan.Binary) (vfn, vtype, error) {
	if isDateTime(e.T.ID) || isDateTime(e.L.Type().ID) || isDateTime(e.R.Type().ID) {
		return nil, vtype{}, errNotVectorized // date arithmetic has its own rules
	}
	var l, r vfn
	var t vtype
	var err error
	switch e.Op {
	case "+", "-":
		l, r, t, err = vc.aligned(e.L, e.R)
	case "*", "/":
		var lt, rt vtype
		if l, lt, err = vc.value(e.L); err == nil {
			r, rt, err = vc.value(e.R)
		}
		switch {
		case err != nil:
		case lt.k == vStr || rt.k == vStr:
			err = errNotVectorized
		case lt.k == vFloat || rt.k == vFloat:
			l, r, t = vc.toFloat(l, lt), vc.toFloat(r, rt), vtype{k: vFloat}
		case e.Op == "/":
			err = errNotVectorized // integer and numeric division round by their own rules
		default:
			t = vtype{k: vInt, scale: lt.scale + rt.scale}
		}
	default:
		err = errNotVectorized
	}
	if err != nil {
		return nil, t, err
	}
	t.t = e.T
	switch {
	case t.k == vStr || t.scale > 18:
		return nil, t, errNotVectorized
	case (t.k == vFloat) != (e.T.ID == types.Float8 || e.T.ID == types.Float4):
		return nil, t, errNotVectorized
	case e.T.ID == types.Numeric && e.T.Precision > 0 && e.T.Scale != t.scale:
		return nil, t, errNotVectorized // a typmod would round
	}
	lo, hi := int64(math.MinInt64), int64(math.MaxInt64)
	switch e.T.ID {
	case types.Int2:
		lo, hi = math.MinInt16, math.MaxInt16
	case types.Int4:
		lo, hi = math.MinInt32, math.MaxInt32
	}
	out := vc.newVec(t.k)
	nulls := make([]bool, vc.size)
	op := e.Op
	return func(b *vbatch, sel []int32) (*vec, error) {
		lv, err := l(b, sel)
		if err != nil {
			return nil, err
		}
		rv, err := r(b, sel)
		if err != nil {
			return nil, err
		}
		out.null = mergeNulls(nulls, lv.null, rv.null, sel)
		if t.k == vFloat {
			return out, floatOp(op, lv.f, rv.f, out.f, out.null, sel)
		}
		if rlo, rhi, ok := resultBounds(op, lv, rv); ok && rlo >= lo && rhi <= hi {
			plainOp(op, lv.i, rv.i, out.i, sel)
			out.bound(rlo, rhi)
			return out, nil
		}
		out.bounded = false
		return out, intOp(op, lv.i, rv.i, out.i, out.null, sel, lo, hi)
	}, t, nil
}

func isDateTime(id types.ID) bool {
	switch id {
	case types.Date, types.Timestamp, types.TimestampTZ, types.Time, types.Interval:
		return true
	}
	return false
}

// mergeNulls returns the positions where a or b is NULL, or nil.
func mergeNulls(dst, a, b []bool, sel []int32) []bool {
	switch {
	case a == nil && b == nil:
		return nil
	case b == nil:
		return a
	case a == nil:
		return b
	}
	for _, j := range sel {
		dst[j] = a[j] || b[j]
	}
	return dst
}

// intOp computes l op r into out, stopping the vectorized run when a
// result leaves [lo, hi], the range of the result type.
func intOp(op string, l, r, out []int64, null []bool, sel []int32, lo, hi int64) error {
	switch op {
	case "+":
		for _, j := range sel {
			s := l[j] + r[j]
			if (s > l[j]) != (r[j] > 0) && (null == nil || !null[j]) {
				return errVectorFallback
			}
			out[j] = s
		}
	case "-":
		for _, j := range sel {
			s := l[j] - r[j]
			if (s < l[j]) != (r[j] > 0) && (null == nil || !null[j]) {
				return errVectorFallback
			}
			out[j] = s
		}
	case "*":
		for _, j := range sel {
			p, ok := mulChecked(l[j], r[j])
			if !ok && (null == nil || !null[j]) {
				return errVectorFallback
			}
			out[j] = p
		}
	}
	if lo != math.MinInt64 || hi != math.MaxInt64 {
		for _, j := range sel {
			if (out[j] < lo || out[j] > hi) && (null == nil || !null[j]) {
				return errVectorFallback
			}
		}
	}
	return nil
}

func floatOp(op string, l, r, out []float64, null []bool, sel []int32) error {
	switch op {
	case "+", "-", "*":
		plainOp(op, l, r, out, sel)
	case "/":
		for _, j := range sel {
			if r[j] == 0 && (null == nil || !null[j]) {
				return errVectorFallback // the row path reports division by zero
			}
			out[j] = l[j] / r[j]
		}
	}
	for _, j := range sel {
		if math.IsInf(out[j], 0) && !math.IsInf(l[j], 0) && !math.IsInf(r[j], 0) {
			return errVectorFallback // overflow: the row path reports it
		}
	}
	return nil
}

// cast compiles the casts that keep values exact.
func (vc *vcompiler) cast(e *plan.Cast) (vfn, vtype, error) {
	x, xt, err := vc.value(e.X)
	if err != nil {
		return nil, xt, err
	}
	from, to := e.X.Type(), e.T
	switch {
	case from.ID == to.ID && from.ID != types.Numeric && from.ID != types.Char && (to.Width == 0 || from.Width != 0 && from.Width <= to.Width):
		return x, vtype{k: xt.k, scale: xt.scale, t: to}, nil
	case to.ID == types.Text && (from.ID == types.Varchar || from.ID == types.Text):
		return x, vtype{k: vStr, t: to}, nil
	case xt.k == vInt && isInteger(from.ID) && isInteger(to.ID) && intWidth(to.ID) >= intWidth(from.ID):
		return x, vtype{k: vInt, t: to}, nil
	case xt.k == vInt && (isInteger(from.ID) || from.ID == types.Numeric) && to.ID == types.Numeric:
		s := xt.scale
		if to.Precision > 0 {
			if to.Scale < s {
				return nil, xt, errNotVectorized // rounding
			}
			s = to.Scale
		}
		return vc.scaleTo(x, xt, s), vtype{k: vInt, scale: s, t: to}, nil
	case xt.k == vInt && (isInteger(from.ID) || from.ID == types.Numeric) && to.ID == types.Float8:
		return vc.toFloat(x, xt), vtype{k: vFloat, t: to}, nil
	case from.ID == types.Date && to.ID == types.Timestamp:
		return vc.dateToTimestamp(x), vtype{k: vInt, t: to}, nil
	}
	return nil, xt, errNotVectorized
}

func isInteger(id types.ID) bool { return id == types.Int2 || id == types.Int4 || id == types.Int8 }

func intWidth(id types.ID) int {
	switch id {
	case types.Int2:
		return 2
	case types.Int4:
		return 4
	}
	return 8
}

// caseExpr compiles a searched CASE whose results share one representation.
func (vc *vcompiler) caseExpr(e *plan.Case) (vfn, vtype, error) {
	if e.Operand != nil {
		return nil, vtype{}, errNotVectorized
	}
	// The branches see subsets of the selection: no sharing inside.
	defer func(m bool) { vc.memoize = m }(vc.memoize)
	vc.memoize = false
	mixedOK := vc.mixedScales
	vc.mixedScales = false
	t, ok := vtypeOf(e.T)
	if !ok && e.T.ID != types.Numeric {
		return nil, t, errNotVectorized
	}
	conds := make([]vpred, len(e.Whens))
	results := make([]vfn, len(e.Whens)+1)
	var rt []vtype
	for i, w := range e.Whens {
		var err error
		if conds[i], err = vc.pred(w.Cond); err != nil {
			return nil, t, err
		}
		var r vtype
		if results[i], r, err = vc.value(w.Result); err != nil {
			return nil, t, err
		}
		rt = append(rt, r)
	}
	if e.Else != nil {
		var r vtype
		var err error
		if results[len(e.Whens)], r, err = vc.value(e.Else); err != nil {
			return nil, t, err
		}
		rt = append(rt, r)
	}
	t = vtype{k: rt[0].k, scale: rt[0].scale, t: e.T}
	for _, r := range rt[1:] {
		switch {
		case r.k != t.k:
			return nil, t, errNotVectorized
		case r.scale != rt[0].scale:
			// PostgreSQL keeps each row's own scale: a sum's result has
			// the largest of its rows'
			if !mixedOK || t.k != vInt || e.T.ID != types.Numeric {
				return nil, t, errNotVectorized
			}
			t.mixed, t.scale = true, max(t.scale, r.scale)
		}
	}
	var scales []int8 // each branch's own
	if t.mixed {
		for i, r := range rt {
			results[i] = vc.scaleTo(results[i], r, t.scale)
			scales = append(scales, int8(r.scale))
		}
	}
	out := vc.newVec(t.k)
	out.null = make([]bool, vc.size)
	if t.mixed {
		out.scale = make([]int8, vc.size)
	}
	rest := make([]int32, vc.size)
	return func(b *vbatch, sel []int32) (*vec, error) {
		left := append(rest[:0], sel...)
		for i := range results {
			if len(left) == 0 {
				break
			}
			take := left
			if i < len(conds) {
				var err error
				if take, err = conds[i](b, left); err != nil {
					return nil, err
				}
			}
			if results[i] == nil { // no ELSE: NULL
				for _, j := range take {
					out.null[j] = true
				}
				break
			}
			v, err := results[i](b, take)
			if err != nil {
				return nil, err
			}
			if scales != nil {
				for _, j := range take {
					out.scale[j] = scales[i]
				}
			}
			for _, j := range take {
				out.null[j] = v.null != nil && v.null[j]
				switch t.k {
				case vInt:
					out.i[j] = v.i[j]
				case vFloat:
					out.f[j] = v.f[j]
				case vStr:
					out.s[j] = v.s[j]
				}
			}
			left = without(left, take)
		}
		return out, nil
	}, t, nil
}

// without removes the positions of sub (a subsequence of sel) from sel, in
// place.
func without(sel, sub []int32) []int32 {
	if len(sub) == 0 {
		return sel
	}
	out, k := sel[:0], 0
	for _, j := range sel {
		if k < len(sub) && sub[k] == j {
			k++
			continue
		}
		out = append(out, j)
	}
	return out
}

// pred compiles a condition.
func (vc *vcompiler) pred(e plan.Expr) (vpred, error) {
	switch e := e.(type) {
	case *plan.Binary:
		switch e.Op {
		case "and":
			return vc.and(e)
		case "or":
			return vc.or(e)
		case "=", "<>", "<", "<=", ">", ">=":
			if p, err := vc.compare(e); err == nil {
				return p, nil
			}
		}
	case *plan.IsNull:
		x, _, err := vc.value(e.X)
		if err == nil {
			return vc.keep(x, func(v *vec, j int32) bool { return (v.null != nil && v.null[j]) != e.Not }), nil
		}
	case *plan.Like:
		if p, err := vc.like(e); err == nil {
			return p, nil
		}
	case *plan.In:
		if p, err := vc.inList(e); err == nil {
			return p, nil
		}
	case *plan.ColRef:
		if e.T.ID == types.Bool {
			x, _, err := vc.value(e)
			if err != nil {
				return nil, err
			}
			return vc.keep(x, func(v *vec, j int32) bool { return v.i[j] != 0 && (v.null == nil || !v.null[j]) }), nil
		}
	}
	return vc.rowPred(e)
}

// like compiles [NOT] LIKE of a string value against a constant pattern:
// the matcher runs on the strings in place, and once per dictionary entry
// of a column that holds them as one.
func (vc *vcompiler) like(e *plan.Like) (vpred, error) {
	pc, ok := e.Pattern.(*plan.Const)
	if !ok || pc.V.K != types.KText || e.ILike || e.X.Type().ID == types.Char {
		return nil, errNotVectorized // case folding, char's blanks: the row path's rules
	}
	match := likeMatcher(pc.V.S)
	if match == nil {
		return nil, errNotVectorized // a malformed pattern: the row path reports it
	}
	x, t, err := vc.value(e.X)
	if err != nil || t.k != vStr {
		return nil, errNotVectorized
	}
	each := vc.keep(x, func(v *vec, j int32) bool { return (v.null == nil || !v.null[j]) && match(v.s[j]) != e.Not })
	return vc.dictPred(columnOf(e.X), func(s string) bool { return match(s) != e.Not }, each), nil
}

// columnOf returns the column e is, or -1 when e is not a column.
func columnOf(e plan.Expr) int {
	if r, ok := e.(*plan.ColRef); ok {
		return r.Idx
	}
	return -1
}

// dictPred returns a predicate that, on a batch whose column col is
// dictionary-encoded, tests each dictionary entry once per segment and
// selects the non-NULL rows by their codes, without a branch: a dictionary
// column holds few distinct strings (TPC-H's l_returnflag = 'R' tests 3 of
// them for 6M rows). Other batches, or col < 0, take other.
func (vc *vcompiler) dictPred(col int, test func(string) bool, other vpred) vpred {
	if col < 0 {
		return other
	}
	out := make([]int32, vc.size)
	var lastSeg *row.Segment
	// per code: 1 passes, 0 does not; every uint16 has a place, as a NULL
	// row's code may be any (its row is dropped after)
	pass := make([]uint8, column.MaxDictionary)
	return func(b *vbatch, sel []int32) ([]int32, error) {
		c := &b.seg.Cols[col]
		if c.Codes == nil {
			return other(b, sel)
		}
		if lastSeg != b.seg {
			lastSeg = b.seg
			for k, s := range c.Dict {
				pass[k] = uint8(bit(test(s)))
			}
		}
		codes, res, n := c.Codes[b.off:], out[:len(sel)], 0
		for _, j := range sel {
			res[n] = j
			n += int(pass[codes[j]])
		}
		return dropColNulls(c, b.off, res[:n]), nil
	}
}

// inList compiles x [NOT] IN (constants) of a string or integer value
// (TPC-H's p_size IN (49, 14, ...), substring(c_phone, 1, 2) IN ('13', ...)).
func (vc *vcompiler) inList(e *plan.In) (vpred, error) {
	if e.Sub != nil {
		return vc.inSubquery(e)
	}
	id := e.X.Type().ID
	if !stringID(id) && id != types.Int2 && id != types.Int4 && id != types.Int8 {
		return nil, errNotVectorized
	}
	strs, ints := map[string]bool{}, map[int64]bool{}
	for _, item := range e.List {
		if iid := item.Type().ID; !constant(item) || iid != id && !(stringID(iid) && stringID(id)) {
			return nil, errNotVectorized
		}
		v, err := vc.eval(item)
		switch {
		case err != nil || v.IsNull(): // NULL in the list: the row path's three-valued answer
			return nil, errNotVectorized
		case v.K == types.KText:
			strs[v.S] = true
		case v.K == types.KInt:
			ints[v.I] = true
		default:
			return nil, errNotVectorized
		}
	}
	x, t, err := vc.value(e.X)
	if err != nil || t.k != vStr && t.k != vInt {
		return nil, errNotVectorized
	}
	if t.k == vStr {
		each := vc.keep(x, func(v *vec, j int32) bool { return (v.null == nil || !v.null[j]) && strs[v.s[j]] != e.Not })
		return vc.dictPred(columnOf(e.X), func(s string) bool { return strs[s] != e.Not }, each), nil
	}
	return vc.keep(x, func(v *vec, j int32) bool { return (v.null == nil || !v.null[j]) && ints[v.i[j]] != e.Not }), nil
}

// keep compiles a predicate that keeps the positions of sel where pass
// holds of x's vector.
func (vc *vcompiler) keep(x vfn, pass func(v *vec, j int32) bool) vpred {
	out := make([]int32, vc.size)
	return func(b *vbatch, sel []int32) ([]int32, error) {
		v, err := x(b, sel)
		if err != nil {
			return nil, err
		}
		res := out[:0]
		for _, j := range sel {
			if pass(v, j) {
				res = append(res, j)
			}
		}
		return res, nil
	}
}

// stringID reports whether id is text or varchar, which compare alike.
func stringID(id types.ID) bool { return id == types.Text || id == types.Varchar }

// or keeps the positions where either side is TRUE.
func (vc *vcompiler) or(e *plan.Binary) (vpred, error) {
	l, err := vc.pred(e.L)
	if err != nil {
		return nil, err
	}
	r, err := vc.pred(e.R)
	if err != nil {
		return nil, err
	}
	rest := make([]int32, vc.size)
	out := make([]int32, vc.size)
	return func(b *vbatch, sel []int32) ([]int32, error) {
		a, err := l(b, sel)
		if err != nil {
			return nil, err
		}
		left := without(append(rest[:0], sel...), a)
		a = append(out[:0], a...) // r may reuse l's buffers
		c, err := r(b, left)
		if err != nil {
			return nil, err
		}
		merged := make([]int32, 0, len(a)+len(c))
		i, k := 0, 0
		for i < len(a) || k < len(c) {
			if k == len(c) || i < len(a) && a[i] < c[k] {
				merged = append(merged, a[i])
				i++
			} else {
				merged = append(merged, c[k])
				k++
			}
		}
		return merged, nil
	}, nil
}

// compare compiles a comparison of two vectorized values.
func (vc *vcompiler) compare(e *plan.Binary) (vpred, error) {
	if e.L.Type().ID == types.Char || e.R.Type().ID == types.Char {
		return nil, errNotVectorized // char compares without trailing blanks
	}
	if p := vc.colConstPred(e); p != nil {
		return p, nil
	}
	l, r, t, err := vc.aligned(e.L, e.R)
	if err != nil {
		return nil, err
	}
	out := make([]int32, vc.size)
	op := e.Op
	lc, lok := e.L.(*plan.ColRef)
	rc, rok := e.R.(*plan.ColRef)
	// Two columns of one type stored as int32 (dates: TPC-H's
	// l_commitdate < l_receiptdate) compare in place, without widening.
	in32 := lok && rok && e.L.Type().ID == e.R.Type().ID && column.KindOf(e.L.Type()) == column.Int32
	bits, aop := make([]byte, (vc.size+7)/8+8), asmOps[op]
	gen := func(b *vbatch, sel []int32) ([]int32, error) {
		if in32 {
			x, y := &b.seg.Cols[lc.Idx], &b.seg.Cols[rc.Idx]
			if x.I32 != nil && y.I32 != nil && len(sel) == b.n && b.off%8 == 0 { // the whole batch: SIMD
				bm := bits[:(b.n+7)/8]
				asm.CmpInt32Cols(x.I32[b.off:b.off+b.n], aop, y.I32[b.off:b.off+b.n], bm)
				if y.Valid != nil {
					asm.BitmapAnd(bm, bm, y.Valid[b.off/8:b.off/8+len(bm)])
				}
				return validSel(x, b, bm, out), nil
			}
			if x.I32 != nil && y.I32 != nil { // plain int32 columns, not encoded
				res := cmpSel(op, x.I32[b.off:b.off+b.n], y.I32[b.off:b.off+b.n], sel, out[:0])
				if x.Valid != nil || y.Valid != nil {
					kept := res[:0]
					for _, j := range res {
						if !x.Null(b.off+int(j)) && !y.Null(b.off+int(j)) {
							kept = append(kept, j)
						}
					}
					res = kept
				}
				return res, nil
			}
		}
		lv, err := l(b, sel)
		if err != nil {
			return nil, err
		}
		rv, err := r(b, sel)
		if err != nil {
			return nil, err
		}
		res := out[:0]
		switch {
		case t.k == vInt && len(sel) == b.n && len(lv.i) >= b.n && len(rv.i) >= b.n: // the whole batch: SIMD
			bm := bits[:(b.n+7)/8]
			asm.CmpInt64Cols(lv.i[:b.n], aop, rv.i[:b.n], bm)
			res = out[:asm.BitmapToSel(bm, b.n, out)]
		case t.k == vInt:
			res = cmpSel(op, lv.i, rv.i, sel, res)
		case t.k == vFloat:
			res = cmpSelFloat(op, lv.f, rv.f, sel, res)
		case t.k == vStr:
			res = cmpSel(op, lv.s, rv.s, sel, res)
		}
		if lv.null != nil || rv.null != nil {
			res = dropNulls(res, lv.null, rv.null)
		}
		return res, nil
	}
	if col, test := vc.strColConst(e); test != nil {
		return vc.dictPred(col, test, gen), nil
	}
	return gen, nil
}

// strColConst returns, for a comparison of a string column with a
// non-NULL text constant, the column and the test of a value of it.
func (vc *vcompiler) strColConst(e *plan.Binary) (int, func(string) bool) {
	op, colE, constE := e.Op, e.L, e.R
	if !constant(constE) {
		op, colE, constE = flipCmp[op], e.R, e.L
	}
	ref, ok := colE.(*plan.ColRef)
	if !ok || op == "" || !constant(constE) || column.KindOf(vc.cols[ref.Idx]) != column.String {
		return -1, nil
	}
	v, err := vc.eval(constE)
	if err != nil || v.K != types.KText {
		return -1, nil
	}
	holds := cmpTest(op)
	return ref.Idx, func(s string) bool { return holds(strings.Compare(s, v.S)) }
}

func dropNulls(sel []int32, a, b []bool) []int32 {
	out := sel[:0]
	for _, j := range sel {
		if (a == nil || !a[j]) && (b == nil || !b[j]) {
			out = append(out, j)
		}
	}
	return out
}

func cmpSel[T int32 | int64 | string](op string, l, r []T, sel, out []int32) []int32 {
	n := len(out)
	out = out[:n+len(sel)] // branchless, as cmpConstSel
	switch op {
	case "=":
		for _, j := range sel {
			out[n] = j
			n += bit(l[j] == r[j])
		}
	case "<>":
		for _, j := range sel {
			out[n] = j
			n += bit(l[j] != r[j])
		}
	case "<":
		for _, j := range sel {
			out[n] = j
			n += bit(l[j] < r[j])
		}
	case "<=":
		for _, j := range sel {
			out[n] = j
			n += bit(l[j] <= r[j])
		}
	case ">":
		for _, j := range sel {
			out[n] = j
			n += bit(l[j] > r[j])
		}
	case ">=":
		for _, j := range sel {
			out[n] = j
			n += bit(l[j] >= r[j])
		}
	}
	return out[:n]
}

// asmOps are the SIMD kernels' comparison operators.
var asmOps = map[string]asm.Op{"=": asm.Eq, "<>": asm.Ne, "<": asm.Lt, "<=": asm.Le, ">": asm.Gt, ">=": asm.Ge}

// cmpSelFloat compares as PostgreSQL does: NaN equals NaN and sorts above
// every other value.
func cmpSelFloat(op string, l, r []float64, sel, out []int32) []int32 {
	for _, j := range sel {
		c := types.Compare(types.NewFloat(l[j]), types.NewFloat(r[j]))
		var ok bool
		switch op {
		case "=":
			ok = c == 0
		case "<>":
			ok = c != 0
		case "<":
			ok = c < 0
		case "<=":
			ok = c <= 0
		case ">":
			ok = c > 0
		case ">=":
			ok = c >= 0
		}
		if ok {
			out = append(out, j)
		}
	}
	return out
}

// rowPred evaluates a condition the vectorized code has no form for with
// the row evaluator, row by row, over the columns it reads. A condition on
// one dictionary-encoded column is evaluated once per dictionary entry.
func (vc *vcompiler) rowPred(e plan.Expr) (vpred, error) {
	var cols []int
	ok := true
	plan.Walk(e, func(x plan.Expr) {
		switch x := x.(type) {
		case *plan.ColRef:
			if column.KindOf(vc.cols[x.Idx]) == column.Unsupported {
				ok = false
			}
			for _, c := range cols {
				if c == x.Idx {
					return
				}
			}
			cols = append(cols, x.Idx)
		case *plan.OuterRef, *plan.Subquery, *plan.Quantified:
			ok = false
		case *plan.In:
			ok = ok && x.Sub == nil // its row is the subquery's, which may read ours
		case *plan.Func:
			ok = ok && !volatileFuncs[x.Name]
		}
	})
	if !ok {
		return nil, errNotVectorized
	}
	f, err := vc.c.compile(e)
	if err != nil {
		return nil, err
	}
	r := make([]types.Value, len(vc.cols))
	out := make([]int32, vc.size)
	var lastSeg *row.Segment
	var dictResult []int8 // per dictionary entry: 0 unknown, 1 true, 2 not true
	return func(b *vbatch, sel []int32) ([]int32, error) {
		res := out[:0]
		if len(cols) == 1 && b.seg.Cols[cols[0]].Codes != nil {
			c := &b.seg.Cols[cols[0]]
			if lastSeg != b.seg {
				lastSeg, dictResult = b.seg, make([]int8, len(c.Dict))
			}
			var nullResult int8
			for _, j := range sel {
				var err error
				res, nullResult, err = dictTest(f, r, cols[0], c, b.off+int(j), dictResult, nullResult, res, j)
				if err != nil {
					return nil, err
				}
			}
			return res, nil
		}
		for _, j := range sel {
			for _, ci := range cols {
				r[ci] = b.seg.Cols[ci].Value(b.off + int(j))
			}
			v, err := f(r)
			if err != nil {
				return nil, err
			}
			if !v.IsNull() && v.Bool() {
				res = append(res, j)
			}
		}
		return res, nil
	}, nil
}

// dictTest tests row i of a dictionary column through the cached result of
// its dictionary entry, computing it on first use.
func dictTest(f evalFn, r []types.Value, ci int, c *column.Column, i int,
	cache []int8, nullResult int8, res []int32, j int32) ([]int32, int8, error) {
	slot := &nullResult
	if !c.Null(i) {
		slot = &cache[c.Codes[i]]
	}
	if *slot == 0 {
		r[ci] = c.Value(i)
		v, err := f(r)
		if err != nil {
			return res, nullResult, err
		}
		*slot = 2
		if !v.IsNull() && v.Bool() {
			*slot = 1
		}
	}
	if *slot == 1 {
		res = append(res, j)
	}
	return res, nullResult, nil
}

// colCmp compares an integer-like column's stored int64 form with k.
type colCmp struct {
	idx int
	op  asm.Op
	k   int64
}

// colConstPred compiles a comparison of an integer-like column (possibly
// under a cast that keeps its values) with a constant into a comparison of
// the column's stored int64 form with one integer, which runs on the SIMD
// kernels when the whole batch is selected; it returns nil for any other
// comparison.
func (vc *vcompiler) colConstPred(e *plan.Binary) vpred {
	if c, ok := vc.colConstCmp(e); ok {
		return vc.intColPred(c)
	}
	return nil
}

// colConstCmp returns e as a colCmp, if it is one (see colConstPred).
func (vc *vcompiler) colConstCmp(e *plan.Binary) (colCmp, bool) {
	op, colE, constE := e.Op, e.L, e.R
	if !constant(constE) {
		op, colE, constE = flipCmp[op], e.R, e.L
	}
	if c, ok := colE.(*plan.Cast); ok && exactCast(c.X.Type(), c.T) {
		colE = c.X
	}
	ref, ok := colE.(*plan.ColRef)
	if !ok || op == "" || !constant(constE) {
		return colCmp{}, false
	}
	ct := vc.cols[ref.Idx]
	if k := column.KindOf(ct); k != column.Int32 && k != column.Int64 {
		return colCmp{}, false
	}
	v, err := vc.eval(constE)
	if err != nil || v.IsNull() {
		return colCmp{}, false
	}
	// The comparison is col*u op c.
	var c, u int64 = 0, 1
	const usPerDay = 86400 * 1e6
	switch {
	case ct.ID == types.Date && v.K == types.KDate, isTimestamp(ct.ID) && (v.K == types.KTimestamp || v.K == types.KTimestampTZ):
		c = v.I
	case ct.ID == types.Date && (v.K == types.KTimestamp || v.K == types.KTimestampTZ):
		c, u = v.I, usPerDay // a date is its midnight, as types.Compare has it
	case isTimestamp(ct.ID) && v.K == types.KDate:
		c = v.I * usPerDay
	case ct.ID == types.Bool && v.K == types.KBool:
		c = v.I
	case (isInteger(ct.ID) || ct.ID == types.Numeric) && (v.K == types.KInt || v.K == types.KDecimal):
		colScale := int32(0)
		if ct.ID == types.Numeric {
			colScale = ct.Scale
		}
		s := colScale
		if v.K == types.KDecimal && -v.D.Exponent > s {
			s = -v.D.Exponent
		}
		if s > 18 {
			return colCmp{}, false
		}
		if c, ok = scaledInt(v, s); !ok {
			return colCmp{}, false
		}
		u = pow10[s-colScale]
	default:
		return colCmp{}, false
	}
	floor, ceil := c/u, c/u
	if c%u != 0 {
		if c < 0 {
			floor--
		} else {
			ceil++
		}
	}
	var k int64
	var aop asm.Op
	switch op {
	case "<=":
		aop, k = asm.Le, floor
	case "<":
		aop, k = asm.Lt, ceil
	case ">=":
		aop, k = asm.Ge, ceil
	case ">":
		aop, k = asm.Gt, floor
	case "=", "<>":
		if c%u != 0 { // no stored value can equal c
			aop, k = asm.Ge, math.MinInt64
			if op == "=" {
				aop = asm.Lt
			}
		} else {
			aop, k = asmOps[op], c/u
		}
	}
	return colCmp{ref.Idx, aop, k}, true
}

// exactCast reports whether a cast keeps every value as it is (so a
// comparison may look through it).
func exactCast(from, to types.T) bool {
	switch {
	case isInteger(from.ID) && (isInteger(to.ID) && intWidth(to.ID) >= intWidth(from.ID) || to.ID == types.Numeric && to.Precision == 0):
		return true
	case from.ID == types.Numeric && to.ID == types.Numeric && to.Precision == 0:
		return true
	case from.ID == types.Date && to.ID == types.Timestamp:
		return true // compares as the date does, at midnight
	}
	return false
}

// sparse reports whether the selection sel of a batch of n rows is small
// enough that reading an encoded column's selected rows one by one beats
// decoding them all.
func sparse(sel []int32, n int) bool { return len(sel) < n/4 }

// intColPred keeps the rows whose stored int column compares as cmp says.
func (vc *vcompiler) intColPred(cmp colCmp) vpred {
	idx, op, k := cmp.idx, cmp.op, cmp.k
	out := make([]int32, vc.size)
	bits := make([]byte, (vc.size+7)/8+8)
	decoded := make([]int64, vc.size) // the selected rows of an encoded column
	return func(b *vbatch, sel []int32) ([]int32, error) {
		c := &b.seg.Cols[idx]
		if c.Enc == column.RunLength {
			return dropColNulls(c, b.off, runsSel(c.Runs, b.off, op, k, sel, out[:0])), nil
		}
		x64 := vc.intsOf(b, idx, sel, decoded)
		if len(sel) == b.n && b.off%8 == 0 && (x64 != nil || k == int64(int32(k))) {
			bm := bits[:(b.n+7)/8]
			if x64 == nil {
				asm.CmpInt32(c.I32[b.off:b.off+b.n], op, int32(k), bm)
			} else {
				asm.CmpInt64(x64, op, k, bm)
			}
			return validSel(c, b, bm, out), nil
		}
		var res []int32
		if x64 == nil {
			res = cmpConstSel(c.I32[b.off:], op, k, sel, out[:0])
		} else {
			res = cmpConstSel(x64, op, k, sel, out[:0])
		}
		return dropColNulls(c, b.off, res), nil
	}
}

// intsOf returns the values of column idx (not run-length encoded) at the
// rows of the batch as int64s, or nil for a plain int32 column, whose
// values the caller reads in place. An encoded column's selected rows are
// gathered into decoded when sel is sparse, else the batch is decoded
// whole.
func (vc *vcompiler) intsOf(b *vbatch, idx int, sel []int32, decoded []int64) []int64 {
	c := &b.seg.Cols[idx]
	switch {
	case c.Enc != column.Plain && sparse(sel, b.n):
		c.Gather(b.off, sel, decoded)
		return decoded
	case c.Enc != column.Plain:
		return vc.decode(b, idx)
	case c.Kind == column.Int64:
		return c.I64[b.off : b.off+b.n]
	}
	return nil
}

// validSel returns in out the rows of batch b whose bit is set in bm and
// whose value in column c is not NULL.
func validSel(c *column.Column, b *vbatch, bm []byte, out []int32) []int32 {
	if c.Valid != nil {
		asm.BitmapAnd(bm, bm, c.Valid[b.off/8:b.off/8+len(bm)])
	}
	return out[:asm.BitmapToSel(bm, b.n, out)]
}

// dropColNulls removes from res the rows where column c (of a batch at row
// off) is NULL.
func dropColNulls(c *column.Column, off int, res []int32) []int32 {
	if c.Valid == nil {
		return res
	}
	kept := res[:0]
	for _, j := range res {
		if !c.Null(off + int(j)) {
			kept = append(kept, j)
		}
	}
	return kept
}

// runsSel keeps the rows of sel (of a batch at row off) whose value in a
// run-length encoded column compares with k, comparing once per run.
func runsSel(r *column.Runs, off int, op asm.Op, k int64, sel, out []int32) []int32 {
	if len(sel) == 0 {
		return out
	}
	var hit [1]int32
	for run, i := r.Run(off+int(sel[0])), 0; i < len(sel); run++ {
		end, j := int(r.Ends[run])-off, i // batch rows before end are in the run
		for j < len(sel) && int(sel[j]) < end {
			j++
		}
		if len(cmpConstSel(r.Values[run:run+1], op, k, zeroSel, hit[:0])) > 0 {
			out = append(out, sel[i:j]...)
		}
		i = j
	}
	return out
}

// zeroSel selects the one value runsSel compares.
var zeroSel = []int32{0}

// cmpConstSel keeps the rows of sel whose value in x compares with k,
// appending them to out, whose capacity must hold sel. The loops have no
// branch on the comparison (every row is written, the length advances by
// its result): a selection after another predicate passes rows at random,
// which a branch would mispredict half the time.
func cmpConstSel[T int32 | int64](x []T, op asm.Op, k int64, sel, out []int32) []int32 {
	n := len(out)
	out = out[:n+len(sel)]
	switch op {
	case asm.Eq:
		for _, j := range sel {
			out[n] = j
			n += bit(int64(x[j]) == k)
		}
	case asm.Ne:
		for _, j := range sel {
			out[n] = j
			n += bit(int64(x[j]) != k)
		}
	case asm.Lt:
		for _, j := range sel {
			out[n] = j
			n += bit(int64(x[j]) < k)
		}
	case asm.Le:
		for _, j := range sel {
			out[n] = j
			n += bit(int64(x[j]) <= k)
		}
	case asm.Gt:
		for _, j := range sel {
			out[n] = j
			n += bit(int64(x[j]) > k)
		}
	case asm.Ge:
		for _, j := range sel {
			out[n] = j
			n += bit(int64(x[j]) >= k)
		}
	}
	return out[:n]
}

// bit is 1 for true and 0 for false, without a branch.
func bit(b bool) int {
	if b {
		return 1
	}
	return 0
}
