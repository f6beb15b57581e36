// Command duckdb runs TPC-H queries on embedded RustyDB and on DuckDB
// (github.com/duckdb/duckdb-go, cgo) in one process, on the same generated
// data, and prints the median time of each query side by side with a check
// that both engines returned the same rows.
//
// The data comes from rustydb/benchmarks/tpchgen (DuckDB's Go build has no
// tpch extension), so the official answers do not apply: the engines are
// checked against each other instead. Both get the same DDL, with primary
// keys; DuckDB loads with COPY from the files, RustyDB with COPY FROM STDIN
// through Session.CopyFrom followed by VACUUM ANALYZE (which builds the
// column segments the analytical queries read, and the planner's
// statistics). Both keep their database
// in files in a fresh temporary directory; RustyDB runs with WAL sync off.
//
// It is a separate module so that the main module's tests never build cgo.
//
//	make bench-tpch TPCH_FLAGS='-sf 1'   # or: cd benchmarks/peers/duckdb && go run . -sf 1
//
// With -load it runs the bulk-load benchmark of load.go instead.
package main

import (
	"bufio"
	"cmp"
	"context"
	"database/sql"
	"embed"
	"errors"
	"flag"
	"fmt"
	"log"
	"math"
	"math/big"
	"os"
	"os/exec"
	"os/signal"
	"runtime"
	"runtime/metrics"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/duckdb/duckdb-go/v2"

	"rustydb"
	"rustydb/benchmarks/tpchgen"
	"rustydb/types"
)

// The 22 queries as ../shared/tpch/queries has them (DuckDB's tpch
// extension's text), copied so that the module runs on its own.
//
//go:embed queries/*.sql
var queryFiles embed.FS

// schema is the TPC-H DDL of ../shared/tpch/schema_pg.sql (VARCHAR rather
// than CHAR, so neither engine pads) with the specification's primary keys.
const schema = `
CREATE TABLE region   (r_regionkey INTEGER NOT NULL PRIMARY KEY, r_name VARCHAR(25) NOT NULL, r_comment VARCHAR(152));
CREATE TABLE nation   (n_nationkey INTEGER NOT NULL PRIMARY KEY, n_name VARCHAR(25) NOT NULL, n_regionkey INTEGER NOT NULL, n_comment VARCHAR(152));
CREATE TABLE supplier (s_suppkey INTEGER NOT NULL PRIMARY KEY, s_name VARCHAR(25) NOT NULL, s_address VARCHAR(40) NOT NULL, s_nationkey INTEGER NOT NULL, s_phone VARCHAR(15) NOT NULL, s_acctbal DECIMAL(15,2) NOT NULL, s_comment VARCHAR(101) NOT NULL);
CREATE TABLE customer (c_custkey INTEGER NOT NULL PRIMARY KEY, c_name VARCHAR(25) NOT NULL, c_address VARCHAR(40) NOT NULL, c_nationkey INTEGER NOT NULL, c_phone VARCHAR(15) NOT NULL, c_acctbal DECIMAL(15,2) NOT NULL, c_mktsegment VARCHAR(10) NOT NULL, c_comment VARCHAR(117) NOT NULL);
CREATE TABLE part     (p_partkey INTEGER NOT NULL PRIMARY KEY, p_name VARCHAR(55) NOT NULL, p_mfgr VARCHAR(25) NOT NULL, p_brand VARCHAR(10) NOT NULL, p_type VARCHAR(25) NOT NULL, p_size INTEGER NOT NULL, p_container VARCHAR(10) NOT NULL, p_retailprice DECIMAL(15,2) NOT NULL, p_comment VARCHAR(23) NOT NULL);
CREATE TABLE partsupp (ps_partkey INTEGER NOT NULL, ps_suppkey INTEGER NOT NULL, ps_availqty INTEGER NOT NULL, ps_supplycost DECIMAL(15,2) NOT NULL, ps_comment VARCHAR(199) NOT NULL, PRIMARY KEY (ps_partkey, ps_suppkey));
CREATE TABLE orders   (o_orderkey BIGINT NOT NULL PRIMARY KEY, o_custkey INTEGER NOT NULL, o_orderstatus VARCHAR(1) NOT NULL, o_totalprice DECIMAL(15,2) NOT NULL, o_orderdate DATE NOT NULL, o_orderpriority VARCHAR(15) NOT NULL, o_clerk VARCHAR(15) NOT NULL, o_shippriority INTEGER NOT NULL, o_comment VARCHAR(79) NOT NULL);
CREATE TABLE lineitem (l_orderkey BIGINT NOT NULL, l_partkey INTEGER NOT NULL, l_suppkey INTEGER NOT NULL, l_linenumber INTEGER NOT NULL, l_quantity DECIMAL(15,2) NOT NULL, l_extendedprice DECIMAL(15,2) NOT NULL, l_discount DECIMAL(15,2) NOT NULL, l_tax DECIMAL(15,2) NOT NULL, l_returnflag VARCHAR(1) NOT NULL, l_linestatus VARCHAR(1) NOT NULL, l_shipdate DATE NOT NULL, l_commitdate DATE NOT NULL, l_receiptdate DATE NOT NULL, l_shipinstruct VARCHAR(25) NOT NULL, l_shipmode VARCHAR(10) NOT NULL, l_comment VARCHAR(44) NOT NULL, PRIMARY KEY (l_orderkey, l_linenumber));
`

// defaultQueries are all 22.
const defaultQueries = "all"

var (
	sf       = flag.Float64("sf", 1, "TPC-H scale factor (at least 0.01)")
	queryArg = flag.String("queries", defaultQueries, `comma-separated query numbers, or "all"`)
	runs     = flag.Int("runs", 5, "runs of each query per engine; the median is printed")
	threads  = flag.Int("threads", 2, "DuckDB threads")
	workers  = flag.String("workers", "1,2", "comma-separated RustyDB worker counts (max_parallel_workers_per_query) to run each query with; the ratio is taken at -threads")
	dataDir  = flag.String("dir", "", "directory of the generated .tbl files, reused when it already holds them for this -sf and -seed (default a temporary directory)")
	dbParent = flag.String("dbdir", "", "where to create the temporary directory of both databases (default the system temp dir)")
	timeout  = flag.Duration("timeout", 120*time.Second, "per-query limit on either engine; a query that exceeds it prints as timeout")
	seed     = flag.Uint64("seed", 1, "tpchgen seed")
	pool     = flag.Int("pool", 0, "RustyDB buffer pool in 8 KiB pages (0 = the engine's default)")
	maxRSS   = flag.Int("maxrss", 0, "MiB of resident memory past which the running statement is canceled and reported as out of memory (default 80% of MemAvailable at start)")
)

// limit is the memory guard of the run.
var limit guard

func main() {
	flag.Parse()
	log.SetFlags(0)
	if *loadMode {
		if err := runLoad(); err != nil {
			log.Fatal(err)
		}
		return
	}
	queries, err := parseQueries(*queryArg)
	if err != nil {
		log.Fatal(err)
	}
	counts, err := parseWorkers(*workers)
	if err != nil {
		log.Fatal(err)
	}
	if err := run(queries, counts); err != nil {
		log.Fatal(err)
	}
}

// parseWorkers reads -workers: positive counts, ascending.
func parseWorkers(s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 {
			return nil, fmt.Errorf("-workers: %q is not a positive worker count", f)
		}
		out = append(out, n)
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}

func parseQueries(s string) ([]int, error) {
	if s == "all" {
		var all []int
		for q := 1; q <= 22; q++ {
			all = append(all, q)
		}
		return all, nil
	}
	var qs []int
	for _, f := range strings.Split(s, ",") {
		q, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || q < 1 || q > 22 {
			return nil, fmt.Errorf("bad query number %q (want 1..22)", f)
		}
		qs = append(qs, q)
	}
	return qs, nil
}

// guardMemory starts the memory guard at -maxrss, or four fifths of the
// available memory.
func guardMemory() {
	limit.limit = int64(*maxRSS) << 10
	if limit.limit <= 0 {
		limit.limit = meminfo("MemAvailable:") * 4 / 5
	}
	if limit.limit > 0 {
		go limit.run()
	}
}

// ensureData generates the TPC-H tables of opt in dir unless they are
// there, and says which it did.
func ensureData(dir string, opt tpchgen.Options) (string, error) {
	if tpchgen.UpToDate(dir, opt) {
		return "reused", nil
	}
	start := time.Now()
	if err := tpchgen.Generate(dir, opt); err != nil {
		return "", err
	}
	return "generated in " + fmtDuration(time.Since(start)), nil
}

func run(queries, counts []int) error {
	ctx := context.Background()
	guardMemory()
	opt := tpchgen.Options{SF: *sf, Seed: *seed}
	// Temporary directories hold gigabytes at SF 1: they go on every way
	// out, including the memory guard's exit and a signal.
	var temps []string
	defer func() {
		for _, d := range temps {
			os.RemoveAll(d)
		}
	}()
	dir := *dataDir
	if dir == "" {
		d, err := os.MkdirTemp("", "tpch-data-")
		if err != nil {
			return err
		}
		temps = append(temps, d)
		dir = d
	}
	genNote, err := ensureData(dir, opt)
	if err != nil {
		return err
	}

	work, err := os.MkdirTemp(*dbParent, "tpch-db-")
	if err != nil {
		return err
	}
	temps = append(temps, work)
	cleanup := func() {
		for _, d := range temps {
			os.RemoveAll(d)
		}
	}
	limit.mu.Lock()
	limit.atExit = cleanup
	limit.mu.Unlock()
	signals := make(chan os.Signal, 1)
	signal.Notify(signals, os.Interrupt, syscall.SIGTERM)
	go func() {
		sig := <-signals
		fmt.Printf("\n%v: removing the temporary directories and exiting\n", sig)
		cleanup()
		os.Exit(1)
	}()

	duck, err := sql.Open("duckdb", work+"/tpch.duckdb")
	if err != nil {
		return err
	}
	defer duck.Close()
	// One connection: settings such as threads stay on it, and queries run
	// one at a time as on the RustyDB session.
	duck.SetMaxOpenConns(1)
	if _, err := duck.Exec(fmt.Sprintf("SET threads = %d", *threads)); err != nil {
		return err
	}
	var duckVersion, duckThreads, duckMemory string
	if err := duck.QueryRow("SELECT library_version FROM pragma_version()").Scan(&duckVersion); err != nil {
		return err
	}
	if err := duck.QueryRow("SELECT current_setting('threads')::VARCHAR, current_setting('memory_limit')").Scan(&duckThreads, &duckMemory); err != nil {
		return err
	}

	rdb, err := rustydb.OpenWith(rustydb.Options{Dir: work + "/rusty", SyncMode: "off", BufferPoolPages: *pool})
	if err != nil {
		return err
	}
	defer rdb.Close()
	rusty := &rustyRunner{db: rdb, s: rdb.NewSession("rustydb")}

	poolNote := "default"
	if *pool > 0 {
		poolNote = strconv.Itoa(*pool)
	}
	fmt.Printf("%s %s/%s, GOMAXPROCS=%d, NumCPU=%d\n", runtime.Version(), runtime.GOOS, runtime.GOARCH, runtime.GOMAXPROCS(0), runtime.NumCPU())
	fmt.Printf("TPC-H SF %g (tpchgen seed %d, %s) in %s; databases in %s\n", *sf, *seed, genNote, dir, work)
	fmt.Printf("RustyDB %s%s: embedded session, WAL sync off, buffer pool pages %s\n", rustydb.Version, gitRevision(), poolNote)
	fmt.Printf("DuckDB %s: threads=%s, memory_limit=%s, file-backed database\n", duckVersion, duckThreads, duckMemory)
	fmt.Printf("%d run(s) per query and engine, median shown; timeout %v; memory limit %s RSS; ratio > 1 means RustyDB is faster\n\n", *runs, *timeout, fmtKB(limit.limit))

	var mem memory
	mem.start()
	lctx, end := limit.context(ctx)
	duckLoad, err := loadDuckDB(lctx, duck, dir)
	if err = end(err); err != nil {
		return fmt.Errorf("DuckDB load: %w", err)
	}
	duckLoadPeak := mem.peak()
	lctx, end = limit.context(ctx)
	rustyLoad, rustyCopyPeak, rustyAnalyzePeak, err := loadRustyDB(lctx, rusty.s, dir, &mem)
	if err = end(err); err != nil {
		return fmt.Errorf("RustyDB load: %w", err)
	}
	fmt.Printf("%-16s %12s %12s\n", "load", "RustyDB", "DuckDB")
	for i, t := range append(slices.Clone(tpchgen.Tables), "VACUUM ANALYZE", "total") {
		duckTime := fmtDuration(duckLoad[i])
		if t == "VACUUM ANALYZE" {
			duckTime = "-" // DuckDB keeps statistics as it loads
		}
		fmt.Printf("%-16s %12s %12s\n", t, fmtDuration(rustyLoad[i]), duckTime)
	}
	fmt.Printf("%-16s %12s %12s   (of the process, DuckDB loaded first)\n", "peak RSS", fmtKB(rustyCopyPeak), fmtKB(duckLoadPeak))
	fmt.Printf("%-16s %12s\n", "  VACUUM ANALYZE", fmtKB(rustyAnalyzePeak))
	fmt.Println()

	mem.start()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	fmt.Printf("loaded: process RSS %s, of which Go heap in use (RustyDB's) %s\n\n", fmtKB(vmStatus("VmRSS:")), fmtKB(int64(ms.HeapInuse>>10)))

	// The ratio compares RustyDB at DuckDB's thread count, or at its most
	// workers when -workers lacks that count.
	at := len(counts) - 1
	if i := slices.Index(counts, *threads); i >= 0 {
		at = i
	}
	header := []string{"query"}
	for _, w := range counts {
		header = append(header, fmt.Sprintf("RustyDB %dw", w))
	}
	if len(counts) > 1 {
		header = append(header, fmt.Sprintf("%dw/%dw", counts[len(counts)-1], counts[0]))
	}
	header = append(header, fmt.Sprintf("DuckDB %dt", *threads), "ratio", "RustyDB mem", "RustyDB alloc", "DuckDB mem", "rows match")
	printRow := func(cells []string) {
		for i, c := range cells {
			width := 12
			if i == 0 {
				width = 6
			}
			fmt.Printf("%-*s ", width, c)
		}
		fmt.Println()
	}
	printRow(header)
	var notes []string
	var rustyQueryPeak, duckQueryPeak int64
	var speedups []float64
	for _, q := range queries {
		name := fmt.Sprintf("q%02d", q)
		text, err := queryFiles.ReadFile("queries/" + name + ".sql")
		if err != nil {
			return err
		}
		row := []string{name}
		rms := make([]measurement, len(counts))
		var rustyMem int64    // kB above the RSS the query started from, the most over the worker counts
		var rustyAlloc uint64 // Go heap bytes a run allocated, the most over the worker counts
		for i, w := range counts {
			if _, err := rusty.s.Exec(ctx, fmt.Sprintf("SET max_parallel_workers_per_query = %d", w)); err != nil {
				return err
			}
			base, allocs := mem.start(), heapAllocs()
			rms[i] = rusty.measure(ctx, string(text))
			rustyAlloc = max(rustyAlloc, (heapAllocs()-allocs)/uint64(*runs))
			peak := mem.peak()
			rustyQueryPeak = max(rustyQueryPeak, peak)
			rustyMem = max(rustyMem, peak-base)
			row = append(row, rms[i].cell())
		}
		if len(counts) > 1 {
			first, last := rms[0], rms[len(rms)-1]
			speedup := "-"
			if first.err == nil && last.err == nil {
				x := first.median.Seconds() / last.median.Seconds()
				speedups = append(speedups, x)
				speedup = fmt.Sprintf("%.2fx", x)
			}
			row = append(row, speedup)
		}
		rm := rms[at]
		base := mem.start()
		dm := measure(*runs, func() (result, error) { return duckQuery(ctx, duck, string(text)) })
		duckPeak := mem.peak()
		duckQueryPeak = max(duckQueryPeak, duckPeak)
		match := "-"
		if rm.err == nil && dm.err == nil {
			var detail string
			match, detail = compare(rm.res, dm.res)
			if detail != "" {
				notes = append(notes, name+": "+detail)
			}
		}
		for i, m := range rms {
			if m.err != nil {
				notes = append(notes, fmt.Sprintf("%s on RustyDB with %d workers: %v", name, counts[i], m.err))
			}
		}
		if dm.err != nil {
			notes = append(notes, fmt.Sprintf("%s on DuckDB: %v", name, dm.err))
		}
		ratio := "-"
		if rm.err == nil && dm.err == nil {
			ratio = fmt.Sprintf("%.3gx", dm.median.Seconds()/rm.median.Seconds())
		}
		printRow(append(row, dm.cell(), ratio, fmtDelta(rustyMem), fmtKB(int64(max(1, rustyAlloc>>10))), fmtDelta(duckPeak-base), match))
	}
	if len(speedups) > 0 {
		fmt.Printf("\nRustyDB %d workers over %d: geometric mean speedup %.2fx over %d queries\n",
			counts[len(counts)-1], counts[0], geomean(speedups), len(speedups))
	}
	fmt.Println("mem: the peak resident memory of the process while the query's runs ran, above what it held when they began")
	fmt.Println("alloc: the Go heap memory one of RustyDB's runs allocated")
	if rusty.abandoned > 0 {
		notes = append(notes, fmt.Sprintf("%d RustyDB statement(s) did not stop within %v of their timeout and kept running in the background, competing for CPU with the queries after them", rusty.abandoned, cancelGrace))
	}
	if len(notes) > 0 {
		fmt.Println()
		for _, n := range notes {
			fmt.Println(n)
		}
	}
	fmt.Printf("\npeak RSS of the process while running queries on RustyDB: %s, on DuckDB: %s\n",
		fmtKB(rustyQueryPeak), fmtKB(duckQueryPeak))
	fmt.Printf("peak RSS of the process over the whole run: %s (VmHWM%s)\n", fmtKB(mem.max()), mem.note())
	return nil
}

// loadDuckDB creates the schema and loads each table; the durations are
// per table in tpchgen.Tables order, then VACUUM ANALYZE (none) and the total.
func loadDuckDB(ctx context.Context, db *sql.DB, dir string) ([]time.Duration, error) {
	times := make([]time.Duration, len(tpchgen.Tables)+2)
	start := time.Now()
	if _, err := db.ExecContext(ctx, schema); err != nil {
		return nil, err
	}
	for i, t := range tpchgen.Tables {
		begin := time.Now()
		path := strings.ReplaceAll(tpchgen.Path(dir, t), "'", "''")
		if _, err := db.ExecContext(ctx, fmt.Sprintf("COPY %s FROM '%s' (DELIMITER '|', HEADER false)", t, path)); err != nil {
			return nil, fmt.Errorf("%s: %w", t, err)
		}
		times[i] = time.Since(begin)
	}
	times[len(times)-1] = time.Since(start)
	return times, nil
}

// loadRustyDB does the same with COPY FROM STDIN, then VACUUM ANALYZE:
// column segments for the analytical queries, statistics for the planner. It also returns the peak RSS (kB) of both steps.
func loadRustyDB(ctx context.Context, s *rustydb.Session, dir string, mem *memory) (times []time.Duration, copyPeak, analyzePeak int64, err error) {
	times = make([]time.Duration, len(tpchgen.Tables)+2)
	mem.start()
	start := time.Now()
	if _, err := s.Exec(ctx, schema); err != nil {
		return nil, 0, 0, err
	}
	for i, t := range tpchgen.Tables {
		begin := time.Now()
		f, err := os.Open(tpchgen.Path(dir, t))
		if err != nil {
			return nil, 0, 0, err
		}
		n, err := s.CopyFrom(ctx, "COPY "+t+" FROM STDIN WITH (DELIMITER '|')", bufio.NewReaderSize(f, 1<<20))
		f.Close()
		if err != nil {
			return nil, 0, 0, fmt.Errorf("%s: %w", t, err)
		}
		if n == 0 {
			return nil, 0, 0, fmt.Errorf("%s: no rows loaded", t)
		}
		times[i] = time.Since(begin)
	}
	copied := time.Since(start)
	copyPeak = mem.peak()
	mem.start() // not timed: it runs a collection
	begin := time.Now()
	if _, err := s.Exec(ctx, "VACUUM ANALYZE"); err != nil {
		return nil, 0, 0, fmt.Errorf("VACUUM ANALYZE: %w", err)
	}
	times[len(times)-2] = time.Since(begin)
	times[len(times)-1] = copied + times[len(times)-2]
	return times, copyPeak, mem.peak(), nil
}

// measurement is the outcome of the runs of one query on one engine.
type measurement struct {
	median   time.Duration
	res      result // of the last run
	err      error
	timedOut bool
	oom      bool // canceled by the memory guard
}

func (m measurement) cell() string {
	switch {
	case m.timedOut:
		return "timeout"
	case m.oom:
		return "out of memory"
	case m.err != nil:
		return "error"
	}
	return fmtDuration(m.median)
}

// measure runs f up to n times and stops at the first failure: a query
// that timed out once would only time out again.
func measure(n int, f func() (result, error)) measurement {
	var m measurement
	times := make([]time.Duration, 0, n)
	for range n {
		start := time.Now()
		res, err := f()
		d := time.Since(start)
		if err != nil {
			m.err = err
			m.timedOut = errors.Is(err, errTimeout) || errors.Is(err, context.DeadlineExceeded)
			m.oom = errors.Is(err, errMemory)
			return m
		}
		times = append(times, d)
		m.res = res
	}
	slices.Sort(times)
	m.median = times[len(times)/2]
	return m
}

var errTimeout = errors.New("timeout")

// cancelGrace is how long a canceled RustyDB statement may take to notice.
const cancelGrace = 30 * time.Second

// rustyRunner runs queries on a RustyDB session with the -timeout limit.
type rustyRunner struct {
	db        *rustydb.DB
	s         *rustydb.Session
	abandoned int
}

func (r *rustyRunner) measure(ctx context.Context, query string) measurement {
	return measure(*runs, func() (result, error) { return r.query(ctx, query) })
}

// query runs the statement in a goroutine, so that the benchmark goes on
// even if the engine misses the cancellation: then the session, which one
// goroutine at a time may use, is left to it and a new one takes over.
func (r *rustyRunner) query(ctx context.Context, query string) (result, error) {
	ctx, end := limit.context(ctx)
	res, err := r.run(ctx, query)
	return res, end(err)
}

func (r *rustyRunner) run(ctx context.Context, query string) (result, error) {
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	type outcome struct {
		rows *rustydb.Rows
		err  error
	}
	done := make(chan outcome, 1)
	s := r.s
	go func() {
		rows, err := s.Query(ctx, query)
		done <- outcome{rows, err}
	}()
	var o outcome
	select {
	case o = <-done:
	case <-ctx.Done():
		select {
		case o = <-done:
			if o.err == nil {
				// Finished just as it was canceled: still too slow (or big).
				o.err = context.Cause(ctx)
			}
		case <-time.After(cancelGrace):
			r.abandoned++
			r.s = r.db.NewSession("rustydb")
			return nil, fmt.Errorf("canceled (%w), and the statement did not stop within %v", context.Cause(ctx), cancelGrace)
		}
	}
	if o.err != nil {
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return nil, fmt.Errorf("%w after %v (%v)", errTimeout, *timeout, o.err)
		}
		return nil, o.err
	}
	res := make(result, 0, o.rows.Len())
	for o.rows.Next() {
		vals := o.rows.Values()
		row := make([]cell, len(vals))
		for i, v := range vals {
			row[i] = rustyCell(v)
		}
		res = append(res, row)
	}
	return res, nil
}

func duckQuery(ctx context.Context, db *sql.DB, query string) (result, error) {
	ctx, end := limit.context(ctx)
	res, err := duckRun(ctx, db, query)
	return res, end(err)
}

func duckRun(ctx context.Context, db *sql.DB, query string) (result, error) {
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	rows, err := db.QueryContext(ctx, query)
	if err != nil {
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return nil, fmt.Errorf("%w after %v (%v)", errTimeout, *timeout, err)
		}
		return nil, err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return nil, err
	}
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	var res result
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		row := make([]cell, len(vals))
		for i, v := range vals {
			row[i] = duckCell(v)
		}
		res = append(res, row)
	}
	if err := rows.Err(); err != nil {
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return nil, fmt.Errorf("%w after %v (%v)", errTimeout, *timeout, err)
		}
		return nil, err
	}
	return res, nil
}

// cell is a result value reduced to what both engines can agree on:
// numbers of any type as float64, dates as ISO text, the rest as text.
type cell struct {
	null  bool
	isNum bool
	f     float64
	s     string
}

type result [][]cell

func (c cell) String() string {
	switch {
	case c.null:
		return "NULL"
	case c.isNum:
		return strconv.FormatFloat(c.f, 'f', -1, 64)
	}
	return strconv.Quote(c.s)
}

func num(f float64) cell { return cell{isNum: true, f: f} }
func text(s string) cell { return cell{s: s} }

func rustyCell(v types.Value) cell {
	switch v.K {
	case types.KNull:
		return cell{null: true}
	case types.KInt, types.KFloat, types.KDecimal:
		return num(v.Float())
	case types.KText:
		return text(v.S)
	case types.KBool:
		return text(strconv.FormatBool(v.Bool()))
	case types.KDate:
		return text(time.UnixMicro(v.I * 86400 * 1_000_000).UTC().Format(time.DateOnly))
	}
	return text(types.Format(v))
}

func duckCell(v any) cell {
	switch v := v.(type) {
	case nil:
		return cell{null: true}
	case int8:
		return num(float64(v))
	case int16:
		return num(float64(v))
	case int32:
		return num(float64(v))
	case int64:
		return num(float64(v))
	case uint8:
		return num(float64(v))
	case uint16:
		return num(float64(v))
	case uint32:
		return num(float64(v))
	case uint64:
		return num(float64(v))
	case float32:
		return num(float64(v))
	case float64:
		return num(v)
	case duckdb.Decimal:
		return num(v.Float64())
	case *big.Int:
		f, _ := new(big.Float).SetInt(v).Float64()
		return num(f)
	case string:
		return text(v)
	case []byte:
		return text(string(v))
	case bool:
		return text(strconv.FormatBool(v))
	case time.Time:
		if v.Hour() == 0 && v.Minute() == 0 && v.Second() == 0 && v.Nanosecond() == 0 {
			return text(v.Format(time.DateOnly))
		}
		return text(v.Format("2006-01-02 15:04:05.999999"))
	}
	return text(fmt.Sprint(v))
}

func compareCells(a, b cell) int {
	switch {
	case a.null || b.null:
		return cmp.Compare(btoi(!a.null), btoi(!b.null))
	case a.isNum && b.isNum:
		return cmp.Compare(a.f, b.f)
	case a.isNum != b.isNum:
		return cmp.Compare(btoi(!a.isNum), btoi(!b.isNum))
	}
	return strings.Compare(a.s, b.s)
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

func sameCell(a, b cell) bool {
	switch {
	case a.null || b.null:
		return a.null == b.null
	case a.isNum && b.isNum:
		return a.f == b.f || math.Abs(a.f-b.f) <= 1e-6*max(math.Abs(a.f), math.Abs(b.f))
	case a.isNum != b.isNum:
		return false
	}
	return a.s == b.s
}

// compare sorts both results (ORDER BY ties may come out in either order)
// and compares them cell by cell, numbers within 1e-6 relative. It returns
// the table's cell and, on a difference, a line that shows the first one.
func compare(rusty, duck result) (string, string) {
	sortRows := func(r result) result {
		r = slices.Clone(r)
		slices.SortStableFunc(r, func(a, b []cell) int {
			for i := range min(len(a), len(b)) {
				if c := compareCells(a[i], b[i]); c != 0 {
					return c
				}
			}
			return cmp.Compare(len(a), len(b))
		})
		return r
	}
	if len(rusty) != len(duck) {
		return fmt.Sprintf("NO: %d vs %d rows", len(rusty), len(duck)),
			fmt.Sprintf("RustyDB returned %d rows, DuckDB %d", len(rusty), len(duck))
	}
	r, d := sortRows(rusty), sortRows(duck)
	for i := range r {
		if len(r[i]) != len(d[i]) {
			return "NO: columns", fmt.Sprintf("RustyDB returned %d columns, DuckDB %d", len(r[i]), len(d[i]))
		}
		for j := range r[i] {
			if !sameCell(r[i][j], d[i][j]) {
				return fmt.Sprintf("NO: row %d", i+1),
					fmt.Sprintf("first difference (both sorted) at row %d column %d: RustyDB %v, DuckDB %v\n  RustyDB row: %v\n  DuckDB row:  %v",
						i+1, j+1, r[i][j], d[i][j], r[i], d[i])
			}
		}
	}
	return fmt.Sprintf("yes (%d rows)", len(r)), ""
}

// gitRevision names the commit the engine was built from, when run in its
// repository: the engine changes fast, and figures mean little without it.
func gitRevision() string {
	rev, err := exec.Command("git", "rev-parse", "--short", "HEAD").Output()
	if err != nil {
		return ""
	}
	note := ""
	if st, err := exec.Command("git", "status", "--porcelain", "--untracked-files=no").Output(); err == nil && len(st) > 0 {
		note = ", with uncommitted changes"
	}
	return " (git " + strings.TrimSpace(string(rev)) + note + ")"
}

func fmtDuration(d time.Duration) string {
	switch {
	case d >= time.Second:
		return fmt.Sprintf("%.2f s", d.Seconds())
	case d >= time.Millisecond:
		return fmt.Sprintf("%.1f ms", float64(d.Microseconds())/1000)
	}
	return fmt.Sprintf("%d µs", d.Microseconds())
}

// memory follows the process's peak resident set size by phase: the
// kernel's high-water mark (VmHWM) is reset before a phase (clear_refs 5)
// and read after it. DuckDB allocates outside the Go heap, so only the
// kernel's figure covers both engines; and as both live in one process, a
// phase's peak includes what the other engine keeps resident.
type memory struct {
	overall int64 // kB, the maximum over the phases so far
	noReset bool
}

// start begins a phase, first collecting the Go heap's garbage so that a
// phase does not inherit the previous one's; it returns the resident
// memory (kB) the phase starts from. The freed memory stays mapped for the
// phase to reuse, as DuckDB's allocator keeps what it freed: returning it
// to the kernel (debug.FreeOSMemory) would make RustyDB alone fault in
// every page it allocates anew.
func (m *memory) start() int64 {
	m.peak() // fold the previous phase into overall before the reset
	runtime.GC()
	if os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) != nil {
		m.noReset = true
	}
	return vmStatus("VmRSS:")
}

// heapAllocs is the Go heap's bytes allocated since the process started:
// RustyDB's allocations, DuckDB allocating outside the Go heap.
func heapAllocs() uint64 {
	s := []metrics.Sample{{Name: "/gc/heap/allocs:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

// fmtDelta formats a change of kB with its sign.
func fmtDelta(kb int64) string {
	switch {
	case kb < 0:
		return "-" + fmtKB(-kb)
	case kb == 0: // fmtKB's 0 is a figure it could not read
		return "+0 MiB"
	}
	return "+" + fmtKB(kb)
}

// geomean is the geometric mean of xs.
func geomean(xs []float64) float64 {
	sum := 0.0
	for _, x := range xs {
		sum += math.Log(x)
	}
	return math.Exp(sum / float64(len(xs)))
}

// peak returns the phase's peak in kB.
func (m *memory) peak() int64 {
	kb := vmHWM()
	m.overall = max(m.overall, kb)
	return kb
}

func (m *memory) max() int64 {
	m.peak()
	return m.overall
}

func (m *memory) note() string {
	if m.noReset {
		return "; it could not be reset, so phase peaks are cumulative"
	}
	return ""
}

func vmHWM() int64 { return vmStatus("VmHWM:") }

// vmStatus reads a kB figure of /proc/self/status.
func vmStatus(field string) int64 { return procKB("/proc/self/status", field) }

// meminfo reads a kB figure of /proc/meminfo.
func meminfo(field string) int64 { return procKB("/proc/meminfo", field) }

func procKB(path, field string) int64 {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, field); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return kb
		}
	}
	return 0
}

// errMemory marks a statement that the memory guard canceled.
var errMemory = errors.New("out of memory")

// guard cancels the running statement when the process's resident set
// passes its limit, so that a query that needs more memory than the machine
// has fails by itself rather than bringing the kernel's OOM killer onto the
// machine's other processes. Should memory grow on to 10% past the limit
// regardless, the process exits.
type guard struct {
	limit   int64 // kB
	mu      sync.Mutex
	cancel  context.CancelCauseFunc
	tripped int64 // RSS in kB when it canceled the statement, or 0
	atExit  func()
}

func (g *guard) run() {
	for range time.Tick(50 * time.Millisecond) {
		rss := vmStatus("VmRSS:")
		if rss > g.limit+g.limit/10 {
			fmt.Printf("\nresident memory %s is 10%% past the limit of %s: exiting\n", fmtKB(rss), fmtKB(g.limit))
			g.mu.Lock() // the main goroutine may be setting atExit
			atExit := g.atExit
			g.mu.Unlock()
			if atExit != nil {
				atExit()
			}
			os.Exit(3)
		}
		if rss > g.limit {
			g.mu.Lock()
			if g.cancel != nil && g.tripped == 0 {
				g.tripped = rss
				g.cancel(errMemory)
			}
			g.mu.Unlock()
		}
	}
}

// context returns ctx made cancelable by the guard, and the function that
// ends the statement, turning its error into errMemory if the guard
// canceled it.
func (g *guard) context(ctx context.Context) (context.Context, func(error) error) {
	ctx, cancel := context.WithCancelCause(ctx)
	g.mu.Lock()
	g.cancel, g.tripped = cancel, 0
	g.mu.Unlock()
	return ctx, func(err error) error {
		g.mu.Lock()
		tripped := g.tripped
		g.cancel, g.tripped = nil, 0
		g.mu.Unlock()
		cancel(nil)
		if tripped > 0 && err != nil {
			return fmt.Errorf("%w: the process reached %s RSS, over the limit of %s (%v)", errMemory, fmtKB(tripped), fmtKB(g.limit), err)
		}
		return err
	}
}

func fmtKB(kb int64) string {
	switch {
	case kb == 0:
		return "unknown"
	case kb >= 1<<20:
		return fmt.Sprintf("%.1f GiB", float64(kb)/(1<<20))
	}
	return fmt.Sprintf("%d MiB", kb>>10)
}
