package plan

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"rustydb/catalog"
	"rustydb/types"
)

// ScanOf stands for the table access of an UPDATE or DELETE, which has no
// plan node of its own, when EXPLAIN ANALYZE reports its figures.
type ScanOf struct{ Stmt Plan }

// Explain renders p as PostgreSQL's EXPLAIN prints a plan: one line per
// operator, indented under its parent, with its conditions on the lines
// below. annotate, when not nil, returns text appended to an operator's line
// (EXPLAIN ANALYZE's actual figures); it is called with a Node, or a ScanOf.
//
// segments, when not nil, reports how many column segments (and rows in
// them) a table has; a sequential scan of a table with some shows them, as
// the executor reads those rows from the segments.
func Explain(p Plan, annotate func(key any) string, segments func(*catalog.Table) (int, int)) ([]string, error) {
	e := &explainer{annotate: annotate, segments: segments}
	switch p := p.(type) {
	case *Query:
		e.node(p.Root, 0)
	case *Insert:
		e.line(0, p, "Insert on %s", p.Table.Name)
		e.node(p.Source, 1)
	case *Update:
		e.line(0, p, "Update on %s", p.Table.Name)
		e.tableAccess(ScanOf{p}, p.Table, "", p.Lookup, p.Filter, 1)
	case *Delete:
		e.line(0, p, "Delete on %s", p.Table.Name)
		e.tableAccess(ScanOf{p}, p.Table, "", p.Lookup, p.Filter, 1)
	case *CreateTable:
		if p.As == nil {
			return nil, fmt.Errorf("EXPLAIN of CREATE TABLE needs AS query")
		}
		e.node(p.As, 0)
	default:
		return nil, fmt.Errorf("EXPLAIN is not supported for this statement")
	}
	return e.lines, nil
}

type explainer struct {
	annotate func(any) string
	segments func(*catalog.Table) (int, int)
	lines    []string
	subplans int
}

// line adds an operator line for key at depth.
func (e *explainer) line(depth int, key any, format string, args ...any) {
	s := fmt.Sprintf(format, args...)
	if e.annotate != nil {
		s += e.annotate(key)
	}
	if depth > 0 {
		s = strings.Repeat("      ", depth-1) + "  ->  " + s
	}
	e.lines = append(e.lines, s)
}

// detail adds a condition line under the operator at depth.
func (e *explainer) detail(depth int, label, text string) {
	e.lines = append(e.lines, strings.Repeat(" ", 6*depth+2)+label+": "+text)
}

func (e *explainer) node(n Node, depth int) {
	switch n := n.(type) {
	case *Scan:
		e.tableAccess(n, n.Table, n.Alias, n.Lookup, nil, depth)
	case *Filter:
		if s, ok := n.Input.(*Scan); ok {
			e.tableAccess(n, s.Table, s.Alias, s.Lookup, n.Cond, depth)
			return
		}
		e.line(depth, n, "Filter")
		e.detail(depth, "Filter", e.expr(n.Cond, n.Input.Columns(), true))
		e.node(n.Input, depth+1)
	case *Project:
		e.node(n.Input, depth) // projections are part of the operator below, as in PostgreSQL
	case *Values:
		if len(n.Rows) == 1 {
			e.line(depth, n, "Result")
		} else {
			e.line(depth, n, "Values Scan (%d rows)", len(n.Rows))
		}
	case *Join:
		e.join(n, depth)
	case *Aggregate:
		name := "Aggregate"
		if len(n.GroupBy) > 0 {
			name = "HashAggregate"
		}
		e.line(depth, n, "%s", name)
		if len(n.GroupBy) > 0 {
			e.detail(depth, "Group Key", e.exprs(n.GroupBy, n.Input.Columns()))
		}
		if n.Parallel > 1 { // by hint; otherwise the table's size decides at run time
			e.detail(depth, "Workers Planned", strconv.Itoa(n.Parallel))
		}
		e.node(n.Input, depth+1)
	case *Window:
		e.line(depth, n, "WindowAgg")
		e.node(n.Input, depth+1)
	case *Sort:
		e.line(depth, n, "Sort")
		keys := make([]string, len(n.Keys))
		for i, k := range n.Keys {
			keys[i] = e.expr(k.Expr, n.Input.Columns(), true)
			if k.Desc {
				keys[i] += " DESC"
			}
			if k.NullsFirst != k.Desc {
				keys[i] += map[bool]string{true: " NULLS FIRST", false: " NULLS LAST"}[k.NullsFirst]
			}
		}
		e.detail(depth, "Sort Key", strings.Join(keys, ", "))
		if n.Parallel > 1 { // by hint, as an aggregation's
			e.detail(depth, "Workers Planned", strconv.Itoa(n.Parallel))
		}
		e.node(n.Input, depth+1)
	case *Limit:
		e.line(depth, n, "Limit")
		e.node(n.Input, depth+1)
	case *Distinct:
		e.line(depth, n, "HashAggregate")
		e.detail(depth, "Group Key", "all columns")
		e.node(n.Input, depth+1)
	case *DistinctOn:
		e.line(depth, n, "Unique")
		e.detail(depth, "Distinct On", e.exprs(n.Keys, n.Input.Columns()))
		e.node(n.Input, depth+1)
	case *CTEScan:
		e.line(depth, n, "CTE Scan on %s", n.CTE.Name)
		e.line(depth+1, n.CTE, "CTE %s", n.CTE.Name)
		e.node(n.CTE.Plan, depth+2)
		if n.CTE.Recursive != nil {
			e.node(n.CTE.Recursive, depth+2)
		}
	case *WorkScan:
		e.line(depth, n, "WorkTable Scan on %s", n.CTE.Name)
	case *SetOp:
		switch {
		case n.Kind == "union" && n.All:
			e.line(depth, n, "Append")
		default:
			all := ""
			if n.All {
				all = " All"
			}
			e.line(depth, n, "HashSetOp %s%s", strings.ToUpper(n.Kind[:1])+n.Kind[1:], all)
		}
		e.node(n.Left, depth+1)
		e.node(n.Right, depth+1)
	case *SystemScan:
		e.line(depth, n, "Seq Scan on pg_catalog.%s", n.Name)
	case *Series:
		e.line(depth, n, "Function Scan on generate_series")
	case *Unnest:
		e.line(depth, n, "Function Scan on unnest")
	case *FileScan:
		e.line(depth, n, "Function Scan on %s", n.Func)
	case *ParquetScan:
		e.parquetScan(n, depth)
	case *JSONTable:
		alias := ""
		if t := n.Cols[0].Table; t != n.Func {
			alias = " " + t
		}
		e.line(depth, n, "Function Scan on %s%s", n.Func, alias)
	case *Ordinality:
		e.node(n.Input, depth)
	default:
		e.line(depth, n, "%T", n)
	}
}

// tableAccess prints the scan of a table: sequential or through an index,
// with filter cond (nil: none).
func (e *explainer) tableAccess(key any, t *catalog.Table, alias string, r *IndexRange, cond Expr, depth int) {
	name := t.Name
	if alias != "" && alias != name {
		name += " " + alias
	}
	if r == nil {
		e.line(depth, key, "Seq Scan on %s", name)
		if e.segments != nil {
			if n, rows := e.segments(t); n > 0 {
				e.detail(depth, "Column Segments", fmt.Sprintf("%d (%d rows; newer rows from the heap)", n, rows))
			}
		}
	} else {
		e.line(depth, key, "Index Scan using %s on %s", r.Name, name)
	}
	if r != nil {
		if c := e.indexCond(t, r); c != "" {
			e.detail(depth, "Index Cond", c)
		}
	}
	if rest := uncovered(cond, r); rest != nil {
		e.detail(depth, "Filter", e.expr(rest, nil, false))
	}
}

// uncovered returns the conjuncts of cond other than the comparisons that
// index range r was made from (the executor still checks them; printing
// them twice would only confuse), or nil.
func uncovered(cond Expr, r *IndexRange) Expr {
	if r == nil {
		return cond
	}
	var rest []Expr
	for _, c := range conjuncts(cond, nil) {
		if !slices.Contains(r.covers, c) { // the conjunct itself: a value may be shared
			rest = append(rest, c)
		}
	}
	return andAll(rest)
}

func (e *explainer) indexCond(t *catalog.Table, r *IndexRange) string {
	var cols []string
	for _, c := range t.IndexKeys()[r.Key] {
		cols = append(cols, t.Columns[c].Name)
	}
	var parts []string
	for i, v := range r.Values {
		parts = append(parts, fmt.Sprintf("(%s = %s)", cols[i], e.expr(v, nil, false)))
	}
	next := ""
	if len(r.Values) < len(cols) {
		next = cols[len(r.Values)]
	}
	if b := r.Lo; b != nil {
		op := map[bool]string{true: ">=", false: ">"}[b.Inclusive]
		parts = append(parts, fmt.Sprintf("(%s %s %s)", next, op, e.expr(b.Value, nil, false)))
	}
	if b := r.Hi; b != nil {
		op := map[bool]string{true: "<=", false: "<"}[b.Inclusive]
		parts = append(parts, fmt.Sprintf("(%s %s %s)", next, op, e.expr(b.Value, nil, false)))
	}
	return strings.Join(parts, " AND ")
}

func (e *explainer) join(n *Join, depth int) {
	kind := map[string]string{"inner": "", "cross": "", "left": " Left", "right": " Right", "full": " Full", "semi": " Semi", "anti": " Anti"}[n.Kind]
	switch {
	case len(n.LeftKeys) > 0 && !n.Lateral:
		e.line(depth, n, "Hash%s Join", kind)
		conds := make([]string, len(n.LeftKeys))
		for i := range n.LeftKeys {
			conds[i] = fmt.Sprintf("(%s = %s)", e.expr(n.LeftKeys[i], n.Left.Columns(), true), e.expr(n.RightKeys[i], n.Right.Columns(), true))
		}
		e.detail(depth, "Hash Cond", strings.Join(conds, " AND "))
		if n.BuildLeft {
			e.detail(depth, "Hashed Input", "left (the smaller, by ANALYZE's figures)")
		}
	default:
		e.line(depth, n, "Nested Loop%s", kind)
	}
	if n.On != nil {
		e.detail(depth, "Join Filter", e.expr(n.On, append(append([]Column(nil), n.Left.Columns()...), n.Right.Columns()...), true))
	}
	e.node(n.Left, depth+1)
	e.node(n.Right, depth+1)
}

func (e *explainer) exprs(list []Expr, cols []Column) string {
	parts := make([]string, len(list))
	for i, x := range list {
		parts[i] = e.expr(x, cols, true)
	}
	return strings.Join(parts, ", ")
}

// expr renders an expression in SQL. Column references are named from cols
// when given (qualified by their table when qualify is set), else by the name
// the binder recorded.
func (e *explainer) expr(x Expr, cols []Column, qualify bool) string {
	var r func(Expr) string
	list := func(xs []Expr) string {
		parts := make([]string, len(xs))
		for i, x := range xs {
			parts[i] = r(x)
		}
		return strings.Join(parts, ", ")
	}
	r = func(x Expr) string {
		switch x := x.(type) {
		case *ColRef:
			if x.Idx < len(cols) {
				c := cols[x.Idx]
				if qualify && c.Table != "" {
					return c.Table + "." + c.Name
				}
				return c.Name
			}
			if x.Name != "" {
				return x.Name
			}
			return fmt.Sprintf("$col%d", x.Idx+1)
		case *OuterRef:
			return x.Name
		case *Const:
			if x.V.IsNull() {
				return "NULL"
			}
			s := types.Format(x.V)
			switch x.T.ID {
			case types.TimestampTZ, types.Time, types.UUID, types.Bytea, types.JSON, types.JSONB: // timestamptz in UTC
				return "'" + strings.ReplaceAll(s, "'", "''") + "'::" + x.T.String()
			}
			if x.T.IsString() || x.T.ID == types.Date || x.T.ID == types.Timestamp || x.T.ID == types.Interval {
				return "'" + strings.ReplaceAll(s, "'", "''") + "'::" + x.T.String()
			}
			return s
		case *Param:
			return fmt.Sprintf("$%d", x.N)
		case *Binary:
			return "(" + r(x.L) + " " + strings.ToUpper(x.Op) + " " + r(x.R) + ")"
		case *Unary:
			if x.Op == "not" {
				return "(NOT " + r(x.X) + ")"
			}
			return "(" + x.Op + r(x.X) + ")"
		case *Cast:
			return "(" + r(x.X) + ")::" + x.T.String()
		case *IsNull:
			return "(" + r(x.X) + map[bool]string{false: " IS NULL)", true: " IS NOT NULL)"}[x.Not]
		case *IsBool:
			not := ""
			if x.Not {
				not = "NOT "
			}
			return "(" + r(x.X) + " IS " + not + strings.ToUpper(x.Value) + ")"
		case *In:
			not := ""
			if x.Not {
				not = "NOT "
			}
			if x.Sub != nil {
				return "(" + r(x.X) + " " + not + "IN " + e.subplan(x.Sub) + ")"
			}
			return "(" + r(x.X) + " " + not + "IN (" + list(x.List) + "))"
		case *Like:
			op := map[bool]string{false: "~~", true: "~~*"}[x.ILike]
			if x.Not {
				op = "!" + op
			}
			return "(" + r(x.X) + " " + op + " " + r(x.Pattern) + ")"
		case *Case:
			var b strings.Builder
			b.WriteString("CASE")
			if x.Operand != nil {
				b.WriteString(" " + r(x.Operand))
			}
			for _, w := range x.Whens {
				b.WriteString(" WHEN " + r(w.Cond) + " THEN " + r(w.Result))
			}
			if x.Else != nil {
				b.WriteString(" ELSE " + r(x.Else))
			}
			return b.String() + " END"
		case *Func:
			return x.Name + "(" + list(x.Args) + ")"
		case *Subquery:
			if x.Exists {
				return "EXISTS " + e.subplan(x)
			}
			return e.subplan(x)
		case *Quantified:
			q := map[bool]string{false: "ANY", true: "ALL"}[x.All]
			if x.Sub == nil {
				return "(" + r(x.X) + " " + q + " (" + r(x.Array) + "))"
			}
			return "(" + r(x.X) + " " + q + " " + e.subplan(x.Sub) + ")"
		case *WindowRef:
			return fmt.Sprintf("window%d", x.I+1)
		}
		return x.String()
	}
	return r(x)
}

// subplan names a subquery; its plan is not expanded inline.
func (e *explainer) subplan(s *Subquery) string {
	e.subplans++
	kind := "InitPlan"
	if s.Correlated {
		kind = "SubPlan"
	}
	return fmt.Sprintf("(%s %d)", kind, e.subplans)
}
