package exec

import (
	"errors"
	"testing"

	"rustydb/sqlerr"
)

// A worker goroutine's panic becomes its statement's internal error.
func TestRecoverInto(t *testing.T) {
	var err error
	func() {
		defer recoverInto(&err)
		var m map[string]int
		m["x"]++ // a nil map write panics
	}()
	var se *sqlerr.Error
	if !errors.As(err, &se) || se.Code != sqlerr.InternalError {
		t.Fatalf("err = %v, want an internal error", err)
	}
}
