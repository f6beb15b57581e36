package api

import (
	"io"

	"github.com/jackc/pgx/v5/pgproto3"

	"rustydb/sqlerr"
)

// copyReader streams the client's CopyData messages during COPY FROM STDIN.
type copyReader struct {
	be   *pgproto3.Backend
	buf  []byte
	done bool
	err  error // io.EOF after CopyDone
}

func (r *copyReader) Read(p []byte) (int, error) {
	for len(r.buf) == 0 {
		if r.done {
			return 0, r.err
		}
		r.next()
	}
	n := copy(p, r.buf)
	r.buf = r.buf[n:]
	return n, nil
}

// next receives one message of the copy sub-protocol. CopyData's payload
// stays valid until the next Receive, which happens only once it is consumed.
func (r *copyReader) next() {
	msg, err := r.be.Receive()
	if err != nil {
		r.done, r.err = true, err
		return
	}
	switch m := msg.(type) {
	case *pgproto3.CopyData:
		r.buf = m.Data
	case *pgproto3.CopyDone:
		r.done, r.err = true, io.EOF
	case *pgproto3.CopyFail:
		r.done, r.err = true, sqlerr.New(sqlerr.QueryCanceled, "COPY from stdin failed: %s", m.Message)
	case *pgproto3.Flush, *pgproto3.Sync:
		// the protocol says to ignore these during COPY IN
	default:
		r.done, r.err = true, sqlerr.New(sqlerr.ProtocolViolation, "unexpected message %T during COPY from stdin", msg)
	}
}

// drain consumes the rest of a COPY IN the statement stopped reading (after
// an error), so the next message read is the client's next command.
func (r *copyReader) drain() {
	for !r.done {
		r.buf = nil
		r.next()
	}
}

func (w *wireWriter) CopyIn(columns int, csv bool) (io.Reader, error) {
	w.be.Send(&pgproto3.CopyInResponse{ColumnFormatCodes: make([]uint16, columns)})
	if err := w.be.Flush(); err != nil {
		return nil, err
	}
	w.copyIn = &copyReader{be: w.be}
	return w.copyIn, nil
}

func (w *wireWriter) CopyOut(columns int, csv bool) (io.Writer, error) {
	w.be.Send(&pgproto3.CopyOutResponse{ColumnFormatCodes: make([]uint16, columns)})
	w.copyOut = true
	return copyWriter{w}, nil
}

// copyWriter sends each Write as one CopyData message.
type copyWriter struct{ w *wireWriter }

func (c copyWriter) Write(p []byte) (int, error) {
	c.w.be.Send(&pgproto3.CopyData{Data: p})
	c.w.rows++
	if c.w.rows%512 == 0 {
		if err := c.w.be.Flush(); err != nil {
			return 0, err
		}
	}
	return len(p), nil
}

var errCopyExtended = sqlerr.New(sqlerr.FeatureNotSupported, "COPY is not supported in the extended query protocol; send it as a simple query")

func (w *collectWriter) CopyIn(int, bool) (io.Reader, error)  { return nil, errCopyExtended }
func (w *collectWriter) CopyOut(int, bool) (io.Writer, error) { return nil, errCopyExtended }
