package api

import (
	"bytes"
	"testing"
	"time"

	"rustydb/sqlerr"
	"rustydb/types"
)

// TestBinaryNewTypes pins the binary wire formats of uuid, bytea, timestamp
// with time zone and time, and decodes each back as a Bind parameter.
func TestBinaryNewTypes(t *testing.T) {
	f := func(v types.Value, typ types.T, want []byte) {
		t.Helper()
		if !hasBinary(typ) {
			t.Errorf("%s: no binary format", typ)
		}
		got := appendBinary(nil, v, typ)
		if !bytes.Equal(got, want) {
			t.Errorf("%s %v: binary % x, want % x", typ, v, got, want)
		}
		back, err := decodeParam(append([]byte{}, got...), 1, typ) // nil would be NULL
		if err != nil || types.Compare(back, v) != 0 || back.K != v.K {
			t.Errorf("%s: decoded % x as %v (%v), want %v", typ, got, back, err, v)
		}
		if oid := typ.OID(); typeForOID(oid) != typ {
			t.Errorf("typeForOID(%d) = %v, want %v", oid, typeForOID(oid), typ)
		}
	}
	f(types.NewUUID([16]byte{0: 0xa0, 15: 0x11}), types.TUUID, []byte{0xa0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x11})
	f(types.NewBytea([]byte{0, 0xff}), types.TBytea, []byte{0, 0xff})
	f(types.NewBytea(nil), types.TBytea, nil)
	f(types.NewTimestampTZ(pgEpochMicros), types.TTimestampTZ, make([]byte, 8)) // 2000-01-01 00:00:00+00
	f(types.NewTimestampTZ(pgEpochMicros-1), types.TTimestampTZ, bytes.Repeat([]byte{0xff}, 8))
	f(types.NewTime(1_000_000), types.TTime, []byte{0, 0, 0, 0, 0, 0x0f, 0x42, 0x40})
	f(types.Value{K: types.KJSON, S: `{"a" : 1}`}, types.TJSON, []byte(`{"a" : 1}`))
	f(types.Value{K: types.KJSONB, S: `{"a": 1}`}, types.TJSONB, append([]byte{1}, `{"a": 1}`...)) // version 1, text
	f(types.NewArray(types.TJSONB, []types.Value{{K: types.KJSONB, S: `[1]`}}), types.ArrayOf(types.TJSONB),
		[]byte{0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0x0e, 0xda, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 4, 1, '[', '1', ']'})

	for _, c := range []struct {
		typ types.T
		raw []byte
	}{{types.TUUID, make([]byte, 15)}, {types.TTimestampTZ, make([]byte, 4)}, {types.TTime, []byte{0xff, 0, 0, 0, 0, 0, 0, 0}},
		{types.TJSONB, []byte(`{}`)}, {types.TJSONB, []byte{1, '{'}}, {types.TJSON, []byte(`{`)}} {
		if _, err := decodeParam(c.raw, 1, c.typ); err == nil {
			t.Errorf("%s: % x decoded without an error", c.typ, c.raw)
		}
	}
}

// TestTextParamInZone reads a text timestamptz parameter without an offset
// in the session time zone.
func TestTextParamInZone(t *testing.T) {
	ny, err := types.LoadZone("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	v, err := decodeParamIn([]byte("2024-01-02 03:04:05"), 0, types.TTimestampTZ, ny)
	if err != nil {
		t.Fatal(err)
	}
	if want := time.Date(2024, 1, 2, 8, 4, 5, 0, time.UTC).UnixMicro(); v.I != want {
		t.Errorf("got %v, want %v", v, types.NewTimestampTZ(want))
	}
	if _, err := decodeParamIn([]byte("x"), 0, types.TUUID, nil); sqlerr.Code(err) != sqlerr.InvalidTextRepresentation {
		t.Errorf("bad uuid parameter: %v", err)
	}
}
