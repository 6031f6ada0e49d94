/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * accctl: a small, strict JSON reader (RFC 8259), for the files other
 * accctl commands wrote. The whole document becomes a tree of jvals.
 */
#ifndef ACCCTL_JREAD_H
#define ACCCTL_JREAD_H

#include <stdbool.h>
#include <stddef.h>

enum jtype { J_NULL, J_BOOL, J_NUM, J_STR, J_ARR, J_OBJ };

struct jval {
	enum jtype type;
	bool b;			/* J_BOOL */
	bool is_int;		/* J_NUM: an integer that fits in num */
	long num;
	char *str;		/* J_STR, NUL-terminated (no NUL inside) */
	size_t n;		/* J_ARR, J_OBJ: members */
	struct jval *items;	/* J_ARR elements, J_OBJ values */
	char **keys;		/* J_OBJ keys */
};

/*
 * Parse @len bytes at @text into @out. 0, or -1 with a message that
 * names @name and the byte offset of the error.
 */
int jread_parse(const char *name, const char *text, size_t len,
		struct jval *out);
void jval_free(struct jval *v);

/* The member @key of the object @obj (the last, if repeated), or NULL. */
const struct jval *jval_get(const struct jval *obj, const char *key);

#endif /* ACCCTL_JREAD_H */
