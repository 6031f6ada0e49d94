/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * accctl: a small streaming JSON writer, indented by two spaces like
 * mdevctl's --dumpjson. @key is the member name inside an object and
 * NULL inside an array or at the top.
 */
#ifndef ACCCTL_JSON_H
#define ACCCTL_JSON_H

#include <stdbool.h>
#include <stdio.h>

#define JSON_DEPTH_MAX	16

struct json {
	FILE *f;
	int depth;
	bool has_items[JSON_DEPTH_MAX];
};

void json_init(struct json *j, FILE *f);
void json_obj_begin(struct json *j, const char *key);
void json_obj_end(struct json *j);
void json_arr_begin(struct json *j, const char *key);
void json_arr_end(struct json *j);
void json_str(struct json *j, const char *key, const char *val);
void json_int(struct json *j, const char *key, long val);
void json_bool(struct json *j, const char *key, bool val);
void json_null(struct json *j, const char *key);
/* The member only if @val is not empty: absent fields are left out. */
void json_str_opt(struct json *j, const char *key, const char *val);
/* Finish the document with a newline. */
void json_done(struct json *j);

#endif /* ACCCTL_JSON_H */
