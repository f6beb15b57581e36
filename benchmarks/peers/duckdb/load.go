// The -load mode: the bulk-load benchmark of issue 9. It loads TPC-H
// lineitem from its .tbl file with COPY FROM into embedded RustyDB (WAL
// sync off, and with -durable also fsync at commit), DuckDB and, given
// -pgport, a running PostgreSQL (server-side COPY through psql), then
// exports it to Parquet and reads the file back, and prints the times side
// by side. benchmarks/load/run.sh starts the throwaway PostgreSQL for it.
//
// All engines get the same lineitem DDL (with its primary key) and the same
// file, except that PostgreSQL gets a copy without the trailing '|' of each
// line, which it would take for an extra column; the copy is made before
// any timing. The row counts of the loaded tables, and the count and sum
// read back from each engine's Parquet file, are checked equal.

package main

import (
	"context"
	"database/sql"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"

	"rustydb"
	"rustydb/benchmarks/tpchgen"
)

var (
	loadMode = flag.Bool("load", false, "run the bulk-load benchmark (lineitem COPY FROM, export to Parquet, read back) instead of the queries")
	durable  = flag.Bool("durable", true, "with -load, also load RustyDB with the WAL fsynced at commit")
	pgPort   = flag.Int("pgport", 0, "with -load, the port of a running PostgreSQL to compare with (0 = none)")
	pgHost   = flag.String("pghost", "/tmp", "with -load, PostgreSQL's host or socket directory")
	pgWork   = flag.String("pgwork", "", "with -load, a directory the PostgreSQL server can read, for its copy of lineitem.tbl (default the databases' temporary directory)")
)

// countQuery counts the loaded rows on every engine.
const countQuery = "SELECT count(*) FROM lineitem"

// absent marks a step an engine does not have.
const absent time.Duration = -1

// loadRow is one line of the printed table.
type loadRow struct {
	step            string
	rusty, duck, pg time.Duration
}

// runLoad is main for -load.
func runLoad() error {
	ctx := context.Background()
	guardMemory()
	if *dataDir == "" {
		return errors.New("-load needs -dir, the directory of the .tbl files (generated there when missing)")
	}
	opt := tpchgen.Options{SF: *sf, Seed: *seed}
	genNote, err := ensureData(*dataDir, opt)
	if err != nil {
		return err
	}
	tbl := tpchgen.Path(*dataDir, "lineitem")
	st, err := os.Stat(tbl)
	if err != nil {
		return err
	}
	work, err := os.MkdirTemp(*dbParent, "load-db-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	limit.mu.Lock()
	limit.atExit = func() { os.RemoveAll(work) }
	limit.mu.Unlock()
	ddl := lineitemDDL()

	fmt.Printf("%s %s/%s, GOMAXPROCS=%d, NumCPU=%d\n", runtime.Version(), runtime.GOOS, runtime.GOARCH, runtime.GOMAXPROCS(0), runtime.NumCPU())
	fmt.Printf("TPC-H SF %g lineitem: %s, %s (%s); databases in %s\n", *sf, tbl, fmtBytes(st.Size()), genNote, work)

	// DuckDB.
	duck, err := sql.Open("duckdb", filepath.Join(work, "load.duckdb"))
	if err != nil {
		return err
	}
	defer duck.Close()
	duck.SetMaxOpenConns(1)
	if _, err := duck.Exec(fmt.Sprintf("SET threads = %d", *threads)); err != nil {
		return err
	}
	var duckVersion string
	if err := duck.QueryRow("SELECT library_version FROM pragma_version()").Scan(&duckVersion); err != nil {
		return err
	}
	fmt.Printf("RustyDB %s%s embedded; DuckDB %s file-backed, threads=%d\n", rustydb.Version, gitRevision(), duckVersion, *threads)
	duckExec := func(ctx context.Context, q string) error { _, err := duck.ExecContext(ctx, q); return err }
	duckLoad, err := timed(ctx, "DuckDB load", func(ctx context.Context) error {
		if err := duckExec(ctx, ddl); err != nil {
			return err
		}
		return duckExec(ctx, fmt.Sprintf("COPY lineitem FROM %s (DELIMITER '|', HEADER false)", quote(tbl)))
	})
	if err != nil {
		return err
	}

	// RustyDB durable, in a database closed before the next load (whose
	// rows would otherwise be on the heap its garbage collector marks),
	// then with the WAL sync off (the database the export reads).
	var durableLoad time.Duration
	var durableCount cell
	if *durable {
		durableLoad, durableCount, err = loadRustyDurable(ctx, filepath.Join(work, "rusty-durable"), ddl, tbl)
		if err != nil {
			return err
		}
	}
	rdb, err := rustydb.OpenWith(rustydb.Options{Dir: filepath.Join(work, "rusty"), SyncMode: "off"})
	if err != nil {
		return err
	}
	defer rdb.Close()
	rusty := &rustyRunner{db: rdb, s: rdb.NewSession("rustydb")}
	rustyLoad, err := loadRusty(ctx, rusty.s, ddl, tbl)
	if err != nil {
		return err
	}

	// PostgreSQL.
	pgLoad, pgCount := absent, int64(-1)
	if *pgPort > 0 {
		dir := *pgWork
		if dir == "" {
			dir = work
		}
		pgLoad, pgCount, err = loadPostgres(ctx, ddl, tbl, dir)
		if err != nil {
			return err
		}
	}

	// Export to Parquet and read it back.
	rustyFile, duckFile := filepath.Join(work, "rusty.parquet"), filepath.Join(work, "duck.parquet")
	rustyExport, err := timed(ctx, "RustyDB export", func(ctx context.Context) error {
		_, err := rusty.s.Exec(ctx, fmt.Sprintf("COPY lineitem TO %s (FORMAT parquet)", quote(rustyFile)))
		return err
	})
	if err != nil {
		return err
	}
	duckExport, err := timed(ctx, "DuckDB export", func(ctx context.Context) error {
		return duckExec(ctx, fmt.Sprintf("COPY lineitem TO %s (FORMAT parquet)", quote(duckFile)))
	})
	if err != nil {
		return err
	}
	readBack := func(file string) string {
		return fmt.Sprintf("SELECT count(*), sum(l_extendedprice) FROM read_parquet(%s)", quote(file))
	}
	var rustyRead, duckRead result
	rustyReadTime, err := timed(ctx, "RustyDB read_parquet", func(ctx context.Context) (err error) {
		rustyRead, err = rusty.run(ctx, readBack(rustyFile))
		return err
	})
	if err != nil {
		return err
	}
	duckReadTime, err := timed(ctx, "DuckDB read_parquet", func(ctx context.Context) (err error) {
		duckRead, err = duckRun(ctx, duck, readBack(duckFile))
		return err
	})
	if err != nil {
		return err
	}

	// Row counts.
	rustyCount, err := rusty.run(ctx, countQuery)
	if err != nil {
		return err
	}
	duckCount, err := duckRun(ctx, duck, countQuery)
	if err != nil {
		return err
	}

	rows := []loadRow{{"COPY FROM .tbl (RustyDB WAL sync off)", rustyLoad, duckLoad, pgLoad}}
	if *durable {
		rows = append(rows, loadRow{"COPY FROM .tbl (RustyDB WAL fsync)", durableLoad, duckLoad, pgLoad})
	}
	rows = append(rows,
		loadRow{"COPY TO parquet", rustyExport, duckExport, absent},
		loadRow{"read_parquet count+sum", rustyReadTime, duckReadTime, absent})
	fmt.Println()
	fmt.Printf("%-38s %10s %10s %10s %10s %10s\n", "step", "RustyDB", "DuckDB", "PostgreSQL", "R/DuckDB", "R/PG")
	for _, r := range rows {
		fmt.Printf("%-38s %10s %10s %10s %10s %10s\n", r.step, cellTime(r.rusty), cellTime(r.duck), cellTime(r.pg), ratio(r.rusty, r.duck), ratio(r.rusty, r.pg))
	}
	fmt.Println()

	counts := []string{"RustyDB " + rustyCount[0][0].String(), "DuckDB " + duckCount[0][0].String()}
	same := sameCell(rustyCount[0][0], duckCount[0][0])
	if *durable {
		counts = append(counts, "RustyDB durable "+durableCount.String())
		same = same && sameCell(rustyCount[0][0], durableCount)
	}
	if pgCount >= 0 {
		counts = append(counts, fmt.Sprintf("PostgreSQL %d", pgCount))
		same = same && sameCell(rustyCount[0][0], num(float64(pgCount)))
	}
	fmt.Printf("rows loaded: %s (%s)\n", strings.Join(counts, ", "), agree(same))
	status, detail := compare(rustyRead, duckRead)
	fmt.Printf("read back (count, sum of l_extendedprice): RustyDB %v, DuckDB %v (%s%s)\n", rustyRead, duckRead, status, detail)
	fmt.Printf("Parquet files: RustyDB %s, DuckDB %s\n", fileSize(rustyFile), fileSize(duckFile))
	fmt.Println("ratios are RustyDB's time over the peer's: below 1 means RustyDB is faster; DuckDB and PostgreSQL (fsync on) commit durably")
	if pgCount >= 0 {
		fmt.Println("PostgreSQL read a copy of the file with each line's trailing '|' removed (sed, not timed); it has no Parquet support")
	}
	return nil
}

// lineitemDDL is the lineitem statement of the shared schema.
func lineitemDDL() string {
	for _, l := range strings.Split(schema, "\n") {
		if strings.HasPrefix(l, "CREATE TABLE lineitem ") {
			return l
		}
	}
	panic("no lineitem in the schema")
}

// loadRusty creates lineitem on s and times COPY FROM the server file.
func loadRusty(ctx context.Context, s *rustydb.Session, ddl, tbl string) (time.Duration, error) {
	return timed(ctx, "RustyDB load", func(ctx context.Context) error {
		if _, err := s.Exec(ctx, ddl); err != nil {
			return err
		}
		_, err := s.Exec(ctx, fmt.Sprintf("COPY lineitem FROM %s WITH (DELIMITER '|')", quote(tbl)))
		return err
	})
}

// loadRustyDurable loads into a database of its own with the WAL fsynced at
// commit, returns the time and the row count, and removes the database to
// give its memory and disk back before the other steps.
func loadRustyDurable(ctx context.Context, dir, ddl, tbl string) (time.Duration, cell, error) {
	db, err := rustydb.OpenWith(rustydb.Options{Dir: dir, SyncMode: "local"})
	if err != nil {
		return 0, cell{}, err
	}
	defer os.RemoveAll(dir)
	defer db.Close()
	r := &rustyRunner{db: db, s: db.NewSession("rustydb")}
	d, err := loadRusty(ctx, r.s, ddl, tbl)
	if err != nil {
		return 0, cell{}, fmt.Errorf("durable: %w", err)
	}
	count, err := r.run(ctx, countQuery)
	if err != nil {
		return 0, cell{}, fmt.Errorf("durable: %w", err)
	}
	return d, count[0][0], nil
}

// loadPostgres makes PostgreSQL's copy of the file in dir (untimed), then
// times CREATE TABLE and the server-side COPY, and counts the rows.
func loadPostgres(ctx context.Context, ddl, tbl, dir string) (time.Duration, int64, error) {
	stripped := filepath.Join(dir, "lineitem-pg.tbl")
	defer os.Remove(stripped)
	out, err := os.Create(stripped)
	if err != nil {
		return 0, 0, err
	}
	sed := exec.CommandContext(ctx, "sed", "s/|$//", tbl)
	sed.Stdout, sed.Stderr = out, os.Stderr
	err = sed.Run()
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return 0, 0, fmt.Errorf("stripping the trailing '|' for PostgreSQL: %w", err)
	}
	version, err := psql(ctx, "SHOW server_version")
	if err != nil {
		return 0, 0, err
	}
	fsync, err := psql(ctx, "SHOW fsync")
	if err != nil {
		return 0, 0, err
	}
	fmt.Printf("PostgreSQL %s (fsync=%s) on port %d\n", version, fsync, *pgPort)
	if _, err := psql(ctx, "DROP TABLE IF EXISTS lineitem"); err != nil {
		return 0, 0, err
	}
	d, err := timed(ctx, "PostgreSQL load", func(ctx context.Context) error {
		if _, err := psql(ctx, ddl); err != nil {
			return err
		}
		_, err := psql(ctx, fmt.Sprintf("COPY lineitem FROM %s WITH (DELIMITER '|')", quote(stripped)))
		return err
	})
	if err != nil {
		return 0, 0, err
	}
	count, err := psql(ctx, countQuery)
	if err != nil {
		return 0, 0, err
	}
	n, err := strconv.ParseInt(count, 10, 64)
	return d, n, err
}

// psql runs one statement on the -pgport server and returns its unaligned output.
func psql(ctx context.Context, stmt string) (string, error) {
	cmd := exec.CommandContext(ctx, "psql", "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1",
		"-h", *pgHost, "-p", strconv.Itoa(*pgPort), "-U", "postgres", "-d", "postgres", "-c", stmt)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("psql %q: %v: %s", stmt, err, out)
	}
	return strings.TrimSpace(string(out)), nil
}

// timed runs f under the memory guard and returns how long it took. It
// first syncs the file systems, untimed, so that no step pays for writing
// back the files the steps before it left in the page cache.
func timed(ctx context.Context, what string, f func(context.Context) error) (time.Duration, error) {
	syscall.Sync()
	lctx, end := limit.context(ctx)
	start := time.Now()
	err := f(lctx)
	d := time.Since(start)
	if err = end(err); err != nil {
		return 0, fmt.Errorf("%s: %w", what, err)
	}
	return d, nil
}

// quote makes s an SQL string literal.
func quote(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

func cellTime(d time.Duration) string {
	if d == absent {
		return "-"
	}
	return fmtDuration(d)
}

func ratio(a, b time.Duration) string {
	if a == absent || b == absent || b == 0 {
		return "-"
	}
	return fmt.Sprintf("%.2fx", a.Seconds()/b.Seconds())
}

func agree(same bool) string {
	if same {
		return "equal"
	}
	return "MISMATCH"
}

func fileSize(path string) string {
	st, err := os.Stat(path)
	if err != nil {
		return err.Error()
	}
	return fmtBytes(st.Size())
}

func fmtBytes(n int64) string { return fmtKB(n >> 10) }
