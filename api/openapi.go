package api

import (
	_ "embed"
	"net/http"
)

// openAPIDoc is the OpenAPI 3 description of the REST API. It is kept by
// hand next to the routes; TestOpenAPIMatchesRoutes fails when a route is
// registered that it does not describe, or the other way round.
//
//go:embed openapi.json
var openAPIDoc []byte

// serveOpenAPI answers GET /api/v1/openapi.json with the document itself
// (not wrapped in {"data": ...}, so that tools read it as it is).
func serveOpenAPI(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Write(openAPIDoc)
}
