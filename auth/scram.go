package auth

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
)

// Mechanism is the one SASL mechanism the server offers. Without TLS
// channel binding there is no SCRAM-SHA-256-PLUS.
const Mechanism = "SCRAM-SHA-256"

// ErrProtocol wraps a malformed SCRAM message: a client bug, reported to it
// as a protocol violation rather than as a wrong password.
var ErrProtocol = errors.New("malformed SCRAM message")

// ErrWrongPassword is the failed proof of a wrong password (or of an unknown
// user, whose verifier is a MockVerifier).
var ErrWrongPassword = errors.New("wrong password")

// SCRAMServer is the server's side of one SCRAM-SHA-256 exchange (RFC 5802
// section 5): ServerFirst answers the client-first-message, ServerFinal
// checks the client-final-message's proof and answers with the server's
// signature.
type SCRAMServer struct {
	v           Verifier
	serverNonce string

	gs2Header       string // "n,," or "y,,", which the client echoes base64-encoded in c=
	clientFirstBare string
	serverFirst     string
	nonce           string // client nonce + server nonce
}

// NewSCRAMServer starts an exchange against verifier v.
func NewSCRAMServer(v Verifier) *SCRAMServer {
	b := make([]byte, 18)
	_, _ = rand.Read(b)
	return &SCRAMServer{v: v, serverNonce: base64.RawStdEncoding.EncodeToString(b)}
}

// ServerFirst reads the client-first-message and returns the
// server-first-message "r=<nonce>,s=<salt>,i=<iterations>".
//
// The user name in it is ignored, as in PostgreSQL: the user is the one of
// the startup message (pgx and libpq send an empty n=).
func (s *SCRAMServer) ServerFirst(clientFirst []byte) ([]byte, error) {
	msg := string(clientFirst)
	// gs2-header = gs2-cbind-flag "," [ authzid ] ","
	flag, rest, ok := strings.Cut(msg, ",")
	if !ok {
		return nil, fmt.Errorf("%w: no GS2 header", ErrProtocol)
	}
	switch {
	case flag == "n" || flag == "y":
		// "y": the client could bind but thinks the server cannot, which is
		// true; a man in the middle cannot remove -PLUS from the offer
		// since it was never there.
	case strings.HasPrefix(flag, "p="):
		return nil, fmt.Errorf("%w: channel binding requested, but SCRAM-SHA-256-PLUS was not offered", ErrProtocol)
	default:
		return nil, fmt.Errorf("%w: bad GS2 channel binding flag", ErrProtocol)
	}
	authzid, bare, ok := strings.Cut(rest, ",")
	if !ok || authzid != "" {
		return nil, fmt.Errorf("%w: authorization identities are not supported", ErrProtocol)
	}
	attrs := strings.Split(bare, ",")
	if strings.HasPrefix(attrs[0], "m=") {
		return nil, fmt.Errorf("%w: mandatory extensions are not supported", ErrProtocol)
	}
	if len(attrs) < 2 || !strings.HasPrefix(attrs[0], "n=") || !strings.HasPrefix(attrs[1], "r=") {
		return nil, fmt.Errorf("%w: client-first-message needs n= and r=", ErrProtocol)
	}
	clientNonce := attrs[1][2:]
	if clientNonce == "" || !printable(clientNonce) {
		return nil, fmt.Errorf("%w: bad client nonce", ErrProtocol)
	}
	s.gs2Header = flag + ",,"
	s.clientFirstBare = bare
	s.nonce = clientNonce + s.serverNonce
	s.serverFirst = fmt.Sprintf("r=%s,s=%s,i=%d", s.nonce, base64.StdEncoding.EncodeToString(s.v.Salt), s.v.Iterations)
	return []byte(s.serverFirst), nil
}

// printable reports whether a nonce has only the characters RFC 5802 allows:
// printable ASCII except ','.
func printable(s string) bool {
	for i := range len(s) {
		if s[i] < 0x21 || s[i] > 0x7e || s[i] == ',' {
			return false
		}
	}
	return true
}

// ServerFinal checks the client-final-message "c=<binding>,r=<nonce>,p=<proof>"
// and returns the server-final-message "v=<signature>". A proof that does
// not match gives ErrWrongPassword; the check takes the same time whatever
// the proof.
func (s *SCRAMServer) ServerFinal(clientFinal []byte) ([]byte, error) {
	msg := string(clientFinal)
	i := strings.LastIndex(msg, ",p=")
	if i < 0 {
		return nil, fmt.Errorf("%w: client-final-message has no proof", ErrProtocol)
	}
	withoutProof, proofB64 := msg[:i], msg[i+3:]
	attrs := strings.Split(withoutProof, ",")
	if len(attrs) < 2 || !strings.HasPrefix(attrs[0], "c=") || !strings.HasPrefix(attrs[1], "r=") {
		return nil, fmt.Errorf("%w: client-final-message needs c= and r=", ErrProtocol)
	}
	if binding, err := base64.StdEncoding.DecodeString(attrs[0][2:]); err != nil || string(binding) != s.gs2Header {
		return nil, fmt.Errorf("%w: channel binding data does not match the GS2 header", ErrProtocol)
	}
	if attrs[1][2:] != s.nonce {
		return nil, fmt.Errorf("%w: nonce does not match", ErrProtocol)
	}
	proof, err := base64.StdEncoding.DecodeString(proofB64)
	if err != nil || len(proof) != sha256.Size {
		return nil, fmt.Errorf("%w: bad client proof", ErrProtocol)
	}
	authMessage := s.clientFirstBare + "," + s.serverFirst + "," + withoutProof
	// ClientKey = ClientProof XOR HMAC(StoredKey, AuthMessage); the proof
	// holds when H(ClientKey) = StoredKey.
	clientKey := hmacSHA256(s.v.StoredKey, authMessage)
	for i := range clientKey {
		clientKey[i] ^= proof[i]
	}
	stored := sha256.Sum256(clientKey)
	if subtle.ConstantTimeCompare(stored[:], s.v.StoredKey) != 1 {
		return nil, ErrWrongPassword
	}
	mac := hmac.New(sha256.New, s.v.ServerKey)
	mac.Write([]byte(authMessage))
	return []byte("v=" + base64.StdEncoding.EncodeToString(mac.Sum(nil))), nil
}
