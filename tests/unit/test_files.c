/* test_files.c — what files.c opens, what it refuses at once, and what its messages say. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "audit.h"
#include "files.h"
#include "util.h"
#include "scratch.h"

/* Any user but the one running the tests: nobody. */
#define OTHER_UID 65534

static void assert_contains(const char *text, const char *part)
{
	if (!strstr(text, part))
		fail_msg("\"%s\" does not contain \"%s\"", text, part);
}

/* Create path holding text with that mode (whatever the umask). */
static void write_file(const char *path, const char *text, mode_t mode)
{
	FILE *file = fopen(path, "w");

	assert_non_null(file);
	fputs(text, file);
	assert_int_equal(fclose(file), 0);
	assert_int_equal(chmod(path, mode), 0);
}

/* files_open refuses path as trust asks; message holds every part (NULL-terminated). */
static void assert_refused(const char *path, int flags, enum files_trust trust, ...)
{
	char message[512];
	struct stat info;
	const char *part;
	va_list parts;

	assert_int_equal(files_open(path, flags, trust, "the file", &info, message, sizeof(message)), -1);
	assert_int_equal(errno, EPERM);
	va_start(parts, trust);
	while ((part = va_arg(parts, const char *)))
		assert_contains(message, part);
	va_end(parts);
}

static void assert_opens(const char *path, int flags, enum files_trust trust)
{
	char message[512] = "";
	struct stat info;
	int fd = files_open(path, flags, trust, "the file", &info, message, sizeof(message));

	if (fd < 0)
		fail_msg("%s refused: %s", path, message);
	/* Handed back blocking, and closed across exec. */
	assert_int_equal(fcntl(fd, F_GETFL) & O_NONBLOCK, 0);
	assert_true(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	assert_true(S_ISREG(info.st_mode));
	close(fd);
}

/* A FIFO nobody writes to, a directory, a device: refused at once, whatever the trust. A FIFO
 * opened blocking would hang here (alarm in main turns that into a failure). */
static void test_not_regular(void **state)
{
	(void)state;
	char *directory = make_temporary_directory("files");
	char *fifo = xasprintf("%s/fifo", directory);

	assert_int_equal(mkfifo(fifo, 0600), 0);
	for (int trust = FILES_REGULAR; trust <= FILES_SECRET; trust++) {
		assert_refused(fifo, O_RDONLY, trust, fifo, "is a FIFO, not a regular file", NULL);
		assert_refused(fifo, O_RDWR | O_APPEND, trust, "is a FIFO, not a regular file", NULL);
		assert_refused(directory, O_RDONLY, trust, directory, "is a directory, not a regular file", NULL);
		assert_refused(directory, O_RDWR, trust, "is a directory, not a regular file", NULL);
		assert_refused("/dev/null", O_RDONLY, trust, "/dev/null is a character device, not a regular file",
			       NULL);
	}
	free(fifo);
	remove_tree(directory);
	free(directory);
}

static void test_missing(void **state)
{
	(void)state;
	char message[512];
	struct stat info;

	for (int trust = FILES_REGULAR; trust <= FILES_SECRET; trust++) {
		assert_int_equal(files_open("/nonexistent/simtop", O_RDONLY, trust, "the file", &info, message,
					    sizeof(message)), -1);
		assert_int_equal(errno, ENOENT);
		assert_contains(message, "cannot open the file /nonexistent/simtop: No such file or directory");
	}
}

/* Group or others could change it: refused with the path, the mode and the fix. */
static void test_writable_by_others(void **state)
{
	(void)state;
	char *directory = make_temporary_directory("files");
	char *path = xasprintf("%s/config", directory);
	char *fix = xasprintf("run chmod go-w %s", path);

	write_file(path, "api_url = http://127.0.0.1:9\n", 0664);
	assert_refused(path, O_RDONLY, FILES_TRUSTED, path, "can be changed by other users", "mode 0664", fix,
		       NULL);
	assert_int_equal(chmod(path, 0646), 0);
	assert_refused(path, O_RDONLY, FILES_TRUSTED, "mode 0646", fix, NULL);
	/* Anyone may have written a CSV. */
	assert_opens(path, O_RDONLY, FILES_REGULAR);
	assert_int_equal(chmod(path, 0644), 0);
	assert_opens(path, O_RDONLY, FILES_TRUSTED);
	free(fix);
	free(path);
	remove_tree(directory);
	free(directory);
}

static void test_secret(void **state)
{
	(void)state;
	char *directory = make_temporary_directory("files");
	char *path = xasprintf("%s/token", directory);
	char *fix = xasprintf("run chmod 600 %s", path);

	write_file(path, "secret\n", 0644);
	assert_refused(path, O_RDONLY, FILES_SECRET, path, "readable by other users (mode 0644)", fix, NULL);
	/* One command fixes a file open to others both ways. */
	assert_int_equal(chmod(path, 0666), 0);
	assert_refused(path, O_RDONLY, FILES_SECRET, "readable by other users (mode 0666)", fix, NULL);
	assert_int_equal(chmod(path, 0620), 0);
	assert_refused(path, O_RDONLY, FILES_SECRET, "writable by other users (mode 0620)", fix, NULL);
	assert_int_equal(chmod(path, 0600), 0);
	assert_opens(path, O_RDONLY, FILES_SECRET);
	free(fix);
	free(path);
	remove_tree(directory);
	free(directory);
}

/* Another user's file is refused (as root, the test makes one by chown); root's is not. */
static void test_owner(void **state)
{
	(void)state;
	char *directory = make_temporary_directory("files");
	char *path = xasprintf("%s/config", directory);
	char *fix;

	/* root owns /etc/passwd, in a directory root owns: accepted for any user. */
	assert_opens("/etc/passwd", O_RDONLY, FILES_TRUSTED);
	write_file(path, "read_only = true\n", 0644);
	assert_opens(path, O_RDONLY, FILES_TRUSTED);
	if (geteuid() != 0) {
		free(path);
		remove_tree(directory);
		free(directory);
		skip();
	}
	fix = xasprintf("run chown root %s (as root)", path);
	assert_int_equal(chown(path, OTHER_UID, OTHER_UID), 0);
	assert_refused(path, O_RDONLY, FILES_TRUSTED, path, "belongs to another user", fix, NULL);
	assert_refused(path, O_RDONLY, FILES_SECRET, path, "belongs to another user", NULL);
	assert_opens(path, O_RDONLY, FILES_REGULAR);
	/* A directory of another user: its owner could swap the file. */
	assert_int_equal(chown(path, 0, 0), 0);
	assert_int_equal(chown(directory, OTHER_UID, OTHER_UID), 0);
	assert_refused(path, O_RDONLY, FILES_TRUSTED, "a directory of another user", NULL);
	free(fix);
	free(path);
	remove_tree(directory);
	free(directory);
}

/* Whoever can write to the directory can swap the file, unless the directory is sticky; the
 * directory checked is the one the file really is in. */
static void test_directory(void **state)
{
	(void)state;
	char *directory = make_temporary_directory("files");
	char *shared = xasprintf("%s/shared", directory);
	char *path = xasprintf("%s/shared/config", directory);
	char *link = xasprintf("%s/link", directory);
	char *fix = xasprintf("run chmod go-w %s", shared);

	assert_int_equal(mkdir(shared, 0700), 0);
	write_file(path, "read_only = true\n", 0644);
	assert_opens(path, O_RDONLY, FILES_TRUSTED);
	assert_int_equal(symlink(path, link), 0);
	assert_opens(link, O_RDONLY, FILES_TRUSTED);
	for (int i = 0; i < 3; i++) {
		static const mode_t modes[] = { 0777, 0770, 0707 };
		assert_int_equal(chmod(shared, modes[i]), 0);
		assert_refused(path, O_RDONLY, FILES_TRUSTED, path, "a directory other users can write to", fix,
			       NULL);
		/* Through a link from a safe directory: still the shared one that counts. */
		assert_refused(link, O_RDONLY, FILES_TRUSTED, link, shared, fix, NULL);
	}
	assert_opens(path, O_RDONLY, FILES_REGULAR);
	assert_int_equal(chmod(shared, 01777), 0);
	assert_opens(path, O_RDONLY, FILES_TRUSTED);
	free(fix);
	free(link);
	free(path);
	free(shared);
	remove_tree(directory);
	free(directory);
}

/* Files simtop writes: never through a link, 0600, only the user's own. */
static void test_own(void **state)
{
	(void)state;
	char *directory = make_temporary_directory("files");
	char *path = xasprintf("%s/log", directory);
	char *target = xasprintf("%s/target", directory);
	char message[512];
	mode_t mask = umask(0);
	int fd;

	fd = files_open_own(path, O_WRONLY | O_CREAT | O_APPEND, "the log", message, sizeof(message));
	umask(mask);
	assert_true(fd >= 0);
	assert_int_equal(fcntl(fd, F_GETFL) & O_NONBLOCK, 0);
	close(fd);
	assert_int_equal(file_mode(path), 0600);
	fd = files_open_own(path, O_WRONLY | O_CREAT | O_APPEND, "the log", message, sizeof(message));
	assert_true(fd >= 0);
	close(fd);

	assert_int_equal(chmod(path, 0620), 0);
	assert_int_equal(files_open_own(path, O_WRONLY | O_APPEND, "the log", message, sizeof(message)), -1);
	assert_contains(message, "mode 0620");
	assert_contains(message, "chmod go-w");
	assert_int_equal(unlink(path), 0);

	/* A link planted at the path: refused, and its target neither created nor written. */
	assert_int_equal(symlink(target, path), 0);
	assert_int_equal(files_open_own(path, O_WRONLY | O_CREAT | O_APPEND, "the log", message, sizeof(message)),
			 -1);
	assert_contains(message, "is a symbolic link");
	assert_int_equal(access(target, F_OK), -1);
	write_file(target, "", 0600);
	assert_int_equal(files_open_own(path, O_WRONLY | O_APPEND, "the log", message, sizeof(message)), -1);
	assert_int_equal(files_open_own(path, O_WRONLY | O_CREAT | O_EXCL, "the log", message, sizeof(message)), -1);
	assert_int_equal(errno, EEXIST);
	assert_int_equal(unlink(path), 0);

	/* The audit log goes through it. */
	assert_int_equal(symlink(target, path), 0);
	assert_null(audit_open(path, message, sizeof(message)));
	assert_contains(message, "the audit log");
	assert_contains(message, "symbolic link");
	assert_int_equal(unlink(path), 0);
	assert_int_equal(mkfifo(path, 0600), 0);
	assert_null(audit_open(path, message, sizeof(message)));
	assert_contains(message, "is a FIFO, a socket or a device, not a regular file");
	assert_int_equal(unlink(path), 0);

	if (geteuid() == 0) {
		/* Root's own files only: not even root trusts a log another user could have planted. */
		write_file(path, "", 0600);
		assert_int_equal(chown(path, OTHER_UID, OTHER_UID), 0);
		assert_int_equal(files_open_own(path, O_WRONLY | O_APPEND, "the log", message, sizeof(message)), -1);
		assert_contains(message, "belongs to another user");
		assert_null(audit_open(path, message, sizeof(message)));
	}
	free(target);
	free(path);
	remove_tree(directory);
	free(directory);
}

/* An export: created 0600, asked about when it exists, never written through a link, never
 * another user's file, and that one not even emptied. */
static void test_export(void **state)
{
	(void)state;
	char *directory = make_temporary_directory("files");
	char *path = xasprintf("%s/out.csv", directory);
	char *target = xasprintf("%s/target", directory);
	char message[512];
	struct stat info;
	mode_t mask = umask(0);
	int fd;

	fd = files_create_export(path, false, message, sizeof(message));
	umask(mask);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "old\n", 4), 4);
	close(fd);
	assert_int_equal(file_mode(path), 0600);

	/* It exists now: EEXIST says to ask; yes empties it and keeps it private. */
	assert_int_equal(files_create_export(path, false, message, sizeof(message)), -1);
	assert_int_equal(errno, EEXIST);
	assert_int_equal(chmod(path, 0644), 0);
	fd = files_create_export(path, true, message, sizeof(message));
	assert_true(fd >= 0);
	assert_int_equal(fstat(fd, &info), 0);
	assert_int_equal(info.st_size, 0);
	close(fd);
	assert_int_equal(file_mode(path), 0600);
	assert_int_equal(unlink(path), 0);

	/* A link at the path, dangling or not: refused both ways, the target untouched. */
	assert_int_equal(symlink(target, path), 0);
	assert_int_equal(files_create_export(path, false, message, sizeof(message)), -1);
	assert_int_not_equal(errno, EEXIST);
	assert_contains(message, "is a symbolic link");
	assert_int_equal(access(target, F_OK), -1);
	write_file(target, "keep\n", 0600);
	assert_int_equal(files_create_export(path, true, message, sizeof(message)), -1);
	assert_contains(message, "is a symbolic link");
	assert_int_equal(stat(target, &info), 0);
	assert_int_equal(info.st_size, 5);
	assert_int_equal(unlink(path), 0);

	/* A FIFO nobody reads: refused at once, not waited on. */
	assert_int_equal(mkfifo(path, 0600), 0);
	alarm(10);
	assert_int_equal(files_create_export(path, true, message, sizeof(message)), -1);
	assert_int_equal(files_create_export(path, false, message, sizeof(message)), -1);
	alarm(0);
	assert_contains(message, "is a FIFO, not a regular file");
	assert_int_equal(unlink(path), 0);

	if (geteuid() == 0) {
		write_file(path, "theirs\n", 0644);
		assert_int_equal(chown(path, OTHER_UID, OTHER_UID), 0);
		assert_int_equal(files_create_export(path, true, message, sizeof(message)), -1);
		assert_contains(message, "belongs to another user");
		assert_int_equal(stat(path, &info), 0);
		assert_int_equal(info.st_size, 7);
	}
	free(target);
	free(path);
	remove_tree(directory);
	free(directory);
}

/* A path is text from outside: its escapes never reach the terminal. */
static void test_clean(void **state)
{
	(void)state;
	char *directory = make_temporary_directory("files");
	char *path = xasprintf("%s/\033[2Jbad\033]0;title\007name", directory);
	char message[512];
	struct stat info;

	write_file(path, "x\n", 0666);
	assert_int_equal(files_open(path, O_RDONLY, FILES_TRUSTED, "the file", &info, message, sizeof(message)), -1);
	assert_null(strchr(message, '\033'));
	assert_null(strchr(message, '\007'));
	assert_contains(message, "badname");
	assert_int_equal(files_open("/nonexistent/\033[2J", O_RDONLY, FILES_REGULAR, "the file", &info, message,
				    sizeof(message)), -1);
	assert_null(strchr(message, '\033'));

	free(path);
	remove_tree(directory);
	free(directory);
}

/* A replacement removes what a writer killed midway left behind, and keeps a live writer's. */
static void test_replace_removes_abandoned(void **state)
{
	(void)state;
	char *directory = make_temporary_directory("files");
	assert_int_equal(chmod(directory, 0700), 0);
	char *path = xasprintf("%s/fleet-1", directory);
	pid_t child = fork();
	if (child == 0)
		_exit(0);
	assert_true(child > 0);
	int status;
	assert_int_equal(waitpid(child, &status, 0), child);
	char *abandoned = xasprintf("%s.tmp-%ld", path, (long)child);
	char *live = xasprintf("%s.tmp-%ld", path, (long)getppid());
	char *other = xasprintf("%s/fleet-2.tmp-%ld", directory, (long)child);
	write_file(abandoned, "half", 0600);
	write_file(live, "busy", 0600);
	write_file(other, "not ours", 0600);

	struct files_replacement replacement;
	char message[256];
	assert_true(files_replace_begin(&replacement, path, "the test file", message, sizeof(message)));
	assert_int_equal(write(replacement.fd, "new", 3), 3);
	assert_true(files_replace_commit(&replacement, message, sizeof(message)));
	assert_int_equal(access(abandoned, F_OK), -1);
	assert_int_equal(access(live, F_OK), 0);
	assert_int_equal(access(other, F_OK), 0);
	assert_int_equal(access(path, F_OK), 0);
	free(abandoned);
	free(live);
	free(other);
	free(path);
	remove_tree(directory);
	free(directory);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_not_regular),
		cmocka_unit_test(test_missing),
		cmocka_unit_test(test_writable_by_others),
		cmocka_unit_test(test_secret),
		cmocka_unit_test(test_owner),
		cmocka_unit_test(test_directory),
		cmocka_unit_test(test_own),
		cmocka_unit_test(test_export),
		cmocka_unit_test(test_clean),
		cmocka_unit_test(test_replace_removes_abandoned),
	};
	/* A blocking open would hang the test instead of failing it. */
	alarm(30);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
