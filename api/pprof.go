package api

import (
	"net/http"
	"net/http/pprof"
	rpprof "runtime/pprof"
)

// pprofProfile serves the Go runtime's profiles of the server process, for
// finding where a workload spends its time: /admin/pprof/profile?seconds=N
// (CPU), /admin/pprof/trace?seconds=N (execution trace) and the named
// profiles of runtime/pprof (heap, allocs, goroutine, mutex, block,
// threadcreate), as net/http/pprof writes them for `go tool pprof`. They
// are binary, not JSON, like /query's Arrow answers.
func (a *restAPI) pprofProfile(w http.ResponseWriter, r *http.Request) {
	switch name := r.PathValue("profile"); {
	case name == "profile":
		pprof.Profile(w, r)
	case name == "trace":
		pprof.Trace(w, r)
	case rpprof.Lookup(name) != nil:
		pprof.Handler(name).ServeHTTP(w, r)
	default:
		respondError(w, http.StatusNotFound, "NOT_FOUND", "no profile "+name+"; use profile, trace, heap, allocs, goroutine, mutex, block or threadcreate")
	}
}
