/* hist.h - paired histogram widget: reference vs current distribution, bars side by side per bin. */
#ifndef PL_WIDGETS_HIST_H
#define PL_WIDGETS_HIST_H

#include <stdbool.h>
#include <stddef.h>

#include "widget.h"

/*
 * struct whist shows two distributions over the same bins, for drift:
 * per bin a reference bar (WR_REF, drawn with ▒ so it reads without
 * colour; ':' in ASCII) next to a current bar (WR_CUR, █ with ⅛-cell
 * tops; '#' in ASCII).  By default each distribution is normalised to
 * its own total, so samples of different sizes compare.  When bins do
 * not fit, adjacent bins are merged (summed).  The bottom row, if
 * labels are set, shows the left and right edge labels.
 */

struct whist;

struct whist *whist_new(WINDOW *win, int y, int x, int h, int w);
struct widget *whist_widget(struct whist *hg);

/* Copies nbins values of each; ref or cur may be NULL (one-sided).
 * Returns 0, -1 on OOM. */
int whist_set(struct whist *hg, const double *ref, const double *cur,
    size_t nbins);
void whist_set_normalize(struct whist *hg, bool on);
/* Edge labels under the bars (copied; NULL: none). */
void whist_set_labels(struct whist *hg, const char *left, const char *right);

/*
 * Pure layout for nbins bins in width cells: merge (bins per group,
 * >= 1), bar (cells per bar), gap (cells between groups, 0 or 1).
 * Returns the number of groups.
 */
int whist_layout(size_t nbins, int width, int *merge, int *bar, int *gap);

#endif
