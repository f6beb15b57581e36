package main

import (
	"context"
	"slices"
	"testing"
)

// TestArraysOverWire round-trips arrays through pgx, which uses the binary
// array format for parameters and results of the types it knows.
func TestArraysOverWire(t *testing.T) {
	s := startServer(t, "")
	c := s.connect(t)
	ctx := context.Background()
	mustExec(t, c, "CREATE TABLE a (id INT PRIMARY KEY, nums INT[], tags TEXT[], f FLOAT8[])", "")
	if _, err := c.Exec(ctx, "INSERT INTO a VALUES ($1, $2, $3, $4)", 1, []int32{3, 1, 2}, []string{"x", "y z", ""}, []float64{1.5}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Exec(ctx, "INSERT INTO a VALUES (2, '{}', ARRAY[NULL, 'q'], NULL)"); err != nil {
		t.Fatal(err)
	}
	var nums []int32
	var tags []string
	var f []float64
	if err := c.QueryRow(ctx, "SELECT nums, tags, f FROM a WHERE id = $1", 1).Scan(&nums, &tags, &f); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(nums, []int32{3, 1, 2}) || !slices.Equal(tags, []string{"x", "y z", ""}) || !slices.Equal(f, []float64{1.5}) {
		t.Fatalf("binary round trip: %v %q %v", nums, tags, f)
	}
	var withNull []*string
	if err := c.QueryRow(ctx, "SELECT tags FROM a WHERE id = 2").Scan(&withNull); err != nil {
		t.Fatal(err)
	}
	if len(withNull) != 2 || withNull[0] != nil || *withNull[1] != "q" {
		t.Fatalf("array with NULL: %v", withNull)
	}
	var id int
	if err := c.QueryRow(ctx, "SELECT id FROM a WHERE $1 = ANY(nums)", 2).Scan(&id); err != nil || id != 1 {
		t.Fatalf("= ANY(array) with a parameter: %d, %v", id, err)
	}
	wantRows(t, c, "SELECT nums::text, array_to_string(tags, '|') FROM a ORDER BY id", "{3,1,2}|x|y z|", "{}|q")
}
