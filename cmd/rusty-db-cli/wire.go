package main

import (
	"context"
	"crypto/tls"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
)

// wire is a backend over the PostgreSQL protocol (pgconn, simple query
// protocol, text results: what psql uses).
type wire struct {
	conn *pgconn.PgConn
	cfg  *pgconn.Config
}

// dialWire connects with connStr (see connString); password, when not "",
// replaces whatever the string and environment say.
func dialWire(ctx context.Context, connStr, password string, notice func(message)) (*wire, error) {
	cfg, err := pgconn.ParseConfig(connStr)
	if err != nil {
		return nil, err
	}
	if password != "" {
		cfg.Password = password
	}
	cfg.OnNotice = func(_ *pgconn.PgConn, n *pgconn.Notice) {
		m, _ := messageOf((*pgconn.PgError)(n))
		notice(m)
	}
	conn, err := pgconn.ConnectConfig(ctx, cfg)
	if err != nil {
		return nil, err
	}
	return &wire{conn: conn, cfg: cfg}, nil
}

func (w *wire) exec(ctx context.Context, req *request, emit func(*result) error) error {
	switch req.copy {
	case copyIn:
		tag, err := w.conn.CopyFrom(ctx, req.in, req.query)
		if err != nil {
			return err
		}
		return emit(&result{tag: tag.String(), copy: copyIn})
	case copyOut:
		tag, err := w.conn.CopyTo(ctx, req.out, req.query)
		if err != nil {
			return err
		}
		return emit(&result{tag: tag.String(), copy: copyOut})
	}
	mrr := w.conn.Exec(ctx, req.query)
	for mrr.NextResult() {
		rr := mrr.ResultReader()
		res := &result{}
		for _, fd := range rr.FieldDescriptions() {
			res.cols = append(res.cols, column{name: fd.Name, oid: fd.DataTypeOID})
		}
		if res.cols == nil && rr.FieldDescriptions() != nil {
			res.cols = []column{} // a row description without columns: SELECT;
		}
		for rr.NextRow() {
			row, size := cloneRow(rr.Values())
			if req.onRow != nil {
				req.onRow(size)
			}
			res.rows = append(res.rows, row)
		}
		tag, err := rr.Close()
		if err != nil {
			mrr.Close()
			return err
		}
		res.tag = tag.String()
		if err := emit(res); err != nil {
			mrr.Close()
			return err
		}
	}
	return mrr.Close()
}

// cloneRow copies a row out of pgconn's buffer, which the next row
// reuses, into one allocation; it returns the row and its size in bytes.
func cloneRow(vals [][]byte) ([][]byte, int) {
	size := 0
	for _, v := range vals {
		size += len(v)
	}
	buf := make([]byte, 0, size)
	row := make([][]byte, len(vals))
	for i, v := range vals {
		if v != nil {
			start := len(buf)
			buf = append(buf, v...)
			row[i] = buf[start:len(buf):len(buf)]
		}
	}
	return row, size
}

func (w *wire) cancel() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = w.conn.CancelRequest(ctx)
}

func (w *wire) txStatus() byte        { return w.conn.TxStatus() }
func (w *wire) superuser() bool       { return w.conn.ParameterStatus("is_superuser") == "on" }
func (w *wire) dbname() string        { return w.cfg.Database }
func (w *wire) user() string          { return w.cfg.User }
func (w *wire) serverVersion() string { return w.conn.ParameterStatus("server_version") }

func (w *wire) describe() string {
	s := fmt.Sprintf("You are connected to database \"%s\" as user \"%s\" on host \"%s\" at port \"%d\".", w.cfg.Database, w.cfg.User, w.cfg.Host, w.cfg.Port)
	if tc, ok := w.conn.Conn().(*tls.Conn); ok {
		st := tc.ConnectionState()
		s += fmt.Sprintf("\nSSL connection (protocol: %s, cipher: %s)", tls.VersionName(st.Version), tls.CipherSuiteName(st.CipherSuite))
	}
	return s
}

func (w *wire) close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return w.conn.Close(ctx)
}
