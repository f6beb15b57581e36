package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"time"

	"rustydb"
	"rustydb/sqlerr"
	"rustydb/types"
)

// embedded is a backend on a data directory opened in this process, with
// no server: one rustydb.Session, whose results are turned into the text
// the server would have sent.
type embedded struct {
	db     *rustydb.DB
	sess   *rustydb.Session
	dir    string
	role   string
	notice func(message)
}

// openEmbedded opens dir as user. A directory a server (or another
// embedded client) holds is refused with rustydb.ErrDirInUse.
func openEmbedded(dir, user string, logger *slog.Logger, notice func(message)) (*embedded, error) {
	db, err := rustydb.OpenWith(rustydb.Options{Dir: dir, Logger: logger})
	if err != nil {
		if errors.Is(err, rustydb.ErrDirInUse) {
			return nil, fmt.Errorf("%v\nA server or another rusty-db-cli --embedded has it open: connect through the server (rusty-db-cli -h HOST -p PORT) or stop it first", err)
		}
		return nil, err
	}
	abs, _ := filepath.Abs(dir)
	return &embedded{db: db, sess: db.NewSession(user), dir: abs, role: user, notice: notice}, nil
}

func (e *embedded) exec(ctx context.Context, req *request, emit func(*result) error) error {
	w := &resultWriter{req: req, emit: emit, sess: e.sess, notice: e.notice}
	_, err := e.sess.Run(ctx, req.query, w)
	return err
}

func (e *embedded) cancel()               { e.sess.Cancel() }
func (e *embedded) txStatus() byte        { return e.sess.TxStatus() }
func (e *embedded) superuser() bool       { return true } // an embedded session has every privilege
func (e *embedded) dbname() string        { return rustydb.DatabaseName }
func (e *embedded) user() string          { return e.role }
func (e *embedded) serverVersion() string { return rustydb.ServerVersion }

func (e *embedded) describe() string {
	return fmt.Sprintf("You are connected to database \"%s\" as user \"%s\" embedded on data directory \"%s\" (no server).", rustydb.DatabaseName, e.role, e.dir)
}

func (e *embedded) close() error {
	e.sess.Close()
	return e.db.Close()
}

// errNoCopyData refuses COPY FROM STDIN / TO STDOUT where the client has
// no data for it (inside a multi-statement string, see runQuery).
var errNoCopyData = sqlerr.New(sqlerr.FeatureNotSupported, "COPY FROM STDIN and COPY TO STDOUT must be sent on their own, not with other statements in one command string")

// resultWriter receives a session's results as rustydb.ResultWriter and
// hands them on as the wire backend does.
type resultWriter struct {
	req    *request
	emit   func(*result) error
	sess   *rustydb.Session
	notice func(message)
	cur    *result
	types  []types.T
	loc    *time.Location // the session's TimeZone, in which timestamptz values print
	buf    []byte
	copied copyDir
}

func (w *resultWriter) Columns(cols []rustydb.Column) error {
	w.cur = &result{cols: make([]column, len(cols))}
	w.types, w.loc = w.types[:0], w.sess.Location()
	for i, c := range cols {
		t := c.Type
		if t.ID == types.Unknown {
			t = types.TText
		}
		w.cur.cols[i] = column{name: c.Name, oid: t.OID()}
		w.types = append(w.types, c.Type)
	}
	return nil
}

func (w *resultWriter) Row(vals []types.Value) error {
	w.buf = w.buf[:0]
	ends := make([]int, len(vals))
	for i, v := range vals {
		if !v.IsNull() {
			w.buf = types.AppendTextIn(w.buf, v, w.types[i], w.loc)
		}
		ends[i] = len(w.buf)
	}
	row, size := make([][]byte, len(vals)), len(w.buf)
	data := make([]byte, size)
	copy(data, w.buf)
	start := 0
	for i, v := range vals {
		if !v.IsNull() {
			row[i] = data[start:ends[i]:ends[i]]
		}
		start = ends[i]
	}
	if w.req.onRow != nil {
		w.req.onRow(size)
	}
	w.cur.rows = append(w.cur.rows, row)
	return nil
}

func (w *resultWriter) Complete(tag string) error {
	res := w.cur
	if res == nil {
		res = &result{}
	}
	res.tag, res.copy = tag, w.copied
	w.cur, w.copied = nil, copyNone
	return w.emit(res)
}

func (w *resultWriter) Notice(n rustydb.Notice) {
	w.notice(message{severity: n.Severity, code: n.Code, text: n.Message, detail: n.Detail})
}

func (w *resultWriter) ParameterStatus(string, string) {}

func (w *resultWriter) CopyIn(int, bool) (io.Reader, error) {
	if w.req.in == nil {
		return nil, errNoCopyData
	}
	w.copied = copyIn
	return w.req.in, nil
}

func (w *resultWriter) CopyOut(int, bool) (io.Writer, error) {
	if w.req.out == nil {
		return nil, errNoCopyData
	}
	w.copied = copyOut
	return w.req.out, nil
}
