package exec

import (
	"slices"
	"strconv"
	"strings"

	"rustydb/catalog"
	"rustydb/plan"
	"rustydb/sql"
	"rustydb/sqlerr"
	"rustydb/types"
)

// catalogFunc returns the evaluator of a system catalog function, or nil
// when name is not one (see plan/syscatfuncs.go).
func (c *Context) catalogFunc(e *plan.Func, args []evalFn) evalFn {
	var fn func(a []types.Value) (types.Value, error)
	t := types.NewText
	switch e.Name {
	case "format_type":
		fn = func(a []types.Value) (types.Value, error) {
			if a[0].IsNull() {
				return types.Null, nil
			}
			ty, ok := typeOfOID(a[0].I)
			if !ok {
				return t("???"), nil
			}
			if !a[1].IsNull() && a[1].I >= 0 {
				switch mod := int32(a[1].I) - 4; ty.ID {
				case types.Varchar, types.Char:
					ty.Width = mod
				case types.Numeric:
					ty.Precision, ty.Scale = mod>>16, mod&0xffff
				}
			}
			return t(ty.String()), nil
		}
	case "pg_get_expr": // the catalog keeps expressions as their SQL text
		fn = strict(func(a []types.Value) (types.Value, error) { return a[0], nil })
	case "pg_partition_ancestors": // no table is a partition: its only ancestor is itself
		fn = func(a []types.Value) (types.Value, error) { return a[0], nil }
	case "pg_get_indexdef":
		fn = strict(func(a []types.Value) (types.Value, error) {
			tbl, k := c.tableOfOID(a[0].I)
			if tbl == nil || k < 0 {
				return types.Null, nil
			}
			if len(a) > 1 && a[1].I > 0 { // one column of the index
				cols := tbl.IndexKeys()[k]
				if int(a[1].I) > len(cols) {
					return t(""), nil
				}
				return t(tbl.Columns[cols[a[1].I-1]].Name), nil
			}
			return t(indexDef(tbl, k)), nil
		})
	case "pg_get_constraintdef":
		fn = strict(func(a []types.Value) (types.Value, error) {
			if def, ok := c.constraintDef(a[0].I, len(a) > 1 && a[1].Bool()); ok {
				return t(def), nil
			}
			return types.Null, nil
		})
	case "pg_get_viewdef":
		fn = strict(func(a []types.Value) (types.Value, error) {
			if tbl, k := c.tableOfOID(a[0].I); tbl != nil && k < 0 && tbl.IsView() {
				return t(" " + strings.TrimSuffix(tbl.View, ";") + ";"), nil
			}
			return types.Null, nil
		})
	case "pg_table_size", "pg_relation_size", "pg_total_relation_size":
		// the heap file's size; indexes live in memory and have none
		fn = strict(func(a []types.Value) (types.Value, error) {
			tbl, k := c.tableOfOID(a[0].I)
			if tbl == nil || k >= 0 {
				return types.Null, nil
			}
			if h := c.Store.Heap(tbl); h != nil {
				return types.NewInt(h.FileBytes()), nil
			}
			return types.NewInt(0), nil
		})
	case "pg_database_size": // the one database is the data directory
		fn = strict(func([]types.Value) (types.Value, error) { return types.NewInt(c.Store.DiskBytes()), nil })
	case "pg_indexes_size", "pg_tablespace_location":
		fn = func([]types.Value) (types.Value, error) { return types.Null, nil }
	case "pg_size_pretty":
		fn = strict(func(a []types.Value) (types.Value, error) { return t(sizePretty(a[0].I)), nil })
	case "pg_encoding_to_char":
		fn = strict(func(a []types.Value) (types.Value, error) {
			if a[0].I == encodingUTF8 {
				return t("UTF8"), nil
			}
			return t(""), nil
		})
	case "pg_relation_is_publishable":
		fn = func([]types.Value) (types.Value, error) { return types.NewBool(false), nil }
	case "pg_function_is_visible", "pg_type_is_visible":
		fn = strict(func([]types.Value) (types.Value, error) { return types.NewBool(true), nil })
	case "has_table_privilege", "has_schema_privilege", "has_database_privilege":
		kind := strings.TrimSuffix(strings.TrimPrefix(e.Name, "has_"), "_privilege")
		fn = strict(func(a []types.Value) (types.Value, error) { return c.hasPrivilege(kind, a) })
	case "pg_get_statisticsobjdef_columns", "pg_get_triggerdef", "pg_get_function_result", "pg_get_function_arguments",
		"col_description", "obj_description", "shobj_description":
		fn = func([]types.Value) (types.Value, error) { return types.Null, nil } // nothing of the kind exists
	case "current_schemas":
		fn = strict(func(a []types.Value) (types.Value, error) {
			path := c.Store.Catalog().SearchPath(c.SearchPath)
			if a[0].Bool() && !slices.Contains(path, catalog.PgCatalog) { // searched first unless the path places it
				path = append([]string{catalog.PgCatalog}, path...)
			}
			schemas := make([]types.Value, len(path))
			for i, s := range path {
				schemas[i] = t(s)
			}
			return types.NewArray(types.TText, schemas), nil
		})
	case "to_regclass":
		fn = strict(func(a []types.Value) (types.Value, error) {
			if tbl, err := c.relationByText(a[0].S); err == nil {
				return types.NewInt(tableOID(tbl)), nil
			}
			return types.Null, nil
		})
	case "regclass_oid", "regtype_oid", "regnamespace_oid", "regproc_oid":
		kind := strings.TrimSuffix(e.Name, "_oid")
		fn = strict(func(a []types.Value) (types.Value, error) { return c.oidOf(kind, a[0].S) })
	case "regclass_name", "regtype_name", "regnamespace_name", "regproc_name":
		kind := strings.TrimSuffix(e.Name, "_name")
		fn = strict(func(a []types.Value) (types.Value, error) { return t(c.nameOf(kind, a[0].I)), nil })
	default:
		return nil
	}
	return applied(args, fn)
}

// relationByText resolves a relation named in a text value, as nextval's
// argument and a cast to regclass are: s.t or t, quoted or not.
func (c *Context) relationByText(text string) (*catalog.Table, error) {
	n, err := sql.ParseObjectName(text)
	if err != nil {
		return nil, err
	}
	return c.Store.Catalog().Resolve(n.Schema, n.Name, c.SearchPath)
}

// Schema OIDs: the fixed ones of PostgreSQL's schemas, and for a CREATE
// SCHEMA schema the OID its catalog entry has as a table would.
func (c *Context) namespaceOID(schema string) int64 {
	switch schema {
	case catalog.PgCatalog:
		return oidPgCatalog
	case catalog.Public:
		return oidPublic
	case catalog.InformationSchema:
		return oidInfoSchem
	}
	if ns := c.Store.Catalog().Schema(schema); ns != nil {
		return tableOID(ns)
	}
	return 0
}

// namespaceName returns the name of the schema with the given OID.
func (c *Context) namespaceName(oid int64) (string, bool) {
	switch oid {
	case oidPgCatalog:
		return catalog.PgCatalog, true
	case oidPublic:
		return catalog.Public, true
	case oidInfoSchem:
		return catalog.InformationSchema, true
	}
	if oid < oidTableBase || (oid-oidTableBase)%64 != 0 {
		return "", false
	}
	if ns := c.Store.Catalog().ByID(uint32((oid - oidTableBase) / 64)); ns != nil && ns.IsSchema() {
		return ns.Name, true
	}
	return "", false
}

// relationName is how a regclass prints: the bare name when the search
// path finds the relation by it, else schema-qualified.
func (c *Context) relationName(t *catalog.Table) string {
	if c.Store.Catalog().Visible(t, c.SearchPath) {
		return sql.QuoteIdent(t.Name)
	}
	return sql.QuoteIdent(t.Schema) + "." + sql.QuoteIdent(t.Name)
}

// oidOf resolves a name (or a number) to the OID of a relation, type,
// schema or function, as a cast to regclass, regtype, ... does.
func (c *Context) oidOf(kind, name string) (types.Value, error) {
	if n, err := strconv.ParseInt(strings.TrimSpace(name), 10, 64); err == nil {
		return types.NewInt(n), nil
	}
	switch kind {
	case "regclass":
		tbl, err := c.relationByText(name)
		if err == nil {
			return types.NewInt(tableOID(tbl)), nil
		}
		if sqlerr.Code(err) != sqlerr.UndefinedTable {
			return types.Null, err
		}
		n, _ := sql.ParseObjectName(name)
		if owner, ierr := c.Store.Catalog().ResolveIndex(n.Schema, n.Name, c.SearchPath); ierr == nil {
			return types.NewInt(indexOID(owner, slices.Index(owner.IndexNames(), n.Name))), nil
		}
		return types.Null, err
	case "regtype":
		if ty, ok := types.Lookup(strings.ToLower(strings.TrimSpace(name)), nil); ok {
			return types.NewInt(int64(ty.OID())), nil
		}
		return types.Null, sqlerr.New(sqlerr.UndefinedObject, "type %q does not exist", name)
	case "regnamespace":
		n, err := sql.ParseObjectName(name)
		if err != nil || n.Schema != "" {
			return types.Null, sqlerr.New(sqlerr.InvalidName, "invalid name syntax")
		}
		if oid := c.namespaceOID(n.Name); oid != 0 {
			return types.NewInt(oid), nil
		}
		return types.Null, sqlerr.New(sqlerr.InvalidSchemaName, "schema %q does not exist", n.Name)
	}
	return types.Null, sqlerr.New(sqlerr.UndefinedFunction, "function %q does not exist", name)
}

// nameOf is the text a regclass, regtype, ... value prints as: the
// object's name, or the number when no object has that OID.
func (c *Context) nameOf(kind string, oid int64) string {
	switch kind {
	case "regclass":
		if tbl, k := c.tableOfOID(oid); tbl != nil {
			if k >= 0 {
				return tbl.IndexNames()[k]
			}
			return c.relationName(tbl)
		}
	case "regtype":
		if ty, ok := typeOfOID(oid); ok {
			return ty.String()
		}
	case "regnamespace":
		if name, ok := c.namespaceName(oid); ok {
			return sql.QuoteIdent(name)
		}
	}
	if oid == 0 {
		return "-"
	}
	return strconv.FormatInt(oid, 10)
}

// sizePretty formats a byte count as PostgreSQL 15's pg_size_pretty: bytes
// below 10 kB, then the unit that keeps the number below 20 thousand
// halves, rounded half away from zero.
func sizePretty(n int64) string {
	const limit, limit2 = 10 * 1024, 20*1024 - 1
	abs := func(x int64) int64 {
		if x < 0 {
			return -x
		}
		return x
	}
	if abs(n) < limit {
		return strconv.FormatInt(n, 10) + " bytes"
	}
	n >>= 9 // one extra bit for rounding
	for _, unit := range []string{"kB", "MB", "GB", "TB"} {
		if abs(n) < limit2 || unit == "TB" {
			half := int64(1)
			if n < 0 {
				half = -1
			}
			return strconv.FormatInt((n+half)/2, 10) + " " + unit
		}
		n >>= 10
	}
	return ""
}
