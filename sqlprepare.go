package rustydb

import (
	"context"

	"rustydb/sql"
	"rustydb/sqlerr"
	"rustydb/types"
)

// prepareSQL is SQL's PREPARE name [(types)] AS statement: the statement is
// parsed and bound now and runs with EXECUTE, as a protocol-level prepared
// statement does (the two kinds have separate names here).
func (s *Session) prepareSQL(st *sql.PrepareStmt, w ResultWriter) error {
	if _, ok := s.sqlPrepared[st.Name]; ok {
		return sqlerr.New("42P05", "prepared statement %q already exists", st.Name)
	}
	p, err := s.Prepare(st.Query, st.Types)
	if err != nil {
		return err
	}
	if s.sqlPrepared == nil {
		s.sqlPrepared = map[string]*Prepared{}
	}
	s.sqlPrepared[st.Name] = p
	return w.Complete("PREPARE")
}

// executeSQL is EXECUTE name [(args)]: the arguments are computed as a
// SELECT of them would, then the prepared statement runs with them.
func (s *Session) executeSQL(ctx context.Context, st *sql.ExecuteStmt, w ResultWriter) error {
	p := s.sqlPrepared[st.Name]
	if p == nil {
		return sqlerr.New(sqlerr.InvalidSQLStatementName, "prepared statement %q does not exist", st.Name)
	}
	if len(st.Args) != len(p.ParamTypes) {
		return sqlerr.New(sqlerr.SyntaxError, "wrong number of parameters for prepared statement %q", st.Name).
			WithDetail("Expected %d parameters but got %d.", len(p.ParamTypes), len(st.Args))
	}
	var params []types.Value
	if len(st.Args) > 0 {
		sel := &sql.SelectStmt{}
		for _, a := range st.Args {
			sel.Targets = append(sel.Targets, sql.SelectItem{Expr: a})
		}
		var c collector
		if err := s.runOne(ctx, sel, "", nil, nil, nil, &c); err != nil {
			return err
		}
		params = c.rows.rows[0]
	}
	if p.stmt == nil {
		return w.Complete("")
	}
	return s.runOne(ctx, p.stmt, p.Query, params, p.ParamTypes, &p.cache, w)
}

// deallocateSQL is DEALLOCATE [PREPARE] name | ALL.
func (s *Session) deallocateSQL(st *sql.DeallocateStmt, w ResultWriter) error {
	if st.All {
		s.sqlPrepared = nil
		return w.Complete("DEALLOCATE ALL")
	}
	if _, ok := s.sqlPrepared[st.Name]; !ok {
		return sqlerr.New(sqlerr.InvalidSQLStatementName, "prepared statement %q does not exist", st.Name)
	}
	delete(s.sqlPrepared, st.Name)
	return w.Complete("DEALLOCATE")
}
