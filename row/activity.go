package row

import "sync/atomic"

// Activity counts what the store's users do with it, for the server's
// metrics. It lives in the buffer pool, the one object every heap of a
// store reaches, so readers add to it without a path back to the Store.
type Activity struct {
	// RowsRead counts row values read: tuples decoded from heap pages
	// (scans, index lookups, the rows DML examines) and visible rows of
	// column segments that scans and vectorized aggregations went through.
	RowsRead atomic.Uint64
	// RowsInserted and RowsDeleted count the row versions that committed
	// transactions created and ended; an UPDATE does one of each.
	RowsInserted, RowsDeleted atomic.Uint64
	// WorkersBusy is the number of parallel query workers running now.
	WorkersBusy atomic.Int64
}

// Activity returns the store's counters.
func (s *Store) Activity() *Activity { return &s.pool.activity }
