package types

import (
	"crypto/rand"
	"strconv"
	"strings"

	"rustydb/sqlerr"
)

// UUID and BYTEA values keep their bytes in S: exactly 16 for a uuid, any
// number for a bytea. Both compare bytewise (memcmp, then length), as
// PostgreSQL's uuid_cmp and byteacmp do.

// NewUUID returns a uuid value.
func NewUUID(b [16]byte) Value { return Value{K: KUUID, S: string(b[:])} }

// NewBytea returns a bytea value holding b.
func NewBytea(b []byte) Value { return Value{K: KBytes, S: string(b)} }

// RandomUUID returns a version 4 (random) UUID, as gen_random_uuid() does.
func RandomUUID() Value {
	var b [16]byte
	_, _ = rand.Read(b[:])  // crypto/rand.Read never fails
	b[6] = b[6]&0x0f | 0x40 // version 4
	b[8] = b[8]&0x3f | 0x80 // RFC 4122 variant
	return NewUUID(b)
}

const hexDigits = "0123456789abcdef"

// appendUUID appends the canonical form a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11.
func appendUUID(buf []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			buf = append(buf, '-')
		}
		buf = append(buf, hexDigits[s[i]>>4], hexDigits[s[i]&15])
	}
	return buf
}

// ParseUUID reads uuid input as PostgreSQL's uuid_in does: 32 hex digits in
// either case, optionally in braces, with a hyphen allowed after any group
// of four digits but the last ({a0eebc99-9c0b4ef8-bb6d6bb9-bd380a11}).
func ParseUUID(s string) (Value, error) {
	bad := func() (Value, error) {
		return Null, sqlerr.New(sqlerr.InvalidTextRepresentation, "invalid input syntax for type uuid: \"%s\"", s)
	}
	src := s
	braces := strings.HasPrefix(src, "{")
	if braces {
		src = src[1:]
	}
	var b [16]byte
	for i := range b {
		if len(src) < 2 {
			return bad()
		}
		hi, ok1 := unhex(src[0])
		lo, ok2 := unhex(src[1])
		if !ok1 || !ok2 {
			return bad()
		}
		b[i] = hi<<4 | lo
		src = src[2:]
		if len(src) > 0 && src[0] == '-' && i%2 == 1 && i < len(b)-1 {
			src = src[1:]
		}
	}
	if braces {
		if !strings.HasPrefix(src, "}") {
			return bad()
		}
		src = src[1:]
	}
	if src != "" {
		return bad()
	}
	return NewUUID(b), nil
}

func unhex(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, true
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// appendByteaHex appends bytea's hex output format: \x and two lower-case
// digits per byte (bytea_output = hex, PostgreSQL's default).
func appendByteaHex(buf []byte, s string) []byte {
	buf = append(buf, '\\', 'x')
	return AppendHex(buf, s)
}

// AppendHex appends two lower-case hex digits per byte of s.
func AppendHex(buf []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		buf = append(buf, hexDigits[s[i]>>4], hexDigits[s[i]&15])
	}
	return buf
}

// ParseBytea reads bytea input as PostgreSQL's byteain does: \x followed by
// hex digit pairs (white space allowed between pairs), or the escape format,
// where \\ is a backslash, \ooo an octal byte and every other byte itself.
func ParseBytea(s string) (Value, error) {
	if strings.HasPrefix(s, `\x`) {
		b, err := DecodeHex(s[2:])
		if err != nil {
			return Null, err
		}
		return NewBytea(b), nil
	}
	b, err := DecodeEscape(s)
	if err != nil {
		return Null, err
	}
	return NewBytea(b), nil
}

// DecodeHex decodes hex digit pairs, skipping white space between pairs, as
// PostgreSQL's hex_decode does.
func DecodeHex(s string) ([]byte, error) {
	out := make([]byte, 0, len(s)/2)
	for i := 0; i < len(s); {
		c := s[i]
		if c == ' ' || c == '\t' || c == '\n' || c == '\r' {
			i++
			continue
		}
		hi, ok := unhex(c)
		if !ok {
			return nil, invalidHexDigit(s[i:])
		}
		if i+1 >= len(s) {
			return nil, sqlerr.New(sqlerr.InvalidParameterValue, "invalid hexadecimal data: odd number of digits")
		}
		lo, ok := unhex(s[i+1])
		if !ok {
			return nil, invalidHexDigit(s[i+1:])
		}
		out = append(out, hi<<4|lo)
		i += 2
	}
	return out, nil
}

func invalidHexDigit(rest string) error {
	r := []rune(rest)
	return sqlerr.New(sqlerr.InvalidParameterValue, "invalid hexadecimal digit: \"%s\"", string(r[:1]))
}

// DecodeEscape decodes bytea's escape format (and decode(..., 'escape')).
func DecodeEscape(s string) ([]byte, error) {
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' {
			out = append(out, c)
			continue
		}
		switch {
		case i+1 < len(s) && s[i+1] == '\\':
			out = append(out, '\\')
			i++
		case i+3 < len(s) && isOctal(s[i+1], '3') && isOctal(s[i+2], '7') && isOctal(s[i+3], '7'):
			out = append(out, (s[i+1]-'0')<<6|(s[i+2]-'0')<<3|(s[i+3]-'0'))
			i += 3
		default:
			return nil, sqlerr.New(sqlerr.InvalidTextRepresentation, "invalid input syntax for type bytea")
		}
	}
	return out, nil
}

func isOctal(c, maxDigit byte) bool { return c >= '0' && c <= maxDigit }

// AppendEscape appends encode(..., 'escape') of s: a NUL or a byte with the
// high bit set as \ooo, a backslash doubled, every other byte itself.
func AppendEscape(buf []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == 0 || c >= 0x80:
			buf = append(buf, '\\')
			o := strconv.FormatUint(uint64(c)+0o1000, 8)[1:] // three digits with leading zeros
			buf = append(buf, o...)
		case c == '\\':
			buf = append(buf, '\\', '\\')
		default:
			buf = append(buf, c)
		}
	}
	return buf
}
