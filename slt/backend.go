package slt

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"regexp"

	"github.com/jackc/pgx/v5"

	"rustydb"
	"rustydb/types"
)

// Backend runs SQL for the runner: the embedded engine or a server.
type Backend interface {
	Exec(ctx context.Context, sql string) error
	Query(ctx context.Context, sql string) (*Result, error)
	// Restart ends the session and starts a new one on the same data; the
	// embedded engine is closed and recovered from disk.
	Restart() error
	// Reset starts over on an empty database, for the next file.
	Reset() error
	Close() error
}

// Result is a query's rows in PostgreSQL's text format.
type Result struct {
	IsBool []bool // per column: whether it is boolean
	Rows   [][]Cell
}

// Cell is one value of a result.
type Cell struct {
	Text string
	Null bool
}

// Embedded runs SQL in one session of an engine opened on a temporary
// directory.
type Embedded struct {
	dir string
	db  *rustydb.DB
	s   *rustydb.Session
}

// NewEmbedded opens an engine on a new temporary directory; Close removes it.
func NewEmbedded() (*Embedded, error) {
	dir, err := os.MkdirTemp("", "rusty-slt-")
	if err != nil {
		return nil, err
	}
	e := &Embedded{dir: dir}
	if err := e.open(); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	return e, nil
}

func (e *Embedded) open() error {
	// No fsync: a test database need not survive a crash, and engine logs
	// (a panic is logged, and also returned as XX000) would drown the report.
	db, err := rustydb.OpenWith(rustydb.Options{Dir: e.dir, SyncMode: "off", Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		return err
	}
	e.db, e.s = db, db.NewSession("rustydb")
	return nil
}

func (e *Embedded) close() error {
	e.s.Close()
	return e.db.Close()
}

func (e *Embedded) Exec(ctx context.Context, sql string) error {
	_, err := e.s.Exec(ctx, sql)
	return err
}

func (e *Embedded) Query(ctx context.Context, sql string) (*Result, error) {
	rows, err := e.s.Query(ctx, sql)
	if err != nil {
		return nil, err
	}
	cols := rows.Columns()
	res := &Result{IsBool: make([]bool, len(cols))}
	for i, c := range cols {
		res.IsBool[i] = c.Type.ID == types.Bool
	}
	for rows.Next() {
		vals := rows.Values()
		r := make([]Cell, len(vals))
		for i, v := range vals {
			if v.IsNull() {
				r[i].Null = true
			} else {
				r[i].Text = string(types.AppendTextIn(nil, v, cols[i].Type, e.s.Location()))
			}
		}
		res.Rows = append(res.Rows, r)
	}
	return res, nil
}

func (e *Embedded) Restart() error {
	if err := e.close(); err != nil {
		return err
	}
	return e.open()
}

func (e *Embedded) Reset() error {
	if err := e.close(); err != nil {
		return err
	}
	if err := os.RemoveAll(e.dir); err != nil {
		return err
	}
	if err := os.Mkdir(e.dir, 0o700); err != nil {
		return err
	}
	return e.open()
}

func (e *Embedded) Close() error {
	err := e.close()
	if rmErr := os.RemoveAll(e.dir); err == nil {
		err = rmErr
	}
	return err
}

// Wire runs SQL on a server through one pgx connection using the simple
// query protocol, so values arrive in the server's own text format.
type Wire struct {
	cfg  *pgx.ConnConfig
	conn *pgx.Conn
	// created lists the tables and views made on this server, which Reset
	// drops: the server has no catalog to list them and one database only.
	created [][2]string // kind, name
}

// NewWire connects to the server at dsn (a URL or key=value string).
func NewWire(dsn string) (*Wire, error) {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return nil, err
	}
	cfg.DefaultQueryExecMode = pgx.QueryExecModeSimpleProtocol
	w := &Wire{cfg: cfg}
	if err := w.connect(); err != nil {
		return nil, err
	}
	return w, nil
}

func (w *Wire) connect() error {
	conn, err := pgx.ConnectConfig(context.Background(), w.cfg)
	if err != nil {
		return err
	}
	w.conn = conn
	return nil
}

// live reconnects when the connection was lost, for instance closed by pgx
// after a timed-out statement.
func (w *Wire) live() error {
	if w.conn.IsClosed() {
		return w.connect()
	}
	return nil
}

var createRE = regexp.MustCompile(`(?is)^\s*create\s+(?:or\s+replace\s+)?(?:temp(?:orary)?\s+)?(table|view)\s+(?:if\s+not\s+exists\s+)?([^\s(;]+)`)

func (w *Wire) Exec(ctx context.Context, sql string) error {
	if err := w.live(); err != nil {
		return err
	}
	_, err := w.conn.Exec(ctx, sql)
	if err == nil {
		w.track(sql)
	}
	return err
}

// track remembers a table or view that sql created.
func (w *Wire) track(sql string) {
	if m := createRE.FindStringSubmatch(sql); m != nil {
		w.created = append(w.created, [2]string{m[1], m[2]})
	}
}

func (w *Wire) Query(ctx context.Context, sql string) (*Result, error) {
	if err := w.live(); err != nil {
		return nil, err
	}
	rows, err := w.conn.Query(ctx, sql)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	fields := rows.FieldDescriptions()
	res := &Result{IsBool: make([]bool, len(fields))}
	for i, f := range fields {
		res.IsBool[i] = f.DataTypeOID == types.OIDBool
	}
	for rows.Next() {
		raw := rows.RawValues()
		r := make([]Cell, len(raw))
		for i, b := range raw {
			r[i] = Cell{Text: string(b), Null: b == nil}
		}
		res.Rows = append(res.Rows, r)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	w.track(sql)
	return res, nil
}

func (w *Wire) Restart() error {
	w.conn.Close(context.Background())
	return w.connect()
}

// Reset reconnects, ending any open transaction, and drops what the
// earlier files created.
func (w *Wire) Reset() error {
	if err := w.Restart(); err != nil {
		return err
	}
	w.drop()
	return nil
}

// Close drops what the files created, leaving the server as it was found
// for the next run, and disconnects.
func (w *Wire) Close() error {
	if err := w.Restart(); err != nil {
		return err
	}
	w.drop()
	return w.conn.Close(context.Background())
}

// drop drops the tables and views made so far, newest first so views go
// before their tables.
func (w *Wire) drop() {
	for i := len(w.created) - 1; i >= 0; i-- {
		c := w.created[i]
		// Errors are expected: a file may have dropped what it created.
		w.conn.Exec(context.Background(), fmt.Sprintf("DROP %s IF EXISTS %s", c[0], c[1]))
	}
	w.created = nil
}
