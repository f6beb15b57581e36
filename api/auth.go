package api

import (
	"crypto/rand"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"

	"github.com/jackc/pgx/v5/pgproto3"

	"rustydb/auth"
	"rustydb/catalog"
	"rustydb/sqlerr"
)

// Client authentication and TLS, between the SSLRequest and the startup
// message's AuthenticationOk.
//
// Methods (ServerOptions.AuthMethod):
//   - trust admits a role that can log in without a password, but only from
//     this machine; other clients are asked for a SCRAM-SHA-256 password.
//   - scram-sha-256 runs AuthenticationSASL (offering only SCRAM-SHA-256,
//     no channel binding), SASLInitialResponse, AuthenticationSASLContinue,
//     SASLResponse, AuthenticationSASLFinal.
//   - md5 sends AuthenticationMD5Password with a random salt to roles whose
//     password has an md5 hash (and to unknown users), and uses SCRAM for
//     the others, as PostgreSQL does.
//
// A wrong password, an unknown user and a role without a password all fail
// with 28P01 "password authentication failed for user" after the same
// exchange (unknown users against a mock verifier), so that the answers do
// not tell which users exist.

// errAuthProtocol is a client message that does not belong in the exchange.
var errAuthProtocol = errors.New("unexpected message during authentication")

// startTLS answers an SSLRequest with 'S' and runs the TLS handshake. The
// protocol reader is replaced by one over TLS, so bytes the client sent in
// clear after its SSLRequest are never read as if they had come through
// TLS.
func (c *pgConn) startTLS() bool {
	if _, err := c.netConn.Write([]byte{'S'}); err != nil {
		return false
	}
	tc := tls.Server(c.netConn, c.srv.opts.TLS)
	if err := tc.Handshake(); err != nil { // under the startup read deadline
		c.srv.metrics.ConnectionRejected("tls")
		c.srv.logger.Debug("TLS handshake failed", "remote", c.netConn.RemoteAddr().String(), "err", err)
		return false
	}
	c.netConn, c.tls = tc, true
	c.be = pgproto3.NewBackend(tc, tc)
	c.be.SetMaxBodyLen(maxMessageBytes)
	return true
}

// fromThisMachine reports whether the client connects over loopback TCP or
// over a connection that is not TCP (a Unix socket or an in-process pipe).
func (c *pgConn) fromThisMachine() bool {
	addr, ok := c.netConn.RemoteAddr().(*net.TCPAddr)
	return !ok || addr.IP.IsLoopback()
}

// authenticate checks that the client may log in as user. On failure it
// has sent the client the error and returns false.
func (c *pgConn) authenticate(user string) bool {
	if c.srv.opts.RequireTLS && !c.tls {
		c.reject("no_tls", sqlerr.New(sqlerr.InvalidAuthorization, "no encryption: connection for user %q refused, this server accepts only TLS connections", user).
			WithHint("Connect with sslmode=require (or verify-ca / verify-full)."))
		return false
	}
	role := c.srv.db.Role(user)
	var err error
	switch method := c.srv.opts.AuthMethod; {
	case (method == "" || method == "trust") && c.fromThisMachine():
		if role == nil {
			c.reject("auth", sqlerr.New(sqlerr.InvalidAuthorization, "role %q does not exist", user))
			return false
		}
	case method == "md5" && (role == nil || role.MD5 != "" || role.SCRAM == ""):
		err = c.md5(user, role)
	default:
		err = c.scram(user, role)
	}
	switch {
	case errors.Is(err, auth.ErrWrongPassword):
		c.reject("auth", sqlerr.New(sqlerr.InvalidPassword, "password authentication failed for user %q", user))
		return false
	case errors.Is(err, auth.ErrProtocol), errors.Is(err, errAuthProtocol):
		c.reject("bad_startup", sqlerr.New(sqlerr.ProtocolViolation, "%v", err))
		return false
	case err != nil: // the client went away, typically to ask its user for the password
		c.srv.metrics.ConnectionRejected("auth")
		return false
	case !role.Login:
		c.reject("auth", sqlerr.New(sqlerr.InvalidAuthorization, "role %q is not permitted to log in", user))
		return false
	}
	return true
}

// scram runs a SCRAM-SHA-256 exchange against role's verifier, or against a
// mock one when there is no role or it has no verifier. It leaves
// AuthenticationSASLFinal unflushed, to go out with AuthenticationOk.
func (c *pgConn) scram(user string, role *catalog.Role) error {
	var v auth.Verifier
	ok := false
	if role != nil {
		v, ok = auth.ParseVerifier(role.SCRAM)
	}
	if !ok {
		v = auth.MockVerifier(c.srv.mockSecret[:], user)
	}
	c.be.Send(&pgproto3.AuthenticationSASL{AuthMechanisms: []string{auth.Mechanism}})
	msg, err := c.authResponse(pgproto3.AuthTypeSASL)
	if err != nil {
		return err
	}
	init, ok := msg.(*pgproto3.SASLInitialResponse)
	if !ok {
		return fmt.Errorf("%w: expected SASLInitialResponse, got %T", errAuthProtocol, msg)
	}
	if init.AuthMechanism != auth.Mechanism {
		return fmt.Errorf("%w: client selected SASL mechanism %q, but only %s was offered", errAuthProtocol, init.AuthMechanism, auth.Mechanism)
	}
	s := auth.NewSCRAMServer(v)
	first, err := s.ServerFirst(init.Data)
	if err != nil {
		return err
	}
	c.be.Send(&pgproto3.AuthenticationSASLContinue{Data: first})
	if msg, err = c.authResponse(pgproto3.AuthTypeSASLContinue); err != nil {
		return err
	}
	resp, ok := msg.(*pgproto3.SASLResponse)
	if !ok {
		return fmt.Errorf("%w: expected SASLResponse, got %T", errAuthProtocol, msg)
	}
	final, err := s.ServerFinal(resp.Data)
	if err != nil {
		return err
	}
	c.be.Send(&pgproto3.AuthenticationSASLFinal{Data: final})
	return nil
}

// md5 runs md5 authentication against role's md5 hash, or against a random
// one when there is no role or it has no md5 hash.
func (c *pgConn) md5(user string, role *catalog.Role) error {
	var salt [4]byte
	_, _ = rand.Read(salt[:])
	stored := ""
	if role != nil {
		stored = role.MD5
	}
	if stored == "" {
		stored = auth.MD5(rand.Text(), user)
	}
	c.be.Send(&pgproto3.AuthenticationMD5Password{Salt: salt})
	msg, err := c.authResponse(pgproto3.AuthTypeMD5Password)
	if err != nil {
		return err
	}
	pw, ok := msg.(*pgproto3.PasswordMessage)
	if !ok {
		return fmt.Errorf("%w: expected PasswordMessage, got %T", errAuthProtocol, msg)
	}
	if !auth.CheckMD5(stored, salt, pw.Password) {
		return auth.ErrWrongPassword
	}
	return nil
}

// authResponse flushes an authentication request and reads the client's
// answer, which the protocol types by the request it answers.
func (c *pgConn) authResponse(authType uint32) (pgproto3.FrontendMessage, error) {
	if err := c.be.Flush(); err != nil {
		return nil, err
	}
	if err := c.be.SetAuthType(authType); err != nil {
		return nil, err
	}
	msg, err := c.be.Receive()
	var netErr net.Error
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, net.ErrClosed) && !errors.As(err, &netErr) {
		return nil, fmt.Errorf("%w: %v", errAuthProtocol, err) // a message that does not decode
	}
	return msg, err
}
