package api

import (
	"encoding/binary"

	"rustydb/sqlerr"
	"rustydb/types"
)

// Binary array format (array_send / array_recv), big-endian:
//
//	int32 ndim (0 for an empty array, else 1 here)
//	int32 has-nulls flag
//	int32 element type OID
//	per dimension: int32 length, int32 lower bound (1)
//	per element: int32 byte length (-1 for NULL), then the element's
//	binary form

// appendArrayBinary appends array value v of type t in binary format.
func appendArrayBinary(buf []byte, v types.Value, t types.T) []byte {
	elem := t.ElemType()
	elems, _ := types.ArrayElems(v)
	hasNull := int32(0)
	for _, e := range elems {
		if e.IsNull() {
			hasNull = 1
		}
	}
	be := binary.BigEndian
	if len(elems) == 0 {
		buf = be.AppendUint32(buf, 0)
		buf = be.AppendUint32(buf, 0)
		return be.AppendUint32(buf, elem.OID())
	}
	buf = be.AppendUint32(buf, 1)
	buf = be.AppendUint32(buf, uint32(hasNull))
	buf = be.AppendUint32(buf, elem.OID())
	buf = be.AppendUint32(buf, uint32(len(elems)))
	buf = be.AppendUint32(buf, 1)
	for _, e := range elems {
		if e.IsNull() {
			buf = be.AppendUint32(buf, 0xFFFFFFFF)
			continue
		}
		at := len(buf)
		buf = be.AppendUint32(buf, 0)
		buf = appendBinary(buf, e, elem)
		be.PutUint32(buf[at:], uint32(len(buf)-at-4))
	}
	return buf
}

// decodeArrayBinary reads a binary array parameter of type t.
func decodeArrayBinary(raw []byte, t types.T) (types.Value, error) {
	bad := sqlerr.New(sqlerr.InvalidBinaryRepresentatio, "incorrect binary data format in bind parameter of type %s", t)
	be := binary.BigEndian
	if len(raw) < 12 {
		return types.Null, bad
	}
	ndim := be.Uint32(raw)
	elem := t.ElemType()
	if ndim == 0 {
		return types.NewArray(elem, nil), nil
	}
	if ndim != 1 || len(raw) < 20 {
		return types.Null, sqlerr.New(sqlerr.FeatureNotSupported, "multidimensional arrays are not supported")
	}
	n := int(be.Uint32(raw[12:]))
	raw = raw[20:]
	vals := make([]types.Value, 0, n)
	for range n {
		if len(raw) < 4 {
			return types.Null, bad
		}
		l := int32(be.Uint32(raw))
		raw = raw[4:]
		if l < 0 {
			vals = append(vals, types.Null)
			continue
		}
		if int(l) > len(raw) {
			return types.Null, bad
		}
		v, err := decodeParam(raw[:l], 1, elem)
		if err != nil {
			return types.Null, err
		}
		vals = append(vals, v)
		raw = raw[l:]
	}
	return types.NewArray(elem, vals), nil
}

// arrayTypeForOID maps an array type OID to its type.
func arrayTypeForOID(oid uint32) (types.T, bool) {
	for _, elem := range []types.T{types.TBool, types.TInt2, types.TInt4, types.TInt8, types.TFloat4, types.TFloat8,
		types.TNumeric, types.TText, types.TDate, types.TTimestamp, types.TInterval, {ID: types.Varchar}, {ID: types.Char},
		types.TJSON, types.TJSONB} {
		if t := types.ArrayOf(elem); t.OID() == oid {
			if elem.ID == types.Varchar || elem.ID == types.Char {
				t = types.ArrayOf(types.TText)
			}
			return t, true
		}
	}
	return types.T{}, false
}
