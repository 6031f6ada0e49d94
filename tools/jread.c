// SPDX-License-Identifier: GPL-2.0-only
/*
 * accctl: a small, strict JSON reader.
 *
 * Recursive descent with a depth bound. Strings are kept as UTF-8 with
 * their escapes resolved; \u0000 and lone surrogates are refused, as
 * C strings and UTF-8 cannot hold them. Bytes of 0x80 and above are
 * taken as they are.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jread.h"
#include "util.h"

#define JREAD_DEPTH_MAX	32

struct jparser {
	const char *s;
	size_t len;
	size_t pos;
	int depth;
	const char *name;
};

static int jerr(const struct jparser *p, const char *what)
{
	return acc_err("%s: not JSON: %s at byte %zu", p->name, what, p->pos);
}

static void skip_ws(struct jparser *p)
{
	while (p->pos < p->len && strchr(" \t\r\n", p->s[p->pos]) &&
	       p->s[p->pos])
		p->pos++;
}

static bool at(const struct jparser *p, char c)
{
	return p->pos < p->len && p->s[p->pos] == c;
}

static bool at_digit(const struct jparser *p)
{
	return p->pos < p->len && p->s[p->pos] >= '0' && p->s[p->pos] <= '9';
}

static void digits(struct jparser *p)
{
	while (at_digit(p))
		p->pos++;
}

static bool literal(struct jparser *p, const char *word)
{
	size_t n = strlen(word);

	if (p->len - p->pos < n || memcmp(p->s + p->pos, word, n))
		return false;
	p->pos += n;
	return true;
}

static int hex4(struct jparser *p, unsigned int *out)
{
	unsigned int v = 0;
	int i;

	for (i = 0; i < 4; i++, p->pos++) {
		char c = p->pos < p->len ? p->s[p->pos] : '\0';

		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= (unsigned int)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v |= (unsigned int)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v |= (unsigned int)(c - 'A' + 10);
		else
			return jerr(p, "bad \\u escape");
	}
	*out = v;
	return 0;
}

static void *xrealloc(void *old, size_t size)
{
	void *p = realloc(old, size);

	if (!p) {
		fputs("accctl: out of memory\n", stderr);
		exit(EXIT_ERROR);
	}
	return p;
}

/* Append the UTF-8 of @cp to @buf at *@n (room for 4 bytes assured). */
static void put_utf8(char *buf, size_t *n, unsigned int cp)
{
	if (cp < 0x80) {
		buf[(*n)++] = (char)cp;
	} else if (cp < 0x800) {
		buf[(*n)++] = (char)(0xc0 | (cp >> 6));
		buf[(*n)++] = (char)(0x80 | (cp & 0x3f));
	} else if (cp < 0x10000) {
		buf[(*n)++] = (char)(0xe0 | (cp >> 12));
		buf[(*n)++] = (char)(0x80 | ((cp >> 6) & 0x3f));
		buf[(*n)++] = (char)(0x80 | (cp & 0x3f));
	} else {
		buf[(*n)++] = (char)(0xf0 | (cp >> 18));
		buf[(*n)++] = (char)(0x80 | ((cp >> 12) & 0x3f));
		buf[(*n)++] = (char)(0x80 | ((cp >> 6) & 0x3f));
		buf[(*n)++] = (char)(0x80 | (cp & 0x3f));
	}
}

static int escape(struct jparser *p, char *buf, size_t *n)
{
	static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
	unsigned int cp, lo;
	const char *e;
	char c;

	if (p->pos >= p->len)
		return jerr(p, "unterminated string");
	c = p->s[p->pos++];
	e = c ? strchr(from, c) : NULL;
	if (e) {
		buf[(*n)++] = to[e - from];
		return 0;
	}
	if (c != 'u')
		return jerr(p, "bad escape");
	if (hex4(p, &cp))
		return -1;
	if (cp >= 0xd800 && cp < 0xdc00) {
		if (!literal(p, "\\u") || hex4(p, &lo) || lo < 0xdc00 ||
		    lo >= 0xe000)
			return jerr(p, "lone surrogate");
		cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
	} else if ((cp >= 0xdc00 && cp < 0xe000) || !cp) {
		return jerr(p, cp ? "lone surrogate" : "\\u0000 in a string");
	}
	put_utf8(buf, n, cp);
	return 0;
}

/* At the opening quote. The result never outgrows the source text. */
static int string(struct jparser *p, char **out)
{
	char *buf;
	size_t n = 0;

	p->pos++;
	buf = xcalloc(p->len - p->pos + 8, 1);
	for (;;) {
		unsigned char c;

		if (p->pos >= p->len) {
			free(buf);
			return jerr(p, "unterminated string");
		}
		c = (unsigned char)p->s[p->pos++];
		if (c == '"')
			break;
		if (c < 0x20) {
			free(buf);
			return jerr(p, "control character in a string");
		}
		if (c != '\\') {
			buf[n++] = (char)c;
		} else if (escape(p, buf, &n)) {
			free(buf);
			return -1;
		}
	}
	buf[n] = '\0';
	/* Give back what the rest of the document reserved. */
	*out = xrealloc(buf, n + 1);
	return 0;
}

static int number(struct jparser *p, struct jval *v)
{
	bool neg = at(p, '-'), frac = false, overflow = false;
	unsigned long mag = 0;

	if (neg)
		p->pos++;
	if (at(p, '0')) {
		p->pos++;
	} else if (at_digit(p)) {
		while (at_digit(p)) {
			unsigned long d = (unsigned long)(p->s[p->pos++] - '0');

			if (mag > (LONG_MAX - d) / 10)
				overflow = true;
			else
				mag = mag * 10 + d;
		}
	} else {
		return jerr(p, "bad number");
	}
	if (at(p, '.')) {
		frac = true;
		p->pos++;
		if (!at_digit(p))
			return jerr(p, "bad number");
		digits(p);
	}
	if (at(p, 'e') || at(p, 'E')) {
		frac = true;
		p->pos++;
		if (at(p, '+') || at(p, '-'))
			p->pos++;
		if (!at_digit(p))
			return jerr(p, "bad number");
		digits(p);
	}
	v->type = J_NUM;
	v->is_int = !frac && !overflow;
	v->num = v->is_int ? (neg ? -(long)mag : (long)mag) : 0;
	return 0;
}

static int value(struct jparser *p, struct jval *v);

static void grow(struct jval *v, size_t *cap, bool keys)
{
	if (v->n < *cap)
		return;
	*cap = *cap ? *cap * 2 : 8;
	v->items = xrealloc(v->items, *cap * sizeof(*v->items));
	if (keys)
		v->keys = xrealloc(v->keys, *cap * sizeof(*v->keys));
}

/* At '[' or '{'. */
static int container(struct jparser *p, struct jval *v, bool obj)
{
	char close = obj ? '}' : ']';
	size_t cap = 0;

	if (++p->depth > JREAD_DEPTH_MAX)
		return jerr(p, "nested too deeply");
	v->type = obj ? J_OBJ : J_ARR;
	p->pos++;
	skip_ws(p);
	if (at(p, close)) {
		p->pos++;
		p->depth--;
		return 0;
	}
	for (;;) {
		grow(v, &cap, obj);
		memset(&v->items[v->n], 0, sizeof(v->items[v->n]));
		if (obj) {
			skip_ws(p);
			if (!at(p, '"'))
				return jerr(p, "expected a member name");
			if (string(p, &v->keys[v->n]))
				return -1;
			skip_ws(p);
			if (!at(p, ':')) {
				free(v->keys[v->n]);
				return jerr(p, "expected ':'");
			}
			p->pos++;
		}
		v->n++;
		if (value(p, &v->items[v->n - 1]))
			return -1;
		skip_ws(p);
		if (at(p, ',')) {
			p->pos++;
			continue;
		}
		if (at(p, close)) {
			p->pos++;
			p->depth--;
			return 0;
		}
		return jerr(p, obj ? "expected ',' or '}'" : "expected ',' or ']'");
	}
}

static int value(struct jparser *p, struct jval *v)
{
	skip_ws(p);
	if (p->pos >= p->len)
		return jerr(p, "unexpected end");
	switch (p->s[p->pos]) {
	case '{':
		return container(p, v, true);
	case '[':
		return container(p, v, false);
	case '"':
		v->type = J_STR;
		return string(p, &v->str);
	case 't':
	case 'f':
		v->type = J_BOOL;
		v->b = p->s[p->pos] == 't';
		if (literal(p, v->b ? "true" : "false"))
			return 0;
		break;
	case 'n':
		v->type = J_NULL;
		if (literal(p, "null"))
			return 0;
		break;
	default:
		if (at(p, '-') || at_digit(p))
			return number(p, v);
		return jerr(p, "unexpected character");
	}
	return jerr(p, "bad literal");
}

int jread_parse(const char *name, const char *text, size_t len,
		struct jval *out)
{
	struct jparser p = { .s = text, .len = len, .name = name };

	memset(out, 0, sizeof(*out));
	if (value(&p, out))
		goto fail;
	skip_ws(&p);
	if (p.pos != p.len) {
		jerr(&p, "trailing data");
		goto fail;
	}
	return 0;
fail:
	jval_free(out);
	return -1;
}

void jval_free(struct jval *v)
{
	size_t i;

	for (i = 0; i < v->n; i++) {
		jval_free(&v->items[i]);
		if (v->keys)
			free(v->keys[i]);
	}
	free(v->items);
	free(v->keys);
	free(v->str);
	memset(v, 0, sizeof(*v));
}

const struct jval *jval_get(const struct jval *obj, const char *key)
{
	size_t i;

	if (obj->type != J_OBJ)
		return NULL;
	for (i = obj->n; i-- > 0;)
		if (!strcmp(obj->keys[i], key))
			return &obj->items[i];
	return NULL;
}
