package api

import (
	"encoding/json"
	"log/slog"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestOpenAPIMatchesRoutes keeps openapi.json honest: every registered
// route is documented, with security [] exactly when it is public, and
// every documented operation is registered.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	var doc struct {
		OpenAPI string                                `json:"openapi"`
		Paths   map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(openAPIDoc, &doc); err != nil {
		t.Fatalf("openapi.json: %v", err)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.") {
		t.Fatalf("openapi = %q, want 3.x", doc.OpenAPI)
	}
	documented := map[string]bool{} // "METHOD /path" -> public
	for path, ops := range doc.Paths {
		for method, op := range ops {
			var o struct {
				Security *[]any `json:"security"`
				Summary  string `json:"summary"`
			}
			if err := json.Unmarshal(op, &o); err != nil {
				t.Fatalf("%s %s: %v", method, path, err)
			}
			if o.Summary == "" {
				t.Errorf("%s %s has no summary", method, path)
			}
			documented[strings.ToUpper(method)+" "+path] = o.Security != nil && len(*o.Security) == 0
		}
	}
	srv := testServer(t)
	tokens, _, err := OpenTokenStore(filepath.Join(t.TempDir(), "tokens"))
	if err != nil {
		t.Fatal(err)
	}
	mux := NewREST(RESTOptions{Stats: srv.db.Stats, Connections: srv.ActiveConnections, Mode: "prod",
		Logger: slog.New(slog.DiscardHandler), Admin: srv, Tokens: tokens, Params: srv.db.Params()}).(*restMux)
	registered := map[string]bool{}
	for _, r := range mux.routes {
		key := r.method + " " + r.path
		registered[key] = true
		public, ok := documented[key]
		switch {
		case !ok:
			t.Errorf("%s is registered but not in openapi.json", key)
		case public != r.public:
			t.Errorf("%s: openapi.json says public=%v, the route is public=%v (public operations have \"security\": [])", key, public, r.public)
		}
	}
	for key := range documented {
		if !registered[key] {
			t.Errorf("openapi.json documents %s, which is not registered", key)
		}
	}
	if len(registered) < 10 || !slices.ContainsFunc(mux.routes, func(r routeInfo) bool { return r.path == "/api/v1/openapi.json" }) {
		t.Errorf("only %d routes registered: %v", len(registered), mux.routes)
	}
}
