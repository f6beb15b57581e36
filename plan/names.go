package plan

import (
	"rustydb/catalog"
	"rustydb/sql"
	"rustydb/sqlerr"
)

// Names in statements resolve through the catalog (catalog.Resolve), with
// the session's search path for unqualified ones. These helpers add what
// differs by where a name appears.

// relation resolves the name of an existing table, view or sequence.
func (b *Binder) relation(n sql.ObjectName) (*catalog.Table, error) {
	t, err := b.Catalog.Resolve(n.Schema, n.Name, b.SearchPath)
	if err == nil {
		err = b.access(t)
	}
	if err != nil {
		return nil, err
	}
	return t, nil
}

func (b *Binder) access(t *catalog.Table) error {
	if b.Access == nil {
		return nil
	}
	return b.Access(t)
}

// queryRelation resolves a table named by a query or a data-changing
// statement. As in PostgreSQL, a schema that does not exist makes the
// relation not exist (42P01) here, where DDL reports the schema (3F000).
func (b *Binder) queryRelation(n sql.ObjectName, pos int) (*catalog.Table, error) {
	t, err := b.Catalog.Resolve(n.Schema, n.Name, b.SearchPath)
	if err != nil {
		return nil, b.errAt(pos, sqlerr.UndefinedTable, "relation %q does not exist", n.String())
	}
	if err := b.access(t); err != nil {
		return nil, err
	}
	return t, nil
}

// creationSchema returns the schema a new relation named n goes to and the
// relation of that name already there, if any.
func (b *Binder) creationSchema(n sql.ObjectName) (schema string, exists *catalog.Table, err error) {
	if schema, err = b.Catalog.CreationSchema(n.Schema, n.Name, b.SearchPath); err != nil {
		return "", nil, err
	}
	return schema, b.Catalog.Lookup(schema, n.Name), nil
}

// systemTable returns the scan of a pg_catalog or information_schema table
// named n, or nil. Unqualified names find pg_catalog's tables (which
// PostgreSQL searches before the search path unless the path names it) and
// information_schema's when the path names that schema.
func (b *Binder) systemTable(n sql.ObjectName, alias string) *SystemScan {
	switch n.Schema {
	case catalog.PgCatalog:
		return systemScan(n.Name, alias)
	case catalog.InformationSchema:
		return systemScan(catalog.InformationSchema+"."+n.Name, alias)
	case "":
		if sys := systemScan(n.Name, alias); sys != nil {
			return sys
		}
		for _, s := range b.SearchPath {
			if s == catalog.InformationSchema {
				return systemScan(catalog.InformationSchema+"."+n.Name, alias)
			}
		}
	}
	return nil
}
