package api

import (
	"bytes"
	"io"
	"log/slog"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgproto3"

	"rustydb"
)

// lockedBuffer collects the server's log across goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// FuzzFrontendMessages sends a valid startup message followed by arbitrary
// bytes to one connection: whatever the bytes, the connection must end (by
// the client closing or the server rejecting the input) without a panic,
// and the server must still serve a new connection afterwards.
func FuzzFrontendMessages(f *testing.F) {
	db, err := rustydb.OpenWith(rustydb.Options{Dir: f.TempDir(), SyncMode: "off"})
	if err != nil {
		f.Fatal(err)
	}
	defer db.Close()
	logs := &lockedBuffer{}
	srv := NewServer(ServerOptions{DB: db, Mode: "dev",
		Logger: slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelError}))})

	msg := func(m pgproto3.FrontendMessage) []byte {
		b, err := m.Encode(nil)
		if err != nil {
			f.Fatal(err)
		}
		return b
	}
	f.Add(msg(&pgproto3.Query{String: "SELECT 1"}))
	f.Add(msg(&pgproto3.Query{String: "CREATE TABLE f (a INT); INSERT INTO f VALUES (1); SELECT * FROM f"}))
	f.Add(append(append(msg(&pgproto3.Parse{Name: "s", Query: "SELECT $1::int"}),
		msg(&pgproto3.Bind{PreparedStatement: "s", Parameters: [][]byte{[]byte("7")}})...), msg(&pgproto3.Sync{})...))
	f.Add(msg(&pgproto3.Bind{PreparedStatement: "nope"}))
	f.Add([]byte{'Q', 0, 0, 0, 4})                    // empty body, no terminator
	f.Add([]byte{'Q', 0x7f, 0xff, 0xff, 0xff, 'x'})   // huge length
	f.Add([]byte{'P', 0, 0, 0, 9, 's', 0, 'x', 0, 0}) // truncated Parse
	f.Add([]byte{'d', 0, 0, 0, 5, 'x'})               // CopyData outside COPY
	f.Add([]byte{0, 1, 2, 3, 4, 5, 6, 7})

	startup := msg(&pgproto3.StartupMessage{ProtocolVersion: pgproto3.ProtocolVersionNumber,
		Parameters: map[string]string{"user": "rustydb", "database": "rustydb"}})
	f.Fuzz(func(t *testing.T, input []byte) {
		client, server := net.Pipe()
		done := make(chan struct{})
		go func() {
			srv.servePG(server)
			close(done)
		}()
		go io.Copy(io.Discard, client) // the server's answers
		client.SetDeadline(time.Now().Add(5 * time.Second))
		client.Write(startup)
		client.Write(input)
		client.Write(msg(&pgproto3.Terminate{}))
		client.Close() // a partial message ends at EOF
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Fatalf("input %q: the connection handler did not end after the client closed", input)
		}
		if strings.Contains(logs.String(), "panic") {
			t.Fatalf("input %q made the connection handler panic:\n%s", input, logs.String())
		}
	})
}
