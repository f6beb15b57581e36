// Package types defines RustyDB's SQL types and values: the type descriptors
// the binder reasons about, the Value a row holds, and the PostgreSQL text
// formats and casts between them. It sits below every other engine package.
//
// Values follow PostgreSQL's semantics: NUMERIC is an exact decimal (never a
// float), integer arithmetic is checked against the width of its type, DATE is
// days since 1970-01-01 and TIMESTAMP is microseconds since 1970-01-01 00:00:00
// without a time zone. TIMESTAMP WITH TIME ZONE is an instant (microseconds
// since 1970-01-01 00:00:00 UTC) that converts and prints in the session's
// time zone (see zone.go); TIME is microseconds since midnight. UUID and
// BYTEA hold bytes. Text compares by bytes until collations exist.
package types

import (
	"fmt"
	"strings"
)

// ID identifies a SQL type family.
type ID uint8

const (
	Unknown   ID = iota // an untyped literal ('abc' or NULL) before it is coerced
	Bool                // boolean
	Int2                // smallint
	Int4                // integer
	Int8                // bigint
	Float4              // real
	Float8              // double precision
	Numeric             // numeric(p,s), exact
	Text                // text
	Varchar             // varchar(n)
	Char                // char(n), blank-padded
	Date                // date
	Timestamp           // timestamp without time zone
	Interval            // interval: months, days and microseconds
	Array               // one-dimensional array of T.Elem

	UUID        // uuid
	Bytea       // bytea
	TimestampTZ // timestamp with time zone
	Time        // time without time zone
	// RegClass, RegType, RegNamespace and RegProc name the casts that turn
	// an object's name into its OID and back; no value has these types
	// (see the binder's CastExpr).
	RegClass
	RegType
	RegNamespace
	RegProc

	JSON  // json: the input text, validated
	JSONB // jsonb: a canonical document (see package jsonb)
)

// T is a full type: the family plus its modifiers.
type T struct {
	ID ID
	// Width is n of varchar(n)/char(n); 0 means unlimited.
	Width int32
	// Precision and Scale of numeric(p,s); Precision 0 means unconstrained.
	Precision, Scale int32
	// Elem is the element type family of an array (ID Array).
	Elem ID `json:",omitempty"`
}

// Commonly used types.
var (
	TUnknown   = T{ID: Unknown}
	TBool      = T{ID: Bool}
	TInt2      = T{ID: Int2}
	TInt4      = T{ID: Int4}
	TInt8      = T{ID: Int8}
	TFloat4    = T{ID: Float4}
	TFloat8    = T{ID: Float8}
	TNumeric   = T{ID: Numeric}
	TText      = T{ID: Text}
	TDate      = T{ID: Date}
	TTimestamp = T{ID: Timestamp}
	TInterval  = T{ID: Interval}

	TUUID        = T{ID: UUID}
	TBytea       = T{ID: Bytea}
	TTimestampTZ = T{ID: TimestampTZ}
	TTime        = T{ID: Time}
	TJSON        = T{ID: JSON}
	TJSONB       = T{ID: JSONB}
)

// PostgreSQL type OIDs (pg_type.oid), as clients expect them on the wire.
const (
	OIDBool      uint32 = 16
	OIDInt8      uint32 = 20
	OIDInt2      uint32 = 21
	OIDInt4      uint32 = 23
	OIDText      uint32 = 25
	OIDFloat4    uint32 = 700
	OIDFloat8    uint32 = 701
	OIDUnknown   uint32 = 705
	OIDBpchar    uint32 = 1042
	OIDVarchar   uint32 = 1043
	OIDDate      uint32 = 1082
	OIDTimestamp uint32 = 1114
	OIDNumeric   uint32 = 1700
	OIDInterval  uint32 = 1186

	OIDBytea       uint32 = 17
	OIDTime        uint32 = 1083
	OIDTimestampTZ uint32 = 1184
	OIDUUID        uint32 = 2950
	OIDJSON        uint32 = 114
	OIDJSONB       uint32 = 3802
)

// arrayOIDs are the OIDs of the array types, by element type.
var arrayOIDs = map[ID]uint32{Bool: 1000, Int2: 1005, Int4: 1007, Text: 1009, Char: 1014, Varchar: 1015,
	Int8: 1016, Float4: 1021, Float8: 1022, Timestamp: 1115, Date: 1182, Interval: 1187, Numeric: 1231,
	UUID: 2951, Bytea: 1001, TimestampTZ: 1185, Time: 1183, JSON: 199, JSONB: 3807}

// OID returns the PostgreSQL type OID of t.
func (t T) OID() uint32 {
	switch t.ID {
	case Array:
		if oid, ok := arrayOIDs[t.Elem]; ok {
			return oid
		}
		return arrayOIDs[Text]
	case Bool:
		return OIDBool
	case Int2:
		return OIDInt2
	case Int4:
		return OIDInt4
	case Int8:
		return OIDInt8
	case Float4:
		return OIDFloat4
	case Float8:
		return OIDFloat8
	case Numeric:
		return OIDNumeric
	case Varchar:
		return OIDVarchar
	case Char:
		return OIDBpchar
	case Date:
		return OIDDate
	case Timestamp:
		return OIDTimestamp
	case Interval:
		return OIDInterval
	case UUID:
		return OIDUUID
	case Bytea:
		return OIDBytea
	case TimestampTZ:
		return OIDTimestampTZ
	case Time:
		return OIDTime
	case JSON:
		return OIDJSON
	case JSONB:
		return OIDJSONB
	case Unknown:
		return OIDText // untyped literals are sent as text, as PostgreSQL does
	}
	return OIDText
}

// Size returns pg_type.typlen of t (-1 for variable length).
func (t T) Size() int16 {
	switch t.ID {
	case Bool:
		return 1
	case Int2:
		return 2
	case Int4, Float4, Date:
		return 4
	case Int8, Float8, Timestamp, TimestampTZ, Time:
		return 8
	case Interval, UUID:
		return 16
	}
	return -1
}

// Modifier returns the atttypmod PostgreSQL reports for t (-1 when none).
func (t T) Modifier() int32 {
	switch t.ID {
	case Varchar, Char:
		if t.Width > 0 {
			return t.Width + 4
		}
	case Numeric:
		if t.Precision > 0 {
			return (t.Precision<<16 | t.Scale) + 4
		}
	}
	return -1
}

// String returns the type as PostgreSQL's format_type prints it.
func (t T) String() string {
	switch t.ID {
	case Unknown:
		return "unknown"
	case Bool:
		return "boolean"
	case Int2:
		return "smallint"
	case Int4:
		return "integer"
	case Int8:
		return "bigint"
	case Float4:
		return "real"
	case Float8:
		return "double precision"
	case Numeric:
		if t.Precision > 0 {
			return fmt.Sprintf("numeric(%d,%d)", t.Precision, t.Scale)
		}
		return "numeric"
	case Text:
		return "text"
	case Varchar:
		if t.Width > 0 {
			return fmt.Sprintf("character varying(%d)", t.Width)
		}
		return "character varying"
	case Char:
		return fmt.Sprintf("character(%d)", max(t.Width, 1))
	case Date:
		return "date"
	case Timestamp:
		return "timestamp without time zone"
	case Interval:
		return "interval"
	case UUID:
		return "uuid"
	case Bytea:
		return "bytea"
	case TimestampTZ:
		return "timestamp with time zone"
	case Time:
		return "time without time zone"
	case JSON:
		return "json"
	case JSONB:
		return "jsonb"
	case Array:
		return t.ElemType().String() + "[]"
	}
	return "?"
}

// IsInteger reports whether t is smallint, integer or bigint.
func (t T) IsInteger() bool { return t.ID == Int2 || t.ID == Int4 || t.ID == Int8 }

// IsNumeric reports whether t is any number type.
func (t T) IsNumeric() bool {
	return t.IsInteger() || t.ID == Numeric || t.ID == Float4 || t.ID == Float8
}

// IsString reports whether t is text, varchar or char.
func (t T) IsString() bool { return t.ID == Text || t.ID == Varchar || t.ID == Char }

// numericRank orders number types for implicit promotion.
func numericRank(id ID) int {
	switch id {
	case Int2:
		return 1
	case Int4:
		return 2
	case Int8:
		return 3
	case Numeric:
		return 4
	case Float4:
		return 5
	case Float8:
		return 6
	}
	return 0
}

// CommonNumeric returns the type both number types promote to, as PostgreSQL's
// implicit casts do (int2 < int4 < int8 < numeric < real < double precision).
func CommonNumeric(a, b T) T {
	if numericRank(a.ID) >= numericRank(b.ID) {
		return T{ID: a.ID}
	}
	return T{ID: b.ID}
}

// Lookup returns the type for a SQL type name (lower case, as the parser
// normalizes it) with its modifiers, or false if the name is unknown.
func Lookup(name string, mods []int32) (T, bool) {
	if elem, ok := strings.CutSuffix(name, "[]"); ok {
		e, ok := Lookup(elem, mods)
		return ArrayOf(e), ok && e.ID != Array
	}
	var t T
	switch strings.ToLower(name) {
	case "bool", "boolean":
		t = TBool
	case "smallint", "int2":
		t = TInt2
	case "int", "integer", "int4":
		t = TInt4
	case "bigint", "int8":
		t = TInt8
	case "real", "float4":
		t = TFloat4
	case "double precision", "float8", "double":
		t = TFloat8
	case "float":
		t = TFloat8
		if len(mods) == 1 && mods[0] <= 24 {
			t = TFloat4
		}
		return t, true
	case "numeric", "decimal":
		t = TNumeric
		if len(mods) >= 1 {
			t.Precision = mods[0]
		}
		if len(mods) >= 2 {
			t.Scale = mods[1]
		}
		return t, true
	case "text":
		t = TText
	case "varchar", "character varying":
		t = T{ID: Varchar}
	case "char", "character", "bpchar":
		t = T{ID: Char, Width: 1}
		if len(mods) == 0 {
			return t, true
		}
	case "date":
		t = TDate
	case "timestamp", "timestamp without time zone":
		t = TTimestamp
	case "interval":
		t = TInterval
	case "oid":
		t = TInt8 // OIDs are bigint here
	case "regclass":
		t = T{ID: RegClass}
	case "regtype":
		t = T{ID: RegType}
	case "regnamespace":
		t = T{ID: RegNamespace}
	case "regproc", "regprocedure":
		t = T{ID: RegProc}
	case "uuid":
		t = TUUID
	case "bytea":
		t = TBytea
	case "timestamptz", "timestamp with time zone":
		t = TTimestampTZ
	case "time", "time without time zone":
		t = TTime
	case "json":
		t = TJSON
	case "jsonb":
		t = TJSONB
	default:
		return T{}, false
	}
	if len(mods) == 1 && (t.ID == Varchar || t.ID == Char) {
		t.Width = mods[0]
	}
	return t, true
}

// InternalName is the name PostgreSQL's pg_type gives t (typname): int4 for
// integer, _int4 for integer[], and so on; casts name their result
// columns with it.
func (t T) InternalName() string {
	switch t.ID {
	case Array:
		return "_" + t.ElemType().InternalName()
	case Bool:
		return "bool"
	case Int2:
		return "int2"
	case Int4:
		return "int4"
	case Int8:
		return "int8"
	case Float4:
		return "float4"
	case Float8:
		return "float8"
	case Numeric:
		return "numeric"
	case Varchar:
		return "varchar"
	case Char:
		return "bpchar"
	case Timestamp:
		return "timestamp"
	case TimestampTZ:
		return "timestamptz"
	case Time:
		return "time"
	}
	return t.String()
}
