package exec

import (
	"math"
	"strings"
	"unicode/utf8"

	"github.com/cockroachdb/apd/v3"

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
	case "current_user", "session_user":
		return types.NewText(c.User), nil
	case "current_schema":
		return types.NewText("public"), nil
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
		r := []rune(a[0].S)
		start := a[1].I - 1 // SQL is 1-based; start may be before the string
		end := int64(len(r))
		if len(a) == 3 {
			if a[2].I < 0 {
				return types.Null, sqlerr.New(sqlerr.SubstringError, "negative substring length not allowed")
			}
			end = min(start+a[2].I, end)
		}
		start = max(start, 0)
		if start >= end {
			return types.NewText(""), nil
		}
		return types.NewText(string(r[start:end])), nil
	case "trim", "btrim":
		return types.NewText(strings.Trim(a[0].S, " ")), nil
	case "ltrim":
		return types.NewText(strings.TrimLeft(a[0].S, " ")), nil
	case "rtrim":
		return types.NewText(strings.TrimRight(a[0].S, " ")), nil
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
