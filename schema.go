package rustydb

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"rustydb/catalog"
	"rustydb/plan"
	"rustydb/sql"
	"rustydb/sqlerr"
)

// Schemas are catalog entries (catalog.Table with a Namespace), so CREATE,
// DROP and ALTER SCHEMA go through the transaction's CreateTable,
// DropTable and AlterTable like any DDL: they roll back, and they are
// logged and checkpointed with the tables.

// searchPath returns the session's search_path as schema names, with
// "$user" replaced by the current role's name.
func (s *Session) searchPath() []string {
	value, role := s.settings["search_path"], s.currentRole()
	if c := &s.pathCache; c.value == value && c.role == role && c.path != nil {
		return c.path
	}
	path := parseSearchPath(value)
	for i, name := range path {
		if name == "$user" {
			path[i] = role
		}
	}
	s.pathCache.value, s.pathCache.role, s.pathCache.path = value, role, slices.Clip(path)
	return path
}

// relation resolves the name of an existing table, view or sequence
// through the session's search path.
func (s *Session) relation(n sql.ObjectName) (*catalog.Table, error) {
	return s.db.store.Catalog().Resolve(n.Schema, n.Name, s.searchPath())
}

// parseSearchPath splits a search_path value into schema names: unquoted
// names fold to lower case, double-quoted ones keep their case (and any
// commas), "" doubling a quote.
func parseSearchPath(v string) []string {
	var out []string
	for v = strings.TrimSpace(v); v != ""; v = strings.TrimSpace(v) {
		var name string
		if v[0] == '"' {
			var b strings.Builder
			i := 1
			for ; i < len(v); i++ {
				if v[i] == '"' {
					if i+1 < len(v) && v[i+1] == '"' {
						b.WriteByte('"')
						i++
						continue
					}
					break
				}
				b.WriteByte(v[i])
			}
			name, v = b.String(), v[min(i+1, len(v)):]
			v = strings.TrimSpace(v)
		} else {
			end := strings.IndexByte(v, ',')
			if end < 0 {
				end = len(v)
			}
			name, v = strings.ToLower(strings.TrimSpace(v[:end])), v[end:]
		}
		out = append(out, name)
		v = strings.TrimPrefix(v, ",")
	}
	return out
}

// formatSearchPath is the search_path value SHOW prints for the names of a
// SET: each quoted where it needs it, as PostgreSQL does.
func formatSearchPath(names []string) string {
	quoted := make([]string, len(names))
	for i, name := range names {
		quoted[i] = sql.QuoteIdent(name)
	}
	return strings.Join(quoted, ", ")
}

// SetStartupParameter applies a run-time parameter a client sent at
// connection start (the startup packet's parameters and its options
// -c name=value). Only search_path, application_name and TimeZone are
// taken this way so far; others are ignored, as values that would fail a
// SET are. They are settings, not statements the client ran, so the
// session's activity and the statement statistics do not show them.
func (s *Session) SetStartupParameter(name, value string) {
	switch strings.ToLower(name) {
	case "search_path":
		s.settings["search_path"] = formatSearchPath(parseSearchPath(value))
		s.settingsChanged()
	case "application_name", "timezone":
		if value != "" {
			_ = s.set(&sql.SetStmt{Name: name, Value: value, Values: []string{value}}, &collector{})
		}
	}
}

// checkSchemaName refuses the names PostgreSQL reserves for system schemas.
func checkSchemaName(name string) error {
	if strings.HasPrefix(name, "pg_") {
		return sqlerr.New(sqlerr.ReservedName, "unacceptable schema name %q", name).
			WithDetail("The prefix \"pg_\" is reserved for system schemas.")
	}
	return nil
}

// schemaOwner returns the role a schema is to be owned by: the named one,
// which must exist, or the current role for "".
func (s *Session) schemaOwner(name string) (string, error) {
	if name == "" || name == s.currentRole() {
		return s.currentRole(), nil
	}
	if s.db.store.Catalog().Role(name) == nil {
		return "", sqlerr.New(sqlerr.UndefinedObject, "role %q does not exist", name)
	}
	return name, nil
}

// userSchema returns the entry of a CREATE SCHEMA schema, refusing the
// schemas that always exist, which have none.
func (s *Session) userSchema(name, verb string) (*catalog.Table, error) {
	if name == catalog.Public || catalog.IsSystemSchema(name) {
		return nil, sqlerr.New(sqlerr.DependentObjectsStillExist, "cannot %s schema %s because it is required by the database system", verb, name).
			WithHint("The schemas public, pg_catalog and information_schema always exist in RustyDB.")
	}
	ns := s.db.store.Catalog().Schema(name)
	if ns == nil {
		return nil, sqlerr.New(sqlerr.InvalidSchemaName, "schema %q does not exist", name)
	}
	return ns, nil
}

func (s *Session) createSchema(ctx context.Context, st *sql.CreateSchemaStmt, query string, w ResultWriter) error {
	owner, err := s.schemaOwner(st.Owner)
	if err != nil {
		return err
	}
	if s.db.store.Catalog().SchemaExists(st.Name) {
		if st.IfNotExists {
			w.Notice(Notice{Severity: "NOTICE", Code: sqlerr.DuplicateSchema, Message: fmt.Sprintf("schema %q already exists, skipping", st.Name)})
			return w.Complete("CREATE SCHEMA")
		}
		return sqlerr.New(sqlerr.DuplicateSchema, "schema %q already exists", st.Name)
	}
	if err := checkSchemaName(st.Name); err != nil {
		return err
	}
	if err := s.tx.CreateTable(&catalog.Table{Name: st.Name, Namespace: &catalog.Namespace{Owner: owner}}); err != nil {
		return err
	}
	if err := s.createSchemaElements(ctx, st, query, w); err != nil {
		return err
	}
	return w.Complete("CREATE SCHEMA")
}

// createSchemaElements runs the CREATE statements of a CREATE SCHEMA in the
// new schema, as PostgreSQL 15 does: sequences first, then tables, views
// and indexes, with the schema first on the search path, so that they can
// refer to each other unqualified. An element that names another schema is
// an error.
func (s *Session) createSchemaElements(ctx context.Context, st *sql.CreateSchemaStmt, query string, w ResultWriter) error {
	if len(st.Elements) == 0 {
		return nil
	}
	rank := func(e sql.Statement) (int, *sql.ObjectName) {
		switch e := e.(type) {
		case *sql.CreateSequenceStmt:
			return 0, &e.Name
		case *sql.CreateTableStmt:
			return 1, &e.Name
		case *sql.CreateViewStmt:
			return 2, &e.Name
		case *sql.CreateIndexStmt:
			return 3, &e.Table
		}
		panic(fmt.Sprintf("schema element %T", e))
	}
	elements := slices.Clone(st.Elements)
	slices.SortStableFunc(elements, func(a, b sql.Statement) int {
		ra, _ := rank(a)
		rb, _ := rank(b)
		return ra - rb
	})
	for _, e := range elements {
		_, name := rank(e)
		if name.Schema == "" {
			name.Schema = st.Name
		} else if name.Schema != st.Name {
			return sqlerr.New(sqlerr.InvalidSchemaDefinition, "CREATE specifies a schema (%s) different from the one being created (%s)", name.Schema, st.Name)
		}
	}
	saved := s.settings["search_path"]
	s.settings["search_path"] = formatSearchPath(append([]string{st.Name}, s.searchPath()...))
	s.settingsChanged()
	defer func() {
		s.settings["search_path"] = saved
		s.settingsChanged()
	}()
	for _, e := range elements {
		if err := s.runOne(ctx, e, query, nil, nil, nil, elementWriter{w}); err != nil {
			return err
		}
	}
	return nil
}

// elementWriter passes on what a schema element's statement sends but its
// command tag: the client sees only CREATE SCHEMA's.
type elementWriter struct{ ResultWriter }

func (elementWriter) Complete(string) error { return nil }

// dropSchema drops schemas and, with CASCADE, the relations in them and the
// foreign keys of other tables that refer to those.
func (s *Session) dropSchema(st *sql.DropSchemaStmt, w ResultWriter) error {
	cat := s.db.store.Catalog()
	var schemas []*catalog.Table
	for _, name := range st.Names {
		ns, err := s.userSchema(name, "drop")
		if err != nil {
			if st.IfExists && sqlerr.Code(err) == sqlerr.InvalidSchemaName {
				skipping(w, err)
				continue
			}
			return err
		}
		schemas = append(schemas, ns)
	}
	d := &plan.DropTable{}
	for _, ns := range schemas {
		for _, t := range cat.Tables() {
			if t.Schema == ns.Name {
				d.Tables = append(d.Tables, t)
			}
		}
	}
	// Tables by creation, as PostgreSQL lists dependent objects.
	slices.SortFunc(d.Tables, func(a, b *catalog.Table) int { return int(a.ID) - int(b.ID) })
	if err := s.binder("", nil).UnlinkForeignKeys(d, true); err != nil {
		return err
	}
	if deps := dependents(cat, d); len(deps) > 0 {
		lines := make([]string, len(deps))
		if !st.Cascade {
			for i, dep := range deps {
				lines[i] = dep.what + " depends on " + dep.on
			}
			return sqlerr.New(sqlerr.DependentObjectsStillExist, "cannot drop schema %s because other objects depend on it", sql.QuoteIdent(schemas[0].Name)).
				WithDetail("%s", strings.Join(lines, "\n")).WithHint("Use DROP ... CASCADE to drop the dependent objects too.")
		}
		for i, dep := range deps {
			lines[i] = "drop cascades to " + dep.what
		}
		n := Notice{Severity: "NOTICE", Code: "00000", Message: lines[0]}
		if len(deps) > 1 {
			n.Message, n.Detail = fmt.Sprintf("drop cascades to %d other objects", len(deps)), strings.Join(lines, "\n")
		}
		w.Notice(n)
	}
	if err := s.dropRelations(d); err != nil {
		return err
	}
	for _, ns := range schemas {
		s.tx.DropTable(ns)
		if err := s.dropDefaultACLs(ns.Name); err != nil {
			return err
		}
	}
	return w.Complete("DROP SCHEMA")
}

// dependent is an object that dropping a schema takes with it, and what
// it depends on, as PostgreSQL's messages describe them.
type dependent struct{ what, on string }

// dependents lists what dropping d's relations takes with them: the
// relations (not the sequences of their serial and identity columns, which
// belong to their tables) and the foreign keys of other tables that refer
// to them.
func dependents(cat *catalog.Catalog, d *plan.DropTable) []dependent {
	var out []dependent
	for _, t := range d.Tables {
		if t.IsSequence() && t.Sequence.OwnedBy != 0 {
			continue
		}
		name := sql.QuoteIdent(t.Schema) + "." + sql.QuoteIdent(t.Name)
		out = append(out, dependent{t.Kind() + " " + name, "schema " + sql.QuoteIdent(t.Schema)})
		for _, child := range d.Unlinked {
			for _, fk := range cat.ByID(child.ID).ForeignKeys {
				if fk.RefTable == t.ID {
					out = append(out, dependent{fmt.Sprintf("constraint %s on table %s", fk.Name, sql.QuoteIdent(child.Name)), "table " + name})
				}
			}
		}
	}
	return out
}

// alterSchema renames a schema, moving its relations with it, or gives it
// another owner.
func (s *Session) alterSchema(st *sql.AlterSchemaStmt, w ResultWriter) error {
	verb := "rename"
	if st.SetOwner {
		verb = "alter"
	}
	ns, err := s.userSchema(st.Name, verb)
	if err != nil {
		return err
	}
	def := *ns
	def.Namespace = &catalog.Namespace{Owner: ns.Namespace.Owner}
	if st.SetOwner {
		if def.Namespace.Owner, err = s.schemaOwner(st.Owner); err != nil {
			return err
		}
		if err := s.tx.AlterTable(ns, &def); err != nil {
			return err
		}
		return w.Complete("ALTER SCHEMA")
	}
	cat := s.db.store.Catalog()
	if cat.SchemaExists(st.RenameTo) {
		return sqlerr.New(sqlerr.DuplicateSchema, "schema %q already exists", st.RenameTo)
	}
	if err := checkSchemaName(st.RenameTo); err != nil {
		return err
	}
	def.Name = st.RenameTo
	if err := s.tx.AlterTable(ns, &def); err != nil {
		return err
	}
	for _, t := range cat.Tables() {
		moved := renameSchemaIn(t, st.Name, st.RenameTo, cat)
		if moved == nil {
			continue
		}
		if err := s.tx.AlterTable(t, moved); err != nil {
			return err
		}
	}
	return w.Complete("ALTER SCHEMA")
}

// renameSchemaIn returns t's definition after schema from became to, or
// nil when the rename does not change it: a relation of the schema moves
// to the new name and a view created with the schema on its search path
// keeps finding its relations there.
func renameSchemaIn(t *catalog.Table, from, to string, cat *catalog.Catalog) *catalog.Table {
	var def *catalog.Table
	if t.Schema == from {
		def = moveRelation(t, to, cat)
	}
	if i := slices.Index(t.ViewPath, from); i >= 0 {
		if def == nil {
			def = cloneTable(t)
		}
		def.ViewPath = slices.Clone(t.ViewPath)
		def.ViewPath[i] = to
	}
	return def
}

// moveRelation returns t's definition in schema to, where the sequences of
// its serial columns go with it: their defaults name them there.
func moveRelation(t *catalog.Table, to string, cat *catalog.Catalog) *catalog.Table {
	def := cloneTable(t)
	def.Schema = to
	for _, seq := range cat.OwnedSequences(t.ID) {
		for i, col := range def.Columns {
			if col.Default == plan.SerialDefault(t.Schema, seq.Name) {
				def.Columns[i].Default = plan.SerialDefault(to, seq.Name)
			}
		}
	}
	return def
}

// setSchema moves relation t to schema to (ALTER ... SET SCHEMA), with the
// indexes of a table, which live in its schema, and the sequences of its
// serial and identity columns.
func (s *Session) setSchema(t *catalog.Table, to string) error {
	cat := s.db.store.Catalog()
	if _, err := cat.CreationSchema(to, t.Name, nil); err != nil {
		return err
	}
	if t.Schema == to {
		return nil
	}
	if t.IsSequence() && t.Sequence.OwnedBy != 0 {
		return sqlerr.New(sqlerr.FeatureNotSupported, "cannot move an owned sequence into another schema").
			WithDetail("Sequence %q is linked to table %q.", t.Name, cat.ByID(t.Sequence.OwnedBy).Name)
	}
	seqs := cat.OwnedSequences(t.ID)
	names := append([]string{t.Name}, t.IndexNames()...)
	for _, seq := range seqs {
		names = append(names, seq.Name)
	}
	for _, name := range names {
		if cat.Lookup(to, name) != nil || cat.IndexOwner(to, name) != nil {
			return sqlerr.New(sqlerr.DuplicateTable, "relation %q already exists in schema %q", name, to)
		}
	}
	for _, r := range append([]*catalog.Table{t}, seqs...) {
		if err := s.tx.AlterTable(r, moveRelation(r, to, cat)); err != nil {
			return err
		}
	}
	return nil
}
