package auth

import (
	"crypto/md5"
	"crypto/pbkdf2"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"strconv"
	"strings"
	"testing"
)

// The exchange of RFC 7677 section 3: user "user", password "pencil".
const (
	rfcClientFirst = "n,,n=user,r=rOprNGfwEbeRWgbNEkqO"
	rfcServerNonce = "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0"
	rfcServerFirst = "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096"
	rfcClientFinal = "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ="
	rfcServerFinal = "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4="
	rfcSalt        = "W22ZaJ0SNY7soEsUEjb6gQ=="
)

func rfcVerifier(t *testing.T) Verifier {
	t.Helper()
	salt, err := base64.StdEncoding.DecodeString(rfcSalt)
	if err != nil {
		t.Fatal(err)
	}
	return deriveVerifier("pencil", salt, 4096)
}

// rfcServer is a server for the RFC's exchange, with its fixed server nonce.
func rfcServer(v Verifier) *SCRAMServer {
	s := NewSCRAMServer(v)
	s.serverNonce = rfcServerNonce
	return s
}

func TestSCRAMRFC7677(t *testing.T) {
	v := rfcVerifier(t)
	s := rfcServer(v)
	first, err := s.ServerFirst([]byte(rfcClientFirst))
	if err != nil || string(first) != rfcServerFirst {
		t.Fatalf("ServerFirst = %q, %v\nwant %q", first, err, rfcServerFirst)
	}
	final, err := s.ServerFinal([]byte(rfcClientFinal))
	if err != nil || string(final) != rfcServerFinal {
		t.Fatalf("ServerFinal = %q, %v\nwant %q", final, err, rfcServerFinal)
	}
	// The stored form round-trips and verifies the same exchange.
	parsed, ok := ParseVerifier(v.String())
	if !ok {
		t.Fatalf("ParseVerifier(%q) failed", v.String())
	}
	s = rfcServer(parsed)
	s.ServerFirst([]byte(rfcClientFirst))
	if final, err := s.ServerFinal([]byte(rfcClientFinal)); err != nil || string(final) != rfcServerFinal {
		t.Fatalf("after round trip: ServerFinal = %q, %v", final, err)
	}
	if !strings.HasPrefix(v.String(), "SCRAM-SHA-256$4096:"+rfcSalt+"$") {
		t.Errorf("String() = %q", v.String())
	}
}

// clientFinal computes a client's final message for password, as a client
// library does (RFC 5802 section 3), so that tests can run whole exchanges.
func clientFinal(password, clientFirstBare, serverFirst string) string {
	var salt []byte
	var nonce string
	var iter int
	for _, a := range strings.Split(serverFirst, ",") {
		switch a[:2] {
		case "r=":
			nonce = a[2:]
		case "s=":
			salt, _ = base64.StdEncoding.DecodeString(a[2:])
		case "i=":
			iter, _ = strconv.Atoi(a[2:])
		}
	}
	salted, _ := pbkdf2.Key(sha256.New, password, salt, iter, sha256.Size)
	clientKey := hmacSHA256(salted, "Client Key")
	storedKey := sha256.Sum256(clientKey)
	withoutProof := "c=biws,r=" + nonce
	sig := hmacSHA256(storedKey[:], clientFirstBare+","+serverFirst+","+withoutProof)
	for i := range sig {
		sig[i] ^= clientKey[i]
	}
	return withoutProof + ",p=" + base64.StdEncoding.EncodeToString(sig)
}

func md5hex(s string) string {
	sum := md5.Sum([]byte(s))
	return hex.EncodeToString(sum[:])
}

func TestSCRAMWrongPasswordAndMock(t *testing.T) {
	v := NewVerifier("secret")
	f := func(name string, v Verifier, password string, want error) {
		t.Helper()
		s := NewSCRAMServer(v)
		first, err := s.ServerFirst([]byte("n,,n=,r=abcdefghijkl"))
		if err != nil {
			t.Fatalf("%s: ServerFirst: %v", name, err)
		}
		_, err = s.ServerFinal([]byte(clientFinal(password, "n=,r=abcdefghijkl", string(first))))
		if !errors.Is(err, want) {
			t.Errorf("%s: ServerFinal error %v, want %v", name, err, want)
		}
	}
	f("right password", v, "secret", nil)
	f("wrong password", v, "Secret", ErrWrongPassword)
	f("empty password", v, "", ErrWrongPassword)
	mock := MockVerifier([]byte("server secret"), "nobody")
	f("mock verifier", mock, "", ErrWrongPassword)
	f("mock verifier, any password", mock, "secret", ErrWrongPassword)
	if a, b := MockVerifier([]byte("k"), "x"), MockVerifier([]byte("k"), "x"); string(a.Salt) != string(b.Salt) {
		t.Error("a mock verifier's salt changes between attempts, which tells an unknown user from a known one")
	}
}

func TestSCRAMMalformed(t *testing.T) {
	v := rfcVerifier(t)
	for _, first := range []string{"", "n", "p=tls-server-end-point,,n=,r=x", "n,a=admin,n=,r=x", "n,,m=ext,n=,r=x",
		"n,,n=user", "n,,n=user,r=", "x,,n=,r=abc"} {
		if _, err := rfcServer(v).ServerFirst([]byte(first)); !errors.Is(err, ErrProtocol) {
			t.Errorf("ServerFirst(%q) = %v, want ErrProtocol", first, err)
		}
	}
	for _, final := range []string{"", "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0",
		"c=eSws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=",
		"c=biws,r=rOprNGfwEbeRWgbNEkqO,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=",
		"c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=AAAA"} {
		s := rfcServer(v)
		s.ServerFirst([]byte(rfcClientFirst))
		if _, err := s.ServerFinal([]byte(final)); !errors.Is(err, ErrProtocol) {
			t.Errorf("ServerFinal(%q) = %v, want ErrProtocol", final, err)
		}
	}
}

func TestParseVerifier(t *testing.T) {
	for _, bad := range []string{"", "md5abc", "SCRAM-SHA-256$", "SCRAM-SHA-256$4096:c2FsdA==$AAAA:AAAA",
		"SCRAM-SHA-256$0:c2FsdA==$" + strings.Repeat("A", 43) + "=:" + strings.Repeat("A", 43) + "=",
		"SCRAM-SHA-256$x:c2FsdA==$" + strings.Repeat("A", 43) + "=:" + strings.Repeat("A", 43) + "="} {
		if _, ok := ParseVerifier(bad); ok {
			t.Errorf("ParseVerifier(%q) accepted", bad)
		}
	}
	v := NewVerifier("pw")
	if len(v.Salt) != saltLen || v.Iterations != SCRAMIterations {
		t.Errorf("NewVerifier: salt %d bytes, %d iterations", len(v.Salt), v.Iterations)
	}
	if w := NewVerifier("pw"); string(w.Salt) == string(v.Salt) {
		t.Error("two verifiers share a salt")
	}
}

func TestMD5(t *testing.T) {
	// PostgreSQL: SELECT 'md5' || md5('pencil' || 'user')
	if got, want := MD5("pencil", "user"), "md5"+md5hex("penciluser"); got != want {
		t.Errorf("MD5 = %q, want %q", got, want)
	}
	if !IsMD5(MD5("a", "b")) || IsMD5("md5xyz") || IsMD5("SCRAM-SHA-256$1:a$b:c") {
		t.Error("IsMD5 misclassifies")
	}
	stored := MD5("pencil", "user")
	salt := [4]byte{1, 2, 3, 4}
	// What a client sends: "md5" + md5(md5(password || user) || salt).
	resp := "md5" + md5hex(strings.TrimPrefix(stored, "md5")+string(salt[:]))
	if !CheckMD5(stored, salt, resp) {
		t.Error("CheckMD5 rejects the right response")
	}
	if CheckMD5(stored, [4]byte{1, 2, 3, 5}, resp) || CheckMD5(MD5("pencil2", "user"), salt, resp) || CheckMD5(stored, salt, "") {
		t.Error("CheckMD5 accepts a wrong response")
	}
}
