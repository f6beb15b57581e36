package sql

import (
	"fmt"
	"strings"
	"testing"

	"rustydb/sqlerr"
)

var kindNames = map[tokKind]string{
	tEOF: "eof", tIdent: "id", tQIdent: "qid", tInt: "int", tNum: "num",
	tString: "str", tOp: "op", tParam: "param", tHint: "hint",
}

// tokString renders tokens as kind:text@pos, without the final EOF.
func tokString(toks []token) string {
	var parts []string
	for _, t := range toks {
		if t.kind == tEOF {
			break
		}
		parts = append(parts, fmt.Sprintf("%s:%s@%d", kindNames[t.kind], t.text, t.pos))
	}
	return strings.Join(parts, " ")
}

func TestLex(t *testing.T) {
	cases := []struct{ in, want string }{
		{``, ``},
		{`   `, ``},
		{`SELECT`, `id:select@0`},
		{`Select  a,B`, `id:select@0 id:a@8 op:,@9 id:b@10`},
		{`_x1$ y_`, `id:_x1$@0 id:y_@5`},
		{`café naïve Ärger`, `id:café@0 id:naïve@6 id:ärger@13`},
		{`a€b €`, `id:a€b@0 id:€@6`},
		{`"Quoted Ident" "a""b" "SELECT"`, `qid:Quoted Ident@0 qid:a"b@15 qid:SELECT@22`},
		{`"ü"`, `qid:ü@0`},
		{`t.a t.*`, `id:t@0 op:.@1 id:a@2 id:t@4 op:.@5 op:*@6`},
		{`0 42 007`, `int:0@0 int:42@2 int:007@5`},
		{`1.5 .5 1. 1e3 1E+3 2.5e-10 1.e2`, `num:1.5@0 num:.5@4 num:1.@7 num:1e3@10 num:1E+3@14 num:2.5e-10@19 num:1.e2@27`},
		{`9223372036854775808`, `int:9223372036854775808@0`},
		{`1..2`, `int:1@0 op:.@1 num:.2@2`},
		{`$1 $23`, `param:1@0 param:23@3`},
		{`'abc' 'it''s' ''`, `str:abc@0 str:it's@6 str:@14`},
		{`'multi
line'`, "str:multi\nline@0"},
		{`'back\slash'`, `str:back\slash@0`}, // standard_conforming_strings
		{`E'a\nb' e'\t' E'\\' E'\'' E'it''s'`, "str:a\nb@0 str:\t@8 str:\\@14 str:'@20 str:it's@26"},
		{`E'\x41\x4a\x4' E'\101\60' E'\xg' E'\q'`, `str:AJ` + "\x04" + `@0 str:A0@15 str:xg@26 str:q@33`},
		{`E'\u00e9\U0001F600' E'\ud83d\ude00'`, `str:é😀@0 str:😀@20`},
		{`E'\b\f\r'`, "str:\b\f\r@0"},
		{`e 'x'`, `id:e@0 str:x@2`},
		{`E`, `id:e@0`},
		{`+ - * / % ^ = < > ( ) , ; . [ ] : ~`, `op:+@0 op:-@2 op:*@4 op:/@6 op:%@8 op:^@10 op:=@12 op:<@14 op:>@16 op:(@18 op:)@20 op:,@22 op:;@24 op:.@26 op:[@28 op:]@30 op::@32 op:~@34`},
		{`:: <= >= <> != ||`, `op:::@0 op:<=@3 op:>=@6 op:<>@9 op:!=@12 op:||@15`},
		{`a::int`, `id:a@0 op:::@1 id:int@3`},
		{`j->'a' j->>0 j#>p j#>>p j#-p`, `id:j@0 op:->@1 str:a@3 id:j@7 op:->>@8 int:0@11 id:j@13 op:#>@14 id:p@16 id:j@18 op:#>>@19 id:p@22 id:j@24 op:#-@25 id:p@27`},
		{`a@>b a<@b a?b a?|b a?&b a->-1`, `id:a@0 op:@>@1 id:b@3 id:a@5 op:<@@6 id:b@8 id:a@10 op:?@11 id:b@12 id:a@14 op:?|@15 id:b@17 id:a@19 op:?&@20 id:b@22 id:a@24 op:->@25 op:-@27 int:1@28`},
		{`1-2`, `int:1@0 op:-@1 int:2@2`},
		{`a -- comment`, `id:a@0`},
		{"a -- comment\nb", `id:a@0 id:b@13`},
		{"a --\r\nb", `id:a@0 id:b@6`},
		{`a /* c */ b`, `id:a@0 id:b@10`},
		{`a /* x /* nested */ y */ b`, `id:a@0 id:b@25`},
		{`a /**/ b /*/ still */ c`, `id:a@0 id:b@7 id:c@22`},
		{"\ta\r\n\fb", `id:a@1 id:b@5`},
		{`a-- comment`, `id:a@0`},
		{`1--2`, `int:1@0`},
		{`SELECT /*+ PARALLEL(4) */ a`, `id:select@0 hint: PARALLEL(4) @7 id:a@26`},
		{`select /*+ a */ /*+ b */ 1`, `id:select@0 hint: a @7 hint: b @16 int:1@25`},
		{`INSERT /*+ x */`, `id:insert@0 hint: x @7`},
		{`update /*+ x */`, `id:update@0 hint: x @7`},
		{`DELETE /*+ x */`, `id:delete@0 hint: x @7`},
		{`SELECT /*+ a /* nested */ b */ 1`, `id:select@0 hint: a /* nested */ b @7 int:1@31`},
		{`/*+ x */ SELECT`, `id:select@9`},
		{`SELECT 1 /*+ x */`, `id:select@0 int:1@7`},
		{`SELECT a, /*+ x */ b`, `id:select@0 id:a@7 op:,@8 id:b@19`},
		{`'é' x`, `str:é@0 id:x@5`},
	}
	for _, c := range cases {
		toks, err := lex(c.in)
		if err != nil {
			t.Errorf("lex(%q): %v", c.in, err)
			continue
		}
		if got := tokString(toks); got != c.want {
			t.Errorf("lex(%q)\n got  %s\n want %s", c.in, got, c.want)
		}
		// Every token's source span starts at pos and ends at end; EOF closes.
		last := toks[len(toks)-1]
		if last.kind != tEOF || last.pos != len(c.in) && strings.TrimSpace(c.in[last.pos:]) != "" {
			t.Errorf("lex(%q): bad EOF token %+v", c.in, last)
		}
		for _, tok := range toks {
			if tok.end < tok.pos || tok.end > len(c.in) {
				t.Errorf("lex(%q): token %+v has a bad span", c.in, tok)
			}
		}
	}
}

func TestLexErrors(t *testing.T) {
	cases := []struct {
		in, code, msg string
		pos           int
	}{
		{`'abc`, "42601", `unterminated quoted string at or near "'abc"`, 1},
		{`x 'it''s`, "42601", `unterminated quoted string at or near "'it''s"`, 3},
		{`E'abc\'`, "42601", `unterminated quoted string at or near "E'abc\'"`, 1},
		{`E'\`, "42601", `unterminated quoted string at or near "E'\"`, 1},
		{`"abc`, "42601", `unterminated quoted identifier at or near ""abc"`, 1},
		{`a ""`, "42601", `zero-length delimited identifier at or near """"`, 3},
		{`/* x`, "42601", `unterminated /* comment at or near "/* x"`, 1},
		{`a /* x /* y */`, "42601", `unterminated /* comment at or near "/* x /* y */"`, 3},
		{`/*`, "42601", `unterminated /* comment at or near "/*"`, 1},
		{`/*/`, "42601", `unterminated /* comment at or near "/*/"`, 1},
		{`SELECT /*+ x`, "42601", `unterminated /* comment at or near "/*+ x"`, 8},
		{`1a`, "42601", `trailing junk after numeric literal at or near "1a"`, 1},
		{`12abc def`, "42601", `trailing junk after numeric literal at or near "12abc"`, 1},
		{`1.5e`, "42601", `trailing junk after numeric literal at or near "1.5e"`, 1},
		{`1e5x`, "42601", `trailing junk after numeric literal at or near "1e5x"`, 1},
		{`é 1_000`, "42601", `trailing junk after numeric literal at or near "1_000"`, 3},
		{`1é`, "42601", `trailing junk after numeric literal at or near "1é"`, 1},
		{`a \ b`, "42601", `syntax error at or near "\"`, 3},
		{`$`, "42601", `syntax error at or near "$"`, 1},
		{`a ! b`, "42601", `syntax error at or near "!"`, 3},
		{"a \x00", "42601", "syntax error at or near \"\x00\"", 3},
		{"'\xff'", "22021", `invalid byte sequence for encoding "UTF8": 0xff`, 0},
		{"a\xc3", "22021", `invalid byte sequence for encoding "UTF8": 0xc3`, 0},
		{`E'\xff'`, "22021", `invalid byte sequence for encoding "UTF8": 0xff`, 0},
		{`E'\xc3\xa9\xc3'`, "22021", `invalid byte sequence for encoding "UTF8": 0xc3`, 0},
		{`E'\0'`, "22021", `invalid byte sequence for encoding "UTF8": 0x00`, 0},
		{`E'\u12'`, "22025", `invalid Unicode escape`, 3},
		{`E'\U0001F60'`, "22025", `invalid Unicode escape`, 3},
		{`E'\u0000'`, "42601", `invalid Unicode escape value at or near "\u0000"`, 3},
		{`E'\ud800\u0041'`, "42601", `invalid Unicode surrogate pair at or near "\"`, 9},
		{`E'é\udc00'`, "42601", `invalid Unicode surrogate pair at or near "\udc00"`, 4},
	}
	for _, c := range cases {
		_, err := lex(c.in)
		se, ok := err.(*sqlerr.Error)
		if !ok {
			t.Errorf("lex(%q): error %v (%T), want *sqlerr.Error", c.in, err, err)
			continue
		}
		if se.Code != c.code || se.Message != c.msg || se.Position != c.pos {
			t.Errorf("lex(%q):\n got  %s %q at %d\n want %s %q at %d", c.in, se.Code, se.Message, se.Position, c.code, c.msg, c.pos)
		}
	}
	// The Unicode escape error carries PostgreSQL's hint.
	if _, err := lex(`E'\u1'`); sqlerr.From(err).Hint != `Unicode escapes must be \uXXXX or \UXXXXXXXX.` {
		t.Errorf("hint: %+v", err)
	}
}

func TestCharPos(t *testing.T) {
	f := func(src string, off, want int) {
		t.Helper()
		if got := charPos(src, off); got != want {
			t.Errorf("charPos(%q, %d) = %d, want %d", src, off, got, want)
		}
	}
	f("", 0, 1)
	f("abc", 0, 1)
	f("abc", 2, 3)
	f("abc", 3, 4)
	f("abc", 99, 4)
	f("éa", 2, 2)
	f("日本語x", 9, 4)
	f("😀 x", 5, 3)
}

func TestParseHints(t *testing.T) {
	f := func(body, want string) {
		t.Helper()
		if got := hintsString(parseHints(body)); got != want {
			t.Errorf("parseHints(%q) = %q, want %q", body, got, want)
		}
	}
	f(``, ``)
	f(` PARALLEL(4) `, ` /*+ PARALLEL(4) */`)
	f(`parallel ( 8 )`, ` /*+ PARALLEL(8) */`)
	f(`a b(x) c(1, 'two', 3.5)`, ` /*+ A */ /*+ B(x) */ /*+ C(1, two, 3.5) */`)
	f(`Leading(t1 t2 "T3")`, ` /*+ LEADING(t1, t2, T3) */`)
	f(`NO_INDEX(t.a)`, ` /*+ NO_INDEX(t, a) */`)
	f(`x(`, ` /*+ X */`)
	f(`42 'junk' x`, ` /*+ X */`)
	f(`'unterminated`, ``) // unknown text is ignored, never an error
}
