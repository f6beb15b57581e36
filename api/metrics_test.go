package api

import (
	"io"
	"math"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"rustydb"
	"rustydb/wal"
)

// scrape fetches m's text exposition, as Prometheus would.
func scrape(t *testing.T, m *Metrics) string {
	t.Helper()
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	if rec.Code != 200 {
		t.Fatalf("scrape: HTTP %d: %s", rec.Code, rec.Body)
	}
	body, err := io.ReadAll(rec.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(body)
}

func wantLines(t *testing.T, text string, lines ...string) {
	t.Helper()
	have := make(map[string]bool)
	for l := range strings.SplitSeq(text, "\n") {
		have[l] = true
	}
	for _, l := range lines {
		if !have[l] {
			t.Errorf("scrape lacks line %q", l)
		}
	}
}

func TestMetricsEngineStats(t *testing.T) {
	calls := 0
	st := rustydb.Stats{
		Started:     time.Now().Add(-90 * time.Second),
		Commits:     7,
		Rollbacks:   2,
		ActiveTxns:  3,
		Checkpoints: 4,
		Tables:      5,
		WAL: wal.Stats{
			BytesWritten: 123456, Records: 789, Fsyncs: 11,
			GroupCommits: 6, SegmentsCreated: 8, SegmentsRemoved: 1,
		},
	}
	m := NewMetrics(func() rustydb.Stats { calls++; return st })
	text := scrape(t, m)
	wantLines(t, text,
		"rustydb_transactions_committed_total 7",
		"rustydb_transactions_rolled_back_total 2",
		"rustydb_transactions_active 3",
		"rustydb_checkpoints_total 4",
		"rustydb_tables 5",
		"rustydb_wal_bytes_written_total 123456",
		"rustydb_wal_records_total 789",
		"rustydb_wal_fsyncs_total 11",
		"rustydb_wal_group_commits_total 6",
		"rustydb_wal_segments_created_total 8",
		"rustydb_wal_segments_removed_total 1",
		`rustydb_build_info{version="`+rustydb.Version+`"} 1`,
		"# TYPE rustydb_transactions_committed_total counter",
		"# TYPE rustydb_tables gauge",
	)
	if calls != 1 {
		t.Errorf("stats called %d times in one scrape, want 1", calls)
	}
	for _, name := range []string{"go_goroutines", "process_cpu_seconds_total", "rustydb_uptime_seconds"} {
		if !strings.Contains(text, "\n"+name+" ") {
			t.Errorf("scrape lacks %s", name)
		}
	}

	// The values are read at scrape time, not frozen at construction.
	st.Commits = 8
	wantLines(t, scrape(t, m), "rustydb_transactions_committed_total 8")

	fams := parseExposition(t, scrape(t, m))
	up := fams["rustydb_uptime_seconds"].GetMetric()[0].GetGauge().GetValue()
	if up < 90 || up > 3600 {
		t.Errorf("rustydb_uptime_seconds = %v, want about 90", up)
	}
}

func TestMetricsConnectionsAndStatements(t *testing.T) {
	m := NewMetrics(func() rustydb.Stats { return rustydb.Stats{Started: time.Now()} })
	m.ConnectionOpened()
	m.ConnectionOpened()
	m.ConnectionOpened()
	m.ConnectionClosed()
	m.ConnectionRejected("too_many")
	m.ConnectionRejected("too_many")
	m.ConnectionRejected("bad_startup")
	m.StatementDone("select", 200*time.Microsecond, false)
	m.StatementDone("select", 3*time.Millisecond, false)
	m.StatementDone("select", time.Millisecond, true)
	m.StatementDone("insert", 20*time.Second, false) // beyond the last bucket

	text := scrape(t, m)
	wantLines(t, text,
		"rustydb_connections_active 2",
		"rustydb_connections_total 3",
		`rustydb_connections_rejected_total{reason="too_many"} 2`,
		`rustydb_connections_rejected_total{reason="bad_startup"} 1`,
		`rustydb_statements_total{kind="select",status="ok"} 2`,
		`rustydb_statements_total{kind="select",status="error"} 1`,
		`rustydb_statements_total{kind="insert",status="ok"} 1`,
		`rustydb_statements_total{kind="update",status="ok"} 0`, // created up front
		`rustydb_statement_duration_seconds_count{kind="select"} 3`,
		`rustydb_statement_duration_seconds_count{kind="insert"} 1`,
		`rustydb_statement_duration_seconds_bucket{kind="insert",le="+Inf"} 1`,
		"# TYPE rustydb_statement_duration_seconds histogram",
	)

	fams := parseExposition(t, text)
	for _, met := range fams["rustydb_statement_duration_seconds"].GetMetric() {
		if labelValue(met, "kind") != "select" {
			continue
		}
		h := met.GetHistogram()
		if got, want := h.GetSampleSum(), 0.0042; got < want-1e-9 || got > want+1e-9 {
			t.Errorf("select duration sum = %v, want %v", got, want)
		}
		b := h.GetBucket()
		if b[len(b)-1].GetUpperBound() == math.Inf(1) { // the parser lists +Inf, the registry does not
			b = b[:len(b)-1]
		}
		if lo, hi := b[0].GetUpperBound(), b[len(b)-1].GetUpperBound(); lo != 50e-6 || hi < 9.999 || hi > 10.001 {
			t.Errorf("buckets span %v..%v s, want 50µs..10s", lo, hi)
		}
	}
}

// parseExposition proves text is valid exposition format and returns its families.
func parseExposition(t *testing.T, text string) map[string]*dto.MetricFamily {
	t.Helper()
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(strings.NewReader(text))
	if err != nil {
		t.Fatalf("invalid exposition format: %v\n%s", err, text)
	}
	for _, name := range []string{"rustydb_connections_active", "rustydb_statements_total", "rustydb_wal_fsyncs_total", "rustydb_build_info"} {
		if fams[name] == nil {
			t.Errorf("parsed exposition lacks %s", name)
		}
	}
	return fams
}

func labelValue(m *dto.Metric, name string) string {
	for _, l := range m.GetLabel() {
		if l.GetName() == name {
			return l.GetValue()
		}
	}
	return ""
}
