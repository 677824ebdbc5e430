/* table.c - aligned text tables for human CLI output. */
#include "config.h"
#include "table.h"

#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <stdio.h>
#include <unistd.h>

#include "buf.h"
#include "cli.h"
#include "utf8.h"
#include "xalloc.h"

struct table {
	size_t ncols, nrows, cap;
	char **head;
	unsigned *flags;
	char **cells;		/* nrows * ncols, sanitized */
	const char **colors;	/* nrows * ncols, static SGR strings or NULL */
};

static char *
clean(const char *s)
{
	struct buf b = BUF_INIT;

	if (utf8_sanitize(&b, s, strlen(s), 0) < 0)
		xoom();
	return b.p ? buf_detach(&b) : xstrdup("");
}

struct table *
table_new(size_t ncols, const char *const *headers)
{
	struct table *t = xcalloc(1, sizeof *t);

	t->ncols = ncols;
	t->head = xcalloc(ncols, sizeof *t->head);
	t->flags = xcalloc(ncols, sizeof *t->flags);
	for (size_t i = 0; i < ncols; i++)
		t->head[i] = clean(headers[i]);
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
		t->cap = t->cap ? t->cap * 2 : 16;
		t->cells = xreallocarray(t->cells, t->cap * t->ncols,
		    sizeof *t->cells);
		t->colors = xreallocarray(t->colors, t->cap * t->ncols,
		    sizeof *t->colors);
	}
	for (size_t i = 0; i < t->ncols; i++) {
		t->cells[t->nrows * t->ncols + i] =
		    clean(cells[i] ? cells[i] : "-");
		t->colors[t->nrows * t->ncols + i] = NULL;
	}
	t->nrows++;
}

void
table_set_cell_color(struct table *t, size_t row, size_t col, const char *sgr)
{
	if (row < t->nrows && col < t->ncols)
		t->colors[row * t->ncols + col] = sgr;
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
put_cell(FILE *f, const char *s, size_t w, unsigned flags, const char *sgr)
{
	size_t sw = utf8_width(s), n = strlen(s), pad;
	int cut = sw > w;

	if (cut) {
		n = utf8_prefix_for_width(s, w ? w - 1 : 0);
		sw = 0;
		{
			char *tmp = xstrndup(s, n);
			sw = utf8_width(tmp) + (w ? 1 : 0);
			free(tmp);
		}
	}
	pad = w > sw ? w - sw : 0;
	if (flags & TABLE_RIGHT)
		fprintf(f, "%*s", (int)pad, "");
	if (sgr)
		fputs(cli_color(sgr), f);
	fwrite(s, 1, n, f);
	if (cut && w)
		fputs(ellipsis(), f);
	if (sgr)
		fputs(CLI_RESET, f);
	if (!(flags & TABLE_RIGHT))
		fprintf(f, "%*s", (int)pad, "");
}

void
table_print(struct table *t, FILE *f, size_t width)
{
	size_t *w = xcalloc(t->ncols, sizeof *w);
	size_t shown = t->ncols, total = 0, i, r;

	for (i = 0; i < t->ncols; i++) {
		w[i] = utf8_width(t->head[i]);
		for (r = 0; r < t->nrows; r++) {
			size_t cw = utf8_width(t->cells[r * t->ncols + i]);
			if (cw > w[i])
				w[i] = cw;
		}
	}
	if (width > 0) {
		/* Cap very wide columns first, then drop from the right. */
		for (i = 0; i < t->ncols; i++)
			if (w[i] > 40 && w[i] > utf8_width(t->head[i]))
				w[i] = 40 > utf8_width(t->head[i]) ? 40 :
				    utf8_width(t->head[i]);
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
	for (i = 0; i < shown; i++) {
		if (i)
			fputs("  ", f);
		fputs(CLI_BOLD, f);
		if (i == shown - 1 && !(t->flags[i] & TABLE_RIGHT) &&
		    utf8_width(t->head[i]) <= w[i])
			fputs(t->head[i], f);
		else
			put_cell(f, t->head[i], w[i], t->flags[i] & TABLE_RIGHT,
			    NULL);
		fputs(CLI_RESET, f);
	}
	fputc('\n', f);
	for (r = 0; r < t->nrows; r++) {
		for (i = 0; i < shown; i++) {
			if (i)
				fputs("  ", f);
			/* The last column is not padded on the right. */
			if (i == shown - 1 && !(t->flags[i] & TABLE_RIGHT) &&
			    utf8_width(t->cells[r * t->ncols + i]) <= w[i]) {
				const char *sgr = t->colors[r * t->ncols + i];

				if (sgr)
					fputs(cli_color(sgr), f);
				fputs(t->cells[r * t->ncols + i], f);
				if (sgr)
					fputs(CLI_RESET, f);
				continue;
			}
			put_cell(f, t->cells[r * t->ncols + i], w[i],
			    t->flags[i], t->colors[r * t->ncols + i]);
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
	for (size_t i = 0; i < t->ncols; i++)
		free(t->head[i]);
	for (size_t i = 0; i < t->nrows * t->ncols; i++)
		free(t->cells[i]);
	free(t->head);
	free(t->flags);
	free(t->cells);
	free(t->colors);
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
