package exec

import (
	"fmt"
	"slices"
	"strings"

	"rustydb/catalog"
	"rustydb/row"
	"rustydb/sql"
	"rustydb/types"
)

// Fixed OIDs of the system catalogs, as in PostgreSQL, and the scheme that
// gives RustyDB's objects theirs: a table's OID is derived from its id, its
// indexes follow it, and constraints and defaults have ranges of their own.
const (
	oidPgCatalog  = 11
	oidPublic     = 2200
	oidInfoSchem  = 13000
	oidSuperuser  = 10
	oidHeapAM     = 2
	oidBtreeAM    = 403
	oidDatabase   = 5
	oidDefaultTS  = 1663
	oidGlobalTS   = 1664
	oidCollDflt   = 100
	oidTableBase  = 16384   // + table id * 64; index k is table + 1 + k
	oidConstrBase = 1 << 24 // + table id * 64 + constraint number
	oidDefaultBas = 1 << 25 // + table id * 1024 + column number
	oidRoleBase   = 1 << 30 // + role id; the bootstrap superuser is oidSuperuser
	encodingUTF8  = 6
)

func tableOID(t *catalog.Table) int64        { return oidTableBase + int64(t.ID)*64 }
func indexOID(t *catalog.Table, k int) int64 { return tableOID(t) + 1 + int64(k) }

// keyIndexOID returns the OID of t's unique index on exactly cols (in any
// order), the one a foreign key referencing cols relies on, or 0.
func keyIndexOID(t *catalog.Table, cols []int) int64 {
	for k := range t.NumKeys() {
		key := t.IndexKey(k)
		if len(key) == len(cols) && !slices.ContainsFunc(cols, func(c int) bool { return !slices.Contains(key, c) }) {
			return indexOID(t, k)
		}
	}
	return 0
}

// tableOfOID returns the table whose OID (or one of whose index OIDs) is
// oid, and the index number (-1 for the table itself).
func (c *Context) tableOfOID(oid int64) (*catalog.Table, int) {
	if oid < oidTableBase || oid >= oidConstrBase {
		return nil, -1
	}
	id, k := (oid-oidTableBase)/64, int((oid-oidTableBase)%64)-1
	t := c.Store.Catalog().ByID(uint32(id))
	if t == nil || t.IsSchema() || k >= len(t.IndexKeys()) {
		return nil, -1
	}
	return t, k
}

// constraint is one row of pg_constraint.
type constraint struct {
	oid   int64
	name  string
	kind  string // p, u, f, c
	table *catalog.Table
	cols  []int
	index int // the index of a key, else -1
	fk    *catalog.ForeignKey
	check string
}

// constraints lists t's constraints in pg_constraint's terms.
func constraints(t *catalog.Table) []constraint {
	var out []constraint
	add := func(c constraint) {
		c.oid, c.table = oidConstrBase+int64(t.ID)*64+int64(len(out)), t
		out = append(out, c)
	}
	names := t.IndexNames()
	for k, cols := range t.Keys()[:len(t.Keys())-len(uniqueIndexes(t))] {
		kind := "u"
		if k == 0 && len(t.PrimaryKey) > 0 {
			kind = "p"
		}
		add(constraint{name: names[k], kind: kind, cols: cols, index: k})
	}
	for i := range t.ForeignKeys {
		fk := &t.ForeignKeys[i]
		add(constraint{name: fk.Name, kind: "f", cols: fk.Columns, index: -1, fk: fk})
	}
	for _, ck := range t.Checks {
		add(constraint{name: ck.Name, kind: "c", index: -1, check: ck.Expr})
	}
	return out
}

func uniqueIndexes(t *catalog.Table) []catalog.Index {
	var ix []catalog.Index
	for _, i := range t.Indexes {
		if i.Unique {
			ix = append(ix, i)
		}
	}
	return ix
}

// attnums turns column ordinals into 1-based attribute numbers.
func attnums(cols []int) types.Value {
	vals := make([]types.Value, len(cols))
	for i, c := range cols {
		vals[i] = types.NewInt(int64(c + 1))
	}
	return types.NewArray(types.TInt2, vals)
}

// sysTypes are the rows of pg_type: every type a column can have.
var sysTypes = func() []types.T {
	base := []types.T{types.TBool, types.TInt2, types.TInt4, types.TInt8, types.TFloat4, types.TFloat8, types.TNumeric,
		types.TText, {ID: types.Varchar}, {ID: types.Char, Width: 1}, types.TDate, types.TTimestamp, types.TInterval,
		types.TTimestampTZ, types.TTime, types.TUUID, types.TBytea, types.TJSON, types.TJSONB}
	out := slices.Clone(base)
	for _, t := range base {
		out = append(out, types.ArrayOf(t))
	}
	return out
}()

// typeOfOID returns the type with the given OID.
func typeOfOID(oid int64) (types.T, bool) {
	for _, t := range sysTypes {
		if int64(t.OID()) == oid {
			return t, true
		}
	}
	return types.T{}, false
}

// systemRows computes the rows of a system catalog table from the catalog.
func (c *Context) systemRows(name string) [][]types.Value {
	i, t, b := types.NewInt, types.NewText, types.NewBool
	null := types.Null
	tables := c.Store.Catalog().Tables()
	var rows [][]types.Value
	switch name {
	case "pg_namespace":
		for _, ns := range []string{catalog.PgCatalog, catalog.Public, catalog.InformationSchema} {
			rows = append(rows, []types.Value{i(c.namespaceOID(ns)), t(ns), i(oidSuperuser), null})
		}
		for _, ns := range c.Store.Catalog().Schemas() {
			rows = append(rows, []types.Value{i(tableOID(ns)), t(ns.Name), i(c.roleOID(ns.Namespace.Owner)), aclArray(ns)})
		}
	case "pg_am":
		rows = [][]types.Value{{i(oidHeapAM), t("heap"), i(0), t("t")}, {i(oidBtreeAM), t("btree"), i(0), t("i")}}
	case "pg_tablespace":
		rows = [][]types.Value{{i(oidDefaultTS), t("pg_default"), i(oidSuperuser), null, null},
			{i(oidGlobalTS), t("pg_global"), i(oidSuperuser), null, null}}
	case "pg_database":
		rows = [][]types.Value{{i(oidDatabase), t(c.Database), i(oidSuperuser), i(encodingUTF8), t("c"), b(false), b(true),
			i(-1), i(oidDefaultTS), t("C.UTF-8"), t("C.UTF-8"), null, null, null}}
	case "pg_roles", "pg_user":
		rows = c.roleRows(name)
	case "pg_auth_members":
		rows = c.authMemberRows()
	case "pg_default_acl":
		rows = c.defaultACLRows()
	case "pg_type":
		for _, ty := range sysTypes {
			elem, array, category := int64(0), int64(types.ArrayOf(ty).OID()), typeCategory(ty)
			if ty.ID == types.Array {
				elem, array = int64(ty.ElemType().OID()), 0
			}
			coll := int64(0)
			if ty.IsString() {
				coll = oidCollDflt
			}
			rows = append(rows, []types.Value{i(int64(ty.OID())), t(ty.InternalName()), i(oidPgCatalog), i(oidSuperuser),
				i(int64(ty.Size())), b(ty.Size() > 0 && ty.Size() <= 8), t("b"), t(category), b(false), b(true), t(","),
				i(0), i(elem), i(array), t(ty.InternalName() + "in"), t(ty.InternalName() + "out"), b(false), i(0), i(-1), i(0),
				i(coll), null})
		}
	case "pg_class", "pg_attribute", "pg_attrdef", "pg_index", "pg_constraint", "pg_sequence", "pg_tables", "pg_views",
		"pg_indexes", "pg_sequences", "information_schema.tables", "information_schema.views",
		"information_schema.columns", "information_schema.table_constraints", "information_schema.key_column_usage":
		for _, tbl := range tables {
			rows = append(rows, c.relationRows(name, tbl)...)
		}
	case "v$buffer_pool_stats":
		bp := c.Store.BufferPool()
		ratio, usage := 0.0, 0.0
		if bp.Hits+bp.Misses > 0 {
			ratio = float64(bp.Hits) / float64(bp.Hits+bp.Misses)
		}
		if bp.Pages > 0 {
			usage = 100 * float64(bp.Used) / float64(bp.Pages)
		}
		rows = [][]types.Value{{i(int64(bp.Pages)), i(int64(bp.Used)), i(int64(bp.Dirty)), i(int64(bp.Hits)),
			i(int64(bp.Misses)), types.NewFloat(ratio), i(int64(bp.Evictions)), i(int64(bp.PageWrites)), types.NewFloat(usage)}}
	case "v$wal_stats":
		ws := c.Store.WAL().Stats()
		rows = [][]types.Value{{i(int64(ws.BytesWritten)), i(int64(ws.Records)), i(int64(ws.Fsyncs)), i(int64(ws.GroupCommits)),
			i(int64(ws.SegmentsCreated)), i(int64(ws.SegmentsRemoved)), b(c.Store.WAL().Err() != nil)}}
	case "v$database":
		rows = [][]types.Value{{t(c.Database), t(c.ServerVersion), t(c.Store.IOEngine()), t(c.Store.Dir()),
			i(int64(c.Store.Checkpoints())), i(int64(len(tables))), types.NewFloat(c.Store.Uptime().Seconds())}}
	case "v$parameter", "v$parameter_history":
		rows = c.parameterRows(name)
	case "pg_settings":
		rows = c.pgSettingsRows()
	case "dba_tables", "dba_indexes", "dba_objects":
		for _, tbl := range tables {
			rows = append(rows, c.oracleRows(name, tbl)...)
		}
	default:
		rows = c.liveRows(name)
	case "information_schema.table_privileges":
		rows = c.tablePrivilegeRows(tables)
	case "information_schema.column_privileges":
		rows = c.columnPrivilegeRows(tables)
	case "information_schema.schemata":
		for _, ns := range []string{catalog.PgCatalog, catalog.Public, catalog.InformationSchema} {
			rows = append(rows, []types.Value{t(c.Database), t(ns), t(c.User)})
		}
		for _, ns := range c.Store.Catalog().Schemas() {
			rows = append(rows, []types.Value{t(c.Database), t(ns.Name), t(ns.Namespace.Owner)})
		}
	}
	return rows
}

// roleRows computes the rows of pg_roles or pg_user (login roles only).
// Passwords show as ******** whether set or not, as in PostgreSQL. A
// superuser has every other privilege too; other roles have none. A
// database without roles (embedded use) shows its session user as the
// superuser.
func (c *Context) roleRows(name string) [][]types.Value {
	i, t, b, null := types.NewInt, types.NewText, types.NewBool, types.Null
	roles := c.Store.Catalog().Roles()
	if len(roles) == 0 {
		roles = []*catalog.Role{{Name: c.User, Superuser: true, Login: true, Bootstrap: true}}
	}
	var rows [][]types.Value
	for _, r := range roles {
		oid := int64(oidSuperuser)
		if !r.Bootstrap {
			oid = oidRoleBase + int64(r.ID)
		}
		su := b(r.Superuser)
		if name == "pg_roles" {
			rows = append(rows, []types.Value{i(oid), t(r.Name), su, b(true), su, su, b(r.Login), su, i(-1),
				t("********"), null, su, null})
		} else if r.Login {
			rows = append(rows, []types.Value{t(r.Name), i(oid), su, su, su, su, t("********"), null, null})
		}
	}
	return rows
}

// roleName is pg_get_userbyid: the name of the role with OID oid (see
// roleOID), or PostgreSQL's "unknown (OID=n)".
func (c *Context) roleName(oid int64) types.Value {
	cat := c.Store.Catalog()
	if oid == oidSuperuser {
		for _, r := range cat.Roles() {
			if r.Bootstrap {
				return types.NewText(r.Name)
			}
		}
		if len(cat.Roles()) == 0 { // only the implicit superuser of a database without roles
			return types.NewText(c.User)
		}
	} else if r := cat.RoleByID(uint32(oid - oidRoleBase)); r != nil && oid > oidRoleBase && !r.Bootstrap {
		return types.NewText(r.Name)
	}
	return types.NewText(fmt.Sprintf("unknown (OID=%d)", oid))
}

// roleOID returns the OID of the named role as pg_roles shows it.
func (c *Context) roleOID(name string) int64 {
	if r := c.Store.Catalog().Role(name); r != nil && !r.Bootstrap {
		return oidRoleBase + int64(r.ID)
	}
	return oidSuperuser
}

// relationRows computes the rows a system catalog table has for one table,
// view or sequence.
func (c *Context) relationRows(name string, tbl *catalog.Table) [][]types.Value {
	i, t, b, f := types.NewInt, types.NewText, types.NewBool, types.NewFloat
	null := types.Null
	oid := tableOID(tbl)
	nsOID, schema := c.namespaceOID(tbl.Schema), t(tbl.Schema)
	kind := "r"
	switch {
	case tbl.IsView():
		kind = "v"
	case tbl.IsSequence():
		kind = "S"
	}
	names := tbl.IndexNames()
	var rows [][]types.Value
	switch name {
	case "pg_class":
		am, tuples := int64(oidHeapAM), float64(-1)
		if kind != "r" {
			am = 0
		}
		if h := c.Store.Heap(tbl); h != nil && h.Stats() != nil {
			tuples = float64(h.Stats().Rows)
		}
		// PostgreSQL enforces foreign keys with triggers, and psql shows
		// them only for tables that have triggers
		triggers := len(tbl.ForeignKeys) > 0 || len(c.Store.Catalog().Referencing(tbl.ID)) > 0
		acl := aclArray(tbl)
		rel := func(oid int64, name, kind string, am int64, tuples float64, natts, checks int, hasIndex, triggers bool) []types.Value {
			return []types.Value{i(oid), t(name), i(nsOID), i(0), i(0), i(c.roleOID(tbl.Owner)), i(am), i(oid), i(0), i(0),
				f(tuples), i(0), i(0), b(hasIndex), b(false), t("p"), t(kind), i(int64(natts)), i(int64(checks)),
				b(false), b(triggers), b(false), b(false), b(false), b(true), t("d"), b(false), i(0), acl, null, null}
		}
		rows = append(rows, rel(oid, tbl.Name, kind, am, tuples, len(tbl.Columns), len(tbl.Checks), len(names) > 0, triggers))
		acl = null // indexes have no privileges
		for k, ix := range names {
			rows = append(rows, rel(indexOID(tbl, k), ix, "i", oidBtreeAM, -1, len(tbl.IndexKeys()[k]), 0, false, false))
		}
	case "pg_attribute":
		for n, col := range tbl.Columns {
			coll := int64(0)
			if col.Type.IsString() {
				coll = oidCollDflt
			}
			identity := map[string]string{"": "", "always": "a", "by default": "d"}[col.Identity]
			rows = append(rows, []types.Value{i(oid), t(col.Name), i(int64(col.Type.OID())), i(-1), i(int64(col.Type.Size())),
				i(int64(n + 1)), i(0), i(-1), i(int64(col.Type.Modifier())), b(col.Type.Size() > 0 && col.Type.Size() <= 8),
				t("d"), t(storage(col.Type)), t(""), b(col.NotNull), b(col.Default != ""), b(false), t(identity), t(""), b(false),
				b(true), i(0), i(coll), aclItems(col.ACL), null, null})
		}
	case "pg_attrdef":
		for n, col := range tbl.Columns {
			if col.Default != "" {
				rows = append(rows, []types.Value{i(oidDefaultBas + int64(tbl.ID)*1024 + int64(n+1)), i(oid), i(int64(n + 1)), t(col.Default)})
			}
		}
	case "pg_index":
		unique := len(tbl.Keys())
		for k, cols := range tbl.IndexKeys() {
			primary := k == 0 && len(tbl.PrimaryKey) > 0
			zeros := make([]types.Value, len(cols))
			for z := range zeros {
				zeros[z] = i(0)
			}
			rows = append(rows, []types.Value{i(indexOID(tbl, k)), i(oid), i(int64(len(cols))), i(int64(len(cols))),
				b(k < unique), b(false), b(primary), b(false), b(true), b(false), b(true), b(false), b(true), b(true),
				b(false), attnums(cols), types.NewArray(types.TInt8, zeros), types.NewArray(types.TInt8, zeros),
				types.NewArray(types.TInt2, zeros), null, null})
		}
	case "pg_constraint":
		for _, con := range constraints(tbl) {
			index, ref, upd, del, match := i(0), i(0), t(" "), t(" "), t(" ")
			confkey, conbin := null, null
			if con.index >= 0 {
				index = i(indexOID(tbl, con.index))
			}
			if con.fk != nil {
				ref, match = i(oidTableBase+int64(con.fk.RefTable)*64), t("s")
				if rt := c.Store.Catalog().ByID(con.fk.RefTable); rt != nil {
					index = i(keyIndexOID(rt, con.fk.RefColumns)) // the referenced key's index, as PostgreSQL records it
				}
				upd, del = t(fkAction(con.fk.OnUpdate)), t(fkAction(con.fk.OnDelete))
				confkey = attnums(con.fk.RefColumns)
			}
			conkey := null
			if con.cols != nil {
				conkey = attnums(con.cols)
			}
			if con.kind == "c" {
				conbin = t(con.check)
			}
			rows = append(rows, []types.Value{i(con.oid), t(con.name), i(nsOID), t(con.kind), b(false), b(false), b(true),
				i(oid), i(0), index, i(0), ref, upd, del, match, b(true), i(0), b(false), conkey, confkey, conbin})
		}
	case "pg_sequence":
		if s := tbl.Sequence; s != nil {
			rows = append(rows, []types.Value{i(oid), i(int64(types.OIDInt8)), i(s.Start), i(s.Increment), i(s.Max), i(s.Min), i(1), b(s.Cycle)})
		}
	case "pg_tables":
		if kind == "r" {
			rows = append(rows, []types.Value{schema, t(tbl.Name), t(c.User), null, b(len(names) > 0), b(false), b(false), b(false)})
		}
	case "pg_views":
		if kind == "v" {
			rows = append(rows, []types.Value{schema, t(tbl.Name), t(c.User), t(tbl.View)})
		}
	case "pg_indexes":
		for k, ix := range names {
			rows = append(rows, []types.Value{schema, t(tbl.Name), t(ix), null, t(indexDef(tbl, k))})
		}
	case "pg_sequences":
		if s := tbl.Sequence; s != nil {
			rows = append(rows, []types.Value{schema, t(tbl.Name), t(c.User), t("bigint"), i(s.Start), i(s.Min), i(s.Max),
				i(s.Increment), b(s.Cycle), i(1), null})
		}
	case "information_schema.tables":
		if kind != "S" {
			typ := map[string]string{"r": "BASE TABLE", "v": "VIEW"}[kind]
			rows = append(rows, []types.Value{t(c.Database), schema, t(tbl.Name), t(typ), t(map[bool]string{true: "YES", false: "NO"}[kind == "r"])})
		}
	case "information_schema.views":
		if kind == "v" {
			rows = append(rows, []types.Value{t(c.Database), schema, t(tbl.Name), t(tbl.View)})
		}
	case "information_schema.columns":
		if kind == "S" {
			break
		}
		for n, col := range tbl.Columns {
			def, nullable := null, "YES"
			if col.Default != "" {
				def = t(col.Default)
			}
			if col.NotNull {
				nullable = "NO"
			}
			maxLen, prec, scale, dtPrec := null, null, null, null
			switch ty := col.Type; {
			case (ty.ID == types.Varchar || ty.ID == types.Char) && ty.Width > 0:
				maxLen = i(int64(ty.Width))
			case ty.ID == types.Int2:
				prec, scale = i(16), i(0)
			case ty.ID == types.Int4:
				prec, scale = i(32), i(0)
			case ty.ID == types.Int8:
				prec, scale = i(64), i(0)
			case ty.ID == types.Numeric && ty.Precision > 0:
				prec, scale = i(int64(ty.Precision)), i(int64(ty.Scale))
			case ty.ID == types.Timestamp:
				dtPrec = i(6)
			}
			dataType := col.Type.String()
			if col.Type.ID == types.Array {
				dataType = "ARRAY"
			} else if p := strings.IndexByte(dataType, '('); p > 0 {
				dataType = dataType[:p]
			}
			identity, generation := "NO", null
			if col.Identity != "" {
				identity, generation = "YES", t(strings.ToUpper(col.Identity))
			}
			rows = append(rows, []types.Value{t(c.Database), schema, t(tbl.Name), t(col.Name), i(int64(n + 1)), def,
				t(nullable), t(dataType), maxLen, prec, scale, dtPrec, t(col.Type.InternalName()), t(identity), generation})
		}
	case "information_schema.table_constraints":
		for _, con := range constraints(tbl) {
			typ := map[string]string{"p": "PRIMARY KEY", "u": "UNIQUE", "f": "FOREIGN KEY", "c": "CHECK"}[con.kind]
			rows = append(rows, []types.Value{t(c.Database), schema, t(con.name), t(c.Database), schema, t(tbl.Name),
				t(typ), t("NO"), t("NO")})
		}
	case "information_schema.key_column_usage":
		for _, con := range constraints(tbl) {
			for n, col := range con.cols {
				pos := null
				if con.fk != nil {
					pos = i(int64(n + 1))
				}
				rows = append(rows, []types.Value{t(c.Database), schema, t(con.name), t(c.Database), schema,
					t(tbl.Name), t(tbl.Columns[col].Name), i(int64(n + 1)), pos})
			}
		}
	}
	return rows
}

// storage is pg_attribute.attstorage: plain for fixed-size types, main for
// numeric, extended for the rest.
func storage(t types.T) string {
	switch {
	case t.Size() > 0:
		return "p"
	case t.ID == types.Numeric:
		return "m"
	}
	return "x"
}

// typeCategory is pg_type.typcategory.
func typeCategory(t types.T) string {
	switch {
	case t.ID == types.Array:
		return "A"
	case t.ID == types.Bool:
		return "B"
	case t.IsNumeric():
		return "N"
	case t.IsString():
		return "S"
	case t.ID == types.Date || t.ID == types.Timestamp || t.ID == types.TimestampTZ || t.ID == types.Time:
		return "D"
	case t.ID == types.Interval:
		return "T"
	}
	return "U"
}

// fkAction is pg_constraint's letter for a foreign key action.
func fkAction(a string) string {
	return map[string]string{"no action": "a", "restrict": "r", "cascade": "c", "set null": "n", "set default": "d"}[a]
}

// indexDef is pg_get_indexdef's text for index k of t.
func indexDef(t *catalog.Table, k int) string {
	unique := ""
	if k < len(t.Keys()) {
		unique = "UNIQUE "
	}
	return fmt.Sprintf("CREATE %sINDEX %s ON %s.%s USING btree (%s)", unique, sql.QuoteIdent(t.IndexNames()[k]),
		sql.QuoteIdent(t.Schema), sql.QuoteIdent(t.Name), quotedColumns(t, t.IndexKeys()[k]))
}

func quotedColumns(t *catalog.Table, cols []int) string {
	names := make([]string, len(cols))
	for i, c := range cols {
		names[i] = sql.QuoteIdent(t.Columns[c].Name)
	}
	return strings.Join(names, ", ")
}

// constraintDef is pg_get_constraintdef's text for constraint oid; pretty
// drops the parentheses a CHECK expression does not need.
func (c *Context) constraintDef(oid int64, pretty bool) (string, bool) {
	if oid < oidConstrBase || oid >= oidDefaultBas {
		return "", false
	}
	t := c.Store.Catalog().ByID(uint32((oid - oidConstrBase) / 64))
	if t == nil {
		return "", false
	}
	for _, con := range constraints(t) {
		if con.oid != oid {
			continue
		}
		switch con.kind {
		case "p":
			return "PRIMARY KEY (" + quotedColumns(t, con.cols) + ")", true
		case "u":
			return "UNIQUE (" + quotedColumns(t, con.cols) + ")", true
		case "c":
			if pretty {
				return "CHECK (" + con.check + ")", true
			}
			return "CHECK ((" + con.check + "))", true
		}
		ref := c.Store.Catalog().ByID(con.fk.RefTable)
		if ref == nil {
			return "", false
		}
		def := fmt.Sprintf("FOREIGN KEY (%s) REFERENCES %s(%s)", quotedColumns(t, con.cols), c.relationName(ref),
			quotedColumns(ref, con.fk.RefColumns))
		if a := con.fk.OnUpdate; a != "no action" {
			def += " ON UPDATE " + strings.ToUpper(a)
		}
		if a := con.fk.OnDelete; a != "no action" {
			def += " ON DELETE " + strings.ToUpper(a)
		}
		return def, true
	}
	return "", false
}

// oracleRows computes the rows the Administration Guide's dba_* views have
// for one table, view or sequence.
func (c *Context) oracleRows(name string, tbl *catalog.Table) [][]types.Value {
	i, t := types.NewInt, types.NewText
	owner := strings.ToUpper(c.User)
	switch name {
	case "dba_tables":
		if tbl.IsView() || tbl.IsSequence() {
			return nil
		}
		rows, analyzed, blocks := types.Null, types.Null, int64(0)
		if h := c.Store.Heap(tbl); h != nil {
			blocks = h.FileBytes() / row.PageSize
			if st := h.Stats(); st != nil {
				rows, analyzed = i(st.Rows), t("YES")
			}
		}
		return [][]types.Value{{t(owner), t(strings.ToUpper(tbl.Name)), rows, i(blocks), analyzed}}
	case "dba_indexes":
		var out [][]types.Value
		for k, ix := range tbl.IndexNames() {
			uniqueness := "NONUNIQUE"
			if k < len(tbl.Keys()) {
				uniqueness = "UNIQUE"
			}
			out = append(out, []types.Value{t(owner), t(strings.ToUpper(ix)), t(strings.ToUpper(tbl.Name)), t(uniqueness),
				t(strings.ToUpper(quotedColumns(tbl, tbl.IndexKeys()[k])))})
		}
		return out
	}
	typ := "TABLE"
	switch {
	case tbl.IsView():
		typ = "VIEW"
	case tbl.IsSequence():
		typ = "SEQUENCE"
	}
	out := [][]types.Value{{t(owner), t(strings.ToUpper(tbl.Name)), t(typ), i(tableOID(tbl)), t("VALID")}}
	for k, ix := range tbl.IndexNames() {
		out = append(out, []types.Value{t(owner), t(strings.ToUpper(ix)), t("INDEX"), i(indexOID(tbl, k)), t("VALID")})
	}
	return out
}
