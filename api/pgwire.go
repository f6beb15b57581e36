package api

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"errors"
	"io"
	"net"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgproto3"

	"rustydb"
	"rustydb/sqlerr"
	"rustydb/types"
)

// maxMessageBytes bounds a client message; a larger length is a protocol
// violation rather than an allocation.
const maxMessageBytes = 64 << 20

// pgConn is one client connection speaking protocol v3.
type pgConn struct {
	srv     *Server
	netConn net.Conn
	be      *pgproto3.Backend
	session *rustydb.Session
	pid     uint32
	secret  [4]byte
	tls     bool   // the connection was upgraded to TLS
	user    string // the authenticated role

	// extended query protocol state
	statements map[string]*rustydb.Prepared
	portals    map[string]*portal
	skipToSync bool // an error occurred: ignore messages until Sync
	syncFailed bool // the implicit transaction must roll back at Sync
	closing    bool // a FATAL error was sent: the connection ends
	// rowOut sends Execute's rows; kept so that its buffers serve every
	// Execute of the connection.
	rowOut wireWriter
	// desc is the last description sent (sendDescription).
	desc struct {
		prep    *rustydb.Prepared
		formats []int16
		msg     *pgproto3.RowDescription
	}

	// pendingShutdown holds a SHUTDOWN the session ran until its client
	// has the answer.
	pendingShutdown rustydb.ShutdownMode
}

// servePG runs one connection to completion. A panic is contained here: it is
// logged with its stack and ends only this connection.
func (s *Server) servePG(nc net.Conn) {
	c := &pgConn{srv: s, netConn: nc, be: pgproto3.NewBackend(nc, nc)}
	c.be.SetMaxBodyLen(maxMessageBytes)
	defer func() {
		if r := recover(); r != nil {
			s.logger.Error("panic in connection handler", "panic", r, "stack", string(debug.Stack()))
			c.sendError(sqlerr.New(sqlerr.InternalError, "internal error: %v", r), "FATAL")
		}
		c.netConn.Close() // the TLS connection, when upgraded
	}()
	ready := c.startup()
	if c.session == nil {
		return
	}
	defer func() { // also when the client left during start-up, after its session began
		s.unregister(c)
		c.session.Close()
		s.metrics.ConnectionClosed()
	}()
	if ready {
		c.loop()
	}
}

// startup handles SSL negotiation, cancel requests and the startup message.
// It returns true when the connection is ready for queries.
func (c *pgConn) startup() bool {
	_ = c.netConn.SetReadDeadline(time.Now().Add(30 * time.Second))
	for {
		msg, err := c.be.ReceiveStartupMessage()
		if err != nil {
			c.srv.metrics.ConnectionRejected("bad_startup")
			c.sendError(sqlerr.New(sqlerr.ProtocolViolation, "invalid startup packet: %v", err), "FATAL")
			return false
		}
		switch m := msg.(type) {
		case *pgproto3.SSLRequest:
			if c.tls {
				c.sendError(sqlerr.New(sqlerr.ProtocolViolation, "SSLRequest on a connection that already uses TLS"), "FATAL")
				return false
			}
			if c.srv.opts.TLS != nil {
				if !c.startTLS() {
					return false
				}
				continue
			}
			// 'N' tells the client to continue in plain text.
			if _, err := c.netConn.Write([]byte{'N'}); err != nil {
				return false
			}
		case *pgproto3.GSSEncRequest: // no GSSAPI encryption
			if _, err := c.netConn.Write([]byte{'N'}); err != nil {
				return false
			}
		case *pgproto3.CancelRequest:
			c.srv.cancel(m.ProcessID, m.SecretKey)
			return false
		case *pgproto3.StartupMessage:
			return c.accept(m)
		default:
			c.sendError(sqlerr.New(sqlerr.ProtocolViolation, "unexpected startup message %T", msg), "FATAL")
			return false
		}
	}
}

func (c *pgConn) accept(m *pgproto3.StartupMessage) bool {
	user := m.Parameters["user"]
	db := m.Parameters["database"]
	if db == "" {
		db = user
	}
	if user == "" {
		c.reject("bad_startup", sqlerr.New(sqlerr.InvalidAuthorization, "no PostgreSQL user name specified in startup packet"))
		return false
	}
	if c.srv.closing() {
		c.reject("shutting_down", errShuttingDown())
		return false
	}
	// Authentication comes before the database check, as in PostgreSQL,
	// so that an unauthenticated client learns nothing more.
	if !c.authenticate(user) {
		return false
	}
	_ = c.netConn.SetReadDeadline(time.Time{}) // the startup deadline covered authentication too
	c.user = user
	if db != rustydb.DatabaseName {
		c.reject("bad_database", sqlerr.New(sqlerr.InvalidCatalogName, "database %q does not exist", db).
			WithHint("The only database is %q until CREATE DATABASE exists.", rustydb.DatabaseName))
		return false
	}
	if err := c.srv.db.CheckLogin(user); err != nil {
		c.reject("restricted", sqlerr.From(err))
		return false
	}
	c.session = c.srv.db.Login(user)
	// A killed session's connection may be waiting for its client: time the
	// read out so that the loop sends the FATAL error and ends, and bound
	// the time that error may take to write. Set as the session appears in
	// the registry, so that no kill (or IMMEDIATE shutdown) misses it.
	nc := c.netConn
	c.session.OnTerminate(func() {
		_ = nc.SetReadDeadline(time.Now())
		_ = nc.SetWriteDeadline(time.Now().Add(5 * time.Second))
	})
	if reason, err := c.srv.register(c); err != nil {
		c.session.Close()
		c.session = nil
		c.reject(reason, err)
		return false
	}
	c.srv.metrics.ConnectionOpened()
	c.session.OnStatement = func(kind string, d time.Duration, err error) {
		c.srv.metrics.StatementDone(kind, d, err != nil)
	}
	c.session.SetClient(c.netConn.RemoteAddr().String())
	for key, v := range m.Parameters { // application_name, a client's time zone (JDBC sends one), ...
		c.session.SetStartupParameter(key, v)
	}
	for name, v := range startupOptions(m.Parameters["options"]) {
		c.session.SetStartupParameter(name, v)
	}
	c.be.Send(&pgproto3.AuthenticationOk{})
	for _, p := range c.session.InitialParameters() {
		c.be.Send(&pgproto3.ParameterStatus{Name: p[0], Value: p[1]})
	}
	c.be.Send(&pgproto3.BackendKeyData{ProcessID: c.pid, SecretKey: c.secret[:]})
	c.be.Send(&pgproto3.ReadyForQuery{TxStatus: 'I'})
	return c.be.Flush() == nil
}

// startupOptions reads the settings of the startup packet's options
// parameter (libpq's PGOPTIONS): -c name=value, -cname=value or
// --name=value, separated by spaces; a backslash escapes the next character.
func startupOptions(options string) map[string]string {
	var words []string
	var w strings.Builder
	for i := 0; i < len(options); i++ {
		switch ch := options[i]; {
		case ch == '\\' && i+1 < len(options):
			i++
			w.WriteByte(options[i])
		case ch == ' ':
			if w.Len() > 0 {
				words = append(words, w.String())
				w.Reset()
			}
		default:
			w.WriteByte(ch)
		}
	}
	if w.Len() > 0 {
		words = append(words, w.String())
	}
	out := map[string]string{}
	for i := 0; i < len(words); i++ {
		setting, ok := strings.CutPrefix(words[i], "--")
		if !ok {
			if setting, ok = strings.CutPrefix(words[i], "-c"); ok && setting == "" && i+1 < len(words) {
				i++
				setting = words[i]
			}
		}
		if name, value, found := strings.Cut(setting, "="); ok && found {
			out[strings.ReplaceAll(name, "-", "_")] = value
		}
	}
	return out
}

func (c *pgConn) reject(reason string, err *sqlerr.Error) {
	c.srv.metrics.ConnectionRejected(reason)
	c.sendError(err, "FATAL")
}

func (c *pgConn) sendError(err error, severity string) {
	e := sqlerr.From(err)
	c.be.Send(&pgproto3.ErrorResponse{Severity: severity, SeverityUnlocalized: severity, Code: e.Code,
		Message: e.Message, Detail: e.Detail, Hint: e.Hint, Position: int32(e.Position)})
	_ = c.be.Flush()
}

func (c *pgConn) loop() {
	for !c.closing {
		msg, err := c.be.Receive()
		if err != nil && c.session.Terminated() {
			c.sendError(rustydb.ErrTerminated, "FATAL")
			return
		}
		if err != nil {
			if !errors.Is(err, io.EOF) && !errors.Is(err, net.ErrClosed) && !c.srv.closing() {
				c.srv.logger.Debug("closing connection on bad message", "pid", c.pid, "err", err)
				c.sendError(sqlerr.New(sqlerr.ProtocolViolation, "invalid message: %v", err), "FATAL")
			}
			return
		}
		switch m := msg.(type) {
		case *pgproto3.Query:
			c.simpleQuery(m.String)
		case *pgproto3.Terminate:
			return
		case *pgproto3.Sync:
			c.sync()
		case *pgproto3.Flush:
			_ = c.be.Flush()
		case *pgproto3.Parse, *pgproto3.Bind, *pgproto3.Describe, *pgproto3.Execute, *pgproto3.Close:
			c.extended(msg)
		case *pgproto3.CopyData, *pgproto3.CopyDone, *pgproto3.CopyFail:
			// ignored outside COPY, as PostgreSQL does: a client (pgx's
			// CopyFrom) may stream data for a COPY FROM STDIN that failed
			// before it started
		default:
			c.sendError(sqlerr.New(sqlerr.ProtocolViolation, "unexpected message %T", msg), "FATAL")
			return
		}
	}
}

// ready tells the client the session waits for its next query; a SHUTDOWN
// the query ran is requested only now that the client has the answer.
func (c *pgConn) ready() {
	c.be.Send(&pgproto3.ReadyForQuery{TxStatus: c.session.TxStatus()})
	_ = c.be.Flush()
	if mode := c.pendingShutdown; mode != "" {
		c.pendingShutdown = ""
		c.srv.RequestShutdown(mode)
	}
}

func (c *pgConn) simpleQuery(query string) {
	w := &wireWriter{be: c.be, session: c.session, shutdown: &c.pendingShutdown, deallocate: c.deallocateAll}
	n, err := c.session.Run(context.Background(), query, w)
	if w.copyIn != nil {
		w.copyIn.drain()
	}
	if err != nil {
		if w.err != nil { // the client went away mid-result
			return
		}
		if c.statementError(err) {
			return
		}
	} else if n == 0 {
		c.be.Send(&pgproto3.EmptyQueryResponse{})
	}
	c.ready()
}

// statementError reports a statement's error to the client. The error of a
// killed session (57P01) is FATAL and ends the connection: it returns true.
func (c *pgConn) statementError(err error) bool {
	if sqlerr.Code(err) == sqlerr.AdminShutdown && c.session.Terminated() {
		c.sendError(err, "FATAL")
		c.closing = true
		return true
	}
	c.sendError(err, "ERROR")
	return false
}

// wireWriter sends a session's results as protocol messages.
type wireWriter struct {
	be      *pgproto3.Backend
	cols    []rustydb.Column
	formats []int16 // per column, 1 = binary; nil = all text
	noDesc  bool    // extended protocol: RowDescription comes from Describe
	buf     []byte
	vals    [][]byte
	offsets []int // where each value of the row being sent starts in buf
	rows    int
	err     error
	tag     string      // the last command tag sent
	copyIn  *copyReader // set while COPY FROM STDIN runs
	copyOut bool        // COPY TO STDOUT sent CopyOutResponse
	// session gives the TimeZone in which timestamps with time zone print.
	session *rustydb.Session
	// deallocate drops the connection's prepared statements (DISCARD ALL).
	deallocate func()
	// shutdown receives a SHUTDOWN's mode (see DeferShutdown).
	shutdown *rustydb.ShutdownMode
}

// rowDescription describes cols; formats as in wireWriter.
func rowDescription(cols []rustydb.Column, formats []int16) *pgproto3.RowDescription {
	fields := make([]pgproto3.FieldDescription, len(cols))
	for i, c := range cols {
		t := c.Type
		if t.ID == types.Unknown {
			t = types.TText
		}
		fields[i] = pgproto3.FieldDescription{Name: []byte(c.Name), TableOID: c.TableID,
			TableAttributeNumber: uint16(c.Ordinal), DataTypeOID: t.OID(), DataTypeSize: t.Size(), TypeModifier: t.Modifier()}
		if formats != nil {
			fields[i].Format = formats[i]
		}
	}
	return &pgproto3.RowDescription{Fields: fields}
}

func (w *wireWriter) Columns(cols []rustydb.Column) error {
	w.cols = cols
	if !w.noDesc {
		w.be.Send(rowDescription(cols, w.formats))
	}
	return nil
}

func (w *wireWriter) Row(vals []types.Value) error {
	if w.buf == nil {
		w.buf = make([]byte, 0, 256) // an empty value must not be a nil slice, which is NULL on the wire
	}
	w.buf = w.buf[:0]
	w.vals = w.vals[:0]
	offsets := w.offsets[:0]
	loc := time.UTC
	if w.session != nil {
		loc = w.session.Location()
	}
	for i, v := range vals {
		offsets = append(offsets, len(w.buf))
		switch {
		case v.IsNull():
		case w.formats != nil && w.formats[i] == 1:
			w.buf = appendBinary(w.buf, v, w.cols[i].Type)
		default:
			w.buf = types.AppendTextIn(w.buf, v, w.cols[i].Type, loc)
		}
	}
	offsets = append(offsets, len(w.buf))
	w.offsets = offsets
	for i, v := range vals {
		if v.IsNull() {
			w.vals = append(w.vals, nil)
		} else {
			w.vals = append(w.vals, w.buf[offsets[i]:offsets[i+1]])
		}
	}
	w.be.Send(&pgproto3.DataRow{Values: w.vals})
	w.rows++
	// Flush now and then so a large result streams instead of buffering.
	if w.rows%512 == 0 {
		if err := w.be.Flush(); err != nil {
			w.err = err
			return err
		}
	}
	return nil
}

func (w *wireWriter) Complete(tag string) error {
	if w.copyOut {
		w.be.Send(&pgproto3.CopyDone{})
		w.copyOut = false
	}
	w.be.Send(&pgproto3.CommandComplete{CommandTag: []byte(tag)})
	w.tag = tag
	return nil
}

func (w *wireWriter) Notice(n rustydb.Notice) {
	w.be.Send(&pgproto3.NoticeResponse{Severity: n.Severity, SeverityUnlocalized: n.Severity, Code: n.Code, Message: n.Message, Detail: n.Detail})
}

func (w *wireWriter) ParameterStatus(name, value string) {
	w.be.Send(&pgproto3.ParameterStatus{Name: name, Value: value})
}

// connRegistry tracks live connections for cancel requests and shutdown.
type connRegistry struct {
	mu    sync.Mutex
	conns map[uint32]*pgConn // by session id, which is the process id
}

func (s *Server) register(c *pgConn) (reason string, err *sqlerr.Error) {
	r := &s.conns
	r.mu.Lock()
	defer r.mu.Unlock()
	// checked under the lock that Drain takes to end the sessions, so that
	// none slips past an IMMEDIATE shutdown
	if s.closing() {
		return "shutting_down", errShuttingDown()
	}
	// max_connections as it is now: lowering it refuses new connections
	// until enough have closed
	if len(r.conns) >= s.db.Params().Current().Server.MaxConnections {
		return "too_many", sqlerr.New(sqlerr.TooManyConnections, "sorry, too many clients already")
	}
	c.pid = c.session.ID()
	_, _ = rand.Read(c.secret[:])
	r.conns[c.pid] = c
	return "", nil
}

func (s *Server) unregister(c *pgConn) {
	s.conns.mu.Lock()
	delete(s.conns.conns, c.pid)
	s.conns.mu.Unlock()
}

// cancel honours a CancelRequest whose key matches a live connection.
func (s *Server) cancel(pid uint32, secret []byte) {
	s.conns.mu.Lock()
	c := s.conns.conns[pid]
	s.conns.mu.Unlock()
	if c != nil && subtle.ConstantTimeCompare(c.secret[:], secret) == 1 {
		c.session.Cancel()
	}
}

// ActiveConnections returns the number of open client sessions.
func (s *Server) ActiveConnections() int {
	s.conns.mu.Lock()
	defer s.conns.mu.Unlock()
	return len(s.conns.conns)
}

// deallocateAll drops the connection's prepared statements, as DISCARD ALL
// does in PostgreSQL; portals stay until their transaction ends.
func (c *pgConn) deallocateAll() { clear(c.statements) }

// DeallocateAll is DISCARD ALL's DEALLOCATE ALL (rustydb.StatementDeallocator).
func (w *wireWriter) DeallocateAll() {
	if w.deallocate != nil {
		w.deallocate()
	}
}
