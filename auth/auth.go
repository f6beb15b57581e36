// Package auth holds the password secrets of PostgreSQL's authentication
// methods and the server's side of checking them: SCRAM-SHA-256 verifiers
// and exchanges (RFC 5802, RFC 7677) and md5 password hashes. It never keeps
// a password, only what is derived from it.
//
// It does not speak the wire protocol (package api carries these messages in
// AuthenticationSASL / SASLInitialResponse / ... messages) and does not know
// where roles live (package catalog stores the strings made here).
//
// A SCRAM-SHA-256 verifier is kept in PostgreSQL's rolpassword form, so that
// pg_dumpall output and psql's \password (which computes a verifier on the
// client and sends it with ALTER ROLE ... PASSWORD) carry over unchanged:
//
//	SCRAM-SHA-256$<iterations>:<base64 salt>$<base64 StoredKey>:<base64 ServerKey>
//
// An md5 hash is "md5" followed by the 32 hex digits of md5(password || user).
//
// Passwords are used as the bytes given. PostgreSQL first normalizes them
// with SASLprep, which leaves ASCII unchanged; a non-ASCII password that
// SASLprep would change authenticates with clients that skip it (pgx) but
// not with libpq.
package auth

import (
	"crypto/hmac"
	"crypto/md5"
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// SCRAMIterations is the PBKDF2 iteration count of new verifiers, PostgreSQL's
// default (scram_iterations).
const SCRAMIterations = 4096

// saltLen is the length of a new verifier's salt, as in PostgreSQL.
const saltLen = 16

// Verifier is what the server keeps of a password for SCRAM-SHA-256.
type Verifier struct {
	Iterations int
	Salt       []byte
	StoredKey  []byte // H(ClientKey)
	ServerKey  []byte
}

// NewVerifier derives a verifier for password with a random salt.
func NewVerifier(password string) Verifier {
	salt := make([]byte, saltLen)
	_, _ = rand.Read(salt) // crypto/rand.Read does not fail
	return deriveVerifier(password, salt, SCRAMIterations)
}

// deriveVerifier computes the keys of RFC 5802 section 3:
// SaltedPassword = Hi(password, salt, i), ClientKey = HMAC(SaltedPassword,
// "Client Key"), StoredKey = H(ClientKey), ServerKey = HMAC(SaltedPassword,
// "Server Key").
func deriveVerifier(password string, salt []byte, iterations int) Verifier {
	salted, err := pbkdf2.Key(sha256.New, password, salt, iterations, sha256.Size)
	if err != nil { // only in FIPS 140-only mode, for parameters below its limits
		panic(fmt.Sprintf("auth: pbkdf2: %v", err))
	}
	clientKey := hmacSHA256(salted, "Client Key")
	stored := sha256.Sum256(clientKey)
	return Verifier{Iterations: iterations, Salt: salt, StoredKey: stored[:], ServerKey: hmacSHA256(salted, "Server Key")}
}

// String returns v in PostgreSQL's rolpassword form.
func (v Verifier) String() string {
	b64 := base64.StdEncoding.EncodeToString
	return fmt.Sprintf("SCRAM-SHA-256$%d:%s$%s:%s", v.Iterations, b64(v.Salt), b64(v.StoredKey), b64(v.ServerKey))
}

// ParseVerifier reads a verifier in PostgreSQL's rolpassword form.
func ParseVerifier(s string) (Verifier, bool) {
	rest, ok := strings.CutPrefix(s, "SCRAM-SHA-256$")
	if !ok {
		return Verifier{}, false
	}
	params, keys, ok := strings.Cut(rest, "$")
	if !ok {
		return Verifier{}, false
	}
	iter, salt, ok1 := strings.Cut(params, ":")
	stored, server, ok2 := strings.Cut(keys, ":")
	n, err := strconv.Atoi(iter)
	if !ok1 || !ok2 || err != nil || n < 1 {
		return Verifier{}, false
	}
	v := Verifier{Iterations: n}
	dec := base64.StdEncoding.DecodeString
	var e1, e2, e3 error
	v.Salt, e1 = dec(salt)
	v.StoredKey, e2 = dec(stored)
	v.ServerKey, e3 = dec(server)
	if errors.Join(e1, e2, e3) != nil || len(v.Salt) == 0 || len(v.StoredKey) != sha256.Size || len(v.ServerKey) != sha256.Size {
		return Verifier{}, false
	}
	return v, true
}

// MockVerifier returns a verifier for a user that does not exist or has no
// password. Its salt depends only on secret and user, so repeated attempts
// see the same salt, as for a real user, and no password matches it: an
// unknown user fails the same way, after the same exchange, as a wrong
// password.
func MockVerifier(secret []byte, user string) Verifier {
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte(user))
	sum := mac.Sum(nil)
	return Verifier{Iterations: SCRAMIterations, Salt: sum[:saltLen], StoredKey: hmacSHA256(sum, "Stored Key"), ServerKey: hmacSHA256(sum, "Server Key")}
}

func hmacSHA256(key []byte, msg string) []byte {
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(msg))
	return mac.Sum(nil)
}

// MD5 returns the md5 hash PostgreSQL stores for password of user.
func MD5(password, user string) string {
	sum := md5.Sum([]byte(password + user))
	return "md5" + hex.EncodeToString(sum[:])
}

// IsMD5 reports whether s has the form of a stored md5 hash.
func IsMD5(s string) bool {
	rest, ok := strings.CutPrefix(s, "md5")
	if !ok || len(rest) != 32 {
		return false
	}
	_, err := hex.DecodeString(rest)
	return err == nil
}

// CheckMD5 reports whether response, a client's PasswordMessage after
// AuthenticationMD5Password with salt, proves knowledge of the stored hash:
// it must be "md5" + hex(md5(hex part of stored || salt)). The comparison
// takes the same time wherever the strings differ.
func CheckMD5(stored string, salt [4]byte, response string) bool {
	sum := md5.Sum(append([]byte(strings.TrimPrefix(stored, "md5")), salt[:]...))
	want := "md5" + hex.EncodeToString(sum[:])
	return subtle.ConstantTimeCompare([]byte(want), []byte(response)) == 1
}
