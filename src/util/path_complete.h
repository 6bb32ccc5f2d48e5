/* path_complete.h — file name completion for the prompts that take a path (import, export).
 *
 * What was typed is split at its last '/': the directory before it (the current one when
 * there is none; a leading "~/" is the home directory) is read for the names that begin with
 * what follows it. A name that starts with '.' is offered only when what was typed after the
 * '/' starts with '.' too; "." and ".." never are. Names that would need cleaning before they
 * could be drawn (control characters, escape sequences, invalid UTF-8: text.h) are left out,
 * since a name typed back from a cleaned copy would be another file. */
#ifndef SIMTOP_PATH_COMPLETE_H
#define SIMTOP_PATH_COMPLETE_H

#include <stddef.h>

struct path_completion {
	char **names;     /* the matching names, sorted (strcmp); a directory's ends in '/'; owned */
	size_t count;
	size_t common;    /* bytes of the longest prefix all names share (0 when there is none) */
	size_t base;      /* bytes of what was typed after its last '/': what names[i] replace */
	int error;        /* errno when the directory could not be read, else 0 */
};

/* Fill completion with the names that complete typed (a path as written in the prompt, "~/"
 * unexpanded). "~" alone gives the one name "~/". Never fails: count is 0 when nothing matches
 * or the directory cannot be read (error says which). Free with path_complete_free(). */
void path_complete(const char *typed, struct path_completion *completion);
void path_complete_free(struct path_completion *completion);

#endif
