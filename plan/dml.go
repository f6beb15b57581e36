package plan

import (
	"fmt"
	"math"
	"slices"

	"rustydb/catalog"
	"rustydb/sql"
	"rustydb/sqlerr"
	"rustydb/types"
)

// DefaultExpr parses and binds a column's DEFAULT text.
func (b *Binder) DefaultExpr(c catalog.Column) (Expr, error) {
	if c.Default == "" {
		return &Const{V: types.Null, T: c.Type}, nil
	}
	stmts, err := sql.Parse("SELECT " + c.Default)
	if err != nil {
		return nil, err
	}
	inner := b.inner("SELECT "+c.Default, b.SearchPath)
	e, err := inner.bindExpr(&scope{}, nil, stmts[0].(*sql.SelectStmt).Targets[0].Expr)
	if err != nil {
		return nil, err
	}
	return inner.assign(e, c.Type, c.Name, 0)
}

// writable looks up the target table of INSERT, UPDATE or DELETE, which
// the statement needs privileges need on.
func (b *Binder) writable(name sql.ObjectName, verb string, need catalog.Priv) (*catalog.Table, error) {
	t, err := b.queryRelation(name, -1)
	if err != nil {
		return nil, err
	}
	if err := b.require(t, need); err != nil {
		return nil, err
	}
	if t.IsView() {
		return nil, sqlerr.New(sqlerr.FeatureNotSupported, "cannot %s view %q", verb, name.Name).
			WithDetail("Views are not updatable yet.")
	}
	return t, nil
}

// readsTarget adds SELECT to need when a data-changing statement reads its
// target's rows (WHERE, RETURNING), as PostgreSQL requires.
func readsTarget(need catalog.Priv, where sql.Expr, returning []sql.SelectItem) catalog.Priv {
	if where != nil || len(returning) > 0 {
		need |= catalog.PrivSelect
	}
	return need
}

func (b *Binder) bindInsert(s *sql.InsertStmt) (Plan, error) {
	need := readsTarget(catalog.PrivInsert, nil, s.Returning)
	if s.OnConflict != nil && !s.OnConflict.DoNothing {
		need |= catalog.PrivUpdate
	}
	t, err := b.writable(s.Table, "insert into", need)
	if err != nil {
		return nil, err
	}
	// target[i] is the table column the i-th supplied value goes to
	var target []int
	if len(s.Columns) == 0 {
		for i := range t.Columns {
			target = append(target, i)
		}
	} else {
		seen := map[int]bool{}
		for _, name := range s.Columns {
			i := t.ColumnIndex(name)
			if i < 0 {
				return nil, sqlerr.New(sqlerr.UndefinedColumn, "column %q of relation %q does not exist", name, t.Name)
			}
			if seen[i] {
				return nil, sqlerr.New(sqlerr.DuplicateColumn, "column %q specified more than once", name)
			}
			seen[i] = true
			target = append(target, i)
		}
	}
	b.noteWrites(t, target)
	for _, i := range target {
		if t.Columns[i].Identity == "always" && !(len(s.Values) > 0 && allDefault(s.Values, i, target)) {
			return nil, sqlerr.New("428C9", "cannot insert a non-DEFAULT value into column %q", t.Columns[i].Name).
				WithDetail("Column %q is an identity column defined as GENERATED ALWAYS.", t.Columns[i].Name)
		}
	}
	defaults := make([]Expr, len(t.Columns))
	for i, c := range t.Columns {
		d, err := b.DefaultExpr(c)
		if err != nil {
			return nil, err
		}
		defaults[i] = d
	}
	// build rows in table column order
	full := func(vals []Expr) []Expr {
		row := make([]Expr, len(t.Columns))
		copy(row, defaults)
		for j, v := range vals {
			if v != nil {
				row[target[j]] = v
			}
		}
		return row
	}
	var source Node
	if s.Select == nil {
		rows := make([][]Expr, len(s.Values))
		empty := &scope{}
		for i, r := range s.Values {
			if len(r) > len(target) {
				return nil, b.errAt(r[len(target)].Position(), sqlerr.SyntaxError, "INSERT has more expressions than target columns")
			}
			if len(r) < len(target) && len(r) > 0 {
				return nil, sqlerr.New(sqlerr.SyntaxError, "INSERT has more target columns than expressions")
			}
			vals := make([]Expr, len(r))
			for j, e := range r {
				if _, isDefault := e.(*sql.DefaultExpr); isDefault {
					continue
				}
				x, err := b.bindExpr(empty, nil, e)
				if err != nil {
					return nil, err
				}
				col := t.Columns[target[j]]
				if vals[j], err = b.assign(x, col.Type, col.Name, e.Position()); err != nil {
					return nil, err
				}
			}
			rows[i] = full(vals)
		}
		source = &Values{Rows: rows, Cols: tableCols(t)}
	} else {
		n, err := b.bindSelect(s.Select)
		if err != nil {
			return nil, err
		}
		n = optimize(n, s.Select.Hints)
		cols := n.Columns()
		if len(cols) > len(target) {
			return nil, sqlerr.New(sqlerr.SyntaxError, "INSERT has more expressions than target columns")
		}
		if len(cols) < len(target) {
			return nil, sqlerr.New(sqlerr.SyntaxError, "INSERT has more target columns than expressions")
		}
		vals := make([]Expr, len(cols))
		for j, c := range cols {
			col := t.Columns[target[j]]
			if vals[j], err = b.assign(&ColRef{Idx: j, T: c.Type}, col.Type, col.Name, 0); err != nil {
				return nil, err
			}
		}
		source = &Project{Input: n, Exprs: full(vals), Cols: tableCols(t)}
	}
	ins := &Insert{Table: t, Source: source}
	if s.OnConflict != nil {
		if ins.OnConflict, err = b.bindOnConflict(t, s.Alias, s.OnConflict); err != nil {
			return nil, err
		}
	}
	ins.Returning, ins.RetCols, err = b.bindReturning(t, s.Returning)
	return ins, err
}

// allDefault reports whether every VALUES row gives DEFAULT for column col.
func allDefault(rows [][]sql.Expr, col int, target []int) bool {
	for _, r := range rows {
		for j, e := range r {
			if target[j] != col {
				continue
			}
			if _, ok := e.(*sql.DefaultExpr); !ok {
				return false
			}
		}
	}
	return true
}

func tableCols(t *catalog.Table) []Column {
	cols := make([]Column, len(t.Columns))
	for i, c := range t.Columns {
		cols[i] = Column{Name: c.Name, Type: c.Type, Table: t.Name, TableID: t.ID, Ordinal: int16(i + 1)}
	}
	return cols
}

// tableScope is the scope of a FROM item or target table t with alias ("" for none).
func tableScope(t *catalog.Table, alias string) *scope {
	cols := tableCols(t)
	reads(cols, t, alias != "")
	if alias != "" {
		for i := range cols {
			cols[i].Table = alias
		}
	}
	return &scope{cols: cols}
}

func (b *Binder) bindReturning(t *catalog.Table, items []sql.SelectItem) ([]Expr, []Column, error) {
	if len(items) == 0 {
		return nil, nil, nil
	}
	sc := tableScope(t, "")
	var exprs []Expr
	var cols []Column
	for _, item := range items {
		if item.Star {
			for i, c := range sc.cols {
				b.noteRead(c)
				exprs = append(exprs, &ColRef{Idx: i, T: c.Type, Name: c.Name})
				cols = append(cols, c)
			}
			continue
		}
		e, err := b.bindExpr(sc, nil, item.Expr)
		if err != nil {
			return nil, nil, err
		}
		e = resolveUnknown(e)
		exprs = append(exprs, e)
		cols = append(cols, Column{Name: outputName(item), Type: e.Type()})
	}
	return exprs, cols, nil
}

func (b *Binder) bindUpdate(s *sql.UpdateStmt) (Plan, error) {
	t, err := b.writable(s.Table, "update", readsTarget(catalog.PrivUpdate, s.Where, s.Returning))
	if err != nil {
		return nil, err
	}
	sc := tableScope(t, s.Alias)
	u := &Update{Table: t}
	if u.SetCols, u.Set, err = b.bindSet(sc, t, s.Set); err != nil {
		return nil, err
	}
	b.noteWrites(t, u.SetCols)
	if s.Where != nil {
		var err error
		if u.Filter, err = b.bindCondition(sc, nil, s.Where, "WHERE"); err != nil {
			return nil, err
		}
		u.Lookup = chooseIndex(t, u.Filter, accessHint(s.Hints, t, s.Alias), b.stats(t))
	}
	u.Returning, u.RetCols, err = b.bindReturning(t, s.Returning)
	return u, err
}

func (b *Binder) bindDelete(s *sql.DeleteStmt) (Plan, error) {
	t, err := b.writable(s.Table, "delete from", readsTarget(catalog.PrivDelete, s.Where, s.Returning))
	if err != nil {
		return nil, err
	}
	d := &Delete{Table: t}
	if s.Where != nil {
		var err error
		if d.Filter, err = b.bindCondition(tableScope(t, s.Alias), nil, s.Where, "WHERE"); err != nil {
			return nil, err
		}
		d.Lookup = chooseIndex(t, d.Filter, accessHint(s.Hints, t, s.Alias), b.stats(t))
	}
	d.Returning, d.RetCols, err = b.bindReturning(t, s.Returning)
	return d, err
}

func (b *Binder) bindCreate(s *sql.CreateTableStmt) (Plan, error) {
	schema, old, err := b.creationSchema(s.Name)
	if err != nil {
		return nil, err
	}
	if old != nil {
		if s.IfNotExists {
			return &CreateTable{IfNotExists: true}, nil
		}
		return nil, sqlerr.New(sqlerr.DuplicateTable, "relation %q already exists", s.Name.Name)
	}
	if s.As != nil {
		n, err := b.bindSelect(s.As)
		if err != nil {
			return nil, err
		}
		n = optimize(n, s.As.Hints)
		t := &catalog.Table{Name: s.Name.Name, Schema: schema}
		for i, c := range n.Columns() {
			name := c.Name
			if i < len(s.AsColumns) {
				name = s.AsColumns[i]
			}
			if t.ColumnIndex(name) >= 0 {
				return nil, sqlerr.New(sqlerr.DuplicateColumn, "column %q specified more than once", name)
			}
			typ := c.Type
			if typ.ID == types.Unknown {
				typ = types.TText
			}
			t.Columns = append(t.Columns, catalog.Column{Name: name, Type: typ})
		}
		if len(s.AsColumns) > len(t.Columns) {
			return nil, sqlerr.New(sqlerr.SyntaxError, "too many column names were specified")
		}
		ct := &CreateTable{Table: t}
		if !s.NoData {
			ct.As = n
		}
		return ct, nil
	}
	if len(s.Columns) == 0 {
		return nil, sqlerr.New(sqlerr.FeatureNotSupported, "tables without columns are not supported")
	}
	t := &catalog.Table{Name: s.Name.Name, Schema: schema}
	names := map[string]bool{}
	var pk []int
	var sequences []*catalog.Table // for serial and identity columns
	for i, c := range s.Columns {
		if names[c.Name] {
			return nil, b.errAt(c.Pos, sqlerr.DuplicateColumn, "column %q specified more than once", c.Name)
		}
		names[c.Name] = true
		col := catalog.Column{Name: c.Name, Type: c.Type, NotNull: c.NotNull || c.PrimaryKey, Identity: c.Identity}
		if c.Default != nil {
			if c.Serial || c.Identity != "" {
				return nil, b.errAt(c.Pos, sqlerr.SyntaxError, "multiple default values specified for column %q of table %q", c.Name, t.Name)
			}
			col.Default = c.DefaultText
		}
		if c.Serial || c.Identity != "" {
			seq, err := newSequence(t.Name+"_"+c.Name+"_seq", c.IdentityOptions, c.Type)
			if err != nil {
				return nil, err
			}
			seq.Schema = schema
			if b.Catalog.Lookup(schema, seq.Name) != nil {
				return nil, sqlerr.New(sqlerr.DuplicateTable, "relation %q already exists", seq.Name)
			}
			sequences = append(sequences, seq)
			col.Default = SerialDefault(schema, seq.Name)
		}
		t.Columns = append(t.Columns, col)
		if c.PrimaryKey {
			if pk != nil {
				return nil, sqlerr.New(sqlerr.InvalidTableDefinition, "multiple primary keys for table %q are not allowed", t.Name)
			}
			pk = []int{i}
		}
		if c.Unique {
			t.Unique = append(t.Unique, []int{i})
		}
	}
	if s.PrimaryKey != nil {
		if pk != nil {
			return nil, sqlerr.New(sqlerr.InvalidTableDefinition, "multiple primary keys for table %q are not allowed", t.Name)
		}
		for _, name := range s.PrimaryKey {
			i := t.ColumnIndex(name)
			if i < 0 {
				return nil, sqlerr.New(sqlerr.UndefinedColumn, "column %q named in key does not exist", name)
			}
			pk = append(pk, i)
			t.Columns[i].NotNull = true
		}
	}
	t.PrimaryKey = pk
	for _, u := range s.Unique {
		var cols []int
		for _, name := range u {
			i := t.ColumnIndex(name)
			if i < 0 {
				return nil, sqlerr.New(sqlerr.UndefinedColumn, "column %q named in key does not exist", name)
			}
			cols = append(cols, i)
		}
		t.Unique = append(t.Unique, cols)
	}
	for _, key := range append([][]int{pk}, t.Unique...) {
		for _, i := range key {
			if err := Indexable(t.Columns[i].Type); err != nil {
				return nil, err
			}
		}
	}
	// Check that each DEFAULT binds and converts to its column's type.
	for _, c := range t.Columns {
		if _, err := b.DefaultExpr(c); err != nil {
			return nil, fmt.Errorf("invalid DEFAULT for column %q: %w", c.Name, err)
		}
	}
	if err := b.bindConstraints(t, s); err != nil {
		return nil, err
	}
	return &CreateTable{Table: t, Sequences: sequences}, nil
}

// SerialDefault is the DEFAULT of a serial or identity column whose
// sequence is seq of schema. Outside public the sequence is named with its
// schema, so that the default finds it whatever the search path; public
// ones keep the text they had before schemas existed.
func SerialDefault(schema, seq string) string {
	if schema != catalog.Public {
		seq = sql.QuoteIdent(schema) + "." + sql.QuoteIdent(seq)
	}
	return "nextval(" + sql.QuoteString(seq) + ")"
}

// newSequence builds a sequence definition with PostgreSQL's defaults for
// the options not given (bounds follow the column type, default bigint).
func newSequence(name string, o sql.SequenceOptions, colType types.T) (*catalog.Table, error) {
	inc := int64(1)
	if o.Increment != nil {
		inc = *o.Increment
	}
	if inc == 0 {
		return nil, sqlerr.New(sqlerr.InvalidParameterValue, "INCREMENT must not be zero")
	}
	maxOf := map[types.ID]int64{types.Int2: math.MaxInt16, types.Int4: math.MaxInt32}[colType.ID]
	if maxOf == 0 {
		maxOf = math.MaxInt64
	}
	seq := &catalog.Sequence{Increment: inc, Min: 1, Max: maxOf, Cycle: o.Cycle}
	if inc < 0 {
		seq.Min, seq.Max = -maxOf-1, -1
	}
	if o.Min != nil {
		seq.Min = *o.Min
	}
	if o.Max != nil {
		seq.Max = *o.Max
	}
	seq.Start = seq.Min
	if inc < 0 {
		seq.Start = seq.Max
	}
	if o.Start != nil {
		seq.Start = *o.Start
	}
	if seq.Min >= seq.Max {
		return nil, sqlerr.New(sqlerr.InvalidParameterValue, "MINVALUE (%d) must be less than MAXVALUE (%d)", seq.Min, seq.Max)
	}
	if seq.Start < seq.Min || seq.Start > seq.Max {
		return nil, sqlerr.New(sqlerr.InvalidParameterValue, "START value (%d) cannot be outside MINVALUE and MAXVALUE (%d..%d)", seq.Start, seq.Min, seq.Max)
	}
	return &catalog.Table{Name: name, Sequence: seq}, nil
}

func (b *Binder) bindCreateSequence(s *sql.CreateSequenceStmt) (Plan, error) {
	schema, old, err := b.creationSchema(s.Name)
	if err != nil {
		return nil, err
	}
	if old != nil {
		if s.IfNotExists {
			return &CreateTable{IfNotExists: true}, nil
		}
		return nil, sqlerr.New(sqlerr.DuplicateTable, "relation %q already exists", s.Name.Name)
	}
	seq, err := newSequence(s.Name.Name, s.Options, types.TInt8)
	if err != nil {
		return nil, err
	}
	seq.Schema = schema
	return &CreateTable{Table: seq}, nil
}

// bindSet binds the assignments of UPDATE (or ON CONFLICT DO UPDATE) over
// scope sc, returning the columns set and their new values.
func (b *Binder) bindSet(sc *scope, t *catalog.Table, set []sql.SetClause) ([]int, []Expr, error) {
	var cols []int
	var vals []Expr
	seen := map[int]bool{}
	for _, a := range set {
		i := t.ColumnIndex(a.Column)
		if i < 0 {
			return nil, nil, b.errAt(a.Pos, sqlerr.UndefinedColumn, "column %q of relation %q does not exist", a.Column, t.Name)
		}
		if seen[i] {
			return nil, nil, b.errAt(a.Pos, sqlerr.SyntaxError, "multiple assignments to same column %q", a.Column)
		}
		seen[i] = true
		col := t.Columns[i]
		var e Expr
		var err error
		if _, isDefault := a.Value.(*sql.DefaultExpr); isDefault {
			e, err = b.DefaultExpr(col)
		} else if e, err = b.bindExpr(sc, nil, a.Value); err == nil {
			e, err = b.assign(e, col.Type, col.Name, a.Value.Position())
		}
		if err != nil {
			return nil, nil, err
		}
		cols, vals = append(cols, i), append(vals, e)
	}
	return cols, vals, nil
}

// OnConflict is what INSERT does with a row whose unique key a live row
// already holds: nothing, or update that row. Key is the arbiter
// (an index into Table.Keys()), -1 for any uniqueness constraint. Set and
// Where read a two-part row: the existing row's columns, then the
// proposed row's (EXCLUDED).
type OnConflict struct {
	Key       int
	DoNothing bool
	SetCols   []int
	Set       []Expr
	Where     Expr
}

// bindOnConflict resolves the arbiter and binds DO UPDATE's assignments.
func (b *Binder) bindOnConflict(t *catalog.Table, alias string, oc *sql.OnConflict) (*OnConflict, error) {
	out := &OnConflict{Key: -1, DoNothing: oc.DoNothing}
	keys := t.Keys()
	switch {
	case oc.Constraint != "":
		out.Key = slices.Index(t.IndexNames()[:len(keys)], oc.Constraint)
		if out.Key < 0 {
			return nil, sqlerr.New(sqlerr.UndefinedObject, "constraint %q for table %q does not exist", oc.Constraint, t.Name)
		}
	case len(oc.Columns) > 0:
		var want []int
		for _, name := range oc.Columns {
			i := t.ColumnIndex(name)
			if i < 0 {
				return nil, sqlerr.New(sqlerr.UndefinedColumn, "column %q does not exist", name)
			}
			want = append(want, i)
		}
		slices.Sort(want)
		out.Key = slices.IndexFunc(keys, func(k []int) bool {
			sorted := slices.Sorted(slices.Values(k))
			return slices.Equal(sorted, want)
		})
		if out.Key < 0 {
			return nil, b.errAt(oc.Pos, sqlerr.InvalidColumnReference, "there is no unique or exclusion constraint matching the ON CONFLICT specification")
		}
	case !oc.DoNothing:
		return nil, b.errAt(oc.Pos, sqlerr.SyntaxError, "ON CONFLICT DO UPDATE requires inference specification or constraint name").
			WithHint("For example, ON CONFLICT (column_name).")
	}
	if oc.DoNothing {
		return out, nil
	}
	sc := tableScope(t, alias)
	if alias == "" {
		for i := range sc.cols {
			sc.cols[i].Table = t.Name
		}
	}
	excluded := tableScope(t, "excluded")
	for i := range excluded.cols {
		excluded.cols[i].QualifiedOnly = true
	}
	sc.cols = append(sc.cols, excluded.cols...)
	var err error
	if out.SetCols, out.Set, err = b.bindSet(sc, t, oc.Set); err != nil {
		return nil, err
	}
	b.noteWrites(t, out.SetCols)
	if oc.Where != nil {
		out.Where, err = b.bindCondition(sc, nil, oc.Where, "WHERE")
	}
	return out, err
}
