package plan

import (
	"rustydb/sql"
	"rustydb/sqlerr"
	"rustydb/types"
)

// FileScan reads a server file as a table, for the table functions
// read_csv('file' [, header => bool, delim => 'c']) and
// read_json('file') (newline-delimited JSON). The columns, their names and
// types, come from the file itself: the binder's Files hook reads a sample
// of it (exec.SniffFile) while the statement is bound.
type FileScan struct {
	Func   string // read_csv or read_json
	Path   string // the file, resolved by the Files hook
	Header bool   // read_csv: the first line names the columns
	Delim  byte   // read_csv: the field delimiter
	Cols   []Column
}

func (n *FileScan) Columns() []Column { return n.Cols }

// bindFileScan binds read_csv and read_json, whose arguments are constants.
func (b *Binder) bindFileScan(name string, f *sql.FuncRef) (Node, error) {
	if len(f.Args) != 1 {
		return nil, b.errAt(f.Pos, sqlerr.UndefinedFunction, "function %s with %d arguments does not exist", name, len(f.Args)).
			WithHint("Call %s('/path/file').", name)
	}
	n := &FileScan{Func: name, Header: true, Delim: ','}
	path, err := b.constArg(f.Args[0], types.TText, name)
	if err != nil {
		return nil, err
	}
	if path.IsNull() {
		return nil, b.errAt(f.Pos, sqlerr.InvalidParameterValue, "the file name of %s must not be NULL", name)
	}
	n.Path = path.S
	for arg, x := range f.Named {
		switch {
		case name == "read_csv" && arg == "header":
			v, err := b.constArg(x, types.TBool, name)
			if err != nil {
				return nil, err
			}
			n.Header = !v.IsNull() && v.Bool()
		case name == "read_csv" && (arg == "delim" || arg == "delimiter" || arg == "sep"):
			v, err := b.constArg(x, types.TText, name)
			if err != nil {
				return nil, err
			}
			if v.IsNull() || len(v.S) != 1 || v.S == "\n" || v.S == "\r" || v.S == `"` {
				return nil, b.errAt(x.Position(), sqlerr.InvalidParameterValue, "the delimiter of read_csv must be one one-byte character other than a newline or a quote")
			}
			n.Delim = v.S[0]
		default:
			return nil, b.errAt(x.Position(), sqlerr.UndefinedFunction, "function %s has no argument %q", name, arg).
				WithHint("read_csv takes header => boolean and delim => 'c'; read_json takes only the file name.")
		}
	}
	if b.Files == nil {
		return nil, b.errAt(f.Pos, sqlerr.FeatureNotSupported, "%s is not available here", name)
	}
	if err := b.Files(n); err != nil {
		return nil, err
	}
	return n, nil
}

// constArg binds x, which must be a constant, as a value of type t.
func (b *Binder) constArg(x sql.Expr, t types.T, fn string) (types.Value, error) {
	e, err := b.bindExpr(&scope{}, nil, x)
	if err != nil {
		return types.Null, err
	}
	if e, err = b.coerce(e, t, x.Position(), fn); err != nil {
		return types.Null, err
	}
	c, ok := e.(*Const)
	if !ok || c.Type() != t {
		return types.Null, b.errAt(x.Position(), sqlerr.InvalidParameterValue, "the arguments of %s must be %s constants", fn, t)
	}
	return c.V, nil
}
