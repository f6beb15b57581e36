package main

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgproto3"
)

// These tests run the server in prod mode, where every connection
// authenticates with a password, and with TLS.

const adminPW = "admin pw 'quoted'"

// writeConfig writes a configuration file for --config.
func writeConfig(t *testing.T, toml string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "rustydb.toml")
	if err := os.WriteFile(path, []byte(toml), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// startProd starts a prod-mode server with the admin password and the
// extra [security] settings.
func startProd(t *testing.T, dataDir, security string, extra ...string) *server {
	t.Helper()
	cfg := writeConfig(t, "[instance]\nmode = \"prod\"\n[security]\n"+security)
	return startServer(t, dataDir, append([]string{"--config", cfg, "--admin-password", adminPW}, extra...)...)
}

// connectAs opens a pgx connection as user with password, using the simple
// query protocol as connect does (for rowsText).
func (s *server) connectAs(user, password, sslmode string) (*pgx.Conn, error) {
	u := url.URL{Scheme: "postgres", User: url.UserPassword(user, password), Host: fmt.Sprintf("127.0.0.1:%d", s.pg),
		Path: "/rustydb", RawQuery: "sslmode=" + sslmode}
	cfg, err := pgx.ParseConfig(u.String())
	if err != nil {
		return nil, err
	}
	cfg.DefaultQueryExecMode = pgx.QueryExecModeSimpleProtocol
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return pgx.ConnectConfig(ctx, cfg)
}

// mustConnectAs is connectAs for a connection that must succeed.
func (s *server) mustConnectAs(t *testing.T, user, password, sslmode string) *pgx.Conn {
	t.Helper()
	c, err := s.connectAs(user, password, sslmode)
	if err != nil {
		t.Fatalf("connect as %s: %v\n%s", user, err, s.log)
	}
	t.Cleanup(func() { c.Close(context.Background()) })
	return c
}

// wantLoginError checks that connecting as user fails with SQLSTATE code
// and a message containing msg.
func (s *server) wantLoginError(t *testing.T, user, password, sslmode, code, msg string) {
	t.Helper()
	c, err := s.connectAs(user, password, sslmode)
	if err == nil {
		c.Close(context.Background())
		t.Fatalf("connect as %s with password %q succeeded, want %s", user, password, code)
	}
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) || pgErr.Code != code || !strings.Contains(pgErr.Message, msg) {
		t.Fatalf("connect as %s with password %q: %v; want %s %q", user, password, err, code, msg)
	}
}

// firstAuthRequest sends a startup message for user and returns the
// server's first answer: the authentication request it chose.
func (s *server) firstAuthRequest(t *testing.T, user string) pgproto3.BackendMessage {
	t.Helper()
	nc, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", s.pg))
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	nc.SetDeadline(time.Now().Add(10 * time.Second))
	fe := pgproto3.NewFrontend(nc, nc)
	fe.Send(&pgproto3.StartupMessage{ProtocolVersion: pgproto3.ProtocolVersionNumber,
		Parameters: map[string]string{"user": user, "database": "rustydb"}})
	if err := fe.Flush(); err != nil {
		t.Fatal(err)
	}
	msg, err := fe.Receive()
	if err != nil {
		t.Fatal(err)
	}
	return msg
}

func queryOne(t *testing.T, c *pgx.Conn, sql string) string {
	t.Helper()
	rows := rowsText(t, c, sql)
	if len(rows) != 1 {
		t.Fatalf("%s: %d rows, want 1", sql, len(rows))
	}
	return rows[0]
}

func TestAuthSCRAM(t *testing.T) {
	s := startProd(t, "", "")
	if !strings.Contains(s.log.String(), `created the bootstrap superuser \"rustydb\"`) {
		t.Errorf("no bootstrap in the log:\n%s", s.log)
	}
	if m, ok := s.firstAuthRequest(t, "rustydb").(*pgproto3.AuthenticationSASL); !ok || fmt.Sprint(m.AuthMechanisms) != "[SCRAM-SHA-256]" {
		t.Fatalf("first authentication request %#v, want AuthenticationSASL offering only SCRAM-SHA-256", m)
	}
	// An unknown user gets the same request, and the same error as a wrong password.
	if _, ok := s.firstAuthRequest(t, "nobody").(*pgproto3.AuthenticationSASL); !ok {
		t.Error("an unknown user is not asked for a SCRAM password")
	}
	s.wantLoginError(t, "rustydb", "wrong", "disable", "28P01", `password authentication failed for user "rustydb"`)
	s.wantLoginError(t, "rustydb", "", "disable", "28P01", `password authentication failed for user "rustydb"`)
	s.wantLoginError(t, "nobody", adminPW, "disable", "28P01", `password authentication failed for user "nobody"`)

	admin := s.mustConnectAs(t, "rustydb", adminPW, "disable")
	if got := queryOne(t, admin, "SELECT current_user"); got != "rustydb" {
		t.Errorf("current_user = %q", got)
	}
	mustExec(t, admin, "CREATE USER alice WITH PASSWORD 'alice pw'", "CREATE ROLE")
	mustExec(t, admin, "CREATE ROLE auditors PASSWORD 'x'", "CREATE ROLE")
	mustExec(t, admin, "CREATE USER ora IDENTIFIED BY 'tiger'", "CREATE ROLE")
	wantRows(t, admin, "SELECT rolname, rolsuper, rolcanlogin, rolpassword FROM pg_roles ORDER BY 1",
		"alice|f|t|********", "auditors|f|f|********", "ora|f|t|********", "rustydb|t|t|********")
	wantRows(t, admin, "SELECT usename FROM pg_user ORDER BY 1", "alice", "ora", "rustydb")

	alice := s.mustConnectAs(t, "alice", "alice pw", "disable")
	wantRows(t, alice, "SELECT current_user", "alice")
	wantRows(t, alice, "SHOW is_superuser", "off")
	wantCode(t, alice, "CREATE USER mallory", "42501")
	wantCode(t, alice, "ALTER USER alice SUPERUSER", "42501")
	s.mustConnectAs(t, "ora", "tiger", "disable")
	s.wantLoginError(t, "auditors", "x", "disable", "28000", `role "auditors" is not permitted to log in`)
	s.wantLoginError(t, "alice", "alice pw", "disable&database=other", "3D000", `database "other" does not exist`)

	// A user may change their own password; the old one stops working.
	mustExec(t, alice, "ALTER USER alice PASSWORD 'new pw'", "ALTER ROLE")
	s.wantLoginError(t, "alice", "alice pw", "disable", "28P01", "password authentication failed")
	s.mustConnectAs(t, "alice", "new pw", "disable")
	mustExec(t, admin, "ALTER ROLE alice WITH PASSWORD 'third'", "ALTER ROLE")
	s.mustConnectAs(t, "alice", "third", "disable")

	// A password change counts only once committed.
	mustExec(t, admin, "BEGIN", "")
	mustExec(t, admin, "ALTER USER ora PASSWORD 'uncommitted'", "")
	s.mustConnectAs(t, "ora", "tiger", "disable")
	mustExec(t, admin, "ROLLBACK", "")

	mustExec(t, admin, "DROP USER alice", "DROP ROLE")
	s.wantLoginError(t, "alice", "third", "disable", "28P01", `password authentication failed for user "alice"`)
	wantCode(t, alice, "CREATE USER mallory", "42501") // a dropped user's open session keeps no privileges
	wantCode(t, admin, "DROP USER rustydb", "55006")
	mustExec(t, admin, "DROP USER IF EXISTS alice", "DROP ROLE")
}

func TestAuthBootstrap(t *testing.T) {
	// Prod mode will not create a data directory nobody could log in to.
	cfg := writeConfig(t, "[instance]\nmode = \"prod\"\n")
	dir := filepath.Join(t.TempDir(), "data")
	t.Setenv(adminPasswordEnv, "")
	code, out := runServer(t, "--config", cfg, "--data-dir", dir, "--port", fmt.Sprint(freePort(t)),
		"--rest-port", fmt.Sprint(freePort(t)), "--metrics-port", fmt.Sprint(freePort(t)))
	if code == 0 || !strings.Contains(out, "--admin-password") || !strings.Contains(out, adminPasswordEnv) {
		t.Fatalf("prod start without an admin password: exit %d\n%s", code, out)
	}
	var errLines []string
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		if strings.HasPrefix(l, "rusty-db-server: ") {
			errLines = append(errLines, l)
		}
	}
	if len(errLines) != 1 {
		t.Errorf("want one error line, got %q", errLines)
	}

	// The environment variable works too, with admin_user naming the admin.
	t.Setenv(adminPasswordEnv, "from env")
	cfg = writeConfig(t, "[instance]\nmode = \"prod\"\n[security]\nadmin_user = \"dba\"\n")
	s := startServer(t, dir, "--config", cfg)
	c := s.mustConnectAs(t, "dba", "from env", "disable")
	wantRows(t, c, "SELECT rolname, rolsuper FROM pg_roles", "dba|t")
	s.wantLoginError(t, "rustydb", "from env", "disable", "28P01", "password authentication failed")
	s.stop(syscall.SIGTERM)

	// Later starts need no password: the directory has a user with one, and
	// a new admin password does not replace it.
	t.Setenv(adminPasswordEnv, "")
	s = startServer(t, dir, "--config", cfg, "--admin-password", "ignored")
	s.mustConnectAs(t, "dba", "from env", "disable")
	s.wantLoginError(t, "dba", "ignored", "disable", "28P01", "password authentication failed")
}

// TestAuthDevToProd starts a directory in dev mode (trust, admin without a
// password), then in prod mode with an admin password, which it sets.
func TestAuthDevToProd(t *testing.T) {
	s := startServer(t, "")
	mustExec(t, s.connect(t), "CREATE TABLE kept (i INT)", "")
	// Trust admits only existing users.
	s.wantLoginError(t, "nobody", "", "disable", "28000", `role "nobody" does not exist`)
	s.stop(syscall.SIGTERM)
	s = startProd(t, s.dataDir, "")
	if !strings.Contains(s.log.String(), `set the password of \"rustydb\"`) {
		t.Errorf("admin password not set:\n%s", s.log)
	}
	c := s.mustConnectAs(t, "rustydb", adminPW, "disable")
	wantRows(t, c, "SELECT count(*) FROM kept", "0")
}

func TestAuthMD5(t *testing.T) {
	s := startProd(t, "", "auth_method = \"md5\"\n")
	if _, ok := s.firstAuthRequest(t, "rustydb").(*pgproto3.AuthenticationMD5Password); !ok {
		t.Fatal("md5 mode does not ask the admin for an md5 password")
	}
	if _, ok := s.firstAuthRequest(t, "nobody").(*pgproto3.AuthenticationMD5Password); !ok {
		t.Fatal("md5 mode does not ask an unknown user for an md5 password")
	}
	admin := s.mustConnectAs(t, "rustydb", adminPW, "disable")
	s.wantLoginError(t, "rustydb", "wrong", "disable", "28P01", `password authentication failed for user "rustydb"`)
	s.wantLoginError(t, "nobody", "x", "disable", "28P01", `password authentication failed for user "nobody"`)
	mustExec(t, admin, "CREATE USER bob PASSWORD 'bob pw'", "")
	s.mustConnectAs(t, "bob", "bob pw", "disable")
	// A password stored without an md5 hash falls back to SCRAM, as in PostgreSQL.
	mustExec(t, admin, "SET password_encryption = 'scram-sha-256'", "")
	mustExec(t, admin, "CREATE USER carol PASSWORD 'carol pw'", "")
	if _, ok := s.firstAuthRequest(t, "carol").(*pgproto3.AuthenticationSASL); !ok {
		t.Fatal("md5 mode does not use SCRAM for a user without an md5 hash")
	}
	s.mustConnectAs(t, "carol", "carol pw", "disable")
	s.wantLoginError(t, "carol", "bob pw", "disable", "28P01", "password authentication failed")
}

// psqlPath returns psql's path, skipping the test when it is not installed.
func psqlPath(t *testing.T) string {
	t.Helper()
	psql, err := exec.LookPath("psql")
	if err != nil {
		t.Skip("psql not installed; skipping the psql client test")
	}
	return psql
}

// psqlAs runs psql as user with PGPASSWORD and PGSSLMODE set and returns
// its combined output.
func (s *server) psqlAs(t *testing.T, user, password, sslmode, input string) string {
	t.Helper()
	cmd := exec.Command(psqlPath(t), "-h", "127.0.0.1", "-p", fmt.Sprint(s.pg), "-U", user, "-d", "rustydb", "-X", "-w")
	cmd.Env = append(os.Environ(), "PGPASSWORD="+password, "PGSSLMODE="+sslmode, "PGCONNECT_TIMEOUT=10")
	cmd.Stdin = strings.NewReader(input)
	out, _ := cmd.CombinedOutput()
	return string(out)
}

func TestAuthPsql(t *testing.T) {
	psqlPath(t)
	s := startProd(t, "", "")
	out := s.psqlAs(t, "rustydb", adminPW, "disable", "CREATE USER alice PASSWORD 'a''pw';\nSELECT current_user;\n\\du\n")
	for _, want := range []string{"CREATE ROLE", " rustydb\n", " alice     | ", " rustydb   | Superuser"} {
		if !strings.Contains(out, want) {
			t.Errorf("psql output lacks %q:\n%s", want, out)
		}
	}
	if out := s.psqlAs(t, "alice", "a'pw", "disable", "SELECT current_user;\n"); !strings.Contains(out, " alice\n") {
		t.Errorf("psql as alice:\n%s", out)
	}
	if out := s.psqlAs(t, "alice", "wrong", "disable", "SELECT 1;\n"); !strings.Contains(out, `password authentication failed for user "alice"`) {
		t.Errorf("psql with a wrong password:\n%s", out)
	}
	// md5: the same password with libpq's md5 exchange.
	s.stop(syscall.SIGTERM)
	s = startProd(t, s.dataDir, "auth_method = \"md5\"\n")
	mustExec(t, s.mustConnectAs(t, "rustydb", adminPW, "disable"), "CREATE USER m PASSWORD 'm pw'", "")
	if out := s.psqlAs(t, "m", "m pw", "disable", "SELECT current_user;\n"); !strings.Contains(out, " m\n") {
		t.Errorf("psql with md5:\n%s", out)
	}
}

// writeCert writes a self-signed certificate for localhost and 127.0.0.1
// and its key as PEM files.
func writeCert(t *testing.T) (certFile, keyFile string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "localhost"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		DNSNames: []string{"localhost"}, IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)},
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	certFile, keyFile = filepath.Join(dir, "server.crt"), filepath.Join(dir, "server.key")
	os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600)
	os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}), 0o600)
	return certFile, keyFile
}

func tlsSettings(t *testing.T, requireTLS bool) (security, certFile string) {
	certFile, keyFile := writeCert(t)
	return fmt.Sprintf("tls_cert_file = %q\ntls_key_file = %q\nrequire_tls = %v\n", certFile, keyFile, requireTLS), certFile
}

func isTLS(c *pgx.Conn) bool {
	_, ok := c.PgConn().Conn().(*tls.Conn)
	return ok
}

func TestTLS(t *testing.T) {
	security, certFile := tlsSettings(t, false)
	s := startProd(t, "", security)
	for _, mode := range []string{"require", "prefer", "verify-full&sslrootcert=" + url.QueryEscape(certFile)} {
		c := s.mustConnectAs(t, "rustydb", adminPW, mode)
		if !isTLS(c) {
			t.Errorf("sslmode=%s: connection without TLS", mode)
		}
		if state := c.PgConn().Conn().(*tls.Conn).ConnectionState(); state.Version < tls.VersionTLS12 {
			t.Errorf("sslmode=%s: TLS version %x", mode, state.Version)
		}
		wantRows(t, c, "SELECT 1", "1")
	}
	// Without require_tls, plain connections still work.
	if c := s.mustConnectAs(t, "rustydb", adminPW, "disable"); isTLS(c) {
		t.Error("sslmode=disable: connection with TLS")
	}
	s.wantLoginError(t, "rustydb", "wrong", "require", "28P01", "password authentication failed")

	out := s.psqlAs(t, "rustydb", adminPW, "require", "\\conninfo\nSELECT 42;\n")
	if !strings.Contains(out, "SSL connection (protocol: TLSv1.") || !strings.Contains(out, " 42\n") {
		t.Errorf("psql with sslmode=require:\n%s", out)
	}
}

func TestTLSRequired(t *testing.T) {
	security, _ := tlsSettings(t, true)
	s := startProd(t, "", security)
	s.wantLoginError(t, "rustydb", adminPW, "disable", "28000", "no encryption")
	if c := s.mustConnectAs(t, "rustydb", adminPW, "require"); !isTLS(c) {
		t.Error("sslmode=require: connection without TLS")
	}
	if out := s.psqlAs(t, "rustydb", adminPW, "disable", "SELECT 1;\n"); !strings.Contains(out, "no encryption") {
		t.Errorf("psql without TLS:\n%s", out)
	}
	if out := s.psqlAs(t, "rustydb", adminPW, "require", "SELECT 42;\n"); !strings.Contains(out, " 42\n") {
		t.Errorf("psql with sslmode=require:\n%s", out)
	}
}

// TestTLSBadFiles checks that the server refuses TLS files it cannot load,
// naming the key, also under --validate.
func TestTLSBadFiles(t *testing.T) {
	certFile, _ := writeCert(t)
	cfg := writeConfig(t, fmt.Sprintf("[security]\ntls_cert_file = %q\ntls_key_file = %q\n", certFile, certFile+".missing"))
	code, out := runServer(t, "--config", cfg, "--validate")
	if code == 0 || !strings.Contains(out, "security.tls_key_file: cannot read the private key") {
		t.Errorf("--validate with a missing key file: exit %d\n%s", code, out)
	}
}

// TestAuthUsersSurviveRestart checks that users are durable through a
// checkpoint (SIGTERM) and through WAL replay (kill -9).
func TestAuthUsersSurviveRestart(t *testing.T) {
	s := startProd(t, "", "")
	c := s.mustConnectAs(t, "rustydb", adminPW, "disable")
	mustExec(t, c, "CREATE USER alice PASSWORD 'a1'", "")
	mustExec(t, c, "CREATE USER carol PASSWORD 'c1'", "")
	if code := s.stop(syscall.SIGTERM); code != 0 {
		t.Fatalf("SIGTERM exit code %d:\n%s", code, s.log)
	}

	cfg := writeConfig(t, "[instance]\nmode = \"prod\"\n")
	s = startServer(t, s.dataDir, "--config", cfg) // no admin password needed now
	s.mustConnectAs(t, "alice", "a1", "disable")
	c = s.mustConnectAs(t, "rustydb", adminPW, "disable")
	mustExec(t, c, "CREATE USER bob PASSWORD 'b1' SUPERUSER", "")
	mustExec(t, c, "ALTER USER alice PASSWORD 'a2'", "")
	mustExec(t, c, "DROP USER carol", "")
	mustExec(t, c, "BEGIN", "")
	mustExec(t, c, "CREATE USER uncommitted PASSWORD 'u'", "")
	s.stop(syscall.SIGKILL)

	s = startServer(t, s.dataDir, "--config", cfg)
	s.mustConnectAs(t, "alice", "a2", "disable")
	s.wantLoginError(t, "alice", "a1", "disable", "28P01", "password authentication failed")
	s.wantLoginError(t, "carol", "c1", "disable", "28P01", "password authentication failed")
	s.wantLoginError(t, "uncommitted", "u", "disable", "28P01", "password authentication failed")
	bob := s.mustConnectAs(t, "bob", "b1", "disable")
	wantRows(t, bob, "SELECT rolname, rolsuper FROM pg_roles ORDER BY 1", "alice|f", "bob|t", "rustydb|t")
}
