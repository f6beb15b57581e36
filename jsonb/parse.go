package jsonb

import (
	"strings"
	"unicode/utf8"

	"github.com/cockroachdb/apd/v3"

	"rustydb/sqlerr"
)

// mode says what a parse builds.
type mode uint8

const (
	validate  mode = iota // check the syntax only, as json input does
	keepText              // a tree of the document as written, with source text (json)
	normalize             // a canonical tree (jsonb input)
	trusted               // a tree of canonical text, taken as it is (stored jsonb)
)

// maxDepth bounds nesting, as PostgreSQL's stack depth limit does, so that
// a hostile document cannot exhaust the parser's stack.
const maxDepth = 10000

// CheckJSON validates s as json input does, keeping nothing.
func CheckJSON(s string) error {
	_, err := parse(s, validate)
	return err
}

// ParseJSON reads json text into a tree whose values keep their source
// text (Value.Raw), object keys in their order, duplicates included.
func ParseJSON(s string) (Value, error) { return parse(s, keepText) }

// Parse reads JSON text into a canonical jsonb tree.
func Parse(s string) (Value, error) { return parse(s, normalize) }

// Decode reads canonical jsonb text, as Value.AppendText writes it,
// without normalizing it again.
func Decode(s string) (Value, error) { return parse(s, trusted) }

func parse(s string, m mode) (Value, error) {
	if m == validate && simdEligible(s) && validSIMD(s) {
		return Value{}, nil
	}
	p := parser{s: s, mode: m}
	v, err := p.value()
	if err != nil {
		return Value{}, err
	}
	p.skipSpace()
	if p.i < len(p.s) {
		return Value{}, p.unexpected("end of input")
	}
	return v, nil
}

type parser struct {
	s     string
	i     int
	mode  mode
	depth int
	// vals and keys stack the items of the containers being read, so that
	// each container gets slices of its exact size at its end
	vals []Value
	keys []string
}

func syntaxError(format string, args ...any) error {
	return sqlerr.New(sqlerr.InvalidTextRepresentation, "invalid input syntax for type json").WithDetail(format, args...)
}

func (p *parser) skipSpace() {
	for p.i < len(p.s) {
		switch p.s[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

// isWordChar is PostgreSQL's JSON_ALPHANUMERIC_CHAR: the characters an
// invalid token is reported with.
func isWordChar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c >= 0x80
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// token returns the token at p.i for an error message and whether it is
// a valid JSON token (one the grammar did not expect here).
func (p *parser) token() (string, bool) {
	s, i := p.s, p.i
	switch c := s[i]; {
	case strings.IndexByte("{}[],:", c) >= 0:
		return s[i : i+1], true
	case c == '"':
		for j := i + 1; j < len(s); j++ {
			switch s[j] {
			case '\\':
				j++
			case '"':
				return s[i : j+1], true
			}
		}
		return s[i:], false
	case c == '-' || isDigit(c):
		end, ok := scanNumber(s, i)
		return s[i:end], ok
	}
	j := i
	for j < len(s) && isWordChar(s[j]) {
		j++
	}
	if j == i {
		_, size := utf8.DecodeRuneInString(s[i:])
		return s[i : i+size], false
	}
	w := s[i:j]
	return w, w == "true" || w == "false" || w == "null"
}

// unexpected reports the token at p.i where the grammar wanted expected.
func (p *parser) unexpected(expected string) error {
	if p.i >= len(p.s) {
		return syntaxError("The input string ended unexpectedly.")
	}
	tok, valid := p.token()
	if !valid {
		return syntaxError("Token \"%s\" is invalid.", tok)
	}
	return syntaxError("Expected %s, but found \"%s\".", expected, tok)
}

// IsNumber reports whether s is exactly a JSON number.
func IsNumber(s string) bool {
	end, ok := scanNumber(s, 0)
	return ok && end == len(s)
}

// scanNumber returns the end of the number token at i and whether it is a
// valid JSON number: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?, not
// followed by a word character (1x is one invalid token, as in PostgreSQL).
func scanNumber(s string, i int) (int, bool) {
	ok := true
	if i < len(s) && s[i] == '-' {
		i++
	}
	switch {
	case i < len(s) && s[i] == '0':
		i++
	case i < len(s) && isDigit(s[i]):
		for i < len(s) && isDigit(s[i]) {
			i++
		}
	default:
		ok = false
	}
	if ok && i < len(s) && s[i] == '.' {
		i++
		if i >= len(s) || !isDigit(s[i]) {
			ok = false
		}
		for i < len(s) && isDigit(s[i]) {
			i++
		}
	}
	if ok && i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		if i >= len(s) || !isDigit(s[i]) {
			ok = false
		}
		for i < len(s) && isDigit(s[i]) {
			i++
		}
	}
	if i < len(s) && isWordChar(s[i]) || !ok {
		for i < len(s) && (isWordChar(s[i]) || s[i] == '.' || s[i] == '+' || s[i] == '-') {
			i++
		}
		return i, false
	}
	return i, true
}

func (p *parser) value() (Value, error) {
	p.skipSpace()
	if p.i >= len(p.s) {
		return Value{}, syntaxError("The input string ended unexpectedly.")
	}
	start := p.i
	var v Value
	var err error
	switch c := p.s[p.i]; {
	case c == '{':
		v, err = p.object()
	case c == '[':
		v, err = p.array()
	case c == '"':
		v.Kind = String
		v.Str, err = p.str()
	case c == '-' || isDigit(c):
		end, ok := scanNumber(p.s, p.i)
		if !ok {
			return Value{}, syntaxError("Token \"%s\" is invalid.", p.s[p.i:end])
		}
		v.Kind, v.Str = Number, p.s[p.i:end]
		p.i = end
		if p.mode == normalize {
			v.Str, err = canonicalNumber(v.Str)
		}
	default:
		tok, valid := p.token()
		switch {
		case tok == "true", tok == "false":
			v.Kind, v.True = Bool, tok == "true"
		case tok == "null":
		case valid:
			return Value{}, syntaxError("Expected JSON value, but found \"%s\".", tok)
		default:
			return Value{}, syntaxError("Token \"%s\" is invalid.", tok)
		}
		p.i += len(tok)
	}
	if err != nil {
		return Value{}, err
	}
	if p.mode == keepText {
		v.Raw = p.s[start:p.i]
	}
	return v, nil
}

func (p *parser) enter() error {
	p.depth++
	if p.depth > maxDepth {
		return sqlerr.New("54001", "stack depth limit exceeded").
			WithHint("JSON documents may nest at most %d levels.", maxDepth)
	}
	p.i++
	return nil
}

func (p *parser) object() (Value, error) {
	if err := p.enter(); err != nil {
		return Value{}, err
	}
	v := Value{Kind: Object}
	p.skipSpace()
	if p.i < len(p.s) && p.s[p.i] == '}' {
		p.i++
		p.depth--
		return v, nil
	}
	mark, kmark := len(p.vals), len(p.keys)
	for first := true; ; first = false {
		p.skipSpace()
		if p.i >= len(p.s) || p.s[p.i] != '"' {
			if first {
				return Value{}, p.unexpected(`string or "}"`)
			}
			return Value{}, p.unexpected("string")
		}
		k, err := p.str()
		if err != nil {
			return Value{}, err
		}
		p.skipSpace()
		if p.i >= len(p.s) || p.s[p.i] != ':' {
			return Value{}, p.unexpected(`":"`)
		}
		p.i++
		e, err := p.value()
		if err != nil {
			return Value{}, err
		}
		if p.mode != validate {
			p.keys = append(p.keys, k)
			p.vals = append(p.vals, e)
		}
		p.skipSpace()
		if p.i < len(p.s) && p.s[p.i] == ',' {
			p.i++
			continue
		}
		if p.i < len(p.s) && p.s[p.i] == '}' {
			p.i++
			break
		}
		return Value{}, p.unexpected(`"," or "}"`)
	}
	p.depth--
	if p.mode != validate {
		v.Keys = append([]string(nil), p.keys[kmark:]...)
		v.Vals = append([]Value(nil), p.vals[mark:]...)
		p.keys, p.vals = p.keys[:kmark], p.vals[:mark]
	}
	if p.mode == normalize {
		v.Keys, v.Vals = normalizeObject(v.Keys, v.Vals)
	}
	return v, nil
}

func (p *parser) array() (Value, error) {
	if err := p.enter(); err != nil {
		return Value{}, err
	}
	v := Value{Kind: Array}
	p.skipSpace()
	if p.i < len(p.s) && p.s[p.i] == ']' {
		p.i++
		p.depth--
		return v, nil
	}
	if p.i < len(p.s) && strings.IndexByte("}:,", p.s[p.i]) >= 0 {
		return Value{}, p.unexpected(`array element or "]"`)
	}
	mark := len(p.vals)
	for {
		e, err := p.value()
		if err != nil {
			return Value{}, err
		}
		if p.mode != validate {
			p.vals = append(p.vals, e)
		}
		p.skipSpace()
		if p.i < len(p.s) && p.s[p.i] == ',' {
			p.i++
			continue
		}
		if p.i < len(p.s) && p.s[p.i] == ']' {
			p.i++
			break
		}
		return Value{}, p.unexpected(`"," or "]"`)
	}
	p.depth--
	if p.mode != validate {
		v.Elems = append([]Value(nil), p.vals[mark:]...)
		p.vals = p.vals[:mark]
	}
	return v, nil
}

// str reads the string literal at p.i and returns its decoded text (none
// when only validating). Validation checks escapes as json input does;
// decoding also rejects what text cannot hold (\u0000, unpaired
// surrogates), as jsonb input and json's text-returning operators do.
func (p *parser) str() (string, error) {
	p.i++
	start := p.i
	decode := p.mode != validate
	var b []byte  // the decoded text once an escape is met
	var high rune // a high surrogate waiting for its low half
	for {
		if p.i >= len(p.s) {
			return "", syntaxError("Token \"%s\" is invalid.", p.s[start-1:])
		}
		c := p.s[p.i]
		switch {
		case c == '"':
			if high != 0 {
				return "", syntaxError("Unicode low surrogate must follow a high surrogate.")
			}
			p.i++
			if b == nil {
				return p.s[start : p.i-1], nil
			}
			return string(b), nil
		case c < 0x20:
			return "", syntaxError("Character with value 0x%02x must be escaped.", c)
		case c != '\\':
			if high != 0 {
				return "", syntaxError("Unicode low surrogate must follow a high surrogate.")
			}
			if b != nil {
				b = append(b, c)
			}
			p.i++
			continue
		}
		if decode && b == nil {
			b = append(make([]byte, 0, len(p.s)-start), p.s[start:p.i]...)
		}
		if p.i+1 >= len(p.s) {
			return "", syntaxError("The input string ended unexpectedly.")
		}
		e := p.s[p.i+1]
		if e != 'u' && high != 0 {
			return "", syntaxError("Unicode low surrogate must follow a high surrogate.")
		}
		var out byte
		switch e {
		case '"', '\\', '/':
			out = e
		case 'b':
			out = '\b'
		case 'f':
			out = '\f'
		case 'n':
			out = '\n'
		case 'r':
			out = '\r'
		case 't':
			out = '\t'
		case 'u':
			r, ok := hex4(p.s, p.i+2)
			if !ok {
				return "", syntaxError("\"\\u\" must be followed by four hexadecimal digits.")
			}
			p.i += 6
			if !decode {
				continue
			}
			switch {
			case r >= 0xD800 && r <= 0xDBFF:
				if high != 0 {
					return "", syntaxError("Unicode high surrogate must not follow a high surrogate.")
				}
				high = r
				continue
			case r >= 0xDC00 && r <= 0xDFFF:
				if high == 0 {
					return "", syntaxError("Unicode low surrogate must follow a high surrogate.")
				}
				r = 0x10000 + (high-0xD800)<<10 + (r - 0xDC00)
				high = 0
			case high != 0:
				return "", syntaxError("Unicode low surrogate must follow a high surrogate.")
			case r == 0:
				return "", sqlerr.New("22P05", "unsupported Unicode escape sequence").
					WithDetail("\\u0000 cannot be converted to text.")
			}
			b = utf8.AppendRune(b, r)
			continue
		default:
			_, size := utf8.DecodeRuneInString(p.s[p.i+1:])
			return "", syntaxError("Escape sequence \"\\%s\" is invalid.", p.s[p.i+1:p.i+1+size])
		}
		if decode {
			b = append(b, out)
		}
		p.i += 2
	}
}

// hex4 reads four hex digits at s[i:].
func hex4(s string, i int) (rune, bool) {
	if i+4 > len(s) {
		return 0, false
	}
	var r rune
	for _, c := range []byte(s[i : i+4]) {
		switch {
		case c >= '0' && c <= '9':
			r = r<<4 | rune(c-'0')
		case c >= 'a' && c <= 'f':
			r = r<<4 | rune(c-'a'+10)
		case c >= 'A' && c <= 'F':
			r = r<<4 | rune(c-'A'+10)
		default:
			return 0, false
		}
	}
	return r, true
}

// canonicalNumber returns numeric's output form of a valid JSON number's
// text. A plain integer is already in that form; the rest go through a
// decimal, which keeps the scale (1.50; 1.0e1 is 10). A number beyond
// numeric's range is 22003, as in PostgreSQL.
func canonicalNumber(s string) (string, error) {
	if isPlainInt(s) {
		return s, nil
	}
	d, _, err := apd.NewFromString(s)
	if err != nil || int64(d.Exponent)+int64(d.NumDigits()) > 131072 || d.Exponent < -16383 {
		return "", sqlerr.New(sqlerr.NumericValueOutOfRange, "value overflows numeric format")
	}
	if d.IsZero() {
		d.Negative = false // numeric has no negative zero
	}
	return d.Text('f'), nil
}

// isPlainInt reports whether s is an integer in numeric's output form:
// digits without a leading zero, an optional minus, not -0.
func isPlainInt(s string) bool {
	digits := strings.TrimPrefix(s, "-")
	if digits == "" || digits[0] == '0' && (len(digits) > 1 || len(s) > 1) {
		return false
	}
	for i := 0; i < len(digits); i++ {
		if !isDigit(digits[i]) {
			return false
		}
	}
	return true
}
