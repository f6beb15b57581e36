package main

import (
	"context"
	"errors"
	"io"

	"github.com/jackc/pgx/v5/pgconn"

	"rustydb/sqlerr"
)

// A backend runs SQL: over the PostgreSQL protocol (wire.go) or on a data
// directory opened in this process (embedded.go). Both hand back the same
// results, so everything above them (printing, meta-commands, COPY,
// progress) is shared.
type backend interface {
	// exec runs req.query, which may hold several statements, and calls
	// emit with each statement's result as it completes.
	exec(ctx context.Context, req *request, emit func(*result) error) error
	// cancel asks the server to stop the running statement.
	cancel()
	// txStatus is 'I' when idle, 'T' inside a transaction block and 'E'
	// inside a failed one.
	txStatus() byte
	superuser() bool
	// describe says where the client is connected, for \conninfo.
	describe() string
	dbname() string
	user() string
	serverVersion() string
	close() error
}

// request is a query string and where its COPY data comes from or goes.
type request struct {
	query string
	copy  copyDir   // the query is one COPY FROM STDIN or TO STDOUT
	in    io.Reader // COPY FROM STDIN data
	out   io.Writer // COPY TO STDOUT data
	// onRow, when set, is told the size of each row received.
	onRow func(bytes int)
}

// column is a result column: its name and its type's OID, which decides
// the alignment.
type column struct {
	name string
	oid  uint32
}

// result is one statement's outcome. A value is its text form; nil is NULL.
type result struct {
	cols []column // nil when the statement returns no rows
	rows [][][]byte
	tag  string // command tag, e.g. "INSERT 0 1"; "" for an empty query
	copy copyDir
}

// message is an error or notice from the server, in either mode.
type message struct {
	severity, code, text, detail, hint string
	position                           int // 1-based character in the query, 0 when unknown
}

// messageOf returns the server's message inside err, if err is one.
func messageOf(err error) (message, bool) {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return message{severity: pe.Severity, code: pe.Code, text: pe.Message, detail: pe.Detail, hint: pe.Hint, position: int(pe.Position)}, true
	}
	var se *sqlerr.Error
	if errors.As(err, &se) {
		return message{severity: "ERROR", code: se.Code, text: se.Message, detail: se.Detail, hint: se.Hint, position: se.Position}, true
	}
	return message{}, false
}
