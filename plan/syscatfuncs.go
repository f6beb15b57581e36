package plan

import (
	"rustydb/sqlerr"
	"rustydb/types"
)

func init() {
	for name, sig := range catalogFuncs {
		funcs[name] = sig
	}
}

// catalogFuncs are the signatures of the functions system catalog queries
// call (exec/syscatfuncs.go evaluates them). OIDs are bigint.
var catalogFuncs = map[string]funcSig{
	"format_type":                     {2, 2, oidArgs(types.TText, types.TInt4)},
	"pg_get_expr":                     {2, 3, argsOf(types.TText, types.TText, types.TInt8, types.TBool)},
	"pg_get_indexdef":                 {1, 3, oidArgs(types.TText, types.TInt4, types.TBool)},
	"pg_get_constraintdef":            {1, 2, oidArgs(types.TText, types.TBool)},
	"pg_get_viewdef":                  {1, 2, oidArgs(types.TText, types.TBool)},
	"pg_relation_is_publishable":      {1, 1, oidArgs(types.TBool)},
	"pg_partition_ancestors":          {1, 1, oidArgs(types.TInt8)},
	"pg_table_size":                   {1, 1, oidArgs(types.TInt8)},
	"pg_relation_size":                {1, 2, oidArgs(types.TInt8, types.TText)},
	"pg_total_relation_size":          {1, 1, oidArgs(types.TInt8)},
	"pg_indexes_size":                 {1, 1, oidArgs(types.TInt8)},
	"pg_size_pretty":                  {1, 1, argsOf(types.TText, types.TInt8)},
	"pg_database_size":                {1, 1, argsOf(types.TInt8, types.TText)},
	"pg_tablespace_location":          {1, 1, oidArgs(types.TText)},
	"pg_get_statisticsobjdef_columns": {1, 1, oidArgs(types.TText)},
	"pg_get_triggerdef":               {1, 2, oidArgs(types.TText, types.TBool)},
	"pg_encoding_to_char":             {1, 1, oidArgs(types.TText)},
	"pg_get_function_result":          {1, 1, oidArgs(types.TText)},
	"pg_get_function_arguments":       {1, 1, oidArgs(types.TText)},
	"pg_function_is_visible":          {1, 1, oidArgs(types.TBool)},
	"pg_type_is_visible":              {1, 1, oidArgs(types.TBool)},
	"col_description":                 {2, 2, oidArgs(types.TText, types.TInt4)},
	"obj_description":                 {1, 2, oidArgs(types.TText, types.TText)},
	"shobj_description":               {2, 2, oidArgs(types.TText, types.TText)},
	"current_schemas":                 {1, 1, argsOf(types.ArrayOf(types.TText), types.TBool)},
	"to_regclass":                     {1, 1, argsOf(types.TInt8, types.TText)},
	"has_table_privilege":             {2, 3, argsOf(types.TBool, types.TText, types.TText, types.TText)},
	"has_schema_privilege":            {2, 3, argsOf(types.TBool, types.TText, types.TText, types.TText)},
	"has_database_privilege":          {2, 3, argsOf(types.TBool, types.TText, types.TText, types.TText)},
	// casts to regclass, regtype, regnamespace and regproc: a name to
	// its OID, an OID to its name (see the binder's CastExpr)
	"regclass_oid":      {1, 1, argsOf(types.TInt8, types.TText)},
	"regclass_name":     {1, 1, oidArgs(types.TText)},
	"regtype_oid":       {1, 1, argsOf(types.TInt8, types.TText)},
	"regtype_name":      {1, 1, oidArgs(types.TText)},
	"regnamespace_oid":  {1, 1, argsOf(types.TInt8, types.TText)},
	"regnamespace_name": {1, 1, oidArgs(types.TText)},
	"regproc_oid":       {1, 1, argsOf(types.TInt8, types.TText)},
	"regproc_name":      {1, 1, oidArgs(types.TText)},
}

// oidArgs types f(oid, rest...) returning result: the first argument is an
// OID (bigint).
func oidArgs(result types.T, rest ...types.T) func(*Binder, []Expr, int) (types.T, error) {
	return argsOf(result, append([]types.T{types.TInt8}, rest...)...)
}

// argsOf types f(args...) returning result, coercing each argument.
func argsOf(result types.T, params ...types.T) func(*Binder, []Expr, int) (types.T, error) {
	return func(b *Binder, args []Expr, pos int) (types.T, error) {
		for i := range args {
			var err error
			if args[i], err = b.coerce(args[i], params[i], pos, "function argument"); err != nil {
				return types.T{}, err
			}
		}
		return result, nil
	}
}

// regKinds are the object kinds of the reg* types.
var regKinds = map[types.ID]string{types.RegClass: "regclass", types.RegType: "regtype",
	types.RegNamespace: "regnamespace", types.RegProc: "regproc"}

// regCast binds a cast to regclass, regtype, ...: a name becomes the
// object's OID (bigint), an OID the object's name (text), which is what
// such a cast is used for in catalog queries.
func (b *Binder) regCast(x Expr, kind string, pos int) (Expr, error) {
	x = resolveUnknownAs(x, types.TText)
	name := kind + "_oid"
	if x.Type().IsInteger() {
		name = kind + "_name"
	} else if !x.Type().IsString() {
		return nil, b.errAt(pos, sqlerr.CannotCoerce, "cannot cast type %s to %s", x.Type(), kind)
	}
	args := []Expr{x}
	t, err := funcs[name].result(b, args, pos)
	if err != nil {
		return nil, err
	}
	return &Func{Name: name, Args: args, T: t}, nil
}
