package api

import (
	"io"
	"log/slog"
	"net"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgproto3"

	"rustydb"
)

// remoteConn makes a pipe look like a TCP connection from another machine.
type remoteConn struct{ net.Conn }

func (remoteConn) RemoteAddr() net.Addr { return &net.TCPAddr{IP: net.IPv4(192, 0, 2, 1), Port: 40000} }

// authServer serves an embedded database with an admin role "admin"
// (password "pw") by method.
func authServer(t *testing.T, method string) *Server {
	t.Helper()
	db, err := rustydb.OpenWith(rustydb.Options{Dir: t.TempDir(), SyncMode: "off"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.EnsureAdmin("admin", "pw"); err != nil {
		t.Fatal(err)
	}
	return NewServer(ServerOptions{DB: db, Mode: "prod", AuthMethod: method,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
}

// startupAs connects to srv over a pipe (wrapped by wrap) as user and
// returns the client's end.
func startupAs(t *testing.T, srv *Server, user string, wrap func(net.Conn) net.Conn) *pgproto3.Frontend {
	t.Helper()
	client, server := net.Pipe()
	go srv.servePG(wrap(server))
	t.Cleanup(func() { client.Close() })
	client.SetDeadline(time.Now().Add(10 * time.Second))
	fe := pgproto3.NewFrontend(client, client)
	fe.Send(&pgproto3.StartupMessage{ProtocolVersion: pgproto3.ProtocolVersionNumber,
		Parameters: map[string]string{"user": user, "database": "rustydb"}})
	if err := fe.Flush(); err != nil {
		t.Fatal(err)
	}
	return fe
}

func receive(t *testing.T, fe *pgproto3.Frontend) pgproto3.BackendMessage {
	t.Helper()
	msg, err := fe.Receive()
	if err != nil {
		t.Fatal(err)
	}
	return msg
}

func wantError(t *testing.T, msg pgproto3.BackendMessage, code string) {
	t.Helper()
	e, ok := msg.(*pgproto3.ErrorResponse)
	if !ok || e.Code != code {
		t.Fatalf("got %#v, want ErrorResponse %s", msg, code)
	}
}

func plain(c net.Conn) net.Conn { return c }

func TestAuthTrustOnlyLocal(t *testing.T) {
	srv := authServer(t, "trust")
	if _, ok := receive(t, startupAs(t, srv, "admin", plain)).(*pgproto3.AuthenticationOk); !ok {
		t.Error("trust does not admit a local client")
	}
	wantError(t, receive(t, startupAs(t, srv, "nobody", plain)), "28000")
	remote := func(c net.Conn) net.Conn { return remoteConn{c} }
	if _, ok := receive(t, startupAs(t, srv, "admin", remote)).(*pgproto3.AuthenticationSASL); !ok {
		t.Error("trust does not ask a remote client for a password")
	}
}

func TestAuthSCRAMProtocolErrors(t *testing.T) {
	srv := authServer(t, "scram-sha-256")
	f := func(name string, answer pgproto3.FrontendMessage) {
		t.Helper()
		fe := startupAs(t, srv, "admin", plain)
		if _, ok := receive(t, fe).(*pgproto3.AuthenticationSASL); !ok {
			t.Fatalf("%s: no AuthenticationSASL", name)
		}
		fe.Send(answer)
		if err := fe.Flush(); err != nil {
			t.Fatal(err)
		}
		wantError(t, receive(t, fe), "08P01")
	}
	f("channel binding", &pgproto3.SASLInitialResponse{AuthMechanism: "SCRAM-SHA-256-PLUS", Data: []byte("p=tls-server-end-point,,n=,r=abc")})
	f("binding requested", &pgproto3.SASLInitialResponse{AuthMechanism: "SCRAM-SHA-256", Data: []byte("p=tls-server-end-point,,n=,r=abc")})
	f("garbage", &pgproto3.SASLInitialResponse{AuthMechanism: "SCRAM-SHA-256", Data: []byte("hello")})
	f("password instead", &pgproto3.PasswordMessage{Password: "pw"})
}
