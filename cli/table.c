/* table.c - aligned text tables for human CLI output. */
#include "config.h"
#include "table.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "buf.h"
#include "cli.h"
#include "utf8.h"
#include "xalloc.h"

/*
 * Cells are sanitized once, when added, into one text arena (a table of
 * 12,000 runs by 27 columns is 300,000 cells: no allocation per cell),
 * and their display widths are kept beside them.
 */
struct cell {
	size_t off;		/* in text */
	unsigned width;
	const char *sgr;	/* static SGR code or NULL */
};

struct table {
	size_t ncols, nrows, cap;
	struct cell *head;
	unsigned *flags;
	struct cell *cells;	/* nrows * ncols */
	struct buf text;
};

static void
add_text(struct table *t, struct cell *c, const char *s)
{
	size_t off = t->text.len;

	if (utf8_sanitize(&t->text, s, strlen(s), 0) < 0 ||
	    buf_putc(&t->text, '\0') < 0)
		xoom();
	c->off = off;
	c->width = (unsigned)utf8_width(t->text.p + off);
	c->sgr = NULL;
}

static const char *
text_of(const struct table *t, const struct cell *c)
{
	return t->text.p + c->off;
}

struct table *
table_new(size_t ncols, const char *const *headers)
{
	struct table *t = xcalloc(1, sizeof *t);

	t->ncols = ncols;
	t->head = xcalloc(ncols, sizeof *t->head);
	t->flags = xcalloc(ncols, sizeof *t->flags);
	for (size_t i = 0; i < ncols; i++)
		add_text(t, &t->head[i], headers[i]);
	return t;
}

void
table_set_flags(struct table *t, size_t col, unsigned flags)
{
	if (col < t->ncols)
		t->flags[col] = flags;
}

void
table_add_row(struct table *t, const char *const *cells)
{
	if (t->nrows == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 64;
		t->cells = xreallocarray(t->cells, t->cap * t->ncols,
		    sizeof *t->cells);
	}
	for (size_t i = 0; i < t->ncols; i++)
		add_text(t, &t->cells[t->nrows * t->ncols + i],
		    cells[i] ? cells[i] : "-");
	t->nrows++;
}

void
table_set_cell_color(struct table *t, size_t row, size_t col, const char *sgr)
{
	if (row < t->nrows && col < t->ncols)
		t->cells[row * t->ncols + col].sgr = sgr;
}

size_t
table_rows(const struct table *t)
{
	return t->nrows;
}

/* Ellipsis for cut cells: "…" when the locale can show it, else "~". */
static const char *
ellipsis(void)
{
	return utf8_width("\xe2\x80\xa6") == 1 && MB_CUR_MAX > 1 ?
	    "\xe2\x80\xa6" : "~";
}

static void
pad(FILE *f, size_t n)
{
	static const char spaces[] = "                                ";

	while (n > 0) {
		size_t k = n < sizeof spaces - 1 ? n : sizeof spaces - 1;

		fwrite(spaces, 1, k, f);
		n -= k;
	}
}

/* Prints one cell in w columns; the last column is not padded. */
static void
put_cell(FILE *f, const struct table *t, const struct cell *c, size_t w,
    unsigned flags, int last)
{
	const char *s = text_of(t, c);
	size_t sw = c->width, n = strlen(s);
	int cut = sw > w;

	if (cut) {
		n = utf8_prefix_for_width(s, w ? w - 1 : 0);
		{
			char *tmp = xstrndup(s, n);

			sw = utf8_width(tmp) + (w ? 1 : 0);
			free(tmp);
		}
	}
	if (flags & TABLE_RIGHT)
		pad(f, w > sw ? w - sw : 0);
	if (c->sgr)
		fputs(cli_color(c->sgr), f);
	fwrite(s, 1, n, f);
	if (cut && w)
		fputs(ellipsis(), f);
	if (c->sgr)
		fputs(CLI_RESET, f);
	if (!(flags & TABLE_RIGHT) && !last)
		pad(f, w > sw ? w - sw : 0);
}

void
table_print(struct table *t, FILE *f, size_t width)
{
	size_t *w = xcalloc(t->ncols, sizeof *w);
	size_t shown = t->ncols, total = 0, i, r;

	for (i = 0; i < t->ncols; i++) {
		w[i] = t->head[i].width;
		for (r = 0; r < t->nrows; r++)
			if (t->cells[r * t->ncols + i].width > w[i])
				w[i] = t->cells[r * t->ncols + i].width;
	}
	if (width > 0) {
		/* Cap very wide columns first, then drop from the right. */
		for (i = 0; i < t->ncols; i++)
			if (w[i] > 40)
				w[i] = t->head[i].width > 40 ? t->head[i].width :
				    40;
		for (i = 0; i < t->ncols; i++) {
			size_t add = w[i] + (i ? 2 : 0);

			if (i > 0 && total + add > width) {
				shown = i;
				break;
			}
			total += add;
		}
		if (shown == 1 && w[0] > width)
			w[0] = width;
	}
	fputs(CLI_BOLD, f);
	for (i = 0; i < shown; i++) {
		if (i)
			fputs("  ", f);
		put_cell(f, t, &t->head[i], w[i], t->flags[i] & TABLE_RIGHT,
		    i == shown - 1);
	}
	fputs(CLI_RESET, f);
	fputc('\n', f);
	for (r = 0; r < t->nrows; r++) {
		for (i = 0; i < shown; i++) {
			if (i)
				fputs("  ", f);
			put_cell(f, t, &t->cells[r * t->ncols + i], w[i],
			    t->flags[i], i == shown - 1);
		}
		fputc('\n', f);
	}
	if (shown < t->ncols)
		fprintf(f, "%s(%zu more column%s not shown: widen the "
		    "terminal or use --columns)%s\n", CLI_DIM,
		    t->ncols - shown, t->ncols - shown == 1 ? "" : "s",
		    CLI_RESET);
	free(w);
}

void
table_free(struct table *t)
{
	if (t == NULL)
		return;
	free(t->head);
	free(t->flags);
	free(t->cells);
	buf_free(&t->text);
	free(t);
}

size_t
table_term_width(void)
{
	struct winsize ws;
	const char *c = getenv("COLUMNS");

	if (c && atoi(c) > 0)
		return (size_t)atoi(c);
	if (!isatty(STDOUT_FILENO))
		return 0;
	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
		return ws.ws_col;
	return 80;
}
