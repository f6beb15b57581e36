// Package plan turns parsed statements into typed logical plans: it resolves
// names against the catalog, types every expression (coercing untyped
// literals as PostgreSQL does), checks grouping rules and reports SQL errors
// with SQLSTATEs and positions. It does not execute anything; package exec runs
// the plans.
package plan

import (
	"fmt"
	"strings"

	"rustydb/catalog"
	"rustydb/types"
)

// Column describes one output column of a plan node.
type Column struct {
	Name  string
	Type  types.T
	Table string // the range variable (alias or table name) it came from, "" if computed
	// TableID and Ordinal identify a base table column (0 when computed); the
	// wire protocol reports them in RowDescription.
	TableID uint32
	Ordinal int16
	Hidden  bool // sort-only column dropped before output
	// QualifiedOnly columns are named only with their table (and shown by
	// t.*, not *): each side's column of a JOIN USING.
	QualifiedOnly bool
	// Scalar marks the one column of a function in FROM that returns a
	// scalar under a column name of its own (jsonb_array_elements'
	// value): the function's alias names it too, as in PostgreSQL.
	Scalar bool
	// Rel is the relation the range variable reads, nil for FROM items
	// other than tables, views and system catalogs.
	Rel *RangeRel
	// Record describes a record column (see srf.go), else nil.
	Record *Record
}

// RangeRel is the relation a FROM item reads and whether the item gave it
// an alias: only an unaliased one can be named schema.table, as in
// PostgreSQL.
type RangeRel struct {
	Table   *catalog.Table // a system catalog's has only Schema and Name
	Aliased bool
}

// reads marks cols as columns of a range variable that reads t.
func reads(cols []Column, t *catalog.Table, aliased bool) {
	rel := &RangeRel{Table: t, Aliased: aliased}
	for i := range cols {
		cols[i].Rel = rel
	}
}

// inRange reports whether the qualifier [schema.]table names c's range
// variable.
func (c *Column) inRange(schema, table string) bool {
	return c.Table == table && (schema == "" || c.Rel != nil && !c.Rel.Aliased && c.Rel.Table.Schema == schema)
}

// Node is a plan operator.
type Node interface {
	Columns() []Column
}

type (
	// Scan reads the visible rows of a table.
	Scan struct {
		Table  *catalog.Table
		Alias  string
		Cols   []Column
		Lookup *IndexRange // non-nil: read only the rows in this index range
		Hint   AccessHint
		Stats  *catalog.TableStats // ANALYZE's figures when bound, or nil
	}
	// Values produces constant rows (VALUES lists, SELECT without FROM).
	Values struct {
		Rows [][]Expr
		Cols []Column
	}
	Filter struct {
		Input Node
		Cond  Expr
	}
	Project struct {
		Input Node
		Exprs []Expr
		Cols  []Column
	}
	// Join joins Left and Right. LeftKeys[i] = RightKeys[i] are equality
	// conditions usable for hashing; On holds the rest (nil = true).
	Join struct {
		Kind string // inner, left, right, full, cross
		// Lateral: Right reads the left row through OuterRefs of depth 1 and
		// runs once per left row.
		Lateral             bool
		Left, Right         Node
		LeftKeys, RightKeys []Expr
		On                  Expr
		Cols                []Column
		// BuildLeft makes a hash join keep its left input in memory and
		// stream the right one (see chooseBuildSides).
		BuildLeft bool
		// Parallel is how many workers may stream the right input of a
		// semi or anti join with BuildLeft, marking the left rows it
		// matches, or build any hash join's input of joins over a scan
		// from batches (see chooseParallel): as Aggregate's, 0 none.
		Parallel int
		// Out, when not nil, lists the columns of the joined row (the left
		// row's followed by the right row's; the left row's alone for semi
		// and anti joins) that the join outputs, in order: the others are
		// read by its keys and On only (see pruneColumns). Cols matches it.
		Out []int
	}
	// Aggregate groups its input by GroupBy and computes Aggs; its output is
	// the group values followed by the aggregate results.
	Aggregate struct {
		Input   Node
		GroupBy []Expr
		Aggs    []AggCall
		Cols    []Column
		// Parallel is how many workers may run the aggregation over its
		// input scan (see chooseParallel): 0 none (nor the vectorized
		// path), -1 as many as the table's size warrants.
		Parallel int
		// Pipeline is how many workers may run the joins under an
		// aggregation that is not over a scan, each streaming its share of
		// the scan at the bottom through the hash tables built once: as
		// Parallel, 0 none.
		Pipeline int
		// Dependent marks the GroupBy keys that other keys determine (see
		// markDependentKeys); nil for none.
		Dependent []bool
	}
	Sort struct {
		Input Node
		Keys  []SortKey
		// Parallel is how many workers may sort shares of the input, when
		// it is a column scan under filters, projections and joins whose
		// tables workers share (see chooseParallel): as Aggregate's, 0 none.
		Parallel int
	}
	Limit struct {
		Input         Node
		Limit, Offset Expr // nil when absent
	}
	Distinct struct {
		Input Node
	}
	// DistinctOn keeps the first row of each group of equal Keys.
	DistinctOn struct {
		Input Node
		Keys  []Expr
	}
	// CTEScan reads the rows of a WITH query.
	CTEScan struct {
		CTE  *CTE
		Cols []Column
	}
	// WorkScan reads the rows the previous step of a recursive WITH query
	// produced (its self-reference).
	WorkScan struct {
		CTE  *CTE
		Cols []Column
	}
	// SetOp is UNION / INTERSECT / EXCEPT [ALL].
	SetOp struct {
		Kind        string
		All         bool
		Left, Right Node
		Cols        []Column
	}
)

// CTE is a WITH query, computed once per statement (per outer row when it is
// correlated). A recursive one starts with the rows of Plan and repeatedly
// adds the rows Recursive produces from the previous step's rows, until a
// step produces none (rows already seen are dropped unless UnionAll).
type CTE struct {
	Name       string
	Plan       Node
	Recursive  Node
	UnionAll   bool
	Cols       []Column
	Correlated bool
}

// AggCall is one aggregate function call.
type AggCall struct {
	Func     string // count, sum, avg, min, max
	Arg      Expr   // nil for count(*)
	Arg2     Expr   // string_agg's delimiter
	Filter   Expr   // FILTER (WHERE ...), nil when absent
	Distinct bool
	// OrderBy is agg(x ORDER BY y): the group's rows are fed in this order,
	// which string_agg's result shows.
	OrderBy []SortKey
	Type    types.T
}

type SortKey struct {
	Expr       Expr
	Desc       bool
	NullsFirst bool
}

func (n *Scan) Columns() []Column       { return n.Cols }
func (n *Values) Columns() []Column     { return n.Cols }
func (n *Filter) Columns() []Column     { return n.Input.Columns() }
func (n *Project) Columns() []Column    { return n.Cols }
func (n *Join) Columns() []Column       { return n.Cols }
func (n *Aggregate) Columns() []Column  { return n.Cols }
func (n *Sort) Columns() []Column       { return n.Input.Columns() }
func (n *Limit) Columns() []Column      { return n.Input.Columns() }
func (n *Distinct) Columns() []Column   { return n.Input.Columns() }
func (n *DistinctOn) Columns() []Column { return n.Input.Columns() }
func (n *SetOp) Columns() []Column      { return n.Cols }
func (n *CTEScan) Columns() []Column    { return n.Cols }
func (n *WorkScan) Columns() []Column   { return n.Cols }

// Expr is a typed expression over the columns of a node's input row.
type Expr interface {
	Type() types.T
	String() string
}

type (
	// ColRef reads column Idx of the input row.
	ColRef struct {
		Idx  int
		T    types.T
		Name string
	}
	Const struct {
		V types.Value
		T types.T
	}
	// Param is $N of the extended protocol, typed by context.
	Param struct {
		N int
		T types.T
	}
	Binary struct {
		Op   string // + - * / % || = <> < <= > >= and or, "is distinct from", "is not distinct from"
		L, R Expr
		T    types.T
	}
	Unary struct {
		Op string // - not
		X  Expr
		T  types.T
	}
	// Cast converts X to T; Assign selects assignment rules (a too-long
	// string is an error rather than truncated).
	Cast struct {
		X      Expr
		T      types.T
		Assign bool
	}
	IsNull struct {
		X   Expr
		Not bool
	}
	// IsBool is X IS [NOT] TRUE / FALSE / UNKNOWN.
	IsBool struct {
		X     Expr
		Not   bool
		Value string
	}
	// In is X [NOT] IN (list); a subquery's rows become List at run time via Sub.
	In struct {
		X    Expr
		List []Expr
		Sub  *Subquery
		Not  bool
	}
	Like struct {
		X, Pattern Expr
		Not, ILike bool
	}
	Case struct {
		Operand Expr // nil for searched CASE
		Whens   []CaseWhen
		Else    Expr // nil means NULL
		T       types.T
	}
	CaseWhen struct{ Cond, Result Expr }
	Func     struct {
		Name string
		Args []Expr
		T    types.T
	}
	// Subquery is a subquery expression. An uncorrelated one runs once per
	// statement; a correlated one (reading OuterRefs) runs for every row of
	// the query around it.
	Subquery struct {
		Plan   Node
		Exists bool
		// Array makes ARRAY(subquery): the rows' one column as an array.
		Array      bool
		Correlated bool
		// KeyCols, when non-nil, are the columns of the enclosing row that a
		// correlated subquery reads (it reads no rows further out): its result
		// depends only on them, so it can be cached by their values.
		KeyCols []int
		T       types.T
	}
	// Quantified is X op ANY|ALL (subquery): Cmp compares a two-value row
	// (X's value, the subquery row's column) for each subquery row.
	Quantified struct {
		X   Expr
		Cmp Expr
		Sub *Subquery
		// Array, when Sub is nil, is the array whose elements X is compared with.
		Array Expr
		All   bool
	}
	// OuterRef reads column Idx of the row of an enclosing query, Depth
	// subquery levels up (1 = the query directly around the subquery).
	OuterRef struct {
		Depth, Idx int
		T          types.T
		Name       string
	}
)

func (e *ColRef) Type() types.T    { return e.T }
func (e *Const) Type() types.T     { return e.T }
func (e *Param) Type() types.T     { return e.T }
func (e *Binary) Type() types.T    { return e.T }
func (e *Unary) Type() types.T     { return e.T }
func (e *Cast) Type() types.T      { return e.T }
func (e *IsNull) Type() types.T    { return types.TBool }
func (e *IsBool) Type() types.T    { return types.TBool }
func (e *In) Type() types.T        { return types.TBool }
func (e *Like) Type() types.T      { return types.TBool }
func (e *Case) Type() types.T      { return e.T }
func (e *Func) Type() types.T      { return e.T }
func (e *Subquery) Type() types.T  { return e.T }
func (e *OuterRef) Type() types.T  { return e.T }
func (e *OuterRef) String() string { return fmt.Sprintf("outer(%d)#%d", e.Depth, e.Idx) }

func (e *ColRef) String() string { return fmt.Sprintf("#%d", e.Idx) }
func (e *Const) String() string {
	if e.V.IsNull() {
		return "NULL"
	}
	return fmt.Sprintf("%q::%s", types.Format(e.V), e.T)
}
func (e *Param) String() string  { return fmt.Sprintf("$%d", e.N) }
func (e *Binary) String() string { return fmt.Sprintf("(%s %s %s)", e.L, e.Op, e.R) }
func (e *Unary) String() string  { return fmt.Sprintf("(%s %s)", e.Op, e.X) }
func (e *Cast) String() string   { return fmt.Sprintf("%s::%s", e.X, e.T) }
func (e *IsNull) String() string { return fmt.Sprintf("(%s IS NULL not=%v)", e.X, e.Not) }
func (e *IsBool) String() string { return fmt.Sprintf("(%s IS %s not=%v)", e.X, e.Value, e.Not) }
func (e *In) String() string {
	return fmt.Sprintf("(%s IN %s sub=%p not=%v)", e.X, exprList(e.List), e.Sub, e.Not)
}
func (e *Like) String() string {
	return fmt.Sprintf("(%s LIKE %s not=%v i=%v)", e.X, e.Pattern, e.Not, e.ILike)
}
func (e *Case) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "CASE %v", e.Operand)
	for _, w := range e.Whens {
		fmt.Fprintf(&b, " WHEN %s THEN %s", w.Cond, w.Result)
	}
	fmt.Fprintf(&b, " ELSE %v END", e.Else)
	return b.String()
}
func (e *Func) String() string     { return fmt.Sprintf("%s%s", e.Name, exprList(e.Args)) }
func (e *Subquery) String() string { return fmt.Sprintf("subquery(%p)", e) }

func exprList(list []Expr) string {
	parts := make([]string, len(list))
	for i, e := range list {
		parts[i] = e.String()
	}
	return "(" + strings.Join(parts, ", ") + ")"
}

// Statement plans.
type (
	// Query is a SELECT.
	Query struct {
		Root Node
	}
	// Insert writes the rows of Source (already in table column order and types).
	Insert struct {
		Table      *catalog.Table
		Source     Node
		OnConflict *OnConflict // nil: a duplicate key is an error
		Returning  []Expr
		RetCols    []Column
	}
	// Update rewrites the rows of Table matching Filter; Set[i] computes column
	// SetCols[i] from the old row.
	Update struct {
		Table     *catalog.Table
		Filter    Expr
		Lookup    *IndexRange
		SetCols   []int
		Set       []Expr
		Returning []Expr
		RetCols   []Column
	}
	Delete struct {
		Table     *catalog.Table
		Filter    Expr
		Lookup    *IndexRange
		Returning []Expr
		RetCols   []Column
	}
	// CreateTable creates Table; with As, it is filled with As's rows.
	CreateTable struct {
		Table       *catalog.Table
		IfNotExists bool
		As          Node
		Sequences   []*catalog.Table // created first: serial and identity columns' sequences
	}
	// CreateView creates (or with Replace, redefines) a view.
	CreateView struct {
		View    *catalog.Table
		Replace *catalog.Table // the view being replaced, or nil
	}
	// DropTable drops Tables; Unlinked are new definitions of other tables
	// without their foreign keys to them (DROP ... CASCADE). Skipped are
	// the errors of the missing relations that IF EXISTS turns into
	// notices; Tag is the command tag.
	DropTable struct {
		Tables   []*catalog.Table
		Unlinked []*catalog.Table
		Skipped  []error
		Tag      string
	}
)

// Plan is a planned statement.
type Plan interface{ planned() }

func (*Query) planned()       {}
func (*Insert) planned()      {}
func (*Update) planned()      {}
func (*Delete) planned()      {}
func (*CreateTable) planned() {}
func (*CreateView) planned()  {}
func (*DropTable) planned()   {}

// Walk calls fn for e and every expression below it, depth first.
func Walk(e Expr, fn func(Expr)) {
	if e == nil {
		return
	}
	fn(e)
	switch e := e.(type) {
	case *Binary:
		Walk(e.L, fn)
		Walk(e.R, fn)
	case *Unary:
		Walk(e.X, fn)
	case *Cast:
		Walk(e.X, fn)
	case *IsNull:
		Walk(e.X, fn)
	case *IsBool:
		Walk(e.X, fn)
	case *In:
		Walk(e.X, fn)
		if e.Sub == nil { // with a subquery, List is over the subquery's row
			for _, x := range e.List {
				Walk(x, fn)
			}
		}
	case *Quantified:
		Walk(e.X, fn)
		if e.Sub != nil {
			fn(e.Sub)
		}
		Walk(e.Array, fn)
	case *Like:
		Walk(e.X, fn)
		Walk(e.Pattern, fn)
	case *Case:
		Walk(e.Operand, fn)
		for _, w := range e.Whens {
			Walk(w.Cond, fn)
			Walk(w.Result, fn)
		}
		Walk(e.Else, fn)
	case *Func:
		for _, x := range e.Args {
			Walk(x, fn)
		}
	}
}

func (e *Quantified) Type() types.T { return types.TBool }
func (e *Quantified) String() string {
	return fmt.Sprintf("(%s %s all=%v %p %v)", e.X, e.Cmp, e.All, e.Sub, e.Array)
}
