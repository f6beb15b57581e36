package rustydb

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"io"
	"path/filepath"
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

// CheckNamedValue passes the argument types fromGo reads as they are: the
// default converter would box each integer anew. Others (a driver.Valuer, a
// named integer type) take the default conversion.
func (c *conn) CheckNamedValue(nv *driver.NamedValue) error {
	switch nv.Value.(type) {
	case nil, int64, int, int32, float64, bool, string, []byte, time.Time:
		return nil
	}
	return driver.ErrSkip
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
		return affected(tag), nil
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
	// params and result are reused from one execution to the next, which
	// database/sql never overlaps on one driver statement; a query's
	// collector is not, as its rows outlive the call.
	params []types.Value
	result collector
}

func (s *stmt) Close() error  { return nil }
func (s *stmt) NumInput() int { return len(s.p.ParamTypes) }

func (s *stmt) Exec(args []driver.Value) (driver.Result, error) {
	return s.ExecContext(context.Background(), named(args))
}

func (s *stmt) Query(args []driver.Value) (driver.Rows, error) {
	return s.QueryContext(context.Background(), named(args))
}

// run executes the statement with args into c.
func (s *stmt) run(ctx context.Context, args []driver.NamedValue, c *collector) error {
	// The values of a query or DML are copied out of params before it
	// returns; anything else (a DECLARE's cursor) may keep them.
	reuse := s.p.Streams()
	var params []types.Value
	if reuse {
		params = s.params[:0]
	}
	for i, a := range args {
		v, err := fromGo(a.Value)
		if err != nil {
			return fmt.Errorf("rustydb: argument $%d: %w", i+1, err)
		}
		params = append(params, v)
	}
	if reuse {
		s.params = params
	}
	if err := s.c.s.ExecutePrepared(ctx, s.p, params, c); err != nil {
		s.c.s.Sync(true)
		return err
	}
	// a statement outside BEGIN commits, as the extended protocol's Sync does
	if err := s.c.s.Sync(false); err != nil {
		s.c.s.Sync(true)
		return err
	}
	return nil
}

func (s *stmt) ExecContext(ctx context.Context, args []driver.NamedValue) (driver.Result, error) {
	s.result = collector{}
	if err := s.run(ctx, args, &s.result); err != nil {
		return nil, err
	}
	return affected(s.result.rows.tag), nil
}

func (s *stmt) QueryContext(ctx context.Context, args []driver.NamedValue) (driver.Rows, error) {
	d := new(driverRows) // with its collector: one allocation
	if err := s.run(ctx, args, &d.c); err != nil {
		return nil, err
	}
	if d.c.rows.cols == nil {
		d.c.rows.cols = s.p.Columns
	}
	return d, nil
}

func named(args []driver.Value) []driver.NamedValue {
	out := make([]driver.NamedValue, len(args))
	for i, a := range args {
		out[i] = driver.NamedValue{Ordinal: i + 1, Value: a}
	}
	return out
}

// result is the row count of a command tag ("INSERT 0 3", "UPDATE 2").
type result int64

// affected reads the row count from a command tag.
func affected(tag string) result {
	n, _ := tagCount(tag)
	return result(n)
}

func (r result) LastInsertId() (int64, error) {
	return 0, fmt.Errorf("rustydb: LastInsertId is not supported; use RETURNING")
}

func (r result) RowsAffected() (int64, error) { return int64(r), nil }

type driverRows struct{ c collector }

// Columns returns a new slice each time: database/sql hands it to the
// caller, who may change it.
func (d *driverRows) Columns() []string {
	names := make([]string, len(d.c.rows.cols))
	for i, c := range d.c.rows.cols {
		names[i] = c.Name
	}
	return names
}

func (d *driverRows) Close() error { return nil }

func (d *driverRows) Next(dest []driver.Value) error {
	if !d.c.rows.Next() {
		return io.EOF
	}
	for i, v := range d.c.rows.Values() {
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
	case int:
		return types.NewInt(int64(x)), nil
	case int32:
		return types.NewInt(int64(x)), nil
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
