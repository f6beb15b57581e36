package rustydb

import (
	"cmp"
	"slices"
	"sync"
	"time"

	"rustydb/exec"
	"rustydb/sql"
)

// Statement statistics, for v$sql_statistics and pg_stat_statements: per
// normalized statement (sql.Normalize: constants become $n, so executions
// that differ only in their constants are one entry), the executions that
// succeeded, their total, minimum and maximum time and the rows they
// returned or changed. Every statement is measured where it runs, in
// Session.measure, whatever protocol sent it.
//
// The table keeps at most maxStatements entries, like pg_stat_statements'
// pg_stat_statements.max. When a new statement finds it full, the least
// executed twentieth of the entries (the least recently executed first
// among equals) is dropped at once, so the cost of making room is paid
// rarely rather than on every new statement.
const maxStatements = 5000

type statementStats struct {
	mu      sync.RWMutex
	entries map[uint64]*statementEntry
}

type statementEntry struct {
	mu sync.Mutex
	exec.StatementStats
	evicted bool // dropped from the table: whoever kept it looks it up anew
}

// record adds one successful execution of norm that took d, ended at end,
// and returned or changed rows rows. kept, when not nil, keeps norm's entry
// from one call to the next (a prepared statement's), which saves the
// lookup in the shared table.
func (t *statementStats) record(norm sql.Normalized, kept **statementEntry, d time.Duration, rows int64, end time.Time) {
	var e *statementEntry
	if kept != nil {
		e = *kept
	}
	if e != nil {
		e.mu.Lock()
		if e.evicted {
			e.mu.Unlock()
			e = nil
		}
	}
	if e == nil {
		t.mu.RLock()
		e = t.entries[norm.ID]
		t.mu.RUnlock()
		if e == nil {
			e = t.add(norm)
		}
		e.mu.Lock()
		if kept != nil {
			*kept = e
		}
	}
	msd := float64(d) / float64(time.Millisecond)
	if e.Calls == 0 || d < e.Min {
		e.Min = d
	}
	e.Max = max(e.Max, d)
	e.Calls++
	e.Rows += rows
	e.Total += d
	e.SumSquares += msd * msd
	e.LastCall = end
	e.mu.Unlock()
}

// add returns norm's entry, creating it and making room for it if needed.
func (t *statementStats) add(norm sql.Normalized) *statementEntry {
	t.mu.Lock()
	defer t.mu.Unlock()
	if e := t.entries[norm.ID]; e != nil {
		return e // another session added it meanwhile
	}
	if t.entries == nil {
		t.entries = map[uint64]*statementEntry{}
	}
	if len(t.entries) >= maxStatements {
		t.evict(maxStatements / 20)
	}
	e := &statementEntry{StatementStats: exec.StatementStats{ID: norm.ID, Text: norm.Text, FirstCall: time.Now()}}
	t.entries[norm.ID] = e
	return e
}

// evict drops the n least used entries. Caller holds t.mu.
func (t *statementStats) evict(n int) {
	type use struct {
		id    uint64
		calls int64
		last  time.Time
	}
	uses := make([]use, 0, len(t.entries))
	for id, e := range t.entries {
		e.mu.Lock()
		uses = append(uses, use{id, e.Calls, e.LastCall})
		e.mu.Unlock()
	}
	slices.SortFunc(uses, func(a, b use) int {
		if c := cmp.Compare(a.calls, b.calls); c != 0 {
			return c
		}
		return a.last.Compare(b.last)
	})
	for _, u := range uses[:min(n, len(uses))] {
		e := t.entries[u.id]
		e.mu.Lock()
		e.evicted = true
		e.mu.Unlock()
		delete(t.entries, u.id)
	}
}

// snapshot copies the entries that have executions, most total time first.
func (t *statementStats) snapshot() []exec.StatementStats {
	t.mu.RLock()
	out := make([]exec.StatementStats, 0, len(t.entries))
	for _, e := range t.entries {
		e.mu.Lock()
		if e.Calls > 0 {
			out = append(out, e.StatementStats)
		}
		e.mu.Unlock()
	}
	t.mu.RUnlock()
	slices.SortFunc(out, func(a, b exec.StatementStats) int { return cmp.Compare(b.Total, a.Total) })
	return out
}
