package plan

import (
	"rustydb/sqlerr"
	"rustydb/types"
)

// Typing of uuid, bytea, timestamp with time zone and time: their operators,
// casts and functions.

// isDateTime reports whether t is date, timestamp or timestamp with time
// zone, which convert into one another implicitly.
func isDateTime(t types.T) bool {
	return t.ID == types.Date || t.ID == types.Timestamp || t.ID == types.TimestampTZ
}

// commonDateTime is the type two date/time types unify to: timestamp with
// time zone when either has a zone, as PostgreSQL prefers it.
func commonDateTime(a, b types.T) types.T {
	if a.ID == types.TimestampTZ || b.ID == types.TimestampTZ {
		return types.TTimestampTZ
	}
	return types.TTimestamp
}

// castableTime reports the explicit casts of time: from timestamp,
// timestamp with time zone and interval, and to interval.
func castableTime(from, to types.T) bool {
	switch {
	case to.ID == types.Time:
		return from.ID == types.Timestamp || from.ID == types.TimestampTZ || from.ID == types.Interval
	case from.ID == types.Time:
		return to.ID == types.Interval
	}
	return false
}

// alignZoned makes a comparison of a timestamp with time zone with a date or
// timestamp compare instants: the other side converts in the session time
// zone, as PostgreSQL's cross-type operators do.
func alignZoned(l, r Expr) (Expr, Expr) {
	lt, rt := l.Type(), r.Type()
	switch {
	case lt.ID == types.TimestampTZ && (rt.ID == types.Date || rt.ID == types.Timestamp):
		r = &Cast{X: r, T: types.TTimestampTZ}
	case rt.ID == types.TimestampTZ && (lt.ID == types.Date || lt.ID == types.Timestamp):
		l = &Cast{X: l, T: types.TTimestampTZ}
	}
	return l, r
}

// byteaConcat types bytea || bytea, or reports false for the text operator.
func (b *Binder) byteaConcat(l, r Expr, pos int) (Expr, bool, error) {
	lt, rt := l.Type(), r.Type()
	if !(lt.ID == types.Bytea && (rt.ID == types.Bytea || rt.ID == types.Unknown) ||
		rt.ID == types.Bytea && lt.ID == types.Unknown) {
		return nil, false, nil
	}
	var err error
	if l, err = b.coerce(l, types.TBytea, pos, "||"); err != nil {
		return nil, true, err
	}
	if r, err = b.coerce(r, types.TBytea, pos, "||"); err != nil {
		return nil, true, err
	}
	return &Binary{Op: "||", L: l, R: r, T: types.TBytea}, true, nil
}

// zonedArith types the arithmetic of timestamp with time zone and time:
// timestamptz ± interval, timestamptz - timestamptz (or - date, - timestamp),
// time ± interval, time - time and date + time. It reports false when
// neither side is one of them.
func (b *Binder) zonedArith(op string, l, r Expr, pos int) (Expr, bool, error) {
	lt, rt := l.Type(), r.Type()
	zoned := func(t types.T) bool { return t.ID == types.TimestampTZ || t.ID == types.Time }
	if !zoned(lt) && !zoned(rt) {
		return nil, false, nil
	}
	if op != "+" && op != "-" {
		return nil, true, b.opError(op, l, r, pos)
	}
	// An untyped literal is an interval ('1 hour'); subtracted, it is the
	// other side's type when it reads as one (time - '09:00' is time -
	// time, as PostgreSQL resolves it).
	literal := func(e Expr, other types.T) Expr {
		if c, ok := e.(*Const); ok && !c.V.IsNull() && op == "-" {
			if v, err := types.CastIn(c.V, other, b.Loc); err == nil {
				return &Const{V: v, T: other}
			}
		}
		return b.mustCoerceConst(e, types.TInterval)
	}
	switch {
	case rt.ID == types.Unknown:
		r = literal(r, lt)
	case lt.ID == types.Unknown && op == "+":
		l = b.mustCoerceConst(l, types.TInterval)
	case lt.ID == types.Unknown:
		l = b.mustCoerceConst(l, rt)
	}
	for _, e := range []Expr{l, r} {
		if ee, ok := e.(*errExpr); ok {
			return nil, true, withPos(ee.err, b, pos)
		}
	}
	lt, rt = l.Type(), r.Type()
	bin := func(l, r Expr, t types.T) (Expr, bool, error) {
		return &Binary{Op: op, L: l, R: r, T: t}, true, nil
	}
	switch {
	case lt.ID == types.TimestampTZ && rt.ID == types.Interval:
		return bin(l, r, types.TTimestampTZ)
	case lt.ID == types.Interval && rt.ID == types.TimestampTZ && op == "+":
		return bin(r, l, types.TTimestampTZ)
	case isDateTime(lt) && isDateTime(rt) && op == "-":
		l, r = alignZoned(l, r)
		return bin(l, r, types.TInterval)
	case lt.ID == types.Time && rt.ID == types.Interval:
		return bin(l, r, types.TTime)
	case lt.ID == types.Interval && rt.ID == types.Time && op == "+":
		return bin(r, l, types.TTime)
	case lt.ID == types.Time && rt.ID == types.Time && op == "-":
		return bin(l, r, types.TInterval)
	case lt.ID == types.Date && rt.ID == types.Time && op == "+":
		return bin(l, r, types.TTimestamp)
	case lt.ID == types.Time && rt.ID == types.Date && op == "+":
		return bin(r, l, types.TTimestamp)
	}
	return nil, true, b.opError(op, l, r, pos)
}

// byteaArgs types functions of a bytea (sha256): an untyped literal is
// read as bytea; text is an error, as PostgreSQL has no sha256(text).
func byteaArgs(res types.T) func(*Binder, []Expr, int) (types.T, error) {
	return func(b *Binder, args []Expr, pos int) (types.T, error) {
		if err := b.argsOf(args[:1], types.TBytea, pos); err != nil {
			return types.T{}, err
		}
		for i := 1; i < len(args); i++ { // encode's format
			if err := b.argsOf(args[i:i+1], types.TText, pos); err != nil {
				return types.T{}, err
			}
		}
		return res, nil
	}
}

// argsOf checks that args are of type t (untyped literals are read as t).
func (b *Binder) argsOf(args []Expr, t types.T, pos int) error {
	for i, a := range args {
		a = resolveUnknownAs(a, t)
		if ee, ok := a.(*errExpr); ok {
			return withPos(ee.err, b, pos)
		}
		at := a.Type()
		if at.ID != t.ID && !(t.ID == types.Text && at.IsString()) {
			return b.errAt(pos, sqlerr.UndefinedFunction, "function does not exist for argument type %s", at).
				WithHint("No function matches the given name and argument types. You might need to add explicit type casts.")
		}
		args[i] = a
	}
	return nil
}

// textOrBytea types md5, length and octet_length, which take text or bytea.
func textOrBytea(res types.T) func(*Binder, []Expr, int) (types.T, error) {
	text := textArgs(res)
	return func(b *Binder, args []Expr, pos int) (types.T, error) {
		if args[0].Type().ID == types.Bytea {
			return res, nil
		}
		return text(b, args, pos)
	}
}

// toTimestampArgs types to_timestamp(seconds since the epoch).
func toTimestampArgs(b *Binder, args []Expr, pos int) (types.T, error) {
	x, err := b.coerce(resolveUnknownAs(args[0], types.TFloat8), types.TFloat8, pos, "to_timestamp")
	if err != nil {
		return types.T{}, err
	}
	args[0] = x
	return types.TTimestampTZ, nil
}
