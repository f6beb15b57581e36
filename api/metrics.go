// Package api is RustyDB's network face: the PostgreSQL wire protocol
// (pgwire.go, auth.go), the REST admin API (rest.go, admin.go; bearer
// tokens in tokens.go, Arrow answers in arrow.go, its OpenAPI document in
// openapi.json) and Prometheus metrics (metrics.go), and the Server that
// runs them and stops them in the shutdown modes (shutdown.go). It sits
// above the engine (package rustydb) and below cmd/.
package api

import (
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"rustydb"
	"rustydb/asm"
	"rustydb/wal"
)

// statementKinds are the kinds the wire protocol reports to StatementDone.
// Their series are created up front so that rate() over them works from the
// first scrape instead of appearing only after the first such statement.
var statementKinds = []string{"select", "insert", "update", "delete", "ddl", "copy", "explain", "cursor",
	"maintenance", "begin", "commit", "rollback", "utility"}

// Metrics holds the server's Prometheus metrics in a registry of its own, so
// that tests and embedded servers do not share (and collide in) the global one.
// All methods are safe for concurrent use.
type Metrics struct {
	registry    *prometheus.Registry
	connActive  prometheus.Gauge
	connTotal   prometheus.Counter
	connReject  *prometheus.CounterVec
	statements  *prometheus.CounterVec
	stmtSeconds *prometheus.HistogramVec
	// byKind holds statementKinds' series, looked up once: a labelled
	// lookup hashes its labels under a lock, twice per statement.
	byKind map[string]kindSeries
}

// kindSeries are one statement kind's series.
type kindSeries struct {
	ok, failed prometheus.Counter
	seconds    prometheus.Observer
}

// NewMetrics creates the metrics. stats is called once per scrape for the
// engine's counters, so they are never stale and cost nothing between scrapes.
func NewMetrics(stats func() rustydb.Stats) *Metrics {
	m := &Metrics{
		registry: prometheus.NewRegistry(),
		connActive: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "rustydb_connections_active",
			Help: "Client connections currently open on the PostgreSQL wire protocol.",
		}),
		connTotal: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "rustydb_connections_total",
			Help: "Client connections accepted since the server started.",
		}),
		connReject: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "rustydb_connections_rejected_total",
			Help: "Client connections refused, by reason (too_many, bad_startup, ...).",
		}, []string{"reason"}),
		statements: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "rustydb_statements_total",
			Help: "SQL statements executed, by kind and by outcome (ok or error).",
		}, []string{"kind", "status"}),
		stmtSeconds: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "rustydb_statement_duration_seconds",
			Help: "Time to execute a SQL statement, by kind.",
			// Point lookups take tens of microseconds, analytic scans seconds.
			Buckets: prometheus.ExponentialBucketsRange(50e-6, 10, 16),
		}, []string{"kind"}),
	}
	m.byKind = make(map[string]kindSeries, len(statementKinds))
	for _, kind := range statementKinds {
		m.byKind[kind] = m.series(kind)
	}
	m.registry.MustRegister(
		m.connActive, m.connTotal, m.connReject, m.statements, m.stmtSeconds,
		newEngineCollector(stats),
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	)
	return m
}

// ConnectionOpened records an accepted client connection.
func (m *Metrics) ConnectionOpened() {
	m.connActive.Inc()
	m.connTotal.Inc()
}

// ConnectionClosed records the end of a connection counted by ConnectionOpened.
func (m *Metrics) ConnectionClosed() { m.connActive.Dec() }

// ConnectionRejected records a connection refused for reason, such as
// "too_many" or "bad_startup".
func (m *Metrics) ConnectionRejected(reason string) {
	m.connReject.WithLabelValues(reason).Inc()
}

// StatementDone records one executed statement of kind (select, insert,
// update, delete, ddl, begin, commit, rollback, utility) that took d.
func (m *Metrics) StatementDone(kind string, d time.Duration, failed bool) {
	k, ok := m.byKind[kind]
	if !ok {
		k = m.series(kind)
	}
	if failed {
		k.failed.Inc()
	} else {
		k.ok.Inc()
	}
	k.seconds.Observe(d.Seconds())
}

// series looks kind's series up by their labels.
func (m *Metrics) series(kind string) kindSeries {
	return kindSeries{m.statements.WithLabelValues(kind, "ok"), m.statements.WithLabelValues(kind, "error"),
		m.stmtSeconds.WithLabelValues(kind)}
}

// Handler serves the metrics in the Prometheus exposition formats.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{
		// A failing collector (say, /proc unreadable) must not hide the rest.
		ErrorHandling: promhttp.ContinueOnError,
		// Counts scrape errors as promhttp_metric_handler_errors_total.
		Registry: m.registry,
	})
}

// Registry returns the registry, for callers that add their own collectors.
func (m *Metrics) Registry() *prometheus.Registry { return m.registry }

// engineCollector reads the engine's counters at scrape time.
type engineCollector struct {
	stats func() rustydb.Stats

	commits, rollbacks, activeTxns, checkpoints, tables *prometheus.Desc
	walBytes, walRecords, walFsyncs, walGroupCommits    *prometheus.Desc
	walSegsCreated, walSegsRemoved, walGroupSize        *prometheus.Desc
	uptime, buildInfo, simdInfo, ioInfo                 *prometheus.Desc
	bpPages, bpUsed, bpDirty, bpHits, bpMisses          *prometheus.Desc
	bpEvictions, bpWrites                               *prometheus.Desc
	rowsRead, rowsWritten, workersBusy                  *prometheus.Desc
	poolSize, poolLent, poolLaunched, poolDenied        *prometheus.Desc
}

func newEngineCollector(stats func() rustydb.Stats) *engineCollector {
	desc := func(name, help string, labels ...string) *prometheus.Desc {
		return prometheus.NewDesc("rustydb_"+name, help, labels, nil)
	}
	return &engineCollector{
		stats:           stats,
		commits:         desc("transactions_committed_total", "Transactions committed since the server started."),
		rollbacks:       desc("transactions_rolled_back_total", "Transactions rolled back, explicitly or by an error, since the server started."),
		activeTxns:      desc("transactions_active", "Transactions currently open."),
		checkpoints:     desc("checkpoints_total", "Checkpoints completed since the server started."),
		tables:          desc("tables", "Tables in the catalog."),
		walBytes:        desc("wal_bytes_written_total", "Bytes written to WAL segment files, headers included."),
		walRecords:      desc("wal_records_total", "Records appended to the WAL."),
		walFsyncs:       desc("wal_fsyncs_total", "fsync calls on WAL segment files and the WAL directory."),
		walGroupCommits: desc("wal_group_commits_total", "WAL flushes that made more than one waiting commit durable at once."),
		walSegsCreated:  desc("wal_segments_created_total", "WAL segment files created."),
		walSegsRemoved:  desc("wal_segments_removed_total", "WAL segment files removed after a checkpoint made them unnecessary."),
		walGroupSize:    desc("wal_group_commit_size", "Commits (and other flush callers) each WAL flush made durable at once; under sync_mode local, commits per fsync."),
		uptime:          desc("uptime_seconds", "Seconds since the engine opened."),
		buildInfo:       desc("build_info", "Always 1; the version label says which RustyDB build is running.", "version"),
		simdInfo:        desc("simd_info", "Always 1; the level label names the SIMD kernels in use (generic, avx2, avx512).", "level"),
		ioInfo:          desc("io_engine_info", "Always 1; the engine label names the storage I/O engine in use (io_uring, pread).", "engine"),
		bpPages:         desc("buffer_pool_pages", "Capacity of the buffer pool in 8 KiB pages."),
		bpUsed:          desc("buffer_pool_pages_used", "Buffer pool frames holding a page."),
		bpDirty:         desc("buffer_pool_pages_dirty", "Buffer pool pages changed since they were last written."),
		bpHits:          desc("buffer_pool_hits_total", "Page requests served from the buffer pool."),
		bpMisses:        desc("buffer_pool_misses_total", "Page requests that had to read the page from its file."),
		bpEvictions:     desc("buffer_pool_evictions_total", "Pages dropped from the buffer pool to make room."),
		bpWrites:        desc("buffer_pool_page_writes_total", "Data pages written in place (after their doublewrite copy)."),
		rowsRead:        desc("rows_read_total", "Rows read from heap pages and column segments by scans, index lookups and the rows DML examines."),
		rowsWritten:     desc("rows_written_total", "Row versions that committed transactions created (op=insert) or ended (op=delete); an UPDATE does one of each.", "op"),
		workersBusy:     desc("parallel_workers_busy", "Parallel query workers running now."),
		poolSize:        desc("parallel_worker_pool_size", "Parallel workers the server lends to queries at once (performance.max_parallel_workers)."),
		poolLent:        desc("parallel_workers_lent", "Parallel workers lent to running operators now, beyond each operator's first."),
		poolLaunched:    desc("parallel_workers_launched_total", "Parallel workers lent to operators since the server started."),
		poolDenied:      desc("parallel_workers_denied_total", "Parallel workers operators asked for while the pool had none free; those operators ran with fewer."),
	}
}

func (c *engineCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{
		c.commits, c.rollbacks, c.activeTxns, c.checkpoints, c.tables,
		c.walBytes, c.walRecords, c.walFsyncs, c.walGroupCommits,
		c.walSegsCreated, c.walSegsRemoved, c.uptime, c.buildInfo, c.simdInfo, c.ioInfo,
		c.bpPages, c.bpUsed, c.bpDirty, c.bpHits, c.bpMisses, c.bpEvictions, c.bpWrites,
		c.walGroupSize, c.rowsRead, c.rowsWritten, c.workersBusy,
		c.poolSize, c.poolLent, c.poolLaunched, c.poolDenied,
	} {
		ch <- d
	}
}

func (c *engineCollector) Collect(ch chan<- prometheus.Metric) {
	st := c.stats()
	counter := func(d *prometheus.Desc, v uint64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, float64(v), labels...)
	}
	gauge := func(d *prometheus.Desc, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, labels...)
	}
	counter(c.commits, st.Commits)
	counter(c.rollbacks, st.Rollbacks)
	gauge(c.activeTxns, float64(st.ActiveTxns))
	counter(c.checkpoints, st.Checkpoints)
	gauge(c.tables, float64(st.Tables))
	counter(c.walBytes, st.WAL.BytesWritten)
	counter(c.walRecords, st.WAL.Records)
	counter(c.walFsyncs, st.WAL.Fsyncs)
	counter(c.walGroupCommits, st.WAL.GroupCommits)
	counter(c.walSegsCreated, st.WAL.SegmentsCreated)
	counter(c.walSegsRemoved, st.WAL.SegmentsRemoved)
	gauge(c.uptime, time.Since(st.Started).Seconds())
	gauge(c.buildInfo, 1, rustydb.Version)
	gauge(c.simdInfo, 1, asm.Active().String())
	gauge(c.ioInfo, 1, st.IOEngine)
	bp := st.BufferPool
	gauge(c.bpPages, float64(bp.Pages))
	gauge(c.bpUsed, float64(bp.Used))
	gauge(c.bpDirty, float64(bp.Dirty))
	counter(c.bpHits, bp.Hits)
	counter(c.bpMisses, bp.Misses)
	counter(c.bpEvictions, bp.Evictions)
	counter(c.bpWrites, bp.PageWrites)
	counter(c.rowsRead, st.RowsRead)
	counter(c.rowsWritten, st.RowsInserted, "insert")
	counter(c.rowsWritten, st.RowsDeleted, "delete")
	gauge(c.workersBusy, float64(st.ParallelWorkersBusy))
	gauge(c.poolSize, float64(st.Workers.Size))
	gauge(c.poolLent, float64(st.Workers.Lent))
	counter(c.poolLaunched, uint64(st.Workers.Launched))
	counter(c.poolDenied, uint64(st.Workers.Denied))
	ch <- groupSizeHistogram(c.walGroupSize, st.WAL)
}

// groupSizeHistogram turns the WAL's group size buckets into a histogram.
func groupSizeHistogram(d *prometheus.Desc, st wal.Stats) prometheus.Metric {
	buckets := make(map[float64]uint64, len(wal.GroupSizeBounds))
	var cum uint64
	for i, bound := range wal.GroupSizeBounds {
		cum += st.GroupSizes[i]
		buckets[float64(bound)] = cum
	}
	count := cum + st.GroupSizes[len(wal.GroupSizeBounds)]
	return prometheus.MustNewConstHistogram(d, count, float64(st.GroupSizeSum), buckets)
}

// sessionStates reports the client sessions by state at scrape time.
type sessionStates struct {
	sessions func() []SessionInfo
	desc     *prometheus.Desc
}

// sessionStateNames are the states a session reports, as in
// pg_stat_activity; each has a series, zero or not.
var sessionStateNames = []string{"active", "idle", "idle in transaction", "idle in transaction (aborted)"}

func newSessionStates(sessions func() []SessionInfo) *sessionStates {
	return &sessionStates{sessions: sessions, desc: prometheus.NewDesc("rustydb_connections",
		"Client sessions open now, by state (active, idle, idle in transaction, idle in transaction (aborted)).", []string{"state"}, nil)}
}

func (c *sessionStates) Describe(ch chan<- *prometheus.Desc) { ch <- c.desc }

func (c *sessionStates) Collect(ch chan<- prometheus.Metric) {
	counts := map[string]int{}
	for _, s := range c.sessions() {
		counts[s.State]++
	}
	for _, state := range sessionStateNames {
		ch <- prometheus.MustNewConstMetric(c.desc, prometheus.GaugeValue, float64(counts[state]), state)
	}
}
