package rustydb

import (
	"context"
	"slices"

	"rustydb/plan"
	"rustydb/sql"
	"rustydb/sqlerr"
	"rustydb/types"
)

// Prepared is a statement parsed and described for the extended query
// protocol: its parameter types and result columns are known before it runs.
type Prepared struct {
	Query      string
	stmt       sql.Statement // nil for an empty query
	ParamTypes []types.T
	Columns    []Column // nil when the statement returns no rows
	cache      planCache
	norm       sql.Normalized  // for the statement statistics
	stat       *statementEntry // norm's, once recorded
	key        planKey         // the session's when it was prepared
	asked      []types.T       // the parameter types the client gave
}

// Empty reports whether the prepared query holds no statement.
func (p *Prepared) Empty() bool { return p.stmt == nil }

// Streams reports whether the statement's result is rows and a command tag
// only (a query or DML), which a protocol can send as they come.
func (p *Prepared) Streams() bool { return queryOrDML(p.stmt) }

// queryOrDML reports whether stmt is a SELECT, INSERT, UPDATE or DELETE.
func queryOrDML(stmt sql.Statement) bool {
	switch stmt.(type) {
	case *sql.SelectStmt, *sql.InsertStmt, *sql.UpdateStmt, *sql.DeleteStmt:
		return true
	}
	return false
}

// Prepare parses one statement and infers the types of its $n parameters
// (paramTypes gives those the client specified; Unknown entries are inferred,
// and parameters nothing constrains become text, as in PostgreSQL).
func (s *Session) Prepare(query string, paramTypes []types.T) (*Prepared, error) {
	stmts, err := sql.Parse(query)
	if err != nil {
		return nil, err
	}
	if len(stmts) > 1 {
		return nil, sqlerr.New(sqlerr.SyntaxError, "cannot insert multiple commands into a prepared statement")
	}
	p := &Prepared{Query: query, ParamTypes: slices.Clone(paramTypes), norm: sql.Normalize(query), key: s.planKey(),
		asked: slices.Clone(paramTypes)}
	if len(stmts) == 0 {
		return p, nil
	}
	p.stmt = stmts[0]
	switch st := p.stmt.(type) {
	case *sql.SelectStmt, *sql.InsertStmt, *sql.UpdateStmt, *sql.DeleteStmt:
		b := s.binder(query, p.ParamTypes)
		pl, err := b.Bind(st)
		if err != nil {
			return nil, err
		}
		p.ParamTypes = b.ParamTypes
		// The first execution runs this plan unless a parameter's type
		// was left to default to text, which would bind differently.
		if cacheable(pl) && !slices.ContainsFunc(p.ParamTypes, func(t types.T) bool { return t.ID == types.Unknown }) {
			p.cache = planCache{plan: pl, key: p.key}
		}
		switch pl := pl.(type) {
		case *plan.Query:
			p.Columns = pl.Root.Columns()
		case *plan.Insert:
			p.Columns = pl.RetCols
		case *plan.Update:
			p.Columns = pl.RetCols
		case *plan.Delete:
			p.Columns = pl.RetCols
		}
	case *sql.ExplainStmt:
		p.Columns = []Column{{Name: "QUERY PLAN", Type: types.TText}}
	case *sql.FetchStmt:
		if cur := s.cursors[st.Name]; cur != nil && !st.Move {
			p.Columns = cur.cols
		}
	case *sql.ShowStmt:
		p.Columns = showColumns(st.Name)
	case *sql.ExecuteStmt:
		if sp := s.sqlPrepared[st.Name]; sp != nil {
			p.Columns = sp.Columns
		}
	}
	for i, t := range p.ParamTypes {
		if t.ID == types.Unknown {
			p.ParamTypes[i] = types.TText
		}
	}
	return p, nil
}

// ExecutePrepared runs a prepared statement with bound parameters. Without
// BEGIN, statements run in an implicit transaction that Sync ends.
func (s *Session) ExecutePrepared(ctx context.Context, p *Prepared, params []types.Value, w ResultWriter) error {
	if p.stmt == nil {
		return nil
	}
	if len(params) != len(p.ParamTypes) {
		return sqlerr.New(sqlerr.ProtocolViolation, "bind message supplies %d parameters, but prepared statement requires %d", len(params), len(p.ParamTypes))
	}
	if s.Terminated() {
		return ErrTerminated
	}
	defer func() {
		if s.tx == nil || s.explicit { // else the Sync that ends the implicit transaction records the state
			s.idleAt(s.stmtEnd)
		}
	}()
	err := s.measure(p.stmt, p.Query, p.norm, &p.stat, w, func(w ResultWriter) error {
		return s.runOne(ctx, p.stmt, p.Query, params, p.ParamTypes, &p.cache, w)
	})
	if err != nil {
		s.fail()
	}
	return err
}

// Sync ends the extended protocol's implicit transaction: committed when
// the messages since the last Sync succeeded, rolled back when one failed.
func (s *Session) Sync(failed bool) error {
	if s.tx == nil || s.explicit {
		return nil // the statements' ends recorded the state
	}
	defer s.idleAt(s.stmtEnd) // idle since the last statement ended
	if failed {
		s.rollback()
		return nil
	}
	return s.commit()
}
