package sql

import (
	"strconv"
	"strings"
)

// Normalized is a statement as statement statistics group it, in the manner
// of pg_stat_statements: executions that differ only in their constants, in
// whitespace and comments, or in the case of keywords and unquoted names are
// one statement.
type Normalized struct {
	// Text is the source with each constant replaced by a parameter $n
	// (numbered after the statement's own parameters) and every run of
	// whitespace and comments made one space.
	Text string
	// ID is a hash of the statement's tokens with the constants left out.
	ID uint64
}

// operandAfter are the keywords after which a minus sign starts a negative
// constant rather than a subtraction.
var operandAfter = map[string]bool{"select": true, "where": true, "and": true, "or": true, "not": true, "values": true,
	"by": true, "when": true, "then": true, "else": true, "in": true, "between": true, "like": true, "limit": true,
	"offset": true, "return": true, "set": true, "is": true, "having": true, "on": true}

// Normalize normalizes one statement's text. Text that does not lex (it
// would not have run) keeps its constants.
func Normalize(src string) Normalized {
	toks, err := lex(src)
	if err != nil {
		text := strings.Join(strings.Fields(src), " ")
		return Normalized{Text: text, ID: fnvAdd(fnvOffset, text)}
	}
	return normalizeTokens(src, toks[:len(toks)-1]) // without the EOF token
}

// normalizeTokens normalizes the statement made of toks, lexed from src.
func normalizeTokens(src string, toks []token) Normalized {
	next := 0 // the highest parameter the statement has; constants follow it
	for _, t := range toks {
		if t.kind == tParam {
			if n, err := strconv.Atoi(t.text); err == nil {
				next = max(next, n)
			}
		}
	}
	var b strings.Builder
	b.Grow(len(src))
	h := uint64(fnvOffset)
	prevEnd := -1
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		if prevEnd >= 0 && t.pos > prevEnd {
			b.WriteByte(' ')
		}
		constant := t.kind == tInt || t.kind == tNum || t.kind == tString
		if t.kind == tOp && t.text == "-" && (i+1 < len(toks) && (toks[i+1].kind == tInt || toks[i+1].kind == tNum)) &&
			toks[i+1].pos == t.end && (i == 0 || toks[i-1].kind == tOp && toks[i-1].text != ")" && toks[i-1].text != "]" ||
			toks[i-1].kind == tIdent && operandAfter[toks[i-1].text]) {
			i++ // a negative number is one constant
			t, constant = toks[i], true
		}
		prevEnd = t.end
		h = (h ^ uint64(t.kind)) * fnvPrime // token kinds are not characters: they separate tokens
		switch {
		case constant:
			next++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(next))
			h = fnvAdd(h, "?")
		case t.kind == tIdent || t.kind == tQIdent:
			b.WriteString(src[t.pos:t.end])
			h = fnvAdd(h, t.text) // unquoted names are lower case here
		default:
			b.WriteString(src[t.pos:t.end])
			h = fnvAdd(h, src[t.pos:t.end])
		}
	}
	return Normalized{Text: b.String(), ID: h}
}

// FNV-1a, 64 bits.
const fnvOffset, fnvPrime = 14695981039346656037, 1099511628211

func fnvAdd(h uint64, s string) uint64 {
	for i := 0; i < len(s); i++ {
		h = (h ^ uint64(s[i])) * fnvPrime
	}
	return h
}

// SQLID renders a statement ID in the form of Oracle's sql_id: 13
// characters of base 32.
func SQLID(id uint64) string {
	const digits = "0123456789abcdfghjkmnpqrstuvwxyz"
	var out [13]byte
	for i := len(out) - 1; i >= 0; i-- {
		out[i] = digits[id&31]
		id >>= 5
	}
	return string(out[:])
}
