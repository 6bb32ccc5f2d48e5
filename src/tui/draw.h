/* draw.h — width-aware text on the curses screen. Text must already be clean (text.h). */
#ifndef SIMTOP_DRAW_H
#define SIMTOP_DRAW_H

#include <stdbool.h>

#include "display.h"

/* Draw text at (row, column) in at most max_columns display columns, cutting at a character
 * boundary; a cut text ends in an ellipsis in its last column (trailing blanks cut away need
 * none). Returns the columns drawn. */
int draw_text(int row, int column, const char *text, int max_columns, int attr);

/* The ellipsis of cut texts: "…", or "~" for ASCII terminals. */
void draw_set_ascii(bool ascii);

/* Draw text and pad it with blanks to exactly columns display columns. */
void draw_cell(int row, int column, const char *text, int columns, int attr);

/* Blank from column to the end of the row, in attr. */
void draw_clear_to_end(int row, int column, int attr);

/* A full-screen message box: title, then lines of text (wrapped to the width). */
void draw_message_screen(const char *title, const char *text, int attr);

#endif
