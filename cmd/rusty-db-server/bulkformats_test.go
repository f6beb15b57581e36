package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// TestBulkFormats runs NDJSON COPY from the client, ON_ERROR's NOTICE,
// an Arrow file round trip and read_csv over the wire.
func TestBulkFormats(t *testing.T) {
	s := startServer(t, "")
	var notices []string
	c := s.connectWith(t, func(pc *pgx.ConnConfig) {
		pc.OnNotice = func(_ *pgconn.PgConn, n *pgconn.Notice) { notices = append(notices, n.Code+" "+n.Message) }
	})
	ctx := context.Background()
	dir := t.TempDir()
	mustExec(t, c, "CREATE TABLE ev (id INT, kind TEXT, at TIMESTAMP)", "")
	ndjson := "{\"id\": 1, \"kind\": \"click\", \"at\": \"2024-01-01 10:00:00\"}\n{\"id\": \"x\"}\n{\"id\": 2}\n"
	tag, err := c.PgConn().CopyFrom(ctx, strings.NewReader(ndjson), "COPY ev FROM STDIN (FORMAT json, ON_ERROR 'ignore')")
	if err != nil || tag.String() != "COPY 2" {
		t.Fatalf("COPY FROM STDIN json: %v %v", tag, err)
	}
	if len(notices) != 1 || notices[0] != "00000 1 row was skipped due to data type incompatibility" {
		t.Errorf("notices = %q", notices)
	}

	arrow := filepath.Join(dir, "ev.arrow")
	mustExec(t, c, "COPY ev TO '"+arrow+"' (FORMAT arrow)", "COPY 2")
	mustExec(t, c, "CREATE TABLE ev2 (at TIMESTAMP, id BIGINT, kind TEXT)", "")
	mustExec(t, c, "COPY ev2 FROM '"+arrow+"' (FORMAT arrow)", "COPY 2")
	wantRows(t, c, "SELECT id, kind, at FROM ev2 ORDER BY id", "1|click|2024-01-01 10:00:00", "2|NULL|NULL")

	csv := filepath.Join(dir, "m.csv")
	if err := os.WriteFile(csv, []byte("city,temp,day\nOslo,-3.5,2024-01-02\nRome,12,2024-01-03\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	wantRows(t, c, "SELECT city, temp * 2, day + 1 FROM read_csv('"+csv+"') ORDER BY temp", "Oslo|-7|2024-01-03", "Rome|24|2024-01-04")
	e := wantCode(t, c, "COPY ev FROM '"+filepath.Join(dir, "nope.ndjson")+"' (FORMAT json)", "58P01")
	if !strings.Contains(e.Message, "could not open file") {
		t.Errorf("missing file: %s", e.Message)
	}
}
