package sql

import (
	"reflect"
	"testing"
)

func TestParseSetRole(t *testing.T) {
	cases := []struct {
		in   string
		want *SetStmt
	}{
		{`SET ROLE alice`, &SetStmt{Name: "role", Value: "alice", Values: []string{"alice"}}},
		{`SET ROLE TO "Mixed"`, &SetStmt{Name: "role", Value: "Mixed", Values: []string{"Mixed"}}},
		{`SET SESSION ROLE 'bob'`, &SetStmt{Name: "role", Value: "bob", Values: []string{"bob"}}},
		{`SET role = carol`, &SetStmt{Name: "role", Value: "carol", Values: []string{"carol"}}},
		{`SET ROLE NONE`, &SetStmt{Name: "role"}},
		{`RESET ROLE`, &SetStmt{Name: "role", Reset: true}},
		{`SET SESSION AUTHORIZATION alice`, &SetStmt{Name: "session_authorization", Value: "alice", Values: []string{"alice"}}},
		{`SET SESSION AUTHORIZATION DEFAULT`, &SetStmt{Name: "session_authorization"}},
		{`RESET SESSION AUTHORIZATION`, &SetStmt{Name: "session_authorization", Reset: true}},
		{`SET LOCAL ROLE alice`, &SetStmt{Name: "role", Value: "alice", Values: []string{"alice"}, Local: true}},
		{`SET LOCAL ROLE NONE`, &SetStmt{Name: "role", Local: true}},
		{`SET LOCAL SESSION AUTHORIZATION alice`, &SetStmt{Name: "session_authorization", Value: "alice", Values: []string{"alice"}, Local: true}},
		{`SET LOCAL SESSION AUTHORIZATION DEFAULT`, &SetStmt{Name: "session_authorization", Local: true}},
	}
	for _, c := range cases {
		stmts, err := Parse(c.in)
		if err != nil {
			t.Errorf("%s: %v", c.in, err)
			continue
		}
		if !reflect.DeepEqual(stmts[0], c.want) {
			t.Errorf("%s: got %+v, want %+v", c.in, stmts[0], c.want)
		}
	}
	for _, bad := range []string{`SET ROLE`, `SET ROLE 1`, `SET LOCAL AUTHORIZATION alice`, `SET LOCAL SESSION alice`} {
		if _, err := Parse(bad); err == nil {
			t.Errorf("%s: parsed", bad)
		}
	}
}
