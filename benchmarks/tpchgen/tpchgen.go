// Package tpchgen generates the eight TPC-H tables at a given scale factor
// as '|'-separated text files, one per table and one row per line with no
// trailing delimiter, ready for COPY ... FROM ... WITH (DELIMITER '|').
//
// It follows the TPC-H specification (clause 4.2): the schema, the
// cardinalities (at scale factor 1: lineitem about 6 million rows, orders
// 1.5 million, partsupp 800,000, part 200,000, customer 150,000, supplier
// 10,000, nation 25, region 5), the key relationships (sparse order keys,
// four suppliers per part chosen by the specification's formula, a third of
// the customers without orders) and the value distributions: order dates
// from 1992-01-01 to 1998-08-02, ship, commit and receipt dates as offsets
// from them, return flags, line and order status derived from the dates,
// prices derived from the part key, the type, container, brand, segment,
// priority and ship-mode word lists, and comments cut from text of the
// specification's grammar with dbgen's word weights, so that the LIKE
// predicates of the queries select about as many rows as on dbgen's data.
//
// It is not dbgen and does not reproduce its output byte for byte: the
// random streams differ, so the official answers (../shared/tpch/answers),
// which are for dbgen's data, do not apply. Use it to time engines against
// each other on the same data. Output is deterministic for a seed and scale
// factor, whatever the number of workers.
package tpchgen

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"sync"
)

// Tables are the table names in load order, referenced tables first.
var Tables = []string{"region", "nation", "supplier", "customer", "part", "partsupp", "orders", "lineitem"}

// Options configures Generate.
type Options struct {
	SF      float64 // scale factor, at least 0.01
	Seed    uint64
	Workers int // goroutines generating rows; 0 means GOMAXPROCS
}

// scale holds the cardinalities the generators need.
type scale struct {
	suppliers, customers, parts, orders, clerks int64
}

func newScale(sf float64) *scale {
	n := func(base float64) int64 { return max(1, int64(math.Round(base*sf))) }
	return &scale{
		suppliers: n(10_000),
		customers: n(150_000),
		parts:     n(200_000),
		orders:    n(1_500_000),
		clerks:    max(1000, n(1000)), // dbgen never has fewer than 1,000 clerks
	}
}

// Rows returns the number of rows of table at scale factor sf. For
// lineitem, which has 1 to 7 rows per order, it is the expected number, 4
// per order; the generated count is within a fraction of a percent of it.
func Rows(table string, sf float64) int64 {
	sc := newScale(sf)
	switch table {
	case "region":
		return 5
	case "nation":
		return 25
	case "supplier":
		return sc.suppliers
	case "customer":
		return sc.customers
	case "part":
		return sc.parts
	case "partsupp":
		return 4 * sc.parts
	case "orders":
		return sc.orders
	case "lineitem":
		return 4 * sc.orders
	}
	return 0
}

// Path returns the file of table in dir.
func Path(dir, table string) string { return filepath.Join(dir, table+".tbl") }

// format changes whenever the generated data would, so that UpToDate does
// not accept files an older generator wrote.
const format = 1

const manifest = "tpchgen.done"

func manifestText(opt Options) string {
	return fmt.Sprintf("tpchgen format %d sf %g seed %d\n", format, opt.SF, opt.Seed)
}

// UpToDate reports whether dir holds all the tables Generate would write
// for opt, completely written.
func UpToDate(dir string, opt Options) bool {
	b, err := os.ReadFile(filepath.Join(dir, manifest))
	if err != nil || string(b) != manifestText(opt) {
		return false
	}
	for _, t := range Tables {
		if _, err := os.Stat(Path(dir, t)); err != nil {
			return false
		}
	}
	return true
}

// job generates one or two tables in chunks of rows keyed 1..rows.
type job struct {
	id    uint64 // part of each chunk's seed, so streams never depend on job order
	files []string
	rows  int64
	per   int64 // rows per chunk
	gen   func(c *chunk, lo, hi int64)
}

// Generate writes the eight tables into dir (created if needed) as
// <table>.tbl. Chunks of rows are generated in parallel, each from its own
// random stream, and written in order.
func Generate(dir string, opt Options) error {
	if !(opt.SF >= 0.01) {
		// Below 100 suppliers the specification's PARTSUPP formula can pick
		// the same supplier twice for a part.
		return fmt.Errorf("tpchgen: scale factor %g is below 0.01", opt.SF)
	}
	workers := opt.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	if err := os.Remove(filepath.Join(dir, manifest)); err != nil && !os.IsNotExist(err) {
		return err
	}
	sc := newScale(opt.SF)
	// The biggest job first, so that the small ones fill in at the end.
	jobs := []job{
		{1, []string{"orders", "lineitem"}, sc.orders, 5000, genOrders},
		{2, []string{"partsupp"}, sc.parts, 5000, genPartSupp},
		{3, []string{"part"}, sc.parts, 20000, genPart},
		{4, []string{"customer"}, sc.customers, 20000, genCustomer},
		{5, []string{"supplier"}, sc.suppliers, 20000, genSupplier},
		{6, []string{"nation"}, 25, 25, genNation},
		{7, []string{"region"}, 5, 5, genRegion},
	}
	pool := textPool(opt.Seed, poolSize)

	type task struct{ job, n int }
	results := make([][]chan [2][]byte, len(jobs))
	for j, jb := range jobs {
		results[j] = make([]chan [2][]byte, (jb.rows+jb.per-1)/jb.per)
		for n := range results[j] {
			results[j][n] = make(chan [2][]byte, 1)
		}
	}
	// The dispatcher takes a token per chunk in chunk order and a writer
	// returns it once the chunk is on disk: memory stays bounded, and the
	// oldest unwritten chunk always holds a token, so nothing deadlocks.
	tokens := make(chan struct{}, 4*workers)
	tasks := make(chan task)
	go func() {
		defer close(tasks)
		for j := range jobs {
			for n := range results[j] {
				tokens <- struct{}{}
				tasks <- task{j, n}
			}
		}
	}()
	var buffers sync.Pool
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for t := range tasks {
				jb := jobs[t.job]
				c := &chunk{r: rand.New(rand.NewPCG(opt.Seed, jb.id<<32|uint64(t.n))), sc: sc, pool: pool}
				if b, ok := buffers.Get().(*[2][]byte); ok {
					c.out = *b
				}
				lo := 1 + int64(t.n)*jb.per
				jb.gen(c, lo, min(lo+jb.per, jb.rows+1))
				results[t.job][t.n] <- c.out
			}
		})
	}
	errs := make([]error, len(jobs))
	for j := range jobs {
		wg.Go(func() {
			errs[j] = write(dir, jobs[j].files, results[j], tokens, &buffers)
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return os.WriteFile(filepath.Join(dir, manifest), []byte(manifestText(opt)), 0o644)
}

// write writes a job's chunks in order to temporary files and renames them
// into place at the end. After an error it keeps draining the chunks, so
// that the tokens they hold come back and the other jobs finish.
func write(dir string, tables []string, chunks []chan [2][]byte, tokens chan struct{}, buffers *sync.Pool) error {
	var err error
	files := make([]*os.File, len(tables))
	for i, t := range tables {
		if err == nil {
			files[i], err = os.Create(Path(dir, t) + ".tmp")
		}
	}
	for _, ch := range chunks {
		out := <-ch
		for i, f := range files {
			if err == nil {
				_, err = f.Write(out[i])
			}
		}
		<-tokens
		out[0], out[1] = out[0][:0], out[1][:0]
		buffers.Put(&out)
	}
	for i, f := range files {
		if f == nil {
			continue
		}
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err == nil {
			err = os.Rename(f.Name(), Path(dir, tables[i]))
		}
	}
	return err
}
