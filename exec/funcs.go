package exec

import (
	"math"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/cockroachdb/apd/v3"

	"rustydb/catalog"
	"rustydb/sqlerr"
	"rustydb/types"
)

// callFunc evaluates a scalar function; the binder has checked and coerced
// the argument types. Functions return NULL on NULL input unless noted.
func (c *Context) callFunc(name string, a []types.Value, t types.T) (types.Value, error) {
	switch name {
	case "version":
		return types.NewText("PostgreSQL " + c.ServerVersion + " on x86_64-pc-linux-gnu, compiled by Go"), nil
	case "current_database", "current_catalog":
		return types.NewText(c.Database), nil
	case "current_user", "current_role":
		return types.NewText(c.User), nil
	case "session_user":
		if c.SessionUser == "" {
			return types.NewText(c.User), nil
		}
		return types.NewText(c.SessionUser), nil
	case "current_schema":
		if path := c.Store.Catalog().SearchPath(c.SearchPath); len(path) > 0 {
			return types.NewText(path[0]), nil
		}
		return types.Null, nil
	case "pg_get_userbyid":
		return c.roleName(a[0].I), nil
	case "pg_table_is_visible":
		if a[0].IsNull() {
			return types.Null, nil
		}
		tbl, k := c.tableOfOID(a[0].I)
		if tbl == nil {
			return types.NewBool(false), nil
		}
		if k >= 0 { // an index is visible when its name resolves to it
			owner, err := c.Store.Catalog().ResolveIndex("", tbl.IndexNames()[k], c.SearchPath)
			return types.NewBool(err == nil && owner.ID == tbl.ID), nil
		}
		return types.NewBool(c.Store.Catalog().Visible(tbl, c.SearchPath)), nil
	case "nextval", "currval", "setval", "lastval":
		return c.sequenceFunc(name, a)
	case "nullif":
		if !a[0].IsNull() && !a[1].IsNull() && types.Compare(a[0], a[1]) == 0 {
			return types.Null, nil
		}
		return a[0], nil
	case "greatest", "least":
		var best types.Value
		for _, v := range a {
			if v.IsNull() {
				continue // NULLs are ignored, as in PostgreSQL
			}
			if best.IsNull() || (name == "greatest") == (types.Compare(v, best) > 0) && types.Compare(v, best) != 0 {
				best = v
			}
		}
		return best, nil
	}
	for _, v := range a {
		if v.IsNull() {
			return types.Null, nil
		}
	}
	switch name {
	case "abs":
		if a[0].K == types.KInt && a[0].I < 0 {
			return negate(a[0], t)
		}
		if a[0].K == types.KFloat {
			return types.NewFloat(math.Abs(a[0].F)), nil
		}
		if a[0].K == types.KDecimal {
			return types.NewDecimal(new(apd.Decimal).Abs(a[0].D)), nil
		}
		return a[0], nil
	case "round", "trunc", "ceil", "ceiling", "floor":
		return roundFunc(name, a, t)
	case "mod":
		return Arith("%", a[0], a[1], t)
	case "lower":
		return types.NewText(strings.ToLower(a[0].S)), nil
	case "upper":
		return types.NewText(strings.ToUpper(a[0].S)), nil
	case "length", "char_length", "character_length":
		return types.NewInt(int64(utf8.RuneCountInString(strings.TrimRight(a[0].S, " ")))), nil
	case "octet_length":
		return types.NewInt(int64(len(a[0].S))), nil
	case "substring", "substr":
		count := int64(-1)
		if len(a) == 3 {
			if a[2].I < 0 {
				return types.Null, sqlerr.New(sqlerr.SubstringError, "negative substring length not allowed")
			}
			count = a[2].I
		}
		return types.NewText(substring(a[0].S, a[1].I, count)), nil
	case "extract", "date_part":
		if a[1].K == types.KInterval {
			return intervalPart(name, strings.ToLower(a[0].S), a[1])
		}
		return datePart(name, strings.ToLower(a[0].S), a[1])
	case "age":
		from := types.NewTimestamp(toMicros(c.Now) / 86400_000_000 * 86400_000_000) // midnight today
		if len(a) == 2 {
			from = a[0]
		}
		return age(from, a[len(a)-1]), nil
	case "date_trunc":
		return dateTrunc(strings.ToLower(a[0].S), a[1])
	case "position", "strpos":
		sub, str := a[0].S, a[1].S
		if name == "strpos" {
			sub, str = str, sub
		}
		i := strings.Index(str, sub)
		if i < 0 {
			return types.NewInt(0), nil
		}
		return types.NewInt(int64(utf8.RuneCountInString(str[:i]) + 1)), nil
	case "left", "right":
		r := []rune(a[0].S)
		n := int(a[1].I)
		if n < 0 {
			n = max(len(r)+n, 0)
		}
		n = min(n, len(r))
		if name == "left" {
			return types.NewText(string(r[:n])), nil
		}
		return types.NewText(string(r[len(r)-n:])), nil
	case "replace":
		if a[1].S == "" {
			return a[0], nil
		}
		return types.NewText(strings.ReplaceAll(a[0].S, a[1].S, a[2].S)), nil
	case "split_part":
		if a[2].I == 0 {
			return types.Null, sqlerr.New(sqlerr.InvalidParameterValue, "field position must not be zero")
		}
		parts := strings.Split(a[0].S, a[1].S)
		if a[1].S == "" {
			parts = []string{a[0].S}
		}
		i := int(a[2].I)
		if i < 0 {
			i = len(parts) + i + 1
		}
		if i < 1 || i > len(parts) {
			return types.NewText(""), nil
		}
		return types.NewText(parts[i-1]), nil
	case "lpad", "rpad":
		r := []rune(a[0].S)
		n := int(max(a[1].I, 0))
		fill := " "
		if len(a) == 3 {
			fill = a[2].S
		}
		if len(r) >= n || fill == "" {
			return types.NewText(string(r[:min(len(r), n)])), nil
		}
		pad := []rune(strings.Repeat(fill, n))[:n-len(r)]
		if name == "lpad" {
			return types.NewText(string(pad) + string(r)), nil
		}
		return types.NewText(string(r) + string(pad)), nil
	case "reverse":
		r := []rune(a[0].S)
		for i, j := 0, len(r)-1; i < j; i, j = i+1, j-1 {
			r[i], r[j] = r[j], r[i]
		}
		return types.NewText(string(r)), nil
	case "repeat":
		if a[1].I <= 0 {
			return types.NewText(""), nil
		}
		if int64(len(a[0].S))*a[1].I > 1<<30 {
			return types.Null, sqlerr.New(sqlerr.ProgramLimitExceeded, "requested length too large")
		}
		return types.NewText(strings.Repeat(a[0].S, int(a[1].I))), nil
	case "initcap":
		var b strings.Builder
		prevAlnum := false
		for _, r := range a[0].S {
			if prevAlnum {
				b.WriteRune(unicode.ToLower(r))
			} else {
				b.WriteRune(unicode.ToUpper(r))
			}
			prevAlnum = unicode.IsLetter(r) || unicode.IsDigit(r)
		}
		return types.NewText(b.String()), nil
	case "sqrt", "exp", "ln", "log", "power", "pow":
		return mathFunc(name, a, t)
	case "sign":
		return types.Cast(types.NewInt(int64(types.Compare(a[0], types.NewInt(0)))), t)
	case "pi":
		return types.NewFloat(math.Pi), nil
	case "btrim", "ltrim", "rtrim":
		chars := " "
		if len(a) == 2 {
			chars = a[1].S
		}
		switch name {
		case "ltrim":
			return types.NewText(strings.TrimLeft(a[0].S, chars)), nil
		case "rtrim":
			return types.NewText(strings.TrimRight(a[0].S, chars)), nil
		}
		return types.NewText(strings.Trim(a[0].S, chars)), nil
	}
	return types.Null, sqlerr.New(sqlerr.UndefinedFunction, "function %s is not implemented", name)
}

func roundFunc(name string, a []types.Value, t types.T) (types.Value, error) {
	v := a[0]
	places := int64(0)
	if len(a) == 2 {
		places = a[1].I
	}
	switch v.K {
	case types.KInt:
		return v, nil
	case types.KFloat:
		p := math.Pow(10, float64(places))
		f := v.F * p
		switch name {
		case "round":
			f = math.RoundToEven(f) // float8 round uses the C library's rint
		case "trunc":
			f = math.Trunc(f)
		case "ceil", "ceiling":
			f = math.Ceil(f)
		case "floor":
			f = math.Floor(f)
		}
		return types.NewFloat(f / p), nil
	case types.KDecimal:
		r := new(apd.Decimal)
		ctx := types.DecimalContext
		switch name {
		case "round":
			ctx.Rounding = apd.RoundHalfUp
		case "trunc":
			ctx.Rounding = apd.RoundDown
		case "ceil", "ceiling":
			ctx.Rounding = apd.RoundCeiling
		case "floor":
			ctx.Rounding = apd.RoundFloor
		}
		if _, err := ctx.Quantize(r, v.D, -int32(places)); err != nil {
			return types.Null, sqlerr.New(sqlerr.NumericValueOutOfRange, "value overflows numeric format")
		}
		return types.NewDecimal(r), nil
	}
	return v, nil
}

// datePart extracts a field from a date or timestamp: numeric for extract,
// double precision for date_part.
func datePart(name, field string, v types.Value) (types.Value, error) {
	us := v.I
	if v.K == types.KDate {
		us = v.I * 86400_000_000
	}
	t := time.UnixMicro(us).UTC()
	var d *apd.Decimal
	switch field {
	case "year", "years":
		d = apd.New(int64(t.Year()), 0)
	case "month", "months", "mon":
		d = apd.New(int64(t.Month()), 0)
	case "day", "days":
		d = apd.New(int64(t.Day()), 0)
	case "hour", "hours":
		d = apd.New(int64(t.Hour()), 0)
	case "minute", "minutes", "min":
		d = apd.New(int64(t.Minute()), 0)
	case "second", "seconds", "sec":
		d = apd.New(int64(t.Second())*1_000_000+int64(t.Nanosecond()/1000), -6)
	case "milliseconds":
		d = apd.New(int64(t.Second())*1_000_000+int64(t.Nanosecond()/1000), -3)
	case "microseconds":
		d = apd.New(int64(t.Second())*1_000_000+int64(t.Nanosecond()/1000), 0)
	case "dow":
		d = apd.New(int64(t.Weekday()), 0)
	case "isodow":
		wd := int64(t.Weekday())
		if wd == 0 {
			wd = 7
		}
		d = apd.New(wd, 0)
	case "doy":
		d = apd.New(int64(t.YearDay()), 0)
	case "week":
		_, w := t.ISOWeek()
		d = apd.New(int64(w), 0)
	case "isoyear":
		y, _ := t.ISOWeek()
		d = apd.New(int64(y), 0)
	case "quarter":
		d = apd.New(int64((t.Month()-1)/3+1), 0)
	case "decade":
		d = apd.New(int64(math.Floor(float64(t.Year())/10)), 0)
	case "century":
		y := t.Year()
		if y > 0 {
			d = apd.New(int64((y+99)/100), 0)
		} else {
			d = apd.New(-int64((99-y)/100), 0)
		}
	case "millennium":
		d = apd.New(int64((t.Year()+999)/1000), 0)
	case "epoch":
		d = apd.New(us, -6)
	case "julian":
		d = apd.New(us/86400_000_000+2440588, 0)
	default:
		return types.Null, sqlerr.New(sqlerr.FeatureNotSupported, "unit %q not supported for type %s", field, map[bool]string{true: "date", false: "timestamp without time zone"}[v.K == types.KDate])
	}
	if v.K == types.KDate && (field == "hour" || field == "minute" || field == "second") {
		return types.Null, sqlerr.New(sqlerr.FeatureNotSupported, "unit %q not supported for type date", field)
	}
	if name == "date_part" {
		f, _ := d.Float64()
		return types.NewFloat(f), nil
	}
	if field == "epoch" || field == "second" || field == "milliseconds" {
		var r apd.Decimal
		r.Reduce(d)
		if r.Exponent > 0 {
			types.DecimalContext.Quantize(&r, &r, 0)
		}
		if field == "second" || field == "epoch" {
			types.DecimalContext.Quantize(&r, d, -6)
		}
		return types.NewDecimal(&r), nil
	}
	return types.NewDecimal(d), nil
}

// dateTrunc truncates a date or timestamp to a field, as a timestamp.
func dateTrunc(field string, v types.Value) (types.Value, error) {
	us := v.I
	if v.K == types.KDate {
		us = v.I * 86400_000_000
	}
	t := time.UnixMicro(us).UTC()
	var r time.Time
	switch field {
	case "year":
		r = time.Date(t.Year(), 1, 1, 0, 0, 0, 0, time.UTC)
	case "quarter":
		r = time.Date(t.Year(), (t.Month()-1)/3*3+1, 1, 0, 0, 0, 0, time.UTC)
	case "month":
		r = time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)
	case "week":
		wd := (int(t.Weekday()) + 6) % 7
		r = time.Date(t.Year(), t.Month(), t.Day()-wd, 0, 0, 0, 0, time.UTC)
	case "day":
		r = time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	case "hour":
		r = t.Truncate(time.Hour)
	case "minute":
		r = t.Truncate(time.Minute)
	case "second":
		r = t.Truncate(time.Second)
	case "milliseconds":
		r = t.Truncate(time.Millisecond)
	case "microseconds":
		r = t
	default:
		return types.Null, sqlerr.New(sqlerr.FeatureNotSupported, "unit %q not recognized for type timestamp", field)
	}
	return types.NewTimestamp(r.UnixMicro()), nil
}

// mathFunc computes sqrt, exp, ln, log and power in double precision, or
// exactly enough in numeric for numeric arguments.
func mathFunc(name string, a []types.Value, t types.T) (types.Value, error) {
	if t.ID == types.Numeric {
		r := new(apd.Decimal)
		ctx := types.DecimalContext
		ctx.Precision = 34
		var err error
		var cond apd.Condition
		switch name {
		case "sqrt":
			if a[0].D.Negative {
				return types.Null, sqlerr.New("2201F", "cannot take square root of a negative number")
			}
			cond, err = ctx.Sqrt(r, a[0].D)
		case "exp":
			cond, err = ctx.Exp(r, a[0].D)
		case "ln", "log":
			if a[0].D.Sign() <= 0 {
				return types.Null, sqlerr.New("2201E", "cannot take logarithm of %s", map[bool]string{true: "zero", false: "a negative number"}[a[0].D.IsZero()])
			}
			if name == "ln" {
				cond, err = ctx.Ln(r, a[0].D)
			} else {
				cond, err = ctx.Log10(r, a[0].D)
			}
		default:
			cond, err = ctx.Pow(r, a[0].D, a[1].D)
		}
		if err != nil || cond.Any() && cond&apd.Inexact == 0 && cond&apd.Rounded == 0 {
			return types.Null, sqlerr.New(sqlerr.NumericValueOutOfRange, "value out of range")
		}
		// about 16 significant digits, and no fewer decimals than the input
		intDigits := int32(r.NumDigits()) + r.Exponent
		scale := max(16-max(intDigits, 1), -a[0].D.Exponent, 0)
		ctx.Quantize(r, r, -scale)
		return types.NewDecimal(r), nil
	}
	x := a[0].Float()
	var f float64
	switch name {
	case "sqrt":
		if x < 0 {
			return types.Null, sqlerr.New("2201F", "cannot take square root of a negative number")
		}
		f = math.Sqrt(x)
	case "exp":
		f = math.Exp(x)
	case "ln", "log":
		if x <= 0 {
			return types.Null, sqlerr.New("2201E", "cannot take logarithm of %s", map[bool]string{true: "zero", false: "a negative number"}[x == 0])
		}
		if name == "ln" {
			f = math.Log(x)
		} else {
			f = math.Log10(x)
		}
	default:
		f = math.Pow(x, a[1].Float())
	}
	if math.IsInf(f, 0) {
		return types.Null, sqlerr.New(sqlerr.NumericValueOutOfRange, "value out of range: overflow")
	}
	return types.NewFloat(f), nil
}

// sequencePrivs are the privileges on a sequence of which the function
// needs one, as in PostgreSQL.
var sequencePrivs = map[string]catalog.Priv{
	"nextval": catalog.PrivUsage | catalog.PrivUpdate,
	"currval": catalog.PrivUsage | catalog.PrivSelect,
	"setval":  catalog.PrivUpdate,
}

// sequenceFunc runs nextval, currval, setval and lastval.
func (c *Context) sequenceFunc(name string, a []types.Value) (types.Value, error) {
	if c.Seqs == nil {
		c.Seqs = &SeqValues{}
	}
	if c.Seqs.byID == nil {
		c.Seqs.byID = map[uint32]int64{}
	}
	if name == "lastval" {
		if !c.Seqs.hasLast {
			return types.Null, sqlerr.New(sqlerr.ObjectNotInPrerequisiteSt, "lastval is not yet defined in this session")
		}
		return types.NewInt(c.Seqs.last), nil
	}
	for _, v := range a {
		if v.IsNull() {
			return types.Null, nil
		}
	}
	t, err := c.relationByText(a[0].S)
	if err != nil {
		return types.Null, err
	}
	if !t.IsSequence() {
		return types.Null, sqlerr.New(sqlerr.WrongObjectType, "%q is not a sequence", t.Name)
	}
	if c.Privilege != nil {
		if err := c.Privilege(t, sequencePrivs[name]); err != nil {
			return types.Null, err
		}
	}
	switch name {
	case "nextval":
		v, err := c.Store.NextVal(t)
		if err != nil {
			return types.Null, err
		}
		c.Seqs.byID[t.ID], c.Seqs.last, c.Seqs.hasLast = v, v, true
		return types.NewInt(v), nil
	case "currval":
		v, ok := c.Seqs.byID[t.ID]
		if !ok {
			return types.Null, sqlerr.New(sqlerr.ObjectNotInPrerequisiteSt, "currval of sequence %q is not yet defined in this session", t.Name)
		}
		return types.NewInt(v), nil
	}
	called := len(a) < 3 || a[2].Bool()
	if err := c.Store.SetVal(t, a[1].I, called); err != nil {
		return types.Null, err
	}
	if called {
		c.Seqs.byID[t.ID], c.Seqs.last, c.Seqs.hasLast = a[1].I, a[1].I, true
	}
	return a[1], nil
}

// intervalPart extracts a field from an interval, as extract does.
func intervalPart(name, field string, v types.Value) (types.Value, error) {
	m, d, us := v.IntervalParts()
	var r *apd.Decimal
	switch field {
	case "year", "years":
		r = apd.New(int64(m/12), 0)
	case "month", "months", "mon":
		r = apd.New(int64(m%12), 0)
	case "day", "days":
		r = apd.New(int64(d), 0)
	case "hour", "hours":
		r = apd.New(us/3_600_000_000, 0)
	case "minute", "minutes", "min":
		r = apd.New(us/60_000_000%60, 0)
	case "second", "seconds", "sec":
		r = apd.New(us%60_000_000, -6)
	case "epoch":
		// years of 365.25 days and months of 30 days, as PostgreSQL counts
		secs := int64(m)/12*31_557_600 + int64(m)%12*2_592_000
		total := secs*1_000_000 + int64(d)*86_400_000_000 + us
		r = apd.New(total, -6)
	default:
		return types.Null, sqlerr.New(sqlerr.FeatureNotSupported, "unit %q not supported for type interval", field)
	}
	if name == "date_part" {
		f, _ := r.Float64()
		return types.NewFloat(f), nil
	}
	return types.NewDecimal(r), nil
}

// age subtracts two timestamps into years, months and days, as PostgreSQL's
// age() does (borrowing days from the month before the later date).
func age(a, b types.Value) types.Value {
	ta, tb := time.UnixMicro(a.I).UTC(), time.UnixMicro(b.I).UTC()
	neg := ta.Before(tb)
	if neg {
		ta, tb = tb, ta
	}
	months := (ta.Year()-tb.Year())*12 + int(ta.Month()-tb.Month())
	days := ta.Day() - tb.Day()
	us := (int64(ta.Hour()-tb.Hour())*3600+int64(ta.Minute()-tb.Minute())*60+int64(ta.Second()-tb.Second()))*1_000_000 +
		int64(ta.Nanosecond()-tb.Nanosecond())/1000
	if us < 0 {
		us += 86400_000_000
		days--
	}
	if days < 0 {
		months--
		// days in the month before ta's month
		days += time.Date(ta.Year(), ta.Month(), 0, 0, 0, 0, 0, time.UTC).Day()
	}
	if neg {
		return types.NewInterval(int32(-months), int32(-days), -us)
	}
	return types.NewInterval(int32(months), int32(days), us)
}

// substring is SQL's substring(s FROM from FOR count) in characters, from
// 1-based and possibly before the string, count < 0 meaning to the end.
// An ASCII string is sliced in place.
func substring(s string, from, count int64) string {
	n := int64(len(s))
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	var r []rune
	if !ascii {
		r = []rune(s)
		n = int64(len(r))
	}
	start, end := from-1, n
	if count >= 0 && count < n-start { // else the end: no overflow
		end = start + count
	}
	start = max(start, 0)
	if start >= end {
		return ""
	}
	if ascii {
		return s[start:end]
	}
	return string(r[start:end])
}
