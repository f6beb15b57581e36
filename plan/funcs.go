package plan

import (
	"rustydb/sql"
	"rustydb/sqlerr"
	"rustydb/types"
)

// funcSig describes a scalar function: its arity and how its result is typed.
type funcSig struct {
	minArgs, maxArgs int
	// result types the call from its argument types; args may be coerced in place.
	result func(b *Binder, args []Expr, pos int) (types.T, error)
}

func fixed(t types.T) func(*Binder, []Expr, int) (types.T, error) {
	return func(*Binder, []Expr, int) (types.T, error) { return t, nil }
}

// sameAsFirstNumeric types abs/round-like functions.
func sameAsFirstNumeric(b *Binder, args []Expr, pos int) (types.T, error) {
	args[0] = resolveUnknownAs(args[0], types.TNumeric)
	t := args[0].Type()
	if !t.IsNumeric() {
		return types.T{}, b.errAt(pos, sqlerr.UndefinedFunction, "function does not exist for argument type %s", t)
	}
	for i := 1; i < len(args); i++ {
		x, err := b.coerce(args[i], types.TInt4, pos, "function argument")
		if err != nil {
			return types.T{}, err
		}
		args[i] = x
	}
	return types.T{ID: t.ID}, nil
}

func textArgs(t types.T) func(*Binder, []Expr, int) (types.T, error) {
	return func(b *Binder, args []Expr, pos int) (types.T, error) {
		for i := range args {
			args[i] = resolveUnknown(args[i])
			if i > 0 && args[i].Type().IsInteger() {
				continue
			}
			if !args[i].Type().IsString() {
				return types.T{}, b.errAt(pos, sqlerr.UndefinedFunction, "function does not exist for argument type %s", args[i].Type()).
					WithHint("No function matches the given name and argument types. You might need to add explicit type casts.")
			}
		}
		return t, nil
	}
}

// unifyArgs types COALESCE, NULLIF, GREATEST and LEAST: one common type.
func unifyArgs(b *Binder, args []Expr, pos int) (types.T, error) {
	t := types.TUnknown
	var err error
	for _, a := range args {
		if t, err = b.unify(t, a.Type(), pos, "COALESCE"); err != nil {
			return types.T{}, err
		}
	}
	if t.ID == types.Unknown {
		t = types.TText
	}
	for i := range args {
		if args[i], err = b.coerce(args[i], t, pos, "function argument"); err != nil {
			return types.T{}, err
		}
	}
	return t, nil
}

// dateArg types a function of (field text, date or timestamp); timestamp
// with time zone and time too, date_trunc keeping the zone and truncating a
// time as an interval (time converts to interval in PostgreSQL).
func dateArg(t types.T) func(*Binder, []Expr, int) (types.T, error) {
	return func(b *Binder, args []Expr, pos int) (types.T, error) {
		var err error
		if args[0], err = b.coerce(args[0], types.TText, pos, "field"); err != nil {
			return types.T{}, err
		}
		args[1] = resolveUnknownAs(args[1], types.TTimestamp)
		switch id := args[1].Type().ID; {
		case id == types.TimestampTZ && t.ID == types.Timestamp:
			return types.TTimestampTZ, nil
		case id == types.Time && t.ID == types.Timestamp:
			return types.TInterval, nil
		case id == types.TimestampTZ || id == types.Time:
			return t, nil
		}
		if id := args[1].Type().ID; id != types.Date && id != types.Timestamp && !(id == types.Interval && t.ID != types.Timestamp) {
			return types.T{}, b.errAt(pos, sqlerr.UndefinedFunction, "function does not exist for argument type %s", args[1].Type())
		}
		return t, nil
	}
}

// floatArgs types math functions computed in double precision, except that
// numeric input stays numeric where PostgreSQL has a numeric version.
func floatArgs(keepNumeric bool) func(*Binder, []Expr, int) (types.T, error) {
	return func(b *Binder, args []Expr, pos int) (types.T, error) {
		t := types.TFloat8
		if keepNumeric && resolveUnknownAs(args[0], types.TNumeric).Type().ID == types.Numeric {
			t = types.TNumeric
		}
		for i := range args {
			x, err := b.coerce(resolveUnknownAs(args[i], t), t, pos, "function argument")
			if err != nil {
				return types.T{}, err
			}
			args[i] = x
		}
		return t, nil
	}
}

// concatArgs types concat(): any arguments, rendered as text.
func concatArgs(b *Binder, args []Expr, pos int) (types.T, error) {
	for i := range args {
		args[i] = resolveUnknown(args[i])
	}
	return types.TText, nil
}

// seqArgs types nextval(name), currval(name) and setval(name, value [, called]).
func seqArgs(b *Binder, args []Expr, pos int) (types.T, error) {
	want := []types.T{types.TText, types.TInt8, types.TBool}
	for i := range args {
		x, err := b.coerce(resolveUnknownAs(args[i], want[i]), want[i], pos, "sequence function argument")
		if err != nil {
			return types.T{}, err
		}
		args[i] = x
	}
	return types.TInt8, nil
}

// ageArgs types age(timestamp [, timestamp]).
func ageArgs(b *Binder, args []Expr, pos int) (types.T, error) {
	for i := range args {
		x, err := b.coerce(resolveUnknownAs(args[i], types.TTimestamp), types.TTimestamp, pos, "age")
		if err != nil {
			return types.T{}, err
		}
		args[i] = x
	}
	return types.TInterval, nil
}

// toCharArgs types to_char(value, format): the value is a date, timestamp
// (with or without time zone), interval or number.
func toCharArgs(b *Binder, args []Expr, pos int) (types.T, error) {
	t := args[0].Type()
	switch {
	case t.ID == types.Unknown:
		return types.T{}, b.errAt(pos, "42725", "function to_char(unknown, %s) is not unique", args[1].Type()).
			WithHint("Could not choose a best candidate function. You might need to add explicit type casts.")
	case t.ID != types.Date && t.ID != types.Timestamp && t.ID != types.TimestampTZ && t.ID != types.Interval && !t.IsNumeric():
		return types.T{}, b.errAt(pos, sqlerr.UndefinedFunction, "function to_char(%s, %s) does not exist", t, args[1].Type()).
			WithHint("No function matches the given name and argument types. You might need to add explicit type casts.")
	}
	var err error
	args[1], err = b.coerce(resolveUnknown(args[1]), types.TText, pos, "to_char")
	return types.TText, err
}

var funcs = map[string]funcSig{
	"age":                 {1, 2, ageArgs},
	"pg_get_userbyid":     {1, 1, fixed(types.TText)},
	"pg_table_is_visible": {1, 1, fixed(types.TBool)},
	"extract":             {2, 2, dateArg(types.TNumeric)},
	"date_part":           {2, 2, dateArg(types.TFloat8)},
	"date_trunc":          {2, 2, dateArg(types.TTimestamp)},
	"position":            {2, 2, textArgs(types.TInt4)},
	"strpos":              {2, 2, textArgs(types.TInt4)},
	"left":                {2, 2, textArgs(types.TText)},
	"right":               {2, 2, textArgs(types.TText)},
	"replace":             {3, 3, textArgs(types.TText)},
	"split_part":          {3, 3, textArgs(types.TText)},
	"lpad":                {2, 3, textArgs(types.TText)},
	"rpad":                {2, 3, textArgs(types.TText)},
	"reverse":             {1, 1, textArgs(types.TText)},
	"repeat":              {2, 2, textArgs(types.TText)},
	"initcap":             {1, 1, textArgs(types.TText)},
	"similar_to_escape":   {1, 2, textArgs(types.TText)},
	"to_char":             {2, 2, toCharArgs},
	"concat":              {1, 100, concatArgs},
	"sqrt":                {1, 1, floatArgs(true)},
	"exp":                 {1, 1, floatArgs(true)},
	"ln":                  {1, 1, floatArgs(true)},
	"log":                 {1, 1, floatArgs(true)},
	"power":               {2, 2, floatArgs(true)},
	"pow":                 {2, 2, floatArgs(true)},
	"sign":                {1, 1, sameAsFirstNumeric},
	"pi":                  {0, 0, fixed(types.TFloat8)},
	"nextval":             {1, 1, seqArgs},
	"currval":             {1, 1, seqArgs},
	"setval":              {2, 3, seqArgs},
	"lastval":             {0, 0, fixed(types.TInt8)},
	"abs":                 {1, 1, sameAsFirstNumeric},
	"round":               {1, 2, sameAsFirstNumeric},
	"trunc":               {1, 2, sameAsFirstNumeric},
	"ceil":                {1, 1, sameAsFirstNumeric},
	"ceiling":             {1, 1, sameAsFirstNumeric},
	"floor":               {1, 1, sameAsFirstNumeric},
	"mod":                 {2, 2, sameAsFirstNumeric},
	"lower":               {1, 1, textArgs(types.TText)},
	"upper":               {1, 1, textArgs(types.TText)},
	"length":              {1, 1, textOrBytea(types.TInt4)},
	"char_length":         {1, 1, textArgs(types.TInt4)},
	"character_length":    {1, 1, textArgs(types.TInt4)},
	"octet_length":        {1, 1, textOrBytea(types.TInt4)},
	"substring":           {2, 3, textArgs(types.TText)},
	"substr":              {2, 3, textArgs(types.TText)},
	"btrim":               {1, 2, textArgs(types.TText)},
	"ltrim":               {1, 2, textArgs(types.TText)},
	"rtrim":               {1, 2, textArgs(types.TText)},
	"coalesce":            {1, 100, unifyArgs},
	"nullif":              {2, 2, unifyArgs},
	"greatest":            {1, 100, unifyArgs},
	"least":               {1, 100, unifyArgs},
	"now":                 {0, 0, fixed(types.TTimestampTZ)},
	"current_timestamp":   {0, 0, fixed(types.TTimestampTZ)},
	"localtimestamp":      {0, 0, fixed(types.TTimestamp)},
	"current_date":        {0, 0, fixed(types.TDate)},
	"version":             {0, 0, fixed(types.TText)},
	"current_database":    {0, 0, fixed(types.TText)},
	"current_catalog":     {0, 0, fixed(types.TText)},
	"current_user":        {0, 0, fixed(types.TText)},
	"session_user":        {0, 0, fixed(types.TText)},
	"current_role":        {0, 0, fixed(types.TText)},
	"current_schema":      {0, 0, fixed(types.TText)},

	"transaction_timestamp": {0, 0, fixed(types.TTimestampTZ)},
	"statement_timestamp":   {0, 0, fixed(types.TTimestampTZ)},
	"clock_timestamp":       {0, 0, fixed(types.TTimestampTZ)},
	"to_timestamp":          {1, 1, toTimestampArgs},
	"gen_random_uuid":       {0, 0, fixed(types.TUUID)},
	"md5":                   {1, 1, textOrBytea(types.TText)},
	"sha224":                {1, 1, byteaArgs(types.TBytea)},
	"sha256":                {1, 1, byteaArgs(types.TBytea)},
	"sha384":                {1, 1, byteaArgs(types.TBytea)},
	"sha512":                {1, 1, byteaArgs(types.TBytea)},
	"encode":                {2, 2, byteaArgs(types.TText)},
	"decode":                {2, 2, textArgs(types.TBytea)},
}

// bindFunc types a scalar function call.
func (b *Binder) bindFunc(f *sql.FuncCall, args []Expr) (Expr, error) {
	if f.Name == "pg_typeof" && len(args) == 1 {
		// The argument's type is known here, so pg_typeof is its name;
		// text here, where PostgreSQL returns regtype.
		t := args[0].Type()
		return &Const{V: types.NewText(types.T{ID: t.ID, Elem: t.Elem}.String()), T: types.TText}, nil // without a typmod, as regtype prints
	}
	sig, ok := funcs[f.Name]
	if !ok || len(args) < sig.minArgs || len(args) > sig.maxArgs {
		argTypes := ""
		for i, a := range args {
			if i > 0 {
				argTypes += ", "
			}
			argTypes += a.Type().String()
		}
		return nil, b.errAt(f.Pos, sqlerr.UndefinedFunction, "function %s(%s) does not exist", f.Name, argTypes).
			WithHint("No function matches the given name and argument types. You might need to add explicit type casts.")
	}
	if f.Star || f.Distinct {
		return nil, b.errAt(f.Pos, sqlerr.SyntaxError, "%s is not an aggregate function", f.Name)
	}
	t, err := sig.result(b, args, f.Pos)
	if err != nil {
		return nil, err
	}
	return &Func{Name: f.Name, Args: args, T: t}, nil
}
