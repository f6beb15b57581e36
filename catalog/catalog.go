// Package catalog holds the definitions of schemas, of tables (their
// columns, types, defaults and keys) and of roles. It is the binder's source of names, the
// storage layer's source of row shapes and authentication's source of
// password verifiers. Definitions are serialized as JSON inside checkpoints
// and DDL log records (see package row); the JSON field names below are part
// of that on-disk format.
package catalog

import (
	"slices"
	"sort"
	"sync"
	"sync/atomic"

	"rustydb/sqlerr"
	"rustydb/types"
)

// Column is one column of a table.
type Column struct {
	Name    string  `json:"name"`
	Type    types.T `json:"type"`
	NotNull bool    `json:"not_null,omitempty"`
	// Default is the SQL text of the DEFAULT expression, "" when none.
	Default string `json:"default,omitempty"`
	// Identity is "always" or "by default" for an identity column.
	Identity string `json:"identity,omitempty"`
	// ACL holds the privileges granted on the column alone (GRANT SELECT
	// (a) ON t), nil when none are; see colacl.go.
	ACL []ACLItem `json:"acl,omitempty"`
}

// Table is a table definition. Tables are immutable once published: DDL
// replaces the whole *Table.
type Table struct {
	ID   uint32 `json:"id"`
	Name string `json:"name"`
	// Schema is the schema a table, view or sequence lives in. Definitions
	// written before schemas existed lack it; Add and Replace make "" Public.
	Schema string `json:"schema,omitempty"`
	// Namespace makes the entry a schema (CREATE SCHEMA) rather than a
	// relation: Name is the schema's name. Schemas are catalog entries so
	// that they are logged, checkpointed, recovered and rolled back exactly
	// as tables are.
	Namespace  *Namespace `json:"namespace,omitempty"`
	Columns    []Column   `json:"columns"`
	PrimaryKey []int      `json:"primary_key,omitempty"` // column ordinals
	Unique     [][]int    `json:"unique,omitempty"`      // column ordinals of each UNIQUE constraint
	// View is the query text of a view; a view has no rows of its own.
	View string `json:"view,omitempty"`
	// ViewPath is the search path a view was created with, through which
	// its query's unqualified names resolve; nil for views created before
	// schemas existed, whose names are all in public.
	ViewPath []string `json:"view_path,omitempty"`
	// Sequence makes the entry a sequence rather than a table.
	Sequence *Sequence `json:"sequence,omitempty"`
	// Indexes are the table's CREATE INDEX indexes.
	Indexes []Index `json:"indexes,omitempty"`
	// Checks are the CHECK constraints, ForeignKeys those that make this
	// table's rows refer to another table's.
	Checks      []Check      `json:"checks,omitempty"`
	ForeignKeys []ForeignKey `json:"foreign_keys,omitempty"`
	// Owner is the role that created a relation ("" for relations created
	// before owners were recorded); a schema's is in Namespace. ACL holds
	// the privileges granted on the entry, nil for the default (see
	// acl.go); an empty ACL, everything revoked, is kept as such.
	Owner string    `json:"owner,omitempty"`
	ACL   []ACLItem `json:"acl"`
}

// Check is a CHECK constraint: a boolean expression over the row, kept as
// SQL text and bound again when a statement writes the table. A row passes
// unless the expression is false.
type Check struct {
	Name string `json:"name"`
	Expr string `json:"expr"`
}

// ForeignKey makes Columns of a row name a row of table RefTable whose
// RefColumns (its primary key or a unique constraint, in that order) hold
// the same values, unless one of Columns is NULL. OnDelete and OnUpdate say
// what deleting or re-keying the referenced row does: "no action" and
// "restrict" refuse while referencing rows exist, "cascade" deletes (or
// re-keys) them, "set null" and "set default" change their Columns.
type ForeignKey struct {
	Name       string `json:"name"`
	Columns    []int  `json:"columns"`
	RefTable   uint32 `json:"ref_table"`
	RefColumns []int  `json:"ref_columns"`
	OnDelete   string `json:"on_delete"`
	OnUpdate   string `json:"on_update"`
}

// ConstraintNames lists every named constraint of t: keys (see IndexNames),
// checks and foreign keys.
func (t *Table) ConstraintNames() []string {
	names := t.IndexNames()[:len(t.Keys())-countUniqueIndexes(t)]
	for _, c := range t.Checks {
		names = append(names, c.Name)
	}
	for _, fk := range t.ForeignKeys {
		names = append(names, fk.Name)
	}
	return names
}

func countUniqueIndexes(t *Table) int {
	n := 0
	for _, ix := range t.Indexes {
		if ix.Unique {
			n++
		}
	}
	return n
}

// ByID returns the entry (table, view, sequence or schema) with the given
// id, or nil.
func (c *Catalog) ByID(id uint32) *Table {
	c.mu.RLock()
	defer c.mu.RUnlock()
	for _, t := range c.tables {
		if t.ID == id {
			return t
		}
	}
	for _, t := range c.schemas {
		if t.ID == id {
			return t
		}
	}
	return nil
}

// Referencing returns the tables with a foreign key to table id.
func (c *Catalog) Referencing(id uint32) []*Table {
	c.mu.RLock()
	defer c.mu.RUnlock()
	var out []*Table
	for _, t := range c.tables {
		for _, fk := range t.ForeignKeys {
			if fk.RefTable == id {
				out = append(out, t)
				break
			}
		}
	}
	return out
}

// OwnedSequences returns the sequences of table id's serial and identity
// columns, which belong to it: they are dropped and moved with it.
func (c *Catalog) OwnedSequences(id uint32) []*Table {
	var out []*Table
	for _, t := range c.Tables() {
		if t.IsSequence() && t.Sequence.OwnedBy == id {
			out = append(out, t)
		}
	}
	return out
}

// Index is a CREATE INDEX index: a B+tree over its columns.
type Index struct {
	Name    string `json:"name"`
	Columns []int  `json:"columns"`
	Unique  bool   `json:"unique,omitempty"`
}

// TableStats are what ANALYZE measured over a table's visible rows; the
// planner uses them to estimate how many rows a predicate keeps.
type TableStats struct {
	Rows    int64
	Columns []ColumnStats
}

// ColumnStats describe one column's values.
type ColumnStats struct {
	NullFrac float64
	Distinct int64
	Min, Max types.Value
}

// Sequence is a sequence's definition and, in checkpoints, its state.
type Sequence struct {
	Start     int64  `json:"start"`
	Increment int64  `json:"increment"`
	Min       int64  `json:"min"`
	Max       int64  `json:"max"`
	Cycle     bool   `json:"cycle,omitempty"`
	OwnedBy   uint32 `json:"owned_by,omitempty"` // the table whose serial or identity column it feeds
	// Value and Called are the state to resume from (written by checkpoints):
	// the last value handed out or reserved, and whether any was.
	Value  int64 `json:"value,omitempty"`
	Called bool  `json:"called,omitempty"`
}

// Namespace is what a schema entry has beyond its name.
type Namespace struct {
	Owner string `json:"owner"` // the owning role's name
}

// IsSchema reports whether t is a schema rather than a relation.
func (t *Table) IsSchema() bool { return t.Namespace != nil }

// IsSequence reports whether t is a sequence.
func (t *Table) IsSequence() bool { return t.Sequence != nil }

// IsView reports whether t is a view.
func (t *Table) IsView() bool { return t.View != "" }

// Kind names what sort of relation t is, as PostgreSQL's messages do:
// "table", "view" or "sequence".
func (t *Table) Kind() string {
	switch {
	case t.IsView():
		return "view"
	case t.IsSequence():
		return "sequence"
	}
	return "table"
}

// ColumnIndex returns the ordinal of the named column, or -1.
func (t *Table) ColumnIndex(name string) int {
	for i, c := range t.Columns {
		if c.Name == name {
			return i
		}
	}
	return -1
}

// Keys returns every uniqueness constraint: the primary key first, then
// UNIQUE constraints, then unique indexes.
func (t *Table) Keys() [][]int {
	var keys [][]int
	if len(t.PrimaryKey) > 0 {
		keys = append(keys, t.PrimaryKey)
	}
	keys = append(keys, t.Unique...)
	for _, ix := range t.Indexes {
		if ix.Unique {
			keys = append(keys, ix.Columns)
		}
	}
	return keys
}

// IndexKeys returns the column lists of every index the table's rows are
// kept in: Keys() first (checked for uniqueness), then non-unique indexes.
func (t *Table) IndexKeys() [][]int {
	keys := t.Keys()
	for _, ix := range t.Indexes {
		if !ix.Unique {
			keys = append(keys, ix.Columns)
		}
	}
	return keys
}

// MaxIndexKeys is the most columns an index may have, PostgreSQL's
// INDEX_MAX_KEYS; pg_settings reports it as max_index_keys.
const MaxIndexKeys = 32

// CheckIndexWidths fails with 54011 when an index of t has more than
// MaxIndexKeys columns.
func (t *Table) CheckIndexWidths() error {
	for _, cols := range t.IndexKeys() {
		if len(cols) > MaxIndexKeys {
			return sqlerr.New(sqlerr.TooManyColumns, "cannot use more than %d columns in an index", MaxIndexKeys)
		}
	}
	return nil
}

// IndexKey returns IndexKeys()[k] without making the list (every point
// query and insert asks), nil when there is no index k.
func (t *Table) IndexKey(k int) []int {
	if len(t.PrimaryKey) > 0 {
		if k == 0 {
			return t.PrimaryKey
		}
		k--
	}
	if k < len(t.Unique) {
		return t.Unique[k]
	}
	k -= len(t.Unique)
	for _, unique := range []bool{true, false} {
		for _, ix := range t.Indexes {
			if ix.Unique == unique {
				if k == 0 {
					return ix.Columns
				}
				k--
			}
		}
	}
	return nil
}

// NumKeys is len(Keys()).
func (t *Table) NumKeys() int {
	n := len(t.Unique)
	if len(t.PrimaryKey) > 0 {
		n++
	}
	for _, ix := range t.Indexes {
		if ix.Unique {
			n++
		}
	}
	return n
}

// IndexNames returns the names of the indexes of IndexKeys(), in the same
// order, as PostgreSQL names them: t_pkey for the primary key, t_a_b_key for
// UNIQUE (a, b), and the given name for CREATE INDEX ones.
func (t *Table) IndexNames() []string {
	var names, plain []string
	if len(t.PrimaryKey) > 0 {
		names = append(names, t.Name+"_pkey")
	}
	for _, u := range t.Unique {
		name := t.Name
		for _, col := range u {
			name += "_" + t.Columns[col].Name
		}
		names = append(names, name+"_key")
	}
	for _, ix := range t.Indexes {
		if ix.Unique {
			names = append(names, ix.Name)
		} else {
			plain = append(plain, ix.Name)
		}
	}
	return append(names, plain...)
}

// IndexOwner returns the table of schema with the named index, or nil:
// a CREATE INDEX index or the index of a key (see IndexNames). Indexes
// live in their table's schema.
func (c *Catalog) IndexOwner(schema, name string) *Table {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.indexOwner(schema, name)
}

func (c *Catalog) indexOwner(schema, name string) *Table {
	for k, t := range c.tables {
		if k.schema != schema {
			continue
		}
		if slices.Contains(t.IndexNames(), name) {
			return t
		}
	}
	return nil
}

// The schemas that exist without CREATE SCHEMA. Public holds what is
// created while the search path is the default one; pg_catalog and
// information_schema hold the system catalogs (package plan), never
// entries of the catalog.
const (
	Public            = "public"
	PgCatalog         = "pg_catalog"
	InformationSchema = "information_schema"
)

// IsSystemSchema reports whether name is a schema of the system catalogs.
func IsSystemSchema(name string) bool { return name == PgCatalog || name == InformationSchema }

// relKey names a relation: relations of different schemas may share a name.
type relKey struct{ schema, name string }

func keyOf(t *Table) relKey { return relKey{t.Schema, t.Name} }

// Catalog is the set of schemas and tables of the one database, and its
// roles.
type Catalog struct {
	mu         sync.RWMutex
	tables     map[relKey]*Table
	schemas    map[string]*Table // CREATE SCHEMA entries, by name
	nextID     uint32
	roles      map[string]*Role
	nextRoleID uint32
	// version changes with every change of a definition, so that cached
	// plans can tell they are stale.
	version atomic.Uint64
}

// Version returns a number that changes whenever a definition changes.
func (c *Catalog) Version() uint64 { return c.version.Load() }

// New returns an empty catalog.
func New() *Catalog {
	return &Catalog{tables: make(map[relKey]*Table), schemas: make(map[string]*Table), nextID: 1, roles: make(map[string]*Role), nextRoleID: 1}
}

// Lookup returns the relation name of schema, or nil.
func (c *Catalog) Lookup(schema, name string) *Table {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.tables[relKey{schema, name}]
}

// Schema returns the entry of a schema made by CREATE SCHEMA, or nil.
func (c *Catalog) Schema(name string) *Table {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.schemas[name]
}

// SchemaExists reports whether the named schema exists: public, a system
// schema or one made by CREATE SCHEMA.
func (c *Catalog) SchemaExists(name string) bool {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.schemaExists(name)
}

func (c *Catalog) schemaExists(name string) bool {
	return name == Public || IsSystemSchema(name) || c.schemas[name] != nil
}

// Schemas returns the entries of the schemas made by CREATE SCHEMA, sorted
// by name.
func (c *Catalog) Schemas() []*Table {
	c.mu.RLock()
	defer c.mu.RUnlock()
	out := make([]*Table, 0, len(c.schemas))
	for _, t := range c.schemas {
		out = append(out, t)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

func noSchema(name string) error {
	return sqlerr.New(sqlerr.InvalidSchemaName, "schema %q does not exist", name)
}

// Resolve is the one place where a relation name becomes a relation. A
// qualified name (schema not "") is looked for in its schema, which must
// exist (3F000); an unqualified one in the schemas of path in order (a
// search_path; schemas that do not exist are skipped). A missing relation
// is 42P01 with the name as written.
func (c *Catalog) Resolve(schema, name string, path []string) (*Table, error) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	var t *Table
	err := c.search(schema, path, func(s string) bool {
		t = c.tables[relKey{s, name}]
		return t != nil
	})
	if err != nil {
		return nil, err
	}
	if t == nil {
		return nil, sqlerr.New(sqlerr.UndefinedTable, "relation %q does not exist", qualified(schema, name))
	}
	return t, nil
}

// ResolveIndex resolves an index name as Resolve does a relation name and
// returns the index's table, or a 42704 error.
func (c *Catalog) ResolveIndex(schema, name string, path []string) (*Table, error) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	var t *Table
	err := c.search(schema, path, func(s string) bool {
		t = c.indexOwner(s, name)
		return t != nil
	})
	if err != nil {
		return nil, err
	}
	if t == nil {
		return nil, sqlerr.New(sqlerr.UndefinedObject, "index %q does not exist", name)
	}
	return t, nil
}

// search calls found for schema, or for each existing schema of path until
// it reports true. The caller holds c.mu.
func (c *Catalog) search(schema string, path []string, found func(schema string) bool) error {
	if schema != "" {
		if !c.schemaExists(schema) {
			return noSchema(schema)
		}
		found(schema)
		return nil
	}
	for _, s := range path {
		if c.schemaExists(s) && found(s) {
			return nil
		}
	}
	return nil
}

// CreationSchema returns the schema a new relation goes to: the one given,
// which must exist and not be a system schema, or else the first existing
// schema of path.
func (c *Catalog) CreationSchema(schema, name string, path []string) (string, error) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	if schema == "" {
		for _, s := range path {
			if c.schemaExists(s) && !IsSystemSchema(s) {
				return s, nil
			}
		}
		return "", sqlerr.New(sqlerr.InvalidSchemaName, "no schema has been selected to create in")
	}
	if !c.schemaExists(schema) {
		return "", noSchema(schema)
	}
	if IsSystemSchema(schema) {
		return "", sqlerr.New(sqlerr.InsufficientPrivilege, "permission denied to create %q", schema+"."+name).
			WithDetail("System catalog modifications are currently disallowed.")
	}
	return schema, nil
}

// Visible reports whether t is the relation its bare name resolves to
// through path, as pg_table_is_visible does; names of relations that are
// not visible print schema-qualified.
func (c *Catalog) Visible(t *Table, path []string) bool {
	found, err := c.Resolve("", t.Name, path)
	return err == nil && found == t
}

// SearchPath returns the schemas of path that exist, in order, without
// repeats: current_schemas(false).
func (c *Catalog) SearchPath(path []string) []string {
	c.mu.RLock()
	defer c.mu.RUnlock()
	var out []string
	for _, s := range path {
		if c.schemaExists(s) && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

// qualified is how PostgreSQL's messages show a name as written.
func qualified(schema, name string) string {
	if schema == "" {
		return name
	}
	return schema + "." + name
}

// Tables returns all relations sorted by schema and name.
func (c *Catalog) Tables() []*Table {
	c.mu.RLock()
	defer c.mu.RUnlock()
	out := make([]*Table, 0, len(c.tables))
	for _, t := range c.tables {
		out = append(out, t)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Schema != out[j].Schema {
			return out[i].Schema < out[j].Schema
		}
		return out[i].Name < out[j].Name
	})
	return out
}

// Entries returns every entry, schemas first, then relations: what a
// checkpoint records.
func (c *Catalog) Entries() []*Table { return append(c.Schemas(), c.Tables()...) }

// Add publishes t, assigning an ID when it has none.
func (c *Catalog) Add(t *Table) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if t.IsSchema() {
		if c.schemaExists(t.Name) {
			return sqlerr.New(sqlerr.DuplicateSchema, "schema %q already exists", t.Name)
		}
	} else {
		if t.Schema == "" {
			t.Schema = Public
		}
		if c.tables[keyOf(t)] != nil {
			return sqlerr.New(sqlerr.DuplicateTable, "relation %q already exists", t.Name)
		}
	}
	if t.ID == 0 {
		t.ID = c.nextID
		for i := range t.ForeignKeys {
			if t.ForeignKeys[i].RefTable == 0 { // refers to itself
				t.ForeignKeys[i].RefTable = t.ID
			}
		}
	}
	c.nextID = max(c.nextID, t.ID+1)
	if t.IsSchema() {
		c.schemas[t.Name] = t
	} else {
		c.tables[keyOf(t)] = t
	}
	c.version.Add(1)
	return nil
}

// Replace swaps in a new definition of an existing entry (same ID; the
// name or schema may differ after a rename).
func (c *Catalog) Replace(t *Table) {
	c.mu.Lock()
	if t.IsSchema() {
		for name, old := range c.schemas {
			if old.ID == t.ID && name != t.Name { // renamed
				delete(c.schemas, name)
			}
		}
		c.schemas[t.Name] = t
	} else {
		if t.Schema == "" {
			t.Schema = Public
		}
		for k, old := range c.tables {
			if old.ID == t.ID && k != keyOf(t) { // renamed
				delete(c.tables, k)
			}
		}
		c.tables[keyOf(t)] = t
	}
	c.version.Add(1)
	c.mu.Unlock()
}

// Remove deletes entry t.
func (c *Catalog) Remove(t *Table) {
	c.mu.Lock()
	if t.IsSchema() {
		delete(c.schemas, t.Name)
	} else {
		delete(c.tables, keyOf(t))
	}
	c.version.Add(1)
	c.mu.Unlock()
}
