package row

import (
	"encoding/binary"
	"encoding/json"
	"slices"
	"strings"

	"rustydb/catalog"
	"rustydb/sqlerr"
	"rustydb/txn"
)

// Roles are changed by transactions like tables: CREATE, ALTER and DROP
// ROLE publish the new definition in the catalog at once (so that a second
// CREATE of the name fails) and log it at commit; rollback restores the old
// one. Until commit, checkpoints and authentication use the committed
// definition, kept in Store.pendingRoles.

// pendingRole is a role changed by an open transaction.
type pendingRole struct {
	committed *catalog.Role // the definition before; nil for a role the transaction created
	owner     *txn.Txn
}

func roleBusy(name string) error {
	return sqlerr.New(sqlerr.SerializationFailure, "role %q is being changed by another transaction", name).
		WithHint("Retry when that transaction has ended.")
}

// CreateRole adds r to the catalog, assigning its ID.
func (tx *Tx) CreateRole(r *catalog.Role) error {
	s := tx.s
	s.pendingMu.Lock()
	defer s.pendingMu.Unlock()
	// A role that another transaction drops keeps its name until that
	// transaction ends, because its rollback puts the role back.
	for _, p := range s.pendingRoles {
		if p.owner != tx.Txn && p.committed != nil && p.committed.Name == r.Name {
			return roleBusy(r.Name)
		}
	}
	if err := s.catalog.AddRole(r); err != nil {
		return err
	}
	s.pendingRoles[r.ID] = pendingRole{owner: tx.Txn}
	tx.ops.add(op{kind: opCreateRole, opDef: &opDef{role: r}})
	return nil
}

// AlterRole replaces role old by r, which has the same ID and name.
func (tx *Tx) AlterRole(old, r *catalog.Role) error {
	tx.s.pendingMu.Lock()
	defer tx.s.pendingMu.Unlock()
	if err := tx.claimRole(old); err != nil {
		return err
	}
	tx.s.catalog.ReplaceRole(r)
	tx.ops.add(op{kind: opAlterRole, opDef: &opDef{role: r, oldRole: old}})
	return nil
}

// DropRole removes role r.
func (tx *Tx) DropRole(r *catalog.Role) error {
	tx.s.pendingMu.Lock()
	defer tx.s.pendingMu.Unlock()
	if err := tx.claimRole(r); err != nil {
		return err
	}
	tx.s.catalog.RemoveRole(r.Name)
	tx.ops.add(op{kind: opDropRole, opDef: &opDef{role: r}})
	return nil
}

// claimRole checks that r is still the role's current definition, which
// the caller derived its change from, and records the committed definition
// before tx's first change of it. A role another open transaction changed
// is refused rather than waited for. The caller holds pendingMu.
func (tx *Tx) claimRole(r *catalog.Role) error {
	s := tx.s
	if s.catalog.Role(r.Name) != r {
		return sqlerr.New(sqlerr.SerializationFailure, "role %q was changed by another transaction", r.Name).
			WithHint("Retry the statement.")
	}
	if p, ok := s.pendingRoles[r.ID]; ok {
		if p.owner != tx.Txn {
			return roleBusy(r.Name)
		}
		return nil
	}
	s.pendingRoles[r.ID] = pendingRole{committed: r, owner: tx.Txn}
	return nil
}

// undoRole reverts one role operation of a rolling-back transaction.
func (s *Store) undoRole(o op) {
	switch o.kind {
	case opCreateRole:
		s.catalog.RemoveRole(o.role.Name)
	case opAlterRole:
		s.catalog.ReplaceRole(o.oldRole)
	case opDropRole:
		_ = s.catalog.AddRole(o.role) // CreateRole kept the name free
	}
}

// appendRoleOp encodes a role operation of a commit record.
func appendRoleOp(buf []byte, o op) []byte {
	if o.kind == opDropRole {
		return binary.LittleEndian.AppendUint32(buf, o.role.ID)
	}
	b, _ := json.Marshal(o.role)
	buf = binary.AppendUvarint(buf, uint64(len(b)))
	return append(buf, b...)
}

// redoRole applies a role operation of a commit record during recovery and
// returns the rest of the record.
func (s *Store) redoRole(kind byte, data []byte) ([]byte, error) {
	if kind == opDropRole {
		if len(data) < 4 {
			return nil, errCorrupt
		}
		if r := s.catalog.RoleByID(binary.LittleEndian.Uint32(data)); r != nil {
			s.catalog.RemoveRole(r.Name)
		}
		return data[4:], nil
	}
	l, k := binary.Uvarint(data)
	if k <= 0 || uint64(len(data)-k) < l {
		return nil, errCorrupt
	}
	var r catalog.Role
	if err := json.Unmarshal(data[k:k+int(l)], &r); err != nil {
		return nil, err
	}
	if kind == opCreateRole {
		if err := s.catalog.AddRole(&r); err != nil {
			return nil, err
		}
	} else if s.catalog.RoleByID(r.ID) != nil {
		s.catalog.ReplaceRole(&r)
	}
	return data[k+int(l):], nil
}

// Roles returns the committed roles, sorted by name: what a checkpoint
// records and what authentication checks passwords against, so that a role
// created or changed by an open transaction does not count before it
// commits.
func (s *Store) Roles() []*catalog.Role {
	s.pendingMu.Lock()
	defer s.pendingMu.Unlock()
	return s.committedRoles()
}

// Role returns the committed definition of the named role, or nil.
func (s *Store) Role(name string) *catalog.Role {
	for _, r := range s.Roles() {
		if r.Name == name {
			return r
		}
	}
	return nil
}

// committedRoles is Roles for a caller holding pendingMu.
func (s *Store) committedRoles() []*catalog.Role {
	var out []*catalog.Role
	listed := make(map[uint32]bool)
	for _, r := range s.catalog.Roles() {
		if p, ok := s.pendingRoles[r.ID]; ok {
			r = p.committed
		}
		if r != nil {
			out = append(out, r)
			listed[r.ID] = true
		}
	}
	for _, p := range s.pendingRoles { // dropped by an open transaction
		if p.committed != nil && !listed[p.committed.ID] {
			out = append(out, p.committed)
		}
	}
	slices.SortFunc(out, func(a, b *catalog.Role) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// loadRoles reads the roles section of a checkpoint: uvarint length + JSON.
func (s *Store) loadRoles(b []byte) error {
	l, k := binary.Uvarint(b)
	if k <= 0 || uint64(len(b)-k) != l {
		return errCorrupt
	}
	var roles []*catalog.Role
	if err := json.Unmarshal(b[k:], &roles); err != nil {
		return err
	}
	for _, r := range roles {
		if err := s.catalog.AddRole(r); err != nil {
			return err
		}
	}
	return nil
}
