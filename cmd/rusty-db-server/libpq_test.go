package main

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"testing"
	"time"

	_ "github.com/lib/pq"
)

// TestLibPQ drives the server with lib/pq through database/sql, which
// speaks the protocol differently from pgx (see ../shared/pgwire/CLIENTS.md):
// an empty query for Ping, BEGIN READ WRITE, two round trips per prepared
// statement with untyped text parameters, binary results for integers and
// bytea, and a transaction status check after BEGIN.
func TestLibPQ(t *testing.T) {
	s := startServer(t, "")
	db, err := sql.Open("postgres", fmt.Sprintf("host=127.0.0.1 port=%d user=rustydb dbname=rustydb sslmode=disable", s.pg))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	if err := db.PingContext(ctx); err != nil {
		t.Fatalf("ping: %v", err)
	}
	if _, err := db.Exec("CREATE TABLE lp (id BIGINT PRIMARY KEY, name TEXT, at TIMESTAMP, day DATE, raw BYTEA, n SMALLINT)"); err != nil {
		t.Fatal(err)
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatalf("begin: %v", err)
	}
	at := time.Date(2024, 2, 29, 13, 45, 56, 123456000, time.UTC)
	for i := int64(1); i <= 3; i++ {
		if _, err := tx.Exec("INSERT INTO lp VALUES ($1, $2, $3, $4, $5, $6)", i, fmt.Sprint("n", i), at, at, []byte{0, 0xff, byte(i)}, i); err != nil {
			t.Fatalf("insert %d: %v", i, err)
		}
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	var (
		id   int64
		name string
		ts   time.Time
		day  time.Time
		raw  []byte
		n    int16
	)
	row := db.QueryRow("SELECT id, name, at, day, raw, n FROM lp WHERE id = $1", 2)
	if err := row.Scan(&id, &name, &ts, &day, &raw, &n); err != nil {
		t.Fatal(err)
	}
	if id != 2 || name != "n2" || !ts.Equal(at) || day.Format("2006-01-02") != "2024-02-29" || !bytes.Equal(raw, []byte{0, 0xff, 2}) || n != 2 {
		t.Fatalf("got %d %q %v %v %x %d", id, name, ts, day, raw, n)
	}
	var count int
	if err := db.QueryRow("SELECT count(*) FROM lp WHERE at = $1 AND id >= $2", at, 1).Scan(&count); err != nil || count != 3 {
		t.Fatalf("count: %d, %v", count, err)
	}
	// a failed statement inside a transaction leaves it aborted until ROLLBACK
	tx, err = db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec("INSERT INTO lp (id) VALUES (1)"); err == nil {
		t.Fatal("duplicate key accepted")
	}
	if _, err := tx.Exec("SELECT 1"); err == nil {
		t.Fatal("statement accepted in an aborted transaction")
	}
	if err := tx.Rollback(); err != nil {
		t.Fatal(err)
	}
	if err := db.PingContext(ctx); err != nil {
		t.Fatalf("connection unusable after rollback: %v", err)
	}
}
