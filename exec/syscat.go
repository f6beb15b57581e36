package exec

import (
	"rustydb/types"
)

// Fixed OIDs of the system catalogs, as in PostgreSQL.
const (
	oidPgCatalog = 11
	oidPublic    = 2200
	oidInfoSchem = 13000
	oidSuperuser = 10
	oidHeapAM    = 2
	oidBtreeAM   = 403
	// table OIDs start above PostgreSQL's reserved range; index OIDs are
	// derived from them
	oidTableBase = 16384
)

// systemRows computes the rows of a pg_catalog table from the catalog.
func (c *Context) systemRows(name string) [][]types.Value {
	i, t, f := types.NewInt, types.NewText, types.NewFloat
	b := types.NewBool
	switch name {
	case "pg_namespace":
		return [][]types.Value{
			{i(oidPgCatalog), t("pg_catalog"), i(oidSuperuser)},
			{i(oidPublic), t("public"), i(oidSuperuser)},
			{i(oidInfoSchem), t("information_schema"), i(oidSuperuser)},
		}
	case "pg_am":
		return [][]types.Value{{i(oidHeapAM), t("heap"), t("t")}, {i(oidBtreeAM), t("btree"), t("i")}}
	case "pg_class":
		var rows [][]types.Value
		for _, tbl := range c.Store.Catalog().Tables() {
			kind, am := "r", int64(oidHeapAM)
			switch {
			case tbl.IsView():
				kind, am = "v", 0
			case tbl.IsSequence():
				kind, am = "S", 0
			}
			var tuples float64 = -1
			if h := c.Store.Heap(tbl); h != nil && h.Stats() != nil {
				tuples = float64(h.Stats().Rows)
			}
			oid := int64(oidTableBase + tbl.ID*8)
			rows = append(rows, []types.Value{i(oid), t(tbl.Name), i(oidPublic), t(kind), i(oidSuperuser), i(am),
				f(tuples), b(len(tbl.IndexKeys()) > 0), t("p"), b(false), i(int64(len(tbl.Columns)))})
			for k, ix := range tbl.IndexNames() {
				rows = append(rows, []types.Value{i(oid + int64(k) + 1), t(ix), i(oidPublic), t("i"), i(oidSuperuser),
					i(oidBtreeAM), f(-1), b(false), t("p"), b(false), i(0)})
			}
		}
		return rows
	}
	return nil
}
