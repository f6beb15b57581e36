package rustydb

import (
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"

	"rustydb/catalog"
	"rustydb/exec"
	"rustydb/plan"
	"rustydb/sql"
	"rustydb/sqlerr"
	"rustydb/types"
)

// tables looks up named tables, or returns all tables when names is empty.
func (s *Session) tables(names []sql.ObjectName) ([]*catalog.Table, error) {
	cat := s.db.store.Catalog()
	if len(names) == 0 {
		return cat.Tables(), nil
	}
	out := make([]*catalog.Table, len(names))
	for i, name := range names {
		t, err := s.relation(name)
		if err != nil {
			return nil, err
		}
		out[i] = t
	}
	return out, nil
}

// truncate deletes every row of the tables in the current transaction, so it
// rolls back like any delete. A table that another table's foreign key
// refers to is emptied only together with that table, which CASCADE adds;
// the foreign keys' ON DELETE actions do not run. RESTART IDENTITY resets
// the sequences of the tables' serial and identity columns, which (like
// nextval) a rollback does not undo.
func (s *Session) truncate(c *exec.Context, st *sql.TruncateStmt, w ResultWriter) error {
	tables, err := s.tables(st.Names)
	if err != nil {
		return err
	}
	cat := s.db.store.Catalog()
	listed := map[uint32]bool{}
	for _, t := range tables {
		if t.IsView() || t.IsSequence() {
			return sqlerr.New(sqlerr.WrongObjectType, "%q is not a table", t.Name)
		}
		listed[t.ID] = true
	}
	for i := 0; i < len(tables); i++ { // tables grows as CASCADE adds to it
		children := cat.Referencing(tables[i].ID)
		slices.SortFunc(children, func(a, b *catalog.Table) int { return strings.Compare(a.Name, b.Name) })
		for _, child := range children {
			if listed[child.ID] {
				continue
			}
			if !st.Cascade {
				return sqlerr.New(sqlerr.FeatureNotSupported, "cannot truncate a table referenced in a foreign key constraint").
					WithDetail("Table %q references %q.", child.Name, tables[i].Name).
					WithHint("Truncate table %q at the same time, or use TRUNCATE ... CASCADE.", child.Name)
			}
			w.Notice(Notice{Severity: "NOTICE", Code: "00000", Message: fmt.Sprintf("truncate cascades to table %q", child.Name)})
			listed[child.ID] = true
			tables = append(tables, child)
		}
	}
	for _, t := range tables { // CASCADE's tables included, as in PostgreSQL
		if err := s.require(t, catalog.PrivTruncate); err != nil {
			return err
		}
	}
	for _, t := range tables {
		if err := c.Truncate(t); err != nil {
			return err
		}
	}
	if st.RestartIdentity {
		for _, seq := range cat.Tables() {
			if seq.IsSequence() && listed[seq.Sequence.OwnedBy] {
				if err := s.db.store.SetVal(seq, seq.Sequence.Start, false); err != nil {
					return err
				}
			}
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
			segments := 0
			if h := s.db.store.Heap(t); h != nil {
				if segments, err = s.db.store.ColumnizeTable(h); err != nil {
					return err
				}
			}
			s.db.logger.Debug("vacuum", "table", t.Name, "removed_versions", removed, "new_segments", segments)
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

// alterTable runs one ALTER TABLE action in the session's transaction.
// Adding a constraint checks the existing rows; adding or dropping a column
// rewrites them.
func (s *Session) alterTable(c *exec.Context, st *sql.AlterTableStmt, w ResultWriter) error {
	cat := s.db.store.Catalog()
	a := st.Action
	tag := "ALTER " + strings.ToUpper(st.Object)
	t, err := s.relation(st.Table)
	switch {
	case err != nil:
	case a.SetSchema == "" && !a.SetOwner && t.Kind() != "table":
		err = sqlerr.New(sqlerr.UndefinedTable, "relation %q does not exist", st.Table.String())
	case st.Object != "table" && t.Kind() != st.Object:
		err = sqlerr.New(sqlerr.WrongObjectType, "%q is not a %s", t.Name, st.Object)
	}
	if err != nil {
		if code := sqlerr.Code(err); st.IfExists && (code == sqlerr.UndefinedTable || code == sqlerr.InvalidSchemaName) {
			// PostgreSQL names the relation without its schema here.
			skipping(w, sqlerr.New(sqlerr.UndefinedTable, "relation %q does not exist", st.Table.Name))
			return w.Complete(tag)
		}
		return err
	}
	if err := s.requireOwner(t); err != nil {
		return err
	}
	def := cloneTable(t)
	b := s.binder("", nil)
	column := func(name string) (int, error) {
		i := t.ColumnIndex(name)
		if i < 0 {
			return 0, sqlerr.New(sqlerr.UndefinedColumn, "column %q of relation %q does not exist", name, t.Name)
		}
		return i, nil
	}
	switch {
	case a.AddKey != nil:
		var cols []int
		for _, name := range a.AddKey.Columns {
			i, err := column(name)
			if err != nil {
				return err
			}
			cols = append(cols, i)
		}
		if a.AddKey.PrimaryKey {
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
		err = s.tx.AlterTable(t, def)
	case a.AddCheck != nil:
		if err = b.AddCheck(def, *a.AddCheck, ""); err == nil {
			err = s.alterChecked(c, t, def)
		}
	case a.AddForeignKey != nil:
		if err = b.AddForeignKey(def, *a.AddForeignKey); err == nil {
			err = s.alterChecked(c, t, def)
		}
	case a.AddColumn != nil:
		err = s.addColumn(c, b, t, def, a)
	case a.DropColumn != "":
		if err = s.dropColumn(c, t, def, a); a.DropIfExists && sqlerr.Code(err) == sqlerr.UndefinedColumn {
			skipping(w, err)
			err = nil
		}
	case a.DropConstraint != "":
		if !dropConstraint(def, a.DropConstraint) {
			err := sqlerr.New(sqlerr.UndefinedObject, "constraint %q of relation %q does not exist", a.DropConstraint, t.Name)
			if !a.DropIfExists {
				return err
			}
			skipping(w, err)
			return w.Complete("ALTER TABLE")
		}
		err = s.tx.AlterTable(t, def)
	case a.SetSchema != "":
		err = s.setSchema(t, a.SetSchema)
	case a.SetOwner:
		err = s.setOwner(t, a.OwnerTo)
	case a.RenameTo != "":
		if cat.Lookup(t.Schema, a.RenameTo) != nil {
			return sqlerr.New(sqlerr.DuplicateTable, "relation %q already exists", a.RenameTo)
		}
		def.Name = a.RenameTo
		err = s.tx.AlterTable(t, def)
	case a.RenameColumn[0] != "":
		err = s.renameColumn(t, def, a.RenameColumn[0], a.RenameColumn[1])
	case a.AlterColumn != nil:
		ac := a.AlterColumn
		i, err := column(ac.Column)
		if err != nil {
			return err
		}
		col := &def.Columns[i]
		switch {
		case ac.SetNotNull:
			col.NotNull = true
			err = s.alterChecked(c, t, def)
		case ac.DropNotNull:
			if slices.Contains(t.PrimaryKey, i) {
				return sqlerr.New(sqlerr.InvalidTableDefinition, "column %q is in a primary key", col.Name)
			}
			col.NotNull = false
			err = s.tx.AlterTable(t, def)
		case ac.SetDefault != nil:
			col.Default = ac.SetDefaultText
			if _, err = b.DefaultExpr(*col); err == nil {
				err = s.tx.AlterTable(t, def)
			}
		case ac.DropDefault:
			col.Default = ""
			err = s.tx.AlterTable(t, def)
		}
		if err != nil {
			return err
		}
	}
	if err != nil {
		return err
	}
	return w.Complete(tag)
}

// cloneTable copies t's definition deeply enough to change it.
func cloneTable(t *catalog.Table) *catalog.Table {
	def := *t
	def.Columns = slices.Clone(t.Columns)
	def.PrimaryKey = slices.Clone(t.PrimaryKey)
	def.Unique = slices.Clone(t.Unique)
	def.Indexes = slices.Clone(t.Indexes)
	def.Checks = slices.Clone(t.Checks)
	def.ForeignKeys = slices.Clone(t.ForeignKeys)
	return &def
}

// alterChecked installs def, a definition with a new constraint, after
// checking every existing row against it.
func (s *Session) alterChecked(c *exec.Context, t, def *catalog.Table) error {
	if err := s.tx.AlterTable(t, def); err != nil {
		return err
	}
	return c.RewriteRows(def, nil)
}

// addColumn adds a column and rewrites the rows with its default.
func (s *Session) addColumn(c *exec.Context, b *plan.Binder, t, def *catalog.Table, a sql.AlterAction) error {
	cd := *a.AddColumn
	if t.ColumnIndex(cd.Name) >= 0 {
		if a.AddColumnIfAbsent {
			return nil
		}
		return sqlerr.New(sqlerr.DuplicateColumn, "column %q of relation %q already exists", cd.Name, t.Name)
	}
	if cd.Serial || cd.Identity != "" {
		return sqlerr.New(sqlerr.FeatureNotSupported, "adding a serial or identity column is not supported; add an integer column and a sequence")
	}
	col := catalog.Column{Name: cd.Name, Type: cd.Type, NotNull: cd.NotNull || cd.PrimaryKey}
	if cd.Default != nil {
		col.Default = cd.DefaultText
		if _, err := b.DefaultExpr(col); err != nil {
			return err
		}
	}
	i := len(def.Columns)
	def.Columns = append(def.Columns, col)
	if cd.PrimaryKey {
		if len(t.PrimaryKey) > 0 {
			return sqlerr.New(sqlerr.InvalidTableDefinition, "multiple primary keys for table %q are not allowed", t.Name)
		}
		def.PrimaryKey = []int{i}
	}
	if cd.Unique {
		def.Unique = append(def.Unique, []int{i})
	}
	for _, ck := range cd.Checks {
		if err := b.AddCheck(def, ck, cd.Name); err != nil {
			return err
		}
	}
	if cd.References != nil {
		fk := *cd.References
		fk.Columns = []string{cd.Name}
		if err := b.AddForeignKey(def, fk); err != nil {
			return err
		}
	}
	if err := s.tx.AlterTable(t, def); err != nil {
		return err
	}
	return c.RewriteRows(def, func(old []types.Value) ([]types.Value, error) {
		v, err := c.ColumnDefault(col)
		return append(slices.Clone(old[:min(len(old), i)]), v), err
	})
}

// dropColumn removes a column no index, key or constraint uses and
// rewrites the rows without it.
func (s *Session) dropColumn(c *exec.Context, t, def *catalog.Table, a sql.AlterAction) error {
	i := t.ColumnIndex(a.DropColumn)
	if i < 0 {
		return sqlerr.New(sqlerr.UndefinedColumn, "column %q of relation %q does not exist", a.DropColumn, t.Name)
	}
	if len(t.Columns) == 1 {
		return sqlerr.New(sqlerr.FeatureNotSupported, "cannot drop the only column of table %q", t.Name)
	}
	uses := func(cols []int) bool { return slices.Contains(cols, i) }
	var users []string
	for k, cols := range t.IndexKeys() {
		if uses(cols) {
			users = append(users, t.IndexNames()[k])
		}
	}
	for _, fk := range t.ForeignKeys {
		if uses(fk.Columns) {
			users = append(users, fk.Name)
		}
	}
	for _, ck := range t.Checks {
		if sql.MentionsIdent(ck.Expr, a.DropColumn) {
			users = append(users, ck.Name)
		}
	}
	for _, child := range s.db.store.Catalog().Referencing(t.ID) {
		for _, fk := range child.ForeignKeys {
			if fk.RefTable == t.ID && uses(fk.RefColumns) {
				users = append(users, fk.Name+" on table "+child.Name)
			}
		}
	}
	if len(users) > 0 {
		return sqlerr.New(sqlerr.DependentObjectsStillExist, "cannot drop column %q of table %q because other objects depend on it", a.DropColumn, t.Name).
			WithDetail("%s depend on it.", strings.Join(users, ", ")).WithHint("Drop those first.")
	}
	def.Columns = slices.Delete(def.Columns, i, i+1)
	shift := func(cols []int) []int {
		out := slices.Clone(cols)
		for k, c := range out {
			if c > i {
				out[k] = c - 1
			}
		}
		return out
	}
	def.PrimaryKey = shift(def.PrimaryKey)
	for k := range def.Unique {
		def.Unique[k] = shift(def.Unique[k])
	}
	for k := range def.Indexes {
		def.Indexes[k].Columns = shift(def.Indexes[k].Columns)
	}
	for k := range def.ForeignKeys {
		def.ForeignKeys[k].Columns = shift(def.ForeignKeys[k].Columns)
		if def.ForeignKeys[k].RefTable == t.ID {
			def.ForeignKeys[k].RefColumns = shift(def.ForeignKeys[k].RefColumns)
		}
	}
	if err := s.tx.AlterTable(t, def); err != nil {
		return err
	}
	for _, child := range s.db.store.Catalog().Referencing(t.ID) {
		if child.ID == t.ID {
			continue
		}
		cdef := cloneTable(child)
		for k := range cdef.ForeignKeys {
			if cdef.ForeignKeys[k].RefTable == t.ID {
				cdef.ForeignKeys[k].RefColumns = shift(cdef.ForeignKeys[k].RefColumns)
			}
		}
		if err := s.tx.AlterTable(child, cdef); err != nil {
			return err
		}
	}
	return c.RewriteRows(def, func(old []types.Value) ([]types.Value, error) {
		return slices.Delete(slices.Clone(old), i, min(i+1, len(old))), nil
	})
}

// renameColumn renames a column and the references to it in CHECK
// constraints.
func (s *Session) renameColumn(t, def *catalog.Table, from, to string) error {
	i := t.ColumnIndex(from)
	if i < 0 {
		return sqlerr.New(sqlerr.UndefinedColumn, "column %q does not exist", from)
	}
	if t.ColumnIndex(to) >= 0 {
		return sqlerr.New(sqlerr.DuplicateColumn, "column %q of relation %q already exists", to, t.Name)
	}
	def.Columns[i].Name = to
	for k, ck := range def.Checks {
		expr, err := sql.RenameIdent(ck.Expr, from, to)
		if err != nil {
			return err
		}
		def.Checks[k].Expr = expr
	}
	return s.tx.AlterTable(t, def)
}

// dropConstraint removes the named key, check or foreign key from def.
func dropConstraint(def *catalog.Table, name string) bool {
	pk := 0 // IndexNames lists the primary key, then UNIQUE constraints
	if len(def.PrimaryKey) > 0 {
		pk = 1
	}
	if k := slices.Index(def.IndexNames(), name); k >= 0 && k < pk+len(def.Unique) {
		if k < pk {
			def.PrimaryKey = nil
		} else {
			def.Unique = slices.Delete(def.Unique, k-pk, k-pk+1)
		}
		return true
	}
	if k := slices.IndexFunc(def.Checks, func(c catalog.Check) bool { return c.Name == name }); k >= 0 {
		def.Checks = slices.Delete(def.Checks, k, k+1)
		return true
	}
	if k := slices.IndexFunc(def.ForeignKeys, func(f catalog.ForeignKey) bool { return f.Name == name }); k >= 0 {
		def.ForeignKeys = slices.Delete(def.ForeignKeys, k, k+1)
		return true
	}
	return false
}

// copy runs COPY: FROM STDIN and TO STDOUT through the client connection,
// FROM and TO a server file (copyfile.go), of a table's columns or, TO
// only, of a query's rows.
func (s *Session) copy(c *exec.Context, st *sql.CopyStmt, query string, paramTypes []types.T, w ResultWriter) error {
	if st.IsFile {
		if err := s.checkServerFiles(st.From); err != nil {
			return err
		}
	}
	var t *catalog.Table
	var cols []int
	var q *plan.Query
	if st.Query != nil {
		p, err := s.binder(query, append([]types.T(nil), paramTypes...)).Bind(st.Query)
		if err != nil {
			return err
		}
		var ok bool
		if q, ok = p.(*plan.Query); !ok {
			return sqlerr.New(sqlerr.FeatureNotSupported, "COPY (query) supports SELECT, VALUES and WITH queries only")
		}
	} else {
		var err error
		if t, err = s.relation(st.Table); err != nil {
			return err
		}
		dir := "from"
		if st.From {
			dir = "to"
		}
		switch {
		case t.IsView() && st.From:
			return sqlerr.New(sqlerr.WrongObjectType, "cannot copy to view %q", t.Name)
		case t.IsView():
			return sqlerr.New(sqlerr.WrongObjectType, "cannot copy from view %q", t.Name).
				WithHint("Try the COPY (SELECT ...) TO variant.")
		case t.IsSequence():
			return sqlerr.New(sqlerr.WrongObjectType, "cannot copy %s sequence %q", dir, t.Name)
		}
		need := catalog.PrivSelect
		if st.From {
			need = catalog.PrivInsert
		}
		if err := s.require(t, need); err != nil {
			return err
		}
		cols = make([]int, 0, len(t.Columns))
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
	}
	if strings.EqualFold(st.Options["format"], "parquet") {
		return s.copyParquet(c, st, t, cols, q, w) // parquet.go
	}
	format, err := exec.ParseCopyOptions(st.Options)
	if err != nil {
		return err
	}
	if st.From {
		return s.copyFrom(c, t, cols, st, format, w)
	}
	if err := checkCopyTo(st); err != nil {
		return err
	}
	var n int64
	if st.IsFile && !filepath.IsAbs(st.File) {
		return sqlerr.New(sqlerr.InvalidName, "relative path not allowed for COPY to file")
	}
	var op exec.Operator
	ncols := len(cols)
	if q != nil {
		if op, err = c.Build(q.Root); err != nil {
			return err
		}
		ncols = len(q.Root.Columns())
	}
	var out io.Writer
	var file *copyFileWriter
	if st.IsFile {
		file, err = createCopyFile(st.File)
		out = file
	} else {
		out, err = w.CopyOut(ncols, format.CSV)
	}
	var fw formatWriter
	if err == nil && format.Other != nil {
		names, typs := copyColumns(t, cols, q)
		if fw, err = s.newFormatWriter(st, format, out, names, typs); err == nil {
			format.Writer = fw.Row
		} else if file != nil {
			file.Close()
		}
	}
	if err != nil {
		if op != nil {
			op.Close()
		}
		return err
	}
	if q != nil {
		n, err = c.CopyQuery(op, q.Root.Columns(), out, format)
	} else {
		n, err = c.CopyTo(t, cols, out, format)
	}
	if fw != nil {
		if ferr := fw.Close(); err == nil {
			err = ferr
		}
	}
	if file != nil {
		if cerr := file.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		return err
	}
	return w.Complete(fmt.Sprintf("COPY %d", n))
}

// createIndex adds a B+tree index to a table (checking uniqueness for UNIQUE).
func (s *Session) createIndex(st *sql.CreateIndexStmt, w ResultWriter) error {
	cat := s.db.store.Catalog()
	t, err := s.relation(st.Table)
	if err != nil {
		return err
	}
	if t.IsView() || t.IsSequence() {
		return sqlerr.New(sqlerr.WrongObjectType, "cannot create index on %q: it is not a table", t.Name)
	}
	if err := s.requireOwner(t); err != nil {
		return err
	}
	ix := catalog.Index{Name: st.Name, Unique: st.Unique}
	for _, name := range st.Columns {
		i := t.ColumnIndex(name)
		if i < 0 {
			return sqlerr.New(sqlerr.UndefinedColumn, "column %q does not exist", name)
		}
		if err := plan.Indexable(t.Columns[i].Type); err != nil {
			return err
		}
		ix.Columns = append(ix.Columns, i)
	}
	if ix.Name == "" { // PostgreSQL's naming: table_col1_col2_idx, made unique
		base := t.Name + "_" + strings.Join(st.Columns, "_") + "_idx"
		ix.Name = base
		for n := 1; cat.Lookup(t.Schema, ix.Name) != nil || cat.IndexOwner(t.Schema, ix.Name) != nil; n++ {
			ix.Name = fmt.Sprintf("%s%d", base, n)
		}
	}
	if cat.Lookup(t.Schema, ix.Name) != nil || cat.IndexOwner(t.Schema, ix.Name) != nil {
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
		t, err := cat.ResolveIndex(name.Schema, name.Name, s.searchPath())
		if err != nil {
			if st.IfExists {
				skipping(w, err)
				continue
			}
			return err
		}
		if !slices.ContainsFunc(t.Indexes, func(ix catalog.Index) bool { return ix.Name == name.Name }) {
			return sqlerr.New(sqlerr.DependentObjectsStillExist, "cannot drop index %s because constraint %s on table %s requires it", name.Name, name.Name, t.Name).
				WithHint("You can drop constraint %s on table %s instead.", name.Name, t.Name)
		}
		if s.requireOwner(t) != nil {
			return sqlerr.New(sqlerr.InsufficientPrivilege, "must be owner of index %s", name.Name)
		}
		def := *t
		def.Indexes = slices.DeleteFunc(slices.Clone(t.Indexes), func(ix catalog.Index) bool { return ix.Name == name.Name })
		if err := s.tx.AlterTable(t, &def); err != nil {
			return err
		}
	}
	return w.Complete("DROP INDEX")
}

// skipping turns the error of a missing object into the notice of IF
// EXISTS, which in PostgreSQL carries no SQLSTATE of its own.
func skipping(w ResultWriter, err error) {
	w.Notice(Notice{Severity: "NOTICE", Code: "00000", Message: sqlerr.From(err).Message + ", skipping"})
}
