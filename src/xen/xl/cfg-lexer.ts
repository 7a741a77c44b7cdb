/**
 * xl.cfg lexer: the token rules of libxlu's flex scanner, with its line accounting and its
 * "lexical error" reports, which do not stop the parse (they only make it fail at the end).
 * Source: xen-project/xen c447b7308b13, tools/libs/util/libxlu_cfg_l.l, libxlu_cfg.c
 * (xlu__cfgl_dequote, xlu__cfgl_lexicalerror, xlu__cfg_yyerror); behaviour checked against the
 * real libxlu built from that commit.
 */

export type TokenType = "IDENT" | "STRING" | "NUMBER" | "NEWLINE" | "+=" | "=" | "," | "[" | "]" | ";" | "$end";

export interface Token {
  type: TokenType;
  /** The matched text (yytext), including any text a lexical error carried over (yymore). */
  text: string;
  /** yylloc.first_line: yylineno after the match, minus one for a plain newline. */
  line: number;
  /** STRING: the dequoted value; IDENT/NUMBER: the text. */
  value: string;
}

/** Receives error reports: `line` as yyerror gets it, `text` the current yytext. */
export interface LexReporter {
  lexicalError(line: number, text: string, msg: string): void;
  likelyPython(): void;
  /** A dequote failure sets ctx->err even when the report itself is suppressed. */
  fail(): void;
}

const isIdentStart = (c: string): boolean => c >= "a" && c <= "z";
const isIdentChar = (c: string): boolean => isIdentStart(c) || (c >= "0" && c <= "9") || c === "." || c === "_";
const isNumberChar = (c: string): boolean => (c >= "0" && c <= "9") || (c >= "a" && c <= "f") || c === "x";
const PYTHONISH = "+,-.():"; // [+-.():]: '+'..'.' is a range holding , and - too (',' has its own, earlier rule)

export class CfgLexer {
  private pos = 0;
  private lineno = 1;

  constructor(private readonly src: string, private readonly report: LexReporter) {}

  private lastLine = 1;

  /** The next token; lexical errors are reported and skipped as flex's `lexerr` start state does. */
  next(): Token {
    const t = this.scan();
    this.lastLine = t.line;
    return t;
  }

  private scan(): Token {
    let carried = ""; // yymore(): text of a bad character, kept in front of the next match
    for (;;) {
      const s = this.src;
      const at = this.pos;
      // At end of input yytext is the end-of-buffer NUL (yyleng 1): xl prints "near `'"; and the
      // scanner does not set yylloc, so $end keeps the location of the token before it.
      if (at >= s.length) return { type: "$end", text: carried + "\0", line: this.lastLine, value: "" };
      const c = s[at]!;
      if (carried === "" && (c === " " || c === "\t")) { this.pos++; continue; }
      if (carried !== "") {
        // <lexerr>[^ \t\n]*|[ \t]  or  <lexerr>\n
        if (c === "\n") {
          this.pos++;
          this.lineno++;
          this.report.lexicalError(this.lineno, carried + "\n", "lexical error");
          return { type: "NEWLINE", text: carried + "\n", line: this.lineno, value: "" };
        }
        let end = at;
        while (end < s.length && s[end] !== " " && s[end] !== "\t" && s[end] !== "\n") end++;
        if (end === at) end = at + 1; // a single blank
        const text = carried + s.slice(at, end);
        this.pos = end;
        this.report.lexicalError(this.lineno, text, "lexical error");
        carried = "";
        continue;
      }
      if (isIdentStart(c)) return this.run("IDENT", isIdentChar);
      if (c >= "0" && c <= "9") return this.run("NUMBER", isNumberChar);
      if (c === "+" && s[at + 1] === "=") return this.fixed("+=", 2);
      if (c === "," || c === "[" || c === "]" || c === "=" || c === ";") return this.fixed(c as TokenType, 1);
      if (c === "\n") { this.pos++; this.lineno++; return { type: "NEWLINE", text: "\n", line: this.lineno - 1, value: "" }; }
      if (c === "#") {
        const nl = s.indexOf("\n", at);
        if (nl >= 0) {
          this.pos = nl + 1;
          this.lineno++;
          return { type: "NEWLINE", text: s.slice(at, nl + 1), line: this.lineno - 1, value: "" };
        }
        // a comment without its newline matches no rule but `.`
      }
      if (c === "'" || c === '"') {
        const end = this.quoted(at, c);
        if (end > 0) {
          const text = s.slice(at, end);
          this.pos = end;
          return { type: "STRING", text, line: this.lineno, value: this.dequote(text) };
        }
      }
      if (PYTHONISH.includes(c)) this.report.likelyPython();
      carried = c;
      this.pos++;
    }
  }

  private run(type: TokenType, more: (c: string) => boolean): Token {
    const at = this.pos;
    let end = at + 1;
    while (end < this.src.length && more(this.src[end]!)) end++;
    this.pos = end;
    const text = this.src.slice(at, end);
    return { type, text, line: this.lineno, value: text };
  }

  private fixed(type: TokenType, len: number): Token {
    const text = this.src.slice(this.pos, this.pos + len);
    this.pos += len;
    return { type, text, line: this.lineno, value: text };
  }

  /** End (exclusive) of a quoted string at `at`: \'([^\'\\\n]|\\.)*\' — no raw newline, `\.` excludes newline. */
  private quoted(at: number, q: string): number {
    for (let i = at + 1; i < this.src.length; i++) {
      const c = this.src[i]!;
      if (c === q) return i + 1;
      if (c === "\n") return -1;
      if (c === "\\") {
        if (i + 1 >= this.src.length || this.src[i + 1] === "\n") return -1;
        i++;
      }
    }
    return -1;
  }

  /**
   * xlu__cfgl_dequote, including its quirks: a `\x` escape is always rejected (the code skips a
   * digit before reading two), and an octal escape `\N` is parsed as *decimal* from the characters
   * after N, needs at least two of them and emits nothing.
   */
  private dequote(text: string): string {
    let out = "";
    const end = text.length - 1;
    const fail = (msg: string): string => {
      this.report.lexicalError(this.lineno, text, msg);
      this.report.fail();
      return out;
    };
    for (let p = 1; p < end; ) {
      const c = text[p++]!;
      if (c !== "\\") { out += c; continue; }
      const nc = text[p++]!;
      const simple: Record<string, string> = { '"': '"', "'": "'", "\\": "\\", a: "\x07", b: "\b", f: "\f", n: "\n", r: "\r", t: "\t", v: "\v" };
      if (nc in simple) { out += simple[nc]; continue; }
      if (nc === "x") return fail("invalid digit after backslash hexnumerical character escape in quoted string");
      if (nc >= "0" && nc <= "7") {
        const used = strtoulLength(text.slice(p, p + 3));
        if (used <= 1) return fail("invalid digit after backslash octalnumerical character escape in quoted string");
        p += used;
        continue;
      }
      return fail("invalid character after backlash in quoted string"); // sic: "backlash"
    }
    return out;
  }
}

/** How many characters strtoul(s, &ep, 10) consumes (0 when it converts nothing). */
function strtoulLength(s: string): number {
  const m = /^[ \t\n\v\f\r]*[+-]?[0-9]+/.exec(s);
  return m ? m[0].length : 0;
}
