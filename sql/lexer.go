package sql

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"rustydb/sqlerr"
)

type tokKind uint8

const (
	tEOF    tokKind = iota
	tIdent          // unquoted identifiers and keywords, lower-cased
	tQIdent         // "quoted identifier", case kept
	tInt            // 123
	tNum            // 1.5, 1e3
	tString         // 'text'
	tOp             // operators and punctuation
	tParam          // $1
	tHint           // /*+ ... */ body
)

type token struct {
	kind tokKind
	text string // identifier (lower-cased), literal body or operator
	pos  int    // 0-based byte offset in the input
	end  int    // byte offset just past the token's source text
}

// lexer splits SQL text into tokens. PostgreSQL's rules: identifiers fold to
// lower case, ” escapes a quote inside a string, "" inside a quoted identifier,
// comments are -- to end of line and nested /* */.
type lexer struct {
	src  string
	pos  int
	toks []token
}

func lex(src string) ([]token, error) {
	if !utf8.ValidString(src) {
		return nil, checkUTF8(src)
	}
	l := &lexer{src: src, toks: make([]token, 0, len(src)/5+4)}
	for {
		t, err := l.next()
		if err != nil {
			return nil, err
		}
		t.end = l.pos
		l.toks = append(l.toks, t)
		if t.kind == tEOF {
			return l.toks, nil
		}
	}
}

func (l *lexer) errorf(pos int, format string, args ...any) error {
	return sqlerr.New(sqlerr.SyntaxError, format, args...).WithPosition(charPos(l.src, pos))
}

// charPos turns a byte offset into PostgreSQL's 1-based character position.
func charPos(src string, byteOff int) int {
	if byteOff > len(src) {
		byteOff = len(src)
	}
	return utf8.RuneCountInString(src[:byteOff]) + 1
}

func (l *lexer) next() (token, error) {
	if err := l.skipSpaceAndComments(); err != nil {
		return token{}, err
	}
	if l.pos >= len(l.src) {
		return token{kind: tEOF, pos: l.pos}, nil
	}
	start := l.pos
	c := l.src[l.pos]
	switch {
	case c == '/' && strings.HasPrefix(l.src[l.pos:], "/*+"): // a hint; skipSpaceAndComments let it through
		end, err := l.commentEnd(start)
		if err != nil {
			return token{}, err
		}
		l.pos = end
		return token{kind: tHint, text: l.src[start+3 : end-2], pos: start}, nil
	case isIdentStart(c):
		l.pos = identEnd(l.src, start)
		word := l.src[start:l.pos]
		if (word == "E" || word == "e") && l.pos < len(l.src) && l.src[l.pos] == '\'' {
			l.pos = start // scanString skips the E itself
			s, err := l.scanString(true)
			return token{kind: tString, text: s, pos: start}, err
		}
		return token{kind: tIdent, text: lower(word), pos: start}, nil
	case c >= 0x80:
		if r, size := utf8.DecodeRuneInString(l.src[l.pos:]); r == utf8.RuneError && size <= 1 {
			return token{}, sqlerr.New(sqlerr.CharacterNotInRepertoire, "invalid byte sequence for encoding \"UTF8\": 0x%02x", c)
		}
		l.pos = identEnd(l.src, start)
		return token{kind: tIdent, text: strings.ToLower(l.src[start:l.pos]), pos: start}, nil
	case c >= '0' && c <= '9' || (c == '.' && l.pos+1 < len(l.src) && isDigit(l.src[l.pos+1])):
		return l.scanNumber()
	case c == '\'':
		s, err := l.scanString(false)
		return token{kind: tString, text: s, pos: start}, err
	case c == '"':
		l.pos++
		var b strings.Builder
		for {
			if l.pos >= len(l.src) {
				return token{}, l.errorf(start, "unterminated quoted identifier at or near \"%s\"", l.src[start:])
			}
			if l.src[l.pos] == '"' {
				if l.pos+1 < len(l.src) && l.src[l.pos+1] == '"' {
					b.WriteByte('"')
					l.pos += 2
					continue
				}
				l.pos++
				break
			}
			b.WriteByte(l.src[l.pos])
			l.pos++
		}
		if b.Len() == 0 {
			return token{}, l.errorf(start, "zero-length delimited identifier at or near \"%s\"", l.src[start:l.pos])
		}
		return token{kind: tQIdent, text: b.String(), pos: start}, nil
	case c == '$' && l.pos+1 < len(l.src) && isDigit(l.src[l.pos+1]):
		l.pos++
		for l.pos < len(l.src) && isDigit(l.src[l.pos]) {
			l.pos++
		}
		return token{kind: tParam, text: l.src[start+1 : l.pos], pos: start}, nil
	}
	// longest first where one is a prefix of another (->> before ->)
	for _, op := range []string{"!~*", "!~", "~*", "::", "<=", ">=", "<>", "!=", "||",
		"->>", "->", "#>>", "#>", "#-", "@>", "<@", "?|", "?&", "<<", ">>"} {
		if strings.HasPrefix(l.src[l.pos:], op) {
			l.pos += len(op)
			return token{kind: tOp, text: op, pos: start}, nil
		}
	}
	if strings.ContainsRune("+-*/%^=<>(),;.[]:~?&|#", rune(c)) {
		l.pos++
		return token{kind: tOp, text: string(c), pos: start}, nil
	}
	return token{}, l.errorf(start, "syntax error at or near \"%s\"", string(c))
}

func (l *lexer) skipSpaceAndComments() error {
	for l.pos < len(l.src) {
		c := l.src[l.pos]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f':
			l.pos++
		case c == '-' && l.pos+1 < len(l.src) && l.src[l.pos+1] == '-':
			for l.pos < len(l.src) && l.src[l.pos] != '\n' {
				l.pos++
			}
		case c == '/' && l.pos+1 < len(l.src) && l.src[l.pos+1] == '*' && !(strings.HasPrefix(l.src[l.pos:], "/*+") && l.hintAllowed()):
			end, err := l.commentEnd(l.pos)
			if err != nil {
				return err
			}
			l.pos = end
		default:
			return nil
		}
	}
	return nil
}

// commentEnd returns the offset just past the (nested) /* */ comment at start.
func (l *lexer) commentEnd(start int) (int, error) {
	pos, depth := start, 0
	for {
		if pos+1 >= len(l.src) {
			return 0, l.errorf(start, "unterminated /* comment at or near \"%s\"", l.src[start:])
		}
		switch l.src[pos : pos+2] {
		case "/*":
			depth++
			pos += 2
		case "*/":
			depth--
			pos += 2
		default:
			pos++
		}
		if depth == 0 {
			return pos, nil
		}
	}
}

// hintAllowed reports whether a /*+ ... */ comment here is an optimizer hint:
// right after the first keyword of a SELECT, INSERT, UPDATE or DELETE, or after
// another hint. Anywhere else it is an ordinary comment, as in PostgreSQL.
func (l *lexer) hintAllowed() bool {
	if len(l.toks) == 0 {
		return false
	}
	switch t := l.toks[len(l.toks)-1]; t.kind {
	case tHint:
		return true
	case tIdent:
		return t.text == "select" || t.text == "insert" || t.text == "update" || t.text == "delete"
	}
	return false
}

// identEnd returns the end of the identifier starting at start: ASCII letters,
// digits, _ and $, and any non-ASCII character (PostgreSQL's ident_cont takes
// every byte above 0x7F).
func identEnd(src string, start int) int {
	pos := start
	for pos < len(src) {
		if c := src[pos]; c < utf8.RuneSelf {
			if !isIdentChar(c) {
				break
			}
			pos++
			continue
		}
		r, size := utf8.DecodeRuneInString(src[pos:])
		if r == utf8.RuneError && size <= 1 {
			break
		}
		pos += size
	}
	return pos
}

func (l *lexer) scanNumber() (token, error) {
	start := l.pos
	kind := tInt
	for l.pos < len(l.src) && isDigit(l.src[l.pos]) {
		l.pos++
	}
	if l.pos < len(l.src) && l.src[l.pos] == '.' && !(l.pos+1 < len(l.src) && l.src[l.pos+1] == '.') {
		kind = tNum
		l.pos++
		for l.pos < len(l.src) && isDigit(l.src[l.pos]) {
			l.pos++
		}
	}
	if l.pos < len(l.src) && (l.src[l.pos] == 'e' || l.src[l.pos] == 'E') {
		p := l.pos + 1
		if p < len(l.src) && (l.src[p] == '+' || l.src[p] == '-') {
			p++
		}
		if p < len(l.src) && isDigit(l.src[p]) {
			kind = tNum
			l.pos = p
			for l.pos < len(l.src) && isDigit(l.src[l.pos]) {
				l.pos++
			}
		}
	}
	if l.pos < len(l.src) && (isIdentStart(l.src[l.pos]) || l.src[l.pos] >= utf8.RuneSelf) {
		return token{}, l.errorf(start, "trailing junk after numeric literal at or near \"%s\"", l.src[start:identEnd(l.src, l.pos)])
	}
	return token{kind: kind, text: l.src[start:l.pos], pos: start}, nil
}

// scanString reads a '...' literal; escapes enables E” backslash escapes.
func (l *lexer) scanString(escapes bool) (string, error) {
	start := l.pos
	if escapes {
		l.pos++ // the E
	}
	l.pos++ // opening quote
	var b strings.Builder
	byteEscapes := false // octal/hex escapes can produce invalid UTF-8
	for {
		if l.pos >= len(l.src) {
			return "", l.errorf(start, "unterminated quoted string at or near \"%s\"", l.src[start:])
		}
		c := l.src[l.pos]
		switch {
		case c == '\'':
			if l.pos+1 < len(l.src) && l.src[l.pos+1] == '\'' {
				b.WriteByte('\'')
				l.pos += 2
				continue
			}
			l.pos++
			str := b.String()
			if byteEscapes {
				if err := checkUTF8(str); err != nil {
					return "", err
				}
			}
			return str, nil
		case c == '\\' && escapes && l.pos+1 < len(l.src):
			esc := l.pos
			l.pos++
			switch e := l.src[l.pos]; e {
			case 'n':
				b.WriteByte('\n')
			case 't':
				b.WriteByte('\t')
			case 'r':
				b.WriteByte('\r')
			case 'b':
				b.WriteByte('\b')
			case 'f':
				b.WriteByte('\f')
			case '0', '1', '2', '3', '4', '5', '6', '7': // \o, \oo, \ooo: an octal byte
				n, end := l.hexOrOctal(l.pos, 3, 8)
				b.WriteByte(byte(n))
				byteEscapes = true
				l.pos = end - 1
			case 'x': // \xh, \xhh: a hexadecimal byte; \x without digits is x
				n, end := l.hexOrOctal(l.pos+1, 2, 16)
				if end == l.pos+1 {
					b.WriteByte('x')
					break
				}
				b.WriteByte(byte(n))
				byteEscapes = true
				l.pos = end - 1
			case 'u', 'U': // \uXXXX, \UXXXXXXXX: a Unicode code point
				r, err := l.unicodeEscape(esc)
				if err != nil {
					return "", err
				}
				if r >= 0xD800 && r <= 0xDBFF { // a UTF-16 high surrogate needs its low half next
					next := l.pos + 1
					lo := rune(-1)
					if next+1 < len(l.src) && l.src[next] == '\\' && (l.src[next+1] == 'u' || l.src[next+1] == 'U') {
						if lo, err = l.unicodeEscape(next); err != nil {
							return "", err
						}
					}
					if lo < 0xDC00 || lo > 0xDFFF {
						_, size := utf8.DecodeRuneInString(l.src[next:])
						return "", l.errorf(next, "invalid Unicode surrogate pair at or near \"%s\"", l.src[next:min(next+size, len(l.src))])
					}
					r = 0x10000 + (r-0xD800)<<10 + (lo - 0xDC00)
				} else if r >= 0xDC00 && r <= 0xDFFF {
					return "", l.errorf(esc, "invalid Unicode surrogate pair at or near \"%s\"", l.src[esc:l.pos+1])
				}
				b.WriteRune(r)
			default:
				b.WriteByte(e)
			}
			l.pos++
		default:
			b.WriteByte(c)
			l.pos++
		}
	}
}

// hexOrOctal reads up to max digits of base 8 or 16 from pos.
func (l *lexer) hexOrOctal(pos, max, base int) (n, end int) {
	for end = pos; end < len(l.src) && end < pos+max; end++ {
		c := l.src[end]
		if base == 8 && (c < '0' || c > '7') || base == 16 && !isHex(c) {
			break
		}
		n = n*base + hexVal(c)
	}
	return n, end
}

// unicodeEscape reads \uXXXX or \UXXXXXXXX at esc and leaves l.pos on its
// last digit.
func (l *lexer) unicodeEscape(esc int) (rune, error) {
	digits := 4
	if l.src[esc+1] == 'U' {
		digits = 8
	}
	n, end := l.hexOrOctal(esc+2, digits, 16)
	if end != esc+2+digits {
		return 0, sqlerr.New(sqlerr.InvalidEscapeSequence, "invalid Unicode escape").
			WithHint("Unicode escapes must be \\uXXXX or \\UXXXXXXXX.").WithPosition(charPos(l.src, esc))
	}
	l.pos = end - 1
	if n == 0 || n > unicode.MaxRune {
		return 0, l.errorf(esc, "invalid Unicode escape value at or near \"%s\"", l.src[esc:end])
	}
	return rune(n), nil
}

// checkUTF8 rejects a string literal whose escapes spelled invalid UTF-8 or a
// NUL byte, as PostgreSQL does for a UTF8 database.
func checkUTF8(s string) error {
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == 0 || r == utf8.RuneError && size <= 1 {
			return sqlerr.New(sqlerr.CharacterNotInRepertoire, "invalid byte sequence for encoding \"UTF8\": 0x%02x", s[i])
		}
		i += size
	}
	return nil
}

func isDigit(c byte) bool      { return c >= '0' && c <= '9' }
func isHex(c byte) bool        { return isDigit(c) || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' }
func isIdentStart(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' }
func isIdentChar(c byte) bool  { return isIdentStart(c) || isDigit(c) || c == '$' }

func hexVal(c byte) int {
	switch {
	case c >= 'a':
		return int(c-'a') + 10
	case c >= 'A':
		return int(c-'A') + 10
	}
	return int(c - '0')
}

// lower folds an identifier to lower case without allocating when it
// already is, as keywords and most names are.
func lower(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'A' && c <= 'Z' || c >= 0x80 {
			return strings.ToLower(s)
		}
	}
	return s
}

// RenameIdent rewrites SQL text (an expression kept in the catalog, such as
// a CHECK constraint's) so that the identifier old becomes new.
func RenameIdent(src, old, new string) (string, error) {
	toks, err := lex(src)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	last := 0
	for _, t := range toks {
		if (t.kind == tIdent || t.kind == tQIdent) && t.text == old {
			b.WriteString(src[last:t.pos])
			b.WriteString(QuoteIdent(new))
			last = t.end
		}
	}
	b.WriteString(src[last:])
	return b.String(), nil
}

// QuoteIdent returns name as an SQL identifier: bare when it is lower case
// letters, digits and underscores not starting with a digit, else quoted.
func QuoteIdent(name string) string {
	bare := name != ""
	for i, r := range name {
		if !(r >= 'a' && r <= 'z' || r == '_' || i > 0 && r >= '0' && r <= '9') {
			bare = false
		}
	}
	if bare {
		return name
	}
	return `"` + strings.ReplaceAll(name, `"`, `""`) + `"`
}

// MentionsIdent reports whether SQL text src names the identifier name.
func MentionsIdent(src, name string) bool {
	toks, _ := lex(src)
	for _, t := range toks {
		if (t.kind == tIdent || t.kind == tQIdent) && t.text == name {
			return true
		}
	}
	return false
}

// QuoteString returns s as an SQL string literal.
func QuoteString(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }
