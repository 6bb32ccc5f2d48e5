/* demo.c — run a simtop-emu beside simtop for the demo. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

#include "demo.h"
#include "util.h"

static pid_t emulator_pid = -1;

#ifndef SIMTOP_BINDIR
#error "SIMTOP_BINDIR, the bindir simtop is configured for, comes from Makefile.am"
#endif

/* DIRECTORY/simtop-emu when it is there to run (caller frees), else NULL. */
static char *emulator_in(const char *directory)
{
	char *path = xasprintf("%s/simtop-emu", directory);
	if (access(path, X_OK) == 0)
		return path;
	free(path);
	return NULL;
}

/* The simtop-emu beside this executable (a build tree, or wherever simtop was installed), else
 * the one in the configured bindir (a simtop copied elsewhere), else the first on PATH, of
 * which an empty or relative entry (the current directory) is skipped. NULL when there is none,
 * with where it looked in message. Caller frees. */
static char *emulator_path(char *message, size_t size)
{
	char self[PATH_MAX];
	const char *own_directory = NULL;  /* NULL when /proc does not say */
	ssize_t length = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (length > 0) {
		self[length] = '\0';
		char *slash = strrchr(self, '/');
		if (slash) {
			*slash = '\0';
			own_directory = self;
		}
	}
	char *path = own_directory ? emulator_in(own_directory) : NULL;
	bool configured_elsewhere = !own_directory || strcmp(own_directory, SIMTOP_BINDIR) != 0;
	if (!path && configured_elsewhere)
		path = emulator_in(SIMTOP_BINDIR);

	const char *search = getenv("PATH");
	char *directories = xstrdup(search ? search : "");
	char *state = NULL;
	for (char *directory = strtok_r(directories, ":", &state); directory && !path;
	     directory = strtok_r(NULL, ":", &state)) {
		if (directory[0] == '/')
			path = emulator_in(directory);
	}
	free(directories);
	if (path)
		return path;

	const char *beside = !own_directory ? "the directory of simtop" : *own_directory ? own_directory : "/";
	if (configured_elsewhere)
		snprintf(message, size, "--demo runs simtop-emu, which is in neither %s nor %s, nor on PATH: "
			 "install it beside simtop", beside, SIMTOP_BINDIR);
	else
		snprintf(message, size, "--demo runs simtop-emu, which is neither in %s nor on PATH: "
			 "install it beside simtop", beside);
	return NULL;
}

/* The emulator's environment: only what a program needs to run, so no EMNIFY_* variable, no
 * token and no proxy setting of the operator's reaches another process's /proc/PID/environ.
 * The sanitizers' settings pass, for test builds. Called in the child, after fork. */
static char **emulator_environment(void)
{
	static const char *const kept[] = { "PATH", "LANG", "LC_ALL", "LC_CTYPE", "TZ", "TMPDIR",
					    "ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS" };
	static char *environment[ARRAY_SIZE(kept) + 1];
	size_t count = 0;

	for (size_t i = 0; i < ARRAY_SIZE(kept); i++) {
		size_t length = strlen(kept[i]);
		for (char **variable = environ; *variable; variable++) {
			if (strncmp(*variable, kept[i], length) == 0 && (*variable)[length] == '=') {
				environment[count++] = *variable;
				break;
			}
		}
	}
	environment[count] = NULL;
	return environment;
}

bool demo_start(long devices, char **base_url, char *message, size_t size)
{
	char *path = emulator_path(message, size);
	if (!path)
		return false;
	int pipe_fds[2];
	if (pipe(pipe_fds) != 0) {
		snprintf(message, size, "cannot start the demo emulator: %s", strerror(errno));
		free(path);
		return false;
	}
	char count[32], seed[32];
	snprintf(count, sizeof(count), "%ld", devices);
	snprintf(seed, sizeof(seed), "%d", 7);
	pid_t parent = getpid();
	pid_t pid = fork();
	if (pid < 0) {
		snprintf(message, size, "cannot start the demo emulator: %s", strerror(errno));
		free(path);
		return false;
	}
	if (pid == 0) {
		/* The emulator must not outlive simtop, even after kill -9. */
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		if (getppid() != parent)
			_exit(1);
		dup2(pipe_fds[1], STDOUT_FILENO);
		close(pipe_fds[0]);
		close(pipe_fds[1]);
		int null_fd = open("/dev/null", O_WRONLY);
		if (null_fd >= 0)
			dup2(null_fd, STDERR_FILENO);
		environ = emulator_environment();
		execl(path, "simtop-emu", "--port", "0", "--devices", count, "--seed", seed,
		       "--latency", "20", (char *)NULL);
		_exit(127);
	}
	close(pipe_fds[1]);
	emulator_pid = pid;
	FILE *output = fdopen(pipe_fds[0], "r");
	char line[64] = "";
	bool got_port = output && fgets(line, sizeof(line), output) != NULL;
	if (output)
		fclose(output);
	long port = got_port ? strtol(line, NULL, 10) : 0;
	if (port <= 0 || port > 65535) {
		demo_stop();
		snprintf(message, size, "the demo emulator (%s) did not start", path);
		free(path);
		return false;
	}
	free(path);
	*base_url = xasprintf("http://127.0.0.1:%ld", port);
	return true;
}

void demo_stop(void)
{
	if (emulator_pid <= 0)
		return;
	kill(emulator_pid, SIGTERM);
	waitpid(emulator_pid, NULL, 0);
	emulator_pid = -1;
}
