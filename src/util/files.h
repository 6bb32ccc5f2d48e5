/* files.h — opening the files an operator names, so that none of them can hang simtop or
 * steer it.
 *
 * Every file simtop reads because someone named it (the config file, token files, journals
 * to resume, CSV lists of devices) is opened here without blocking and checked on the open
 * descriptor, never on the path: what is checked is what is read. Anything but a regular file
 * (a FIFO, a device, a directory, a socket) is refused at once. A file that decides where the
 * token goes or which PATCHes are sent must also be one that only its owner can change; a
 * secret must be one that only its owner can read. Files simtop writes (journals, the audit
 * log) are opened here too: never through a symbolic link, created 0600, and only when an
 * existing one is the user's own.
 *
 * Every message names the path and what to run to fix it, and is cleaned of control
 * characters (a path is text from outside too). */
#ifndef SIMTOP_FILES_H
#define SIMTOP_FILES_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>

/* How much a file that is read must be trusted. */
enum files_trust {
	/* A regular file; anyone may have written it (a CSV exported from the portal). */
	FILES_REGULAR,
	/* A regular file that only its owner can change, owned by the user or by root, in a
	 * directory that no one else can write to (unless it is sticky, like /tmp), owned by the
	 * user or by root: a config file, a journal. The directory checked is the one the file
	 * really lives in, symbolic links resolved. */
	FILES_TRUSTED,
	/* FILES_TRUSTED, and readable by no one else either: a token file. */
	FILES_SECRET,
};

/* Open path for reading (flags O_RDONLY, or O_RDWR with O_APPEND for a journal to resume)
 * without ever blocking, then check it as trust asks. what names the file in messages
 * ("the config file"). Returns a blocking descriptor with O_CLOEXEC that the caller closes,
 * and the file's fstat in *info; or -1 with message, errno then ENOENT for a missing file
 * (callers that allow a missing file tell it apart so) and EPERM for a refused one. */
int files_open(const char *path, int flags, enum files_trust trust, const char *what, struct stat *info,
	       char *message, size_t size);

/* The secret rule on a file opened already, for a file that turns out to hold a secret (a
 * config file with a token): false with message (mode and "chmod 600 PATH") when group or
 * others can read or write it. why follows what in the message ("holds a token"; may be
 * NULL). */
bool files_check_private(const char *path, const struct stat *info, const char *what, const char *why,
			 char *message, size_t size);

/* Open path for writing a file simtop keeps (flags: O_WRONLY or O_RDWR, with O_APPEND,
 * O_CREAT, O_EXCL as needed): never through a symbolic link at path, created with mode 0600,
 * and refused unless the file is a regular file owned by the user that no one else can write
 * to. Returns a descriptor with O_CLOEXEC, or -1 with message (errno kept from open, so that
 * EEXIST under O_EXCL can be retried with another name). */
int files_open_own(const char *path, int flags, const char *what, char *message, size_t size);

/* Open path to write an export the operator named. A new file is created with mode 0600, and
 * O_EXCL makes a symbolic link (or anything else) planted at path fail instead of being
 * followed. An existing file is opened only with overwrite (the operator said yes), never
 * through a symbolic link, and only when it is a regular file of the user's: it is then
 * emptied and set to 0600, in that order, so another user's file is never truncated. Returns
 * a descriptor with O_CLOEXEC; or -1 with errno EEXIST when a regular file is there and
 * overwrite is false (ask, then call again), else -1 with message. */
int files_create_export(const char *path, bool overwrite, char *message, size_t size);

/* Read fd from where it is to its end, or to max bytes, whichever comes first (callers check
 * the size fstat tells against their own limit first). Returns a buffer the caller frees,
 * NUL-terminated after *length bytes; NULL with errno when a read failed. Every copy of what
 * was read is wiped before it is freed, here and on failure, so that a token file leaves no
 * trace; the caller wipes the buffer it gets when it holds a secret. */
char *files_read_all(int fd, size_t max, size_t *length);

/* mkdir -p with mode 0700 for every directory made; existing ones are left as they are. False,
 * with message ("cannot create WHAT PATH: reason") and errno, when one cannot be made. */
bool files_make_directories(const char *directory, const char *what, char *message, size_t size);

/* Make directory, and any parent missing, with mode 0700; or accept an existing one only when
 * it is a directory (not a symbolic link) owned by the user that group and others cannot write
 * to. Returns a descriptor of it (O_RDONLY | O_DIRECTORY | O_CLOEXEC) to create, rename and
 * fsync files in, relative to the directory checked; or -1 with message (errno EPERM for a
 * refused directory). what names the directory in messages ("the cache directory"). */
int files_open_private_directory(const char *directory, const char *what, char *message, size_t size);

/* Replacing a file whole, so that a reader finds the old content or the new, never a mix, even
 * after a crash: the new content goes to a temporary file of mode 0600 next to path (in a
 * directory files_open_private_directory accepts), which is fsync'ed and renamed over path,
 * and the directory fsync'ed. A replacement that fails or is abandoned leaves path as it was
 * and removes the temporary file; one killed midway leaves its temporary file behind
 * (PATH.tmp-PID), never a half-written path, and the next replacement of path removes it
 * once that process is gone. */
struct files_replacement {
	int fd;            /* the temporary file: write the new content here */
	int directory_fd;
	char *path;
	char *name;        /* path's last component */
	char *temporary;   /* the temporary file's name in the directory */
	const char *what;
};

/* Start replacing path; what names the file in messages ("the snapshot"). False with message
 * when the directory or the temporary file cannot be made (nothing is then left to end). */
bool files_replace_begin(struct files_replacement *replacement, const char *path, const char *what,
			 char *message, size_t size);
/* Make what was written to replacement->fd the content of path. Ends the replacement either
 * way: false with message when it failed, path then as it was. */
bool files_replace_commit(struct files_replacement *replacement, char *message, size_t size);
/* End the replacement without changing path. */
void files_replace_abort(struct files_replacement *replacement);

#endif
