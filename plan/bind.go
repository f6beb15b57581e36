package plan

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"rustydb/catalog"
	"rustydb/sql"
	"rustydb/sqlerr"
	"rustydb/types"
)

// Binder plans statements against a catalog.
type Binder struct {
	Catalog *catalog.Catalog
	// SQL is the statement text, for error positions.
	SQL string
	// ParamTypes are the types of $1..$n; unknown ones are inferred and written back.
	ParamTypes []types.T

	// outer holds the scopes of the queries enclosing the subquery being
	// bound, innermost last; minOuter is the lowest index into it that a
	// column reference has used (for detecting correlation).
	outer    []*scope
	minOuter int
	// outerRefs records every correlated reference made: the index of the
	// scope in outer it reads, and the column.
	outerRefs [][2]int

	// ctes holds the WITH queries in scope, innermost query last.
	ctes []map[string]*cteEntry
	// win collects the window calls of the query level being bound; nil
	// where window functions are not allowed.
	win *winContext
	// hints are the optimizer hints of the statement being bound.
	hints []sql.Hint
	// srfs are the select lists' set-returning calls bound so far (srf.go).
	srfs []liftedSRF
	// ColumnPrivileges, when set, returns what role holds on each column
	// of t, nil when none of it counts (see colprivileges.go); colUse
	// collects the columns the statement being bound uses.
	ColumnPrivileges func(role string, t *catalog.Table) []catalog.Priv
	colUse           *columnUse
	// Stats returns a table's ANALYZE statistics, or nil; nil Stats means
	// none are known.
	Stats func(*catalog.Table) *catalog.TableStats
	// Loc is the session time zone, in which literals of timestamp with
	// time zone without an offset are read; nil means UTC.
	Loc *time.Location
	// SearchPath is the session's search_path: the schemas unqualified
	// names are looked for in, in order.
	SearchPath []string
	// Access, when set, is asked about each table, view or sequence a
	// statement names; its error fails the statement (a database mounted
	// but not open refuses them all).
	Access func(*catalog.Table) error
	// Files, when set, checks that the session may read the server file of
	// read_csv or read_json and fills in its path and columns (nil: the
	// functions are not available).
	Files func(*FileScan) error
	// Privilege, when set, checks that role Role holds need on a relation
	// a statement reads or writes (see privileges.go).
	Privilege func(role string, t *catalog.Table, need catalog.Priv) error
	Role      string
	// ServerFiles, when set, says whether the statement may read server
	// files (read_parquet); nil refuses them.
	ServerFiles func() error
}

// inner returns a binder for SQL text kept in the catalog (a DEFAULT, a
// CHECK, a view's query), which sees the catalog but not b's query.
func (b *Binder) inner(src string, path []string) *Binder {
	return &Binder{Catalog: b.Catalog, SQL: src, Loc: b.Loc, SearchPath: path, ServerFiles: b.ServerFiles}
}

func (b *Binder) stats(t *catalog.Table) *catalog.TableStats {
	if b.Stats == nil {
		return nil
	}
	return b.Stats(t)
}

// cteEntry is a WITH query while binding; working is set while its own
// recursive term is bound, when a reference means the previous step's rows
// (and sets used).
type cteEntry struct {
	cte     *CTE
	working bool
	used    bool
}

func (b *Binder) errAt(pos int, code, format string, args ...any) *sqlerr.Error {
	e := sqlerr.New(code, format, args...)
	if b.SQL != "" && pos >= 0 && pos <= len(b.SQL) {
		e.Position = utf8.RuneCountInString(b.SQL[:pos]) + 1
	}
	return e
}

// optimize orders a query's joins and chooses its access paths, parallel
// aggregations (by its hints) and hash join build sides.
func optimize(n Node, hints []sql.Hint) Node {
	n = optimizeJoins(n, map[*Subquery]bool{})
	chooseParallelAll(n, hints, map[*Subquery]bool{})
	return n
}

// optimizeJoins orders, prunes and picks the access paths and build sides
// of n's joins, and of those of the subqueries its expressions still hold
// once decorrelation is done (TPC-H q11's HAVING compares with one).
func optimizeJoins(n Node, done map[*Subquery]bool) Node {
	n = pruneColumns(reorderJoins(inlineProjections(n)))
	chooseAccess(n)
	chooseBuildSides(n)
	markDependentKeys(n)
	eachSubquery(n, done, func(sub *Subquery) { sub.Plan = optimizeJoins(sub.Plan, done) })
	return n
}

// chooseParallelAll lets the aggregations, sorts and joins of n and of
// the uncorrelated subqueries it holds use workers. Such a subquery runs
// once a statement (TPC-H q22's average balance, q11's total value);
// a correlated one runs for each outer row, too small a job to share.
func chooseParallelAll(n Node, hints []sql.Hint, done map[*Subquery]bool) {
	chooseParallel(n, hints)
	eachSubquery(n, done, func(sub *Subquery) {
		if !sub.Correlated {
			chooseParallelAll(sub.Plan, hints, done)
		}
	})
}

// eachSubquery calls fn once for each subquery n's expressions hold that
// done does not list, and lists it.
func eachSubquery(n Node, done map[*Subquery]bool, fn func(*Subquery)) {
	walkPlan(n, func(es []Expr) {
		for _, e := range es {
			Walk(e, func(x Expr) {
				var sub *Subquery
				switch x := x.(type) {
				case *Subquery:
					sub = x
				case *In:
					sub = x.Sub
				}
				if sub != nil && !done[sub] {
					done[sub] = true
					fn(sub)
				}
			})
		}
	})
}

// bind plans one statement (see Bind).
func (b *Binder) bind(stmt sql.Statement) (Plan, error) {
	switch s := stmt.(type) {
	case *sql.SelectStmt:
		n, err := b.bindSelect(s)
		if err != nil {
			return nil, err
		}
		return &Query{Root: optimize(n, s.Hints)}, nil
	case *sql.InsertStmt:
		return b.bindInsert(s)
	case *sql.UpdateStmt:
		return b.bindUpdate(s)
	case *sql.DeleteStmt:
		return b.bindDelete(s)
	case *sql.CreateTableStmt:
		return b.bindCreate(s)
	case *sql.DropTableStmt:
		what := "table"
		if s.View {
			what = "view"
		} else if s.Sequence {
			what = "sequence"
		}
		d := &DropTable{Tag: "DROP " + strings.ToUpper(what)}
		for _, name := range s.Names {
			t, err := b.relation(name)
			if sqlerr.Code(err) == sqlerr.UndefinedTable { // PostgreSQL names the relation without its schema here
				err = sqlerr.New(sqlerr.UndefinedTable, "%s %q does not exist", what, name.Name)
			}
			if err != nil {
				if s.IfExists {
					d.Skipped = append(d.Skipped, err)
					continue
				}
				return nil, err
			}
			if k := t.Kind(); k != what {
				return nil, sqlerr.New(sqlerr.WrongObjectType, "%q is not a %s", name.Name, what).
					WithHint("Use DROP %s to remove a %s.", strings.ToUpper(k), k)
			}
			d.Tables = append(d.Tables, t)
			d.Tables = append(d.Tables, b.Catalog.OwnedSequences(t.ID)...)
		}
		return d, b.UnlinkForeignKeys(d, s.Cascade)
	case *sql.CreateViewStmt:
		return b.bindCreateView(s)
	case *sql.CreateSequenceStmt:
		return b.bindCreateSequence(s)
	}
	return nil, sqlerr.New(sqlerr.FeatureNotSupported, "statement %s is not supported", sql.Kind(stmt))
}

// scope is the set of columns an expression can name: the output of a FROM
// clause, one entry per column of the input row.
type scope struct {
	cols []Column
}

// resolve finds a column by optional table qualifier and name.
func (b *Binder) resolve(sc *scope, ref *sql.ColumnRef) (int, error) {
	found := -1
	tableSeen := ref.Table == ""
	for i, c := range sc.cols {
		if c.Hidden || c.QualifiedOnly && ref.Table == "" {
			continue
		}
		if ref.Table != "" {
			if !c.inRange(ref.Schema, ref.Table) {
				continue
			}
			tableSeen = true
		}
		if c.Name == ref.Name {
			if found >= 0 {
				return 0, b.errAt(ref.Pos, sqlerr.AmbiguousColumn, "column reference %q is ambiguous", ref.Name)
			}
			found = i
		}
	}
	if found < 0 && ref.Table == "" {
		for i, c := range sc.cols {
			if c.Scalar && c.Table == ref.Name {
				found = i
			}
		}
	}
	if found >= 0 {
		return found, nil
	}
	if !tableSeen {
		return 0, b.missingRangeVar(sc, ref.Schema, ref.Table, ref.Pos)
	}
	if ref.Table != "" {
		return 0, b.errAt(ref.Pos, sqlerr.UndefinedColumn, "column %s.%s does not exist", ref.Table, ref.Name)
	}
	return 0, b.errAt(ref.Pos, sqlerr.UndefinedColumn, "column %q does not exist", ref.Name)
}

// missingRangeVar is PostgreSQL's error for a qualifier [schema.]table
// that names no range variable of sc. When the first FROM item that reads
// the relation it names, or whose name it is, cannot be named so, the
// message says so and the hint tells why.
func (b *Binder) missingRangeVar(sc *scope, schema, table string, pos int) error {
	rel, _ := b.relation(sql.ObjectName{Schema: schema, Name: table})
	for _, c := range sc.cols {
		if c.Hidden || c.Table != table && (rel == nil || c.Rel == nil || c.Rel.Table != rel) {
			continue
		}
		err := b.errAt(pos, sqlerr.UndefinedTable, "invalid reference to FROM-clause entry for table %q", table)
		if c.Table != table {
			return err.WithHint("Perhaps you meant to reference the table alias %q.", c.Table)
		}
		return err.WithHint("There is an entry for table %q, but it cannot be referenced from this part of the query.", table)
	}
	return b.errAt(pos, sqlerr.UndefinedTable, "missing FROM-clause entry for table %q", table)
}

func (b *Binder) bindSelect(s *sql.SelectStmt) (Node, error) {
	savedWin, savedHints := b.win, b.hints
	b.win = nil // window calls are allowed only in the output and ORDER BY
	if len(s.Hints) > 0 {
		b.hints = s.Hints
	}
	defer func() { b.win, b.hints = savedWin, savedHints }()
	if len(s.With) > 0 {
		if err := b.bindWith(s.With); err != nil {
			return nil, err
		}
		defer func() { b.ctes = b.ctes[:len(b.ctes)-1] }()
	}
	if s.SetOp != "" {
		return b.bindSetOp(s)
	}
	var input Node
	var items []Node
	var err error
	if len(s.From) == 0 {
		input = &Values{Rows: [][]Expr{{}}}
	} else {
		if items, err = b.bindFromItems(s.From); err != nil {
			return nil, err
		}
		input = crossJoin(items)
	}
	sc := &scope{cols: input.Columns()}
	if s.Where != nil {
		cond, err := b.bindCondition(sc, nil, s.Where, "WHERE")
		if err != nil {
			return nil, err
		}
		if len(items) > 2 {
			input = joinInOrder(items, cond)
		} else {
			input = pushFilter(input, cond)
		}
	}

	if input, err = b.liftSRFs(s, input); err != nil {
		return nil, err
	}
	sc.cols = input.Columns()

	// Aggregation: GROUP BY, HAVING or an aggregate call anywhere in the output.
	var agg *aggContext
	if len(s.GroupBy) > 0 || s.Having != nil || hasAggregate(s) {
		agg = &aggContext{in: sc}
		for _, g := range s.GroupBy {
			// GROUP BY may name an output column by position or alias; input
			// columns win over aliases, as in PostgreSQL.
			if ref, ok := g.(*sql.ColumnRef); !ok || ref.Table != "" || indexOfCol(sc.cols, ref.Name) < 0 {
				g = resolveOutputRef(s, g)
			}
			e, err := b.bindExpr(sc, nil, g)
			if err != nil {
				return nil, err
			}
			if err := b.needsEquality(e.Type(), g.Position()); err != nil {
				return nil, err
			}
			agg.groups = append(agg.groups, e)
		}
	}

	// Window function calls found in the output and ORDER BY are computed by
	// a Window node between the grouping and the projection.
	b.win = &winContext{}
	if err := b.win.defineWindows(b, s.Windows); err != nil {
		return nil, err
	}

	// Output expressions (bound after the groups so they can refer to them).
	var exprs []Expr
	var cols []Column
	for _, item := range s.Targets {
		if item.Star {
			if agg != nil {
				return nil, b.errAt(item.Pos, sqlerr.GroupingError, "SELECT * is not allowed with GROUP BY")
			}
			matched := false
			for i, c := range sc.cols {
				if c.Hidden || (item.StarTable != "" && !c.inRange(item.StarSchema, item.StarTable)) || (item.StarTable == "" && c.QualifiedOnly) {
					continue
				}
				matched = true
				b.noteRead(c)
				exprs = append(exprs, &ColRef{Idx: i, T: c.Type, Name: c.Name})
				cols = append(cols, c)
			}
			if item.StarTable != "" && !matched {
				return nil, b.missingRangeVar(sc, item.StarSchema, item.StarTable, item.Pos)
			}
			continue
		}
		e, err := b.bindExpr(sc, agg, item.Expr)
		if err != nil {
			return nil, err
		}
		e = resolveUnknown(e)
		col := Column{Name: outputName(item), Type: e.Type(), Record: recordOf(e)}
		if ref, ok := item.Expr.(*sql.ColumnRef); ok && agg == nil {
			if i, err := b.resolve(sc, ref); err == nil {
				col.TableID, col.Ordinal, col.Table = sc.cols[i].TableID, sc.cols[i].Ordinal, sc.cols[i].Table
				col.Record = sc.cols[i].Record
			}
		}
		exprs = append(exprs, e)
		cols = append(cols, col)
	}
	var having Expr
	if s.Having != nil {
		if having, err = b.bindCondition(sc, agg, s.Having, "HAVING"); err != nil {
			return nil, err
		}
	}

	// ORDER BY: an output column by position or name, or any expression over
	// the input, computed as a hidden column.
	var keys []SortKey
	for _, o := range s.OrderBy {
		idx := -1
		if lit, ok := o.Expr.(*sql.Literal); ok && lit.Value.K == types.KInt {
			if lit.Value.I < 1 || int(lit.Value.I) > len(exprs) {
				return nil, b.errAt(lit.Pos, sqlerr.InvalidColumnReference, "ORDER BY position %d is not in select list", lit.Value.I)
			}
			idx = int(lit.Value.I) - 1
		} else if ref, ok := o.Expr.(*sql.ColumnRef); ok && ref.Table == "" {
			for i, c := range cols {
				if c.Name == ref.Name && !c.Hidden {
					idx = i
					break
				}
			}
		}
		if idx < 0 {
			e, err := b.bindExpr(sc, agg, o.Expr)
			if err != nil {
				return nil, err
			}
			for i, x := range exprs {
				if x.String() == e.String() {
					idx = i
					break
				}
			}
			if idx < 0 {
				if s.Distinct {
					return nil, b.errAt(o.Expr.Position(), sqlerr.InvalidColumnReference, "for SELECT DISTINCT, ORDER BY expressions must appear in select list")
				}
				idx = len(exprs)
				exprs = append(exprs, e)
				cols = append(cols, Column{Name: "?sort?", Type: e.Type(), Hidden: true})
			}
		}
		nullsFirst := o.Desc
		if o.NullsFirst != nil {
			nullsFirst = *o.NullsFirst
		}
		if err := b.needsOrdering(cols[idx].Type, o.Expr.Position()); err != nil {
			return nil, err
		}
		keys = append(keys, SortKey{Expr: &ColRef{Idx: idx, T: cols[idx].Type}, Desc: o.Desc, NullsFirst: nullsFirst})
	}
	// DISTINCT ON (...): its expressions, as output columns (hidden if need be).
	var onKeys []Expr
	for _, on := range s.DistinctOn {
		e, err := b.bindExpr(sc, agg, resolveOutputRef(s, on))
		if err != nil {
			return nil, err
		}
		idx := -1
		for i, x := range exprs {
			if x.String() == e.String() {
				idx = i
				break
			}
		}
		if idx < 0 {
			idx = len(exprs)
			exprs = append(exprs, e)
			cols = append(cols, Column{Name: "?distinct?", Type: e.Type(), Hidden: true})
		}
		onKeys = append(onKeys, &ColRef{Idx: idx, T: cols[idx].Type})
	}

	if agg != nil {
		aggCols := make([]Column, 0, len(agg.groups)+len(agg.aggs))
		for _, g := range agg.groups {
			aggCols = append(aggCols, Column{Name: "?group?", Type: g.Type()})
		}
		for _, a := range agg.aggs {
			aggCols = append(aggCols, Column{Name: a.Func, Type: a.Type})
		}
		input = &Aggregate{Input: input, GroupBy: agg.groups, Aggs: agg.aggs, Cols: aggCols}
		if having != nil {
			input = &Filter{Input: input, Cond: having}
		}
	}
	if len(b.win.calls) > 0 {
		input, exprs = b.win.build(input, exprs)
	}
	input, exprs = decorrelateList(input, exprs)
	var node Node = &Project{Input: input, Exprs: exprs, Cols: cols}
	if s.Distinct {
		for _, c := range cols {
			if err := b.needsEquality(c.Type, -1); err != nil {
				return nil, err
			}
		}
		node = &Distinct{Input: node}
	}
	if len(keys) > 0 {
		node = &Sort{Input: node, Keys: keys}
	}
	if len(onKeys) > 0 {
		node = &DistinctOn{Input: node, Keys: onKeys}
	}
	if node, err = b.bindLimit(node, s); err != nil {
		return nil, err
	}
	if len(cols) > 0 && cols[len(cols)-1].Hidden {
		var visible []Expr
		var vcols []Column
		for i, c := range cols {
			if !c.Hidden {
				visible = append(visible, &ColRef{Idx: i, T: c.Type, Name: c.Name})
				vcols = append(vcols, c)
			}
		}
		node = &Project{Input: node, Exprs: visible, Cols: vcols}
	}
	return node, nil
}

func (b *Binder) bindLimit(node Node, s *sql.SelectStmt) (Node, error) {
	if s.Limit == nil && s.Offset == nil {
		return node, nil
	}
	l := &Limit{Input: node}
	empty := &scope{}
	for _, p := range []struct {
		src  sql.Expr
		dst  *Expr
		name string
	}{{s.Limit, &l.Limit, "LIMIT"}, {s.Offset, &l.Offset, "OFFSET"}} {
		if p.src == nil {
			continue
		}
		e, err := b.bindExpr(empty, nil, p.src)
		if err != nil {
			return nil, err
		}
		if e, err = b.coerce(e, types.TInt8, p.src.Position(), p.name); err != nil {
			return nil, err
		}
		*p.dst = e
	}
	return l, nil
}

// resolveOutputRef lets GROUP BY 1 or GROUP BY alias name an output column.
func resolveOutputRef(s *sql.SelectStmt, g sql.Expr) sql.Expr {
	switch g := g.(type) {
	case *sql.Literal:
		if g.Value.K == types.KInt && g.Value.I >= 1 && int(g.Value.I) <= len(s.Targets) && !s.Targets[g.Value.I-1].Star {
			return s.Targets[g.Value.I-1].Expr
		}
	case *sql.ColumnRef:
		if g.Table == "" {
			for _, t := range s.Targets {
				if t.Alias == g.Name && t.Expr != nil {
					return t.Expr
				}
			}
		}
	}
	return g
}

func outputName(item sql.SelectItem) string {
	if item.Alias != "" {
		return item.Alias
	}
	return exprName(item.Expr)
}

// exprName is the column name PostgreSQL gives an unaliased expression.
func exprName(e sql.Expr) string {
	switch e := e.(type) {
	case *sql.ColumnRef:
		return e.Name
	case *sql.FuncCall:
		return e.Name
	case *sql.CastExpr:
		if n := exprName(e.X); n != "?column?" {
			return n
		}
		return e.Type.InternalName()
	case *sql.CaseExpr:
		return "case"
	case *sql.FieldSelect:
		return e.Field
	case *sql.SubqueryExpr:
		if e.Exists {
			return "exists"
		}
		if len(e.Select.Targets) == 1 && !e.Select.Targets[0].Star {
			return outputName(e.Select.Targets[0])
		}
	}
	return "?column?"
}

func hasAggregate(s *sql.SelectStmt) bool {
	found := false
	visit := func(e sql.Expr) {
		walkSQL(e, func(x sql.Expr) bool {
			if f, ok := x.(*sql.FuncCall); ok && isAggregate(f.Name) && f.Over == nil {
				found = true
			}
			_, sub := x.(*sql.SubqueryExpr)
			return !sub
		})
	}
	for _, t := range s.Targets {
		visit(t.Expr)
	}
	for _, o := range s.OrderBy {
		visit(o.Expr)
	}
	return found
}

func isAggregate(name string) bool {
	switch name {
	case "count", "sum", "avg", "min", "max", "string_agg", "array_agg", "bool_and", "bool_or", "every",
		"stddev", "stddev_samp", "stddev_pop", "variance", "var_samp", "var_pop",
		"json_agg", "jsonb_agg", "json_object_agg", "jsonb_object_agg":
		return true
	}
	return false
}

// isObjectAgg reports the aggregates of two arguments, a key and a value.
func isObjectAgg(name string) bool { return name == "json_object_agg" || name == "jsonb_object_agg" }

// walkSQL visits e and its children while fn returns true.
func walkSQL(e sql.Expr, fn func(sql.Expr) bool) {
	if e == nil || !fn(e) {
		return
	}
	switch e := e.(type) {
	case *sql.BinaryExpr:
		walkSQL(e.L, fn)
		walkSQL(e.R, fn)
	case *sql.UnaryExpr:
		walkSQL(e.X, fn)
	case *sql.FuncCall:
		for _, a := range e.Args {
			walkSQL(a, fn)
		}
		walkSQL(e.Filter, fn)
		for _, o := range e.OrderBy {
			walkSQL(o.Expr, fn)
		}
		if e.Over != nil {
			for _, x := range e.Over.PartitionBy {
				walkSQL(x, fn)
			}
			for _, o := range e.Over.OrderBy {
				walkSQL(o.Expr, fn)
			}
		}
	case *sql.CastExpr:
		walkSQL(e.X, fn)
	case *sql.FieldSelect:
		walkSQL(e.X, fn)
	case *sql.IsNullExpr:
		walkSQL(e.X, fn)
	case *sql.IsBoolExpr:
		walkSQL(e.X, fn)
	case *sql.BetweenExpr:
		walkSQL(e.X, fn)
		walkSQL(e.Lo, fn)
		walkSQL(e.Hi, fn)
	case *sql.InExpr:
		walkSQL(e.X, fn)
		for _, a := range e.List {
			walkSQL(a, fn)
		}
	case *sql.LikeExpr:
		walkSQL(e.X, fn)
		walkSQL(e.Pattern, fn)
	case *sql.SimilarExpr:
		walkSQL(e.X, fn)
		walkSQL(e.Pattern, fn)
		walkSQL(e.Escape, fn)
	case *sql.CaseExpr:
		walkSQL(e.Operand, fn)
		for _, w := range e.Whens {
			walkSQL(w.Cond, fn)
			walkSQL(w.Result, fn)
		}
		walkSQL(e.Else, fn)
	}
}

// bindFromItems binds the comma-separated items of a FROM clause. A LATERAL
// item is joined to everything before it at once (it reads their row).
func (b *Binder) bindFromItems(items []sql.TableExpr) ([]Node, error) {
	var out []Node
	for _, item := range items {
		if f, ok := item.(*sql.FuncRef); ok && len(out) > 0 {
			n, err := b.bindLateralFunc(crossJoin(out), f)
			if err != nil {
				return nil, err
			}
			if j, ok := n.(*Join); ok && j.Lateral {
				out = []Node{j}
			} else {
				out = append(out, n)
			}
			continue
		}
		if sub, ok := item.(*sql.SubqueryRef); ok && sub.Lateral && len(out) > 0 {
			left := crossJoin(out)
			j, err := b.bindLateral(left, sub, "cross")
			if err != nil {
				return nil, err
			}
			out = []Node{j}
			continue
		}
		n, err := b.bindTableExpr(item)
		if err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, nil
}

// bindLateral binds a LATERAL subquery with the columns of left in scope
// and joins it to left; the join runs the subquery once per left row.
func (b *Binder) bindLateral(left Node, sub *sql.SubqueryRef, kind string) (*Join, error) {
	b.outer = append(b.outer, &scope{cols: left.Columns()})
	level := len(b.outer) - 1
	saved := b.minOuter
	b.minOuter = level + 1
	n, err := b.bindSelect(sub.Select)
	b.minOuter = min(saved, b.minOuter)
	b.outer = b.outer[:level]
	if err != nil {
		return nil, err
	}
	if len(sub.ColAliases) > len(n.Columns()) {
		return nil, sqlerr.New(sqlerr.InvalidColumnReference, "table %q has %d columns available but %d columns specified", sub.Alias, len(n.Columns()), len(sub.ColAliases))
	}
	chooseAccess(n)
	right := requalify(n, sub.Alias, sub.ColAliases)
	return &Join{Kind: kind, Lateral: true, Left: left, Right: right, Cols: concatCols(left.Columns(), right.Columns())}, nil
}

// crossJoin joins items left to right as a cross product.
func crossJoin(items []Node) Node {
	node := items[0]
	for _, n := range items[1:] {
		node = &Join{Kind: "cross", Left: node, Right: n, Cols: concatCols(node.Columns(), n.Columns())}
	}
	return node
}

// joinInOrder joins three or more FROM items in an order where each next
// item is connected to the ones before by an equality of cond when one is,
// so that every join can hash instead of building a cross product. cond is
// over the items' columns in FROM order; the result keeps that column order.
func joinInOrder(items []Node, cond Expr) Node {
	lateral := false
	for _, n := range items {
		if j, ok := n.(*Join); ok && j.Lateral {
			lateral = true
		}
	}
	if hasSubquery(cond) || lateral {
		// subqueries refer to the outer row by FROM-order positions
		return pushFilter(crossJoin(items), cond)
	}
	offset := make([]int, len(items)+1)
	for i, n := range items {
		offset[i+1] = offset[i] + len(n.Columns())
	}
	itemOf := func(col int) int {
		for i := range items {
			if col < offset[i+1] {
				return i
			}
		}
		return len(items) - 1
	}
	var conds []Expr
	for _, c := range conjuncts(cond, nil) {
		conds = conjuncts(factorOr(c), conds)
	}
	// links[i][j]: an equality joins items i and j
	links := make([]map[int]bool, len(items))
	for i := range links {
		links[i] = map[int]bool{}
	}
	for _, c := range conds {
		bin, ok := c.(*Binary)
		if !ok || bin.Op != "=" {
			continue
		}
		llo, lhi := colRange(bin.L)
		rlo, rhi := colRange(bin.R)
		if llo < 0 || rlo < 0 || itemOf(llo) != itemOf(lhi) || itemOf(rlo) != itemOf(rhi) || hasSubquery(c) {
			continue
		}
		a, b := itemOf(llo), itemOf(rlo)
		if a != b {
			links[a][b], links[b][a] = true, true
		}
	}
	order := []int{0}
	used := map[int]bool{0: true}
	for len(order) < len(items) {
		next := -1
		for i := range items { // first unused item linked to the joined ones
			if used[i] {
				continue
			}
			for _, j := range order {
				if links[i][j] {
					next = i
					break
				}
			}
			if next >= 0 {
				break
			}
		}
		if next < 0 {
			for i := range items {
				if !used[i] {
					next = i
					break
				}
			}
		}
		order = append(order, next)
		used[next] = true
	}
	// newPos maps a column's FROM-order position to its position in the new order.
	newPos := make([]int, offset[len(items)])
	pos := 0
	reordered := make([]Node, len(order))
	for k, i := range order {
		reordered[k] = items[i]
		for c := offset[i]; c < offset[i+1]; c++ {
			newPos[c] = pos
			pos++
		}
	}
	remapped := rewrite(cond, func(x Expr) Expr {
		if c, ok := x.(*ColRef); ok {
			return &ColRef{Idx: newPos[c.Idx], T: c.T, Name: c.Name}
		}
		return nil
	})
	joined := pushFilter(crossJoin(reordered), remapped)
	// restore FROM order for the rest of the query
	var cols []Column
	for _, n := range items {
		cols = append(cols, n.Columns()...)
	}
	exprs := make([]Expr, len(cols))
	for i, c := range cols {
		exprs[i] = &ColRef{Idx: newPos[i], T: c.Type, Name: c.Name}
	}
	return &Project{Input: joined, Exprs: exprs, Cols: cols}
}

func concatCols(a, b []Column) []Column {
	out := make([]Column, 0, len(a)+len(b))
	return append(append(out, a...), b...)
}

func (b *Binder) bindTableExpr(te sql.TableExpr) (Node, error) {
	switch te := te.(type) {
	case *sql.TableRef:
		if n := b.cteRef(te); n != nil {
			return n, nil
		}
		alias := te.Alias
		if alias == "" {
			alias = te.Name.Name
		}
		var t *catalog.Table
		if !catalog.IsSystemSchema(te.Name.Schema) {
			t, _ = b.relation(te.Name)
		}
		if t == nil {
			if sys := b.systemTable(te.Name, alias); sys != nil {
				schema, name, ok := strings.Cut(sys.Name, ".")
				if !ok {
					schema, name = catalog.PgCatalog, sys.Name
				}
				reads(sys.Cols, &catalog.Table{Schema: schema, Name: name}, te.Alias != "")
				return sys, nil
			}
			_, err := b.queryRelation(te.Name, te.Pos)
			return nil, err
		}
		if err := b.require(t, catalog.PrivSelect); err != nil {
			return nil, err
		}
		if t.IsView() {
			n, err := b.expandView(t, alias, te.ColAliases)
			if err != nil {
				return nil, err
			}
			reads(n.Cols, t, te.Alias != "")
			return n, nil
		}
		if t.IsSequence() {
			return nil, b.errAt(te.Pos, sqlerr.FeatureNotSupported, "selecting from sequence %q is not supported; use nextval, currval or setval", te.Name.Name)
		}
		if len(te.ColAliases) > len(t.Columns) {
			return nil, b.errAt(te.Pos, sqlerr.InvalidColumnReference, "table %q has %d columns available but %d columns specified", alias, len(t.Columns), len(te.ColAliases))
		}
		cols := tableScope(t, te.Alias).cols
		for i, name := range te.ColAliases {
			cols[i].Name = name
		}
		return &Scan{Table: t, Alias: alias, Cols: cols, Hint: accessHint(b.hints, t, alias), Stats: b.stats(t)}, nil
	case *sql.SubqueryRef:
		n, err := b.bindSelect(te.Select)
		if err != nil {
			return nil, err
		}
		if te.Lateral {
			return nil, sqlerr.New(sqlerr.FeatureNotSupported, "LATERAL must follow another FROM item")
		}
		if len(te.ColAliases) > len(n.Columns()) {
			return nil, sqlerr.New(sqlerr.InvalidColumnReference, "table %q has %d columns available but %d columns specified", te.Alias, len(n.Columns()), len(te.ColAliases))
		}
		return requalify(n, te.Alias, te.ColAliases), nil
	case *sql.ValuesRef:
		return b.bindValues(te)
	case *sql.FuncRef:
		return b.bindTableFunc(te)
	case *sql.JoinExpr:
		return b.bindJoin(te)
	}
	return nil, sqlerr.New(sqlerr.FeatureNotSupported, "unsupported FROM item")
}

// requalify renames the range variable of n's columns (a subquery alias).
func requalify(n Node, alias string, names []string) *Project {
	cols := n.Columns()
	exprs := make([]Expr, len(cols))
	out := make([]Column, len(cols))
	for i, c := range cols {
		exprs[i] = &ColRef{Idx: i, T: c.Type, Name: c.Name}
		out[i] = Column{Name: c.Name, Type: c.Type, Table: alias, Record: c.Record}
		if i < len(names) {
			out[i].Name = names[i]
		}
	}
	return &Project{Input: n, Exprs: exprs, Cols: out}
}

func (b *Binder) bindValues(v *sql.ValuesRef) (Node, error) {
	empty := &scope{}
	rows := make([][]Expr, len(v.Rows))
	for i, r := range v.Rows {
		rows[i] = make([]Expr, len(r))
		for j, e := range r {
			x, err := b.bindExpr(empty, nil, e)
			if err != nil {
				return nil, err
			}
			rows[i][j] = x
		}
	}
	// Each column takes the common type of its values, as UNION does.
	cols := make([]Column, len(rows[0]))
	for j := range cols {
		t := types.TUnknown
		for i := range rows {
			var err error
			if t, err = b.unify(t, rows[i][j].Type(), v.Rows[i][j].Position(), "VALUES"); err != nil {
				return nil, err
			}
		}
		if t.ID == types.Unknown {
			t = types.TText
		}
		for i := range rows {
			x, err := b.coerce(rows[i][j], t, v.Rows[i][j].Position(), "VALUES")
			if err != nil {
				return nil, err
			}
			rows[i][j] = x
		}
		cols[j] = Column{Name: fmt.Sprintf("column%d", j+1), Type: t, Table: v.Alias}
	}
	return &Values{Rows: rows, Cols: cols}, nil
}

func (b *Binder) bindJoin(j *sql.JoinExpr) (Node, error) {
	left, err := b.bindTableExpr(j.Left)
	if err != nil {
		return nil, err
	}
	if sub, ok := j.Right.(*sql.SubqueryRef); ok && sub.Lateral {
		if j.Kind != "inner" && j.Kind != "left" && j.Kind != "cross" || len(j.Using) > 0 || j.Natural {
			return nil, sqlerr.New(sqlerr.FeatureNotSupported, "LATERAL is supported in cross, inner and left joins with ON")
		}
		node, err := b.bindLateral(left, sub, j.Kind)
		if err != nil {
			return nil, err
		}
		if j.On != nil {
			if node.On, err = b.bindCondition(&scope{cols: node.Cols}, nil, j.On, "JOIN/ON"); err != nil {
				return nil, err
			}
		}
		return node, nil
	}
	right, err := b.bindTableExpr(j.Right)
	if err != nil {
		return nil, err
	}
	lc, rc := left.Columns(), right.Columns()
	node := &Join{Kind: j.Kind, Left: left, Right: right, Cols: concatCols(lc, rc)}
	sc := &scope{cols: node.Cols}
	using := j.Using
	if j.Natural {
		for _, l := range lc {
			for _, r := range rc {
				if !l.Hidden && !r.Hidden && !l.QualifiedOnly && !r.QualifiedOnly && l.Name == r.Name {
					using = append(using, l.Name)
				}
			}
		}
	}
	if len(using) > 0 {
		return b.joinUsing(node, using)
	}
	if j.On != nil {
		if node.On, err = b.bindCondition(sc, nil, j.On, "JOIN/ON"); err != nil {
			return nil, err
		}
	}
	extractEquiKeys(node)
	pushOuterOn(node)
	return node, nil
}

// pushOuterOn moves the ON conjuncts of a left (right) join that read only
// its right (left) input into a filter of that input: they decide which of
// its rows may match, not which rows of the other input are kept (TPC-H
// q13's o_comment NOT LIKE then filters the orders scan).
func pushOuterOn(j *Join) {
	if j.Kind != "left" && j.Kind != "right" || j.On == nil {
		return
	}
	nl := len(j.Left.Columns())
	var rest []Expr
	for _, c := range conjuncts(j.On, nil) {
		lo, hi := colRange(c)
		switch {
		case lo < 0 || hasSubquery(c):
			rest = append(rest, c)
		case j.Kind == "left" && lo >= nl:
			j.Right = addFilter(j.Right, shift(c, -nl))
		case j.Kind == "right" && hi < nl:
			j.Left = addFilter(j.Left, c)
		default:
			rest = append(rest, c)
		}
	}
	j.On = andAll(rest)
}

// joinUsing completes JOIN ... USING (or NATURAL JOIN): each named column
// of the left side must equal the right side's, and the two become one
// column, which * shows first and an unqualified name means. It is the
// left one for inner and left joins, the right one for right joins and
// the first non-null one for full joins. Both sides' own columns stay
// reachable by qualified names, as in PostgreSQL.
func (b *Binder) joinUsing(node *Join, using []string) (Node, error) {
	lc, rc := node.Left.Columns(), node.Right.Columns()
	var conds, merged []Expr
	var mergedCols []Column
	leftUsing := map[int]bool{}
	// leading: the left side's first columns are the merged ones already
	leading := node.Kind == "inner" || node.Kind == "left"
	for k, name := range using {
		li, err := usingColumn(lc, name, "left")
		if err != nil {
			return nil, err
		}
		ri, err := usingColumn(rc, name, "right")
		if err != nil {
			return nil, err
		}
		if leftUsing[li] {
			return nil, sqlerr.New(sqlerr.DuplicateColumn, "column name %q appears more than once in USING clause", name)
		}
		leftUsing[li] = true
		l := &ColRef{Idx: li, T: lc[li].Type, Name: name}
		r := &ColRef{Idx: len(lc) + ri, T: rc[ri].Type, Name: name}
		b.noteRead(lc[li])
		b.noteRead(rc[ri])
		cond, err := b.comparison("=", l, r, 0)
		if err != nil {
			return nil, err
		}
		conds = append(conds, cond)
		node.Cols[len(lc)+ri].QualifiedOnly = true
		t, err := b.unify(l.T, r.T, 0, "JOIN/USING")
		if err != nil {
			return nil, err
		}
		lx, err := b.coerce(l, t, 0, "JOIN/USING")
		if err != nil {
			return nil, err
		}
		rx, err := b.coerce(r, t, 0, "JOIN/USING")
		if err != nil {
			return nil, err
		}
		col := Column{Name: name, Type: t}
		var m Expr
		switch node.Kind {
		case "right":
			m, col.TableID, col.Ordinal = rx, rc[ri].TableID, rc[ri].Ordinal
		case "full":
			m = &Func{Name: "coalesce", Args: []Expr{lx, rx}, T: t}
		default:
			m, col.TableID, col.Ordinal = lx, lc[li].TableID, lc[li].Ordinal
		}
		merged, mergedCols = append(merged, m), append(mergedCols, col)
		leading = leading && li == k && t == l.T
	}
	node.On = andAll(conds)
	extractEquiKeys(node)
	if leading {
		return node, nil
	}
	cols := mergedCols
	for i, c := range node.Cols {
		if leftUsing[i] {
			c.QualifiedOnly = true
		}
		merged = append(merged, &ColRef{Idx: i, T: c.Type, Name: c.Name})
		cols = append(cols, c)
	}
	return &Project{Input: node, Exprs: merged, Cols: cols}, nil
}

// usingColumn finds the column of one side of a join that USING names:
// exactly one column must have the name.
func usingColumn(cols []Column, name, side string) (int, error) {
	i := indexOfCol(cols, name)
	if i < 0 {
		return 0, sqlerr.New(sqlerr.UndefinedColumn, "column %q specified in USING clause does not exist in %s table", name, side)
	}
	if indexOfCol(cols[i+1:], name) >= 0 {
		return 0, sqlerr.New(sqlerr.AmbiguousColumn, "common column name %q appears more than once in %s table", name, side)
	}
	return i, nil
}

// indexOfCol finds the column an unqualified name means, or -1.
func indexOfCol(cols []Column, name string) int {
	for i, c := range cols {
		if c.Name == name && !c.Hidden && !c.QualifiedOnly {
			return i
		}
	}
	return -1
}

func andAll(conds []Expr) Expr {
	var out Expr
	for _, c := range conds {
		if out == nil {
			out = c
		} else {
			out = &Binary{Op: "and", L: out, R: c, T: types.TBool}
		}
	}
	return out
}

func conjuncts(e Expr, out []Expr) []Expr {
	if b, ok := e.(*Binary); ok && b.Op == "and" {
		return conjuncts(b.R, conjuncts(b.L, out))
	}
	if e != nil {
		out = append(out, e)
	}
	return out
}

// disjuncts appends the branches of an OR chain (e itself otherwise) to out.
func disjuncts(e Expr, out []Expr) []Expr {
	if b, ok := e.(*Binary); ok && b.Op == "or" {
		return disjuncts(b.R, disjuncts(b.L, out))
	}
	return append(out, e)
}

// colRange reports the smallest and largest input column e reads (-1 if none).
func colRange(e Expr) (lo, hi int) {
	lo, hi = -1, -1
	Walk(e, func(x Expr) {
		if c, ok := x.(*ColRef); ok {
			if lo < 0 || c.Idx < lo {
				lo = c.Idx
			}
			hi = max(hi, c.Idx)
		}
	})
	return lo, hi
}

// extractEquiKeys moves left.col = right.col conjuncts of an inner or outer
// join's condition into hash keys.
func extractEquiKeys(j *Join) {
	if j.On == nil {
		return
	}
	nl := len(j.Left.Columns())
	var rest []Expr
	for _, c := range conjuncts(j.On, nil) {
		if bin, ok := c.(*Binary); ok && bin.Op == "=" {
			llo, lhi := colRange(bin.L)
			rlo, rhi := colRange(bin.R)
			switch {
			case llo >= 0 && lhi < nl && rlo >= nl:
				j.LeftKeys = append(j.LeftKeys, bin.L)
				j.RightKeys = append(j.RightKeys, shift(bin.R, -nl))
				continue
			case rlo >= 0 && rhi < nl && llo >= nl:
				j.LeftKeys = append(j.LeftKeys, bin.R)
				j.RightKeys = append(j.RightKeys, shift(bin.L, -nl))
				continue
			}
		}
		rest = append(rest, c)
	}
	j.On = andAll(rest)
	if j.Kind == "cross" && len(j.LeftKeys) > 0 {
		j.Kind = "inner"
	}
}

// shift returns e with every column index moved by d.
func shift(e Expr, d int) Expr {
	return rewrite(e, func(x Expr) Expr {
		if c, ok := x.(*ColRef); ok {
			return &ColRef{Idx: c.Idx + d, T: c.T, Name: c.Name}
		}
		return nil
	})
}

// rewrite copies e bottom-up, replacing nodes for which fn returns non-nil.
func rewrite(e Expr, fn func(Expr) Expr) Expr {
	if e == nil {
		return nil
	}
	if r := fn(e); r != nil {
		return r
	}
	switch e := e.(type) {
	case *Binary:
		return &Binary{Op: e.Op, L: rewrite(e.L, fn), R: rewrite(e.R, fn), T: e.T}
	case *Unary:
		return &Unary{Op: e.Op, X: rewrite(e.X, fn), T: e.T}
	case *Cast:
		return &Cast{X: rewrite(e.X, fn), T: e.T, Assign: e.Assign}
	case *IsNull:
		return &IsNull{X: rewrite(e.X, fn), Not: e.Not}
	case *IsBool:
		return &IsBool{X: rewrite(e.X, fn), Not: e.Not, Value: e.Value}
	case *Quantified:
		return &Quantified{X: rewrite(e.X, fn), Cmp: e.Cmp, Sub: e.Sub, Array: rewrite(e.Array, fn), All: e.All}
	case *In:
		if e.Sub != nil { // List is over the subquery's row, not ours
			return &In{X: rewrite(e.X, fn), List: e.List, Sub: e.Sub, Not: e.Not}
		}
		list := make([]Expr, len(e.List))
		for i, x := range e.List {
			list[i] = rewrite(x, fn)
		}
		return &In{X: rewrite(e.X, fn), List: list, Sub: e.Sub, Not: e.Not}
	case *Like:
		return &Like{X: rewrite(e.X, fn), Pattern: rewrite(e.Pattern, fn), Not: e.Not, ILike: e.ILike}
	case *Case:
		c := &Case{Operand: rewrite(e.Operand, fn), Else: rewrite(e.Else, fn), T: e.T}
		for _, w := range e.Whens {
			c.Whens = append(c.Whens, CaseWhen{Cond: rewrite(w.Cond, fn), Result: rewrite(w.Result, fn)})
		}
		return c
	case *Func:
		args := make([]Expr, len(e.Args))
		for i, x := range e.Args {
			args[i] = rewrite(x, fn)
		}
		return &Func{Name: e.Name, Args: args, T: e.T}
	}
	return e
}

// pushFilter places each conjunct of cond as low as it can go in a tree of
// inner and cross joins, turning cross joins with equalities into hash joins.
func pushFilter(n Node, cond Expr) Node {
	var rest []Expr
	var all []Expr
	for _, c := range conjuncts(cond, nil) {
		all = conjuncts(factorOr(c), all)
	}
	all = append(all, deriveFromOr(n, all)...)
	for _, c := range all {
		if !pushInto(n, c) {
			rest = append(rest, c)
		}
	}
	// The conditions without subqueries filter n before the joins that
	// decorrelation adds (TPC-H q4's date range then cuts the orders
	// before the semi join, not after).
	var plain, withSub []Expr
	for _, c := range rest {
		switch {
		case uncorrelatedIn(c) != nil:
			n = addFilter(n, c)
		case hasSubquery(c):
			withSub = append(withSub, c)
		default:
			plain = append(plain, c)
		}
	}
	if len(plain) > 0 {
		n = addFilter(n, andAll(plain))
	}
	rest = withSub
	// Correlated scalar aggregates become left joins with the aggregation
	// grouped by the correlation keys.
	cols := n.Columns()
	n, rest = decorrelateList(n, rest)
	// Correlated EXISTS / NOT EXISTS / IN become semi and anti joins.
	kept := rest[:0]
	for _, c := range rest {
		if j, ok := decorrelate(n, c); ok {
			n = j
			continue
		}
		kept = append(kept, c)
	}
	rest = kept
	if len(rest) > 0 {
		n = &Filter{Input: n, Cond: andAll(rest)}
	}
	if len(n.Columns()) != len(cols) { // drop the columns the left joins added
		refs := make([]Expr, len(cols))
		for i, c := range cols {
			refs[i] = &ColRef{Idx: i, T: c.Type, Name: c.Name}
		}
		n = &Project{Input: n, Exprs: refs, Cols: cols}
	}
	return n
}

// pushInto adds c (over n's columns) to the deepest inner/cross join that has
// all its columns, reporting whether it found one.
func pushInto(n Node, c Expr) bool {
	if p, ok := n.(*Project); ok {
		// A projection that only picks columns (JOIN USING's, a subquery's
		// SELECT *) lets a condition through to the join below it.
		inner, ok := throughProject(p, c)
		return ok && pushInto(p.Input, inner)
	}
	j, ok := n.(*Join)
	if !ok || (j.Kind != "inner" && j.Kind != "cross") {
		return false
	}
	lo, hi := colRange(c)
	if lo < 0 || hasSubquery(c) && uncorrelatedIn(c) == nil {
		return false
	}
	nl := len(j.Left.Columns())
	if j.Lateral && hi >= nl {
		return false // the right side reads the left row: only the left can be filtered first
	}
	if hi < nl && pushInto(j.Left, c) {
		return true
	}
	if lo >= nl && pushInto(j.Right, shift(c, -nl)) {
		return true
	}
	if hi < nl || lo >= nl {
		// one side only but that side is not a join: filter it there
		if hi < nl {
			j.Left = addFilter(j.Left, c)
		} else {
			j.Right = addFilter(j.Right, shift(c, -nl))
		}
		return true
	}
	if hasSubquery(c) {
		return false // an IN over both sides: above the join
	}
	j.On = andAll(append(conjuncts(j.On, nil), c))
	extractEquiKeys(j)
	return true
}

// addFilter filters n by c, joining c to n's own filter if it has one, so
// that a scan's conditions stay together (the column scan filters them all).
// An uncorrelated x IN (subquery) becomes a semi join of n with the
// subquery instead, which hashes the subquery's rows once and lets a column
// scan of n drop the rows whose key is not among them.
func addFilter(n Node, c Expr) Node {
	if in := uncorrelatedIn(c); in != nil {
		return &Join{Kind: "semi", Left: n, Right: in.Sub.Plan, LeftKeys: []Expr{in.X},
			RightKeys: []Expr{in.List[0]}, Cols: n.Columns()}
	}
	if f, ok := n.(*Filter); ok {
		return &Filter{Input: f.Input, Cond: andAll([]Expr{f.Cond, c})}
	}
	return &Filter{Input: n, Cond: c}
}

// uncorrelatedIn returns c when it is x IN (an uncorrelated subquery).
func uncorrelatedIn(c Expr) *In {
	if in, ok := c.(*In); ok && in.Sub != nil && !in.Not && !in.Sub.Correlated && len(in.List) == 1 {
		return in
	}
	return nil
}

// throughProject rewrites c, over p's columns, over p's input, if every
// column of p is one of its input's and c has no subquery.
func throughProject(p *Project, c Expr) (Expr, bool) {
	for _, e := range p.Exprs {
		if _, ok := e.(*ColRef); !ok {
			return nil, false
		}
	}
	if hasSubquery(c) {
		return nil, false
	}
	return rewrite(c, func(x Expr) Expr {
		if r, ok := x.(*ColRef); ok {
			return p.Exprs[r.Idx]
		}
		return nil
	}), true
}

// factorOr pulls conditions common to every branch of an OR out of it:
// (a AND b) OR (a AND c) becomes a AND (b OR c), so that a join equality
// repeated in each branch (TPC-H Q19) can drive a hash join.
func factorOr(e Expr) Expr {
	branches := disjuncts(e, nil)
	if len(branches) < 2 {
		return e
	}
	parts := make([][]Expr, len(branches))
	for i, br := range branches {
		parts[i] = conjuncts(br, nil)
	}
	var common []Expr
	for _, c := range parts[0] {
		key := c.String()
		inAll := true
		for _, p := range parts[1:] {
			found := false
			for _, x := range p {
				if x.String() == key {
					found = true
					break
				}
			}
			inAll = inAll && found
		}
		if inAll {
			common = append(common, c)
		}
	}
	if len(common) == 0 {
		return e
	}
	isCommon := func(x Expr) bool {
		for _, c := range common {
			if c.String() == x.String() {
				return true
			}
		}
		return false
	}
	var ors Expr
	for _, p := range parts {
		var rest []Expr
		for _, x := range p {
			if !isCommon(x) {
				rest = append(rest, x)
			}
		}
		if len(rest) == 0 { // this branch is just the common part: the OR is true
			return andAll(common)
		}
		if ors == nil {
			ors = andAll(rest)
		} else {
			ors = &Binary{Op: "or", L: ors, R: andAll(rest), T: types.TBool}
		}
	}
	return andAll(append(common, ors))
}

func hasSubquery(e Expr) bool {
	found := false
	Walk(e, func(x Expr) {
		if _, ok := x.(*Subquery); ok {
			found = true
		}
		if in, ok := x.(*In); ok && in.Sub != nil {
			found = true
		}
	})
	return found
}

func (b *Binder) bindSetOp(s *sql.SelectStmt) (Node, error) {
	left, err := b.bindSelect(s.Left)
	if err != nil {
		return nil, err
	}
	right, err := b.bindSelect(s.Right)
	if err != nil {
		return nil, err
	}
	lc, rc := left.Columns(), right.Columns()
	if len(lc) != len(rc) {
		return nil, sqlerr.New(sqlerr.SyntaxError, "each %s query must have the same number of columns", strings.ToUpper(s.SetOp))
	}
	cols := make([]Column, len(lc))
	lx := make([]Expr, len(lc))
	rx := make([]Expr, len(lc))
	for i := range lc {
		t, err := b.unify(lc[i].Type, rc[i].Type, 0, strings.ToUpper(s.SetOp))
		if err != nil {
			return nil, err
		}
		if t.ID == types.Unknown {
			t = types.TText
		}
		if !s.SetAll || s.SetOp != "union" { // rows are told apart by equality
			if err := b.needsEquality(t, -1); err != nil {
				return nil, err
			}
		}
		cols[i] = Column{Name: lc[i].Name, Type: t}
		if lx[i], err = b.coerce(&ColRef{Idx: i, T: lc[i].Type}, t, 0, s.SetOp); err != nil {
			return nil, err
		}
		if rx[i], err = b.coerce(&ColRef{Idx: i, T: rc[i].Type}, t, 0, s.SetOp); err != nil {
			return nil, err
		}
	}
	node := Node(&SetOp{Kind: s.SetOp, All: s.SetAll,
		Left:  &Project{Input: left, Exprs: lx, Cols: cols},
		Right: &Project{Input: right, Exprs: rx, Cols: cols}, Cols: cols})
	// ORDER BY over a set operation names its output columns.
	var keys []SortKey
	sc := &scope{cols: cols}
	for _, o := range s.OrderBy {
		var e Expr
		if lit, ok := o.Expr.(*sql.Literal); ok && lit.Value.K == types.KInt {
			if lit.Value.I < 1 || int(lit.Value.I) > len(cols) {
				return nil, b.errAt(lit.Pos, sqlerr.InvalidColumnReference, "ORDER BY position %d is not in select list", lit.Value.I)
			}
			e = &ColRef{Idx: int(lit.Value.I) - 1, T: cols[lit.Value.I-1].Type}
		} else if e, err = b.bindExpr(sc, nil, o.Expr); err != nil {
			return nil, err
		}
		nullsFirst := o.Desc
		if o.NullsFirst != nil {
			nullsFirst = *o.NullsFirst
		}
		keys = append(keys, SortKey{Expr: e, Desc: o.Desc, NullsFirst: nullsFirst})
	}
	if len(keys) > 0 {
		node = &Sort{Input: node, Keys: keys}
	}
	return b.bindLimit(node, s)
}

// bindWith binds a WITH list into a new CTE scope (popped by the caller).
// Each query sees the ones before it; a recursive one also sees itself.
func (b *Binder) bindWith(ctes []sql.CTE) error {
	scope := map[string]*cteEntry{}
	b.ctes = append(b.ctes, scope)
	for _, c := range ctes {
		if scope[c.Name] != nil {
			b.ctes = b.ctes[:len(b.ctes)-1]
			return b.errAt(c.Pos, sqlerr.DuplicateAlias, "WITH query name %q specified more than once", c.Name)
		}
		cte, err := b.bindCTE(c, scope)
		if err != nil {
			b.ctes = b.ctes[:len(b.ctes)-1]
			return err
		}
		scope[c.Name] = &cteEntry{cte: cte}
	}
	return nil
}

func (b *Binder) bindCTE(c sql.CTE, scope map[string]*cteEntry) (*CTE, error) {
	saved := b.minOuter
	b.minOuter = len(b.outer)
	defer func() { b.minOuter = min(saved, b.minOuter) }()
	cte := &CTE{Name: c.Name}
	body := c.Select
	recursive := c.Recursive && body.SetOp == "union" && len(body.With) == 0 && body.OrderBy == nil && body.Limit == nil
	first := body
	if recursive {
		first = body.Left
	}
	n, err := b.bindSelect(first)
	if err != nil {
		return nil, err
	}
	cols := n.Columns()
	if len(c.Columns) > len(cols) {
		return nil, b.errAt(c.Pos, sqlerr.InvalidColumnReference, "WITH query %q has %d columns available but %d columns specified", c.Name, len(cols), len(c.Columns))
	}
	cte.Cols = make([]Column, len(cols))
	for i, col := range cols {
		cte.Cols[i] = Column{Name: col.Name, Type: col.Type}
		if i < len(c.Columns) {
			cte.Cols[i].Name = c.Columns[i]
		}
	}
	cte.Plan = n
	if recursive {
		entry := &cteEntry{cte: cte, working: true}
		scope[c.Name] = entry
		right, err := b.bindSelect(body.Right)
		delete(scope, c.Name)
		if err != nil {
			return nil, err
		}
		if !entry.used {
			// A UNION that never reads its own rows is an ordinary WITH
			// query, as in PostgreSQL; run as a recursion it would never end.
			c.Recursive = false
			return b.bindCTE(c, scope)
		}
		rc := right.Columns()
		if len(rc) != len(cols) {
			return nil, b.errAt(c.Pos, sqlerr.SyntaxError, "each UNION query must have the same number of columns")
		}
		exprs := make([]Expr, len(rc))
		for i := range rc {
			if exprs[i], err = b.coerce(&ColRef{Idx: i, T: rc[i].Type}, cols[i].Type, c.Pos, "recursive query"); err != nil {
				return nil, err
			}
		}
		cte.Recursive = &Project{Input: right, Exprs: exprs, Cols: cte.Cols}
		cte.UnionAll = body.SetAll
	}
	cte.Correlated = b.minOuter < len(b.outer)
	return cte, nil
}

// cteRef resolves a FROM item naming a WITH query, innermost scope first.
func (b *Binder) cteRef(te *sql.TableRef) Node {
	if te.Name.Schema != "" {
		return nil // a WITH query's name is never qualified
	}
	for i := len(b.ctes) - 1; i >= 0; i-- {
		e := b.ctes[i][te.Name.Name]
		if e == nil {
			continue
		}
		alias := te.Alias
		if alias == "" {
			alias = te.Name.Name
		}
		cols := make([]Column, len(e.cte.Cols))
		for j, c := range e.cte.Cols {
			cols[j] = Column{Name: c.Name, Type: c.Type, Table: alias}
			if j < len(te.ColAliases) {
				cols[j].Name = te.ColAliases[j]
			}
		}
		if e.working {
			e.used = true
			return &WorkScan{CTE: e.cte, Cols: cols}
		}
		return &CTEScan{CTE: e.cte, Cols: cols}
	}
	return nil
}

// expandView binds a view's query in a scope of its own (a view sees no
// outer query or WITH) and names its columns as the view defines them.
func (b *Binder) expandView(t *catalog.Table, alias string, colAliases []string) (*Project, error) {
	stmts, err := sql.Parse(t.View)
	if err != nil || len(stmts) != 1 {
		return nil, sqlerr.New(sqlerr.DataCorrupted, "view %q has an unreadable definition: %v", t.Name, err)
	}
	// The view's names mean what they meant when it was created, whatever
	// the reader's search path.
	path := t.ViewPath
	if path == nil { // a view created before schemas existed
		path = []string{catalog.Public}
	}
	n, err := b.viewBinder(t, path).bindSelect(stmts[0].(*sql.SelectStmt))
	if err != nil {
		return nil, err
	}
	names := make([]string, len(t.Columns))
	for i, c := range t.Columns {
		names[i] = c.Name
		if i < len(colAliases) {
			names[i] = colAliases[i]
		}
	}
	if len(n.Columns()) != len(names) {
		return nil, sqlerr.New(sqlerr.DataCorrupted, "view %q returns %d columns but is defined with %d; recreate it", t.Name, len(n.Columns()), len(names))
	}
	p := requalify(n, alias, names)
	// The view's own columns, as PostgreSQL's RowDescription gives them and
	// for the view's column privileges (GRANT SELECT (x) ON v).
	for i := range p.Cols {
		p.Cols[i].TableID, p.Cols[i].Ordinal = t.ID, int16(i+1)
	}
	return p, nil
}

func (b *Binder) bindCreateView(s *sql.CreateViewStmt) (Plan, error) {
	n, err := b.bindSelect(s.Query)
	if err != nil {
		return nil, err
	}
	cols := n.Columns()
	if len(s.Columns) > len(cols) {
		return nil, sqlerr.New(sqlerr.SyntaxError, "CREATE VIEW specifies more column names than columns")
	}
	schema, old, err := b.creationSchema(s.Name)
	if err != nil {
		return nil, err
	}
	v := &catalog.Table{Name: s.Name.Name, Schema: schema, View: s.SQL, ViewPath: b.Catalog.SearchPath(b.SearchPath)}
	seen := map[string]bool{}
	for i, c := range cols {
		name := c.Name
		if i < len(s.Columns) {
			name = s.Columns[i]
		}
		if seen[name] {
			return nil, sqlerr.New(sqlerr.DuplicateColumn, "column %q specified more than once", name)
		}
		seen[name] = true
		t := c.Type
		if t.ID == types.Unknown {
			t = types.TText
		}
		v.Columns = append(v.Columns, catalog.Column{Name: name, Type: t})
	}
	cv := &CreateView{View: v}
	if old != nil {
		if !s.OrReplace || !old.IsView() {
			return nil, sqlerr.New(sqlerr.DuplicateTable, "relation %q already exists", s.Name.Name)
		}
		if len(v.Columns) < len(old.Columns) {
			return nil, sqlerr.New(sqlerr.InvalidTableDefinition, "cannot drop columns from view")
		}
		for i, c := range old.Columns {
			if v.Columns[i].Name != c.Name || v.Columns[i].Type != c.Type {
				return nil, sqlerr.New(sqlerr.InvalidTableDefinition, "cannot change name or type of view column %q", c.Name)
			}
		}
		v.ID = old.ID
		cv.Replace = old
	}
	return cv, nil
}
