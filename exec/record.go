package exec

import (
	"strings"

	"rustydb/plan"
	"rustydb/sqlerr"
	"rustydb/types"
)

// Records (plan/srf.go): record(a, b, ...) writes its arguments in
// PostgreSQL's record syntax, (3,1) or ("a b",,x) with an empty field for
// NULL, and record_field(r, i) reads field i back as the field's type.

// recordFunc returns the evaluator of record or record_field, or nil when
// e is neither.
func (c *Context) recordFunc(e *plan.Func, args []evalFn) evalFn {
	switch e.Name {
	case "record":
		return func(row []types.Value) (types.Value, error) {
			vals, err := evalAll(args, row)
			if err != nil {
				return types.Null, err
			}
			b := []byte{'('}
			for i, v := range vals {
				if i > 0 {
					b = append(b, ',')
				}
				if !v.IsNull() {
					b = appendRecordField(b, types.AppendText(nil, v, e.Args[i].Type()))
				}
			}
			return types.NewText(string(append(b, ')'))), nil
		}
	case "record_field":
		return func(row []types.Value) (types.Value, error) {
			vals, err := evalAll(args, row)
			if err != nil || vals[0].IsNull() {
				return types.Null, err
			}
			fields, ok := splitRecord(vals[0].S)
			if i := int(vals[1].I); ok && i < len(fields) {
				if fields[i] == nil {
					return types.Null, nil
				}
				return types.Cast(types.NewText(*fields[i]), e.T)
			}
			return types.Null, sqlerr.New(sqlerr.InvalidTextRepresentation, "malformed record literal: %q", vals[0].S)
		}
	}
	return nil
}

// appendRecordField quotes a field's text where PostgreSQL's record output
// does: when empty or holding a delimiter, parenthesis, quote, backslash or
// white space; quotes and backslashes inside are doubled.
func appendRecordField(b, s []byte) []byte {
	if len(s) > 0 && !strings.ContainsAny(string(s), "(),\"\\ \t\n\r\v\f") {
		return append(b, s...)
	}
	b = append(b, '"')
	for _, c := range s {
		if c == '"' || c == '\\' {
			b = append(b, c)
		}
		b = append(b, c)
	}
	return append(b, '"')
}

// splitRecord splits a record's text into its fields, nil for NULL.
func splitRecord(s string) ([]*string, bool) {
	if len(s) < 2 || s[0] != '(' || s[len(s)-1] != ')' {
		return nil, false
	}
	s = s[1 : len(s)-1]
	var out []*string
	for {
		var f strings.Builder
		quoted := false
		i := 0
		for ; i < len(s) && s[i] != ','; i++ {
			if s[i] != '"' {
				f.WriteByte(s[i])
				continue
			}
			quoted = true
			for i++; i < len(s); i++ {
				if (s[i] == '"' || s[i] == '\\') && i+1 < len(s) && s[i+1] == s[i] {
					i++
				} else if s[i] == '"' {
					break
				}
				f.WriteByte(s[i])
			}
		}
		if text := f.String(); text != "" || quoted {
			out = append(out, &text)
		} else {
			out = append(out, nil)
		}
		if i >= len(s) {
			return out, true
		}
		s = s[i+1:]
	}
}
