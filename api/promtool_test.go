package api

import (
	"context"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// TestPromtoolCheckMetrics runs `promtool check metrics` (Debian package
// prometheus; .ci/run installs it) on a scrape of a server with some
// activity, and checks that the metrics the issue asks for are there.
func TestPromtoolCheckMetrics(t *testing.T) {
	srv := testServer(t)
	ctx := context.Background()
	if _, err := srv.db.Exec(ctx, "CREATE TABLE p (i INT); INSERT INTO p VALUES (1), (2), (3); UPDATE p SET i = 4 WHERE i = 3"); err != nil {
		t.Fatal(err)
	}
	if _, err := srv.db.Query(ctx, "SELECT * FROM p"); err != nil {
		t.Fatal(err)
	}
	srv.metrics.StatementDone("select", time.Millisecond, false)
	text := scrape(t, srv.metrics)
	for _, want := range []string{
		`rustydb_connections{state="idle in transaction"} 0`,
		`rustydb_statements_total{kind="select",status="ok"} 1`,
		`rustydb_statement_duration_seconds_bucket{kind="select",le="+Inf"} 1`,
		"rustydb_rows_read_total ",
		`rustydb_rows_written_total{op="insert"} 4`, // three rows and the update's new version
		`rustydb_rows_written_total{op="delete"} 1`,
		"rustydb_transactions_committed_total ",
		"rustydb_transactions_rolled_back_total ",
		"rustydb_buffer_pool_hits_total ", "rustydb_buffer_pool_misses_total ",
		"rustydb_buffer_pool_evictions_total ", "rustydb_buffer_pool_pages_dirty ",
		"rustydb_wal_bytes_written_total ", "rustydb_wal_fsyncs_total ",
		"rustydb_wal_group_commit_size_bucket{le=\"1\"} ", "rustydb_wal_group_commit_size_count ",
		"rustydb_checkpoints_total ",
		"rustydb_parallel_workers_busy 0",
		`rustydb_simd_info{level="`, `rustydb_io_engine_info{engine="pread"} 1`,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("scrape lacks %q", want)
		}
	}
	if strings.Contains(text, "rustydb_rows_read_total 0\n") {
		t.Error("rows read stayed 0 after a SELECT")
	}
	promtool, err := exec.LookPath("promtool")
	if err != nil {
		t.Skip("promtool not installed (Debian package prometheus): the exposition was not linted")
	}
	cmd := exec.Command(promtool, "check", "metrics")
	cmd.Stdin = strings.NewReader(text)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("promtool check metrics: %v\n%s", err, out)
	}
}
