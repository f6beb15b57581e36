package rustydb

import (
	"context"
	"fmt"

	"rustydb/exec"
	"rustydb/plan"
	"rustydb/sql"
	"rustydb/sqlerr"
	"rustydb/types"
)

// cursor is a DECLAREd cursor: a query whose rows FETCH takes in turn. A
// cursor WITHOUT HOLD ends with its transaction; one WITH HOLD outlives the
// commit, its remaining rows computed then (as PostgreSQL does).
type cursor struct {
	cols []Column
	c    *exec.Context // the query's context: its snapshot and transaction
	op   exec.Operator // nil once the rows are held in rows
	rows [][]types.Value
	hold bool
	txn  uint64 // the transaction that declared it
}

// next returns the cursor's next row, or nil at the end.
func (cur *cursor) next(ctx context.Context) ([]types.Value, error) {
	if cur.op == nil {
		if len(cur.rows) == 0 {
			return nil, nil
		}
		r := cur.rows[0]
		cur.rows = cur.rows[1:]
		return r, nil
	}
	cur.c.Ctx = ctx
	return cur.op.Next()
}

func (cur *cursor) close() {
	if cur.op != nil {
		cur.op.Close()
		cur.op = nil
	}
	cur.rows = nil
}

// declare opens a cursor over a query.
func (s *Session) declare(c *exec.Context, st *sql.DeclareStmt, query string, paramTypes []types.T, w ResultWriter) error {
	if !s.explicit && !st.Hold {
		return sqlerr.New(sqlerr.NoActiveSQLTransaction, "DECLARE CURSOR can only be used in transaction blocks")
	}
	if s.cursors[st.Name] != nil {
		return sqlerr.New(sqlerr.DuplicateCursor, "cursor %q already exists", st.Name)
	}
	p, err := s.binder(query, append([]types.T(nil), paramTypes...)).Bind(st.Query)
	if err != nil {
		return err
	}
	q, ok := p.(*plan.Query)
	if !ok {
		return sqlerr.New(sqlerr.FeatureNotSupported, "DECLARE CURSOR supports queries only")
	}
	cc := *c // the cursor outlives the statement's context
	op, err := cc.Build(q.Root)
	if err != nil {
		return err
	}
	if err := op.Init(); err != nil {
		op.Close()
		return err
	}
	if s.cursors == nil {
		s.cursors = map[string]*cursor{}
	}
	s.cursors[st.Name] = &cursor{cols: q.Root.Columns(), c: &cc, op: op, hold: st.Hold, txn: s.tx.ID}
	return w.Complete("DECLARE CURSOR")
}

// fetch runs FETCH or MOVE: up to st.Count rows (all when negative).
func (s *Session) fetch(ctx context.Context, st *sql.FetchStmt, w ResultWriter) error {
	cur := s.cursors[st.Name]
	if cur == nil {
		return sqlerr.New(sqlerr.InvalidCursorName, "cursor %q does not exist", st.Name)
	}
	if !st.Move {
		if err := w.Columns(cur.cols); err != nil {
			return err
		}
	}
	var n int64
	for st.Count < 0 || n < st.Count {
		r, err := cur.next(ctx)
		if err != nil {
			return err
		}
		if r == nil {
			break
		}
		n++
		if !st.Move {
			if err := w.Row(r); err != nil {
				return err
			}
		}
	}
	verb := "FETCH"
	if st.Move {
		verb = "MOVE"
	}
	return w.Complete(fmt.Sprintf("%s %d", verb, n))
}

// closeCursor runs CLOSE name or CLOSE ALL.
func (s *Session) closeCursor(st *sql.CloseStmt, w ResultWriter) error {
	if st.All {
		s.closeCursors(func(*cursor) bool { return true })
		return w.Complete("CLOSE CURSOR ALL")
	}
	cur := s.cursors[st.Name]
	if cur == nil {
		return sqlerr.New(sqlerr.InvalidCursorName, "cursor %q does not exist", st.Name)
	}
	cur.close()
	delete(s.cursors, st.Name)
	return w.Complete("CLOSE CURSOR")
}

// closeCursors closes the cursors that match.
func (s *Session) closeCursors(match func(*cursor) bool) {
	for name, cur := range s.cursors {
		if match(cur) {
			cur.close()
			delete(s.cursors, name)
		}
	}
}

// endCursors settles the cursors when transaction txn ends: WITH HOLD ones
// of a commit compute their remaining rows, the others close.
func (s *Session) endCursors(txn uint64, committed bool) error {
	var err error
	s.closeCursors(func(cur *cursor) bool {
		if !cur.hold || cur.op == nil {
			return !cur.hold
		}
		if !committed {
			return cur.txn == txn
		}
		for err == nil {
			var r []types.Value
			if r, err = cur.next(context.Background()); r == nil {
				break
			}
			cur.rows = append(cur.rows, r)
		}
		cur.op.Close()
		cur.op = nil
		return err != nil
	})
	return err
}
