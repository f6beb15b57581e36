package catalog

import (
	"fmt"
	"slices"
	"testing"
)

func TestACLText(t *testing.T) {
	tests := []struct {
		item ACLItem
		want string
	}{
		{ACLItem{Grantee: "alice", Grantor: "alice", Privs: TablePrivs}, "alice=arwdDxt/alice"},
		{ACLItem{Grantor: "alice", Privs: PrivSelect}, "=r/alice"},
		{ACLItem{Grantee: "bob", Grantor: "alice", Privs: PrivSelect | PrivUpdate, Grant: PrivUpdate}, "bob=rw*/alice"},
		{ACLItem{Grantee: "Mixed Case", Grantor: "a", Privs: SchemaPrivs, Grant: SchemaPrivs}, `"Mixed Case"=U*C*/a`},
		{ACLItem{Grantee: "q\"x", Grantor: "a", Privs: SequencePrivs}, `"q""x"=rwU/a`},
	}
	for _, tt := range tests {
		if got := tt.item.String(); got != tt.want {
			t.Errorf("%+v: got %s, want %s", tt.item, got, tt.want)
		}
	}
}

func TestGrantRevoke(t *testing.T) {
	tbl := &Table{Name: "t", Owner: "alice"}
	acl := tbl.EffectiveACL()
	steps := []struct {
		do   func([]ACLItem) []ACLItem
		want string
	}{
		{func(a []ACLItem) []ACLItem { return a }, "[alice=arwdDxt/alice]"},
		{func(a []ACLItem) []ACLItem { return Granted(a, "bob", "alice", PrivSelect, 0) }, "[alice=arwdDxt/alice bob=r/alice]"},
		{func(a []ACLItem) []ACLItem { return Granted(a, "bob", "alice", PrivInsert, PrivInsert) }, "[alice=arwdDxt/alice bob=a*r/alice]"},
		{func(a []ACLItem) []ACLItem { return Granted(a, "", "alice", PrivSelect, 0) }, "[alice=arwdDxt/alice bob=a*r/alice =r/alice]"},
		{func(a []ACLItem) []ACLItem { return Revoked(a, "bob", "alice", PrivInsert, true) }, "[alice=arwdDxt/alice bob=ar/alice =r/alice]"},
		{func(a []ACLItem) []ACLItem { return Revoked(a, "bob", "carol", PrivInsert, false) }, "[alice=arwdDxt/alice bob=ar/alice =r/alice]"},
		{func(a []ACLItem) []ACLItem { return Revoked(a, "bob", "alice", TablePrivs, false) }, "[alice=arwdDxt/alice =r/alice]"},
		{func(a []ACLItem) []ACLItem { return Revoked(a, "alice", "alice", TablePrivs, false) }, "[=r/alice]"},
	}
	for i, st := range steps {
		acl = st.do(acl)
		if got := fmt.Sprint(acl); got != st.want {
			t.Errorf("step %d: got %s, want %s", i, got, st.want)
		}
	}
	tbl.ACL = acl
	for _, tt := range []struct {
		roles []string
		want  Priv
	}{{[]string{"alice"}, PrivSelect}, {[]string{"zed"}, PrivSelect}} {
		if got, _ := tbl.Privileges(tt.roles); got != tt.want {
			t.Errorf("%v: got %v, want %v", tt.roles, got.Names(), tt.want.Names())
		}
	}
}

func TestOnlyPrivilegesDiffer(t *testing.T) {
	a := &Table{Name: "t", Columns: []Column{{Name: "a"}}, Owner: "alice"}
	b := *a
	b.ACL = []ACLItem{{Grantee: "bob", Grantor: "alice", Privs: PrivSelect}}
	c := *a
	c.Columns = []Column{{Name: "b"}}
	for _, tt := range []struct {
		x    *Table
		want bool
	}{{&b, true}, {a, true}, {&c, false}} {
		if got := OnlyPrivilegesDiffer(a, tt.x); got != tt.want {
			t.Errorf("%+v: got %v", tt.x, got)
		}
	}
}

// TestIndexKey checks IndexKey and NumKeys against IndexKeys and Keys.
func TestIndexKey(t *testing.T) {
	tbl := &Table{Name: "t", PrimaryKey: []int{0}, Unique: [][]int{{1}, {2, 3}},
		Indexes: []Index{{Name: "a", Columns: []int{4}}, {Name: "b", Columns: []int{5}, Unique: true}, {Name: "c", Columns: []int{1, 2}}}}
	for _, tb := range []*Table{tbl, {Name: "u"}, {Name: "v", Indexes: []Index{{Name: "x", Columns: []int{0}}}}} {
		all := tb.IndexKeys()
		for k := range len(all) + 1 {
			var want []int
			if k < len(all) {
				want = all[k]
			}
			if got := tb.IndexKey(k); !slices.Equal(got, want) {
				t.Errorf("%s: IndexKey(%d) = %v, want %v", tb.Name, k, got, want)
			}
		}
		if got, want := tb.NumKeys(), len(tb.Keys()); got != want {
			t.Errorf("%s: NumKeys() = %d, want %d", tb.Name, got, want)
		}
	}
}
