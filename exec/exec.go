// Package exec runs plans. Each plan node becomes an operator with the
// Init / Next / Close contract: Next returns the next row, or nil at the end.
// Expressions are compiled once into closures. DML runs through the row
// store's transaction write path; COPY FROM loads take their rows from a
// CopySource, one for each format (text and CSV here, NDJSON and Arrow in
// the root package), and read_csv / read_json scan files (filescan.go).
// Sorts, hash aggregations and hash joins spill to temporary files past
// work_mem (spill.go).
//
// This is the row-at-a-time executor of the foundation; the vectorized,
// parallel executor over column segments will sit beside it.
package exec

import (
	"context"
	"errors"
	"io"
	"rustydb/config"
	"slices"
	"time"

	"rustydb/catalog"
	"rustydb/plan"
	"rustydb/row"
	"rustydb/sqlerr"
	"rustydb/txn"
	"rustydb/types"
)

// Operator produces rows.
type Operator interface {
	Init() error
	// Next returns the next row, or nil when there are no more. The row may
	// be retained by the caller: operators never reuse a returned row.
	Next() ([]types.Value, error)
	Close()
}

// Context is what one statement runs with.
type Context struct {
	Ctx    context.Context
	Store  *row.Store
	Tx     *row.Tx
	Snap   txn.Snapshot
	Params []types.Value
	Now    time.Time // the transaction's start, which now() returns
	// Loc is the session time zone (TimeZone), in which timestamps with
	// time zone convert to and from text, timestamps, dates and times; nil
	// means UTC.
	Loc *time.Location
	// RepeatableRead makes a write that meets a row changed by a transaction
	// committed after the snapshot fail with 40001 instead of re-checking.
	RepeatableRead bool

	// User is the current role (current_user), SessionUser session_user
	// ("" for User).
	User, SessionUser, Database, ServerVersion string
	// SearchPath is the session's search_path (see plan.Binder), for the
	// names functions resolve at run time: nextval('s'), 't'::regclass.
	SearchPath []string
	// Seqs holds the session's currval state.
	Seqs *SeqValues

	subqueries map[*plan.Subquery][][]types.Value
	checks     int
	// outer is the stack of rows of the queries around the correlated
	// subquery being run, innermost last; OuterRefs read it.
	outer [][]types.Value
	// memo caches correlated subquery results by the outer values they read.
	memo map[*plan.Subquery]map[string][][]types.Value
	// cteRows caches the rows of uncorrelated WITH queries for the
	// statement; work holds each recursive query's previous step.
	cteRows map[*plan.CTE][][]types.Value
	work    map[*plan.CTE][][]types.Value

	// OpenFile opens a server file that read_csv or read_json reads (nil:
	// none may be read).
	OpenFile func(path string) (io.ReadCloser, error)

	// NoColumnar keeps scans off column segments (enable_columnar_scan).
	NoColumnar bool
	// MaxWorkers caps the workers of a parallel aggregation
	// (max_parallel_workers_per_query); 0 means one per CPU.
	MaxWorkers int
	// Sched lends parallel operators their workers beyond the first (nil:
	// as many as they ask for).
	Sched *Scheduler
	// Config holds the server parameters, for v$parameter and
	// v$parameter_history; SessionConfig the session's own values of some
	// of them (SET, ALTER SESSION SET), by parameter name.
	Config        *config.Params
	SessionConfig map[string]string
	neededCols    neededCols
	// Memo, when set, is where the plan's analysis is kept across runs.
	Memo *PlanMemo

	// WorkMem is how many bytes of rows a sort, hash aggregation or hash
	// join may hold before it spills to temporary files in TempDir (see
	// spill.go); 0 means no limit, "" os.TempDir().
	WorkMem int64
	TempDir string
	Temp    *TempStats // counts the temporary files; nil: not counted

	// Analysis, when set, collects EXPLAIN ANALYZE's measurements.
	Analysis *Analysis
	// Instance gives the session functions and the views over sessions
	// and statements their data; Progress counts what the statement does.
	Instance Instance
	Progress *Progress
	// Privilege, when set, checks that the session's role holds at least
	// one of anyOf on a relation the statement names at run time (a
	// sequence given to nextval); nil means the session may do anything.
	Privilege func(t *catalog.Table, anyOf catalog.Priv) error
	// checkFns are the compiled CHECK constraints of the tables written.
	checkFns map[*catalog.Table][]evalFn
}

// SeqValues are the sequence values a session has obtained, for currval
// and lastval.
type SeqValues struct {
	byID    map[uint32]int64 // by sequence id
	last    int64
	hasLast bool
}

// canceled checks for cancellation every few hundred rows.
func (c *Context) canceled() error {
	c.checks++
	if c.checks&255 != 0 {
		return nil
	}
	return c.cancelErr()
}

// cancelErr reports a canceled or timed-out statement.
func (c *Context) cancelErr() error {
	if err := c.Ctx.Err(); err != nil {
		if errors.Is(err, context.DeadlineExceeded) {
			return sqlerr.New(sqlerr.QueryCanceled, "canceling statement due to statement timeout")
		}
		return sqlerr.New(sqlerr.QueryCanceled, "canceling statement due to user request")
	}
	return nil
}

var errStop = errors.New("stop")

// Drain runs op to the end, calling fn for each row.
func Drain(op Operator, fn func([]types.Value) error) error {
	if err := op.Init(); err != nil {
		op.Close()
		return err
	}
	defer op.Close()
	for {
		r, err := op.Next()
		if err != nil {
			return err
		}
		if r == nil {
			return nil
		}
		if err := fn(r); err != nil {
			return err
		}
	}
}

// Build turns a plan node into an operator tree.
func (c *Context) Build(n plan.Node) (Operator, error) {
	c.needed(n) // the first Build of a plan finds which columns its scans must produce
	op, err := c.build(n)
	if err != nil {
		return nil, err
	}
	return c.analyzed(n, op), nil
}

func (c *Context) build(n plan.Node) (Operator, error) {
	switch n := n.(type) {
	case *plan.Scan:
		h := c.Store.Heap(n.Table)
		if h == nil {
			return nil, sqlerr.New(sqlerr.UndefinedTable, "relation %q does not exist", n.Table.Name)
		}
		if op, err := c.buildColScan(n); op != nil || err != nil {
			return op, err
		}
		return &scanOp{c: c, table: n.Table, heap: h, index: n.Lookup}, nil
	case *plan.Values:
		if rows, ok, err := c.constantRows(n.Rows); ok || err != nil {
			return &rowsOp{rows: rows, owned: true}, err
		}
		rows := make([][]evalFn, len(n.Rows))
		for i, r := range n.Rows {
			fns, err := c.compileAll(r)
			if err != nil {
				return nil, err
			}
			rows[i] = fns
		}
		return &valuesOp{rows: rows}, nil
	case *plan.Filter:
		if op, err := c.buildColScan(n); op != nil || err != nil {
			return op, err
		}
		filter := n.Cond
		if s, ok := n.Input.(*plan.Scan); ok {
			var covered bool
			if filter, covered = s.Lookup.Residual(n.Cond); covered && filter == nil {
				return c.Build(n.Input) // the index range is the filter
			}
		}
		in, err := c.Build(n.Input)
		if err != nil {
			return nil, err
		}
		cond, err := c.compile(filter)
		if err != nil {
			return nil, err
		}
		agg, ok := in.(*aggOp)
		if a, analyzed := in.(*analyzeOp); analyzed {
			agg, ok = a.in.(*aggOp)
		}
		if ok {
			agg.having = n.Cond
		}
		return &filterOp{c: c, in: in, cond: cond, expr: filter}, nil
	case *plan.Project:
		in, err := c.Build(n.Input)
		if err != nil {
			return nil, err
		}
		// Column references are copied without a compiled closure each, a
		// point query's whole projection; all the input's columns in order
		// are its rows as they are (which no reader changes).
		if !slices.ContainsFunc(n.Exprs, func(e plan.Expr) bool { _, ok := e.(*plan.ColRef); return !ok }) {
			if c.Analysis == nil && identity(n.Exprs, len(n.Input.Columns())) {
				return in, nil
			}
			return &projectOp{in: in, plan: n.Exprs}, nil
		}
		fns, err := c.compileAll(n.Exprs)
		if err != nil {
			return nil, err
		}
		return &projectOp{in: in, exprs: fns, plan: n.Exprs}, nil
	case *plan.Join:
		return c.buildJoin(n)
	case *plan.Aggregate:
		return c.buildAggregate(n)
	case *plan.Sort:
		in, err := c.Build(n.Input)
		if err != nil {
			return nil, err
		}
		keys := make([]evalFn, len(n.Keys))
		for i, k := range n.Keys {
			if keys[i], err = c.compile(k.Expr); err != nil {
				return nil, err
			}
		}
		return &sortOp{c: c, node: n, in: in, keys: keys, spec: n.Keys}, nil
	case *plan.Limit:
		in, err := c.Build(n.Input)
		if err != nil {
			return nil, err
		}
		l := &limitOp{in: in, limit: -1}
		for _, p := range []struct {
			e   plan.Expr
			dst *int64
			kw  string
		}{{n.Limit, &l.limit, "LIMIT"}, {n.Offset, &l.offset, "OFFSET"}} {
			if p.e == nil {
				continue
			}
			f, err := c.compile(p.e)
			if err != nil {
				return nil, err
			}
			v, err := f(nil)
			if err != nil {
				return nil, err
			}
			if v.IsNull() {
				continue
			}
			if v.I < 0 {
				return nil, sqlerr.New("2201W", "%s must not be negative", p.kw)
			}
			*p.dst = v.I
		}
		l.boundSort()
		return l, nil
	case *plan.Distinct:
		in, err := c.Build(n.Input)
		if err != nil {
			return nil, err
		}
		return &distinctOp{in: in, seen: map[string]bool{}}, nil
	case *plan.DistinctOn:
		in, err := c.Build(n.Input)
		if err != nil {
			return nil, err
		}
		keys, err := c.compileAll(n.Keys)
		if err != nil {
			return nil, err
		}
		return &distinctOp{in: in, seen: map[string]bool{}, keys: keys}, nil
	case *plan.Window:
		return c.buildWindow(n)
	case *plan.Series:
		return c.buildSeries(n)
	case *plan.FileScan:
		return c.buildFileScan(n)
	case *plan.ParquetScan:
		return c.buildParquetScan(n)
	case *plan.Unnest:
		arr, err := c.compile(n.Array)
		if err != nil {
			return nil, err
		}
		return &unnestOp{arr: arr}, nil
	case *plan.JSONTable:
		doc, err := c.compile(n.Doc)
		if err != nil {
			return nil, err
		}
		return &jsonTableOp{c: c, n: n, doc: doc}, nil
	case *plan.Ordinality:
		in, err := c.Build(n.Input)
		if err != nil {
			return nil, err
		}
		return &ordinalityOp{in: in}, nil
	case *plan.SystemScan:
		return &rowsOp{rows: c.systemRows(n.Name)}, nil
	case *plan.CTEScan:
		rows, err := c.cteResult(n.CTE)
		if err != nil {
			return nil, err
		}
		return &rowsOp{rows: rows}, nil
	case *plan.WorkScan:
		return &rowsOp{rows: c.work[n.CTE]}, nil
	case *plan.SetOp:
		l, err := c.Build(n.Left)
		if err != nil {
			return nil, err
		}
		r, err := c.Build(n.Right)
		if err != nil {
			return nil, err
		}
		return &setOp{kind: n.Kind, all: n.All, left: l, right: r}, nil
	}
	return nil, sqlerr.New(sqlerr.InternalError, "cannot execute plan node %T", n)
}

// candidates returns the versions of t's heap h that a scan must check for
// visibility and its filter: all of them, or those in index range r,
// appended to into.
func (c *Context) candidates(t *catalog.Table, h *row.Heap, r *plan.IndexRange, into []*row.Version) ([]*row.Version, error) {
	if r == nil {
		return h.Scan()
	}
	cols := t.IndexKey(r.Key)
	var keys [4]types.Value // on the stack for keys of up to 4 columns
	prefix := keys[:0]
	for i, e := range r.Values {
		v, err := c.keyValue(e, t.Columns[cols[i]].Type)
		if err != nil || v.IsNull() { // = NULL matches nothing
			return nil, err
		}
		prefix = append(prefix, v)
	}
	bound := func(b *plan.RangeBound) (*row.Bound, bool, error) {
		if b == nil {
			return nil, true, nil
		}
		v, err := c.keyValue(b.Value, t.Columns[cols[len(prefix)]].Type)
		return &row.Bound{Value: v, Inclusive: b.Inclusive}, !v.IsNull(), err
	}
	lo, okLo, err := bound(r.Lo)
	if err != nil {
		return nil, err
	}
	hi, okHi, err := bound(r.Hi)
	if err != nil || !okLo || !okHi { // a comparison with NULL matches nothing
		return nil, err
	}
	if lo != nil && hi == nil {
		hi = &row.Bound{Value: types.Null} // NULLs sort last: stop before them
	}
	return h.Lookup(r.Key, prefix, lo, hi, into)
}

// keyValue evaluates e, an index range's key, as a value of the key
// column's type t; a literal (a prepared statement's parameter) without
// compiling it.
func (c *Context) keyValue(e plan.Expr, t types.T) (types.Value, error) {
	var v types.Value
	var err error
	if literal(e) {
		v, err = c.constant(e)
	} else {
		var f evalFn
		if f, err = c.compile(e); err == nil {
			v, err = f(nil)
		}
	}
	if err != nil {
		return types.Null, err
	}
	return types.Cast(v, t)
}

// cteResult computes a WITH query's rows, once per statement unless it is
// correlated with an enclosing query's row.
func (c *Context) cteResult(cte *plan.CTE) ([][]types.Value, error) {
	if rows, ok := c.cteRows[cte]; ok && !cte.Correlated {
		return rows, nil
	}
	collect := func(n plan.Node) ([][]types.Value, error) {
		op, err := c.Build(n)
		if err != nil {
			return nil, err
		}
		var rows [][]types.Value
		err = Drain(op, func(r []types.Value) error { rows = append(rows, r); return nil })
		return rows, err
	}
	all, err := collect(cte.Plan)
	if err != nil {
		return nil, err
	}
	if cte.Recursive != nil {
		seen := map[string]bool{}
		var buf []byte
		// fresh keeps the rows not produced before (all of them for UNION ALL).
		fresh := func(rows [][]types.Value) [][]types.Value {
			if cte.UnionAll {
				return rows
			}
			out := rows[:0:0]
			for _, r := range rows {
				buf = rowKey(buf[:0], r)
				if !seen[string(buf)] {
					seen[string(buf)] = true
					out = append(out, r)
				}
			}
			return out
		}
		all = fresh(all)
		if c.work == nil {
			c.work = map[*plan.CTE][][]types.Value{}
		}
		for step := all; len(step) > 0; {
			if err := c.Ctx.Err(); err != nil {
				return nil, sqlerr.New(sqlerr.QueryCanceled, "canceling statement due to user request")
			}
			c.work[cte] = step
			next, err := collect(cte.Recursive)
			if err != nil {
				return nil, err
			}
			step = fresh(next)
			all = append(all, step...)
		}
		delete(c.work, cte)
	}
	if c.cteRows == nil {
		c.cteRows = map[*plan.CTE][][]types.Value{}
	}
	c.cteRows[cte] = all
	return all, nil
}

// rowKey encodes the values of a row for hashing (DISTINCT, GROUP BY, joins).
func rowKey(buf []byte, vals []types.Value) []byte {
	for _, v := range vals {
		buf = v.HashKey(buf)
	}
	return buf
}
