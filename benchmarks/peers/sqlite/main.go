// Command sqlite runs the embedded workloads of the row-store issue on
// RustyDB and on SQLite (mattn/go-sqlite3, cgo) in one process and prints the
// median of three runs (-runs) side by side, the engines taking turns.
//
// Both engines go through database/sql with the same SQL and $n parameters,
// and every run starts from an empty database in a fresh temporary directory.
// Durability is matched: RustyDB fsyncs its WAL at commit (the "local" sync
// mode, which the driver always uses), SQLite runs in WAL mode with
// synchronous=FULL, so each autocommit commit is on disk before it returns.
//
// It is a separate module so that the main module's tests never build cgo.
//
//	make bench-sqlite        # or: cd benchmarks/peers/sqlite && go run .
//	go run . -workloads a -engines RustyDB -cpuprofile a.pprof
package main

import (
	"database/sql"
	"flag"
	"fmt"
	"log"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"slices"
	"strings"
	"sync"
	"time"

	_ "github.com/mattn/go-sqlite3"

	"rustydb"
)

type engine struct {
	name string
	open func(dir string) (*sql.DB, error)
}

var engines = []engine{
	{"RustyDB", func(dir string) (*sql.DB, error) { return sql.Open("rustydb", dir) }},
	{"SQLite", func(dir string) (*sql.DB, error) {
		// busy_timeout makes concurrent writers wait for the write lock instead
		// of failing with SQLITE_BUSY; txlock=immediate takes it at BEGIN so a
		// transaction never has to upgrade a read lock.
		return sql.Open("sqlite3", "file:"+filepath.Join(dir, "bench.db")+
			"?_journal_mode=WAL&_synchronous=FULL&_busy_timeout=10000&_txlock=immediate")
	}},
}

type workload struct {
	name string
	run  func(db *sql.DB) (time.Duration, error)
	// detail is the per-operation figure of a median time.
	detail func(time.Duration) string
}

var workloads = []workload{
	{"a. 100k inserts, one transaction", insertOneTx, func(d time.Duration) string {
		return fmt.Sprintf("%.2f µs/insert", float64(d.Microseconds())/tableRows)
	}},
	{"b. 100k point selects by PK", pointSelects, func(d time.Duration) string {
		return fmt.Sprintf("%.2f µs/select", float64(d.Microseconds())/pointSelectCount)
	}},
	{"c. 10k autocommit inserts", autocommitInserts, func(d time.Duration) string {
		return fmt.Sprintf("%.0f commits/s", autocommitCount/d.Seconds())
	}},
	{"d. 64 writers x 200 autocommit", concurrentWriters, func(d time.Duration) string {
		return fmt.Sprintf("%.0f commits/s", writers*insertsPerWriter/d.Seconds())
	}},
	{"e. 10k-row range scan by index x20", rangeScans, func(d time.Duration) string {
		return fmt.Sprintf("%.2f ms/scan", float64(d.Microseconds())/1000/scanCount)
	}},
}

func main() {
	parent := flag.String("dir", "", "where to create the temporary data directories (default the system temp dir)")
	only := flag.String("workloads", "", "the workloads to run, by letter (a,c; default all)")
	engineList := flag.String("engines", "", "the engines to run (RustyDB,SQLite; default both)")
	reps := flag.Int("runs", 3, "runs of each workload on each engine, taking turns; the median counts")
	verbose := flag.Bool("v", false, "print every run's time, not only the medians")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile of the runs to this file")
	flag.Parse()
	log.SetFlags(0)
	runEngines := engines
	if *engineList != "" {
		runEngines = nil
		for _, e := range engines {
			if slices.Contains(strings.Split(*engineList, ","), e.name) {
				runEngines = append(runEngines, e)
			}
		}
	}
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			log.Fatal(err)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			log.Fatal(err)
		}
		defer pprof.StopCPUProfile()
	}

	if err := printEnv(*parent, *reps); err != nil {
		log.Fatal(err)
	}
	fmt.Printf("\n%-36s %-30s %-30s %s\n", "workload", "RustyDB (median)", "SQLite (median)", "ratio (SQLite/RustyDB)")
	for _, w := range workloads {
		if *only != "" && !slices.Contains(strings.Split(*only, ","), w.name[:1]) {
			continue
		}
		// The engines take turns, run by run, so that a change in the
		// machine's speed during the workload falls on both.
		times := make([][]time.Duration, len(engines))
		errs := make([]error, len(engines))
		for range *reps {
			for i, e := range engines {
				if errs[i] != nil || !slices.ContainsFunc(runEngines, func(r engine) bool { return r.name == e.name }) {
					continue
				}
				d, err := runOnce(*parent, e, w)
				errs[i] = err
				times[i] = append(times[i], d)
				if *verbose && err == nil {
					fmt.Printf("  %s %s: %s\n", w.name[:1], e.name, fmtDuration(d))
				}
			}
		}
		medians := make([]time.Duration, len(engines))
		cells := make([]string, len(engines))
		for i := range engines {
			switch {
			case errs[i] != nil:
				cells[i] = "error: " + errs[i].Error()
			case len(times[i]) == 0:
				cells[i] = "-"
			default:
				slices.Sort(times[i])
				medians[i] = times[i][len(times[i])/2]
				cells[i] = fmtDuration(medians[i]) + " (" + w.detail(medians[i]) + ")"
			}
		}
		ratio := "-"
		if medians[0] > 0 && medians[1] > 0 {
			ratio = fmt.Sprintf("%.2fx", medians[1].Seconds()/medians[0].Seconds())
		}
		fmt.Printf("%-36s %-30s %-30s %s\n", w.name, cells[0], cells[1], ratio)
	}
}

func printEnv(parent string, reps int) error {
	dir, err := os.MkdirTemp(parent, "sqlite-env-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	db, err := engines[1].open(dir)
	if err != nil {
		return err
	}
	defer db.Close()
	// Read the settings back so the line shows what SQLite actually runs with.
	var version, journal string
	var synchronous int
	if err := db.QueryRow("SELECT sqlite_version()").Scan(&version); err != nil {
		return err
	}
	if err := db.QueryRow("PRAGMA journal_mode").Scan(&journal); err != nil {
		return err
	}
	if err := db.QueryRow("PRAGMA synchronous").Scan(&synchronous); err != nil {
		return err
	}
	fmt.Printf("%s %s/%s, GOMAXPROCS=%d, NumCPU=%d, data in %s\n",
		runtime.Version(), runtime.GOOS, runtime.GOARCH, runtime.GOMAXPROCS(0), runtime.NumCPU(), filepath.Dir(dir))
	fmt.Printf("RustyDB %s: WAL sync mode local (fsync at commit)\n", rustydb.Version)
	fmt.Printf("SQLite %s: journal_mode=%s, synchronous=%d (2 = FULL)\n", version, journal, synchronous)
	fmt.Printf("%d runs each, engines taking turns, fresh directory per run; ratio > 1 means RustyDB is faster\n", reps)
	return nil
}

func runOnce(parent string, e engine, w workload) (time.Duration, error) {
	dir, err := os.MkdirTemp(parent, "sqlite-bench-")
	if err != nil {
		return 0, err
	}
	defer os.RemoveAll(dir)
	db, err := e.open(dir)
	if err != nil {
		return 0, err
	}
	defer db.Close()
	// One connection unless a workload asks for more: that is how an embedded
	// application uses either engine, and SQLite serialises writers anyway.
	db.SetMaxOpenConns(1)
	return w.run(db)
}

func fmtDuration(d time.Duration) string {
	if d >= time.Second {
		return fmt.Sprintf("%.2f s", d.Seconds())
	}
	return fmt.Sprintf("%.1f ms", float64(d.Microseconds())/1000)
}

const (
	tableRows        = 100_000
	pointSelectCount = 100_000
	autocommitCount  = 10_000
	writers          = 64
	insertsPerWriter = 200
	scanCount        = 20
	scanRows         = 10_000
)

const createT = "CREATE TABLE t (id INT PRIMARY KEY, name TEXT, v DOUBLE PRECISION)"
const insertT = "INSERT INTO t VALUES ($1, $2, $3)"

// load inserts rows 0..n-1 into t in one transaction.
func load(db *sql.DB, n int) error {
	tx, err := db.Begin()
	if err != nil {
		return err
	}
	defer tx.Rollback()
	st, err := tx.Prepare(insertT)
	if err != nil {
		return err
	}
	for i := range n {
		if _, err := st.Exec(i, fmt.Sprintf("name%d", i), float64(i)+0.5); err != nil {
			return err
		}
	}
	return tx.Commit()
}

func insertOneTx(db *sql.DB) (time.Duration, error) {
	if _, err := db.Exec(createT); err != nil {
		return 0, err
	}
	start := time.Now()
	err := load(db, tableRows)
	return time.Since(start), err
}

func pointSelects(db *sql.DB) (time.Duration, error) {
	if _, err := db.Exec(createT); err != nil {
		return 0, err
	}
	if err := load(db, tableRows); err != nil {
		return 0, err
	}
	st, err := db.Prepare("SELECT name, v FROM t WHERE id = $1")
	if err != nil {
		return 0, err
	}
	defer st.Close()
	// The same seed on both engines, so both look up the same ids.
	rng := rand.New(rand.NewPCG(1, 2))
	var name string
	var v float64
	start := time.Now()
	for range pointSelectCount {
		id := rng.IntN(tableRows)
		if err := st.QueryRow(id).Scan(&name, &v); err != nil {
			return 0, fmt.Errorf("id %d: %w", id, err)
		}
	}
	return time.Since(start), nil
}

func autocommitInserts(db *sql.DB) (time.Duration, error) {
	if _, err := db.Exec(createT); err != nil {
		return 0, err
	}
	st, err := db.Prepare(insertT)
	if err != nil {
		return 0, err
	}
	defer st.Close()
	start := time.Now()
	for i := range autocommitCount {
		if _, err := st.Exec(i, fmt.Sprintf("name%d", i), float64(i)+0.5); err != nil {
			return 0, err
		}
	}
	return time.Since(start), nil
}

// concurrentWriters commits from 64 goroutines at once, which is where a
// group commit can share one fsync between many transactions.
func concurrentWriters(db *sql.DB) (time.Duration, error) {
	db.SetMaxOpenConns(writers)
	db.SetMaxIdleConns(writers) // the default of 2 would reopen connections
	if _, err := db.Exec(createT); err != nil {
		return 0, err
	}
	st, err := db.Prepare(insertT)
	if err != nil {
		return 0, err
	}
	defer st.Close()
	var wg sync.WaitGroup
	errs := make([]error, writers)
	start := time.Now()
	for w := range writers {
		wg.Go(func() {
			for i := range insertsPerWriter {
				id := w*insertsPerWriter + i
				if _, err := st.Exec(id, fmt.Sprintf("name%d", id), float64(id)+0.5); err != nil {
					errs[w] = err
					return
				}
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	for _, err := range errs {
		if err != nil {
			return 0, err
		}
	}
	return elapsed, nil
}

func rangeScans(db *sql.DB) (time.Duration, error) {
	if _, err := db.Exec("CREATE TABLE t (id INT PRIMARY KEY, k INT)"); err != nil {
		return 0, err
	}
	if _, err := db.Exec("CREATE INDEX t_k ON t(k)"); err != nil {
		return 0, err
	}
	tx, err := db.Begin()
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	ins, err := tx.Prepare("INSERT INTO t VALUES ($1, $2)")
	if err != nil {
		return 0, err
	}
	for i := range tableRows {
		// 7919 is prime to 100,000, so k is a permutation of the ids that
		// scatters each k range across the whole table.
		if _, err := ins.Exec(i, i*7919%tableRows); err != nil {
			return 0, err
		}
	}
	if err := tx.Commit(); err != nil {
		return 0, err
	}
	st, err := db.Prepare("SELECT id, k FROM t WHERE k BETWEEN $1 AND $2")
	if err != nil {
		return 0, err
	}
	defer st.Close()
	rng := rand.New(rand.NewPCG(3, 4))
	start := time.Now()
	for range scanCount {
		lo := rng.IntN(tableRows - scanRows + 1)
		n, err := countRows(st, lo, lo+scanRows-1)
		if err != nil {
			return 0, err
		}
		if n != scanRows {
			return 0, fmt.Errorf("range scan returned %d rows, want %d", n, scanRows)
		}
	}
	return time.Since(start), nil
}

func countRows(st *sql.Stmt, args ...any) (int, error) {
	rows, err := st.Query(args...)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	var n int
	var id, k int64
	for rows.Next() {
		if err := rows.Scan(&id, &k); err != nil {
			return 0, err
		}
		n++
	}
	return n, rows.Err()
}
