package rustydb

import (
	"database/sql"
	"testing"
)

func TestDatabaseSQLDriver(t *testing.T) {
	db, err := sql.Open("rustydb", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec("CREATE TABLE kv (k INT PRIMARY KEY, v TEXT, n NUMERIC(6,2))"); err != nil {
		t.Fatal(err)
	}
	res, err := db.Exec("INSERT INTO kv VALUES ($1, $2, $3), ($4, $5, $6)", 1, "one", "1.50", 2, "two", nil)
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := res.RowsAffected(); n != 2 {
		t.Errorf("rows affected %d", n)
	}
	var v string
	var n sql.NullString
	if err := db.QueryRow("SELECT v, n FROM kv WHERE k = $1", 1).Scan(&v, &n); err != nil || v != "one" || n.String != "1.50" {
		t.Errorf("query row: %q %v %v", v, n, err)
	}
	tx, err := db.Begin()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec("UPDATE kv SET v = $1 WHERE k = $2", "changed", 2); err != nil {
		t.Fatal(err)
	}
	if err := tx.Rollback(); err != nil {
		t.Fatal(err)
	}
	rows, err := db.Query("SELECT k, v FROM kv ORDER BY k")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for rows.Next() {
		var k int
		if err := rows.Scan(&k, &v); err != nil {
			t.Fatal(err)
		}
		got = append(got, v)
	}
	if len(got) != 2 || got[1] != "two" {
		t.Errorf("rows after rollback: %v", got)
	}
	if _, err := db.Exec("INSERT INTO kv VALUES ($1, $2, NULL)", 1, "dup"); err == nil {
		t.Error("duplicate key accepted")
	}
	stmt, err := db.Prepare("SELECT count(*) FROM kv WHERE k > $1")
	if err != nil {
		t.Fatal(err)
	}
	var c int
	if err := stmt.QueryRow(0).Scan(&c); err != nil || c != 2 {
		t.Errorf("prepared: %d %v", c, err)
	}
}

func TestTagCount(t *testing.T) {
	for _, c := range []struct {
		tag string
		n   int64
		ok  bool
	}{
		{"INSERT 0 1", 1, true},
		{"INSERT 0 1234567", 1234567, true},
		{"UPDATE 0", 0, true},
		{"SELECT 42", 42, true},
		{"COPY 999999999999999999", 999999999999999999, true},
		{"COPY 9999999999999999999", 0, false}, // past int64
		{"CREATE TABLE", 0, false},
		{"BEGIN", 0, false},
		{"42", 0, false},
		{"", 0, false},
		{"INSERT 0 ", 0, false},
	} {
		if n, ok := tagCount(c.tag); n != c.n || ok != c.ok {
			t.Errorf("tagCount(%q) = %d, %v; want %d, %v", c.tag, n, ok, c.n, c.ok)
		}
	}
}
