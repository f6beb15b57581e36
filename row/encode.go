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
)

var errCorrupt = errors.New("corrupt row encoding")

// AppendRow appends the encoding of vals: uvarint column count, then each value.
func AppendRow(buf []byte, vals []types.Value) []byte {
	buf = binary.AppendUvarint(buf, uint64(len(vals)))
	for _, v := range vals {
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
		case types.KInterval:
			m, d, us := v.IntervalParts()
			buf = binary.AppendVarint(append(buf, encInterval), us)
			buf = binary.AppendVarint(buf, int64(d))
			buf = binary.AppendVarint(buf, int64(m))
		}
	}
	return buf
}

// DecodeRow decodes one row from buf and returns the rest.
func DecodeRow(buf []byte) ([]types.Value, []byte, error) {
	n, k := binary.Uvarint(buf)
	if k <= 0 || n > uint64(len(buf)) {
		return nil, nil, errCorrupt
	}
	buf = buf[k:]
	vals := make([]types.Value, n)
	for i := range vals {
		if len(buf) == 0 {
			return nil, nil, errCorrupt
		}
		kind := buf[0]
		buf = buf[1:]
		switch kind {
		case encNull:
		case encFalse, encTrue:
			vals[i] = types.NewBool(kind == encTrue)
		case encInt, encDate, encTimestamp:
			x, k := binary.Varint(buf)
			if k <= 0 {
				return nil, nil, errCorrupt
			}
			buf = buf[k:]
			kd := types.KInt
			if kind == encDate {
				kd = types.KDate
			} else if kind == encTimestamp {
				kd = types.KTimestamp
			}
			vals[i] = types.Value{K: kd, I: x}
		case encFloat:
			if len(buf) < 8 {
				return nil, nil, errCorrupt
			}
			vals[i] = types.NewFloat(math.Float64frombits(binary.LittleEndian.Uint64(buf)))
			buf = buf[8:]
		case encDecimal, encText:
			l, k := binary.Uvarint(buf)
			if k <= 0 || uint64(len(buf)-k) < l {
				return nil, nil, errCorrupt
			}
			s := string(buf[k : k+int(l)])
			buf = buf[k+int(l):]
			if kind == encText {
				vals[i] = types.NewText(s)
				break
			}
			d, _, err := apd.NewFromString(s)
			if err != nil {
				return nil, nil, errCorrupt
			}
			vals[i] = types.NewDecimal(d)
		case encInterval:
			var parts [3]int64
			for j := range parts {
				x, k := binary.Varint(buf)
				if k <= 0 {
					return nil, nil, errCorrupt
				}
				parts[j], buf = x, buf[k:]
			}
			vals[i] = types.NewInterval(int32(parts[2]), int32(parts[1]), parts[0])
		default:
			return nil, nil, errCorrupt
		}
	}
	return vals, buf, nil
}
