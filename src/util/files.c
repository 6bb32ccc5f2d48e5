/* files.c — opening the files an operator names: without blocking, checked on the descriptor. */
#include "files.h"

#include <errno.h>
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <pwd.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "text.h"
#include "util.h"

/* O_NONBLOCK: opening a FIFO nobody writes to, or a device, must not wait. O_NOCTTY: a
 * terminal named by mistake must not become simtop's controlling terminal. */
#define OPEN_FLAGS (O_NONBLOCK | O_NOCTTY | O_CLOEXEC)

/* "a FIFO", for "PATH is a FIFO, not a regular file". */
static const char *kind_of(mode_t mode)
{
	if (S_ISDIR(mode))
		return "a directory";
	if (S_ISFIFO(mode))
		return "a FIFO";
	if (S_ISCHR(mode))
		return "a character device";
	if (S_ISBLK(mode))
		return "a block device";
	if (S_ISSOCK(mode))
		return "a socket";
	if (S_ISLNK(mode))
		return "a symbolic link";
	return "a special file";
}

/* The permission bits as chmod writes them: "0644". */
static void mode_text(mode_t mode, char *buffer, size_t size)
{
	snprintf(buffer, size, "%04o", (unsigned)(mode & 07777));
}

/* A user's name for messages, else "uid N". */
static void user_name(uid_t uid, char *buffer, size_t size)
{
	struct passwd *entry = getpwuid(uid);

	if (entry && entry->pw_name && entry->pw_name[0])
		snprintf(buffer, size, "%s", entry->pw_name);
	else
		snprintf(buffer, size, "%u", (unsigned)uid);
}

/* The user, or root: the only ones who may own what simtop trusts. */
static bool trusted_owner(uid_t uid)
{
	return uid == geteuid() || uid == 0;
}

/* The refusal of a file that is not a regular one. */
static bool check_regular(const char *path, const struct stat *info, const char *what, char *message,
			  size_t size)
{
	if (S_ISREG(info->st_mode))
		return true;
	snprintf(message, size, "%s %s is %s, not a regular file", what, path, kind_of(info->st_mode));
	return false;
}

/* Owned by the user, or by root when root_too. */
static bool check_owner(const char *path, const struct stat *info, const char *what, bool root_too,
			char *message, size_t size)
{
	char owner[64], self[64];

	if (info->st_uid == geteuid() || (root_too && info->st_uid == 0))
		return true;
	user_name(info->st_uid, owner, sizeof(owner));
	user_name(geteuid(), self, sizeof(self));
	snprintf(message, size, "%s %s belongs to another user (%s), who could change it; run "
		 "chown %s %s (as root), or use a file of your own", what, path, owner, self, path);
	return false;
}

/* Not writable by group or others. */
static bool check_writers(const char *path, const struct stat *info, const char *what, char *message,
			  size_t size)
{
	char mode[8];

	mode_text(info->st_mode, mode, sizeof(mode));
	if (info->st_mode & (S_IWGRP | S_IWOTH)) {
		snprintf(message, size, "%s %s can be changed by other users (mode %s); run chmod go-w %s",
			 what, path, mode, path);
		return false;
	}
	return true;
}

/* The message of an open that failed with error: a directory or a FIFO shows up here when
 * opened for writing, before fstat can say what it is. */
static void open_failed(const char *path, const char *what, int error, char *message, size_t size)
{
	if (error == EISDIR)
		snprintf(message, size, "%s %s is a directory, not a regular file", what, path);
	else if (error == ENXIO)
		snprintf(message, size, "%s %s is a FIFO, a socket or a device, not a regular file", what, path);
	else
		snprintf(message, size, "cannot open %s %s: %s", what, path, strerror(error));
}

/* The directory a trusted file lives in: whoever can write to it can swap the file. */
static bool check_directory(const char *path, const char *directory, int fd, const char *what, char *message,
			    size_t size)
{
	struct stat info;
	char mode[8], owner[64];

	if (fstat(fd, &info) != 0) {
		snprintf(message, size, "cannot check the directory %s of %s %s: %s", directory, what, path,
			 strerror(errno));
		return false;
	}
	mode_text(info.st_mode, mode, sizeof(mode));
	if (!trusted_owner(info.st_uid)) {
		user_name(info.st_uid, owner, sizeof(owner));
		snprintf(message, size, "%s %s is in %s, a directory of another user (%s), who could swap "
			 "it; move the file to a directory of your own", what, path, directory, owner);
		return false;
	}
	if ((info.st_mode & (S_IWGRP | S_IWOTH)) && !(info.st_mode & S_ISVTX)) {
		snprintf(message, size, "%s %s is in %s, a directory other users can write to (mode %s), "
			 "so they could swap it; run chmod go-w %s", what, path, directory, mode, directory);
		return false;
	}
	return true;
}

/* Open path relative to the directory it really lives in, once that directory has passed
 * check_directory: the file read is then the one in the directory checked, even if a path
 * component changes meanwhile (openat, and O_NOFOLLOW on the last one). */
static int open_in_trusted_directory(const char *path, int flags, const char *what, char *message,
				     size_t size)
{
	char *resolved = realpath(path, NULL);
	char *slash, *directory;
	const char *name;
	int directory_fd, fd = -1, saved;

	if (!resolved) {
		saved = errno;
		snprintf(message, size, "cannot open %s %s: %s", what, path, strerror(saved));
		errno = saved;
		return -1;
	}
	slash = strrchr(resolved, '/');
	directory = slash == resolved ? xstrdup("/") : xstrndup(resolved, (size_t)(slash - resolved));
	name = slash[1] ? slash + 1 : ".";
	directory_fd = open(directory, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (directory_fd < 0) {
		saved = errno;
		snprintf(message, size, "cannot open %s %s: %s", what, path, strerror(saved));
	} else if (!check_directory(path, directory, directory_fd, what, message, size)) {
		saved = EPERM;
	} else {
		fd = openat(directory_fd, name, flags | OPEN_FLAGS | O_NOFOLLOW);
		saved = errno;
		if (fd < 0)
			open_failed(path, what, saved, message, size);
	}
	if (directory_fd >= 0)
		close(directory_fd);
	free(directory);
	free(resolved);
	errno = saved;
	return fd;
}

/* The end of a refused open: fd (when open) closed, message cleaned, errno set to error. */
static int refuse(int fd, int error, char *message, size_t size)
{
	if (fd >= 0)
		close(fd);
	text_clean_in_place(message, size);
	errno = error;
	return -1;
}

/* The end of an accepted open: reading or writing a regular file never blocks anyway, and
 * simtop's reads and writes must not see EAGAIN. */
static int accept_open(int fd)
{
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	return fd;
}

int files_open(const char *path, int flags, enum files_trust trust, const char *what, struct stat *info,
	       char *message, size_t size)
{
	int fd;

	if (trust == FILES_REGULAR) {
		fd = open(path, flags | OPEN_FLAGS);
		if (fd < 0) {
			int saved = errno;
			open_failed(path, what, saved, message, size);
			errno = saved;
		}
	} else {
		fd = open_in_trusted_directory(path, flags, what, message, size);
	}
	if (fd < 0) {
		if (errno == EISDIR || errno == ENXIO)
			errno = EPERM;
		text_clean_in_place(message, size);
		return -1;
	}
	if (fstat(fd, info) != 0) {
		int saved = errno;
		snprintf(message, size, "cannot open %s %s: %s", what, path, strerror(saved));
		return refuse(fd, saved, message, size);
	}
	/* A token file open to others is answered with chmod 600 first: it fixes writers too. */
	if (!check_regular(path, info, what, message, size) ||
	    (trust != FILES_REGULAR && !check_owner(path, info, what, true, message, size)) ||
	    (trust == FILES_SECRET && !files_check_private(path, info, what, NULL, message, size)) ||
	    (trust != FILES_REGULAR && !check_writers(path, info, what, message, size)))
		return refuse(fd, EPERM, message, size);
	return accept_open(fd);
}

bool files_check_private(const char *path, const struct stat *info, const char *what, const char *why,
			 char *message, size_t size)
{
	char mode[8];

	if ((info->st_mode & 077) == 0)
		return true;
	mode_text(info->st_mode, mode, sizeof(mode));
	snprintf(message, size, "%s %s %s%sis %s by other users (mode %s); run chmod 600 %s", what, path,
		 why ? why : "", why ? " but " : "", (info->st_mode & 044) ? "readable" : "writable", mode,
		 path);
	text_clean_in_place(message, size);
	return false;
}

int files_open_own(const char *path, int flags, const char *what, char *message, size_t size)
{
	struct stat info;
	int fd = open(path, flags | OPEN_FLAGS | O_NOFOLLOW, 0600);

	if (fd < 0) {
		int saved = errno;
		if (saved == ELOOP)
			snprintf(message, size, "%s %s is a symbolic link, and simtop never writes through one; "
				 "remove it (rm %s)", what, path, path);
		else
			open_failed(path, what, saved, message, size);
		return refuse(-1, saved, message, size);
	}
	if (fstat(fd, &info) != 0) {
		int saved = errno;
		snprintf(message, size, "cannot open %s %s: %s", what, path, strerror(saved));
		return refuse(fd, saved, message, size);
	}
	if (!check_regular(path, &info, what, message, size) ||
	    !check_owner(path, &info, what, false, message, size) ||
	    !check_writers(path, &info, what, message, size))
		return refuse(fd, EPERM, message, size);
	return accept_open(fd);
}

int files_create_export(const char *path, bool overwrite, char *message, size_t size)
{
	int flags = O_WRONLY | OPEN_FLAGS | O_NOFOLLOW;
	int fd = overwrite ? open(path, flags) : open(path, flags | O_CREAT | O_EXCL, 0600);
	int saved = errno;
	struct stat info;

	if (fd < 0 && (saved == EEXIST || saved == ELOOP)) {
		bool known = lstat(path, &info) == 0;
		bool ask = known && saved == EEXIST && S_ISREG(info.st_mode);
		if (known && S_ISLNK(info.st_mode))
			snprintf(message, size, "%s is a symbolic link, and simtop never writes through one; "
				 "remove it or choose another name", path);
		else if (ask)
			snprintf(message, size, "%s exists", path);
		else
			snprintf(message, size, "%s is %s, not a regular file", path,
				 known ? kind_of(info.st_mode) : "no longer there");
		return refuse(-1, ask ? EEXIST : EPERM, message, size);
	}
	if (fd < 0) {
		open_failed(path, "the export", saved, message, size);
		return refuse(-1, saved, message, size);
	}
	bool refused = fstat(fd, &info) != 0;
	if (refused)
		snprintf(message, size, "cannot write the export %s: %s", path, strerror(errno));
	else
		refused = !check_regular(path, &info, "the export", message, size) ||
			  !check_owner(path, &info, "the export", false, message, size);
	if (!refused && overwrite && (ftruncate(fd, 0) != 0 || fchmod(fd, 0600) != 0)) {
		snprintf(message, size, "cannot write the export %s: %s", path, strerror(errno));
		refused = true;
	}
	return refused ? refuse(fd, EPERM, message, size) : accept_open(fd);
}

/* Move data to a larger buffer, wiping the old one: what is read may be a token. */
static char *grow_wiped(char *data, size_t *capacity, size_t used)
{
	size_t larger = *capacity < 65536 ? *capacity + 65536 : *capacity * 2;
	char *grown = xmalloc(larger);
	memcpy(grown, data, used);
	explicit_bzero(data, used);
	free(data);
	*capacity = larger;
	return grown;
}

char *files_read_all(int fd, size_t max, size_t *length)
{
	struct stat info;
	size_t used = 0;
	/* The size fstat tells, and one byte for the NUL and one more for the read that finds the
	 * end, so that a file that does not change is read without moving it. */
	size_t capacity = 4096;
	if (fstat(fd, &info) == 0 && info.st_size >= 0)
		capacity = (uintmax_t)info.st_size < max ? (size_t)info.st_size + 2 : max + 1;
	char *data = xmalloc(capacity);

	while (used < max) {
		if (used + 1 == capacity)
			data = grow_wiped(data, &capacity, used);
		size_t room = capacity - 1 - used;
		if (room > max - used)
			room = max - used;
		ssize_t got = read(fd, data + used, room);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			int error = errno;
			explicit_bzero(data, used);
			free(data);
			errno = error;
			return NULL;
		}
		if (got == 0)
			break;
		used += (size_t)got;
	}
	data[used] = '\0';
	*length = used;
	return data;
}

/* --- private directories and whole-file replacement --------------------------------------- */

bool files_make_directories(const char *directory, const char *what, char *message, size_t size)
{
	char *path = xstrdup(directory);
	bool ok = true;

	for (char *slash = path + 1; ok; slash++) {
		bool last = *slash == '\0';
		if (*slash != '/' && !last)
			continue;
		*slash = '\0';
		if (mkdir(path, 0700) != 0 && errno != EEXIST) {
			int saved = errno;
			snprintf(message, size, "cannot create %s %s: %s", what, path, strerror(saved));
			errno = saved;
			ok = false;
		}
		if (last)
			break;
		*slash = '/';
	}
	free(path);
	return ok;
}

int files_open_private_directory(const char *directory, const char *what, char *message, size_t size)
{
	struct stat info;
	char mode[8], owner[64];
	int fd;

	if (!files_make_directories(directory, what, message, size))
		return refuse(-1, errno, message, size);
	/* O_NOFOLLOW: a symbolic link planted where the directory should be would send the
	 * files elsewhere. What is checked below is the directory the files go to. */
	fd = open(directory, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		int saved = errno;
		/* Linux says ENOTDIR for a symbolic link under O_DIRECTORY | O_NOFOLLOW. */
		if (saved == ELOOP || (saved == ENOTDIR && lstat(directory, &info) == 0 && S_ISLNK(info.st_mode)))
			snprintf(message, size, "%s %s is a symbolic link, and simtop never writes through one; "
				 "remove it (rm %s)", what, directory, directory);
		else if (saved == ENOTDIR)
			snprintf(message, size, "%s %s is not a directory", what, directory);
		else
			snprintf(message, size, "cannot open %s %s: %s", what, directory, strerror(saved));
		return refuse(-1, saved == ELOOP || saved == ENOTDIR ? EPERM : saved, message, size);
	}
	if (fstat(fd, &info) != 0) {
		int saved = errno;
		snprintf(message, size, "cannot check %s %s: %s", what, directory, strerror(saved));
		return refuse(fd, saved, message, size);
	}
	mode_text(info.st_mode, mode, sizeof(mode));
	if (info.st_uid != geteuid()) {
		user_name(info.st_uid, owner, sizeof(owner));
		snprintf(message, size, "%s %s belongs to another user (%s), who could swap its files; "
			 "use a directory of your own", what, directory, owner);
		return refuse(fd, EPERM, message, size);
	}
	if (info.st_mode & (S_IWGRP | S_IWOTH)) {
		snprintf(message, size, "%s %s can be written to by other users (mode %s), who could swap "
			 "its files; run chmod go-w %s", what, directory, mode, directory);
		return refuse(fd, EPERM, message, size);
	}
	return fd;
}

/* The directory part of path ("." for a bare name) and its last component. */
static void split_path(const char *path, char **directory, char **name)
{
	const char *slash = strrchr(path, '/');

	if (!slash) {
		*directory = xstrdup(".");
		*name = xstrdup(path);
	} else {
		*directory = slash == path ? xstrdup("/") : xstrndup(path, (size_t)(slash - path));
		*name = xstrdup(slash + 1);
	}
}

static void replacement_end(struct files_replacement *replacement)
{
	if (replacement->fd >= 0)
		close(replacement->fd);
	if (replacement->directory_fd >= 0)
		close(replacement->directory_fd);
	free(replacement->path);
	free(replacement->name);
	free(replacement->temporary);
	*replacement = (struct files_replacement){ .fd = -1, .directory_fd = -1 };
}

/* Remove the temporary files of name that writers killed midway left behind (NAME.tmp-PID of
 * a process that is gone): at a million devices each is over 100 MB. A live writer's is kept. */
static void remove_abandoned(int directory_fd, const char *name)
{
	int fd = dup(directory_fd);
	DIR *directory = fd >= 0 ? fdopendir(fd) : NULL;
	if (!directory) {
		if (fd >= 0)
			close(fd);
		return;
	}
	size_t length = strlen(name);
	for (struct dirent *entry; (entry = readdir(directory));) {
		const char *tail = entry->d_name + length;
		int64_t pid;
		if (strncmp(entry->d_name, name, length) != 0 || strncmp(tail, ".tmp-", 5) != 0 ||
		    !util_parse_int64(tail + 5, &pid) || pid <= 0 || pid > INT32_MAX || pid == (int64_t)getpid())
			continue;
		if (kill((pid_t)pid, 0) != 0 && errno == ESRCH)
			unlinkat(directory_fd, entry->d_name, 0);
	}
	closedir(directory);
}

bool files_replace_begin(struct files_replacement *replacement, const char *path, const char *what,
			 char *message, size_t size)
{
	char *directory;

	*replacement = (struct files_replacement){ .fd = -1, .directory_fd = -1, .what = what };
	split_path(path, &directory, &replacement->name);
	replacement->path = xstrdup(path);
	if (!replacement->name[0] || strcmp(replacement->name, ".") == 0 || strcmp(replacement->name, "..") == 0) {
		snprintf(message, size, "%s %s names no file", what, path);
		text_clean_in_place(message, size);
		free(directory);
		replacement_end(replacement);
		return false;
	}
	replacement->directory_fd = files_open_private_directory(directory, "the directory", message, size);
	free(directory);
	if (replacement->directory_fd < 0) {
		replacement_end(replacement);
		return false;
	}
	remove_abandoned(replacement->directory_fd, replacement->name);
	/* One writer per process and path: the process id keeps two simtops apart. A file of
	 * that name left by a killed process whose id this one now has is removed first. */
	replacement->temporary = xasprintf("%s.tmp-%ld", replacement->name, (long)getpid());
	for (int attempt = 0; replacement->fd < 0 && attempt < 2; attempt++) {
		replacement->fd = openat(replacement->directory_fd, replacement->temporary,
					 O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (replacement->fd < 0 && errno == EEXIST && attempt == 0)
			unlinkat(replacement->directory_fd, replacement->temporary, 0);
		else if (replacement->fd < 0)
			break;
	}
	if (replacement->fd < 0) {
		snprintf(message, size, "cannot create a temporary file for %s %s: %s", what, path, strerror(errno));
		text_clean_in_place(message, size);
		replacement_end(replacement);
		return false;
	}
	return true;
}

bool files_replace_commit(struct files_replacement *replacement, char *message, size_t size)
{
	int fd = replacement->fd;

	replacement->fd = -1;
	/* The content must be on disk before the name points at it, or a crash could leave an
	 * empty file under the old name. */
	if (fsync(fd) != 0 || close(fd) != 0) {
		snprintf(message, size, "cannot write %s %s: %s", replacement->what, replacement->path,
			 strerror(errno));
		text_clean_in_place(message, size);
		files_replace_abort(replacement);
		return false;
	}
	if (renameat(replacement->directory_fd, replacement->temporary, replacement->directory_fd,
		     replacement->name) != 0) {
		snprintf(message, size, "cannot replace %s %s: %s", replacement->what, replacement->path,
			 strerror(errno));
		text_clean_in_place(message, size);
		files_replace_abort(replacement);
		return false;
	}
	/* So that the new name survives a crash too. A failure here cannot be undone (the rename
	 * happened), and the file is complete under either name. */
	fsync(replacement->directory_fd);
	replacement_end(replacement);
	return true;
}

void files_replace_abort(struct files_replacement *replacement)
{
	if (replacement->directory_fd >= 0 && replacement->temporary)
		unlinkat(replacement->directory_fd, replacement->temporary, 0);
	replacement_end(replacement);
}
