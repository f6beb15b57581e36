package rustydb

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"io"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/cockroachdb/apd/v3"

	"rustydb/types"
)

// The database/sql driver "rustydb" runs the engine in process:
//
//	db, err := sql.Open("rustydb", "/path/to/data")
//
// Connections to one directory share one open engine, which closes when the
// last connection does. Parameters are $1, $2, ... as in PostgreSQL.
func init() { sql.Register("rustydb", &Driver{}) }

// Driver is the database/sql driver.
type Driver struct{}

var (
	openMu sync.Mutex
	opened = map[string]*sharedDB{}
)

type sharedDB struct {
	db   *DB
	refs int
}

// Open opens a connection on the data directory named by dsn.
func (d *Driver) Open(dsn string) (driver.Conn, error) {
	dir, err := filepath.Abs(dsn)
	if err != nil {
		return nil, err
	}
	openMu.Lock()
	defer openMu.Unlock()
	sh := opened[dir]
	if sh == nil {
		db, err := Open(dir)
		if err != nil {
			return nil, err
		}
		sh = &sharedDB{db: db}
		opened[dir] = sh
	}
	sh.refs++
	return &conn{dir: dir, shared: sh, s: sh.db.NewSession(DatabaseName)}, nil
}

type conn struct {
	dir    string
	shared *sharedDB
	s      *Session
}

func (c *conn) Close() error {
	c.s.Close()
	openMu.Lock()
	defer openMu.Unlock()
	c.shared.refs--
	if c.shared.refs == 0 {
		delete(opened, c.dir)
		return c.shared.db.Close()
	}
	return nil
}

func (c *conn) Prepare(query string) (driver.Stmt, error) {
	return c.PrepareContext(context.Background(), query)
}

func (c *conn) PrepareContext(_ context.Context, query string) (driver.Stmt, error) {
	p, err := c.s.Prepare(query, nil)
	if err != nil {
		return nil, err
	}
	return &stmt{c: c, p: p}, nil
}

func (c *conn) Begin() (driver.Tx, error) { return c.BeginTx(context.Background(), driver.TxOptions{}) }

func (c *conn) BeginTx(ctx context.Context, _ driver.TxOptions) (driver.Tx, error) {
	if _, err := c.s.Exec(ctx, "BEGIN"); err != nil {
		return nil, err
	}
	return &tx{c: c}, nil
}

// ExecContext runs a statement without a separate prepare when it has no
// arguments (several statements separated by ; are allowed then).
func (c *conn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	if len(args) == 0 {
		tag, err := c.s.Exec(ctx, query)
		if err != nil {
			return nil, err
		}
		return result(tag), nil
	}
	st, err := c.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	return st.(*stmt).ExecContext(ctx, args)
}

func (c *conn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	st, err := c.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	return st.(*stmt).QueryContext(ctx, args)
}

type tx struct{ c *conn }

func (t *tx) Commit() error {
	_, err := t.c.s.Exec(context.Background(), "COMMIT")
	return err
}

func (t *tx) Rollback() error {
	_, err := t.c.s.Exec(context.Background(), "ROLLBACK")
	return err
}

type stmt struct {
	c *conn
	p *Prepared
}

func (s *stmt) Close() error  { return nil }
func (s *stmt) NumInput() int { return len(s.p.ParamTypes) }

func (s *stmt) Exec(args []driver.Value) (driver.Result, error) {
	return s.ExecContext(context.Background(), named(args))
}

func (s *stmt) Query(args []driver.Value) (driver.Rows, error) {
	return s.QueryContext(context.Background(), named(args))
}

func (s *stmt) run(ctx context.Context, args []driver.NamedValue) (*collector, error) {
	params := make([]types.Value, len(args))
	for i, a := range args {
		v, err := fromGo(a.Value)
		if err != nil {
			return nil, fmt.Errorf("rustydb: argument $%d: %w", i+1, err)
		}
		params[i] = v
	}
	var c collector
	if err := s.c.s.ExecutePrepared(ctx, s.p, params, &c); err != nil {
		return nil, err
	}
	// a statement outside BEGIN commits, as the extended protocol's Sync does
	if err := s.c.s.Sync(false); err != nil {
		return nil, err
	}
	return &c, nil
}

func (s *stmt) ExecContext(ctx context.Context, args []driver.NamedValue) (driver.Result, error) {
	c, err := s.run(ctx, args)
	if err != nil {
		s.c.s.Sync(true)
		return nil, err
	}
	return result(c.rows.tag), nil
}

func (s *stmt) QueryContext(ctx context.Context, args []driver.NamedValue) (driver.Rows, error) {
	c, err := s.run(ctx, args)
	if err != nil {
		s.c.s.Sync(true)
		return nil, err
	}
	if c.rows.cols == nil {
		c.rows.cols = s.p.Columns
	}
	return &driverRows{r: &c.rows}, nil
}

func named(args []driver.Value) []driver.NamedValue {
	out := make([]driver.NamedValue, len(args))
	for i, a := range args {
		out[i] = driver.NamedValue{Ordinal: i + 1, Value: a}
	}
	return out
}

// result reads the row count from a command tag ("INSERT 0 3", "UPDATE 2").
type result string

func (r result) LastInsertId() (int64, error) {
	return 0, fmt.Errorf("rustydb: LastInsertId is not supported; use RETURNING")
}

func (r result) RowsAffected() (int64, error) {
	f := strings.Fields(string(r))
	if len(f) == 0 {
		return 0, nil
	}
	n, err := strconv.ParseInt(f[len(f)-1], 10, 64)
	if err != nil {
		return 0, nil
	}
	return n, nil
}

type driverRows struct{ r *Rows }

func (d *driverRows) Columns() []string {
	names := make([]string, len(d.r.cols))
	for i, c := range d.r.cols {
		names[i] = c.Name
	}
	return names
}

func (d *driverRows) Close() error { return nil }

func (d *driverRows) Next(dest []driver.Value) error {
	if !d.r.Next() {
		return io.EOF
	}
	for i, v := range d.r.Values() {
		switch x := toGo(v).(type) {
		case *apd.Decimal:
			dest[i] = x.String()
		default:
			dest[i] = x
		}
	}
	return nil
}

// fromGo converts a database/sql argument to a value.
func fromGo(v any) (types.Value, error) {
	switch x := v.(type) {
	case nil:
		return types.Null, nil
	case int64:
		return types.NewInt(x), nil
	case float64:
		return types.NewFloat(x), nil
	case bool:
		return types.NewBool(x), nil
	case string:
		return types.NewText(x), nil
	case []byte:
		return types.NewText(string(x)), nil
	case time.Time:
		return types.NewTimestamp(x.UTC().UnixMicro()), nil
	}
	return types.Null, fmt.Errorf("unsupported type %T", v)
}
