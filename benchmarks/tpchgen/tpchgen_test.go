package tpchgen

import (
	"bufio"
	"bytes"
	"math"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
)

// readTable returns the rows of a generated table split into fields.
func readTable(t *testing.T, dir, table string) [][]string {
	t.Helper()
	f, err := os.Open(Path(dir, table))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var rows [][]string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		rows = append(rows, strings.Split(sc.Text(), "|"))
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return rows
}

func num(t *testing.T, s string) float64 {
	t.Helper()
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func day(t *testing.T, s string) int {
	t.Helper()
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		t.Fatal(err)
	}
	return int(d.Unix() / 86400)
}

func TestGenerate(t *testing.T) {
	dir := t.TempDir()
	opt := Options{SF: 0.01, Seed: 1}
	if err := Generate(dir, opt); err != nil {
		t.Fatal(err)
	}
	if !UpToDate(dir, opt) || UpToDate(dir, Options{SF: 0.01, Seed: 2}) {
		t.Error("UpToDate does not match the manifest")
	}
	columns := map[string]int{"region": 3, "nation": 4, "supplier": 7, "customer": 8,
		"part": 9, "partsupp": 5, "orders": 9, "lineitem": 16}
	tables := map[string][][]string{}
	for _, name := range Tables {
		rows := readTable(t, dir, name)
		tables[name] = rows
		for i, r := range rows {
			if len(r) != columns[name] {
				t.Fatalf("%s row %d has %d fields, want %d: %q", name, i, len(r), columns[name], r)
			}
		}
		want := Rows(name, 0.01)
		got := int64(len(rows))
		if name == "lineitem" {
			// 1..7 lines per order: 15,000 orders give 60,000 ± a few hundred.
			if math.Abs(float64(got-want)) > 0.02*float64(want) {
				t.Errorf("lineitem: %d rows, want about %d", got, want)
			}
		} else if got != want {
			t.Errorf("%s: %d rows, want %d", name, got, want)
		}
	}
	want := map[string]int64{"supplier": 100, "customer": 1500, "part": 2000, "partsupp": 8000, "orders": 15000}
	for name, n := range want {
		if int64(len(tables[name])) != n {
			t.Errorf("%s: %d rows, want %d", name, len(tables[name]), n)
		}
	}

	// Every line item's part and supplier is a PARTSUPP row.
	partsupp := map[string]bool{}
	for _, r := range tables["partsupp"] {
		k := r[0] + "|" + r[1]
		if partsupp[k] {
			t.Fatalf("duplicate partsupp key %s", k)
		}
		partsupp[k] = true
	}
	type order struct {
		date        int
		status      string
		total       float64
		lines, open int
		sumCharge   float64
	}
	orders := map[string]*order{}
	for _, r := range tables["orders"] {
		if orders[r[0]] != nil {
			t.Fatalf("duplicate order key %s", r[0])
		}
		if c, _ := strconv.Atoi(r[1]); c%3 == 0 {
			t.Errorf("order %s belongs to customer %d, a multiple of 3", r[0], c)
		}
		orders[r[0]] = &order{date: day(t, r[4]), status: r[2], total: num(t, r[3])}
	}
	current := day(t, "1995-06-17")
	flags := map[string]int{}
	for _, r := range tables["lineitem"] {
		o := orders[r[0]]
		if o == nil {
			t.Fatalf("line item of missing order %s", r[0])
		}
		if !partsupp[r[1]+"|"+r[2]] {
			t.Fatalf("line item part %s supplier %s is not in partsupp", r[1], r[2])
		}
		o.lines++
		if ln, _ := strconv.Atoi(r[3]); ln != o.lines {
			t.Fatalf("order %s: line number %d, want %d", r[0], ln, o.lines)
		}
		qty, price, disc, tax := num(t, r[4]), num(t, r[5]), num(t, r[6]), num(t, r[7])
		if qty < 1 || qty > 50 || qty != math.Trunc(qty) || disc < 0 || disc > 0.10 || tax < 0 || tax > 0.08 {
			t.Fatalf("quantity/discount/tax out of range: %q", r)
		}
		pk, _ := strconv.ParseInt(r[1], 10, 64)
		if math.Abs(price-qty*float64(retailPrice(pk))/100) > 0.005 {
			t.Fatalf("extended price %v is not %v x retail price of part %d", price, qty, pk)
		}
		ship, commit, receipt := day(t, r[10]), day(t, r[11]), day(t, r[12])
		if d := ship - o.date; d < 1 || d > 121 {
			t.Fatalf("ship date %d days after the order", d)
		}
		if d := commit - o.date; d < 30 || d > 90 {
			t.Fatalf("commit date %d days after the order", d)
		}
		if d := receipt - ship; d < 1 || d > 30 {
			t.Fatalf("receipt date %d days after shipping", d)
		}
		flags[r[8]]++
		if (r[8] == "N") != (receipt > current) {
			t.Fatalf("return flag %s with receipt date %s", r[8], r[12])
		}
		if (r[9] == "O") != (ship > current) {
			t.Fatalf("line status %s with ship date %s", r[9], r[10])
		}
		if r[9] == "O" {
			o.open++
		}
		o.sumCharge += price * (1 - disc) * (1 + tax)
	}
	if flags["R"] == 0 || flags["A"] == 0 || flags["N"] == 0 {
		t.Errorf("return flags %v", flags)
	}
	for key, o := range orders {
		if o.lines < 1 || o.lines > 7 {
			t.Fatalf("order %s has %d lines", key, o.lines)
		}
		want := "P"
		if o.open == 0 {
			want = "F"
		} else if o.open == o.lines {
			want = "O"
		}
		if o.status != want {
			t.Fatalf("order %s status %s, want %s", key, o.status, want)
		}
		// dbgen truncates to cents twice per line, hence the slack.
		if math.Abs(o.total-o.sumCharge) > 0.03*float64(o.lines) {
			t.Fatalf("order %s total %v, lines sum to %v", key, o.total, o.sumCharge)
		}
		if o.date > day(t, "1998-08-02") || o.date < day(t, "1992-01-01") {
			t.Fatalf("order date out of range")
		}
	}
	// Some LIKE predicates of the queries must find rows.
	count := func(table string, col int, f func(string) bool) int {
		n := 0
		for _, r := range tables[table] {
			if f(r[col]) {
				n++
			}
		}
		return n
	}
	if n := count("part", 1, func(s string) bool { return strings.Contains(s, "green") }); n < 50 {
		t.Errorf("%d part names contain green", n)
	}
	if n := count("part", 4, func(s string) bool { return strings.HasSuffix(s, "BRASS") }); n < 200 {
		t.Errorf("%d part types end in BRASS", n)
	}
	if n := count("orders", 8, func(s string) bool {
		i := strings.Index(s, "special")
		return i >= 0 && strings.Contains(s[i:], "requests")
	}); n < 50 || n > 500 {
		t.Errorf("%d order comments match %%special%%requests%%", n)
	}
	for _, r := range tables["customer"] {
		n, _ := strconv.Atoi(r[3])
		if !strings.HasPrefix(r[4], strconv.Itoa(n+10)+"-") {
			t.Fatalf("customer phone %s does not start with its country code", r[4])
		}
	}
}

// TestDeterministic checks that the output depends on the seed only, not on
// how many workers generated it.
func TestDeterministic(t *testing.T) {
	a, b := t.TempDir(), t.TempDir()
	if err := Generate(a, Options{SF: 0.01, Seed: 7, Workers: 1}); err != nil {
		t.Fatal(err)
	}
	if err := Generate(b, Options{SF: 0.01, Seed: 7, Workers: 3}); err != nil {
		t.Fatal(err)
	}
	for _, name := range Tables {
		x, _ := os.ReadFile(Path(a, name))
		y, _ := os.ReadFile(Path(b, name))
		if len(x) == 0 || !bytes.Equal(x, y) {
			t.Errorf("%s differs between runs (%d and %d bytes)", name, len(x), len(y))
		}
	}
}
