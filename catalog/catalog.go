// Package catalog holds the definitions of tables (their columns, types,
// defaults and keys) and of roles. It is the binder's source of names, the
// storage layer's source of row shapes and authentication's source of
// password verifiers. Definitions are serialized as JSON inside checkpoints
// and DDL log records (see package row); the JSON field names below are part
// of that on-disk format.
package catalog

import (
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
}

// Table is a table definition. Tables are immutable once published: DDL
// replaces the whole *Table.
type Table struct {
	ID         uint32   `json:"id"`
	Name       string   `json:"name"`
	Columns    []Column `json:"columns"`
	PrimaryKey []int    `json:"primary_key,omitempty"` // column ordinals
	Unique     [][]int  `json:"unique,omitempty"`      // column ordinals of each UNIQUE constraint
	// View is the query text of a view; a view has no rows of its own.
	View string `json:"view,omitempty"`
	// Sequence makes the entry a sequence rather than a table.
	Sequence *Sequence `json:"sequence,omitempty"`
	// Indexes are the table's CREATE INDEX indexes.
	Indexes []Index `json:"indexes,omitempty"`
	// Checks are the CHECK constraints, ForeignKeys those that make this
	// table's rows refer to another table's.
	Checks      []Check      `json:"checks,omitempty"`
	ForeignKeys []ForeignKey `json:"foreign_keys,omitempty"`
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

// ByID returns the table with the given id, or nil.
func (c *Catalog) ByID(id uint32) *Table {
	c.mu.RLock()
	defer c.mu.RUnlock()
	for _, t := range c.tables {
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

// IsSequence reports whether t is a sequence.
func (t *Table) IsSequence() bool { return t.Sequence != nil }

// IsView reports whether t is a view.
func (t *Table) IsView() bool { return t.View != "" }

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

// IndexOwner returns the table with the named index, or nil.
func (c *Catalog) IndexOwner(name string) *Table {
	c.mu.RLock()
	defer c.mu.RUnlock()
	for _, t := range c.tables {
		for _, ix := range t.Indexes {
			if ix.Name == name {
				return t
			}
		}
	}
	return nil
}

// Catalog is the set of tables of the one database, and its roles.
type Catalog struct {
	mu         sync.RWMutex
	tables     map[string]*Table
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
	return &Catalog{tables: make(map[string]*Table), nextID: 1, roles: make(map[string]*Role), nextRoleID: 1}
}

// Table returns the named table or a 42P01 error.
func (c *Catalog) Table(name string) (*Table, error) {
	c.mu.RLock()
	t := c.tables[name]
	c.mu.RUnlock()
	if t == nil {
		return nil, sqlerr.New(sqlerr.UndefinedTable, "relation %q does not exist", name)
	}
	return t, nil
}

// Lookup returns the named table or nil.
func (c *Catalog) Lookup(name string) *Table {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.tables[name]
}

// Tables returns all tables sorted by name.
func (c *Catalog) Tables() []*Table {
	c.mu.RLock()
	defer c.mu.RUnlock()
	out := make([]*Table, 0, len(c.tables))
	for _, t := range c.tables {
		out = append(out, t)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Add publishes t, assigning an ID when it has none.
func (c *Catalog) Add(t *Table) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.tables[t.Name] != nil {
		return sqlerr.New(sqlerr.DuplicateTable, "relation %q already exists", t.Name)
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
	c.tables[t.Name] = t
	c.version.Add(1)
	return nil
}

// Replace swaps in a new definition of an existing table (same ID; the
// name may differ after ALTER TABLE ... RENAME TO).
func (c *Catalog) Replace(t *Table) {
	c.mu.Lock()
	for name, old := range c.tables {
		if old.ID == t.ID && name != t.Name { // renamed
			delete(c.tables, name)
		}
	}
	c.tables[t.Name] = t
	c.version.Add(1)
	c.mu.Unlock()
}

// Remove deletes the named table.
func (c *Catalog) Remove(name string) {
	c.mu.Lock()
	delete(c.tables, name)
	c.version.Add(1)
	c.mu.Unlock()
}
