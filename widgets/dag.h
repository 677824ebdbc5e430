/* dag.h - a layered DAG widget: pipeline stages as boxes in columns, edges as line drawing, a node cursor. */
#ifndef PL_WIDGETS_DAG_H
#define PL_WIDGETS_DAG_H

#include "widget.h"

/*
 * struct wdag draws a directed acyclic graph left to right, for the
 * pipeline screen:
 *
 *     [✓ prepare]──┬──▶[◐ featurize]──┬──▶[… train]
 *                  │                  │
 *                  └──▶[✓ split]──────┘
 *
 * Layers come from the longest path from the sources; an edge that skips
 * layers runs through placeholder slots so it never crosses a box;
 * nodes in a layer are ordered by the mean position of their inputs to
 * keep lines short.  Edges of a layer share one vertical trunk in the
 * gap, so forks and joins draw as ┬ ┴ ├ ┤ ┼.  Node ids are the order of
 * wdag_add_node() calls.  A cycle (not expected from a pipeline) does
 * not hang or crash: the nodes on it go in a last layer and the edges
 * that close it are not drawn.
 *
 * Each node shows "[badge label]": badge is a short status glyph the
 * caller picks for the mode (e.g. "✓" if widgets_utf8(), else "ok"),
 * role its colour (WR_OK, WR_RUNNING, WR_FAILED, ...).  Strings are
 * copied and sanitized.  Lines are Unicode box drawing in UTF-8 mode,
 * "-|+>" in ASCII mode.  A graph larger than the widget scrolls to keep
 * the selected node in view.
 *
 * Keys: Up/k Down/j   previous / next node in the same layer
 *       Left/h Right/l  nearest node in the previous / next layer
 *       g G  first / last node      Enter  W_ACTIVATE
 * Mouse: click selects a node, double click activates.
 */

struct wdag;

struct wdag *wdag_new(WINDOW *win, int y, int x, int h, int w);
struct widget *wdag_widget(struct wdag *d);
/* Returns the new node's id, or -1 on OOM. badge may be NULL or "". */
int wdag_add_node(struct wdag *d, const char *label, const char *badge,
    int role);
/* Returns 0, or -1 for a bad id, a self-loop or OOM. */
int wdag_add_edge(struct wdag *d, int from, int to);
/* Live status change of a node (any string may be NULL: unchanged). */
int wdag_set_node(struct wdag *d, int id, const char *label,
    const char *badge, int role);
void wdag_clear(struct wdag *d);
int wdag_count(const struct wdag *d);

/* Selected node id, or -1 when empty. */
int wdag_selected(const struct wdag *d);
void wdag_select(struct wdag *d, int id);
/* Layer (column) of a node after layout, or -1. */
int wdag_layer(struct wdag *d, int id);

#endif
