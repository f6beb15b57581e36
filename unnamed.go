package rustydb

import (
	"slices"

	"rustydb/sql"
	"rustydb/types"
)

// The extended protocol's unnamed statement. Clients such as pgbench -M
// extended and most drivers' one-off queries send Parse with the same text
// before every Bind/Execute of the unnamed statement; parsing, binding and
// describing it each time would cost more than running a point query. The
// session keeps its recent unnamed statements, with their plans, and
// reuses one whose text and requested parameter types match while its
// planKey (catalog version, search path, role) still holds, just as a
// named statement's plan is kept.

// maxUnnamed bounds the statements kept; past it the cache starts again.
const maxUnnamed = 64

// PrepareUnnamed is Prepare for the unnamed statement: a statement the
// session prepared before with this text and these parameter types, and
// that would be prepared the same way now, is returned again.
func (s *Session) PrepareUnnamed(query string, paramTypes []types.T) (*Prepared, error) {
	key := s.planKey()
	for _, p := range s.unnamed[query] {
		if p.key == key && slices.Equal(p.asked, paramTypes) {
			return p, nil
		}
	}
	p, err := s.Prepare(query, paramTypes)
	if err != nil || !reusable(p.stmt) {
		return p, err
	}
	if s.unnamed == nil || len(s.unnamed) >= maxUnnamed {
		s.unnamed = map[string][]*Prepared{}
	}
	kept := slices.DeleteFunc(s.unnamed[query], func(old *Prepared) bool { return old.key != key })
	s.unnamed[query] = append(kept, p)
	return p, nil
}

// reusable reports whether a prepared statement's description depends
// only on its planKey: not FETCH's (the cursor), SHOW's or EXECUTE's.
func reusable(stmt sql.Statement) bool {
	_, tx := stmt.(*sql.TransactionStmt)
	return stmt == nil || tx || queryOrDML(stmt)
}
