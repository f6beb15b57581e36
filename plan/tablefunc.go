package plan

import (
	"strings"

	"rustydb/sql"
	"rustydb/sqlerr"
	"rustydb/types"
)

// Series is generate_series(Start, Stop, Step): Start, Start+Step, ... while
// not past Stop. Its arguments are statement constants.
type Series struct {
	Start, Stop, Step Expr
	Cols              []Column
}

func (n *Series) Columns() []Column { return n.Cols }

// bindTableFunc binds a function in FROM. generate_series is the one there
// is: over integers, numerics, or timestamps with an interval step.
func (b *Binder) bindTableFunc(f *sql.FuncRef) (Node, error) {
	name := strings.TrimPrefix(f.Name, "pg_catalog.")
	if name != "generate_series" || len(f.Args) < 2 || len(f.Args) > 3 {
		return nil, b.errAt(f.Pos, sqlerr.UndefinedFunction, "function %s with %d arguments does not exist", f.Name, len(f.Args)).
			WithHint("The functions usable in FROM are generate_series(start, stop [, step]).")
	}
	args := make([]Expr, len(f.Args))
	t := types.TUnknown
	for i, a := range f.Args {
		var err error
		if args[i], err = b.bindExpr(&scope{}, nil, a); err != nil {
			return nil, err
		}
		if i < 2 {
			if t, err = b.unify(t, args[i].Type(), a.Position(), "generate_series"); err != nil {
				return nil, err
			}
		}
	}
	stepType := t
	switch {
	case t.ID == types.Unknown:
		t, stepType = types.TInt4, types.TInt4
	case t.ID == types.Date || t.ID == types.Timestamp:
		t, stepType = types.TTimestamp, types.TInterval
		if len(args) < 3 {
			return nil, b.errAt(f.Pos, sqlerr.UndefinedFunction, "function generate_series(timestamp, timestamp) does not exist").
				WithHint("Give an interval step: generate_series(start, stop, interval '1 day').")
		}
	case t.ID == types.Float4 || t.ID == types.Float8:
		t, stepType = types.TNumeric, types.TNumeric
	case !t.IsNumeric():
		return nil, b.errAt(f.Pos, sqlerr.UndefinedFunction, "function generate_series(%s, %s) does not exist", args[0].Type(), args[1].Type())
	}
	if len(args) == 2 {
		args = append(args, &Const{V: types.NewInt(1), T: types.TInt4})
	}
	for i := range args {
		want := t
		if i == 2 {
			want = stepType
		}
		var err error
		if args[i], err = b.coerce(args[i], want, f.Args[min(i, len(f.Args)-1)].Position(), "generate_series"); err != nil {
			return nil, err
		}
	}
	table, col := "generate_series", "generate_series"
	if f.Alias != "" {
		table, col = f.Alias, f.Alias
	}
	if len(f.ColAliases) > 0 {
		col = f.ColAliases[0]
	}
	return &Series{Start: args[0], Stop: args[1], Step: args[2], Cols: []Column{{Name: col, Type: t, Table: table}}}, nil
}
