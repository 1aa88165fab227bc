/*
 * rules-lex.c -- tokenizer for rule files, and the error reporter the rule
 * parser shares ("file:line:col: message").
 *
 * Also the cursor the parser reads tokens through (one token of
 * lookahead, rewinding, "expected X" errors).
 *
 * The source is a byte buffer that need not be NUL-terminated; the lexer
 * never reads past its end. It checks the encoding as it goes: a NUL byte
 * or invalid UTF-8 is an error wherever it occurs, and non-ASCII text is
 * allowed only inside comments and strings. Lines and columns start at 1;
 * a column counts characters (a tab is one).
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules-int.h"
#include "xmalloc.h"

struct punct {
	const char *text;
	enum tok_kind kind;
};

/* Two-character operators first: the lexer takes the first match. */
static const struct punct puncts[] = {
	{ "==", TK_EQ },
	{ "!=", TK_NE },
	{ "<=", TK_LE },
	{ ">=", TK_GE },
	{ "&&", TK_ANDAND },
	{ "||", TK_OROR },
	{ "{", TK_LBRACE },
	{ "}", TK_RBRACE },
	{ "(", TK_LPAREN },
	{ ")", TK_RPAREN },
	{ ";", TK_SEMI },
	{ ",", TK_COMMA },
	{ "<", TK_LT },
	{ ">", TK_GT },
	{ "+", TK_PLUS },
	{ "-", TK_MINUS },
	{ "*", TK_STAR },
	{ "/", TK_SLASH },
	{ "%", TK_PERCENT },
	{ "!", TK_BANG },
	{ NULL, TK_EOF },
};

static int peek(const struct rules_lexer *lx, size_t ahead);
static void adv(struct rules_lexer *lx, size_t n);
static size_t utf8_len(const unsigned char *s, size_t n);
static void bad_char(struct rules_lexer *lx);
static void skip_space(struct rules_lexer *lx);
static size_t ident_end(const char *s, size_t len, size_t i);
static void lex_number(struct rules_lexer *lx, struct token *t);
static void lex_string(struct rules_lexer *lx, struct token *t);
static int is_alpha(int c);
static int is_digit(int c);

void
rules_error(struct rules_src *src, unsigned line, unsigned col,
    const char *fmt, ...)
{
	char msg[768], full[1024];
	va_list ap;

	if (src->quiet || src->stop)
		return;
	src->nerr++;
	if (src->diag != NULL) {
		va_start(ap, fmt);
		vsnprintf(msg, sizeof msg, fmt, ap);
		va_end(ap);
		snprintf(full, sizeof full, "%s:%u:%u: %s", src->file, line,
		    col, msg);
		src->diag(src->ctx, full);
	}
	if (src->nerr >= RULES_MAX_ERRORS) {
		src->stop = true;
		if (src->diag != NULL) {
			snprintf(full, sizeof full,
			    "%s:%u:%u: too many errors; giving up on this file",
			    src->file, line, col);
			src->diag(src->ctx, full);
		}
	}
}

void
rules_lex_init(struct rules_lexer *lx, struct rules_src *src,
    const char *buf, size_t len)
{
	lx->buf = buf;
	lx->len = buf != NULL ? len : 0;
	lx->at.off = 0;
	lx->at.line = 1;
	lx->at.col = 1;
	lx->src = src;
	/* A decoded string or a number is never longer than the source. */
	lx->scratch = xmalloc(lx->len + 1);
}

void
rules_lex_free(struct rules_lexer *lx)
{
	free(lx->scratch);
	lx->scratch = NULL;
}

static int
is_alpha(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int
is_digit(int c)
{
	return c >= '0' && c <= '9';
}

/* The byte `ahead` positions on, or -1 past the end. */
static int
peek(const struct rules_lexer *lx, size_t ahead)
{
	if (lx->len - lx->at.off <= ahead)
		return -1;
	return (unsigned char)lx->buf[lx->at.off + ahead];
}

static void
adv(struct rules_lexer *lx, size_t n)
{
	unsigned char c;

	while (n-- > 0 && lx->at.off < lx->len) {
		c = (unsigned char)lx->buf[lx->at.off++];
		if (c == '\n') {
			lx->at.line++;
			lx->at.col = 1;
		} else if ((c & 0xc0) != 0x80)
			lx->at.col++;
	}
}

/* Length of the valid UTF-8 sequence at s (RFC 3629), or 0. */
static size_t
utf8_len(const unsigned char *s, size_t n)
{
	size_t len, i;
	unsigned lo = 0x80, hi = 0xbf;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4;
	else
		return 0;
	if (s[0] == 0xe0)
		lo = 0xa0;
	else if (s[0] == 0xed)
		hi = 0x9f;
	else if (s[0] == 0xf0)
		lo = 0x90;
	else if (s[0] == 0xf4)
		hi = 0x8f;
	if (n < len || s[1] < lo || s[1] > hi)
		return 0;
	for (i = 2; i < len; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return len;
}

/*
 * Report the byte at the cursor as a NUL, bad UTF-8 or a misplaced
 * character, and step over it.
 */
static void
bad_char(struct rules_lexer *lx)
{
	const unsigned char *s = (const unsigned char *)lx->buf + lx->at.off;
	size_t n = utf8_len(s, lx->len - lx->at.off);
	unsigned line = lx->at.line, col = lx->at.col;

	if (s[0] == 0)
		rules_error(lx->src, line, col, "NUL byte");
	else if (n == 0)
		rules_error(lx->src, line, col, "invalid UTF-8");
	else if (n > 1)
		rules_error(lx->src, line, col,
		    "unexpected non-ASCII character outside a string");
	else if (s[0] == '=')
		rules_error(lx->src, line, col,
		    "unexpected '='; compare with '=='");
	else if (s[0] == '&' || s[0] == '|')
		rules_error(lx->src, line, col,
		    "unexpected '%c'; use 'and' or 'or'", s[0]);
	else if (s[0] < 0x20 || s[0] == 0x7f)
		rules_error(lx->src, line, col,
		    "unexpected control character 0x%02x", s[0]);
	else
		rules_error(lx->src, line, col, "unexpected character '%c'",
		    s[0]);
	adv(lx, n > 0 ? n : 1);
}

/* Whitespace and '#' comments; comments must still be valid UTF-8. */
static void
skip_space(struct rules_lexer *lx)
{
	size_t n;
	int c;

	while ((c = peek(lx, 0)) != -1) {
		if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
			adv(lx, 1);
			continue;
		}
		if (c != '#')
			return;
		while ((c = peek(lx, 0)) != -1 && c != '\n') {
			n = utf8_len((const unsigned char *)lx->buf +
			    lx->at.off, lx->len - lx->at.off);
			if (c == 0 || n == 0)
				bad_char(lx);
			else
				adv(lx, n);
		}
	}
}

/*
 * End of the identifier starting at s[i]: [A-Za-z_][A-Za-z0-9_.]*, where a
 * '-' or a '|' followed by a letter also continues it (syn-ack,
 * open|filtered; "ttl-1" is ttl - 1).
 */
static size_t
ident_end(const char *s, size_t len, size_t i)
{
	int c;

	if (i >= len || !(is_alpha(s[i]) || s[i] == '_'))
		return i;
	for (i++; i < len; i++) {
		c = (unsigned char)s[i];
		if (is_alpha(c) || is_digit(c) || c == '_' || c == '.')
			continue;
		if ((c == '-' || c == '|') && i + 1 < len &&
		    is_alpha(s[i + 1]))
			continue;
		break;
	}
	return i;
}

bool
rules_is_ident(const char *s)
{
	size_t len = strlen(s);

	return len > 0 && ident_end(s, len, 0) == len;
}

/* Decimal integer or decimal fraction: digits [ '.' digits ]. */
static void
lex_number(struct rules_lexer *lx, struct token *t)
{
	size_t start = lx->at.off, i = start, n;
	int c;

	while (i < lx->len && is_digit(lx->buf[i]))
		i++;
	if (i + 1 < lx->len && lx->buf[i] == '.' && is_digit(lx->buf[i + 1]))
		for (i++; i < lx->len && is_digit(lx->buf[i]); i++)
			continue;
	n = i - start;
	c = i < lx->len ? (unsigned char)lx->buf[i] : -1;
	if (is_alpha(c) || is_digit(c) || c == '_' || c == '.') {
		while (i < lx->len && (is_alpha(lx->buf[i]) ||
		    is_digit(lx->buf[i]) || lx->buf[i] == '_' ||
		    lx->buf[i] == '.'))
			i++;
		rules_error(lx->src, t->line, t->col, "invalid number '%.*s'",
		    (int)(i - start > 64 ? 64 : i - start), lx->buf + start);
		t->kind = TK_ERROR;
	} else if (n > RULES_MAX_NUMBER) {
		rules_error(lx->src, t->line, t->col,
		    "number too long (more than %d digits)", RULES_MAX_NUMBER);
		t->kind = TK_ERROR;
	} else {
		memcpy(lx->scratch, lx->buf + start, n);
		lx->scratch[n] = '\0';
		t->num = strtod(lx->scratch, NULL);
		t->kind = TK_NUMBER;
		if (!isfinite(t->num)) {
			rules_error(lx->src, t->line, t->col,
			    "number out of range");
			t->kind = TK_ERROR;
		}
	}
	adv(lx, i - start);
}

/* "..." with \" \\ \n \t; no raw newlines or control characters. */
static void
lex_string(struct rules_lexer *lx, struct token *t)
{
	char *out = lx->scratch;
	size_t n = 0, u;
	int c, e;

	adv(lx, 1);
	t->kind = TK_STRING;
	for (;;) {
		c = peek(lx, 0);
		if (c == -1 || c == '\n') {
			rules_error(lx->src, t->line, t->col,
			    "unterminated string");
			t->kind = TK_ERROR;
			break;
		}
		if (c == '"') {
			adv(lx, 1);
			break;
		}
		if (c == '\\') {
			e = peek(lx, 1);
			if (e == '"' || e == '\\')
				out[n++] = (char)e;
			else if (e == 'n')
				out[n++] = '\n';
			else if (e == 't')
				out[n++] = '\t';
			else if (e == -1 || e == '\n') {
				adv(lx, 1);
				continue;	/* unterminated, next round */
			} else {
				rules_error(lx->src, lx->at.line, lx->at.col,
				    "unknown escape in string (use \\\" \\\\ "
				    "\\n or \\t)");
				adv(lx, 1);
				continue;	/* the next char is text */
			}
			adv(lx, 2);
			continue;
		}
		if (c == 0 || (c < 0x20 && c != '\t') || c == 0x7f) {
			if (c == 0)
				bad_char(lx);
			else {
				rules_error(lx->src, lx->at.line, lx->at.col,
				    "control character in string (write \\n "
				    "or \\t)");
				adv(lx, 1);
			}
			continue;
		}
		u = utf8_len((const unsigned char *)lx->buf + lx->at.off,
		    lx->len - lx->at.off);
		if (u == 0) {
			bad_char(lx);
			continue;
		}
		memcpy(out + n, lx->buf + lx->at.off, u);
		n += u;
		adv(lx, u);
	}
	out[n] = '\0';
	t->text = out;
	t->len = n;
}

void
rules_lex_next(struct rules_lexer *lx, struct token *t)
{
	const struct punct *pu;
	size_t n;
	int c;

	skip_space(lx);
	t->off = lx->at.off;
	t->line = lx->at.line;
	t->col = lx->at.col;
	t->text = lx->buf + lx->at.off;
	t->len = 0;
	t->num = 0;
	c = peek(lx, 0);
	if (c == -1 || lx->src->stop) {
		t->kind = TK_EOF;
		return;
	}
	if (is_alpha(c) || c == '_') {
		t->kind = TK_IDENT;
		t->len = ident_end(lx->buf, lx->len, lx->at.off) - lx->at.off;
		adv(lx, t->len);
		return;
	}
	if (is_digit(c)) {
		lex_number(lx, t);
		return;
	}
	if (c == '"') {
		lex_string(lx, t);
		return;
	}
	for (pu = puncts; pu->text != NULL; pu++) {
		n = strlen(pu->text);
		if (lx->len - lx->at.off >= n &&
		    memcmp(lx->buf + lx->at.off, pu->text, n) == 0) {
			t->kind = pu->kind;
			t->len = n;
			adv(lx, n);
			return;
		}
	}
	bad_char(lx);
	t->kind = TK_ERROR;
}

const char *
rules_tok_text(enum tok_kind k)
{
	const struct punct *pu;

	for (pu = puncts; pu->text != NULL; pu++)
		if (pu->kind == k)
			return pu->text;
	return "?";
}

void
rules_tok_describe(const struct token *t, char *buf, size_t len)
{
	switch (t->kind) {
	case TK_EOF:
		snprintf(buf, len, "end of file");
		break;
	case TK_ERROR:
		snprintf(buf, len, "bad input");
		break;
	case TK_IDENT:
		snprintf(buf, len, "'%.*s'", (int)(t->len > 64 ? 64 : t->len),
		    t->text);
		break;
	case TK_STRING:
		snprintf(buf, len, "a string");
		break;
	case TK_NUMBER:
		snprintf(buf, len, "a number");
		break;
	default:
		snprintf(buf, len, "'%s'", rules_tok_text(t->kind));
		break;
	}
}

void
rules_advance(struct rules_cursor *c)
{
	rules_lex_next(&c->lx, &c->tok);
}

void
rules_rewind(struct rules_cursor *c, const struct token *t)
{
	bool quiet = c->src.quiet;

	c->lx.at.off = t->off;
	c->lx.at.line = t->line;
	c->lx.at.col = t->col;
	c->src.quiet = true;
	rules_advance(c);
	c->src.quiet = quiet;
}

bool
rules_is_kw(const struct rules_cursor *c, const char *kw)
{
	return c->tok.kind == TK_IDENT && strlen(kw) == c->tok.len &&
	    memcmp(c->tok.text, kw, c->tok.len) == 0;
}

bool
rules_peek_kw(struct rules_cursor *c, const char *kw)
{
	struct token cur = c->tok;
	bool quiet = c->src.quiet, r;

	c->src.quiet = true;
	rules_advance(c);
	r = rules_is_kw(c, kw);
	c->src.quiet = quiet;
	rules_rewind(c, &cur);
	return r;
}

void
rules_syntax_error(struct rules_cursor *c, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	c->bail = true;
	if (c->tok.kind == TK_ERROR)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	rules_error(&c->src, c->tok.line, c->tok.col, "%s", msg);
}

bool
rules_expect(struct rules_cursor *c, enum tok_kind k, const char *where)
{
	char d[80];

	if (c->tok.kind == k) {
		rules_advance(c);
		return true;
	}
	rules_tok_describe(&c->tok, d, sizeof d);
	rules_syntax_error(c, "expected '%s' %s, found %s", rules_tok_text(k),
	    where, d);
	return false;
}

char *
rules_tok_strdup(const struct token *t)
{
	char *s = xmalloc(t->len + 1);

	memcpy(s, t->text, t->len);
	s[t->len] = '\0';
	return s;
}
