package main

import "strings"

// The client splits its input the way psql does, on the client side and
// without parsing SQL: a statement ends at a semicolon outside quotes,
// dollar quotes, comments and parentheses, and a backslash outside them
// starts a meta-command that runs to the end of the line. The server's
// parser (sql.Split) cannot do this job: it needs complete statements,
// rejects what it does not support (a client must send it anyway and show
// the server's error), and knows nothing of backslash commands or of a
// statement that continues on the next line.

// tokKind classifies a piece of input.
type tokKind uint8

const (
	tkSpace       tokKind = iota // blanks
	tkLineComment                // -- to the end of the line
	tkComment                    // all or part of a /* */ comment
	tkQuoted                     // all or part of a string, quoted identifier or dollar-quoted body
	tkWord                       // identifier or keyword
	tkOther                      // one character of anything else: ; ( ) \ digits, operators
)

// lexer finds token boundaries. Its state carries a quote or comment that a
// line leaves open into the next line.
type lexer struct {
	quote   byte   // '\'' string, 'e' E'' string with backslash escapes, '"' identifier; 0 outside
	dollar  string // the delimiter ($tag$) of an open dollar-quoted string
	comment int    // depth of open /* */ comments (they nest)
}

func isIdentStart(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' || c >= 0x80
}

func isIdentChar(c byte) bool { return isIdentStart(c) || c >= '0' && c <= '9' || c == '$' }

// next returns the kind and the end of the token of s that starts at i.
func (l *lexer) next(s string, i int) (tokKind, int) {
	switch {
	case l.comment > 0:
		return tkComment, l.commentEnd(s, i)
	case l.dollar != "":
		if k := strings.Index(s[i:], l.dollar); k >= 0 {
			end := i + k + len(l.dollar)
			l.dollar = ""
			return tkQuoted, end
		}
		return tkQuoted, len(s)
	case l.quote != 0:
		return tkQuoted, l.quoteEnd(s, i)
	}
	c := s[i]
	switch {
	case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f':
		j := i + 1
		for j < len(s) && strings.IndexByte(" \t\n\r\f", s[j]) >= 0 {
			j++
		}
		return tkSpace, j
	case strings.HasPrefix(s[i:], "--"):
		return tkLineComment, len(s)
	case strings.HasPrefix(s[i:], "/*"):
		l.comment = 1
		return tkComment, l.commentEnd(s, i+2)
	case c == '\'' || c == '"':
		l.quote = c
		return tkQuoted, l.quoteEnd(s, i+1)
	case isIdentStart(c):
		j := i + 1
		for j < len(s) && isIdentChar(s[j]) {
			j++
		}
		if j == i+1 && (c == 'e' || c == 'E') && j < len(s) && s[j] == '\'' {
			l.quote = 'e'
			return tkQuoted, l.quoteEnd(s, j+1)
		}
		return tkWord, j
	case c == '$':
		if tag := dollarTag(s[i:]); tag != "" {
			l.dollar = tag
			return l.next(s, i+len(tag))
		}
	}
	return tkOther, i + 1
}

// dollarTag returns the $tag$ or $$ that s starts with, or "".
func dollarTag(s string) string {
	if len(s) > 1 && s[1] >= '0' && s[1] <= '9' {
		return "" // a parameter such as $1
	}
	for j := 1; j < len(s); j++ {
		switch {
		case s[j] == '$':
			return s[:j+1]
		case !isIdentChar(s[j]):
			return ""
		}
	}
	return ""
}

// commentEnd returns where the open comment ends in s, from i, or len(s).
func (l *lexer) commentEnd(s string, i int) int {
	for i < len(s) {
		switch {
		case strings.HasPrefix(s[i:], "/*"):
			l.comment++
			i += 2
		case strings.HasPrefix(s[i:], "*/"):
			l.comment--
			i += 2
			if l.comment == 0 {
				return i
			}
		default:
			i++
		}
	}
	return i
}

// quoteEnd returns where the open quote ends in s, from i, or len(s).
// A doubled quote character stands for itself.
func (l *lexer) quoteEnd(s string, i int) int {
	closing := l.quote
	if closing == 'e' {
		closing = '\''
	}
	for i < len(s) {
		switch {
		case l.quote == 'e' && s[i] == '\\':
			i += 2
		case s[i] == closing && i+1 < len(s) && s[i+1] == closing:
			i += 2
		case s[i] == closing:
			l.quote = 0
			return i + 1
		default:
			i++
		}
	}
	return len(s)
}

// piece is a complete statement or a backslash command found in the input.
type piece struct {
	meta bool   // a backslash command; text follows the backslash
	text string // the statement, with its semicolon
}

// splitter collects input lines into statements.
type splitter struct {
	lex    lexer
	buf    strings.Builder // the statement being collected
	parens int
}

// feed scans one line (without its newline) and returns the statements it
// completes and the backslash command that ends it, in input order. Spaces
// and -- comments before a statement are dropped, as psql does.
func (s *splitter) feed(line string) []piece {
	var out []piece
	for i := 0; i < len(line); {
		kind, end := s.lex.next(line, i)
		tok := line[i:end]
		i = end
		switch {
		case (kind == tkSpace || kind == tkLineComment) && s.buf.Len() == 0:
		case kind == tkOther && tok == `\`:
			return append(out, piece{meta: true, text: line[end:]})
		case kind == tkOther && tok == ";" && s.parens == 0:
			s.buf.WriteString(tok)
			out = append(out, piece{text: s.buf.String()})
			s.buf.Reset()
		default:
			if kind == tkOther && tok == "(" {
				s.parens++
			} else if kind == tkOther && tok == ")" && s.parens > 0 {
				s.parens--
			}
			s.buf.WriteString(tok)
		}
	}
	if s.buf.Len() > 0 {
		s.buf.WriteByte('\n')
	}
	return out
}

// pending returns the unfinished statement, "" when there is none.
func (s *splitter) pending() string { return strings.TrimSpace(s.buf.String()) }

// reset drops the unfinished statement.
func (s *splitter) reset() { *s = splitter{} }

// state is the character psql's prompt shows for the input so far: = at
// the start of a statement, - inside one, ' " $ in an open quote, * in a
// comment and ( inside parentheses.
func (s *splitter) state() byte {
	switch {
	case s.lex.comment > 0:
		return '*'
	case s.lex.quote == '"':
		return '"'
	case s.lex.quote != 0:
		return '\''
	case s.lex.dollar != "":
		return '$'
	case s.parens > 0:
		return '('
	case s.buf.Len() > 0:
		return '-'
	}
	return '='
}

// token is a token of a complete text, with its position.
type token struct {
	kind       tokKind
	text       string
	start, end int
	depth      int // parenthesis depth
}

// tokens splits a complete statement or command into tokens, blanks and
// comments left out.
func tokens(s string) []token {
	var l lexer
	var out []token
	depth := 0
	for i := 0; i < len(s); {
		kind, end := l.next(s, i)
		t := token{kind: kind, text: s[i:end], start: i, end: end, depth: depth}
		i = end
		switch {
		case kind == tkSpace || kind == tkLineComment || kind == tkComment:
			continue
		case kind == tkOther && t.text == "(":
			depth++
		case kind == tkOther && t.text == ")" && depth > 0:
			depth--
			t.depth = depth
		}
		out = append(out, t)
	}
	return out
}

// copyDir says which way a COPY statement's data goes through the client.
type copyDir uint8

const (
	copyNone copyDir = iota
	copyIn           // COPY ... FROM STDIN
	copyOut          // COPY ... TO STDOUT
)

// copyDirection tells whether stmt is a COPY whose data the client sends
// (FROM STDIN) or receives (TO STDOUT).
func copyDirection(stmt string) copyDir {
	toks := tokens(stmt)
	if len(toks) == 0 || !toks[0].is("copy") {
		return copyNone
	}
	for i := 1; i+1 < len(toks); i++ {
		switch {
		case toks[i].depth > 0:
		case toks[i].is("from") && toks[i+1].is("stdin"):
			return copyIn
		case toks[i].is("to") && toks[i+1].is("stdout"):
			return copyOut
		}
	}
	return copyNone
}

// is reports whether t is the word w, in any case.
func (t token) is(w string) bool { return t.kind == tkWord && strings.EqualFold(t.text, w) }
