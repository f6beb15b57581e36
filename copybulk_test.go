package rustydb

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"rustydb/catalog"
	"rustydb/iouring"
	"rustydb/sqlerr"
)

// bulkFile writes rows from..to-1 of table li in TPC-H's '|' format, the
// row at line bad (if any) holding text in an integer column, and
// returns the file's path.
func bulkFile(t *testing.T, from, to, bad int) string {
	t.Helper()
	var b strings.Builder
	for id := from; id < to; id++ {
		qty := fmt.Sprint(id % 50)
		if id-from+1 == bad {
			qty = "many"
		}
		note := fmt.Sprintf("note %d", id%97)
		if id%13 == 0 {
			note = `\N`
		}
		fmt.Fprintf(&b, "%d|%s|%d.%02d|1998-%02d-%02d|%s|\n", id, qty, id%1000, id%100, 1+id%12, 1+id%28, note)
	}
	path := filepath.Join(t.TempDir(), fmt.Sprintf("li-%d-%d.tbl", from, to))
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// crashAndReopen stops db without a checkpoint, as a crash would, and
// opens its directory again.
func crashAndReopen(t *testing.T, db *DB, opts Options) *DB {
	t.Helper()
	db.closed = true
	close(db.stop)
	if err := db.store.CloseNoCheckpoint(); err != nil {
		t.Fatal(err)
	}
	db, err := OpenWith(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// TestCopyBulkLoad runs COPY FROM past the bulk load threshold: the rows
// are there after a crash with their index, a bad row or a duplicate key
// rolls the whole load back, a REPEATABLE READ snapshot does not see a
// load committed after it, and the column path, reading the segments the
// load built, answers as the row path does.
func TestCopyBulkLoad(t *testing.T) {
	opts := Options{Dir: t.TempDir(), SyncMode: "off", SegmentRows: 1024}
	db, err := OpenWith(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	ctx := context.Background()
	mustExec(t, db, "CREATE TABLE li (id INT PRIMARY KEY, qty INT NOT NULL, price NUMERIC(10,2), day DATE, note VARCHAR(20))")
	copyIn := func(s *Session, path string) error {
		_, err := s.Exec(ctx, fmt.Sprintf("COPY li FROM '%s' WITH (DELIMITER '|')", path))
		return err
	}
	const summary = "SELECT count(*), sum(qty), sum(price), min(day), max(note), count(note) FROM li"
	s := db.NewSession("rustydb")
	copyExec(t, s, fmt.Sprintf("COPY li FROM '%s' WITH (DELIMITER '|')", bulkFile(t, 0, 20000, 0)), "COPY 20000")
	loaded := queryText(t, db, "", summary)
	if !strings.HasPrefix(loaded, "[20000 ") {
		t.Fatalf("after the load: %s", loaded)
	}

	// The segments are the load's, built without a columnizer pass: the
	// column path reads them at once and agrees with the row path.
	plan := queryText(t, db, "SET enable_columnar_scan = on", "EXPLAIN ANALYZE SELECT /*+ NO_PARALLEL */ count(*), sum(price) FROM li")
	if m := regexp.MustCompile(`segments=(\d+)`).FindStringSubmatch(plan); m == nil || m[1] == "0" {
		t.Errorf("no segments right after the load:\n%s", plan)
	}
	for _, q := range []string{summary, "SELECT qty, count(*), sum(price), max(day) FROM li WHERE note IS NOT NULL GROUP BY qty ORDER BY qty"} {
		if col, row := queryText(t, db, "SET enable_columnar_scan = on", q), queryText(t, db, "SET enable_columnar_scan = off", q); col != row {
			t.Errorf("%s: column path\n%s\nrow path\n%s", q, col, row)
		}
	}

	// A bad row, or a key already there, rolls the whole load back.
	err = copyIn(s, bulkFile(t, 20000, 30000, 9000))
	if sqlerr.Code(err) != sqlerr.InvalidTextRepresentation || !strings.Contains(sqlerr.From(err).Detail, "line 9000") {
		t.Errorf("load with a bad row on line 9000: %v (%s)", err, sqlerr.From(err).Detail)
	}
	err = copyIn(s, bulkFile(t, 19990, 30000, 0))
	if sqlerr.Code(err) != sqlerr.UniqueViolation {
		t.Errorf("load of keys already there: %v, want 23505", err)
	}
	if got := queryText(t, db, "", summary); got != loaded {
		t.Errorf("after failed loads: %s, want %s", got, loaded)
	}

	// A snapshot taken before a load does not see it.
	reader := db.NewSession("rustydb")
	for _, q := range []string{"BEGIN ISOLATION LEVEL REPEATABLE READ", "SELECT 1"} {
		if _, err := reader.Exec(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	if err := copyIn(s, bulkFile(t, 30000, 40000, 0)); err != nil {
		t.Fatal(err)
	}
	for _, setting := range []string{"on", "off"} {
		if _, err := reader.Exec(ctx, "SET enable_columnar_scan = "+setting); err != nil {
			t.Fatal(err)
		}
		rs, err := reader.Query(ctx, "SELECT count(*) FROM li")
		if err != nil || !rs.Next() || rs.Values()[0].I != 20000 {
			t.Errorf("repeatable read snapshot, enable_columnar_scan=%s, sees %v rows (%v), want 20000", setting, rs.Values(), err)
		}
	}
	reader.Close()
	loaded = queryText(t, db, "", summary)
	if !strings.HasPrefix(loaded, "[30000 ") {
		t.Fatalf("after the second load: %s", loaded)
	}

	// A crash keeps both loads, with their index.
	db = crashAndReopen(t, db, opts)
	if got := queryText(t, db, "", summary); got != loaded {
		t.Errorf("after a crash: %s, want %s", got, loaded)
	}
	if got := queryText(t, db, "", "SELECT qty, note FROM li WHERE id = 31234"); got != "[34 note 0]\n" {
		t.Errorf("index lookup of a loaded row after a crash: %q", got)
	}
	if _, err := db.Exec(ctx, "INSERT INTO li VALUES (35000, 1, 1, NULL, NULL)"); sqlerr.Code(err) != sqlerr.UniqueViolation {
		t.Errorf("inserting a loaded key after a crash: %v, want 23505", err)
	}
}

// TestCopyBulkLoadFaults fails the bulk load's page writes and its fsync
// at commit: the COPY gets 58030, none of its rows is visible then or
// after a restart, and the table takes writes again.
func TestCopyBulkLoadFaults(t *testing.T) {
	for _, op := range []iouring.Op{iouring.Write, iouring.Sync} {
		t.Run(fmt.Sprint(op), func(t *testing.T) {
			dir := t.TempDir()
			var fs iouring.Faults
			db, err := OpenWith(Options{Dir: dir, SyncMode: "off", IO: iouring.WithFaults(iouring.NewPread(), &fs)})
			if err != nil {
				t.Fatal(err)
			}
			mustExec(t, db, "CREATE TABLE li (id INT PRIMARY KEY, qty INT NOT NULL, price NUMERIC(10,2), day DATE, note VARCHAR(20))")
			mustExec(t, db, "INSERT INTO li VALUES (-1, 1, 1, NULL, NULL)")
			li := db.store.Catalog().Lookup(catalog.Public, "li")
			fs.Add(iouring.Fault{Op: op, Path: filepath.Join(dir, "base", fmt.Sprint(li.ID))})
			_, err = db.Exec(context.Background(), fmt.Sprintf("COPY li FROM '%s' WITH (DELIMITER '|')", bulkFile(t, 0, 10000, 0)))
			if sqlerr.Code(err) != sqlerr.IOError || fs.Fired() == 0 {
				t.Fatalf("COPY under a failing %v: %v (fired %d), want SQLSTATE 58030", op, err, fs.Fired())
			}
			const count = "SELECT count(*) FROM li"
			if got := queryText(t, db, "", count); got != "[1]\n" {
				t.Errorf("after the failed load: %s", got)
			}
			mustExec(t, db, "INSERT INTO li VALUES (-2, 1, 1, NULL, NULL)")
			db.Close()
			if db, err = Open(dir); err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			if got := queryText(t, db, "", count); got != "[2]\n" {
				t.Errorf("after a restart: %s", got)
			}
		})
	}
}
