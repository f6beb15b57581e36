package rustydb

import (
	"fmt"
	"time"

	"rustydb/catalog"
	"rustydb/exec"
	"rustydb/plan"
	"rustydb/sql"
	"rustydb/sqlerr"
	"rustydb/types"
)

// explain answers EXPLAIN [ANALYZE]: the plan of the statement, one text row
// per line. ANALYZE runs the statement (its changes stay, as in
// PostgreSQL) and adds what each operator measured.
func (s *Session) explain(c *exec.Context, st *sql.ExplainStmt, query string, paramTypes []types.T, w ResultWriter) error {
	switch st.Stmt.(type) {
	case *sql.SelectStmt, *sql.InsertStmt, *sql.UpdateStmt, *sql.DeleteStmt, *sql.CreateTableStmt:
	default:
		return sqlerr.New(sqlerr.FeatureNotSupported, "EXPLAIN supports SELECT, INSERT, UPDATE, DELETE and CREATE TABLE AS")
	}
	planStart := time.Now()
	b := s.binder(query, append([]types.T(nil), paramTypes...))
	p, err := b.Bind(st.Stmt)
	if err != nil {
		return err
	}
	planning := time.Since(planStart)
	var annotate func(any) string
	var footer []string
	if st.Analyze {
		c.Analysis = exec.NewAnalysis()
		out := &rowCounter{}
		start := time.Now()
		if err := s.execute(c, p, out); err != nil {
			return err
		}
		elapsed := time.Since(start)
		if _, isQuery := p.(*plan.Query); !isQuery {
			top := c.Analysis.Stats(p)
			top.Loops, top.Rows, top.First, top.Total = 1, out.rows, elapsed, elapsed
		}
		annotate = c.Analysis.Annotation
		footer = []string{
			fmt.Sprintf("Planning Time: %.3f ms", float64(planning.Microseconds())/1000),
			fmt.Sprintf("Execution Time: %.3f ms", float64(elapsed.Microseconds())/1000),
		}
	}
	var segments func(*catalog.Table) (int, int)
	if !c.NoColumnar {
		segments = func(t *catalog.Table) (int, int) {
			if h := s.db.store.Heap(t); h != nil {
				return h.SegmentCount()
			}
			return 0, 0
		}
	}
	lines, err := plan.Explain(p, annotate, segments)
	if err != nil {
		return sqlerr.New(sqlerr.FeatureNotSupported, "%v", err)
	}
	if err := w.Columns([]Column{{Name: "QUERY PLAN", Type: types.TText}}); err != nil {
		return err
	}
	for _, l := range append(lines, footer...) {
		if err := w.Row([]types.Value{types.NewText(l)}); err != nil {
			return err
		}
	}
	return w.Complete("EXPLAIN")
}

// rowCounter is a ResultWriter that counts the rows of a result and drops them.
type rowCounter struct {
	collector
	rows int64
}

func (r *rowCounter) Row([]types.Value) error {
	r.rows++
	return nil
}
