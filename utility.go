package rustydb

import (
	"fmt"
	"slices"
	"strings"

	"rustydb/catalog"
	"rustydb/exec"
	"rustydb/plan"
	"rustydb/sql"
	"rustydb/sqlerr"
)

// tables looks up named tables, or returns all tables when names is empty.
func (s *Session) tables(names []string) ([]*catalog.Table, error) {
	cat := s.db.store.Catalog()
	if len(names) == 0 {
		return cat.Tables(), nil
	}
	out := make([]*catalog.Table, len(names))
	for i, name := range names {
		t, err := cat.Table(name)
		if err != nil {
			return nil, err
		}
		out[i] = t
	}
	return out, nil
}

// truncate deletes every row of the tables in the current transaction, so it
// rolls back like any delete.
func (s *Session) truncate(c *exec.Context, st *sql.TruncateStmt, w ResultWriter) error {
	tables, err := s.tables(st.Names)
	if err != nil {
		return err
	}
	for _, t := range tables {
		if _, err := c.Delete(&plan.Delete{Table: t}, nil); err != nil {
			return err
		}
	}
	return w.Complete("TRUNCATE TABLE")
}

// vacuum reclaims dead row versions (VACUUM) and measures the rows (ANALYZE).
func (s *Session) vacuum(st *sql.VacuumStmt, w ResultWriter) error {
	if st.Vacuum && s.explicit {
		return sqlerr.New(sqlerr.ActiveSQLTransaction, "VACUUM cannot run inside a transaction block")
	}
	tables, err := s.tables(st.Tables)
	if err != nil {
		return err
	}
	snap := s.db.store.Txns().Snapshot(nil)
	for _, t := range tables {
		if st.Vacuum {
			removed := s.db.store.Vacuum(t)
			s.db.logger.Debug("vacuum", "table", t.Name, "removed_versions", removed)
		}
		if st.Analyze {
			if h := s.db.store.Heap(t); h != nil {
				if _, err := h.Analyze(&snap); err != nil {
					return err
				}
			}
		}
	}
	if st.Vacuum {
		return w.Complete("VACUUM")
	}
	return w.Complete("ANALYZE")
}

// alterTable adds a primary key or unique constraint, checking existing rows.
func (s *Session) alterTable(st *sql.AlterTableStmt, w ResultWriter) error {
	t, err := s.db.store.Catalog().Table(st.Table)
	if err != nil {
		return err
	}
	def := *t
	def.Columns = slices.Clone(t.Columns)
	def.Unique = slices.Clone(t.Unique)
	var cols []int
	for _, name := range st.Columns {
		i := t.ColumnIndex(name)
		if i < 0 {
			return sqlerr.New(sqlerr.UndefinedColumn, "column %q named in key does not exist", name)
		}
		cols = append(cols, i)
	}
	if st.PrimaryKey {
		if len(t.PrimaryKey) > 0 {
			return sqlerr.New(sqlerr.InvalidTableDefinition, "multiple primary keys for table %q are not allowed", t.Name)
		}
		def.PrimaryKey = cols
		for _, c := range cols {
			def.Columns[c].NotNull = true
		}
	} else {
		def.Unique = append(def.Unique, cols)
	}
	if err := s.tx.AlterTable(t, &def); err != nil {
		return err
	}
	return w.Complete("ALTER TABLE")
}

// copy runs COPY FROM STDIN or COPY TO STDOUT through the client connection.
func (s *Session) copy(c *exec.Context, st *sql.CopyStmt, w ResultWriter) error {
	t, err := s.db.store.Catalog().Table(st.Table)
	if err != nil {
		return err
	}
	cols := make([]int, 0, len(t.Columns))
	if len(st.Columns) == 0 {
		for i := range t.Columns {
			cols = append(cols, i)
		}
	}
	for _, name := range st.Columns {
		i := t.ColumnIndex(name)
		if i < 0 {
			return sqlerr.New(sqlerr.UndefinedColumn, "column %q of relation %q does not exist", name, t.Name)
		}
		cols = append(cols, i)
	}
	format, err := exec.ParseCopyOptions(st.Options)
	if err != nil {
		return err
	}
	var n int64
	if st.From {
		r, err := w.CopyIn(len(cols), format.CSV)
		if err != nil {
			return err
		}
		if n, err = c.CopyFrom(t, cols, r, format); err != nil {
			return err
		}
	} else {
		out, err := w.CopyOut(len(cols), format.CSV)
		if err != nil {
			return err
		}
		if n, err = c.CopyTo(t, cols, out, format); err != nil {
			return err
		}
	}
	return w.Complete(fmt.Sprintf("COPY %d", n))
}

// createIndex adds a hash index to a table (checking uniqueness for UNIQUE).
func (s *Session) createIndex(st *sql.CreateIndexStmt, w ResultWriter) error {
	cat := s.db.store.Catalog()
	t, err := cat.Table(st.Table)
	if err != nil {
		return err
	}
	if t.IsView() || t.IsSequence() {
		return sqlerr.New(sqlerr.WrongObjectType, "cannot create index on %q: it is not a table", t.Name)
	}
	ix := catalog.Index{Name: st.Name, Unique: st.Unique}
	for _, name := range st.Columns {
		i := t.ColumnIndex(name)
		if i < 0 {
			return sqlerr.New(sqlerr.UndefinedColumn, "column %q does not exist", name)
		}
		ix.Columns = append(ix.Columns, i)
	}
	if ix.Name == "" { // PostgreSQL's naming: table_col1_col2_idx, made unique
		base := t.Name + "_" + strings.Join(st.Columns, "_") + "_idx"
		ix.Name = base
		for n := 1; cat.Lookup(ix.Name) != nil || cat.IndexOwner(ix.Name) != nil; n++ {
			ix.Name = fmt.Sprintf("%s%d", base, n)
		}
	}
	if cat.Lookup(ix.Name) != nil || cat.IndexOwner(ix.Name) != nil {
		if st.IfNotExists {
			w.Notice(Notice{Severity: "NOTICE", Code: sqlerr.DuplicateTable, Message: fmt.Sprintf("relation %q already exists, skipping", ix.Name)})
			return w.Complete("CREATE INDEX")
		}
		return sqlerr.New(sqlerr.DuplicateTable, "relation %q already exists", ix.Name)
	}
	def := *t
	def.Indexes = append(slices.Clone(t.Indexes), ix)
	if err := s.tx.AlterTable(t, &def); err != nil {
		return err
	}
	return w.Complete("CREATE INDEX")
}

// dropIndex removes indexes by name.
func (s *Session) dropIndex(st *sql.DropIndexStmt, w ResultWriter) error {
	cat := s.db.store.Catalog()
	for _, name := range st.Names {
		t := cat.IndexOwner(name)
		if t == nil {
			if st.IfExists {
				w.Notice(Notice{Severity: "NOTICE", Code: sqlerr.UndefinedObject, Message: fmt.Sprintf("index %q does not exist, skipping", name)})
				continue
			}
			return sqlerr.New(sqlerr.UndefinedObject, "index %q does not exist", name)
		}
		def := *t
		def.Indexes = slices.DeleteFunc(slices.Clone(t.Indexes), func(ix catalog.Index) bool { return ix.Name == name })
		if err := s.tx.AlterTable(t, &def); err != nil {
			return err
		}
	}
	return w.Complete("DROP INDEX")
}
