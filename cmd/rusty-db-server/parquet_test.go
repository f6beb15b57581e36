package main

import (
	"context"
	"path/filepath"
	"testing"
	"time"
)

// TestParquetOverWire exports a table to Parquet through the server, loads
// it back and queries the file with read_parquet through pgx's extended
// protocol, whose binary results carry the types the file gives.
func TestParquetOverWire(t *testing.T) {
	s := startServer(t, "")
	c := s.connect(t)
	ctx := context.Background()
	file := filepath.Join(t.TempDir(), "pq.parquet")
	mustExec(t, c, "CREATE TABLE pq (id BIGINT, price NUMERIC(8,2), day DATE, at TIMESTAMP, name TEXT)", "")
	mustExec(t, c, "INSERT INTO pq VALUES (1, 2.50, '2024-01-01', '2024-01-01 10:00', 'tea'), (2, NULL, NULL, NULL, NULL)", "INSERT 0 2")
	mustExec(t, c, "COPY pq TO '"+file+"' (FORMAT parquet)", "COPY 2")
	mustExec(t, c, "CREATE TABLE pq2 (id BIGINT, price NUMERIC(8,2), day DATE, at TIMESTAMP, name TEXT)", "")
	mustExec(t, c, "COPY pq2 FROM '"+file+"' (FORMAT parquet)", "COPY 2")
	wantRows(t, c, "SELECT * FROM pq2 ORDER BY id", "1|2.50|2024-01-01|2024-01-01 10:00:00|tea", "2|NULL|NULL|NULL|NULL")

	rows, err := c.Query(ctx, "SELECT id, day, at, name FROM read_parquet('"+file+"') WHERE id = $1", 1)
	if err != nil {
		t.Fatal(err)
	}
	// int8, date, timestamp, text
	var oids []uint32
	for _, f := range rows.FieldDescriptions() {
		oids = append(oids, f.DataTypeOID)
	}
	var id int64
	var day, at time.Time
	var name string
	if !rows.Next() {
		t.Fatalf("no row: %v", rows.Err())
	}
	if err := rows.Scan(&id, &day, &at, &name); err != nil {
		t.Fatal(err)
	}
	rows.Close()
	if id != 1 || day.Format(time.DateOnly) != "2024-01-01" || at.Format(time.DateTime) != "2024-01-01 10:00:00" || name != "tea" {
		t.Errorf("row %d %v %v %q", id, day, at, name)
	}
	if want := []uint32{20, 1082, 1114, 25}; len(oids) != 4 || oids[0] != want[0] || oids[1] != want[1] || oids[2] != want[2] || oids[3] != want[3] {
		t.Errorf("column types %v, want %v", oids, want)
	}
	wantCode(t, c, "SELECT * FROM read_parquet('"+filepath.Dir(file)+"/nothing.parquet')", "58P01")
}
