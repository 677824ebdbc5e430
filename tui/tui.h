/* tui.h - the TUI's internal interfaces: the app (loop, prompt, status), screens and keymaps. */
#ifndef PL_TUI_TUI_H
#define PL_TUI_TUI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "plumb.h"
#include "requests.h"
#include "tui-main.h"
#include "status.h"
#include "widget.h"

struct app;
struct screen;

/* A ":" command a screen understands (help shows usage and help). */
struct cmd_spec {
	const char *verb;		/* "filter" */
	const char *usage;		/* ":filter EXPR" */
	const char *help;		/* what it does */
};

/* One entry of a screen's status bar. */
struct hint_spec {
	enum request req;
	const char *label;
};

/*
 * A screen is one full-screen view (runs, run, compare, pipeline).
 * Screens live on a stack: Enter pushes, Esc pops.  Only the top screen
 * paints, gets keys and ticks.  Every slot but name/draw/destroy is
 * optional.
 */
struct screen_ops {
	const char *name;		/* keymap name: "runs", "run", ... */
	/* Place widgets for the app's current size (after push and resize). */
	void (*layout)(struct screen *s);
	/* Paint dirty widgets (all when force) into the app window. */
	void (*draw)(struct screen *s, bool force);
	/* A request (key already mapped); returns 1 if used. key is the raw
	 * key that produced it (0 for a command). */
	int (*request)(struct screen *s, enum request req, int key);
	/* A mouse event (screen coordinates); returns 1 if used. */
	int (*mouse)(struct screen *s, const MEVENT *ev);
	/* Another process changed the store (data_version moved). */
	void (*reload)(struct screen *s);
	/* Called about every second; returns 1 while the screen shows
	 * something live (a running run), which keeps the 1 s tick going. */
	int (*tick)(struct screen *s);
	/* Deferred work (e.g. the full run list after a first screenful),
	 * called when no key is waiting while s->idle_work is set. */
	void (*idle)(struct screen *s);
	/* A child process fd the app should poll (or -1), and its handler. */
	int (*child_fd)(struct screen *s);
	void (*child_ready)(struct screen *s);
	/* Key hints for the status bar: requests with a short label; the
	 * keys come from the keymap (a request with no key on this screen
	 * is left out), so the bar cannot show a key that does nothing. */
	const struct hint_spec *(*hints)(struct screen *s, int *n);
	/* The ":" commands of this screen (commands.c looks them up here
	 * on the top screen, then on the home screen) and their handler,
	 * called only with a verb of the table; returns 1 when handled. */
	const struct cmd_spec *commands;
	size_t ncommands;
	int (*command)(struct screen *s, const char *verb, const char *arg);
	/* Runs chosen on this screen (marked, else cursor and next) for
	 * :compare; ids copied into out, up to max. */
	size_t (*selection)(struct screen *s, char out[][PL_ID_LEN + 1],
	    size_t max);
	void (*destroy)(struct screen *s);
};

struct screen {
	const struct screen_ops *ops;
	struct app *app;
	struct screen *below;		/* the screen Esc returns to */
	bool dirty;			/* repaint everything next pass */
	bool idle_work;			/* ops->idle has work to do */
	int64_t stamp;			/* the store's change stamp when it
					 * last loaded (app.c) */
};

/* ---- the app (app.c) ------------------------------------------------- */

struct app {
	pl_store *st;
	WINDOW *win;			/* stdscr: screens paint here */
	int h, w;
	struct wstatus *status;		/* last row */
	struct screen *top;
	struct screen *hints_for;	/* whose key hints the bar shows */
	bool quit;
	bool full;			/* clear and repaint everything */
	int64_t data_version;
	size_t firing;			/* alerts firing (not silenced) */
	int64_t last_badge;		/* when the badge was last read */
	char user_host[128];
	/* the prompt (command mode, filter, find), on the last row */
	struct winput *input;
	bool prompting;
	/* called on W_CHANGED/W_SUBMIT/W_CANCEL; returns 1 to keep the
	 * prompt open (e.g. a bad filter). */
	int (*prompt_cb)(struct screen *s, const char *text, unsigned ev);
	struct screen *prompt_owner;
	char *prompt_err;		/* error shown above the prompt */
	size_t prompt_err_col;		/* 1-based caret column, 0: none */
	int prompt_w;			/* width of the prompt text */
	/* help overlay */
	struct whelp *help;
	/* bench timing (PLUMB_TUI_BENCH=FILE) */
	FILE *bench;
};

/* Pushes s (allocated by a screen constructor) on top. */
void app_push(struct app *a, struct screen *s);
/* Pops and frees the top screen; quitting when it was the last. */
void app_pop(struct app *a);
/* Opens the help overlay for the top screen. */
void app_help(struct app *a);
/* Replaces the whole stack by the runs screen (":runs"). */
void app_home(struct app *a);
/* Status line messages (never stderr while the screen is up). */
void app_error(struct app *a, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void app_info(struct app *a, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Opens the prompt on the last row with text prefilled. */
void app_prompt(struct app *a, struct screen *owner, const char *prompt,
    const char *text, int (*cb)(struct screen *, const char *, unsigned));
/* Shows msg with a caret at 1-based column col (0: none) above the
 * prompt; NULL clears it. */
void app_prompt_error(struct app *a, const char *msg, size_t col);
/* Rows available to screens: [1, h - 1) (row 0 is the header line). */
int app_body_h(const struct app *a);
/* Paints the header line "plumb ▸ crumbs ... right". */
void app_header(struct app *a, const char *crumbs, const char *right);
/* Runs a ":command"; returns 1 if known. */
int app_command(struct app *a, const char *cmd);
/* clipboard.c: puts text on the user's clipboard (OSC 52) and says so
 * on the status line ("copied WHAT: TEXT"); 0, or -1. */
int app_yank(struct app *a, const char *text, const char *what);
/* pager.c: shows file in $PAGER (default less) with the screen
 * suspended; 0, or -1 with the reason on the status line. */
int app_page_file(struct app *a, const char *path);
/* Milliseconds of a monotonic clock. */
int64_t app_now_ms(void);
/* Wall clock in ms. */
int64_t app_wall_ms(void);
/* columns-file.c: the :columns spec remembered for a store (malloc'ed, or
 * NULL), and saving one (0, or -1 with errno). */
char *tui_columns_load(const char *store);
int tui_columns_save(const char *store, const char *spec);
/* Runs this plumb binary with argv in dir (NULL: here), in its own
 * process group, output into a non-blocking pipe (*fd); -1 on failure
 * (reported on the status line). */
pid_t app_spawn_plumb(struct app *a, char *const argv[], const char *dir,
    int *fd);

/* ---- keymap (keymap.c) ----------------------------------------------- */

/* The request bound to key in screen name's map, then the generic map. */
enum request keymap_lookup(const char *screen, int key);
/* The keys bound to req (screen map first), e.g. "j, Down", into buf. */
const char *keymap_keys(const char *screen, enum request req, char *buf,
    size_t n);
/* The canonical widget key of a movement request (WK_DOWN, ...), or 0. */
int keymap_widget_key(enum request req);

/* ---- screens --------------------------------------------------------- */

struct screen *runs_screen_new(struct app *a);
/* Opens one run (full id). */
struct screen *run_screen_new(struct app *a, const char *id);
/* Compares n runs (full ids; n >= 2). */
struct screen *compare_screen_new(struct app *a, char ids[][PL_ID_LEN + 1],
    size_t n);
/* The pipeline screen, or NULL with an error on the status line. */
struct screen *pipeline_screen_new(struct app *a);

/* The model registry screen; model (or NULL) is selected first.  NULL
 * with an error on the status line when model does not exist. */
struct screen *models_screen_new(struct app *a, const char *model);
/* The monitor screen (targets, charts, alerts). */
struct screen *monitor_screen_new(struct app *a);
/* The drift heatmap of target, at zoom level zoom (the monitor's). */
struct screen *drift_screen_new(struct app *a, const char *target, int zoom);
/* Puts the models screen's cursor on version of its model. */
void models_screen_select(struct screen *s, int version);
/* Two versions of a model side by side (the rows are copied; cfg gives
 * metric directions and may be NULL). */
struct screen *model_diff_screen_new(struct app *a,
    const pl_model_version *va, const pl_model_version *vb,
    const pl_config *cfg);

/* ---- commands (commands.c) ------------------------------------------ */

/* Runs screen s's own ":" command verb with arg (e.g. the pipeline
 * screen filtering the runs it pushed); 1 when s knows the verb. */
int app_screen_command(struct screen *s, const char *verb, const char *arg);
struct whelp;
/* Adds the Commands section to help overlay h. */
void tui_commands_help(struct app *a, struct whelp *h);

/* ---- shared formatting (fmtui.c) ------------------------------------- */

/* Status glyph ("●" or ASCII) and its theme role. */
const char *tui_status_glyph(pl_run_status st);
int tui_status_role(pl_run_status st);
/* "today 13:58", "11-27 13:58", "2025-11-27". */
const char *tui_time(char *out, size_t n, int64_t ms);
/* "0:14", "3:12", "1:02:33", "3d04h". */
const char *tui_duration(char *out, size_t n, int64_t ms);
/* Chart x labels (wchart_fmt_fn): steps as plain counts ("1500", not
 * "1.5k"), and seconds since a run started as "0:30", "1:02:33". */
int tui_fmt_step(char *buf, size_t n, double v, double step, void *arg);
int tui_fmt_elapsed(char *buf, size_t n, double v, double step, void *arg);
/* Shortest %g that reads well; "—" for NaN when has is 0. */
const char *tui_num(char *out, size_t n, double v);

/* Entry point: tui-main.h. */

#endif
