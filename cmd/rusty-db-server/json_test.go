package main

import (
	"context"
	"reflect"
	"testing"

	"github.com/jackc/pgx/v5"
)

// TestJSONOverWire round-trips json and jsonb through pgx: as text in the
// simple protocol, and in the extended protocol, where pgx sends and reads
// jsonb in its binary format (a version byte, then the text) and maps
// both types to Go maps and structs.
func TestJSONOverWire(t *testing.T) {
	s := startServer(t, "")
	ctx := context.Background()
	simple := s.connect(t)
	mustExec(t, simple, "CREATE TABLE docs (id INT PRIMARY KEY, j JSONB, t JSON)", "")
	mustExec(t, simple, `INSERT INTO docs VALUES (1, '{"b": [1, 2.50], "a": "x"}', '{"b" : 1,  "b": 2}')`, "INSERT 0 1")
	wantRows(t, simple, "SELECT j, t, j->'b'->>1, t->>'b' FROM docs", `{"a": "x", "b": [1, 2.50]}|{"b" : 1,  "b": 2}|2.50|2`)
	wantCode(t, simple, "INSERT INTO docs VALUES (2, '{\"a\":', NULL)", "22P02")

	cfg, err := pgx.ParseConfig(s.connString())
	if err != nil {
		t.Fatal(err)
	}
	ext, err := pgx.ConnectConfig(ctx, cfg) // extended protocol, binary where pgx can
	if err != nil {
		t.Fatal(err)
	}
	defer ext.Close(ctx)

	type doc struct {
		Name string   `json:"name"`
		Tags []string `json:"tags"`
		N    float64  `json:"n"`
	}
	in := doc{Name: "é \"q\"", Tags: []string{"x", "y"}, N: 1.5}
	if _, err := ext.Exec(ctx, "INSERT INTO docs VALUES ($1, $2, $3)", 3, in, map[string]any{"k": []any{true, nil}}); err != nil {
		t.Fatal(err)
	}
	var out doc
	var raw map[string]any
	if err := ext.QueryRow(ctx, "SELECT j, t FROM docs WHERE id = $1", 3).Scan(&out, &raw); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(out, in) || !reflect.DeepEqual(raw, map[string]any{"k": []any{true, nil}}) {
		t.Fatalf("round trip: %+v %v", out, raw)
	}
	var name string
	if err := ext.QueryRow(ctx, "SELECT j->>'name' FROM docs WHERE j @> $1", map[string]any{"tags": []string{"y"}}).Scan(&name); err != nil || name != in.Name {
		t.Fatalf("@> with a jsonb parameter: %q, %v", name, err)
	}
	var text string
	if err := ext.QueryRow(ctx, "SELECT j::text FROM docs WHERE id = 3").Scan(&text); err != nil || text != `{"n": 1.5, "name": "é \"q\"", "tags": ["x", "y"]}` {
		t.Fatalf("canonical text: %q, %v", text, err)
	}
	var tags []string
	if err := ext.QueryRow(ctx, "SELECT array_agg(v ORDER BY v) FROM docs, jsonb_array_elements_text(j->'tags') v").Scan(&tags); err != nil ||
		!reflect.DeepEqual(tags, []string{"x", "y"}) {
		t.Fatalf("elements of each row's tags: %v, %v", tags, err)
	}
}
