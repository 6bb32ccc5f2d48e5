/* display.c — curses set-up, colours, keys and screen dumps. */
#include <curses.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <wchar.h>

#include "display.h"
#include "keys.h"
#include "util.h"

static SCREEN *screen;
static FILE *headless_output, *headless_input;
static bool headless, monochrome, is_open;
static int role_attr[ROLE_COUNT];

static void display_die_hook(void)
{
	display_close();
}

static void init_roles(void)
{
	static const struct {
		short foreground, background;
		int mono;
	} roles[ROLE_COUNT] = {
#define COLOR_ROLE_INIT(id, fg, bg, mono) [ROLE_##id] = { fg, bg, mono },
		COLOR_ROLE_LIST(COLOR_ROLE_INIT)
#undef COLOR_ROLE_INIT
	};
	bool colours = !monochrome && has_colors() && start_color() == OK;
	if (colours)
		use_default_colors();
	for (int role = 0; role < ROLE_COUNT; role++) {
		if (colours) {
			init_pair((short)(role + 1), roles[role].foreground, roles[role].background);
			role_attr[role] = COLOR_PAIR(role + 1);
			if (roles[role].mono & A_BOLD)
				role_attr[role] |= A_BOLD;
		} else {
			role_attr[role] = roles[role].mono;
		}
	}
}

void display_open(const struct display_options *options)
{
	headless = options->headless;
	monochrome = options->monochrome;
	if (headless) {
		headless_output = fopen("/dev/null", "w");
		headless_input = fopen("/dev/null", "r");
		if (!headless_output || !headless_input)
			die(1, "cannot open /dev/null: %s", strerror(errno));
		/* A known terminal type, so screen tests do not depend on the caller's TERM. */
		screen = newterm("xterm-256color", headless_output, headless_input);
		if (!screen)
			screen = newterm("xterm", headless_output, headless_input);
	} else {
		const char *term = getenv("TERM");
		if (!term || !*term)
			die(2, "TERM is not set: simtop needs a terminal (or use 'simtop list')");
		screen = newterm(NULL, stdout, stdin);
	}
	if (!screen)
		die(2, "cannot start the terminal (TERM=%s)", getenv("TERM") ? getenv("TERM") : "");
	set_term(screen);
	is_open = true;
	util_die_hook = display_die_hook;
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	curs_set(0);
	set_escdelay(25);
	if (options->mouse && !headless) {
		mousemask(BUTTON1_CLICKED | BUTTON1_PRESSED | BUTTON4_PRESSED | BUTTON5_PRESSED, NULL);
		mouseinterval(0);
	}
	init_roles();
	if (headless)
		resizeterm(24, 80);
}

void display_close(void)
{
	if (!is_open)
		return;
	is_open = false;
	endwin();
	delscreen(screen);
	screen = NULL;
	if (headless_output)
		fclose(headless_output);
	if (headless_input)
		fclose(headless_input);
	headless_output = headless_input = NULL;
}

int display_input_fd(void)
{
	return headless ? -1 : STDIN_FILENO;
}

int display_read_key(void)
{
	if (headless)
		return -1;
	wint_t character;
	int kind = get_wch(&character);
	if (kind == ERR)
		return -1;
	if (kind == KEY_CODE_YES || character < 128)
		return (int)character;
	return KEYS_CHARACTER | (int)character;
}

bool display_input_closed(void)
{
	if (headless)
		return false;
	struct pollfd input = { .fd = STDIN_FILENO, .events = POLLIN };
	return poll(&input, 1, 0) == 1 && (input.revents & (POLLHUP | POLLERR | POLLNVAL));
}

void display_resize(int columns, int rows)
{
	resizeterm(rows, columns);
}

int display_attr(enum color_role role)
{
	return role_attr[role];
}

bool display_save(const char *path, char *message, size_t size)
{
	FILE *file = fopen(path, "w");
	if (!file) {
		snprintf(message, size, "cannot write %s: %s", path, strerror(errno));
		return false;
	}
	/* A cell may hold a character and its combining marks: room for several per column. */
	size_t capacity = (size_t)COLS * 8;
	wchar_t *cells = xmalloc(sizeof(wchar_t) * (capacity + 1));
	char *bytes = xmalloc(capacity * MB_CUR_MAX + 1);
	for (int row = 0; row < LINES; row++) {
		int count = mvinnwstr(row, 0, cells, (int)capacity);
		if (count < 0)
			count = 0;
		cells[count] = L'\0';
		size_t length = wcstombs(bytes, cells, capacity * MB_CUR_MAX);
		if (length == (size_t)-1)
			length = 0;
		while (length > 0 && bytes[length - 1] == ' ')
			length--;
		fwrite(bytes, 1, length, file);
		fputc('\n', file);
	}
	free(cells);
	free(bytes);
	if (fclose(file) != 0) {
		snprintf(message, size, "cannot write %s: %s", path, strerror(errno));
		return false;
	}
	return true;
}

/* --- SVG screenshots ------------------------------------------------------------------------ */

#define SVG_CELL_WIDTH 8.43
#define SVG_CELL_HEIGHT 18
#define SVG_FONT_SIZE 14

static const char *svg_colour(short colour, bool foreground)
{
	static const char *const palette[8] = { "#1d1f21", "#cc6666", "#8fbf5f", "#e0b050",
						"#6fa0d0", "#b294bb", "#70c0b1", "#e6e6e6" };
	if (colour >= 0 && colour < 8)
		return palette[colour];
	return foreground ? "#c5c8c6" : "#1d1f21";
}

static void svg_escape(FILE *file, const char *text)
{
	for (; *text; text++) {
		switch (*text) {
		case '&': fputs("&amp;", file); break;
		case '<': fputs("&lt;", file); break;
		case '>': fputs("&gt;", file); break;
		default: fputc(*text, file);
		}
	}
}

bool display_save_svg(const char *path, char *message, size_t size)
{
	FILE *file = fopen(path, "w");
	if (!file) {
		snprintf(message, size, "cannot write %s: %s", path, strerror(errno));
		return false;
	}
	double width = COLS * SVG_CELL_WIDTH, height = LINES * SVG_CELL_HEIGHT;
	fprintf(file, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%d\" "
		"font-family=\"DejaVu Sans Mono, monospace\" font-size=\"%d\">\n"
		"<rect width=\"100%%\" height=\"100%%\" fill=\"%s\"/>\n",
		width, (int)height, SVG_FONT_SIZE, svg_colour(-1, false));
	for (int row = 0; row < LINES; row++) {
		for (int column = 0; column < COLS;) {
			cchar_t cell;
			wchar_t text[CCHARW_MAX + 1] = { 0 };
			attr_t attributes = 0;
			short pair = 0;
			if (mvin_wch(row, column, &cell) == ERR || getcchar(&cell, text, &attributes, &pair, NULL) == ERR) {
				column++;
				continue;
			}
			short foreground = -1, background = -1;
			if (pair > 0)
				pair_content(pair, &foreground, &background);
			if (attributes & A_REVERSE) {
				short swap = foreground;
				foreground = background < 0 ? 0 : background;
				background = swap < 0 ? 7 : swap;
			}
			int cells = text[0] ? wcwidth(text[0]) : 1;
			if (cells < 1)
				cells = 1;
			double x = column * SVG_CELL_WIDTH, y = row * SVG_CELL_HEIGHT;
			if (background >= 0)
				fprintf(file, "<rect x=\"%.2f\" y=\"%.0f\" width=\"%.2f\" height=\"%d\" fill=\"%s\"/>\n",
					x, y, cells * SVG_CELL_WIDTH + 0.5, SVG_CELL_HEIGHT, svg_colour(background, false));
			char bytes[64];
			size_t length = wcstombs(bytes, text, sizeof(bytes) - 1);
			if (length != (size_t)-1 && length > 0 && !(length == 1 && bytes[0] == ' ')) {
				bytes[length] = '\0';
				fprintf(file, "<text x=\"%.2f\" y=\"%.1f\" fill=\"%s\"%s>", x, y + SVG_CELL_HEIGHT * 0.75,
					svg_colour(foreground, true), (attributes & A_BOLD) ? " font-weight=\"bold\"" : "");
				svg_escape(file, bytes);
				fputs("</text>\n", file);
			}
			column += cells;
		}
	}
	fputs("</svg>\n", file);
	if (fclose(file) != 0) {
		snprintf(message, size, "cannot write %s: %s", path, strerror(errno));
		return false;
	}
	return true;
}

void display_clipboard(const char *text, size_t length)
{
	if (headless || !is_open)
		return;
	char *encoded = util_base64(text, length);
	/* Between curses' updates: the sequence moves no cursor and draws nothing. */
	fflush(stdout);
	fprintf(stdout, "\033]52;c;%s\a", encoded);
	fflush(stdout);
	free(encoded);
}

enum display_mouse display_mouse_event(int *row, int *column)
{
	MEVENT event;
	if (getmouse(&event) != OK)
		return DISPLAY_MOUSE_NONE;
	*row = event.y;
	*column = event.x;
	if (event.bstate & BUTTON4_PRESSED)
		return DISPLAY_MOUSE_WHEEL_UP;
	if (event.bstate & BUTTON5_PRESSED)
		return DISPLAY_MOUSE_WHEEL_DOWN;
	if (event.bstate & (BUTTON1_CLICKED | BUTTON1_PRESSED))
		return DISPLAY_MOUSE_CLICK;
	return DISPLAY_MOUSE_NONE;
}
