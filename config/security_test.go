package config

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestAuthMethodAndPasswordEncryption(t *testing.T) {
	f := func(mode, method, encryption, wantMethod, wantEncryption string) {
		t.Helper()
		c := Default()
		c.Instance.Mode, c.Security.AuthMethod, c.Security.PasswordEncryption = mode, method, encryption
		if got := c.AuthMethod(); got != wantMethod {
			t.Errorf("mode %s, auth_method %q: AuthMethod() = %q, want %q", mode, method, got, wantMethod)
		}
		if got := c.PasswordEncryption(); got != wantEncryption {
			t.Errorf("mode %s, auth_method %q, password_encryption %q: PasswordEncryption() = %q, want %q",
				mode, method, encryption, got, wantEncryption)
		}
	}
	f("dev", "", "", "trust", "scram-sha-256")
	f("prod", "", "", "scram-sha-256", "scram-sha-256")
	f("dev", "scram-sha-256", "", "scram-sha-256", "scram-sha-256")
	f("prod", "md5", "", "md5", "md5")
	f("prod", "md5", "scram-sha-256", "md5", "scram-sha-256")
	f("dev", "trust", "md5", "trust", "md5")
}

// writeKeyPair writes a self-signed certificate and its key as PEM files.
func writeKeyPair(t *testing.T, dir string) (certFile, keyFile string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "localhost"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), DNSNames: []string{"localhost"}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile = filepath.Join(dir, "server.crt"), filepath.Join(dir, "server.key")
	os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600)
	os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}), 0o600)
	return certFile, keyFile
}

func TestTLSConfig(t *testing.T) {
	c := Default()
	if tc, err := c.TLSConfig(); tc != nil || err != nil {
		t.Fatalf("without TLS files: %v, %v", tc, err)
	}
	dir := t.TempDir()
	c.Security.TLSCertFile, c.Security.TLSKeyFile = writeKeyPair(t, dir)
	tc, err := c.TLSConfig()
	if err != nil || len(tc.Certificates) != 1 || tc.MinVersion != tls.VersionTLS12 {
		t.Fatalf("TLSConfig() = %+v, %v", tc, err)
	}

	f := func(name, cert, key string, want ...string) {
		t.Helper()
		c := Default()
		c.Source = "rustydb.toml"
		c.Security.TLSCertFile, c.Security.TLSKeyFile = cert, key
		_, err := c.TLSConfig()
		var ve *ValidationError
		if !errors.As(err, &ve) {
			t.Fatalf("%s: TLSConfig() = %v, want a *ValidationError", name, err)
		}
		msg := strings.ReplaceAll(err.Error(), dir, "DIR")
		for _, w := range want {
			if !strings.Contains(msg, w) {
				t.Errorf("%s: error lacks %q:\n%s", name, w, msg)
			}
		}
	}
	missing := filepath.Join(dir, "missing.pem")
	f("missing cert", missing, c.Security.TLSKeyFile,
		"rustydb.toml: security.tls_cert_file: cannot read the certificate: open DIR/missing.pem: no such file or directory")
	f("missing key", c.Security.TLSCertFile, missing, "rustydb.toml: security.tls_key_file: cannot read the private key")
	f("swapped", c.Security.TLSKeyFile, c.Security.TLSCertFile,
		"rustydb.toml: security.tls_key_file: not a PEM certificate and matching private key with tls_cert_file")
	_, otherKey := writeKeyPair(t, t.TempDir())
	f("key of another certificate", c.Security.TLSCertFile, otherKey, "security.tls_key_file: not a PEM certificate and matching private key")
}
