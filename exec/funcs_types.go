package exec

import (
	"crypto/md5"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"math"
	"strings"
	"time"

	"github.com/cockroachdb/apd/v3"

	"rustydb/plan"
	"rustydb/sqlerr"
	"rustydb/types"
)

// The functions and operators of uuid, bytea, timestamp with time zone and
// time. Values of timestamp with time zone are instants; the session time
// zone (Context.Loc) gives them their wall-clock fields.

// typeFunc compiles the functions of the newer types, or returns nil for a
// function compileFunc handles.
func (c *Context) typeFunc(e *plan.Func, args []evalFn) evalFn {
	loc := c.Loc
	now := c.Now.UnixMicro()
	constant := func(v types.Value) evalFn {
		return func([]types.Value) (types.Value, error) { return v, nil }
	}
	var f func(a []types.Value) (types.Value, error)
	argType := func(i int) types.ID {
		if i < len(e.Args) {
			return e.Args[i].Type().ID
		}
		return types.Unknown
	}
	switch e.Name {
	case "now", "current_timestamp", "transaction_timestamp":
		if e.T.ID == types.Timestamp {
			return constant(types.NewTimestamp(types.ToLocal(now, loc)))
		}
		return constant(types.NewTimestampTZ(now))
	case "statement_timestamp":
		return constant(types.NewTimestampTZ(time.Now().UnixMicro()))
	case "clock_timestamp":
		return func([]types.Value) (types.Value, error) { return types.NewTimestampTZ(time.Now().UnixMicro()), nil }
	case "localtimestamp":
		return constant(types.NewTimestamp(types.ToLocal(now, loc)))
	case "current_date":
		return constant(types.NewDate(dayOf(types.ToLocal(now, loc))))
	case "gen_random_uuid":
		return func([]types.Value) (types.Value, error) { return types.RandomUUID(), nil }
	case "md5":
		f = func(a []types.Value) (types.Value, error) {
			sum := md5.Sum([]byte(a[0].S))
			return types.NewText(hex.EncodeToString(sum[:])), nil
		}
	case "sha224", "sha256", "sha384", "sha512":
		f = func(a []types.Value) (types.Value, error) { return types.NewBytea(shaSum(e.Name, a[0].S)), nil }
	case "encode":
		f = func(a []types.Value) (types.Value, error) { return encodeBytea(a[0].S, a[1].S) }
	case "decode":
		f = func(a []types.Value) (types.Value, error) { return decodeBytea(a[0].S, a[1].S) }
	case "to_timestamp":
		f = func(a []types.Value) (types.Value, error) { return toTimestamp(a[0].Float()) }
	case "length", "octet_length":
		if argType(0) != types.Bytea {
			return nil
		}
		f = func(a []types.Value) (types.Value, error) { return types.NewInt(int64(len(a[0].S))), nil }
	case "extract", "date_part":
		switch argType(1) {
		case types.TimestampTZ:
			f = func(a []types.Value) (types.Value, error) {
				return zonedPart(e.Name, strings.ToLower(a[0].S), a[1].I, loc)
			}
		case types.Time:
			f = func(a []types.Value) (types.Value, error) { return timePart(e.Name, strings.ToLower(a[0].S), a[1].I) }
		default:
			return nil
		}
	case "date_trunc":
		switch argType(1) {
		case types.TimestampTZ:
			f = func(a []types.Value) (types.Value, error) { return zonedTrunc(strings.ToLower(a[0].S), a[1].I, loc) }
		case types.Time:
			f = func(a []types.Value) (types.Value, error) { return timeTrunc(strings.ToLower(a[0].S), a[1].I) }
		default:
			return nil
		}
	default:
		return nil
	}
	return func(row []types.Value) (types.Value, error) {
		vals := make([]types.Value, len(args))
		for i, arg := range args {
			v, err := arg(row)
			if err != nil || v.IsNull() { // strict: NULL in, NULL out
				return types.Null, err
			}
			vals[i] = v
		}
		return f(vals)
	}
}

// dayOf returns the day (since 1970-01-01) of a timestamp in microseconds.
func dayOf(us int64) int64 {
	d := us / 86400_000_000
	if us%86400_000_000 < 0 {
		d--
	}
	return d
}

func shaSum(name, s string) []byte {
	switch name {
	case "sha224":
		sum := sha256.Sum224([]byte(s))
		return sum[:]
	case "sha256":
		sum := sha256.Sum256([]byte(s))
		return sum[:]
	case "sha384":
		sum := sha512.Sum384([]byte(s))
		return sum[:]
	}
	sum := sha512.Sum512([]byte(s))
	return sum[:]
}

// encodeBytea is encode(bytes, format): hex, base64 (lines of 76
// characters, as PostgreSQL writes them) or escape.
func encodeBytea(s, format string) (types.Value, error) {
	switch strings.ToLower(format) {
	case "hex":
		return types.NewText(string(types.AppendHex(nil, s))), nil
	case "base64":
		enc := base64.StdEncoding.EncodeToString([]byte(s))
		var b strings.Builder
		// a newline after every 76 characters written, even at the end
		// when the input ends there, as PostgreSQL's encoder does
		for len(enc) >= 76 {
			b.WriteString(enc[:76])
			b.WriteByte('\n')
			enc = enc[76:]
		}
		b.WriteString(enc)
		return types.NewText(b.String()), nil
	case "escape":
		return types.NewText(string(types.AppendEscape(nil, s))), nil
	}
	return types.Null, sqlerr.New(sqlerr.InvalidParameterValue, "unrecognized encoding: \"%s\"", format)
}

// decodeBytea is decode(text, format), the inverse of encodeBytea.
func decodeBytea(s, format string) (types.Value, error) {
	var b []byte
	var err error
	switch strings.ToLower(format) {
	case "hex":
		b, err = types.DecodeHex(s)
	case "base64":
		clean := strings.Map(func(r rune) rune {
			if r == ' ' || r == '\t' || r == '\n' || r == '\r' {
				return -1
			}
			return r
		}, s)
		if b, err = base64.StdEncoding.DecodeString(clean); err != nil {
			if i := strings.IndexFunc(clean, func(r rune) bool {
				return !(r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '+' || r == '/' || r == '=')
			}); i >= 0 {
				return types.Null, sqlerr.New(sqlerr.InvalidParameterValue, "invalid symbol \"%s\" found while decoding base64 sequence", string([]rune(clean[i:])[:1]))
			}
			return types.Null, sqlerr.New(sqlerr.InvalidParameterValue, "invalid base64 end sequence").
				WithHint("Input data is missing padding, is truncated, or is otherwise corrupted.")
		}
	case "escape":
		b, err = types.DecodeEscape(s)
	default:
		return types.Null, sqlerr.New(sqlerr.InvalidParameterValue, "unrecognized encoding: \"%s\"", format)
	}
	if err != nil {
		return types.Null, err
	}
	return types.NewBytea(b), nil
}

// toTimestamp is to_timestamp(seconds since 1970-01-01 00:00:00 UTC).
func toTimestamp(secs float64) (types.Value, error) {
	if math.IsNaN(secs) {
		return types.Null, sqlerr.New(sqlerr.DatetimeFieldOverflow, "timestamp cannot be NaN")
	}
	us := math.RoundToEven(secs * 1e6)
	// the range of timestamp: 4714-11-24 BC to 294276 AD
	if math.IsInf(secs, 0) || us < -210866803200e6 || us >= 9224318016000e6 {
		return types.Null, sqlerr.New(sqlerr.DatetimeFieldOverflow, "timestamp out of range: \"%s\"", types.Format(types.NewFloat(secs)))
	}
	return types.NewTimestampTZ(int64(us)), nil
}

// zonedPart extracts a field of a timestamp with time zone: the calendar
// fields of its wall clock in loc, the epoch of the instant, the zone's
// offset.
func zonedPart(name, field string, us int64, loc *time.Location) (types.Value, error) {
	off := types.ZoneOffset(us, loc)
	var d *apd.Decimal
	switch field {
	case "epoch":
		return datePart(name, field, types.NewTimestamp(us))
	case "timezone":
		d = apd.New(off, 0)
	case "timezone_hour":
		d = apd.New(off/3600, 0)
	case "timezone_minute":
		d = apd.New(off/60%60, 0)
	default:
		return datePart(name, field, types.NewTimestamp(us+off*1_000_000))
	}
	if name == "date_part" {
		f, _ := d.Float64()
		return types.NewFloat(f), nil
	}
	return types.NewDecimal(d), nil
}

// zonedTrunc is date_trunc on a timestamp with time zone: the wall clock in
// loc is truncated. Units of a day and more start at local midnight; smaller
// ones keep the instant's offset, as in PostgreSQL.
func zonedTrunc(field string, us int64, loc *time.Location) (types.Value, error) {
	local := types.ToLocal(us, loc)
	r, err := dateTrunc(field, types.NewTimestamp(local))
	if err != nil {
		return types.Null, sqlerr.New(sqlerr.FeatureNotSupported, "unit \"%s\" not supported for type timestamp with time zone", field)
	}
	switch field {
	case "hour", "minute", "second", "milliseconds", "microseconds":
		return types.NewTimestampTZ(us - (local - r.I)), nil
	}
	return types.NewTimestampTZ(types.FromLocal(r.I, loc)), nil
}

// timePart extracts a field of a time: numeric for extract, double
// precision for date_part.
func timePart(name, field string, us int64) (types.Value, error) {
	secs := us % 60_000_000 // seconds and microseconds
	var d *apd.Decimal
	switch field {
	case "microsecond", "microseconds", "us", "usec", "usecs":
		d = apd.New(secs, 0)
	case "millisecond", "milliseconds", "ms", "msec", "msecs":
		d = apd.New(secs, -3)
	case "second", "seconds", "sec", "secs", "s":
		d = apd.New(secs, -6)
	case "minute", "minutes", "min", "mins", "m":
		d = apd.New(us/60_000_000%60, 0)
	case "hour", "hours", "hr", "hrs", "h":
		d = apd.New(us/3600_000_000, 0)
	case "epoch":
		d = apd.New(us, -6)
	default:
		return types.Null, sqlerr.New(sqlerr.FeatureNotSupported, "unit \"%s\" not supported for type time without time zone", field)
	}
	if name == "date_part" {
		f, _ := d.Float64()
		return types.NewFloat(f), nil
	}
	return types.NewDecimal(d), nil
}

// timeTrunc is date_trunc on a time, which PostgreSQL computes on the time
// converted to an interval: the result is an interval.
func timeTrunc(field string, us int64) (types.Value, error) {
	unit := int64(0)
	switch field {
	case "microseconds", "microsecond":
		unit = 1
	case "milliseconds", "millisecond":
		unit = 1000
	case "second":
		unit = 1_000_000
	case "minute":
		unit = 60_000_000
	case "hour":
		unit = 3600_000_000
	case "day", "month", "quarter", "year", "decade", "century", "millennium":
		return types.NewInterval(0, 0, 0), nil
	default:
		return types.Null, sqlerr.New(sqlerr.FeatureNotSupported, "unit \"%s\" not supported for type interval", field)
	}
	return types.NewInterval(0, 0, us-us%unit), nil
}

// arith is Arith with the session time zone, which arithmetic on timestamps
// with time zone needs.
func (c *Context) arith(op string, a, b types.Value, t types.T) (types.Value, error) {
	if v, ok, err := zonedArith(op, a, b, c.Loc); ok {
		return v, err
	}
	return Arith(op, a, b, t)
}

// zonedArith computes the operators of timestamp with time zone and time,
// or reports false for other operands:
//
//	timestamptz ± interval  months and days step loc's wall clock (keeping
//	                        the time of day across a daylight saving
//	                        change), microseconds the instant
//	timestamptz - timestamptz  the difference in days of 24 hours and time
//	time ± interval         the time part of the interval, wrapping at midnight
//	time - time             an interval of hours, minutes and seconds
//	date + time             a timestamp
func zonedArith(op string, a, b types.Value, loc *time.Location) (types.Value, bool, error) {
	switch {
	case a.K == types.KTimestampTZ && b.K == types.KInterval:
		m, d, us := b.IntervalParts()
		if op == "-" {
			m, d, us = -m, -d, -us
		}
		r := a.I
		if m != 0 || d != 0 {
			wall := time.UnixMicro(types.ToLocal(a.I, loc)).UTC()
			wall = addMonths(wall, int(m)).AddDate(0, 0, int(d))
			r = types.FromLocal(wall.UnixMicro(), loc)
		}
		return types.NewTimestampTZ(r + us), true, nil
	case a.K == types.KTimestampTZ && b.K == types.KTimestampTZ && op == "-":
		diff := a.I - b.I
		days := diff / 86400_000_000
		return types.NewInterval(0, int32(days), diff-days*86400_000_000), true, nil
	case a.K == types.KTime && b.K == types.KInterval:
		_, _, us := b.IntervalParts()
		if op == "-" {
			us = -us
		}
		r := (a.I + us%86400_000_000) % 86400_000_000
		if r < 0 {
			r += 86400_000_000
		}
		return types.NewTime(r), true, nil
	case a.K == types.KTime && b.K == types.KTime && op == "-":
		return types.NewInterval(0, 0, a.I-b.I), true, nil
	case a.K == types.KDate && b.K == types.KTime && op == "+":
		return types.NewTimestamp(a.I*86400_000_000 + b.I), true, nil
	}
	return types.Null, false, nil
}
