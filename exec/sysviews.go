package exec

import (
	"math"
	"net"
	"runtime/metrics"
	"slices"
	"strconv"
	"sync/atomic"
	"time"

	"rustydb/plan"
	"rustydb/row"
	"rustydb/sql"
	"rustydb/sqlerr"
	"rustydb/types"
)

// The views over the server's live state (declared in plan/sysviews.go):
// sessions and their statements, statement statistics, performance
// counters, memory, waits, WAL files, health, table and index usage. Their
// rows are measured when a statement reads them; a figure nothing measures
// is left out (or NULL), never made up. Sessions and statement statistics
// belong to the rustydb package, above this one, which hands them down as an
// Instance in the Context.

// Instance is the server around the statement: its sessions and the
// statistics of the statements they ran.
type Instance interface {
	// SessionID is the id of the statement's own session.
	SessionID() int64
	Sessions() []SessionInfo
	Statements() []StatementStats
	Totals() Totals
	// Signal cancels the statement session id runs, and with terminate
	// also ends the session, on behalf of the statement's session. found
	// is false when no session has that id; err is 42501 when the
	// statement's user may not signal that session.
	Signal(id int64, terminate bool) (found bool, err error)
	// Variables are the session's own variables (search_path, TimeZone
	// ...), for pg_settings.
	Variables() []Variable
}

// Variable is a session variable with its value, its value at connection,
// and what it does.
type Variable struct {
	Name, Value, Default, Description string
}

// SessionInfo is one session as v$session shows it.
type SessionInfo struct {
	ID               int64
	User, Database   string
	Application      string
	ClientAddr       string // host:port; "" for an embedded session
	BackendStart     time.Time
	State            string // active, idle, idle in transaction, idle in transaction (aborted)
	StateChange      time.Time
	Killed           bool   // terminated; the session ends when its client notices
	Query            string // the running statement, or the last one
	QueryID          uint64 // sql.Normalize(Query).ID
	QueryStart       time.Time
	TxStart          time.Time // zero: no open transaction
	TxID             uint64
	Rows, Bytes      int64 // done by the running (or last) statement
	WaitClass, Event string
	BlockedBy        int64 // the session whose transaction this one waits for; 0: none
}

// StatementStats are the measurements of one normalized statement.
type StatementStats struct {
	ID                  uint64 // sql.Normalized.ID
	Text                string // sql.Normalized.Text of its first execution
	Calls, Rows         int64
	Total, Min, Max     time.Duration
	SumSquares          float64 // of the execution times in ms, for the standard deviation
	FirstCall, LastCall time.Time
}

// Totals are the instance's counters since start.
type Totals struct {
	Statements, RowsReturned, RowsWritten uint64
	// TempFiles and TempBytes are the temporary files statements wrote
	// (spill.go) and their bytes, counted when each is removed.
	TempFiles, TempBytes int64
}

// Progress is what the running statement has done so far, which v$session
// shows while it runs: rows and bytes (COPY counts both as it goes, a query
// its rows as they are returned) and what it waits for. A nil Progress
// counts nothing.
type Progress struct {
	rows, bytes atomic.Int64
	wait        atomic.Pointer[WaitEvent]
}

// WaitEvent is something a session waits for, in PostgreSQL's terms
// (pg_stat_activity.wait_event_type and wait_event).
type WaitEvent struct{ Class, Name string }

// The wait events measured: pg_sleep's timer, a lock held by another
// transaction (row.Tx waits for its end), the WAL fsync of a commit, and an
// idle session's wait for its client.
var (
	WaitPgSleep    = &WaitEvent{"Timeout", "PgSleep"}
	WaitLock       = &WaitEvent{"Lock", "transactionid"}
	WaitWALSync    = &WaitEvent{"IO", "WALSync"}
	WaitClientRead = &WaitEvent{"Client", "ClientRead"}
)

// Add counts rows and bytes done. A counter with nothing to add is not
// written: an atomic write costs more than the load on every statement.
func (p *Progress) Add(rows, bytes int64) {
	if p == nil {
		return
	}
	if rows != 0 {
		p.rows.Add(rows)
	}
	if bytes != 0 {
		p.bytes.Add(bytes)
	}
}

// Reset starts a new statement. Only the session's goroutine writes its
// progress between statements, so what is already zero stays unwritten.
func (p *Progress) Reset() {
	if p.rows.Load() != 0 {
		p.rows.Store(0)
	}
	if p.bytes.Load() != 0 {
		p.bytes.Store(0)
	}
	if p.wait.Load() != nil {
		p.wait.Store(nil)
	}
}

// SetRows sets the row count, for a statement whose count is known only
// when it ends (its command tag).
func (p *Progress) SetRows(n int64) {
	if p.rows.Load() != n {
		p.rows.Store(n)
	}
}

// Done returns the rows and bytes done.
func (p *Progress) Done() (rows, bytes int64) { return p.rows.Load(), p.bytes.Load() }

// SetWait records what the statement waits for; nil when it stops waiting.
func (p *Progress) SetWait(w *WaitEvent) {
	if p != nil {
		p.wait.Store(w)
	}
}

// Wait returns what the statement waits for, or nil.
func (p *Progress) Wait() *WaitEvent { return p.wait.Load() }

func init() {
	for _, name := range []string{"pg_sleep", "pg_backend_pid", "pg_cancel_backend", "pg_terminate_backend"} {
		volatileFuncs[name] = true
	}
}

// liveRows computes the rows of a view over live state (none when name is
// not one).
func (c *Context) liveRows(name string) [][]types.Value {
	now := time.Now()
	switch name {
	case "v$session", "v$active_queries", "pg_stat_activity":
		return c.sessionRows(name, now)
	case "v$sql_statistics", "pg_stat_statements":
		return c.statementRows(name)
	case "v$system_performance":
		return c.performanceRows(now)
	case "v$memory_usage":
		return c.memoryRows()
	case "v$system_wait_events":
		return c.waitRows()
	case "v$log":
		return c.logRows()
	case "v$health_check":
		// the overall status first, as REST GET /api/v1/admin/health puts it
		comps := c.Store.Health()
		overall := row.HealthComponent{Name: "overall", Message: "the worst component's status"}
		for _, h := range comps {
			overall.Status = max(overall.Status, h.Status)
			overall.LatencyMs += h.LatencyMs
		}
		var rows [][]types.Value
		for _, h := range append([]row.HealthComponent{overall}, comps...) {
			rows = append(rows, []types.Value{types.NewText(h.Name), types.NewText(h.Status.String()),
				types.NewText(h.Message), types.NewFloat(h.LatencyMs), timestamp(now)})
		}
		return rows
	case "v$table_statistics", "v$index_statistics":
		return c.usageRows(name)
	}
	return nil
}

// timestamp is t as timestamp with time zone; the zero time is NULL.
func timestamp(t time.Time) types.Value {
	if t.IsZero() {
		return types.Null
	}
	return types.NewTimestampTZ(t.UnixMicro())
}

// textOrNull is s, or NULL when s is empty.
func textOrNull(s string) types.Value {
	if s == "" {
		return types.Null
	}
	return types.NewText(s)
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func (c *Context) sessionRows(name string, now time.Time) [][]types.Value {
	if c.Instance == nil {
		return nil
	}
	i, t, f, null := types.NewInt, types.NewText, types.NewFloat, types.Null
	var rows [][]types.Value
	for _, s := range c.Instance.Sessions() {
		active := s.State == "active"
		sqlID, elapsed, blocking := null, null, null
		if s.Query != "" {
			sqlID = t(sql.SQLID(s.QueryID))
		}
		if active {
			elapsed = f(ms(now.Sub(s.QueryStart)))
		}
		if s.BlockedBy != 0 {
			blocking = i(s.BlockedBy)
		}
		switch name {
		case "v$session":
			status := "INACTIVE"
			switch {
			case s.Killed:
				status = "KILLED"
			case active:
				status = "ACTIVE"
			}
			rows = append(rows, []types.Value{i(s.ID), t(s.User), t(status), t(s.State), t(s.Application),
				textOrNull(s.ClientAddr), timestamp(s.BackendStart), sqlID, textOrNull(s.Query), timestamp(s.QueryStart),
				elapsed, i(int64(now.Sub(s.StateChange) / time.Second)), timestamp(s.TxStart), i(s.Rows), i(s.Bytes),
				textOrNull(s.WaitClass), textOrNull(s.Event), blocking, t(s.Database)})
		case "v$active_queries":
			if active {
				rows = append(rows, []types.Value{i(s.ID), t(s.User), t(s.Application), sqlID, t(s.Query),
					timestamp(s.QueryStart), elapsed, i(s.Rows), i(s.Bytes), textOrNull(s.WaitClass), textOrNull(s.Event), blocking})
			}
		default: // pg_stat_activity
			addr, port := null, null
			if host, p, err := net.SplitHostPort(s.ClientAddr); err == nil {
				addr = t(host)
				if n, err := strconv.Atoi(p); err == nil {
					port = i(int64(n))
				}
			}
			xid, queryID := null, null
			if s.TxID != 0 {
				xid = i(int64(s.TxID))
			}
			if s.Query != "" {
				queryID = i(int64(s.QueryID))
			}
			rows = append(rows, []types.Value{i(oidDatabase), t(s.Database), i(s.ID), null, i(c.roleOID(s.User)),
				t(s.User), t(s.Application), addr, null, port, timestamp(s.BackendStart), timestamp(s.TxStart),
				timestamp(s.QueryStart), timestamp(s.StateChange), textOrNull(s.WaitClass), textOrNull(s.Event),
				t(s.State), xid, null, queryID, t(s.Query), t("client backend")})
		}
	}
	return rows
}

func (c *Context) statementRows(name string) [][]types.Value {
	if c.Instance == nil {
		return nil
	}
	i, t, f := types.NewInt, types.NewText, types.NewFloat
	var rows [][]types.Value
	for _, s := range c.Instance.Statements() {
		mean := ms(s.Total) / float64(s.Calls)
		// population standard deviation, as pg_stat_statements computes it
		stddev := 0.0
		if v := s.SumSquares/float64(s.Calls) - mean*mean; v > 0 {
			stddev = math.Sqrt(v)
		}
		if name == "pg_stat_statements" {
			rows = append(rows, []types.Value{i(int64(s.ID)), t(s.Text), i(s.Calls), f(ms(s.Total)), f(ms(s.Min)),
				f(ms(s.Max)), f(mean), f(stddev), i(s.Rows)})
			continue
		}
		rows = append(rows, []types.Value{t(sql.SQLID(s.ID)), t(s.Text), i(s.Calls), f(ms(s.Total)), f(mean), f(ms(s.Min)),
			f(ms(s.Max)), f(stddev), i(s.Rows), timestamp(s.FirstCall), timestamp(s.LastCall)})
	}
	return rows
}

// runtimeMetrics reads Go runtime metrics by name; a name this Go version
// does not know reads as absent.
func runtimeMetrics(names ...string) map[string]uint64 {
	samples := make([]metrics.Sample, len(names))
	for k, n := range names {
		samples[k].Name = n
	}
	metrics.Read(samples)
	out := map[string]uint64{}
	for _, s := range samples {
		if s.Value.Kind() == metrics.KindUint64 {
			out[s.Name] = s.Value.Uint64()
		}
	}
	return out
}

const (
	rtHeapObjects = "/memory/classes/heap/objects:bytes"
	rtStacks      = "/memory/classes/heap/stacks:bytes"
	rtTotal       = "/memory/classes/total:bytes"
	rtGoroutines  = "/sched/goroutines:goroutines"
	rtGCCycles    = "/gc/cycles/total:gc-cycles"
)

func (c *Context) performanceRows(now time.Time) [][]types.Value {
	var rows [][]types.Value
	add := func(name string, v float64, unit string) {
		rows = append(rows, []types.Value{types.NewText(name), types.NewFloat(v), types.NewText(unit)})
	}
	add("uptime", c.Store.Uptime().Seconds(), "seconds")
	if c.Instance != nil {
		sessions := c.Instance.Sessions()
		active := 0
		for _, s := range sessions {
			if s.State == "active" {
				active++
			}
		}
		add("sessions", float64(len(sessions)), "sessions")
		add("active_sessions", float64(active), "sessions")
		tot := c.Instance.Totals()
		add("statements_executed", float64(tot.Statements), "statements")
		add("rows_returned", float64(tot.RowsReturned), "rows")
		add("rows_written", float64(tot.RowsWritten), "rows")
		add("temp_files", float64(tot.TempFiles), "files")
		add("temp_bytes_written", float64(tot.TempBytes), "bytes")
	}
	commits, rollbacks := c.Store.Txns().Counts()
	add("transactions_committed", float64(commits), "transactions")
	add("transactions_rolled_back", float64(rollbacks), "transactions")
	add("active_transactions", float64(c.Store.Txns().Active()), "transactions")
	add("deadlocks", float64(c.Store.Txns().WaitStats().Deadlocks), "deadlocks")
	bp := c.Store.BufferPool()
	if bp.Hits+bp.Misses > 0 {
		add("buffer_pool_hit_ratio", float64(bp.Hits)/float64(bp.Hits+bp.Misses), "ratio")
	}
	add("buffer_pool_reads", float64(bp.Reads), "pages")
	add("buffer_pool_writes", float64(bp.PageWrites), "pages")
	ws := c.Store.WAL().Stats()
	add("wal_bytes_written", float64(ws.BytesWritten), "bytes")
	add("wal_fsyncs", float64(ws.Fsyncs), "fsyncs")
	add("checkpoints", float64(c.Store.Checkpoints()), "checkpoints")
	rt := runtimeMetrics(rtGoroutines, rtHeapObjects, rtGCCycles)
	for _, m := range []struct{ metric, name, unit string }{
		{rtGoroutines, "goroutines", "goroutines"}, {rtHeapObjects, "heap_bytes", "bytes"}, {rtGCCycles, "gc_cycles", "cycles"},
	} {
		if v, ok := rt[m.metric]; ok {
			add(m.name, float64(v), m.unit)
		}
	}
	return rows
}

func (c *Context) memoryRows() [][]types.Value {
	i, t, null := types.NewInt, types.NewText, types.Null
	bp := c.Store.BufferPool()
	var segBytes int64
	for _, tbl := range c.Store.Catalog().Tables() {
		if h := c.Store.Heap(tbl); h != nil {
			segBytes += h.SegmentBytes()
		}
	}
	rows := [][]types.Value{
		{t("buffer_pool"), i(int64(bp.Used) * row.PageSize), i(int64(bp.Pages) * row.PageSize), t("heap pages cached, 8 KiB each")},
		{t("column_segments"), i(segBytes), null, t("Arrow buffers of the tables' column segments")},
	}
	rt := runtimeMetrics(rtHeapObjects, rtStacks, rtTotal)
	for _, m := range []struct{ metric, name, what string }{
		{rtHeapObjects, "go_heap", "live and not yet swept Go heap objects (all of the above included)"},
		{rtStacks, "goroutine_stacks", "goroutine stacks"},
		{rtTotal, "go_runtime_total", "all memory the Go runtime has mapped"},
	} {
		if v, ok := rt[m.metric]; ok {
			rows = append(rows, []types.Value{t(m.name), i(int64(v)), null, t(m.what)})
		}
	}
	return rows
}

func (c *Context) waitRows() [][]types.Value {
	row := func(event, class string, n uint64, d time.Duration) []types.Value {
		avg := types.Null
		if n > 0 {
			avg = types.NewFloat(ms(d) / float64(n))
		}
		return []types.Value{types.NewText(event), types.NewText(class), types.NewInt(int64(n)), types.NewFloat(ms(d)), avg}
	}
	ws, lw, bp := c.Store.WAL().Stats(), c.Store.Txns().WaitStats(), c.Store.BufferPool()
	return [][]types.Value{
		row("WAL fsync", "System I/O", ws.Fsyncs, ws.FsyncTime),
		row("transaction lock", "Concurrency", lw.Waits, lw.Time),
		row("data file read", "User I/O", bp.Reads, bp.ReadTime),
	}
}

func (c *Context) logRows() [][]types.Value {
	log := c.Store.WAL()
	segs := log.Segments()
	redo := c.Store.CheckpointLSN()
	var rows [][]types.Value
	for k, s := range segs {
		next, status := log.End(), "CURRENT"
		if k+1 < len(segs) {
			next, status = segs[k+1].Start, "ACTIVE"
			if next <= redo {
				status = "INACTIVE" // recovery starts after it
			}
		}
		rows = append(rows, []types.Value{types.NewText(s.Path), types.NewInt(int64(s.Start)), types.NewInt(int64(next)),
			types.NewInt(s.Bytes), types.NewText(status)})
	}
	return rows
}

func (c *Context) usageRows(name string) [][]types.Value {
	i, t, b, null := types.NewInt, types.NewText, types.NewBool, types.Null
	var rows [][]types.Value
	for _, tbl := range c.Store.Catalog().Tables() {
		h := c.Store.Heap(tbl)
		if h == nil || tbl.IsView() || tbl.IsSequence() {
			continue
		}
		if name == "v$index_statistics" {
			entries, scans := h.IndexUsage()
			for k, ix := range tbl.IndexNames() {
				if k >= len(entries) {
					break // the definition changed since the names were read
				}
				rows = append(rows, []types.Value{t(tbl.Schema), t(ix), t(tbl.Name), t(quotedColumns(tbl, tbl.IndexKeys()[k])),
					b(k < len(tbl.Keys())), b(k == 0 && len(tbl.PrimaryKey) > 0), i(int64(entries[k])), i(int64(scans[k]))})
			}
			continue
		}
		u := h.Usage(&c.Snap)
		var idxScans uint64
		for _, n := range u.IndexScans {
			idxScans += n
		}
		analyzed := null
		if st := h.Stats(); st != nil {
			analyzed = i(st.Rows)
		}
		rows = append(rows, []types.Value{t(tbl.Schema), t(tbl.Name), i(int64(u.Live)), i(int64(u.Dead)), i(u.Pages),
			i(u.Pages * row.PageSize), i(int64(u.Segments)), i(int64(u.SegmentRows)), i(u.SegmentBytes), i(u.SegmentDiskBytes), i(int64(u.SeqScans)),
			i(int64(idxScans)), analyzed, timestamp(u.LastVacuum), timestamp(u.LastAutovacuum), timestamp(u.LastAnalyze)})
	}
	return rows
}

// sessionFunc returns the evaluator of a session function (see
// plan/sysviews.go), or nil when name is not one.
func (c *Context) sessionFunc(e *plan.Func, args []evalFn) evalFn {
	var fn func(a []types.Value) (types.Value, error)
	switch e.Name {
	case "pg_backend_pid":
		fn = func([]types.Value) (types.Value, error) {
			if c.Instance == nil {
				return types.Null, nil
			}
			return types.NewInt(c.Instance.SessionID()), nil
		}
	case "pg_sleep":
		fn = func(a []types.Value) (types.Value, error) {
			if !a[0].IsNull() && a[0].F > 0 {
				c.Progress.SetWait(WaitPgSleep)
				defer c.Progress.SetWait(nil)
				timer := time.NewTimer(time.Duration(a[0].F * float64(time.Second)))
				defer timer.Stop()
				select {
				case <-timer.C:
				case <-c.Ctx.Done():
					return types.Null, c.cancelErr()
				}
			}
			return types.NewText(""), nil
		}
	case "current_setting":
		fn = func(a []types.Value) (types.Value, error) {
			if a[0].IsNull() {
				return types.Null, nil
			}
			if v, ok := c.currentSetting(a[0].S); ok {
				return types.NewText(v), nil
			}
			if len(a) == 2 && !a[1].IsNull() && a[1].Bool() { // missing_ok
				return types.Null, nil
			}
			return types.Null, sqlerr.New(sqlerr.UndefinedObject, "unrecognized configuration parameter %q", a[0].S)
		}
	case "pg_cancel_backend", "pg_terminate_backend":
		fn = strict(func(a []types.Value) (types.Value, error) {
			if c.Instance == nil {
				return types.NewBool(false), nil
			}
			found, err := c.Instance.Signal(a[0].I, e.Name == "pg_terminate_backend")
			if err != nil || !found || len(a) < 2 || a[1].I <= 0 {
				return types.NewBool(found), err
			}
			// with a timeout, wait for the session to end
			deadline := time.Now().Add(time.Duration(a[1].I) * time.Millisecond)
			for time.Now().Before(deadline) {
				if !slices.ContainsFunc(c.Instance.Sessions(), func(s SessionInfo) bool { return s.ID == a[0].I }) {
					return types.NewBool(true), nil
				}
				select {
				case <-time.After(10 * time.Millisecond):
				case <-c.Ctx.Done():
					return types.Null, c.cancelErr()
				}
			}
			return types.NewBool(false), nil
		})
	default:
		return nil
	}
	return applied(args, fn)
}
