/* emu_auth.h — application token, issued JWTs and their expiry.
 *
 * Tokens look like emnify's: three base64url segments, header {"alg":"HS384"}, a payload with
 * the claims the real service sets (aud, esc.app, esc.org, esc.orgName, iss, iat, exp; the
 * organisation's are set at start, so that tests can emulate two workspaces) plus a jti that
 * makes each token unique, and 48 signature bytes. Clients read exp from the payload to know
 * when to authenticate again; the emulator keeps its own record of each token's
 * expiry, which /_emu/expire-tokens can cut short. Thread-safe. */
#ifndef SIMTOP_EMU_AUTH_H
#define SIMTOP_EMU_AUTH_H

#include <stdbool.h>
#include <stdint.h>

struct emu_auth;

/* Longest organisation name a token carries, in bytes (the payload stays well under what
 * emu_auth_check reads). */
#define EMU_AUTH_ORG_NAME_MAX 200

/* What the esc.org and esc.orgName claims of every issued token say. */
struct emu_auth_org {
	int64_t id;
	const char *name;       /* UTF-8, at most EMU_AUTH_ORG_NAME_MAX bytes */
};

/* application_token and org->name are copied. lifetime is in seconds. Never NULL. */
struct emu_auth *emu_auth_new(const char *application_token, int64_t lifetime, uint64_t seed,
			      const struct emu_auth_org *org);
void emu_auth_free(struct emu_auth *auth);

/* True when candidate is the accepted application token. */
bool emu_auth_token_accepted(const struct emu_auth *auth, const char *candidate);

/* Issue a new JWT valid from now (Unix seconds). The caller frees the returned string. */
char *emu_auth_issue(struct emu_auth *auth, int64_t now);

enum emu_auth_check {
	EMU_AUTH_OK,
	EMU_AUTH_MALFORMED,     /* no "Bearer" header, or not three segments */
	EMU_AUTH_UNKNOWN,       /* well-formed, but not a token this emulator issued */
	EMU_AUTH_EXPIRED,       /* issued here, and now is past its expiry */
};

/* Check an Authorization header value (NULL when the header is absent). */
enum emu_auth_check emu_auth_check(struct emu_auth *auth, const char *authorization, int64_t now);

/* Make every token issued so far expired. */
void emu_auth_expire_all(struct emu_auth *auth);

#endif
