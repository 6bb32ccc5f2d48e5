/* emu_auth.c — JWT-shaped tokens. */
#include "emu_auth.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "emu_buf.h"

struct issued_token {
	char *token;
	int64_t expires;        /* Unix seconds; the token is expired when now > expires */
};

struct emu_auth {
	char *application_token;
	int64_t lifetime;
	uint64_t seed;
	int64_t org_id;
	char *org_name;
	pthread_mutex_t lock;
	struct issued_token *tokens; /* tokens[jti - 1] */
	int64_t count;
	int64_t capacity;
};

static void *allocate(size_t size)
{
	void *p = malloc(size);
	if (!p) {
		fputs("simtop-emu: out of memory\n", stderr);
		abort();
	}
	return p;
}

struct emu_auth *emu_auth_new(const char *application_token, int64_t lifetime, uint64_t seed,
			      const struct emu_auth_org *org)
{
	struct emu_auth *auth = allocate(sizeof *auth);
	memset(auth, 0, sizeof *auth);
	auth->application_token = strdup(application_token);
	auth->org_name = strdup(org->name);
	if (!auth->application_token || !auth->org_name)
		abort();
	auth->org_id = org->id;
	auth->lifetime = lifetime;
	auth->seed = seed;
	pthread_mutex_init(&auth->lock, NULL);
	return auth;
}

void emu_auth_free(struct emu_auth *auth)
{
	if (!auth)
		return;
	for (int64_t i = 0; i < auth->count; i++)
		free(auth->tokens[i].token);
	free(auth->tokens);
	free(auth->application_token);
	free(auth->org_name);
	pthread_mutex_destroy(&auth->lock);
	free(auth);
}

bool emu_auth_token_accepted(const struct emu_auth *auth, const char *candidate)
{
	return strcmp(auth->application_token, candidate) == 0;
}

/* --- base64url ---------------------------------------------------------------------------- */

static const char base64url_alphabet[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/* Append bytes in base64url without padding, as JWTs use it. */
static void add_base64url(struct emu_buf *buf, const unsigned char *bytes, size_t length)
{
	size_t i = 0;
	for (; i + 3 <= length; i += 3) {
		unsigned v = (unsigned)bytes[i] << 16 | (unsigned)bytes[i + 1] << 8 | bytes[i + 2];
		emu_buf_add_char(buf, base64url_alphabet[v >> 18]);
		emu_buf_add_char(buf, base64url_alphabet[(v >> 12) & 63]);
		emu_buf_add_char(buf, base64url_alphabet[(v >> 6) & 63]);
		emu_buf_add_char(buf, base64url_alphabet[v & 63]);
	}
	if (length - i == 1) {
		unsigned v = (unsigned)bytes[i] << 16;
		emu_buf_add_char(buf, base64url_alphabet[v >> 18]);
		emu_buf_add_char(buf, base64url_alphabet[(v >> 12) & 63]);
	} else if (length - i == 2) {
		unsigned v = (unsigned)bytes[i] << 16 | (unsigned)bytes[i + 1] << 8;
		emu_buf_add_char(buf, base64url_alphabet[v >> 18]);
		emu_buf_add_char(buf, base64url_alphabet[(v >> 12) & 63]);
		emu_buf_add_char(buf, base64url_alphabet[(v >> 6) & 63]);
	}
}

static int base64url_value(char c)
{
	const char *at = c ? strchr(base64url_alphabet, c) : NULL;
	return at ? (int)(at - base64url_alphabet) : -1;
}

/* Decode length characters of base64url into out (at least length * 3 / 4 + 1 bytes),
 * NUL-terminated. Returns false on a character outside the alphabet. */
static bool decode_base64url(const char *text, size_t length, char *out)
{
	unsigned bits = 0;
	int count = 0;
	size_t used = 0;
	for (size_t i = 0; i < length; i++) {
		int v = base64url_value(text[i]);
		if (v < 0)
			return false;
		bits = (bits << 6) | (unsigned)v;
		count += 6;
		if (count >= 8) {
			count -= 8;
			out[used++] = (char)((bits >> count) & 0xFF);
		}
	}
	out[used] = '\0';
	return true;
}

/* --- tokens -------------------------------------------------------------------------------- */

static uint64_t mix(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

char *emu_auth_issue(struct emu_auth *auth, int64_t now)
{
	pthread_mutex_lock(&auth->lock);
	int64_t jti = auth->count + 1;
	int64_t expires = now + auth->lifetime;

	struct emu_buf payload = { 0 };
	emu_buf_printf(&payload, "{\"aud\":\"/api/v1/authentication\",\"esc.app\":1,\"esc.org\":%lld,\"esc.orgName\":",
		       (long long)auth->org_id);
	emu_buf_add_json_string(&payload, auth->org_name);
	emu_buf_printf(&payload, ",\"iss\":\"simtop-emu\",\"iat\":%lld,\"exp\":%lld,\"jti\":\"%lld\"}",
		       (long long)now, (long long)expires, (long long)jti);

	/* Not a real HMAC: nobody verifies it, but it has the length and look of one. */
	unsigned char signature[48];
	for (int i = 0; i < 6; i++) {
		uint64_t word = mix(auth->seed ^ mix((uint64_t)jti * 8 + (uint64_t)i));
		memcpy(signature + i * 8, &word, 8);
	}

	static const char header[] = "{\"alg\":\"HS384\"}";
	struct emu_buf token = { 0 };
	add_base64url(&token, (const unsigned char *)header, sizeof header - 1);
	emu_buf_add_char(&token, '.');
	add_base64url(&token, (const unsigned char *)payload.data, payload.length);
	emu_buf_add_char(&token, '.');
	add_base64url(&token, signature, sizeof signature);
	emu_buf_free(&payload);

	if (auth->count == auth->capacity) {
		auth->capacity = auth->capacity ? auth->capacity * 2 : 64;
		struct issued_token *grown = realloc(auth->tokens, (size_t)auth->capacity * sizeof *grown);
		if (!grown)
			abort();
		auth->tokens = grown;
	}
	auth->tokens[auth->count].token = strdup(token.data);
	if (!auth->tokens[auth->count].token)
		abort();
	auth->tokens[auth->count].expires = expires;
	auth->count++;
	pthread_mutex_unlock(&auth->lock);

	return emu_buf_take(&token, NULL);
}

/* The jti claim of a token's payload segment, or -1. */
static int64_t token_jti(const char *payload, size_t length)
{
	if (length > 2048)
		return -1;
	char decoded[2048];
	if (!decode_base64url(payload, length, decoded))
		return -1;
	const char *at = strstr(decoded, "\"jti\":\"");
	if (!at)
		return -1;
	char *end;
	long long jti = strtoll(at + 7, &end, 10);
	return *end == '"' && jti > 0 ? jti : -1;
}

enum emu_auth_check emu_auth_check(struct emu_auth *auth, const char *authorization, int64_t now)
{
	if (!authorization || strncasecmp(authorization, "Bearer ", 7) != 0)
		return EMU_AUTH_MALFORMED;
	const char *token = authorization + 7;
	while (*token == ' ')
		token++;
	const char *first_dot = strchr(token, '.');
	const char *second_dot = first_dot ? strchr(first_dot + 1, '.') : NULL;
	if (!second_dot || strchr(second_dot + 1, '.'))
		return EMU_AUTH_MALFORMED;

	int64_t jti = token_jti(first_dot + 1, (size_t)(second_dot - first_dot - 1));
	enum emu_auth_check result = EMU_AUTH_UNKNOWN;
	pthread_mutex_lock(&auth->lock);
	if (jti > 0 && jti <= auth->count && strcmp(auth->tokens[jti - 1].token, token) == 0)
		result = now > auth->tokens[jti - 1].expires ? EMU_AUTH_EXPIRED : EMU_AUTH_OK;
	pthread_mutex_unlock(&auth->lock);
	return result;
}

void emu_auth_expire_all(struct emu_auth *auth)
{
	pthread_mutex_lock(&auth->lock);
	for (int64_t i = 0; i < auth->count; i++)
		auth->tokens[i].expires = 0;
	pthread_mutex_unlock(&auth->lock);
}
