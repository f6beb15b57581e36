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

// Unnest produces the elements of an array, a statement constant.
type Unnest struct {
	Array Expr
	Cols  []Column
}

func (n *Unnest) Columns() []Column { return n.Cols }

// Ordinality numbers its input's rows from 1 in an added bigint column:
// a table function WITH ORDINALITY.
type Ordinality struct {
	Input Node
	Cols  []Column
}

func (n *Ordinality) Columns() []Column { return n.Cols }

// bindTableFunc binds a function in FROM: generate_series over integers,
// numerics, or timestamps with an interval step, unnest(array) and
// pg_partition_ancestors(relation), optionally WITH ORDINALITY.
func (b *Binder) bindTableFunc(f *sql.FuncRef) (Node, error) {
	name := strings.TrimPrefix(f.Name, "pg_catalog.")
	var n Node
	var err error
	column := name
	if len(f.Named) > 0 && name != "read_csv" {
		return nil, b.errAt(f.Pos, sqlerr.UndefinedFunction, "function %s takes no named arguments", f.Name)
	}
	switch {
	case name == "unnest" && len(f.Args) == 1:
		n, err = b.bindUnnest(f.Args[0], f.Pos)
	case name == "_pg_expandarray" && len(f.Args) == 1:
		// information_schema's: each element x with its position n
		if n, err = b.bindUnnest(f.Args[0], f.Pos); err == nil {
			n = &Ordinality{Input: n, Cols: []Column{{Name: "x", Type: n.Columns()[0].Type}, {Name: "n", Type: types.TInt4}}}
		}
		column = ""
	case name == "pg_partition_ancestors" && len(f.Args) == 1:
		// no table is a partition: its one ancestor is itself
		var rel Expr
		if rel, err = b.bindExpr(&scope{}, nil, f.Args[0]); err == nil && !rel.Type().IsInteger() {
			rel, err = b.regCast(rel, "regclass", f.Pos) // a relation name
		}
		if err == nil {
			if rel, err = b.coerce(rel, types.TInt8, f.Pos, name); err == nil {
				n = &Unnest{Array: &Func{Name: "array", Args: []Expr{rel}, T: types.ArrayOf(types.TInt8)}, Cols: []Column{{Type: types.TInt8}}}
			}
		}
		column = "relid"
	case name == "read_csv" || name == "read_json":
		n, err = b.bindFileScan(name, f)
		column = "" // the file names its columns
	case name == "read_parquet" && len(f.Args) >= 1:
		n, err = b.bindReadParquet(f)
		column = "" // the file names its columns
	case name == "generate_series" && len(f.Args) >= 2 && len(f.Args) <= 3:
		n, err = b.bindSeries(f)
	case strings.HasPrefix(name, "json"):
		var ok bool
		if n, ok, err = b.bindJSONTable(name, f); ok {
			if !strings.HasSuffix(name, "_object_keys") {
				column = "" // these name their columns (value, key)
			}
			break
		}
		fallthrough
	default:
		return nil, b.errAt(f.Pos, sqlerr.UndefinedFunction, "function %s with %d arguments does not exist", f.Name, len(f.Args)).
			WithHint("The functions usable in FROM are generate_series(start, stop [, step]), unnest(array), read_csv('file'), read_json('file'), read_parquet(file, ...) and json(b)_each(_text), json(b)_array_elements(_text) and json(b)_object_keys.")
	}
	if err != nil {
		return nil, err
	}
	cols := n.Columns()
	if f.Ordinality {
		cols = append(cols, Column{Name: "ordinality", Type: types.TInt8})
		n = &Ordinality{Input: n, Cols: cols}
	}
	// the alias names the table and, without column aliases, the column
	// of a function that does not name its own
	table := name
	if f.Alias != "" {
		table = f.Alias
		if column != "" {
			column = f.Alias
		}
	}
	if column != "" {
		cols[0].Name = column
	}
	for i := range cols {
		cols[i].Table = table
		if i < len(f.ColAliases) {
			cols[i].Name = f.ColAliases[i]
		}
	}
	return n, nil
}

// bindSeries binds generate_series(start, stop [, step]).
func (b *Binder) bindSeries(f *sql.FuncRef) (Node, error) {
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
	case isDateTime(t):
		t, stepType = commonDateTime(t, types.TTimestamp), types.TInterval
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
	return &Series{Start: args[0], Stop: args[1], Step: args[2], Cols: []Column{{Type: t}}}, nil
}

// bindUnnest binds unnest(array).
func (b *Binder) bindUnnest(x sql.Expr, pos int) (Node, error) {
	arr, err := b.bindExpr(&scope{}, nil, x)
	if err != nil {
		return nil, err
	}
	arr = resolveUnknownAs(arr, types.ArrayOf(types.TText))
	if arr.Type().ID != types.Array {
		return nil, b.errAt(pos, sqlerr.UndefinedFunction, "function unnest(%s) does not exist", arr.Type())
	}
	return &Unnest{Array: arr, Cols: []Column{{Type: arr.Type().ElemType()}}}, nil
}
