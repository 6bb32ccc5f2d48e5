/* draw.c — width-aware text on the curses screen. */
#include <curses.h>
#include <string.h>

#include "draw.h"
#include "text.h"

static const char *ellipsis = "\u2026";

void draw_set_ascii(bool ascii)
{
	ellipsis = ascii ? "~" : "\u2026";
}

int draw_text(int row, int column, const char *text, int max_columns, int attr)
{
	if (max_columns <= 0 || column >= COLS)
		return 0;
	if (column + max_columns > COLS)
		max_columns = COLS - column;
	int used = 0;
	size_t bytes = text_fit(text, max_columns, &used);
	/* Cut: the last column says so, unless only blanks were left out. */
	bool cut = text[bytes] != '\0' && text[bytes + strspn(text + bytes, " ")] != '\0';
	if (cut)
		bytes = text_fit(text, max_columns - 1, &used);
	attrset(attr);
	mvaddnstr(row, column, text, (int)bytes);
	if (cut) {
		addstr(ellipsis);
		used++;
	}
	attrset(A_NORMAL);
	return used;
}

void draw_cell(int row, int column, const char *text, int columns, int attr)
{
	int used = draw_text(row, column, text, columns, attr);
	attrset(attr);
	for (int x = column + used; x < column + columns && x < COLS; x++)
		mvaddch(row, x, ' ');
	attrset(A_NORMAL);
}

void draw_clear_to_end(int row, int column, int attr)
{
	if (column < COLS)
		draw_cell(row, column, "", COLS - column, attr);
}

/* Wrap text at spaces into lines of at most width columns; returns the next row. */
static int draw_wrapped(int row, int column, int width, const char *text, int attr)
{
	const char *line = text;
	while (*line && row < LINES - 1) {
		const char *newline = strchr(line, '\n');
		size_t line_length = newline ? (size_t)(newline - line) : strlen(line);
		char buffer[1024];
		if (line_length >= sizeof(buffer))
			line_length = sizeof(buffer) - 1;
		memcpy(buffer, line, line_length);
		buffer[line_length] = '\0';
		const char *part = buffer;
		do {
			size_t fit = text_fit(part, width, NULL);
			if (fit < strlen(part)) {
				size_t cut = fit;
				while (cut > 0 && part[cut] != ' ')
					cut--;
				if (cut > 0)
					fit = cut;
			}
			char piece[1024];
			memcpy(piece, part, fit);
			piece[fit] = '\0';
			draw_text(row++, column, piece, width, attr);
			part += fit;
			while (*part == ' ')
				part++;
		} while (*part && row < LINES - 1);
		line += line_length;
		if (*line == '\n')
			line++;
	}
	return row;
}

void draw_message_screen(const char *title, const char *text, int attr)
{
	erase();
	int width = COLS > 84 ? 80 : COLS - 4;
	int column = (COLS - width) / 2;
	int row = LINES > 12 ? LINES / 4 : 1;
	draw_cell(row++, column, title, width, attr);
	row++;
	draw_wrapped(row, column, width, text, A_NORMAL);
}
