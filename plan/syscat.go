package plan

import (
	"rustydb/catalog"
	"rustydb/types"
)

// SystemScan reads a system catalog table (pg_catalog), whose rows the
// executor derives from RustyDB's own catalog when the statement runs.
type SystemScan struct {
	Name string
	Cols []Column
}

func (n *SystemScan) Columns() []Column { return n.Cols }

// systemTables are the pg_catalog tables psql's \d and \dt and drivers read,
// with the columns RustyDB fills in.
var systemTables = map[string][]catalog.Column{
	"pg_namespace": {{Name: "oid", Type: types.TInt8}, {Name: "nspname", Type: types.TText}, {Name: "nspowner", Type: types.TInt8}},
	"pg_class": {{Name: "oid", Type: types.TInt8}, {Name: "relname", Type: types.TText}, {Name: "relnamespace", Type: types.TInt8},
		{Name: "relkind", Type: types.TText}, {Name: "relowner", Type: types.TInt8}, {Name: "relam", Type: types.TInt8},
		{Name: "reltuples", Type: types.TFloat4}, {Name: "relhasindex", Type: types.TBool}, {Name: "relpersistence", Type: types.TText},
		{Name: "relispartition", Type: types.TBool}, {Name: "relnatts", Type: types.TInt2}},
	"pg_am": {{Name: "oid", Type: types.TInt8}, {Name: "amname", Type: types.TText}, {Name: "amtype", Type: types.TText}},
}

func systemScan(name, alias string) *SystemScan {
	cols := systemTables[name]
	if cols == nil {
		return nil
	}
	out := make([]Column, len(cols))
	for i, c := range cols {
		out[i] = Column{Name: c.Name, Type: c.Type, Table: alias}
	}
	return &SystemScan{Name: name, Cols: out}
}
