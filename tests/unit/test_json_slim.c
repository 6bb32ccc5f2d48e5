/* test_json_slim.c — the copy of a list page with only the members read: what it keeps, and
 * every case where it must decline and leave the page to cJSON. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <cmocka.h>

#include "json_slim.h"

static const char *const keys[] = { "id", "status", "name", "sim", "iccid", "ip_address" };
#define KEY_COUNT (sizeof(keys) / sizeof(keys[0]))

/* The copy of text, or NULL when json_slim_array() declines. Not NUL-terminated input: the
 * copy is made from exactly strlen(text) bytes of a buffer with no spare byte. */
static char *slim_of(const char *text)
{
	size_t length = strlen(text);
	char *body = malloc(length ? length : 1);
	char *out = malloc(length + 1);
	assert_non_null(body);
	assert_non_null(out);
	memcpy(body, text, length);
	size_t slim_length = 0, items = 0;
	bool made = json_slim_array(body, length, keys, KEY_COUNT, out, &slim_length, &items);
	free(body);
	if (!made) {
		free(out);
		return NULL;
	}
	assert_int_equal(strlen(out), slim_length);
	assert_true(slim_length <= length);
	/* As many items as the copy has objects at its top level. */
	size_t objects = 0;
	int depth = 0;
	bool quoted = false;
	for (const char *c = out; *c; c++) {
		if (quoted) {
			if (*c == '\\')
				c++;
			else if (*c == '"')
				quoted = false;
		} else if (*c == '"') {
			quoted = true;
		} else if (*c == '{' || *c == '[') {
			objects += *c == '{' && depth == 1;
			depth++;
		} else if (*c == '}' || *c == ']') {
			depth--;
		}
	}
	assert_int_equal(items, objects);
	return out;
}

static void expect_slim(const char *text, const char *expected)
{
	char *slim = slim_of(text);
	if (!slim)
		fail_msg("declined: %s", text);
	assert_string_equal(slim, expected);
	free(slim);
}

static void expect_declined(const char *text)
{
	char *slim = slim_of(text);
	if (slim)
		fail_msg("made %s of %s", slim, text);
}

static void test_keeps_the_members_read(void **state)
{
	(void)state;
	expect_slim("[]", "[]");
	expect_slim(" [ ] \r\n", "[]");
	expect_slim("[{}]", "[{}]");
	/* Members left out wherever they stand, white space too; nested objects slimmed, keys
	 * matched whole (ids, ip_address_space, sim_profile are not kept). */
	expect_slim("[ {\"created\":\"2024-01-01\", \"id\" : 5, \"ids\":[1,2],\"status\":{\"id\":1,\"description\":\"Enabled\"},"
		    "\"ip_address_space\":{\"id\":3},\"ip_address\":\"10.0.0.1\",\"sim\":{\"sim_profile\":{\"id\":1},"
		    "\"iccid\":\"89\",\"id\":7,\"extra\":null}} , {\"name\":\"b\\\"c\\\\\",\"tags\":\"x\"} ]",
		    "[{\"id\":5,\"status\":{\"id\":1},\"ip_address\":\"10.0.0.1\",\"sim\":{\"iccid\":\"89\",\"id\":7}},"
		    "{\"name\":\"b\\\"c\\\\\"}]");
	/* Duplicates stay, in order: cJSON reads the first. */
	expect_slim("[{\"name\":\"one\",\"x\":1,\"name\":\"two\"}]", "[{\"name\":\"one\",\"name\":\"two\"}]");
	/* Values kept are copied as they are: literals, numbers, escapes, \u escapes, arrays,
	 * objects inside arrays (slimmed), raw bytes above ASCII. */
	expect_slim("[{\"id\":-1.5e+3,\"name\":\"\\u00e9t\\u00E9 caf\xc3\xa9\",\"status\":[true,false,null,{\"x\":1,\"id\":2}],"
		    "\"sim\":null}]",
		    "[{\"id\":-1.5e+3,\"name\":\"\\u00e9t\\u00E9 caf\xc3\xa9\",\"status\":[true,false,null,{\"id\":2}],"
		    "\"sim\":null}]");
	/* A surrogate pair whole, in a member kept. */
	expect_slim("[{\"name\":\"\\ud83d\\ude00\",\"x\":1}]", "[{\"name\":\"\\ud83d\\ude00\"}]");
	/* Members left out may hold anything valid, escapes too (but \u). */
	expect_slim("[{\"a\":{\"b\":[[],{},\"q\\\"\\\\\\/\\b\\f\\n\\r\\t\",0,-0,0.5,1E9,true]},\"id\":1}]", "[{\"id\":1}]");
	/* cJSON takes any byte up to space as white space before the end. */
	expect_slim("\x0b[\x01{\x1f\"id\"\x02:\x03" "1}]", "[{\"id\":1}]");
}

/* Each of these would read differently, or not at all; cJSON is to judge the page. */
static void test_declines(void **state)
{
	(void)state;
	const char *declined[] = {
		"", " ", "{}", "[1]", "[{}, 2]", "[[]]", "\xef\xbb\xbf[]",  /* not an array of objects; a BOM */
		"[", "[{}", "[{]", "[{\"id\":1", "[{\"id\":1,}]", "[{,}]", "[{}],", "[{}]x", "[{}] \x0b",
		"[{\"id\" 1}]", "[{\"id\":}]", "[{id:1}]", "[{\"id\":1 \"x\":2}]", "[{}{}]",
		"[{\"id\":\"open}]", "[{\"id\":\"bad \\x escape\"}]", "[{\"id\":\"\\u12\"}]", "[{\"id\":\"\\", "[{\"id\":\"\\u12",
		"[{\"id\":01}]", "[{\"id\":1.}]", "[{\"id\":.5}]", "[{\"id\":+1}]", "[{\"id\":1e}]", "[{\"id\":-}]",
		"[{\"id\":0x1}]", "[{\"id\":NaN}]", "[{\"id\":tru}]", "[{\"id\":nul}]", "[{\"id\":True}]",
		/* a key with an escape: "name" for cJSON, but not byte for byte */
		"[{\"na\\u006de\":\"x\"}]", "[{\"na\\\"me\":\"x\"}]",
		/* a \u escape in a member left out: cJSON checks its surrogates */
		"[{\"x\":\"\\ud800\"}]", "[{\"x\":{\"\\ud800\":1}}]",
		/* half a surrogate pair in a member kept, which cJSON refuses */
		"[{\"name\":\"\\udc00\"}]", "[{\"name\":\"\\ud800\"}]", "[{\"name\":\"\\ud800x\"}]",
		"[{\"name\":\"\\ud800\\u0041\"}]", "[{\"status\":[\"\\uDBFF\"]}]",
	};
	for (size_t i = 0; i < sizeof(declined) / sizeof(declined[0]); i++)
		expect_declined(declined[i]);

	/* A key with a NUL byte: cJSON's key ends there ("status"). */
	static const char nul_key[] = "[{\"status\0x\":{\"id\":1}}]";
	char out[sizeof(nul_key)];
	size_t slim_length, items;
	assert_false(json_slim_array(nul_key, sizeof(nul_key) - 1, keys, KEY_COUNT, out, &slim_length, &items));

	/* A number longer than cJSON reads whole, even where it is left out. */
	char text[256];
	snprintf(text, sizeof(text), "[{\"x\":1%063d}]", 0);
	expect_declined(text);
	snprintf(text, sizeof(text), "[{\"x\":1%062d}]", 0);
	expect_slim(text, "[{}]");

	/* Nesting deeper than JSON_SLIM_DEPTH_MAX. */
	char deep[128] = "[{\"x\":";
	for (int i = 0; i < JSON_SLIM_DEPTH_MAX; i++)
		strcat(deep, "[");
	for (int i = 0; i < JSON_SLIM_DEPTH_MAX; i++)
		strcat(deep, "]");
	strcat(deep, "}]");
	expect_declined(deep);
}

/* The copy is the page with the other members taken out, whatever the page: pages of random
 * members, duplicates and keys that start like kept ones included, with and without white
 * space. */
static void drop_unkept(cJSON *value)
{
	if (cJSON_IsObject(value)) {
		cJSON *child = value->child;
		while (child) {
			cJSON *next = child->next;
			bool kept = false;
			for (size_t k = 0; k < KEY_COUNT; k++)
				kept |= strcmp(child->string, keys[k]) == 0;
			if (!kept)
				cJSON_Delete(cJSON_DetachItemViaPointer(value, child));
			else
				drop_unkept(child);
			child = next;
		}
	} else if (cJSON_IsArray(value)) {
		for (cJSON *child = value->child; child; child = child->next)
			drop_unkept(child);
	}
}

static unsigned next_random(unsigned *seed)
{
	*seed = *seed * 1103515245u + 12345u;
	return (*seed >> 16) & 0x7fff;
}

static cJSON *random_value(unsigned *seed, int depth)
{
	static const char *const names[] = { "id", "status", "name", "sim", "iccid", "ip_address", "idx", "ip_address_space",
					     "created", "i", "" };
	switch (next_random(seed) % (depth > 3 ? 4 : 6)) {
	case 0:
		return cJSON_CreateNumber((double)(int)(next_random(seed) % 100000) / (next_random(seed) % 2 ? 1 : 8));
	case 1: {
		char text[16];
		snprintf(text, sizeof(text), "v%u\"\\/%c", next_random(seed), (char)('a' + next_random(seed) % 26));
		return cJSON_CreateString(text);
	}
	case 2:
		return next_random(seed) % 2 ? cJSON_CreateBool(next_random(seed) % 2) : cJSON_CreateNull();
	case 3:
		return cJSON_CreateString("");
	case 4: {
		cJSON *array = cJSON_CreateArray();
		for (unsigned i = next_random(seed) % 4; i > 0; i--)
			cJSON_AddItemToArray(array, random_value(seed, depth + 1));
		return array;
	}
	default: {
		cJSON *object = cJSON_CreateObject();
		for (unsigned i = next_random(seed) % 6; i > 0; i--)
			cJSON_AddItemToObject(object, names[next_random(seed) % (sizeof(names) / sizeof(names[0]))],
					      random_value(seed, depth + 1));
		return object;
	}
	}
}

static void test_reads_as_the_page(void **state)
{
	(void)state;
	unsigned seed = 1;
	for (int round = 0; round < 500; round++) {
		cJSON *page = cJSON_CreateArray();
		for (unsigned i = next_random(&seed) % 5; i > 0; i--) {
			cJSON *item = random_value(&seed, 3);
			if (!cJSON_IsObject(item)) {
				cJSON_Delete(item);
				item = cJSON_CreateObject();
				cJSON_AddItemToObject(item, "id", random_value(&seed, 1));
			}
			cJSON_AddItemToArray(page, item);
		}
		char *text = round % 2 ? cJSON_Print(page) : cJSON_PrintUnformatted(page);
		char *slim = slim_of(text);
		assert_non_null(slim);
		drop_unkept(page);
		/* cJSON printed the page, so the values kept are in its own spelling. */
		char *expected = cJSON_PrintUnformatted(page);
		assert_string_equal(slim, expected);
		free(expected);
		cJSON_Delete(page);
		free(slim);
		free(text);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_keeps_the_members_read),
		cmocka_unit_test(test_declines),
		cmocka_unit_test(test_reads_as_the_page),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
