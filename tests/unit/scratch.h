/* scratch.h — scratch directories and file modes for the unit tests that write files (the
 * journal's, the audit log's). Include after <cmocka.h>. */
#ifndef SIMTOP_TEST_SCRATCH_H
#define SIMTOP_TEST_SCRATCH_H

#include <stdlib.h>
#include <sys/stat.h>

#include "util.h"

/* A new directory /tmp/simtop-test-NAME-XXXXXX; the caller frees the path. */
static inline char *make_temporary_directory(const char *name)
{
	char *directory = xasprintf("/tmp/simtop-test-%s-XXXXXX", name);
	assert_non_null(mkdtemp(directory));
	return directory;
}

static inline void remove_tree(const char *directory)
{
	char *command = xasprintf("rm -rf '%s'", directory);
	assert_int_equal(system(command), 0);
	free(command);
}

/* Permission bits of a file that must exist. */
static inline int file_mode(const char *path)
{
	struct stat info;
	assert_int_equal(stat(path, &info), 0);
	return (int)(info.st_mode & 07777);
}

#endif
