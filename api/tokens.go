package api

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"rustydb/config"
)

// REST API bearer tokens. The server keeps only the SHA-256 of each token
// (in the tokens file, see config.ReadTokens); a request's token is hashed
// and compared with every stored hash in constant time, so neither timing
// nor an early exit tells how much of a guess was right.

// tokenPrefix starts every token the server issues, so that a token found
// in a log or a repository is recognisable.
const tokenPrefix = "rdb_"

// TokenStore holds the accepted tokens' hashes and writes changes through
// to the tokens file. Its methods are safe for concurrent use.
type TokenStore struct {
	mu     sync.Mutex
	path   string
	tokens []config.Token
}

// OpenTokenStore reads the tokens file at path; created reports that the
// file did not exist, in which case the store is empty and the file is
// written at the first Issue.
func OpenTokenStore(path string) (ts *TokenStore, created bool, err error) {
	tokens, err := config.ReadTokens(path)
	if errors.Is(err, fs.ErrNotExist) {
		return &TokenStore{path: path}, true, nil
	}
	if err != nil {
		return nil, false, err
	}
	return &TokenStore{path: path, tokens: tokens}, false, nil
}

// Path returns the tokens file's path.
func (ts *TokenStore) Path() string { return ts.path }

// Check returns the id of the token whose hash matches token's, or "".
func (ts *TokenStore) Check(token string) string {
	h := config.HashToken(token)
	ts.mu.Lock()
	defer ts.mu.Unlock()
	id := ""
	for _, t := range ts.tokens {
		if subtle.ConstantTimeCompare(h[:], t.Hash[:]) == 1 {
			id = t.ID
		}
	}
	return id
}

// List returns the tokens' descriptions (their hashes stay inside).
func (ts *TokenStore) List() []TokenInfo {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	out := make([]TokenInfo, len(ts.tokens))
	for i, t := range ts.tokens {
		out[i] = tokenInfo(t)
	}
	return out
}

// TokenInfo describes a token for GET /api/v1/admin/tokens.
type TokenInfo struct {
	ID        string     `json:"id"`
	CreatedAt *time.Time `json:"created_at,omitempty"`
	Note      string     `json:"note,omitempty"`
}

func tokenInfo(t config.Token) TokenInfo {
	info := TokenInfo{ID: t.ID, Note: t.Note}
	if !t.Created.IsZero() {
		info.CreatedAt = &t.Created
	}
	return info
}

// errTokenExists is Issue's answer for an id already in use.
var errTokenExists = errors.New("token id already exists")

// Issue creates a token with id (a random one when ""), stores its hash
// and returns the token, which exists nowhere else from then on.
func (ts *TokenStore) Issue(id, note string) (string, TokenInfo, error) {
	var secret [32]byte
	_, _ = rand.Read(secret[:])
	if id == "" {
		id = "t" + hex.EncodeToString(secret[:4])
	}
	if err := config.ValidTokenID(id); err != nil {
		return "", TokenInfo{}, err
	}
	token := tokenPrefix + base64.RawURLEncoding.EncodeToString(secret[:])
	t := config.Token{ID: id, Hash: config.HashToken(token), Created: time.Now().UTC().Truncate(time.Second), Note: note}
	ts.mu.Lock()
	defer ts.mu.Unlock()
	if slices.ContainsFunc(ts.tokens, func(o config.Token) bool { return o.ID == id }) {
		return "", TokenInfo{}, fmt.Errorf("%w: %q", errTokenExists, id)
	}
	tokens := append(slices.Clip(ts.tokens), t)
	if err := config.WriteTokens(ts.path, tokens); err != nil {
		return "", TokenInfo{}, fmt.Errorf("cannot write the tokens file %s: %w", ts.path, err)
	}
	ts.tokens = tokens
	return token, tokenInfo(t), nil
}

// Revoke removes the token id; it reports false when there is none.
func (ts *TokenStore) Revoke(id string) (bool, error) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	i := slices.IndexFunc(ts.tokens, func(t config.Token) bool { return t.ID == id })
	if i < 0 {
		return false, nil
	}
	tokens := slices.Delete(slices.Clone(ts.tokens), i, i+1)
	if err := config.WriteTokens(ts.path, tokens); err != nil {
		return false, fmt.Errorf("cannot write the tokens file %s: %w", ts.path, err)
	}
	ts.tokens = tokens
	return true, nil
}

// IssueFirst gives a new data directory its administrator's token: it
// issues token "admin" and writes it to file (mode 0600), replacing a stale
// one, for the administrator to read once.
func (ts *TokenStore) IssueFirst(file string) error {
	token, _, err := ts.Issue("admin", "issued at first start")
	if err != nil {
		return err
	}
	return config.WriteFileAtomic(file, []byte(token+"\n"), 0o600)
}

// bearer returns the token of an "Authorization: Bearer" header.
func bearer(r *http.Request) (string, bool) {
	scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	token = strings.TrimSpace(token)
	return token, ok && strings.EqualFold(scheme, "Bearer") && token != ""
}

// authorized lets a request through, or answers it with 401: in dev mode
// requests from this machine need no token, others need a valid one.
func (a *restAPI) authorized(w http.ResponseWriter, r *http.Request) bool {
	if a.opts.Mode == "dev" && local(r) {
		return true
	}
	token, ok := bearer(r)
	if ok && a.opts.Tokens != nil && a.opts.Tokens.Check(token) != "" {
		return true
	}
	msg, challenge := "this endpoint needs a token: send the header Authorization: Bearer <token>", `Bearer realm="rustydb"`
	if ok {
		msg, challenge = "the bearer token is not valid", `Bearer realm="rustydb", error="invalid_token"`
	}
	w.Header().Set("WWW-Authenticate", challenge)
	respondError(w, http.StatusUnauthorized, "UNAUTHORIZED", msg)
	return false
}

// tokens answers GET /api/v1/admin/tokens.
func (a *restAPI) listTokens(w http.ResponseWriter, r *http.Request) {
	respondJSON(w, http.StatusOK, map[string]any{"data": a.opts.Tokens.List()})
}

// issueToken answers POST /api/v1/admin/tokens {"id": "...", "note": "..."},
// both optional, with the new token, shown this once.
func (a *restAPI) issueToken(w http.ResponseWriter, r *http.Request) {
	var req struct {
		ID   string `json:"id"`
		Note string `json:"note"`
	}
	if !decodeBody(w, r, &req, `send {"id": "...", "note": "..."} (both optional) or no body`) {
		return
	}
	token, info, err := a.opts.Tokens.Issue(req.ID, req.Note)
	switch {
	case errors.Is(err, errTokenExists):
		respondError(w, http.StatusConflict, "CONFLICT", err.Error())
	case err != nil && config.ValidTokenID(req.ID) != nil:
		respondError(w, http.StatusBadRequest, "BAD_REQUEST", err.Error())
	case err != nil:
		respondError(w, http.StatusInternalServerError, "INTERNAL", err.Error())
	default:
		a.opts.Logger.Info("REST API token issued", "id", info.ID, "remote", r.RemoteAddr)
		respondJSON(w, http.StatusCreated, map[string]any{"data": struct {
			TokenInfo
			Token string `json:"token"`
		}{info, token}})
	}
}

// revokeToken answers DELETE /api/v1/admin/tokens/{id}.
func (a *restAPI) revokeToken(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	switch ok, err := a.opts.Tokens.Revoke(id); {
	case err != nil:
		respondError(w, http.StatusInternalServerError, "INTERNAL", err.Error())
	case !ok:
		respondError(w, http.StatusNotFound, "NOT_FOUND", "no token "+id)
	default:
		a.opts.Logger.Info("REST API token revoked", "id", id, "remote", r.RemoteAddr)
		respondJSON(w, http.StatusOK, map[string]any{"data": map[string]any{"id": id, "revoked": true}})
	}
}
