package sql

import "rustydb/sqlerr"

// Field selection, (expr).field: PostgreSQL's way to read one field of a
// composite value, which drivers use on functions that return records
// (pgJDBC's (information_schema._pg_expandarray(i.indkey)).n).

// fieldSelect reads the .field (or .field.field ...) that may follow a
// parenthesized expression x. Its position is x's, where PostgreSQL's
// errors about it point.
func (p *parser) fieldSelect(x Expr) (Expr, error) {
	for p.isOp(".") {
		p.i++
		t := p.peek()
		if t.kind != tIdent && t.kind != tQIdent {
			if t.kind == tOp && t.text == "*" {
				return nil, sqlerr.New(sqlerr.FeatureNotSupported, "(expression).* is not supported").
					WithPosition(charPos(p.src, t.pos)).WithHint("Name the fields: (expression).field.")
			}
			return nil, p.unexpected()
		}
		p.i++
		x = &FieldSelect{X: x, Field: t.text, Pos: x.Position()}
	}
	return x, nil
}
