package row

import (
	"context"
	"testing"
)

// TestAutovacuum checks that autovacuum waits until the rows made dead since
// the last vacuum exceed 50 + 20% of the table, then removes the dead
// versions and the index entries of those it must keep (in a column
// segment), and that storage.autovacuum = off stops it.
func TestAutovacuum(t *testing.T) {
	s := openStore(t, testOptions(t))
	h := createItems(t, s, "items", idRange(1, 200)...)
	if _, err := s.ColumnizeTable(h); err != nil {
		t.Fatal(err)
	}
	indexEntries := func() int { e, _ := h.IndexUsage(); return e[0] }
	dead := func() int { snap := s.txns.Snapshot(nil); return h.Usage(&snap).Dead }

	tx := s.Begin()
	for id := int64(1); id <= 40; id++ {
		mustDelete(t, tx, h, id)
	}
	mustCommit(t, tx)
	s.autovacuum() // 40 dead of 200: not yet (threshold 90)
	if got := indexEntries(); got != 200 {
		t.Fatalf("after 40 deletes: %d index entries, want 200 (no vacuum yet)", got)
	}

	tx = s.Begin()
	for id := int64(41); id <= 110; id++ {
		v := findVersion(t, h, tx.Snapshot(), id)
		if ok, err := tx.Update(context.Background(), h, v, itemRow(id, "updated")); !ok || err != nil {
			t.Fatalf("update of %d = %v, %v", id, ok, err)
		}
	}
	mustCommit(t, tx)
	if got := indexEntries(); got != 270 {
		t.Fatalf("after 70 updates: %d index entries, want 270", got)
	}
	s.autovacuum() // 110 dead of 270 versions: due (threshold 104)
	if got := indexEntries(); got != 160 {
		t.Errorf("after autovacuum: %d index entries, want 160 (one per live row)", got)
	}
	snap := s.txns.Snapshot(nil)
	if h.Usage(&snap).LastAutovacuum.IsZero() {
		t.Error("autovacuum ran but v$table_statistics.last_autovacuum is not set")
	}
	checkContents(t, s, "items", updatedFrom(41, 110, idRange(41, 200)), "after autovacuum")

	s.SetAutovacuum(false)
	tx = s.Begin()
	for id := int64(111); id <= 200; id++ {
		mustDelete(t, tx, h, id)
	}
	mustCommit(t, tx)
	before := dead()
	s.autovacuum()
	if got := dead(); got != before || got < 90 {
		t.Errorf("autovacuum off: %d dead versions after it, %d before; want them kept", got, before)
	}
}

// updatedFrom returns the default rows of ids with the rows from..to named
// "updated".
func updatedFrom(from, to int64, ids []int64) map[int64]string {
	m := rowsWith(ids...)
	for id := from; id <= to; id++ {
		m[id] = "updated"
	}
	return m
}
