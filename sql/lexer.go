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
	l := &lexer{src: src}
	for {
		t, err := l.next()
		if err != nil {
			return nil, err
		}
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
	case c == '/' && strings.HasPrefix(l.src[l.pos:], "/*+"):
		end := strings.Index(l.src[l.pos+3:], "*/")
		if end < 0 {
			return token{}, l.errorf(start, "unterminated /* comment")
		}
		body := l.src[l.pos+3 : l.pos+3+end]
		l.pos += 3 + end + 2
		return token{kind: tHint, text: body, pos: start}, nil
	case isIdentStart(c):
		for l.pos < len(l.src) && isIdentChar(l.src[l.pos]) {
			l.pos++
		}
		word := l.src[start:l.pos]
		if (word == "E" || word == "e") && l.pos < len(l.src) && l.src[l.pos] == '\'' {
			s, err := l.scanString(true)
			return token{kind: tString, text: s, pos: start}, err
		}
		return token{kind: tIdent, text: strings.ToLower(word), pos: start}, nil
	case c >= 0x80:
		r, size := utf8.DecodeRuneInString(l.src[l.pos:])
		if unicode.IsLetter(r) {
			for l.pos < len(l.src) {
				r, size = utf8.DecodeRuneInString(l.src[l.pos:])
				if !(unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_' || r == '$') {
					break
				}
				l.pos += size
			}
			return token{kind: tIdent, text: strings.ToLower(l.src[start:l.pos]), pos: start}, nil
		}
		return token{}, l.errorf(start, "syntax error at or near %q", l.src[start:start+size])
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
				return token{}, l.errorf(start, "unterminated quoted identifier")
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
			return token{}, l.errorf(start, "zero-length delimited identifier")
		}
		return token{kind: tQIdent, text: b.String(), pos: start}, nil
	case c == '$' && l.pos+1 < len(l.src) && isDigit(l.src[l.pos+1]):
		l.pos++
		for l.pos < len(l.src) && isDigit(l.src[l.pos]) {
			l.pos++
		}
		return token{kind: tParam, text: l.src[start+1 : l.pos], pos: start}, nil
	}
	for _, op := range []string{"::", "<=", ">=", "<>", "!=", "||"} {
		if strings.HasPrefix(l.src[l.pos:], op) {
			l.pos += 2
			return token{kind: tOp, text: op, pos: start}, nil
		}
	}
	if strings.ContainsRune("+-*/%^=<>(),;.[]:~", rune(c)) {
		l.pos++
		return token{kind: tOp, text: string(c), pos: start}, nil
	}
	return token{}, l.errorf(start, "syntax error at or near %q", string(c))
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
		case c == '/' && l.pos+1 < len(l.src) && l.src[l.pos+1] == '*' && !strings.HasPrefix(l.src[l.pos:], "/*+"):
			start, depth := l.pos, 0
			for {
				if l.pos+1 >= len(l.src) {
					return l.errorf(start, "unterminated /* comment")
				}
				switch l.src[l.pos : l.pos+2] {
				case "/*":
					depth++
					l.pos += 2
				case "*/":
					depth--
					l.pos += 2
				default:
					l.pos++
				}
				if depth == 0 {
					break
				}
			}
		default:
			return nil
		}
	}
	return nil
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
	if l.pos < len(l.src) && isIdentStart(l.src[l.pos]) {
		return token{}, l.errorf(start, "trailing junk after numeric literal at or near %q", l.src[start:l.pos+1])
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
	for {
		if l.pos >= len(l.src) {
			return "", l.errorf(start, "unterminated quoted string at or near %q", l.src[start:])
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
			return b.String(), nil
		case c == '\\' && escapes && l.pos+1 < len(l.src):
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

func isDigit(c byte) bool      { return c >= '0' && c <= '9' }
func isIdentStart(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' }
func isIdentChar(c byte) bool  { return isIdentStart(c) || isDigit(c) || c == '$' }
