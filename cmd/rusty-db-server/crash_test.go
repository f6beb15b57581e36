package main

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// TestCrashCycles is the row store's crash-safety test. Each cycle six
// writers run random transactions on disjoint id ranges, the server gets
// SIGKILL at a random moment (in half the cycles while checkpoints are being
// requested), and after a restart every writer's rows must be exactly its
// acknowledged commits, a commit whose acknowledgement was lost counting all
// or nothing, and every index must hold exactly the heap's rows. Column
// segments of 256 rows are written by the checkpoints and loaded at start:
// after every restart the column path and the row path must read the same
// rows, and no segment file may fail its checks.
//
// RUSTYDB_CRASH_CYCLES sets the number of cycles (default 3; make crashtest
// runs 50) and RUSTYDB_CRASH_SEED the first cycle's seed, to replay a failure
// (the kill moment still depends on timing).
func TestCrashCycles(t *testing.T) {
	cycles := envInt(t, "RUSTYDB_CRASH_CYCLES", 3)
	seed0 := envInt(t, "RUSTYDB_CRASH_SEED", int(time.Now().UnixNano()%1e9))
	start := time.Now()

	conf := filepath.Join(t.TempDir(), "segments.toml")
	if err := os.WriteFile(conf, []byte("[storage]\nsegment_rows = 256\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	s := startServer(t, filepath.Join(t.TempDir(), "data"), "--config", conf)
	c := s.connect(t)
	mustExec(t, c, "CREATE TABLE acct (id INT PRIMARY KEY, bal INT NOT NULL, tag TEXT)", "CREATE TABLE")
	mustExec(t, c, "CREATE INDEX acct_tag ON acct (tag)", "")
	mustExec(t, c, "CREATE INDEX acct_bal ON acct (bal)", "")
	// The index checks below only mean something if the hints and lookups
	// really go through the index they name.
	for q, want := range map[string]string{
		"SELECT /*+ FULL(acct) */ id FROM acct":            "Seq Scan on acct",
		"SELECT /*+ INDEX(acct acct_pkey) */ id FROM acct": "Index Scan using acct_pkey on acct",
		"SELECT /*+ INDEX(acct acct_tag) */ id FROM acct":  "Index Scan using acct_tag on acct",
		"SELECT /*+ INDEX(acct acct_bal) */ id FROM acct":  "Index Scan using acct_bal on acct",
		"SELECT id FROM acct WHERE id = 1":                 "Index Scan using acct_pkey on acct",
		"SELECT id FROM acct WHERE bal BETWEEN -5 AND 5":   "Index Scan using acct_bal on acct",
		"SELECT id FROM acct WHERE tag = 't01'":            "Index Scan using acct_tag on acct",
		"SELECT id FROM acct WHERE id BETWEEN 100 AND 200": "Index Scan using acct_pkey on acct",
	} {
		if plan := strings.Join(rowsText(t, c, "EXPLAIN "+q), "\n"); strings.Count(plan, want) != 1 {
			t.Fatalf("EXPLAIN %s: want one %q:\n%s", q, want, plan)
		}
	}

	ws := make([]*writer, 6)
	for w := range ws {
		ws[w] = &writer{w: w, base: w * 1_000_000, m: newModel(), dir: t.TempDir()}
	}
	totalAcked := 0
	for cycle := 1; cycle <= cycles; cycle++ {
		seed := uint64(seed0 + cycle - 1)
		label := fmt.Sprintf("cycle %d (seed %d)", cycle, seed)
		rng := rand.New(rand.NewPCG(seed, 0))
		delay := time.Duration(200+rng.IntN(1000)) * time.Millisecond
		checkpoints := rng.IntN(2) == 0

		conns := make([]*pgx.Conn, len(ws))
		for w := range ws {
			conns[w] = s.connect(t)
		}
		var killed atomic.Bool
		var wg sync.WaitGroup
		acked0, writes0 := 0, 0
		for w, wr := range ws {
			acked0, writes0 = acked0+wr.acked, writes0+wr.writes
			wg.Go(func() { wr.run(conns[w], rand.New(rand.NewPCG(seed, uint64(w+1))), &killed) })
		}
		stopCkpt := make(chan struct{})
		if checkpoints {
			wg.Go(func() { requestCheckpoints(s, rand.New(rand.NewPCG(seed, 99)), stopCkpt) })
		}
		time.Sleep(delay)
		select {
		case err := <-s.exited:
			t.Fatalf("%s: server exited before the kill: %v\n%s", label, err, s.log)
		default:
		}
		killed.Store(true)
		s.stop(syscall.SIGKILL)
		close(stopCkpt)
		wg.Wait()
		noPanic(t, label+", killed server", s.log.String())
		for _, wr := range ws {
			if wr.bug != nil {
				t.Fatalf("%s, writer %d: error while the server was up: %v\n%s", label, wr.w, wr.bug, s.log)
			}
		}

		s = startServer(t, s.dataDir, "--config", conf)
		replayed := recovered(t, label, s.log.String())
		c = s.connect(t)
		loaded := samePaths(t, c, label, s.log.String())
		inDoubt := 0
		for _, wr := range ws {
			if wr.doubt != nil {
				inDoubt++
			}
		}
		applied, rows := verify(t, c, label, ws, rng)
		acked, writes := -acked0, -writes0
		for _, wr := range ws {
			acked, writes = acked+wr.acked, writes+wr.writes
		}
		totalAcked += acked
		if writes > 0 && !checkpoints && replayed == 0 {
			t.Fatalf("%s: %d writing commits acknowledged and no checkpoint requested, but recovery replayed no transactions:\n%s", label, writes, s.log)
		}
		note := ""
		if acked == 0 {
			note = " (no commit acknowledged before the kill)"
		}
		t.Logf("%s: killed after %v, checkpoints %v: %d commits acknowledged%s, %d in doubt (%d found committed), %d rows, replayed %d transactions, %s",
			label, delay, checkpoints, acked, note, inDoubt, applied, rows, replayed, loaded)
	}
	if totalAcked == 0 {
		t.Fatalf("no commit was acknowledged in %d cycles", cycles)
	}

	// A clean stop checkpoints, and the data it leaves still verifies.
	if code := s.stop(syscall.SIGTERM); code != 0 || !strings.Contains(s.log.String(), "checkpoint complete") {
		t.Fatalf("SIGTERM: exit code %d, want 0 and a final checkpoint:\n%s", code, s.log)
	}
	s = startServer(t, s.dataDir, "--config", conf)
	recovered(t, "final restart", s.log.String())
	c = s.connect(t)
	if loaded := samePaths(t, c, "final restart", s.log.String()); !strings.Contains(loaded, "segments loaded") {
		t.Fatalf("final restart: no column segments loaded from files after a clean stop:\n%s", s.log)
	}
	_, rows := verify(t, c, "final restart", ws, rand.New(rand.NewPCG(uint64(seed0), 1)))
	t.Logf("%d cycles, %d commits acknowledged, %d rows after a clean restart, %v", cycles, totalAcked, rows, time.Since(start).Round(time.Millisecond))
}

var segmentsRE = regexp.MustCompile(`msg="column segments loaded from files" segments=(\d+) named=(\d+)`)

// samePaths checks after a restart that the segment files the checkpoint
// names all loaded and that aggregates over the column path (segments and
// the heap's newer rows) equal those over the row path; it describes the
// segments loaded.
func samePaths(t *testing.T, c *pgx.Conn, label, log string) string {
	t.Helper()
	if strings.Contains(log, "segment file dropped") {
		t.Fatalf("%s: a segment file failed its checks:\n%s", label, log)
	}
	loaded := "no segments loaded"
	if m := segmentsRE.FindStringSubmatch(log); m != nil {
		if m[1] != m[2] {
			t.Fatalf("%s: %s of %s named segment files loaded:\n%s", label, m[1], m[2], log)
		}
		loaded = m[1] + " segments loaded"
	}
	const q = "SELECT count(*), sum(bal), count(tag), min(id), max(id), sum(id % 1000), count(DISTINCT tag) FROM acct"
	paths := map[string]string{}
	for _, mode := range []string{"off", "on"} {
		mustExec(t, c, "SET enable_columnar_scan = "+mode, "SET")
		paths[mode] = strings.Join(rowsText(t, c, q), "\n")
	}
	if paths["on"] != paths["off"] {
		t.Fatalf("%s: %s\ncolumn path: %s\nrow path:    %s", label, q, paths["on"], paths["off"])
	}
	return loaded
}

func envInt(t *testing.T, name string, def int) int {
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		t.Fatalf("%s=%q: want a positive integer", name, v)
	}
	return n
}

// requestCheckpoints asks for checkpoints through the REST API until stop, so
// that kills land before, during and after them. Errors are expected once the
// server is killed; a failed checkpoint shows as an ERROR in the log.
func requestCheckpoints(s *server, rng *rand.Rand, stop <-chan struct{}) {
	client := &http.Client{Timeout: 10 * time.Second}
	url := fmt.Sprintf("http://127.0.0.1:%d/api/v1/admin/checkpoint", s.rest)
	for {
		select {
		case <-stop:
			return
		case <-time.After(time.Duration(50+rng.IntN(250)) * time.Millisecond):
		}
		if resp, err := client.Post(url, "", nil); err == nil {
			resp.Body.Close()
		}
	}
}

var (
	replayedRE = regexp.MustCompile(`msg="WAL initialized".* replayed_transactions=(\d+)`)
	tablesRE   = regexp.MustCompile(`msg="data directory ready".* tables=1\b`)
)

// recovered checks a start-up log and returns how many transactions the WAL
// replay applied.
func recovered(t *testing.T, label, log string) int {
	t.Helper()
	noPanic(t, label, log)
	m := replayedRE.FindStringSubmatch(log)
	if m == nil || !tablesRE.MatchString(log) {
		t.Fatalf("%s: start-up log lacks the WAL recovery report or the table:\n%s", label, log)
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

func noPanic(t *testing.T, label, log string) {
	t.Helper()
	if strings.Contains(strings.ToLower(log), "panic") || strings.Contains(log, "level=ERROR") {
		t.Fatalf("%s: server log has a panic or an error:\n%s", label, log)
	}
}

// acctRow is an acct row without its id; tag is "NULL" for NULL, as rowsText
// prints it.
type acctRow struct {
	bal int
	tag string
}

func (r *acctRow) String() string {
	if r == nil {
		return "absent"
	}
	return fmt.Sprintf("bal %d, tag %s", r.bal, r.tag)
}

func line(id int, r acctRow) string { return fmt.Sprintf("%d|%d|%s", id, r.bal, r.tag) }

func sqlTag(tag string) string {
	if tag == "NULL" {
		return tag
	}
	return "'" + tag + "'"
}

func randTag(rng *rand.Rand) string {
	if rng.IntN(10) == 0 {
		return "NULL"
	}
	return fmt.Sprintf("t%02d", rng.IntN(16))
}

// model is a writer's expected rows, with the ids also in a slice so that a
// random existing one can be picked in constant time.
type model struct {
	rows map[int]acctRow
	ids  []int
	at   map[int]int // id -> index in ids
}

func newModel() *model { return &model{rows: map[int]acctRow{}, at: map[int]int{}} }

func (m *model) get(id int) *acctRow {
	if r, ok := m.rows[id]; ok {
		return &r
	}
	return nil
}

// set makes id's row r (nil: absent) and returns what it was.
func (m *model) set(id int, r *acctRow) *acctRow {
	prev := m.get(id)
	switch {
	case r != nil && prev == nil:
		m.at[id] = len(m.ids)
		m.ids = append(m.ids, id)
	case r == nil && prev != nil:
		i, last := m.at[id], m.ids[len(m.ids)-1]
		m.ids[i], m.at[last] = last, i
		m.ids = m.ids[:len(m.ids)-1]
		delete(m.at, id)
	}
	if r == nil {
		delete(m.rows, id)
	} else {
		m.rows[id] = *r
	}
	return prev
}

// effect is what a statement or transaction does to one id: its row after
// (nil: deleted), or before when used as an undo record.
type effect struct {
	id  int
	row *acctRow
}

// writer owns the ids base .. base+999_999 and knows what they must hold.
type writer struct {
	w, base int
	m       *model // acknowledged state
	next    int    // ids base+next and up were never used
	acked   int    // commits acknowledged, over all cycles
	writes  int    // those that changed a row (an UPDATE 0 need not be logged)
	doubt   *doubt // the commit whose acknowledgement the kill cut off
	bug     error  // an error while the server was up, or a wrong command tag
	dir     string // for the files COPY loads
}

// doubt is a commit that may or may not have happened.
type doubt struct {
	sql []string
	eff map[int]*acctRow
}

// run does random transactions on c until an error (the kill) ends them.
func (wr *writer) run(c *pgx.Conn, rng *rand.Rand, killed *atomic.Bool) {
	for {
		err := wr.step(c, rng)
		if err == nil {
			continue
		}
		// A killed server cannot answer with an error: a PostgreSQL error,
		// or any error before the kill, is a bug.
		var pgErr *pgconn.PgError
		if wr.bug == nil && (errors.As(err, &pgErr) || !killed.Load()) {
			wr.bug = err
		}
		return
	}
}

// step runs one random autocommit statement or transaction block.
func (wr *writer) step(c *pgx.Conn, rng *rand.Rand) error {
	if rng.IntN(3) == 0 {
		sql, tag, eff := wr.randomOp(rng)
		if err := wr.exec(c, sql, tag); err != nil {
			wr.doubt = &doubt{sql: []string{sql}, eff: map[int]*acctRow{}}
			for _, e := range eff {
				wr.doubt.eff[e.id] = e.row
			}
			return err
		}
		for _, e := range eff {
			wr.m.set(e.id, e.row)
		}
		wr.acked++
		wr.writes += min(len(eff), 1)
		return nil
	}
	// Statements apply to the model as they succeed so that later ones see
	// them; undo takes them back unless COMMIT is acknowledged.
	var undo []effect
	rollback := func() {
		for _, u := range slices.Backward(undo) {
			wr.m.set(u.id, u.row)
		}
	}
	sqls := []string{"BEGIN"}
	if err := wr.exec(c, "BEGIN", "BEGIN"); err != nil {
		return err
	}
	for range 2 + rng.IntN(4) {
		sql, tag, eff := wr.randomOp(rng)
		if err := wr.exec(c, sql, tag); err != nil {
			rollback()
			return err
		}
		for _, e := range eff {
			undo = append(undo, effect{e.id, wr.m.set(e.id, e.row)})
		}
		sqls = append(sqls, sql)
	}
	if rng.IntN(8) == 0 {
		rollback()
		return wr.exec(c, "ROLLBACK", "ROLLBACK")
	}
	err := wr.exec(c, "COMMIT", "COMMIT")
	if err != nil {
		d := &doubt{sql: append(sqls, "COMMIT"), eff: map[int]*acctRow{}}
		for _, u := range undo {
			d.eff[u.id] = wr.m.get(u.id)
		}
		wr.doubt = d
		rollback()
		return err
	}
	wr.acked++
	wr.writes += min(len(undo), 1)
	return nil
}

func (wr *writer) exec(c *pgx.Conn, sql, wantTag string) error {
	tag, err := c.Exec(context.Background(), sql)
	if err != nil {
		return fmt.Errorf("%s: %w", sql, err)
	}
	if tag.String() != wantTag {
		wr.bug = fmt.Errorf("%s: command tag %q, want %q", sql, tag, wantTag)
		return wr.bug
	}
	return nil
}

// randomOp picks a statement on the writer's own rows as the model has them
// now, and returns it with its command tag and effects.
func (wr *writer) randomOp(rng *rand.Rand) (string, string, []effect) {
	p := rng.IntN(100)
	if len(wr.m.ids) == 0 {
		p = 0
	}
	pick := func() (int, acctRow) {
		id := wr.m.ids[rng.IntN(len(wr.m.ids))]
		return id, wr.m.rows[id]
	}
	newID := func() int { wr.next++; return wr.base + wr.next - 1 }
	switch {
	case p == 99 && rng.IntN(30) == 0:
		return wr.copyOp(rng)
	case p < 35:
		id := wr.base + rng.IntN(wr.next+1)
		// Now and then an id that was deleted (or never committed), so
		// that inserts meet index entries of dead versions.
		if rng.IntN(4) != 0 || wr.m.get(id) != nil || id == wr.base+wr.next {
			id = newID()
		}
		r := acctRow{rng.IntN(2001) - 1000, randTag(rng)}
		return fmt.Sprintf("INSERT INTO acct VALUES (%d, %d, %s)", id, r.bal, sqlTag(r.tag)), "INSERT 0 1", []effect{{id, &r}}
	case p < 70:
		id, r := pick()
		k := rng.IntN(101) - 50
		r.bal += k
		set := fmt.Sprintf("bal = bal + %d", k)
		if rng.IntN(2) == 0 {
			r.tag = randTag(rng)
			set += ", tag = " + sqlTag(r.tag)
		}
		return fmt.Sprintf("UPDATE acct SET %s WHERE id = %d", set, id), "UPDATE 1", []effect{{id, &r}}
	case p < 75: // a new primary key: the row moves in every index
		id, r := pick()
		to := newID()
		return fmt.Sprintf("UPDATE acct SET id = %d WHERE id = %d", to, id), "UPDATE 1", []effect{{id, nil}, {to, &r}}
	case p < 88: // a few neighbours through an id range, deleted from 85 on
		lo := wr.base + rng.IntN(wr.next)
		hi := lo + rng.IntN(8)
		k := rng.IntN(21) - 10
		var eff []effect
		for id := lo; id <= hi; id++ {
			if r := wr.m.get(id); r != nil {
				if p >= 85 {
					r = nil
				} else {
					r.bal += k
				}
				eff = append(eff, effect{id, r})
			}
		}
		if p >= 85 {
			return fmt.Sprintf("DELETE FROM acct WHERE id BETWEEN %d AND %d", lo, hi), fmt.Sprintf("DELETE %d", len(eff)), eff
		}
		return fmt.Sprintf("UPDATE acct SET bal = bal + %d WHERE id BETWEEN %d AND %d", k, lo, hi), fmt.Sprintf("UPDATE %d", len(eff)), eff
	default:
		id, _ := pick()
		return fmt.Sprintf("DELETE FROM acct WHERE id = %d", id), "DELETE 1", []effect{{id, nil}}
	}
}

// resolve checks a writer's rows found after a restart against its model and
// settles its in-doubt commit to what was found; it returns whether that
// commit was found applied.
func (wr *writer) resolve(t *testing.T, label string, got map[int]acctRow) bool {
	t.Helper()
	d := wr.doubt
	wr.doubt = nil
	diff := diffRows(wr.m.rows, got)
	if diff == "" {
		return false
	}
	if d == nil {
		t.Fatalf("%s, writer %d: rows differ from the acknowledged commits (none in doubt):\n%s", label, wr.w, diff)
	}
	with := maps.Clone(wr.m.rows)
	for id, r := range d.eff {
		if r == nil {
			delete(with, id)
		} else {
			with[id] = *r
		}
	}
	if diff2 := diffRows(with, got); diff2 != "" {
		t.Fatalf("%s, writer %d: rows are neither the acknowledged commits nor those plus the in-doubt commit [%s]:\nwithout it:\n%s\nwith it:\n%s",
			label, wr.w, strings.Join(d.sql, "; "), diff, diff2)
	}
	for id, r := range d.eff {
		wr.m.set(id, r)
	}
	return true
}

// diffRows describes up to ten ids where got differs from want, "" if none.
func diffRows(want, got map[int]acctRow) string {
	var ids []int
	for id, r := range want {
		if g, ok := got[id]; !ok || g != r {
			ids = append(ids, id)
		}
	}
	for id := range got {
		if _, ok := want[id]; !ok {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	var out []string
	for i, id := range ids {
		if i == 10 {
			out = append(out, fmt.Sprintf("  ... %d ids in all", len(ids)))
			break
		}
		row := func(m map[int]acctRow) *acctRow {
			if r, ok := m[id]; ok {
				return &r
			}
			return nil
		}
		out = append(out, fmt.Sprintf("  id %d: want %v, got %v", id, row(want), row(got)))
	}
	return strings.Join(out, "\n")
}

// verify checks the restarted server against the writers' models (settling
// their in-doubt commits), then the heap and every index against each other
// and against lookups filtered in Go. It returns how many in-doubt commits
// were found applied and the number of rows.
func verify(t *testing.T, c *pgx.Conn, label string, ws []*writer, rng *rand.Rand) (applied, rows int) {
	t.Helper()
	type rec struct {
		id int
		acctRow
	}
	var all []rec
	for _, wr := range ws {
		got := map[int]acctRow{}
		for _, l := range rowsText(t, c, fmt.Sprintf("SELECT id, bal, tag FROM acct WHERE id BETWEEN %d AND %d ORDER BY id", wr.base, wr.base+999_999)) {
			f := strings.Split(l, "|")
			id, err1 := strconv.Atoi(f[0])
			bal, err2 := strconv.Atoi(f[min(1, len(f)-1)])
			if len(f) != 3 || err1 != nil || err2 != nil {
				t.Fatalf("%s, writer %d: bad row %q", label, wr.w, l)
			}
			got[id] = acctRow{bal, f[2]}
		}
		if wr.resolve(t, label, got) {
			applied++
		}
		for id, r := range wr.m.rows {
			all = append(all, rec{id, r})
		}
	}
	slices.SortFunc(all, func(a, b rec) int { return a.id - b.id })
	lines := func(keep func(rec) bool) []string {
		var out []string
		for _, r := range all {
			if keep(r) {
				out = append(out, line(r.id, r.acctRow))
			}
		}
		return out
	}
	want := lines(func(rec) bool { return true })
	check := func(what string, got, want []string) {
		t.Helper()
		if !slices.Equal(got, want) {
			t.Fatalf("%s: %s: %d rows, want %d; missing: %v; unexpected: %v", label, what, len(got), len(want),
				firstN(minus(want, got)), firstN(minus(got, want)))
		}
	}
	check("table scan (FULL hint)", rowsText(t, c, "SELECT /*+ FULL(acct) */ id, bal, tag FROM acct ORDER BY id"), want)
	sorted := slices.Sorted(slices.Values(want))
	for _, idx := range []string{"acct_pkey", "acct_tag", "acct_bal"} {
		got := rowsText(t, c, fmt.Sprintf("SELECT /*+ INDEX(acct %s) */ id, bal, tag FROM acct", idx))
		slices.Sort(got)
		check("full scan of index "+idx, got, sorted)
	}
	for range 8 {
		id := rng.IntN(len(ws))*1_000_000 + rng.IntN(100)
		if len(all) > 0 && rng.IntN(2) == 0 {
			id = all[rng.IntN(len(all))].id
		}
		check(fmt.Sprintf("lookup of id %d", id), rowsText(t, c, fmt.Sprintf("SELECT id, bal, tag FROM acct WHERE id = %d", id)),
			lines(func(r rec) bool { return r.id == id }))
	}
	for range 4 {
		lo := rng.IntN(2001) - 1000
		hi := lo + rng.IntN(40)
		check(fmt.Sprintf("bal BETWEEN %d AND %d", lo, hi), rowsText(t, c, fmt.Sprintf("SELECT id, bal, tag FROM acct WHERE bal BETWEEN %d AND %d ORDER BY id", lo, hi)),
			lines(func(r rec) bool { return r.bal >= lo && r.bal <= hi }))
		tag := fmt.Sprintf("t%02d", rng.IntN(16))
		check("tag = "+tag, rowsText(t, c, fmt.Sprintf("SELECT id, bal, tag FROM acct WHERE tag = '%s' ORDER BY id", tag)),
			lines(func(r rec) bool { return r.tag == tag }))
	}
	return applied, len(all)
}

// minus returns the lines of a not in b, as multisets.
func minus(a, b []string) []string {
	n := map[string]int{}
	for _, l := range b {
		n[l]++
	}
	var out []string
	for _, l := range a {
		if n[l] > 0 {
			n[l]--
		} else {
			out = append(out, l)
		}
	}
	return out
}

func firstN(s []string) []string { return s[:min(len(s), 10)] }

// copyRows is how many new rows a COPY of the crash test loads: past the
// threshold from which COPY FROM writes pages directly and logs only
// where the rows are (exec's bulkLoadAfter), so that kills land in such
// loads, their fsyncs and commits.
const copyRows = 4500

// copyOp writes copyRows new rows to a file and returns the COPY FROM that
// loads them.
func (wr *writer) copyOp(rng *rand.Rand) (string, string, []effect) {
	var b strings.Builder
	eff := make([]effect, copyRows)
	for i := range eff {
		id := wr.base + wr.next
		wr.next++
		r := acctRow{rng.IntN(2001) - 1000, randTag(rng)}
		tag := r.tag
		if tag == "NULL" {
			tag = `\N`
		}
		fmt.Fprintf(&b, "%d|%d|%s\n", id, r.bal, tag)
		eff[i] = effect{id, &r}
	}
	path := filepath.Join(wr.dir, fmt.Sprintf("copy-%d.tbl", wr.next))
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		wr.bug = err
	}
	return fmt.Sprintf("COPY acct FROM '%s' WITH (DELIMITER '|')", path), fmt.Sprintf("COPY %d", copyRows), eff
}
