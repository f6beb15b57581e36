package exec

import (
	"rustydb/catalog"
	"rustydb/column"
	"rustydb/row"
	"rustydb/types"
)

// bulkLoadAfter is how many rows a COPY FROM inserts one by one, logged
// with their values, before it goes on as a bulk load (row.Load): pages
// written straight to the heap file, the rows' locations logged instead
// of their values, column segments built on the way. A small COPY is
// cheaper the ordinary way, which writes no page and fsyncs no heap file
// at commit.
const bulkLoadAfter = 4096

// loadInserter inserts the rows of one COPY FROM into table t (heap h).
type loadInserter struct {
	c    *Context
	t    *catalog.Table
	h    *row.Heap
	n    int
	bulk *row.Load
}

func (c *Context) newLoadInserter(t *catalog.Table, h *row.Heap) *loadInserter {
	return &loadInserter{c: c, t: t, h: h}
}

// insert checks a whole row against t's constraints and inserts it;
// converted marks the values already of their columns' types.
func (ins *loadInserter) insert(vals []types.Value, converted []bool) error {
	c := ins.c
	if err := c.validateConverted(ins.t, vals, nil, converted); err != nil {
		return err
	}
	ins.begin()
	ins.n++
	var err error
	if ins.bulk != nil {
		err = ins.bulk.Add(c.Ctx, vals)
	} else {
		err = c.Tx.Insert(c.Ctx, ins.h, vals)
	}
	if err != nil {
		return err
	}
	return c.canceled()
}

// begin starts the bulk load once the rows inserted one by one are enough.
func (ins *loadInserter) begin() {
	if ins.bulk == nil && ins.n >= bulkLoadAfter && !referencesItself(ins.t) {
		ins.bulk = ins.c.Tx.BulkLoad(ins.h)
	}
}

// insertBuilt inserts row i of src, converted and checked column by
// column (see copycolumns.go), whose tuple is body.
func (ins *loadInserter) insertBuilt(src *column.Builder, i int, body []byte) error {
	if ins.begin(); ins.bulk == nil {
		return ins.insert(src.Values(i), nil)
	}
	ins.n++
	if err := ins.bulk.AddRow(ins.c.Ctx, src, i, body); err != nil {
		return err
	}
	return ins.c.canceled()
}

// finish publishes the rows a bulk load still holds; the statement's
// later commands and the commit see every row once it returns.
func (ins *loadInserter) finish() error {
	if ins.bulk == nil {
		return nil
	}
	return ins.bulk.Finish(ins.c.Ctx)
}

// referencesItself reports whether t has a foreign key to itself: a bulk
// load publishes its rows a chunk at a time, so a row could not find the
// row it references earlier in the same chunk.
func referencesItself(t *catalog.Table) bool {
	for _, fk := range t.ForeignKeys {
		if fk.RefTable == t.ID {
			return true
		}
	}
	return false
}
