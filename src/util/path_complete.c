/* path_complete.c — the names of a directory that complete a typed path. */
#include "path_complete.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "text.h"
#include "util.h"

static int compare_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A name the prompt can show and take back unchanged. */
static bool is_clean(const char *name)
{
	char *cleaned = text_clean(name, strlen(name));
	bool clean = strcmp(cleaned, name) == 0;
	free(cleaned);
	return clean;
}

static void add_name(struct path_completion *completion, size_t *capacity, char *name)
{
	completion->names = xgrow(completion->names, capacity, completion->count + 1, sizeof(*completion->names));
	completion->names[completion->count++] = name;
}

void path_complete(const char *typed, struct path_completion *completion)
{
	*completion = (struct path_completion){ 0 };
	size_t capacity = 0;
	const char *slash = strrchr(typed, '/');
	const char *base = slash ? slash + 1 : typed;
	size_t base_length = strlen(base);
	completion->base = base_length;
	if (strcmp(typed, "~") == 0) {
		add_name(completion, &capacity, xstrdup("~/"));
		completion->common = 2;
		return;
	}

	char *directory_typed = slash ? xstrndup(typed, (size_t)(slash - typed) + 1) : xstrdup("./");
	char *directory = util_expand_home(directory_typed);
	free(directory_typed);
	DIR *listing = opendir(directory);
	free(directory);
	if (!listing) {
		completion->error = errno;
		return;
	}
	for (struct dirent *entry; (entry = readdir(listing));) {
		const char *name = entry->d_name;
		if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
			continue;
		if (name[0] == '.' && base[0] != '.')
			continue;
		if (strncmp(name, base, base_length) != 0 || !is_clean(name))
			continue;
		/* Follow a symbolic link: one to a directory is entered like the directory. */
		struct stat info;
		bool is_directory = fstatat(dirfd(listing), name, &info, 0) == 0 && S_ISDIR(info.st_mode);
		add_name(completion, &capacity, xasprintf("%s%s", name, is_directory ? "/" : ""));
	}
	closedir(listing);
	if (completion->count == 0)
		return;
	qsort(completion->names, completion->count, sizeof(*completion->names), compare_names);
	/* Sorted, the first and the last differ soonest. */
	const char *first = completion->names[0], *last = completion->names[completion->count - 1];
	size_t common = 0;
	while (first[common] && first[common] == last[common])
		common++;
	/* Never half a UTF-8 character. */
	while (common > 0 && common < strlen(first) && ((unsigned char)first[common] & 0xC0) == 0x80)
		common--;
	completion->common = common;
}

void path_complete_free(struct path_completion *completion)
{
	for (size_t i = 0; i < completion->count; i++)
		free(completion->names[i]);
	free(completion->names);
	*completion = (struct path_completion){ 0 };
}
