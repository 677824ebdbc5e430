/* tabs.h - a one-row tab bar widget ("runs │ run 7f3a91c │ compare"). */
#ifndef PL_WIDGETS_TABS_H
#define PL_WIDGETS_TABS_H

#include "widget.h"

/*
 * struct wtabs shows labels (copied, sanitized when painted) with the
 * active one highlighted (WR_TAB_ACTIVE: reversed and bold without
 * colour).  Keys: 1..9 pick a tab; a mouse click on a label picks it;
 * both return W_CHANGED.  Switching with Tab/BTab is left to the screen
 * (Tab usually moves between panes): call wtabs_next().
 */

struct wtabs;

struct wtabs *wtabs_new(WINDOW *win, int y, int x, int w);
struct widget *wtabs_widget(struct wtabs *t);
/* Appends a tab; returns its index, or -1 on OOM. */
int wtabs_add(struct wtabs *t, const char *label);
int wtabs_set_label(struct wtabs *t, int i, const char *label);
/* Removes tab i; the active index follows. */
void wtabs_remove(struct wtabs *t, int i);
int wtabs_count(const struct wtabs *t);
void wtabs_set_active(struct wtabs *t, int i);
int wtabs_active(const struct wtabs *t);
/* Moves the active tab by dir (+1/-1), wrapping around. */
void wtabs_next(struct wtabs *t, int dir);

#endif
