package row

import (
	"encoding/binary"
	"errors"
	"math"

	"github.com/cockroachdb/apd/v3"

	"rustydb/types"
)

// Value kinds in the row encoding. Part of the on-disk format.
const (
	encNull      = 0
	encFalse     = 1
	encTrue      = 2
	encInt       = 3 // zig-zag varint
	encFloat     = 4 // 8 bytes, IEEE 754 bits little-endian
	encDecimal   = 5 // uvarint length + decimal text ("-12.340")
	encText      = 6 // uvarint length + UTF-8 bytes
	encDate      = 7 // zig-zag varint days since 1970-01-01
	encTimestamp = 8 // zig-zag varint microseconds since 1970-01-01
	encInterval  = 9 // zig-zag varints: microseconds, days, months
	// encExternal, in heap tuples only: a text, bytea, numeric, json or
	// jsonb value stored in overflow pages: uvarint length, u32 first
	// overflow block, the value's own kind byte (encText, encBytea,
	// encDecimal, encJSON or encJSONB).
	encExternal = 10
	// encDecimalInt: a finite numeric whose coefficient fits in an int64:
	// zig-zag varint exponent, zig-zag varint signed coefficient. Faster to
	// decode than the text form, which stays for the rest.
	encDecimalInt = 11
	// encArray: uvarint element type ID, uvarint length + the array's
	// canonical text form.
	encArray = 12

	encUUID        = 13 // the 16 bytes
	encBytea       = 14 // uvarint length + bytes
	encTimestampTZ = 15 // zig-zag varint microseconds since 1970-01-01 00:00:00 UTC
	encTime        = 16 // zig-zag varint microseconds since midnight
	encJSON        = 17 // uvarint length + the json text as input
	// encJSONB: uvarint length + the canonical jsonb text (package jsonb:
	// keys sorted shorter first then bytewise, unique; numbers in numeric's
	// output form; ", " and ": " separators), which is also its output.
	encJSONB = 18
)

var errCorrupt = errors.New("corrupt row encoding")

// AppendRow appends the encoding of vals: uvarint column count, then each value.
func AppendRow(buf []byte, vals []types.Value) []byte {
	buf = binary.AppendUvarint(buf, uint64(len(vals)))
	for _, v := range vals {
		buf = appendValue(buf, v)
	}
	return buf
}

// appendValue appends one value: its kind byte and payload.
func appendValue(buf []byte, v types.Value) []byte {
	switch v.K {
	case types.KNull:
		buf = append(buf, encNull)
	case types.KBool:
		if v.I != 0 {
			buf = append(buf, encTrue)
		} else {
			buf = append(buf, encFalse)
		}
	case types.KInt:
		buf = binary.AppendVarint(append(buf, encInt), v.I)
	case types.KFloat:
		buf = binary.LittleEndian.AppendUint64(append(buf, encFloat), math.Float64bits(v.F))
	case types.KDecimal:
		if v.D.Form == apd.Finite && v.D.Coeff.IsInt64() && !(v.D.Negative && v.D.Coeff.Sign() == 0) {
			c := v.D.Coeff.Int64()
			if v.D.Negative {
				c = -c
			}
			buf = binary.AppendVarint(append(buf, encDecimalInt), int64(v.D.Exponent))
			return binary.AppendVarint(buf, c)
		}
		s := v.D.Text('f')
		buf = binary.AppendUvarint(append(buf, encDecimal), uint64(len(s)))
		buf = append(buf, s...)
	case types.KText:
		buf = binary.AppendUvarint(append(buf, encText), uint64(len(v.S)))
		buf = append(buf, v.S...)
	case types.KDate:
		buf = binary.AppendVarint(append(buf, encDate), v.I)
	case types.KTimestamp:
		buf = binary.AppendVarint(append(buf, encTimestamp), v.I)
	case types.KUUID:
		buf = append(append(buf, encUUID), v.S...)
	case types.KBytes:
		buf = binary.AppendUvarint(append(buf, encBytea), uint64(len(v.S)))
		buf = append(buf, v.S...)
	case types.KJSON:
		buf = binary.AppendUvarint(append(buf, encJSON), uint64(len(v.S)))
		buf = append(buf, v.S...)
	case types.KJSONB:
		buf = binary.AppendUvarint(append(buf, encJSONB), uint64(len(v.S)))
		buf = append(buf, v.S...)
	case types.KTimestampTZ:
		buf = binary.AppendVarint(append(buf, encTimestampTZ), v.I)
	case types.KTime:
		buf = binary.AppendVarint(append(buf, encTime), v.I)
	case types.KInterval:
		m, d, us := v.IntervalParts()
		buf = binary.AppendVarint(append(buf, encInterval), us)
		buf = binary.AppendVarint(buf, int64(d))
		buf = binary.AppendVarint(buf, int64(m))
	case types.KArray:
		buf = binary.AppendUvarint(append(buf, encArray), uint64(v.I))
		buf = binary.AppendUvarint(buf, uint64(len(v.S)))
		buf = append(buf, v.S...)
	}
	return buf
}

// DecodeRow decodes one row from buf and returns the rest.
func DecodeRow(buf []byte) ([]types.Value, []byte, error) {
	return decodeRow(buf, nil)
}

// decodeRow decodes a row whose out-of-line values (in heap tuples) fetch
// reads; nil refuses them.
func decodeRow(buf []byte, fetch func(first uint32, n int) ([]byte, error)) ([]types.Value, []byte, error) {
	return decodeColumns(buf, fetch, nil)
}

// decodeColumns is decodeRow of the columns want marks (nil: all); the
// others are left NULL and skipped without being decoded.
func decodeColumns(buf []byte, fetch func(first uint32, n int) ([]byte, error), want []bool) ([]types.Value, []byte, error) {
	return decodeColumnsNoting(buf, fetch, want, nil, nil)
}

// decodeColumnsNoting is decodeColumns that also tells note, when not nil,
// the first overflow block of each long value, decoded or not, and decodes
// into into's memory when it has room.
func decodeColumnsNoting(buf []byte, fetch func(first uint32, n int) ([]byte, error), want []bool,
	note func(first uint32), into []types.Value) ([]types.Value, []byte, error) {
	n, k := binary.Uvarint(buf)
	if k <= 0 || n > uint64(len(buf)) {
		return nil, nil, errCorrupt
	}
	buf = buf[k:]
	var vals []types.Value
	if uint64(cap(into)) >= n {
		vals = into[:n]
		clear(vals)
	} else {
		vals = make([]types.Value, n)
	}
	for i := range vals {
		if len(buf) == 0 {
			return nil, nil, errCorrupt
		}
		kind := buf[0]
		buf = buf[1:]
		skip := want != nil && (i >= len(want) || !want[i])
		if kind == encExternal {
			l, k := binary.Uvarint(buf)
			if k <= 0 || len(buf) < k+5 || fetch == nil {
				return nil, nil, errCorrupt
			}
			first, inner := binary.LittleEndian.Uint32(buf[k:]), buf[k+4]
			buf = buf[k+5:]
			if note != nil {
				note(first)
			}
			if skip {
				continue
			}
			data, err := fetch(first, int(l))
			if err != nil {
				return nil, nil, err
			}
			if vals[i], err = bytesValue(inner, string(data)); err != nil {
				return nil, nil, err
			}
			continue
		}
		var err error
		if skip {
			buf, err = skipValue(kind, buf)
		} else {
			vals[i], buf, err = decodeValue(kind, buf)
		}
		if err != nil {
			return nil, nil, err
		}
	}
	return vals, buf, nil
}

// externalFirsts returns the first overflow block of each long value of
// an encoded row, skipping the other values without decoding them.
func externalFirsts(buf []byte) ([]uint32, error) {
	n, k := binary.Uvarint(buf)
	if k <= 0 || n > uint64(len(buf)) {
		return nil, errCorrupt
	}
	buf = buf[k:]
	var firsts []uint32
	for range n {
		if len(buf) == 0 {
			return firsts, errCorrupt
		}
		kind := buf[0]
		buf = buf[1:]
		if kind != encExternal {
			var err error
			if buf, err = skipValue(kind, buf); err != nil {
				return firsts, err
			}
			continue
		}
		_, k := binary.Uvarint(buf)
		if k <= 0 || len(buf) < k+5 {
			return firsts, errCorrupt
		}
		firsts = append(firsts, binary.LittleEndian.Uint32(buf[k:]))
		buf = buf[k+5:]
	}
	return firsts, nil
}

// skipValue returns buf after the payload of a value of the given kind
// without making the value.
func skipValue(kind byte, buf []byte) ([]byte, error) {
	switch kind {
	case encDecimal, encText, encBytea, encJSON, encJSONB:
		l, k := binary.Uvarint(buf)
		if k <= 0 || uint64(len(buf)-k) < l {
			return nil, errCorrupt
		}
		return buf[k+int(l):], nil
	case encUUID:
		if len(buf) < 16 {
			return nil, errCorrupt
		}
		return buf[16:], nil
	case encDecimalInt: // two varints, without making the decimal
		e, k := binary.Varint(buf)
		if k <= 0 || e < math.MinInt32 || e > math.MaxInt32 {
			return nil, errCorrupt
		}
		if _, k2 := binary.Varint(buf[k:]); k2 > 0 {
			return buf[k+k2:], nil
		}
		return nil, errCorrupt
	case encArray:
		_, k := binary.Uvarint(buf)
		if k <= 0 {
			return nil, errCorrupt
		}
		l, k2 := binary.Uvarint(buf[k:])
		if k2 <= 0 || uint64(len(buf)-k-k2) < l {
			return nil, errCorrupt
		}
		return buf[k+k2+int(l):], nil
	}
	_, rest, err := decodeValue(kind, buf) // the other kinds decode without allocating
	return rest, err
}

// decodeValue decodes the payload of a value of the given kind.
func decodeValue(kind byte, buf []byte) (types.Value, []byte, error) {
	switch kind {
	case encNull:
		return types.Null, buf, nil
	case encFalse, encTrue:
		return types.NewBool(kind == encTrue), buf, nil
	case encInt, encDate, encTimestamp, encTimestampTZ, encTime:
		x, k := binary.Varint(buf)
		if k <= 0 {
			return types.Null, nil, errCorrupt
		}
		kd := types.KInt
		switch kind {
		case encDate:
			kd = types.KDate
		case encTimestamp:
			kd = types.KTimestamp
		case encTimestampTZ:
			kd = types.KTimestampTZ
		case encTime:
			kd = types.KTime
		}
		return types.Value{K: kd, I: x}, buf[k:], nil
	case encUUID:
		if len(buf) < 16 {
			return types.Null, nil, errCorrupt
		}
		return types.Value{K: types.KUUID, S: string(buf[:16])}, buf[16:], nil
	case encFloat:
		if len(buf) < 8 {
			return types.Null, nil, errCorrupt
		}
		return types.NewFloat(math.Float64frombits(binary.LittleEndian.Uint64(buf))), buf[8:], nil
	case encArray:
		elem, k := binary.Uvarint(buf)
		if k <= 0 {
			return types.Null, nil, errCorrupt
		}
		l, k2 := binary.Uvarint(buf[k:])
		if k2 <= 0 || uint64(len(buf)-k-k2) < l {
			return types.Null, nil, errCorrupt
		}
		end := k + k2 + int(l)
		return types.Value{K: types.KArray, I: int64(elem), S: string(buf[k+k2 : end])}, buf[end:], nil
	case encDecimalInt:
		e, k := binary.Varint(buf)
		if k <= 0 || e < math.MinInt32 || e > math.MaxInt32 {
			return types.Null, nil, errCorrupt
		}
		c, k2 := binary.Varint(buf[k:])
		if k2 <= 0 {
			return types.Null, nil, errCorrupt
		}
		return types.NewDecimal(apd.New(c, int32(e))), buf[k+k2:], nil
	case encDecimal, encText, encBytea, encJSON, encJSONB:
		l, k := binary.Uvarint(buf)
		if k <= 0 || uint64(len(buf)-k) < l {
			return types.Null, nil, errCorrupt
		}
		v, err := bytesValue(kind, string(buf[k:k+int(l)]))
		return v, buf[k+int(l):], err
	case encInterval:
		var parts [3]int64
		for j := range parts {
			x, k := binary.Varint(buf)
			if k <= 0 {
				return types.Null, nil, errCorrupt
			}
			parts[j], buf = x, buf[k:]
		}
		return types.NewInterval(int32(parts[2]), int32(parts[1]), parts[0]), buf, nil
	}
	return types.Null, nil, errCorrupt
}

// bytesValue makes a text, bytea, numeric, json or jsonb value from its
// encoded bytes.
func bytesValue(kind byte, s string) (types.Value, error) {
	switch kind {
	case encText:
		return types.NewText(s), nil
	case encBytea:
		return types.Value{K: types.KBytes, S: s}, nil
	case encJSON:
		return types.Value{K: types.KJSON, S: s}, nil
	case encJSONB:
		return types.Value{K: types.KJSONB, S: s}, nil
	}
	d, _, err := apd.NewFromString(s)
	if err != nil || kind != encDecimal {
		return types.Null, errCorrupt
	}
	return types.NewDecimal(d), nil
}
