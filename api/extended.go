package api

import (
	"context"
	"slices"

	"github.com/jackc/pgx/v5/pgproto3"

	"rustydb"
	"rustydb/sqlerr"
	"rustydb/types"
)

// portal is a bound statement. Its result is computed at the first Execute
// and handed out in pieces when Execute limits the rows.
type portal struct {
	prep     *rustydb.Prepared
	params   []types.Value
	formats  []int16 // result formats per column; nil = text
	executed bool
	rows     [][]types.Value
	sent     int
	tag      string
}

// extended handles Parse, Bind, Describe, Execute and Close. After an error
// every message up to the next Sync is skipped, as PostgreSQL does.
func (c *pgConn) extended(msg pgproto3.FrontendMessage) {
	if c.skipToSync {
		return
	}
	if c.statements == nil {
		c.statements = map[string]*rustydb.Prepared{}
		c.portals = map[string]*portal{}
	}
	var err error
	switch m := msg.(type) {
	case *pgproto3.Parse:
		err = c.parse(m)
	case *pgproto3.Bind:
		err = c.bind(m)
	case *pgproto3.Describe:
		err = c.describe(m)
	case *pgproto3.Execute:
		err = c.execute(m)
	case *pgproto3.Close:
		if m.ObjectType == 'S' {
			delete(c.statements, m.Name)
		} else {
			delete(c.portals, m.Name)
		}
		c.be.Send(&pgproto3.CloseComplete{})
	}
	if err != nil && !c.statementError(err) {
		c.skipToSync, c.syncFailed = true, true
	}
}

func (c *pgConn) parse(m *pgproto3.Parse) error {
	if _, exists := c.statements[m.Name]; exists && m.Name != "" {
		return sqlerr.New("42P05", "prepared statement %q already exists", m.Name)
	}
	paramTypes := make([]types.T, len(m.ParameterOIDs))
	for i, oid := range m.ParameterOIDs {
		paramTypes[i] = typeForOID(oid)
	}
	prepare := c.session.Prepare
	if m.Name == "" {
		prepare = c.session.PrepareUnnamed
	}
	prep, err := prepare(m.Query, paramTypes)
	if err != nil {
		return err
	}
	c.statements[m.Name] = prep
	c.be.Send(&pgproto3.ParseComplete{})
	return nil
}

func (c *pgConn) bind(m *pgproto3.Bind) error {
	prep := c.statements[m.PreparedStatement]
	if prep == nil {
		return sqlerr.New(sqlerr.InvalidSQLStatementName, "prepared statement %q does not exist", m.PreparedStatement)
	}
	if len(m.Parameters) != len(prep.ParamTypes) {
		return sqlerr.New(sqlerr.ProtocolViolation, "bind message supplies %d parameters, but prepared statement %q requires %d",
			len(m.Parameters), m.PreparedStatement, len(prep.ParamTypes))
	}
	params := make([]types.Value, len(m.Parameters))
	for i, raw := range m.Parameters {
		format, err := formatAt(m.ParameterFormatCodes, i, len(m.Parameters))
		if err != nil {
			return err
		}
		if params[i], err = decodeParamIn(raw, format, prep.ParamTypes[i], c.session.Location()); err != nil {
			return err
		}
	}
	p := &portal{prep: prep, params: params}
	if len(m.ResultFormatCodes) > 0 && len(prep.Columns) > 0 {
		p.formats = make([]int16, len(prep.Columns))
		for i := range p.formats {
			f, err := formatAt(m.ResultFormatCodes, i, len(prep.Columns))
			if err != nil {
				return err
			}
			if f == 1 && !hasBinary(prep.Columns[i].Type) {
				return sqlerr.New(sqlerr.FeatureNotSupported, "binary output is not supported for type %s", prep.Columns[i].Type)
			}
			p.formats[i] = f
		}
	}
	c.portals[m.DestinationPortal] = p
	c.be.Send(&pgproto3.BindComplete{})
	return nil
}

// formatAt applies the protocol's format-code rules: none means text, one
// applies to all, otherwise one per item.
func formatAt(codes []int16, i, n int) (int16, error) {
	var f int16
	switch len(codes) {
	case 0:
	case 1:
		f = codes[0]
	case n:
		f = codes[i]
	default:
		return 0, sqlerr.New(sqlerr.ProtocolViolation, "%d format codes for %d items", len(codes), n)
	}
	if f != 0 && f != 1 {
		return 0, sqlerr.New(sqlerr.ProtocolViolation, "invalid format code %d", f)
	}
	return f, nil
}

func (c *pgConn) describe(m *pgproto3.Describe) error {
	if m.ObjectType == 'S' {
		prep := c.statements[m.Name]
		if prep == nil {
			return sqlerr.New(sqlerr.InvalidSQLStatementName, "prepared statement %q does not exist", m.Name)
		}
		oids := make([]uint32, len(prep.ParamTypes))
		for i, t := range prep.ParamTypes {
			oids[i] = t.OID()
		}
		c.be.Send(&pgproto3.ParameterDescription{ParameterOIDs: oids})
		c.sendDescription(prep, nil)
		return nil
	}
	p := c.portals[m.Name]
	if p == nil {
		return sqlerr.New(sqlerr.InvalidCursorName, "portal %q does not exist", m.Name)
	}
	c.sendDescription(p.prep, p.formats)
	return nil
}

// sendDescription describes prep's result columns in formats, the message
// kept for the next Describe of the same statement and formats (libpq
// describes the portal of every PQexecPrepared).
func (c *pgConn) sendDescription(prep *rustydb.Prepared, formats []int16) {
	if len(prep.Columns) == 0 {
		c.be.Send(&pgproto3.NoData{})
		return
	}
	d := &c.desc
	if d.prep != prep || !slices.Equal(d.formats, formats) {
		d.prep, d.formats, d.msg = prep, slices.Clone(formats), rowDescription(prep.Columns, formats)
	}
	c.be.Send(d.msg)
}

// collectWriter keeps a statement's rows for a portal and forwards notices.
type collectWriter struct {
	c *pgConn
	p *portal
}

func (w *collectWriter) Columns([]rustydb.Column) error { return nil }
func (w *collectWriter) Row(vals []types.Value) error {
	w.p.rows = append(w.p.rows, vals)
	return nil
}
func (w *collectWriter) Complete(tag string) error { w.p.tag = tag; return nil }
func (w *collectWriter) Notice(n rustydb.Notice) {
	w.c.be.Send(&pgproto3.NoticeResponse{Severity: n.Severity, SeverityUnlocalized: n.Severity, Code: n.Code, Message: n.Message, Detail: n.Detail})
}
func (w *collectWriter) ParameterStatus(name, value string) {
	w.c.be.Send(&pgproto3.ParameterStatus{Name: name, Value: value})
}

func (c *pgConn) execute(m *pgproto3.Execute) error {
	p := c.portals[m.Portal]
	if p == nil {
		return sqlerr.New(sqlerr.InvalidCursorName, "portal %q does not exist", m.Portal)
	}
	if p.prep.Empty() {
		c.be.Send(&pgproto3.EmptyQueryResponse{})
		return nil
	}
	w := &c.rowOut
	*w = wireWriter{be: c.be, cols: p.prep.Columns, formats: p.formats, noDesc: true, session: c.session,
		buf: w.buf, vals: w.vals, offsets: w.offsets}
	if !p.executed {
		p.executed = true
		if m.MaxRows == 0 && p.prep.Streams() {
			// All rows at once, as nearly every client asks: they go to the
			// client as the statement makes them, not kept first.
			err := c.session.ExecutePrepared(context.Background(), p.prep, p.params, w)
			p.tag = w.tag // what an Execute of the finished portal repeats
			return err
		}
		if err := c.session.ExecutePrepared(context.Background(), p.prep, p.params, &collectWriter{c: c, p: p}); err != nil {
			return err
		}
	}
	end := len(p.rows)
	if m.MaxRows > 0 && p.sent+int(m.MaxRows) < end {
		end = p.sent + int(m.MaxRows)
	}
	for ; p.sent < end; p.sent++ {
		if err := w.Row(p.rows[p.sent]); err != nil {
			return err
		}
	}
	if p.sent < len(p.rows) {
		c.be.Send(&pgproto3.PortalSuspended{})
		return nil
	}
	p.rows = nil
	c.be.Send(&pgproto3.CommandComplete{CommandTag: []byte(p.tag)})
	return nil
}

// sync ends an extended-protocol exchange: the implicit transaction commits
// (or rolls back after an error) and the client is told the state.
func (c *pgConn) sync() {
	if err := c.session.Sync(c.syncFailed); err != nil {
		c.sendError(err, "ERROR")
	}
	c.skipToSync, c.syncFailed = false, false
	if c.session.TxStatus() == 'I' {
		delete(c.portals, "") // the unnamed portal ends with its transaction
	}
	c.ready()
}
