package sql

import (
	"fmt"
	"testing"

	"rustydb/sqlerr"
)

func TestParseGrant(t *testing.T) {
	tests := []struct{ sql, want string }{
		{"GRANT SELECT ON t TO bob", "grant [select] all=false on table [t] roles=[] to [bob] option=false cascade=false"},
		{"GRANT select, INSERT ON TABLE s.t, u TO bob, PUBLIC WITH GRANT OPTION",
			"grant [select insert] all=false on table [s.t u] roles=[] to [bob ] option=true cascade=false"},
		{"GRANT ALL PRIVILEGES ON ALL TABLES IN SCHEMA s TO GROUP readers", "grant [] all=true on all tables in schema [s] roles=[] to [readers] option=false cascade=false"},
		{"GRANT USAGE, CREATE ON SCHEMA a, b TO \"Bob\"", "grant [usage create] all=false on schema [a b] roles=[] to [Bob] option=false cascade=false"},
		{"GRANT USAGE ON SEQUENCE q TO bob", "grant [usage] all=false on sequence [q] roles=[] to [bob] option=false cascade=false"},
		{"REVOKE ALL ON t FROM bob CASCADE", "revoke [] all=true on table [t] roles=[] to [bob] option=false cascade=true"},
		{"REVOKE GRANT OPTION FOR SELECT ON t FROM bob RESTRICT", "revoke [select] all=false on table [t] roles=[] to [bob] option=true cascade=false"},
		{"GRANT readers, writers TO alice, bob", "grant [] all=false on  [] roles=[readers writers] to [alice bob] option=false cascade=false"},
		{"REVOKE readers FROM alice", "revoke [] all=false on  [] roles=[readers] to [alice] option=false cascade=false"},
	}
	for _, tt := range tests {
		stmts, err := Parse(tt.sql)
		if err != nil {
			t.Errorf("%s: %v", tt.sql, err)
			continue
		}
		s := stmts[0].(*GrantStmt)
		verb := "grant"
		if s.Revoke {
			verb = "revoke"
		}
		var objs []string
		for _, o := range s.Objects {
			objs = append(objs, o.String())
		}
		got := fmt.Sprintf("%s %v all=%v on %s %v roles=%v to %v option=%v cascade=%v", verb, s.Privs, s.All, s.On, objs,
			s.Roles, s.Grantees, s.GrantOption, s.Cascade)
		if got != tt.want {
			t.Errorf("%s:\n got %s\nwant %s", tt.sql, got, tt.want)
		}
		if Kind(s) != "ddl" {
			t.Errorf("%s: Kind %q", tt.sql, Kind(s))
		}
	}
}

func TestParseColumnGrant(t *testing.T) {
	stmts, err := Parse(`REVOKE SELECT (a, "B"), INSERT, UPDATE (c) ON t FROM bob`)
	if err != nil {
		t.Fatal(err)
	}
	s := stmts[0].(*GrantStmt)
	if got := fmt.Sprintf("%v %q", s.Privs, s.Columns); got != `[select insert update] [["a" "B"] [] ["c"]]` {
		t.Errorf("got %s", got)
	}
}

func TestParseGrantErrors(t *testing.T) {
	tests := []struct{ sql, code, msg string }{
		{"GRANT SELECT ON t", sqlerr.SyntaxError, "syntax error at end of input"},
		{"GRANT SELECT ON t FROM bob", sqlerr.SyntaxError, `syntax error at or near "FROM"`},
		{"REVOKE SELECT ON t TO bob", sqlerr.SyntaxError, `syntax error at or near "TO"`},
		{"GRANT SELECT (a) TO bob", sqlerr.SyntaxError, `syntax error at or near "TO"`},
		{"GRANT SELECT () ON t TO bob", sqlerr.SyntaxError, `syntax error at or near ")"`},
		{"GRANT EXECUTE ON FUNCTION f() TO bob", sqlerr.FeatureNotSupported, "privileges on FUNCTION are not supported"},
		{"GRANT readers TO bob WITH ADMIN OPTION", sqlerr.FeatureNotSupported, "WITH ADMIN OPTION is not supported"},
		{"REVOKE GRANT OPTION FOR readers FROM bob", sqlerr.SyntaxError, `syntax error at or near "FROM"`},
		{"GRANT TO bob", sqlerr.SyntaxError, `syntax error at or near "TO"`},
		{"GRANT foo ON t TO bob", sqlerr.SyntaxError, `unrecognized privilege type "foo"`},
	}
	for _, tt := range tests {
		_, err := Parse(tt.sql)
		e, ok := err.(*sqlerr.Error)
		if !ok || e.Code != tt.code || e.Message != tt.msg {
			t.Errorf("%s: got %v, want %s %q", tt.sql, err, tt.code, tt.msg)
		}
	}
}

func TestParseAlterOwner(t *testing.T) {
	for _, tt := range []struct{ sql, object, owner string }{
		{"ALTER TABLE public.t OWNER TO alice", "table", "alice"},
		{"ALTER VIEW v OWNER TO CURRENT_USER", "view", ""},
		{"ALTER SEQUENCE s OWNER TO \"Bob\"", "sequence", "Bob"},
	} {
		stmts, err := Parse(tt.sql)
		if err != nil {
			t.Fatalf("%s: %v", tt.sql, err)
		}
		s := stmts[0].(*AlterTableStmt)
		if s.Object != tt.object || !s.Action.SetOwner || s.Action.OwnerTo != tt.owner {
			t.Errorf("%s: got %+v", tt.sql, s)
		}
	}
}
