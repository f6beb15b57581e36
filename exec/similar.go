package exec

import (
	"strings"
	"unicode/utf8"

	"rustydb/sqlerr"
	"rustydb/types"
)

// similarToEscape evaluates similar_to_escape(pattern [, escape]), which
// turns a SIMILAR TO pattern into the regular expression x ~ matches it
// against, as PostgreSQL does.
func similarToEscape(args []evalFn) evalFn {
	return func(row []types.Value) (types.Value, error) {
		vals := make([]types.Value, len(args))
		for i, a := range args {
			v, err := a(row)
			if err != nil || v.IsNull() {
				return types.Null, err
			}
			vals[i] = v
		}
		esc := "\\" // the default escape character
		if len(vals) == 2 {
			esc = vals[1].S
		}
		re, err := similarRegex(vals[0].S, esc)
		if err != nil {
			return types.Null, err
		}
		return types.NewText(re), nil
	}
}

// similarRegex translates a SIMILAR TO pattern with escape character esc
// ("" for none) the way PostgreSQL's similar_escape does: the match is
// anchored at both ends, % and _ become .* and ., parentheses stop
// capturing, the regular expression characters SQL also has (| * + ? {m,n}
// ( ) [...]) are kept and the others (. ^ $ \) are quoted. Two escaped
// double quotes split the pattern into the three parts SUBSTRING(... SIMILAR
// ...) returns the middle of.
func similarRegex(pat, esc string) (string, error) {
	if utf8.RuneCountInString(esc) > 1 {
		return "", sqlerr.New(sqlerr.InvalidEscapeSequence, "invalid escape string").
			WithHint("Escape string must be empty or one character.")
	}
	escRune, _ := utf8.DecodeRuneInString(esc)
	var b strings.Builder
	b.WriteString("^(?:")
	afterEscape := false
	quotes := 0
	// depth counts the open brackets of a character class; classPos is the
	// position in the class, where a ] right after [ or [^ is a member.
	depth, classPos := 0, 0
	for _, r := range pat {
		switch {
		case afterEscape:
			afterEscape = false
			if r == '"' && depth == 0 {
				switch quotes {
				case 0:
					b.WriteString("){1,1}?(")
				case 1:
					b.WriteString("){1,1}(?:")
				default:
					return "", sqlerr.New(sqlerr.InvalidEscapeSequence, "SQL regular expression may not contain more than two escape-double-quote separators")
				}
				quotes++
				continue
			}
			b.WriteByte('\\')
			b.WriteRune(r)
			classPos = 3
		case esc != "" && r == escRune:
			afterEscape = true
		case depth > 0:
			if r == '\\' { // not the escape character: a literal backslash
				b.WriteByte('\\')
			}
			b.WriteRune(r)
			switch {
			case r == ']' && classPos > 2:
				depth--
			case r == '[':
				depth++
			case r == '^' && classPos == 1:
				classPos = 2
				continue
			}
			classPos = 3
		case r == '[':
			b.WriteRune(r)
			depth, classPos = 1, 1
		case r == '%':
			b.WriteString(".*")
		case r == '_':
			b.WriteByte('.')
		case r == '(':
			b.WriteString("(?:")
		case r == '\\' || r == '.' || r == '^' || r == '$':
			b.WriteByte('\\')
			b.WriteRune(r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteString(")$")
	return b.String(), nil
}
