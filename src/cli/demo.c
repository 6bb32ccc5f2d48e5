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

/* simtop-emu from the directory of this executable, so a build tree works without install. */
static char *emulator_path(void)
{
	char self[PATH_MAX];
	ssize_t length = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (length > 0) {
		self[length] = '\0';
		char *slash = strrchr(self, '/');
		if (slash) {
			*slash = '\0';
			char *path = xasprintf("%s/simtop-emu", self);
			if (access(path, X_OK) == 0)
				return path;
			free(path);
		}
	}
	return xstrdup("simtop-emu");
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
	int pipe_fds[2];
	if (pipe(pipe_fds) != 0) {
		snprintf(message, size, "cannot start the demo emulator: %s", strerror(errno));
		return false;
	}
	char *path = emulator_path();
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
		execlp(path, "simtop-emu", "--port", "0", "--devices", count, "--seed", seed,
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
		snprintf(message, size, "the demo emulator (%s) did not start: is simtop-emu built and installed beside simtop?", path);
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
