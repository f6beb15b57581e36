package api

import (
	"encoding/binary"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/cockroachdb/apd/v3"

	"rustydb/sqlerr"
	"rustydb/types"
)

// Binary wire formats of the PostgreSQL protocol (big-endian), as the
// server's send/recv functions define them:
//
//	bool       1 byte, 0 or 1
//	int2/4/8   two's complement, 2/4/8 bytes
//	float4/8   IEEE 754, 4/8 bytes
//	text types the UTF-8 bytes
//	date       int32 days since 2000-01-01
//	interval   int64 microseconds, int32 days, int32 months
//	timestamp  int64 microseconds since 2000-01-01 00:00:00
//	timestamptz int64 microseconds since 2000-01-01 00:00:00 UTC
//	time       int64 microseconds since midnight
//	uuid       the 16 bytes
//	bytea      the bytes
//	json       the text
//	jsonb      a version byte (1), then the text
//	numeric    int16 ndigits, int16 weight, uint16 sign (0 positive,
//	           0x4000 negative, 0xC000 NaN), int16 display scale, then ndigits
//	           int16 base-10000 digits, most significant first; the value is
//	           sum(digit[i] * 10000^(weight-i)).
const (
	pgEpochDays   = 10957           // days from 1970-01-01 to 2000-01-01
	pgEpochMicros = 946684800000000 // microseconds from 1970 to 2000
	numericNeg    = 0x4000
	numericNaN    = 0xC000
	jsonbVersion  = 1 // the only version of jsonb's binary format
)

// typeForOID maps a parameter type OID from Parse to a type (0 = infer).
func typeForOID(oid uint32) types.T {
	switch oid {
	case types.OIDBool:
		return types.TBool
	case types.OIDInt2:
		return types.TInt2
	case types.OIDInt4:
		return types.TInt4
	case types.OIDInt8:
		return types.TInt8
	case types.OIDFloat4:
		return types.TFloat4
	case types.OIDFloat8:
		return types.TFloat8
	case types.OIDNumeric:
		return types.TNumeric
	case types.OIDText, types.OIDBpchar:
		return types.TText
	case types.OIDVarchar: // kept, so that ParameterDescription answers the type the client gave (pgJDBC's setString)
		return types.T{ID: types.Varchar}
	case types.OIDDate:
		return types.TDate
	case types.OIDTimestamp:
		return types.TTimestamp
	case types.OIDInterval:
		return types.TInterval
	case types.OIDUUID:
		return types.TUUID
	case types.OIDBytea:
		return types.TBytea
	case types.OIDTimestampTZ:
		return types.TTimestampTZ
	case types.OIDTime:
		return types.TTime
	case types.OIDJSON:
		return types.TJSON
	case types.OIDJSONB:
		return types.TJSONB
	}
	if t, ok := arrayTypeForOID(oid); ok {
		return t
	}
	return types.TUnknown
}

// hasBinary reports whether values of t can be sent in binary format.
func hasBinary(t types.T) bool {
	switch t.ID {
	case types.Bool, types.Int2, types.Int4, types.Int8, types.Float4, types.Float8, types.Numeric,
		types.Text, types.Varchar, types.Char, types.Date, types.Timestamp, types.Interval, types.Unknown,
		types.UUID, types.Bytea, types.TimestampTZ, types.Time, types.JSON, types.JSONB:
		return true
	case types.Array:
		return hasBinary(t.ElemType())
	}
	return false
}

// appendBinary appends v (non-NULL) in t's binary format.
func appendBinary(buf []byte, v types.Value, t types.T) []byte {
	switch t.ID {
	case types.Bool:
		if v.Bool() {
			return append(buf, 1)
		}
		return append(buf, 0)
	case types.Int2:
		return binary.BigEndian.AppendUint16(buf, uint16(v.I))
	case types.Int4:
		return binary.BigEndian.AppendUint32(buf, uint32(v.I))
	case types.Int8:
		return binary.BigEndian.AppendUint64(buf, uint64(v.I))
	case types.Float4:
		return binary.BigEndian.AppendUint32(buf, math.Float32bits(float32(v.Float())))
	case types.Float8:
		return binary.BigEndian.AppendUint64(buf, math.Float64bits(v.Float()))
	case types.Numeric:
		return appendNumeric(buf, v.ToDecimal())
	case types.Date:
		return binary.BigEndian.AppendUint32(buf, uint32(int32(v.I-pgEpochDays)))
	case types.Timestamp, types.TimestampTZ:
		return binary.BigEndian.AppendUint64(buf, uint64(v.I-pgEpochMicros))
	case types.Time:
		return binary.BigEndian.AppendUint64(buf, uint64(v.I))
	case types.UUID, types.Bytea:
		return append(buf, v.S...)
	case types.Interval:
		m, d, us := v.IntervalParts()
		buf = binary.BigEndian.AppendUint64(buf, uint64(us))
		buf = binary.BigEndian.AppendUint32(buf, uint32(d))
		return binary.BigEndian.AppendUint32(buf, uint32(m))
	case types.Array:
		return appendArrayBinary(buf, v, t)
	case types.JSONB:
		return append(append(buf, jsonbVersion), v.S...)
	}
	return types.AppendText(buf, v, t)
}

// appendNumeric encodes d in base-10000 digit groups aligned on the decimal point.
func appendNumeric(buf []byte, d *apd.Decimal) []byte {
	if d.Form != apd.Finite {
		return append(buf, 0, 0, 0, 0, 0xC0, 0, 0, 0)
	}
	digits := d.Coeff.String()
	if digits == "0" {
		digits = ""
	}
	exp := int(d.Exponent)
	dscale := max(0, -exp)
	var intPart, frac string
	switch n := len(digits) + exp; {
	case exp >= 0:
		intPart = digits + strings.Repeat("0", exp)
	case n > 0:
		intPart, frac = digits[:n], digits[n:]
	default:
		frac = strings.Repeat("0", -n) + digits
	}
	if len(intPart)%4 != 0 {
		intPart = strings.Repeat("0", 4-len(intPart)%4) + intPart
	}
	if len(frac)%4 != 0 {
		frac += strings.Repeat("0", 4-len(frac)%4)
	}
	all := intPart + frac
	groups := make([]uint16, 0, len(all)/4)
	for i := 0; i < len(all); i += 4 {
		g := 0
		for _, c := range all[i : i+4] {
			g = g*10 + int(c-'0')
		}
		groups = append(groups, uint16(g))
	}
	weight := len(intPart)/4 - 1
	for len(groups) > 0 && groups[0] == 0 {
		groups = groups[1:]
		weight--
	}
	for len(groups) > 0 && groups[len(groups)-1] == 0 {
		groups = groups[:len(groups)-1]
	}
	if len(groups) == 0 {
		weight = 0
	}
	sign := uint16(0)
	if d.Negative && len(groups) > 0 {
		sign = numericNeg
	}
	buf = binary.BigEndian.AppendUint16(buf, uint16(len(groups)))
	buf = binary.BigEndian.AppendUint16(buf, uint16(int16(weight)))
	buf = binary.BigEndian.AppendUint16(buf, sign)
	buf = binary.BigEndian.AppendUint16(buf, uint16(dscale))
	for _, g := range groups {
		buf = binary.BigEndian.AppendUint16(buf, g)
	}
	return buf
}

// decodeParam turns a Bind parameter into a value of type t.
func decodeParam(raw []byte, format int16, t types.T) (types.Value, error) {
	return decodeParamIn(raw, format, t, nil)
}

// decodeParamIn is decodeParam with loc as the session time zone, in which
// a timestamp with time zone in text without an offset is read.
func decodeParamIn(raw []byte, format int16, t types.T, loc *time.Location) (types.Value, error) {
	if raw == nil {
		return types.Null, nil
	}
	if format == 0 {
		return types.CastIn(types.NewText(string(raw)), t, loc)
	}
	bad := func() (types.Value, error) {
		return types.Null, sqlerr.New(sqlerr.InvalidBinaryRepresentatio, "incorrect binary data format in bind parameter of type %s", t)
	}
	be := binary.BigEndian
	switch t.ID {
	case types.Array:
		return decodeArrayBinary(raw, t)
	case types.Bool:
		if len(raw) != 1 {
			return bad()
		}
		return types.NewBool(raw[0] != 0), nil
	case types.Int2:
		if len(raw) != 2 {
			return bad()
		}
		return types.NewInt(int64(int16(be.Uint16(raw)))), nil
	case types.Int4:
		if len(raw) != 4 {
			return bad()
		}
		return types.NewInt(int64(int32(be.Uint32(raw)))), nil
	case types.Int8:
		if len(raw) != 8 {
			return bad()
		}
		return types.NewInt(int64(be.Uint64(raw))), nil
	case types.Float4:
		if len(raw) != 4 {
			return bad()
		}
		return types.NewFloat(float64(math.Float32frombits(be.Uint32(raw)))), nil
	case types.Float8:
		if len(raw) != 8 {
			return bad()
		}
		return types.NewFloat(math.Float64frombits(be.Uint64(raw))), nil
	case types.Date:
		if len(raw) != 4 {
			return bad()
		}
		return types.NewDate(int64(int32(be.Uint32(raw))) + pgEpochDays), nil
	case types.Timestamp:
		if len(raw) != 8 {
			return bad()
		}
		return types.NewTimestamp(int64(be.Uint64(raw)) + pgEpochMicros), nil
	case types.TimestampTZ:
		if len(raw) != 8 {
			return bad()
		}
		return types.NewTimestampTZ(int64(be.Uint64(raw)) + pgEpochMicros), nil
	case types.Time:
		if len(raw) != 8 {
			return bad()
		}
		us := int64(be.Uint64(raw))
		if us < 0 || us > 86400_000_000 {
			return types.Null, sqlerr.New(sqlerr.DatetimeFieldOverflow, "time out of range")
		}
		return types.NewTime(us), nil
	case types.UUID:
		if len(raw) != 16 {
			return bad()
		}
		return types.NewUUID([16]byte(raw)), nil
	case types.Bytea:
		return types.NewBytea(raw), nil
	case types.JSON:
		return types.ParseJSON(string(raw))
	case types.JSONB:
		if len(raw) == 0 || raw[0] != jsonbVersion {
			return types.Null, sqlerr.New(sqlerr.InvalidBinaryRepresentatio, "unsupported jsonb version number %d", append(raw, 0)[0])
		}
		return types.ParseJSONB(string(raw[1:]))
	case types.Interval:
		if len(raw) != 16 {
			return bad()
		}
		return types.NewInterval(int32(be.Uint32(raw[12:])), int32(be.Uint32(raw[8:])), int64(be.Uint64(raw))), nil
	case types.Numeric:
		if len(raw) < 8 {
			return bad()
		}
		n := int(be.Uint16(raw))
		weight := int(int16(be.Uint16(raw[2:])))
		sign := be.Uint16(raw[4:])
		if len(raw) != 8+2*n || sign == numericNaN {
			return bad()
		}
		var sb strings.Builder
		for i := 0; i < n; i++ {
			g := be.Uint16(raw[8+2*i:])
			if g > 9999 {
				return bad()
			}
			fmt.Fprintf(&sb, "%04d", g)
		}
		d, _, err := apd.NewFromString("0" + sb.String())
		if err != nil {
			return bad()
		}
		d.Exponent = int32(4 * (weight + 1 - n))
		if sign == numericNeg {
			d.Negative = true
		}
		// keep the client's display scale: 1.50 stays 1.50
		if _, err := types.DecimalContext.Quantize(d, d, -int32(int16(be.Uint16(raw[6:])))); err != nil {
			return bad()
		}
		return types.NewDecimal(d), nil
	}
	return types.NewText(string(raw)), nil
}
