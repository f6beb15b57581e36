package exec

import (
	"fmt"
	"math"
	"math/bits"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/cockroachdb/apd/v3"

	"rustydb/plan"
	"rustydb/sqlerr"
	"rustydb/types"
)

// evalFn computes an expression over one input row.
type evalFn func(row []types.Value) (types.Value, error)

// param is the value of parameter e, converted to its type.
func (c *Context) param(e *plan.Param) (types.Value, error) {
	if e.N > len(c.Params) {
		return types.Null, sqlerr.New(sqlerr.ProtocolViolation, "there is no parameter $%d", e.N)
	}
	if v := c.Params[e.N-1]; types.Fits(v, e.T) {
		return v, nil
	}
	return types.CastIn(c.Params[e.N-1], e.T, c.Loc)
}

// cast converts v as cast e does: an assignment's rules or CAST's, in the
// session's time zone.
func (c *Context) cast(v types.Value, e *plan.Cast) (types.Value, error) {
	if e.Assign {
		return types.AssignIn(v, e.T, c.Loc)
	}
	return types.CastIn(v, e.T, c.Loc)
}

// literal reports whether e is made of constants, parameters and casts
// only, which constant evaluates.
func literal(e plan.Expr) bool {
	switch e := e.(type) {
	case *plan.Const, *plan.Param:
		return true
	case *plan.Cast:
		return literal(e.X)
	}
	return false
}

// constant evaluates a literal expression without compiling closures.
func (c *Context) constant(e plan.Expr) (types.Value, error) {
	switch e := e.(type) {
	case *plan.Const:
		return e.V, nil
	case *plan.Param:
		return c.param(e)
	case *plan.Cast:
		v, err := c.constant(e.X)
		if err != nil {
			return v, err
		}
		return c.cast(v, e)
	}
	panic(fmt.Sprintf("exec: constant of %T", e))
}

// constantRows evaluates VALUES rows made only of literal expressions (a
// prepared INSERT's) at once, without compiling closures; ok is false when
// a row holds any other expression.
func (c *Context) constantRows(rows [][]plan.Expr) (out [][]types.Value, ok bool, err error) {
	if !literalRows(rows) {
		return nil, false, nil
	}
	out = make([][]types.Value, len(rows))
	for i, r := range rows {
		if out[i], err = c.constantRow(make([]types.Value, 0, len(r)), r); err != nil {
			return nil, true, err
		}
	}
	return out, true, nil
}

// literalRows reports whether VALUES rows hold literal expressions only.
func literalRows(rows [][]plan.Expr) bool {
	for _, r := range rows {
		if slices.ContainsFunc(r, func(e plan.Expr) bool { return !literal(e) }) {
			return false
		}
	}
	return true
}

// constantRow appends the values of a row of literal expressions to buf.
func (c *Context) constantRow(buf []types.Value, r []plan.Expr) ([]types.Value, error) {
	for _, e := range r {
		// a prepared INSERT's parameter of its column's type, inline
		if p, ok := e.(*plan.Param); ok && p.N <= len(c.Params) && types.Fits(c.Params[p.N-1], p.T) {
			buf = append(buf, c.Params[p.N-1])
			continue
		}
		v, err := c.constant(e)
		if err != nil {
			return buf, err
		}
		buf = append(buf, v)
	}
	return buf, nil
}

// compile turns a typed plan expression into a closure.
func (c *Context) compile(e plan.Expr) (evalFn, error) {
	switch e := e.(type) {
	case *plan.ColRef:
		idx := e.Idx
		return func(row []types.Value) (types.Value, error) { return row[idx], nil }, nil
	case *plan.OuterRef:
		depth, idx := e.Depth, e.Idx
		return func([]types.Value) (types.Value, error) { return c.outer[len(c.outer)-depth][idx], nil }, nil
	case *plan.Const:
		v := e.V
		return func([]types.Value) (types.Value, error) { return v, nil }, nil
	case *plan.Param:
		v, err := c.param(e)
		if err != nil {
			return nil, err
		}
		return func([]types.Value) (types.Value, error) { return v, nil }, nil
	case *plan.Binary:
		return c.compileBinary(e)
	case *plan.Unary:
		x, err := c.compile(e.X)
		if err != nil {
			return nil, err
		}
		if e.Op == "not" {
			return func(row []types.Value) (types.Value, error) {
				v, err := x(row)
				if err != nil || v.IsNull() {
					return v, err
				}
				return types.NewBool(!v.Bool()), nil
			}, nil
		}
		if e.Op == "~" {
			return func(row []types.Value) (types.Value, error) {
				v, err := x(row)
				if err != nil || v.IsNull() {
					return v, err
				}
				return types.NewInt(^v.I), nil // stays within the type's range
			}, nil
		}
		t := e.T
		return func(row []types.Value) (types.Value, error) {
			v, err := x(row)
			if err != nil || v.IsNull() {
				return v, err
			}
			return negate(v, t)
		}, nil
	case *plan.Cast:
		x, err := c.compile(e.X)
		if err != nil {
			return nil, err
		}
		return func(row []types.Value) (types.Value, error) {
			v, err := x(row)
			if err != nil {
				return v, err
			}
			return c.cast(v, e)
		}, nil
	case *plan.IsNull:
		x, err := c.compile(e.X)
		if err != nil {
			return nil, err
		}
		not := e.Not
		return func(row []types.Value) (types.Value, error) {
			v, err := x(row)
			return types.NewBool(v.IsNull() != not), err
		}, nil
	case *plan.IsBool:
		x, err := c.compile(e.X)
		if err != nil {
			return nil, err
		}
		not, want := e.Not, e.Value
		return func(row []types.Value) (types.Value, error) {
			v, err := x(row)
			var r bool
			switch want {
			case "true":
				r = !v.IsNull() && v.Bool()
			case "false":
				r = !v.IsNull() && !v.Bool()
			default:
				r = v.IsNull()
			}
			return types.NewBool(r != not), err
		}, nil
	case *plan.In:
		return c.compileIn(e)
	case *plan.Like:
		return c.compileLike(e)
	case *plan.Case:
		return c.compileCase(e)
	case *plan.Func:
		return c.compileFunc(e)
	case *plan.Subquery:
		return c.compileSubquery(e)
	case *plan.Quantified:
		return c.compileQuantified(e)
	}
	return nil, sqlerr.New(sqlerr.InternalError, "cannot evaluate %T", e)
}

func (c *Context) compileAll(es []plan.Expr) ([]evalFn, error) {
	out := make([]evalFn, len(es))
	for i, e := range es {
		f, err := c.compile(e)
		if err != nil {
			return nil, err
		}
		out[i] = f
	}
	return out, nil
}

func (c *Context) compileBinary(e *plan.Binary) (evalFn, error) {
	l, err := c.compile(e.L)
	if err != nil {
		return nil, err
	}
	r, err := c.compile(e.R)
	if err != nil {
		return nil, err
	}
	if f := c.jsonOp(e, l, r); f != nil {
		return f, nil
	}
	switch e.Op {
	case "and":
		return func(row []types.Value) (types.Value, error) {
			a, err := l(row)
			if err != nil {
				return a, err
			}
			if !a.IsNull() && !a.Bool() {
				return a, nil
			}
			b, err := r(row)
			if err != nil || (!b.IsNull() && !b.Bool()) {
				return b, err
			}
			if a.IsNull() || b.IsNull() {
				return types.Null, nil
			}
			return b, nil
		}, nil
	case "or":
		return func(row []types.Value) (types.Value, error) {
			a, err := l(row)
			if err != nil {
				return a, err
			}
			if !a.IsNull() && a.Bool() {
				return a, nil
			}
			b, err := r(row)
			if err != nil || (!b.IsNull() && b.Bool()) {
				return b, err
			}
			if a.IsNull() || b.IsNull() {
				return types.Null, nil
			}
			return b, nil
		}, nil
	case "=", "<>", "<", "<=", ">", ">=":
		test := cmpTest(e.Op)
		char := e.L.Type().ID == types.Char || e.R.Type().ID == types.Char
		return func(row []types.Value) (types.Value, error) {
			a, err := l(row)
			if err != nil {
				return a, err
			}
			b, err := r(row)
			if err != nil {
				return b, err
			}
			if a.IsNull() || b.IsNull() {
				return types.Null, nil
			}
			if char { // char(n) compares without its padding
				a.S, b.S = strings.TrimRight(a.S, " "), strings.TrimRight(b.S, " ")
			}
			return types.NewBool(test(types.Compare(a, b))), nil
		}, nil
	case "is distinct from", "is not distinct from":
		want := e.Op == "is distinct from"
		return func(row []types.Value) (types.Value, error) {
			a, err := l(row)
			if err != nil {
				return a, err
			}
			b, err := r(row)
			if err != nil {
				return b, err
			}
			return types.NewBool((types.Compare(a, b) != 0) == want), nil
		}, nil
	case "~", "~*", "!~", "!~*":
		return regexMatch(e.Op, l, r), nil
	case "||":
		lt, rt := e.L.Type(), e.R.Type()
		return func(row []types.Value) (types.Value, error) {
			a, err := l(row)
			if err != nil || a.IsNull() {
				return types.Null, err
			}
			b, err := r(row)
			if err != nil || b.IsNull() {
				return types.Null, err
			}
			if lt.ID == types.Char { // char(n) loses its padding when it becomes text
				a.S = strings.TrimRight(a.S, " ")
			}
			if rt.ID == types.Char {
				b.S = strings.TrimRight(b.S, " ")
			}
			if e.T.ID == types.Bytea {
				return types.NewBytea([]byte(a.S + b.S)), nil
			}
			return types.NewText(string(types.AppendTextIn(types.AppendTextIn(nil, a, lt, c.Loc), b, rt, c.Loc))), nil
		}, nil
	}
	op, t := e.Op, e.T
	return func(row []types.Value) (types.Value, error) {
		a, err := l(row)
		if err != nil || a.IsNull() {
			return types.Null, err
		}
		b, err := r(row)
		if err != nil || b.IsNull() {
			return types.Null, err
		}
		return c.arith(op, a, b, t)
	}, nil
}

func cmpTest(op string) func(int) bool {
	switch op {
	case "=":
		return func(c int) bool { return c == 0 }
	case "<>":
		return func(c int) bool { return c != 0 }
	case "<":
		return func(c int) bool { return c < 0 }
	case "<=":
		return func(c int) bool { return c <= 0 }
	case ">":
		return func(c int) bool { return c > 0 }
	}
	return func(c int) bool { return c >= 0 }
}

var errDivZero = sqlerr.New(sqlerr.DivisionByZero, "division by zero")

// Arith applies an arithmetic operator to two non-NULL values with result type t.
func Arith(op string, a, b types.Value, t types.T) (types.Value, error) {
	if v, ok, err := zonedArith(op, a, b, nil); ok { // in UTC; c.arith knows the session's zone
		return v, err
	}
	if t.ID == types.Interval || b.K == types.KInterval {
		return intervalArith(op, a, b)
	}
	switch {
	case t.IsInteger():
		return intArith(op, a.I, b.I, t)
	case t.ID == types.Float4 || t.ID == types.Float8:
		return floatArith(op, a.Float(), b.Float(), t)
	case t.ID == types.Numeric:
		return decimalArith(op, a.ToDecimal(), b.ToDecimal())
	case t.ID == types.Date:
		if b.K == types.KInt {
			if op == "-" {
				return types.NewDate(a.I - b.I), nil
			}
			return types.NewDate(a.I + b.I), nil
		}
	case t.ID == types.Int4 && a.K == types.KDate:
		return types.NewInt(a.I - b.I), nil
	}
	if a.K == types.KDate && b.K == types.KDate && op == "-" {
		return types.NewInt(a.I - b.I), nil
	}
	return types.Null, sqlerr.New(sqlerr.InternalError, "unsupported arithmetic %s on %s", op, t)
}

func intArith(op string, a, b int64, t types.T) (types.Value, error) {
	var r int64
	overflow := false
	switch op {
	case "+":
		r = a + b
		overflow = (a > 0 && b > 0 && r < 0) || (a < 0 && b < 0 && r >= 0)
	case "-":
		r = a - b
		overflow = (a >= 0 && b < 0 && r < 0) || (a < 0 && b > 0 && r >= 0)
	case "*":
		hi, lo := bits.Mul64(uint64(abs64(a)), uint64(abs64(b)))
		neg := (a < 0) != (b < 0)
		overflow = hi != 0 || lo > math.MaxInt64+uint64(boolToInt(neg)) || a == math.MinInt64 || b == math.MinInt64
		if a == 0 || b == 0 {
			overflow = false
		}
		r = a * b
	case "/":
		if b == 0 {
			return types.Null, errDivZero
		}
		if a == math.MinInt64 && b == -1 {
			overflow = true
		} else {
			r = a / b // truncates toward zero, as in PostgreSQL
		}
	case "%":
		if b == 0 {
			return types.Null, errDivZero
		}
		if b != -1 {
			r = a % b
		}
	case "&":
		r = a & b
	case "|":
		r = a | b
	case "#":
		r = a ^ b
	case "<<", ">>":
		r = shift(op, a, b, t.ID)
	default:
		return types.Null, sqlerr.New(sqlerr.UndefinedFunction, "operator does not exist: %s %s %s", t, op, t)
	}
	if overflow || !types.IntFits(r, t.ID) {
		return types.Null, sqlerr.New(sqlerr.NumericValueOutOfRange, "%s out of range", t)
	}
	return types.NewInt(r), nil
}

// shift shifts a by b bits as PostgreSQL's int2/int4/int8 shift operators
// do on x86: in the type's width, the count taken modulo it (a smallint
// shifts as an integer), bits shifted out lost, never an error.
func shift(op string, a, b int64, t types.ID) int64 {
	if t == types.Int8 {
		if op == "<<" {
			return a << (uint64(b) & 63)
		}
		return a >> (uint64(b) & 63)
	}
	x, n := int32(a), uint32(b)&31
	if op == ">>" {
		return int64(x >> n)
	}
	if t == types.Int2 {
		return int64(int16(x << n))
	}
	return int64(x << n)
}

func abs64(a int64) int64 {
	if a < 0 {
		return -a
	}
	return a
}

func boolToInt(b bool) uint64 {
	if b {
		return 1
	}
	return 0
}

func floatArith(op string, a, b float64, t types.T) (types.Value, error) {
	var r float64
	switch op {
	case "+":
		r = a + b
	case "-":
		r = a - b
	case "*":
		r = a * b
	case "/":
		if b == 0 {
			return types.Null, errDivZero
		}
		r = a / b
	case "%":
		if b == 0 {
			return types.Null, errDivZero
		}
		r = math.Mod(a, b)
	case "^":
		r = math.Pow(a, b)
	}
	if math.IsInf(r, 0) && !math.IsInf(a, 0) && !math.IsInf(b, 0) {
		return types.Null, sqlerr.New(sqlerr.NumericValueOutOfRange, "value out of range: overflow")
	}
	if t.ID == types.Float4 {
		r = float64(float32(r))
	}
	return types.NewFloat(r), nil
}

func decimalArith(op string, a, b *apd.Decimal) (types.Value, error) {
	r := new(apd.Decimal)
	var err error
	ctx := types.DecimalContext
	switch op {
	case "+":
		_, err = ctx.Add(r, a, b)
	case "-":
		_, err = ctx.Sub(r, a, b)
	case "*":
		_, err = ctx.Mul(r, a, b)
	case "/":
		if b.IsZero() {
			return types.Null, errDivZero
		}
		return types.NewDecimal(DivideNumeric(a, b)), nil
	case "%":
		if b.IsZero() {
			return types.Null, errDivZero
		}
		_, err = ctx.Rem(r, a, b)
	case "^":
		_, err = ctx.Pow(r, a, b)
		if err == nil {
			ctx.Reduce(r, r)
			if -r.Exponent > 16 {
				ctx.Quantize(r, r, -16)
			}
		}
	}
	if err != nil {
		return types.Null, sqlerr.New(sqlerr.NumericValueOutOfRange, "value overflows numeric format")
	}
	return types.NewDecimal(r), nil
}

// DivideNumeric divides as PostgreSQL's numeric division does: the result
// has at least 16 significant digits and no fewer decimals than either input.
func DivideNumeric(a, b *apd.Decimal) *apd.Decimal {
	weight := func(d *apd.Decimal) (int64, int64) { // base-10000 weight and first digit group
		if d.IsZero() {
			return 0, 0
		}
		exp10 := int64(d.NumDigits()) + int64(d.Exponent) - 1
		w := exp10 / 4
		if exp10 < 0 && exp10%4 != 0 {
			w--
		}
		var first apd.Decimal
		first.Abs(d)
		first.Exponent -= int32(4 * w)
		var fl apd.Decimal
		types.DecimalContext.Floor(&fl, &first)
		f, _ := fl.Int64()
		return w, f
	}
	w1, f1 := weight(a)
	w2, f2 := weight(b)
	q := w1 - w2
	if f1 <= f2 {
		q--
	}
	scale := 16 - q*4
	scale = max(scale, int64(-min(a.Exponent, 0)), int64(-min(b.Exponent, 0)), 0)
	scale = min(scale, 1000)
	ctx := types.DecimalContext
	ctx.Precision = uint32(max(int64(a.NumDigits()+int64(a.Exponent))-int64(b.NumDigits()+int64(b.Exponent))+scale+4, 8))
	r := new(apd.Decimal)
	ctx.Quo(r, a, b)
	types.DecimalContext.Quantize(r, r, -int32(scale))
	return r
}

func negate(v types.Value, t types.T) (types.Value, error) {
	switch v.K {
	case types.KInterval:
		m, d, us := v.IntervalParts()
		return types.NewInterval(-m, -d, -us), nil
	case types.KInt:
		if v.I == math.MinInt64 || !types.IntFits(-v.I, t.ID) {
			return types.Null, sqlerr.New(sqlerr.NumericValueOutOfRange, "%s out of range", t)
		}
		return types.NewInt(-v.I), nil
	case types.KFloat:
		return types.NewFloat(-v.F), nil
	case types.KDecimal:
		return types.NewDecimal(new(apd.Decimal).Neg(v.D)), nil
	}
	return v, nil
}

func (c *Context) compileIn(e *plan.In) (evalFn, error) {
	x, err := c.compile(e.X)
	if err != nil {
		return nil, err
	}
	not := e.Not
	var list func() ([]types.Value, error)
	if e.Sub != nil {
		// the subquery's column is cast to the comparison type by List[0]
		conv, err := c.compile(e.List[0])
		if err != nil {
			return nil, err
		}
		sub := e.Sub
		if sub.Correlated {
			return func(row []types.Value) (types.Value, error) {
				v, err := x(row)
				if err != nil {
					return v, err
				}
				rows, err := c.correlatedRows(sub, row)
				if err != nil {
					return types.Null, err
				}
				vals := make([]types.Value, len(rows))
				for i, r := range rows {
					if vals[i], err = conv(r); err != nil {
						return types.Null, err
					}
				}
				return inResult(v, vals, not), nil
			}, nil
		}
		list = func() ([]types.Value, error) {
			rows, err := c.subqueryRows(sub)
			if err != nil {
				return nil, err
			}
			vals := make([]types.Value, len(rows))
			for i, r := range rows {
				if vals[i], err = conv(r); err != nil {
					return nil, err
				}
			}
			return vals, nil
		}
	} else {
		fns, err := c.compileAll(e.List)
		if err != nil {
			return nil, err
		}
		list = func() ([]types.Value, error) {
			vals := make([]types.Value, len(fns))
			for i, f := range fns {
				if vals[i], err = f(nil); err != nil {
					return nil, err
				}
			}
			return vals, nil
		}
		if !allConst(e.List) {
			// items depend on the row: evaluate per row
			return func(row []types.Value) (types.Value, error) {
				v, err := x(row)
				if err != nil {
					return v, err
				}
				vals := make([]types.Value, len(fns))
				for i, f := range fns {
					if vals[i], err = f(row); err != nil {
						return types.Null, err
					}
				}
				return inResult(v, vals, not), nil
			}, nil
		}
	}
	var set *inSet
	return func(row []types.Value) (types.Value, error) {
		v, err := x(row)
		if err != nil {
			return v, err
		}
		if set == nil {
			items, err := list()
			if err != nil {
				return types.Null, err
			}
			set = newInSet(items)
		}
		return set.result(v, not), nil
	}, nil
}

// inSet is the list of an IN whose items do not depend on the row, hashed
// once so that each row's test is a lookup rather than a scan of the list
// (x NOT IN (subquery) over large inputs).
type inSet struct {
	items   []types.Value
	keys    map[string]struct{}
	kind    types.Kind // the one kind of every non-NULL item, or kindMixed
	hasNull bool
}

// kindMixed marks an inSet whose items have several kinds: an int must
// still meet an equal numeric, so only a scan decides.
const kindMixed types.Kind = 255

func newInSet(items []types.Value) *inSet {
	s := &inSet{items: items, keys: make(map[string]struct{}, len(items)), kind: types.KNull}
	var buf []byte
	for _, item := range items {
		switch {
		case item.IsNull():
			s.hasNull = true
			continue
		case s.kind == types.KNull:
			s.kind = item.K
		case s.kind != item.K:
			s.kind = kindMixed
		}
		buf = item.HashKey(buf[:0])
		s.keys[string(buf)] = struct{}{}
	}
	return s
}

// result is v [NOT] IN the set with SQL's three-valued logic. The hash
// lookup decides alone when v has the kind of every item and that kind's
// hash key is equal exactly when the values compare equal.
func (s *inSet) result(v types.Value, not bool) types.Value {
	switch { // integers and numerics meet by value: 1 = 1.0
	case v.K == types.KInt && s.kind == types.KDecimal:
		v = types.NewDecimal(v.ToDecimal())
	case v.K == types.KDecimal && s.kind == types.KInt:
		i, err := v.D.Int64()
		if err != nil { // a fraction, infinity or NaN equals no integer
			return s.miss(not)
		}
		v = types.NewInt(i)
	}
	if v.IsNull() || v.K != s.kind || !exactHashKind(v.K) {
		return inResult(v, s.items, not)
	}
	if _, found := s.keys[string(v.HashKey(nil))]; found {
		return types.NewBool(!not)
	}
	return s.miss(not)
}

// miss is the result for a non-NULL value equal to no item.
func (s *inSet) miss(not bool) types.Value {
	if s.hasNull {
		return types.Null
	}
	return types.NewBool(not)
}

// exactHashKind reports whether two values of kind k compare equal exactly
// when their HashKeys are equal.
func exactHashKind(k types.Kind) bool {
	switch k {
	case types.KBool, types.KInt, types.KDate, types.KTimestamp, types.KTimestampTZ, types.KTime,
		types.KFloat, types.KDecimal, types.KText, types.KUUID, types.KBytes, types.KInterval:
		return true
	}
	return false
}

// inResult applies SQL's three-valued IN: NULL when no match and a NULL is involved.
func inResult(v types.Value, list []types.Value, not bool) types.Value {
	if v.IsNull() {
		if len(list) == 0 {
			return types.NewBool(not)
		}
		return types.Null
	}
	found, sawNull := false, false
	for _, item := range list {
		if item.IsNull() {
			sawNull = true
		} else if types.Compare(v, item) == 0 {
			found = true
			break
		}
	}
	switch {
	case found:
		return types.NewBool(!not)
	case sawNull:
		return types.Null
	}
	return types.NewBool(not)
}

func allConst(es []plan.Expr) bool {
	for _, e := range es {
		ok := true
		plan.Walk(e, func(x plan.Expr) {
			if _, isCol := x.(*plan.ColRef); isCol {
				ok = false
			}
		})
		if !ok {
			return false
		}
	}
	return true
}

func (c *Context) compileLike(e *plan.Like) (evalFn, error) {
	x, err := c.compile(e.X)
	if err != nil {
		return nil, err
	}
	p, err := c.compile(e.Pattern)
	if err != nil {
		return nil, err
	}
	not, fold := e.Not, e.ILike
	if c, ok := e.Pattern.(*plan.Const); ok && c.V.K == types.KText {
		pat := c.V.S
		if fold {
			pat = strings.ToLower(pat)
		}
		if match := likeMatcher(pat); match != nil { // nil for a malformed pattern, which the general form below reports
			return func(row []types.Value) (types.Value, error) {
				s, err := x(row)
				if err != nil || s.IsNull() {
					return types.Null, err
				}
				str := s.S
				if fold {
					str = strings.ToLower(str)
				}
				return types.NewBool(match(str) != not), nil
			}, nil
		}
	}
	return func(row []types.Value) (types.Value, error) {
		s, err := x(row)
		if err != nil || s.IsNull() {
			return types.Null, err
		}
		pat, err := p(row)
		if err != nil || pat.IsNull() {
			return types.Null, err
		}
		str, ps := s.S, pat.S
		if fold {
			str, ps = strings.ToLower(str), strings.ToLower(ps)
		}
		m, err := like(str, ps)
		if err != nil {
			return types.Null, err
		}
		return types.NewBool(m != not), nil
	}, nil
}

// likeMatcher returns a matcher for a valid LIKE pattern, nil for a
// malformed one.
func likeMatcher(p string) func(string) bool {
	if match := percentOnlyLike(p); match != nil {
		return match
	}
	for i := 0; i < len(p); i++ {
		if p[i] == '\\' {
			if i++; i == len(p) {
				return nil // like's error: the pattern ends with the escape
			}
		}
	}
	return func(s string) bool {
		m, _ := like(s, p)
		return m
	}
}

// percentOnlyLike returns a matcher for a LIKE pattern whose only special
// character is % (TPC-H's '%special%requests%', 'PROMO%'): its literal
// pieces must appear in order, the first at the start unless the pattern
// starts with %, the last at the end unless it ends with %; the leftmost
// occurrence of each piece is as good as any. nil for other patterns.
func percentOnlyLike(p string) func(string) bool {
	if strings.ContainsAny(p, "_\\") {
		return nil
	}
	pieces := strings.Split(p, "%")
	first, last := pieces[0], pieces[len(pieces)-1]
	if len(pieces) == 1 {
		return func(s string) bool { return s == p }
	}
	middle := pieces[1 : len(pieces)-1]
	// A string without the pattern's rarest byte cannot match: one
	// IndexByte rules out most strings before any substring search
	// (TPC-H q13: 'q' of '%special%requests%').
	rare, screen := rarestByte(pieces)
	screen = screen && len(middle) > 0
	return func(s string) bool {
		if screen && strings.IndexByte(s, rare) < 0 {
			return false
		}
		if !strings.HasPrefix(s, first) {
			return false
		}
		s = s[len(first):]
		for _, m := range middle {
			i := strings.Index(s, m)
			if i < 0 {
				return false
			}
			s = s[i+len(m):]
		}
		return strings.HasSuffix(s, last)
	}
}

// like matches s against a LIKE pattern: % any run, _ one character, \ escapes.
func like(s, p string) (bool, error) {
	for len(p) > 0 {
		r, size := utf8.DecodeRuneInString(p)
		switch r {
		case '%':
			p = p[size:]
			if p == "" {
				return true, nil
			}
			for i := 0; i <= len(s); {
				if ok, err := like(s[i:], p); ok || err != nil {
					return ok, err
				}
				if i == len(s) {
					break
				}
				_, sz := utf8.DecodeRuneInString(s[i:])
				i += sz
			}
			return false, nil
		case '_':
			if s == "" {
				return false, nil
			}
			_, sz := utf8.DecodeRuneInString(s)
			s, p = s[sz:], p[size:]
		case '\\':
			p = p[size:]
			if p == "" {
				return false, sqlerr.New(sqlerr.InvalidEscapeSequence, "LIKE pattern must not end with escape character")
			}
			r, size = utf8.DecodeRuneInString(p)
			fallthrough
		default:
			sr, sz := utf8.DecodeRuneInString(s)
			if s == "" || sr != r {
				return false, nil
			}
			s, p = s[sz:], p[size:]
		}
	}
	return s == "", nil
}

func (c *Context) compileCase(e *plan.Case) (evalFn, error) {
	type arm struct{ cond, result evalFn }
	arms := make([]arm, len(e.Whens))
	for i, w := range e.Whens {
		cond, err := c.compile(w.Cond)
		if err != nil {
			return nil, err
		}
		res, err := c.compile(w.Result)
		if err != nil {
			return nil, err
		}
		arms[i] = arm{cond, res}
	}
	var els evalFn
	if e.Else != nil {
		var err error
		if els, err = c.compile(e.Else); err != nil {
			return nil, err
		}
	}
	return func(row []types.Value) (types.Value, error) {
		for _, a := range arms {
			v, err := a.cond(row)
			if err != nil {
				return v, err
			}
			if !v.IsNull() && v.Bool() {
				return a.result(row)
			}
		}
		if els != nil {
			return els(row)
		}
		return types.Null, nil
	}, nil
}

func (c *Context) compileSubquery(e *plan.Subquery) (evalFn, error) {
	return func(row []types.Value) (types.Value, error) {
		var rows [][]types.Value
		var err error
		if e.Correlated {
			rows, err = c.correlatedRows(e, row)
		} else {
			rows, err = c.subqueryRows(e)
		}
		if err != nil {
			return types.Null, err
		}
		if e.Exists {
			return types.NewBool(len(rows) > 0), nil
		}
		if e.Array {
			return subqueryArray(e, rows), nil
		}
		switch len(rows) {
		case 0:
			return types.Null, nil
		case 1:
			return rows[0][0], nil
		}
		return types.Null, sqlerr.New(sqlerr.CardinalityViolation, "more than one row returned by a subquery used as an expression")
	}, nil
}

// subqueryRows runs an uncorrelated subquery once per statement.
func (c *Context) subqueryRows(e *plan.Subquery) ([][]types.Value, error) {
	if rows, ok := c.subqueries[e]; ok {
		return rows, nil
	}
	rows, err := c.runSubquery(e)
	if err != nil {
		return nil, err
	}
	if c.subqueries == nil {
		c.subqueries = make(map[*plan.Subquery][][]types.Value)
	}
	c.subqueries[e] = rows
	return rows, nil
}

// correlatedRows runs a correlated subquery for one row of the query around
// it, reusing the result for rows with the same values in the columns it reads.
func (c *Context) correlatedRows(e *plan.Subquery, row []types.Value) ([][]types.Value, error) {
	var key string
	if e.KeyCols != nil {
		var buf []byte
		for _, i := range e.KeyCols {
			buf = row[i].HashKey(buf)
		}
		key = string(buf)
		if rows, ok := c.memo[e][key]; ok {
			return rows, nil
		}
	}
	c.outer = append(c.outer, row)
	rows, err := c.runSubquery(e)
	c.outer = c.outer[:len(c.outer)-1]
	if err != nil || e.KeyCols == nil {
		return rows, err
	}
	if c.memo == nil {
		c.memo = map[*plan.Subquery]map[string][][]types.Value{}
	}
	if c.memo[e] == nil {
		c.memo[e] = map[string][][]types.Value{}
	}
	c.memo[e][key] = rows
	return rows, nil
}

func (c *Context) runSubquery(e *plan.Subquery) ([][]types.Value, error) {
	op, err := c.Build(e.Plan)
	if err != nil {
		return nil, err
	}
	var rows [][]types.Value
	err = Drain(op, func(r []types.Value) error {
		rows = append(rows, r)
		if e.Exists {
			return errStop // one row answers EXISTS
		}
		return nil
	})
	if err != nil && err != errStop {
		return nil, err
	}
	return rows, nil
}

func (c *Context) compileFunc(e *plan.Func) (evalFn, error) {
	args, err := c.compileAll(e.Args)
	if err != nil {
		return nil, err
	}
	if f := c.arrayFunc(e, args); f != nil {
		return f, nil
	}
	if f := c.recordFunc(e, args); f != nil {
		return f, nil
	}
	if f := c.catalogFunc(e, args); f != nil {
		return f, nil
	}
	if f := c.sessionFunc(e, args); f != nil {
		return f, nil
	}
	if f := c.typeFunc(e, args); f != nil {
		return f, nil
	}
	if f := c.jsonFunc(e, args); f != nil {
		return f, nil
	}
	name, t := e.Name, e.T
	switch name {
	case "concat": // NULL arguments are skipped, not propagated
		return func(row []types.Value) (types.Value, error) {
			var b []byte
			for i, a := range args {
				v, err := a(row)
				if err != nil {
					return v, err
				}
				if !v.IsNull() {
					b = types.AppendTextIn(b, v, e.Args[i].Type(), c.Loc)
				}
			}
			return types.NewText(string(b)), nil
		}, nil
	case "coalesce":
		return func(row []types.Value) (types.Value, error) {
			for _, a := range args {
				v, err := a(row)
				if err != nil || !v.IsNull() {
					return v, err
				}
			}
			return types.Null, nil
		}, nil
	case "similar_to_escape":
		return similarToEscape(args), nil
	case "to_char":
		return c.toChar(e.Args, args), nil
	}
	return func(row []types.Value) (types.Value, error) {
		vals := make([]types.Value, len(args))
		for i, a := range args {
			v, err := a(row)
			if err != nil {
				return v, err
			}
			vals[i] = v
		}
		return c.callFunc(name, vals, t)
	}, nil
}

func toMicros(t time.Time) int64 {
	// timestamp without time zone: the wall clock in UTC
	return t.UTC().UnixMicro()
}

// compileQuantified evaluates x op ANY|ALL (subquery) with SQL's three-valued
// logic: ANY is true on a true comparison, ALL false on a false one, and
// either is NULL when the answer depends on a NULL comparison.
func (c *Context) compileQuantified(e *plan.Quantified) (evalFn, error) {
	x, err := c.compile(e.X)
	if err != nil {
		return nil, err
	}
	cmp, err := c.compile(e.Cmp)
	if err != nil {
		return nil, err
	}
	var arr evalFn
	if e.Sub == nil {
		if arr, err = c.compile(e.Array); err != nil {
			return nil, err
		}
	}
	all := e.All
	return func(row []types.Value) (types.Value, error) {
		v, err := x(row)
		if err != nil {
			return v, err
		}
		var rows [][]types.Value
		switch {
		case arr != nil:
			var a types.Value
			if a, err = arr(row); err == nil {
				if a.IsNull() {
					return types.Null, nil
				}
				rows, err = arrayRows(a)
			}
		case e.Sub.Correlated:
			rows, err = c.correlatedRows(e.Sub, row)
		default:
			rows, err = c.subqueryRows(e.Sub)
		}
		if err != nil {
			return types.Null, err
		}
		sawNull := false
		pair := make([]types.Value, 2)
		for _, r := range rows {
			pair[0], pair[1] = v, r[0]
			res, err := cmp(pair)
			if err != nil {
				return types.Null, err
			}
			switch {
			case res.IsNull():
				sawNull = true
			case res.Bool() && !all:
				return types.NewBool(true), nil
			case !res.Bool() && all:
				return types.NewBool(false), nil
			}
		}
		if sawNull {
			return types.Null, nil
		}
		return types.NewBool(all), nil
	}, nil
}

// intervalArith handles date/timestamp ± interval (calendar months and days
// first, then the time), timestamp - timestamp, interval ± interval and
// interval * or / a number.
func intervalArith(op string, a, b types.Value) (types.Value, error) {
	if b.K == types.KInterval && a.K != types.KInterval { // date or timestamp ± interval
		m, d, us := b.IntervalParts()
		if op == "-" {
			m, d, us = -m, -d, -us
		}
		base := a.I
		if a.K == types.KDate {
			base = a.I * 86400_000_000
		}
		return types.NewTimestamp(addMonths(time.UnixMicro(base).UTC(), int(m)).AddDate(0, 0, int(d)).UnixMicro() + us), nil
	}
	if a.K != types.KInterval { // timestamp - timestamp
		x, y := a.I, b.I
		if a.K == types.KDate {
			x *= 86400_000_000
		}
		if b.K == types.KDate {
			y *= 86400_000_000
		}
		diff := x - y
		days := diff / 86400_000_000
		return types.NewInterval(0, int32(days), diff-days*86400_000_000), nil
	}
	am, ad, aus := a.IntervalParts()
	if b.K == types.KInterval {
		bm, bd, bus := b.IntervalParts()
		if op == "-" {
			bm, bd, bus = -bm, -bd, -bus
		}
		return types.NewInterval(am+bm, ad+bd, aus+bus), nil
	}
	f := b.Float()
	if op == "/" {
		if f == 0 {
			return types.Null, errDivZero
		}
		f = 1 / f
	}
	// fractions of months spill into days and of days into time, as in PostgreSQL
	months := float64(am) * f
	wm := math.Trunc(months)
	days := float64(ad)*f + (months-wm)*30
	wd := math.Trunc(days)
	us := float64(aus)*f + (days-wd)*86400e6
	return types.NewInterval(int32(wm), int32(wd), int64(math.Round(us))), nil
}

// addMonths adds calendar months, keeping the day but clamping it to the
// end of a shorter month (Jan 31 + 1 month is Feb 29), as PostgreSQL does.
func addMonths(t time.Time, months int) time.Time {
	if months == 0 {
		return t
	}
	y, m, d := t.Date()
	first := time.Date(y, m+time.Month(months), 1, t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), time.UTC)
	last := first.AddDate(0, 1, -1).Day()
	return first.AddDate(0, 0, min(d, last)-1)
}

// regexMatch evaluates the POSIX regular expression operators with Go's
// RE2 engine (PostgreSQL's advanced regular expressions minus
// back-references and lookaround). Patterns are compiled once each.
func regexMatch(op string, l, r evalFn) evalFn {
	fold := strings.HasSuffix(op, "*")
	negate := strings.HasPrefix(op, "!")
	cache := map[string]*regexp.Regexp{}
	return func(row []types.Value) (types.Value, error) {
		s, err := l(row)
		if err != nil || s.IsNull() {
			return types.Null, err
		}
		p, err := r(row)
		if err != nil || p.IsNull() {
			return types.Null, err
		}
		re := cache[p.S]
		if re == nil {
			src := "(?s)" + p.S // . matches a newline too, as in PostgreSQL
			if fold {
				src = "(?i)" + src
			}
			if re, err = regexp.Compile(src); err != nil {
				return types.Null, sqlerr.New(sqlerr.InvalidRegularExpression, "invalid regular expression: %v", err)
			}
			if len(cache) < 64 {
				cache[p.S] = re
			}
		}
		return types.NewBool(re.MatchString(s.S) != negate), nil
	}
}
