package plan

import (
	"rustydb/catalog"
	"rustydb/sql"
)

// Column privileges. A role without a privilege on a table may still read
// or write it with privileges on its columns (GRANT SELECT (a) ON t), as
// in PostgreSQL: SELECT needs the privilege on every column the statement
// reads, INSERT and UPDATE on every column they write, and a statement that
// reads no column (SELECT count(*) FROM t) on at least one. require lets
// such a table through and notes it; the binder notes every base-table
// column the statement reads or writes, and Bind checks the notes once the
// whole statement is bound. Views check their tables against their owner
// with the same notes, which may make a check stricter, never looser.

// columnUse collects what the statement being bound uses of tables whose
// table privileges its roles lack.
type columnUse struct {
	pending []pendingColumns
	// reads and writes are the ordinals (from 1) of the columns read and
	// written, by table ID.
	reads, writes map[uint32]map[int16]bool
}

// pendingColumns is a table privilege role lacked, to be met by column
// privileges: need are the missing privileges, cols what role holds on
// each column, err the error to report when they fall short.
type pendingColumns struct {
	t    *catalog.Table
	need catalog.Priv
	cols []catalog.Priv
	err  error
}

// Bind plans one statement.
func (b *Binder) Bind(stmt sql.Statement) (Plan, error) {
	if b.colUse != nil { // a statement inside one being bound (EXPLAIN's)
		return b.bind(stmt)
	}
	b.colUse = &columnUse{reads: map[uint32]map[int16]bool{}, writes: map[uint32]map[int16]bool{}}
	defer func() { b.colUse = nil }()
	p, err := b.bind(stmt)
	if err == nil {
		err = b.colUse.check()
	}
	return p, err
}

// require checks that the binder's role holds need on t, or enough
// privileges on t's columns for what the statement turns out to use.
func (b *Binder) require(t *catalog.Table, need catalog.Priv) error {
	if b.Privilege == nil {
		return nil
	}
	err := b.Privilege(b.Role, t, need)
	if err == nil || b.ColumnPrivileges == nil || b.colUse == nil {
		return err
	}
	missing := catalog.Priv(0)
	for bit := catalog.Priv(1); bit != 0 && bit <= need; bit <<= 1 {
		if need&bit != 0 && b.Privilege(b.Role, t, bit) != nil {
			missing |= bit
		}
	}
	cols := b.ColumnPrivileges(b.Role, t)
	var held catalog.Priv
	for _, p := range cols {
		held |= p
	}
	if missing&^(catalog.PrivSelect|catalog.PrivInsert|catalog.PrivUpdate) != 0 || missing&held != missing {
		return err
	}
	b.colUse.pending = append(b.colUse.pending, pendingColumns{t: t, need: missing, cols: cols, err: err})
	return nil
}

// noteRead records that the statement reads column c, when it is a table's.
func (b *Binder) noteRead(c Column) {
	if b.colUse != nil && c.TableID != 0 && c.Ordinal > 0 {
		note(b.colUse.reads, c.TableID, c.Ordinal)
	}
}

// noteWrites records that the statement writes columns cols (indexes) of t.
func (b *Binder) noteWrites(t *catalog.Table, cols []int) {
	if b.colUse == nil {
		return
	}
	for _, i := range cols {
		note(b.colUse.writes, t.ID, int16(i+1))
	}
}

func note(m map[uint32]map[int16]bool, table uint32, ordinal int16) {
	if m[table] == nil {
		m[table] = map[int16]bool{}
	}
	m[table][ordinal] = true
}

// check verifies the pending tables against the columns the statement used.
func (u *columnUse) check() error {
	for _, p := range u.pending {
		for _, bit := range []catalog.Priv{catalog.PrivSelect, catalog.PrivInsert, catalog.PrivUpdate} {
			if p.need&bit == 0 {
				continue
			}
			used := u.reads[p.t.ID]
			if bit != catalog.PrivSelect {
				used = u.writes[p.t.ID]
			}
			if len(used) == 0 {
				continue // require saw that some column has bit
			}
			for ord := range used {
				if int(ord) > len(p.cols) || p.cols[ord-1]&bit == 0 {
					return p.err
				}
			}
		}
	}
	return nil
}
