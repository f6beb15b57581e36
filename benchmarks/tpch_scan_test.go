package benchmarks

import (
	"bufio"
	"context"
	"os"
	"strconv"
	"strings"
	"testing"

	"rustydb"
	"rustydb/benchmarks/tpchgen"
)

// TPC-H Q1 and Q6 as the specification writes them (substitution values of
// the validation run).
const (
	tpchQ1 = `select /*+ HINT */ l_returnflag, l_linestatus, sum(l_quantity) as sum_qty, sum(l_extendedprice) as sum_base_price,
	sum(l_extendedprice * (1 - l_discount)) as sum_disc_price, sum(l_extendedprice * (1 - l_discount) * (1 + l_tax)) as sum_charge,
	avg(l_quantity) as avg_qty, avg(l_extendedprice) as avg_price, avg(l_discount) as avg_disc, count(*) as count_order
from lineitem where l_shipdate <= date '1998-12-01' - interval '90' day
group by l_returnflag, l_linestatus order by l_returnflag, l_linestatus`
	tpchQ6 = `select /*+ HINT */ sum(l_extendedprice * l_discount) as revenue from lineitem
where l_shipdate >= date '1994-01-01' and l_shipdate < date '1994-01-01' + interval '1' year
	and l_discount between 0.06 - 0.01 and 0.06 + 0.01 and l_quantity < 24`
	lineitemDDL = `CREATE TABLE lineitem (l_orderkey BIGINT NOT NULL, l_partkey INTEGER NOT NULL, l_suppkey INTEGER NOT NULL,
	l_linenumber INTEGER NOT NULL, l_quantity DECIMAL(15,2) NOT NULL, l_extendedprice DECIMAL(15,2) NOT NULL,
	l_discount DECIMAL(15,2) NOT NULL, l_tax DECIMAL(15,2) NOT NULL, l_returnflag VARCHAR(1) NOT NULL,
	l_linestatus VARCHAR(1) NOT NULL, l_shipdate DATE NOT NULL, l_commitdate DATE NOT NULL, l_receiptdate DATE NOT NULL,
	l_shipinstruct VARCHAR(25) NOT NULL, l_shipmode VARCHAR(10) NOT NULL, l_comment VARCHAR(44) NOT NULL,
	PRIMARY KEY (l_orderkey, l_linenumber))`
)

// BenchmarkTPCHScan loads TPC-H lineitem (scale factor RUSTYDB_BENCH_SF,
// default 0.1; data kept in RUSTYDB_BENCH_TPCH_DIR when set), columnizes it
// with VACUUM, and runs Q1 and Q6 on the row path and on the column path
// with 1 and 2 workers; one op is one query.
func BenchmarkTPCHScan(b *testing.B) {
	sf := 0.1
	if s := os.Getenv("RUSTYDB_BENCH_SF"); s != "" {
		var err error
		if sf, err = strconv.ParseFloat(s, 64); err != nil {
			b.Fatal(err)
		}
	}
	dataDir := os.Getenv("RUSTYDB_BENCH_TPCH_DIR")
	if dataDir == "" {
		dataDir = b.TempDir()
	}
	opt := tpchgen.Options{SF: sf, Seed: 1}
	if !tpchgen.UpToDate(dataDir, opt) {
		if err := tpchgen.Generate(dataDir, opt); err != nil {
			b.Fatal(err)
		}
	}
	db, err := rustydb.OpenWith(rustydb.Options{Dir: b.TempDir(), SyncMode: "off"})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	s := db.NewSession("rustydb")
	defer s.Close()
	if _, err := s.Exec(ctx, lineitemDDL); err != nil {
		b.Fatal(err)
	}
	f, err := os.Open(tpchgen.Path(dataDir, "lineitem"))
	if err != nil {
		b.Fatal(err)
	}
	_, err = s.CopyFrom(ctx, "COPY lineitem FROM STDIN WITH (DELIMITER '|')", bufio.NewReaderSize(f, 1<<20))
	f.Close()
	if err != nil {
		b.Fatal(err)
	}
	if _, err := s.Exec(ctx, "VACUUM lineitem"); err != nil {
		b.Fatal(err)
	}
	for _, q := range []struct{ name, text string }{{"Q1", tpchQ1}, {"Q6", tpchQ6}} {
		for _, path := range []struct{ name, setting, hint string }{
			{"row", "off", "NO_PARALLEL"},
			{"column-1", "on", "NO_PARALLEL"},
			{"column-2", "on", "PARALLEL(2)"},
		} {
			b.Run(q.name+"/"+path.name, func(b *testing.B) {
				if _, err := s.Exec(ctx, "SET enable_columnar_scan = "+path.setting); err != nil {
					b.Fatal(err)
				}
				query := strings.Replace(q.text, "HINT", path.hint, 1)
				for b.Loop() {
					rs, err := s.Query(ctx, query)
					if err != nil {
						b.Fatal(err)
					}
					for rs.Next() {
					}
				}
			})
		}
	}
}
