package exec

import (
	"runtime"
	"sync/atomic"
)

// The scheduler. Parallel operators run on workers lent by one
// process-wide pool of performance.max_parallel_workers (Scheduler): an
// operator asks for the degree its plan and max_parallel_workers_per_query
// allow, runs its first worker on the statement's own share and takes the
// others from the pool as far as it has them free, so concurrent queries
// together never run more parallel workers than the pool holds (a query
// that finds the pool busy runs with fewer, down to one, and EXPLAIN
// ANALYZE shows how many it had). The workers share the operator's input
// through Morsels: each starts on its own contiguous run of morsels
// (segments, row groups, ranges of row versions) and, once its run is
// done, steals the back half of the largest run left, so a worker that
// meets cheap morsels or starts late takes over others' work.

// Scheduler lends parallel workers to the statements of one database.
type Scheduler struct {
	size     func() int   // the pool's workers now (a dynamic parameter); 0: one per CPU
	lent     atomic.Int64 // workers lent now
	launched atomic.Int64 // workers ever lent
	denied   atomic.Int64 // workers asked for while the pool had none free
}

// NewScheduler returns a pool whose size, read whenever workers are asked
// for, size returns (0: one per CPU); when it shrinks, workers lent beyond
// it are given back as their operators finish.
func NewScheduler(size func() int) *Scheduler { return &Scheduler{size: size} }

// Size returns the pool's size.
func (s *Scheduler) Size() int {
	if n := s.size(); n > 0 {
		return n
	}
	return runtime.GOMAXPROCS(0)
}

// SchedulerStats are the pool's counters.
type SchedulerStats struct {
	Size, Lent       int
	Launched, Denied int64
}

// Stats returns the pool's counters.
func (s *Scheduler) Stats() SchedulerStats {
	return SchedulerStats{Size: s.Size(), Lent: int(s.lent.Load()), Launched: s.launched.Load(), Denied: s.denied.Load()}
}

// lend grants up to want workers from the pool and returns how many.
func (s *Scheduler) lend(want int) int {
	for {
		lent := s.lent.Load()
		n := min(int64(want), int64(s.Size())-lent)
		if n <= 0 {
			s.denied.Add(int64(want))
			return 0
		}
		if s.lent.CompareAndSwap(lent, lent+n) {
			s.launched.Add(n)
			if n < int64(want) {
				s.denied.Add(int64(want) - n)
			}
			return int(n)
		}
	}
}

// degree returns how many workers an operator that asks for want may run
// (the statement's own and those the pool lends, at least one) and the
// function that gives the lent ones back when the operator is done. A
// context without a scheduler runs as many as it asks for.
func (c *Context) degree(want int) (int, func()) {
	if want <= 1 || c.Sched == nil {
		return max(1, want), func() {}
	}
	s := c.Sched
	n := s.lend(want - 1)
	return 1 + n, func() { s.lent.Add(-int64(n)) }
}

// Workers returns how many workers an operator that would use every CPU
// may run (see degree) and the function that gives them back.
func (c *Context) Workers() (int, func()) { return c.degree(c.allWorkers()) }

// allWorkers is the degree of an operator that would use every CPU:
// one per CPU, or max_parallel_workers_per_query when lower.
func (c *Context) allWorkers() int {
	if c.MaxWorkers > 0 {
		return min(runtime.GOMAXPROCS(0), c.MaxWorkers)
	}
	return runtime.GOMAXPROCS(0)
}

// Morsels hands the morsels 0..n-1 to the workers of an operator: worker
// w starts on the w-th contiguous run of them and then steals, so every
// morsel is taken exactly once whether or not every worker runs.
type Morsels struct {
	runs []morselRun
}

// morselRun is a worker's run of morsels [lo, hi), packed in one word so
// that its owner's take and a thief's steal are each one compare and swap;
// the padding keeps the workers' runs on separate cache lines.
type morselRun struct {
	span atomic.Uint64 // lo<<32 | hi
	_    [56]byte
}

// NewMorsels divides n morsels among workers runs.
func NewMorsels(n, workers int) *Morsels {
	workers = max(1, workers)
	m := &Morsels{runs: make([]morselRun, workers)}
	for w := range workers {
		m.runs[w].span.Store(pack(n*w/workers, n*(w+1)/workers))
	}
	return m
}

func pack(lo, hi int) uint64          { return uint64(lo)<<32 | uint64(hi) }
func unpack(span uint64) (lo, hi int) { return int(span >> 32), int(uint32(span)) }

// Next returns the next morsel for worker w, or false when none is left.
func (m *Morsels) Next(w int) (int, bool) {
	own := &m.runs[w%len(m.runs)].span
	for {
		span := own.Load()
		lo, hi := unpack(span)
		if lo >= hi {
			break
		}
		if own.CompareAndSwap(span, pack(lo+1, hi)) {
			return lo, true
		}
	}
	for {
		// steal the back half of the largest run left
		victim, most := -1, 0
		for i := range m.runs {
			if lo, hi := unpack(m.runs[i].span.Load()); hi-lo > most {
				victim, most = i, hi-lo
			}
		}
		if victim < 0 {
			return 0, false
		}
		run := &m.runs[victim].span
		span := run.Load()
		lo, hi := unpack(span)
		if hi-lo <= 0 {
			continue
		}
		mid := hi - (hi-lo+1)/2 // the thief takes [mid, hi), at least one
		if !run.CompareAndSwap(span, pack(lo, mid)) {
			continue
		}
		// the first stolen morsel is the thief's; the rest becomes its run
		// (only its owner takes from the front, so the run was empty)
		own.Store(pack(mid+1, hi))
		return mid, true
	}
}
