/* display.h — the terminal: curses set-up and teardown, colours, keys, screen dumps.
 *
 * Headless mode (scripted tests) opens curses on /dev/null with a fixed size, so the program
 * keeps its in-memory screen and :save-display can dump it, while nothing is painted. */
#ifndef SIMTOP_DISPLAY_H
#define SIMTOP_DISPLAY_H

#include <stdbool.h>
#include <stddef.h>

/* Colour roles: _(ID, foreground, background, monochrome attribute). */
#define COLOR_ROLE_LIST(_) \
	_(TITLE,      COLOR_BLACK,  COLOR_CYAN,  A_REVERSE) \
	_(HEADER,     COLOR_CYAN,   -1,          A_BOLD) \
	_(CURSOR,     COLOR_BLACK,  COLOR_WHITE, A_REVERSE) \
	_(STATUS,     COLOR_BLACK,  COLOR_CYAN,  A_REVERSE) \
	_(ONLINE,     COLOR_GREEN,  -1,          A_NORMAL) \
	_(OFFLINE,    COLOR_BLUE,   -1,          A_NORMAL) \
	_(NEW,        COLOR_CYAN,   -1,          A_NORMAL) \
	_(TEST,       COLOR_MAGENTA, -1,         A_NORMAL) \
	_(MISALIGNED, COLOR_RED,    -1,          A_BOLD) \
	_(UNPAIRED,   COLOR_YELLOW, -1,          A_NORMAL) \
	_(ERROR,      COLOR_WHITE,  COLOR_RED,   A_REVERSE | A_BOLD) \
	_(MARKED,     COLOR_YELLOW, -1,          A_BOLD) \
	_(DIM,        COLOR_WHITE,  -1,          A_DIM)

enum color_role {
#define COLOR_ROLE_ENUM(id, fg, bg, mono) ROLE_##id,
	COLOR_ROLE_LIST(COLOR_ROLE_ENUM)
#undef COLOR_ROLE_ENUM
	ROLE_COUNT
};

struct display_options {
	bool headless;    /* no terminal: output to /dev/null, keys from a script */
	bool monochrome;  /* no colours (NO_COLOR, config) */
	bool mouse;       /* report clicks and the wheel (config mouse = true); off, the terminal
			   * keeps its own selection */
};

/* A mouse event, after display_read_key() returned KEY_MOUSE. */
enum display_mouse { DISPLAY_MOUSE_NONE, DISPLAY_MOUSE_CLICK, DISPLAY_MOUSE_WHEEL_UP, DISPLAY_MOUSE_WHEEL_DOWN };
enum display_mouse display_mouse_event(int *row, int *column);

/* Start curses. Installs util_die_hook so die() restores the terminal. */
void display_open(const struct display_options *options);
/* Restore the terminal. Safe to call twice. */
void display_close(void);

/* Descriptor to wait on for keys; -1 when headless. */
int display_input_fd(void);
/* The next key if one is waiting, else -1. KEY_RESIZE after a resize. */
int display_read_key(void);

/* True when the terminal is gone (an SSH session dropped, the window closed): the input
 * descriptor reports a hang-up. */
bool display_input_closed(void);

/* Put text on the terminal's clipboard with OSC 52 (xterm's "set selection"; tmux passes it
 * on with set-clipboard on, and SSH carries it like any output). Nothing is written headless.
 * The terminal says nothing back: whether it took the text is unknown. */
void display_clipboard(const char *text, size_t length);

/* Headless only: resize the virtual screen. */
void display_resize(int columns, int rows);

/* Attribute (colour pair or monochrome attribute) of a role. */
int display_attr(enum color_role role);

/* Write the text of the screen, one line per row, trailing blanks removed. */
bool display_save(const char *path, char *message, size_t size);

/* Write the screen as an SVG picture, colours and attributes included (for screenshots). */
bool display_save_svg(const char *path, char *message, size_t size);

#endif
