/* app.c - the TUI's one loop: terminal setup and teardown, poll, keys, live refresh, the screen stack, prompt and help. */
#include "config.h"
#include "tui.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "help.h"
#include "input.h"
#include "theme.h"
#include "xalloc.h"

/*
 * The loop (style-anchors §I): paint what is dirty (wnoutrefresh, one
 * doupdate), then poll() the terminal and the top screen's child pipe
 * with a timeout that is the next 1 s tick.  A tick polls the store's
 * data_version (cheap) and lets the screen follow a live run; nothing
 * is painted when nothing changed, so an idle TUI costs almost nothing.
 */

#define TICK_MS 1000
#define REAP_MS 10000
#define MIN_W 20
#define MIN_H 6
#define MAX_CHILD_FDS 8

static volatile sig_atomic_t got_term;	/* SIGTERM, SIGHUP, SIGINT */
static struct sigaction old_crash[32];
static bool curses_up;

/* ---- signals ----------------------------------------------------------- */

static void
on_term(int sig)
{
	got_term = sig;
}

/*
 * A crash must not leave the user's terminal in raw mode on the
 * alternate screen: restore it, then let the previous handler (the
 * default, or the sanitizer's report) deal with the signal.  endwin()
 * is not async-signal-safe, but we are dying anyway (htop does the same).
 */
static void
on_crash(int sig)
{
	if (curses_up) {
		curses_up = false;
		endwin();
	}
	sigaction(sig, &old_crash[sig], NULL);
	raise(sig);
}

static void
install_signals(void)
{
	static const int crash[] = { SIGSEGV, SIGABRT, SIGBUS, SIGFPE,
		SIGILL };
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_term;	/* no SA_RESTART: poll() wakes up */
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sa.sa_handler = on_crash;
	for (size_t i = 0; i < sizeof crash / sizeof *crash; i++)
		sigaction(crash[i], &sa, &old_crash[crash[i]]);
}

static void
restore_signals(void)
{
	static const int crash[] = { SIGSEGV, SIGABRT, SIGBUS, SIGFPE,
		SIGILL };

	for (size_t i = 0; i < sizeof crash / sizeof *crash; i++)
		sigaction(crash[i], &old_crash[crash[i]], NULL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
	signal(SIGINT, SIG_DFL);
}

/* ---- time -------------------------------------------------------------- */

int64_t
app_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t
app_wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static double
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

/* CPU time of this process (for the bench: a loaded machine stretches
 * the wall time of a frame, not the work it takes). */
static double
cpu_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

/* ---- messages ---------------------------------------------------------- */

static void
vmessage(struct app *a, enum wstatus_level lvl, const char *fmt, va_list ap)
{
	char msg[512];

	vsnprintf(msg, sizeof msg, fmt, ap);
	wstatus_message(a->status, lvl, "%s", msg);
}

void
app_error(struct app *a, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmessage(a, WSTATUS_ERROR, fmt, ap);
	va_end(ap);
	if (a->bench)
		fprintf(a->bench, "error %s\n",
		    wstatus_message_text(a->status));
}

void
app_info(struct app *a, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmessage(a, WSTATUS_INFO, fmt, ap);
	va_end(ap);
}

/* ---- layout helpers ---------------------------------------------------- */

int
app_body_h(const struct app *a)
{
	return a->h - 2 > 1 ? a->h - 2 : 1;
}

void
app_header(struct app *a, const char *crumbs, const char *right)
{
	attr_t t = wtheme_attr(WR_TITLE);
	int x, rw = right ? (int)wsan_width(right) : 0;

	wfill(a->win, 0, 0, a->w, " ", wtheme_attr(WR_NORMAL));
	x = 1 + wput(a->win, 0, 1, a->w - 1, "plumb", t | A_BOLD,
	    WPUT_TRUSTED);
	x += wput(a->win, 0, x, a->w - x, widgets_utf8() ? " \xe2\x96\xb8 " :
	    " > ", t, WPUT_TRUSTED);
	if (rw > a->w - x - 2)
		rw = a->w - x - 2 > 0 ? a->w - x - 2 : 0;
	wput(a->win, 0, x, a->w - x - rw - 2, crumbs, t, WPUT_ELIDE);
	if (rw > 0)
		wput(a->win, 0, a->w - rw - 1, rw, right, wtheme_attr(WR_NORMAL),
		    WPUT_ELIDE);
}

/* ---- the screen stack -------------------------------------------------- */

static void prompt_close(struct app *a);

static void
layout_top(struct app *a)
{
	struct screen *s = a->top;

	if (s == NULL)
		return;
	if (s->ops->layout)
		s->ops->layout(s);
	s->dirty = true;
}

static void
reload_screen(struct app *a, struct screen *s)
{
	if (s->ops->reload)
		s->ops->reload(s);
	s->dirty = true;
	if (pl_store_change_stamp(&s->stamp, a->st) != PL_OK)
		s->stamp = -1;
}

void
app_push(struct app *a, struct screen *s)
{
	if (s == NULL)
		return;
	s->app = a;
	s->below = a->top;
	a->top = s;
	a->hints_for = NULL;
	layout_top(a);
	if (pl_store_change_stamp(&s->stamp, a->st) != PL_OK)
		s->stamp = -1;
	a->full = true;
}

static void
free_screen(struct screen *s)
{
	s->ops->destroy(s);
}

void
app_pop(struct app *a)
{
	struct screen *s = a->top;

	if (s == NULL)
		return;
	a->top = s->below;
	a->hints_for = NULL;
	if (a->prompting && a->prompt_owner == s)
		prompt_close(a);
	free_screen(s);
	if (a->top == NULL) {
		a->quit = true;
		return;
	}
	layout_top(a);
	/* It may have missed changes while covered (its own connection's
	 * writes included: a promotion made on the screen above). */
	int64_t stamp;

	if (pl_store_change_stamp(&stamp, a->st) != PL_OK ||
	    stamp != a->top->stamp || a->top->stamp < 0)
		reload_screen(a, a->top);
	a->full = true;
}

void
app_home(struct app *a)
{
	while (a->top && a->top->below)
		app_pop(a);
}

/* ---- prompt ------------------------------------------------------------ */

void
app_prompt(struct app *a, struct screen *owner, const char *prompt,
    const char *text, int (*cb)(struct screen *, const char *, unsigned))
{
	winput_set_prompt(a->input, prompt);
	a->prompt_w = (int)wstr_width(prompt);
	winput_set_text(a->input, text ? text : "");
	a->prompting = true;
	a->prompt_cb = cb;
	a->prompt_owner = owner;
	widget_set_focus(winput_widget(a->input), true);
	widget_invalidate(winput_widget(a->input));
}

void
app_prompt_error(struct app *a, const char *msg, size_t col)
{
	if (a->prompt_err != NULL && a->top)
		a->top->dirty = true;	/* the row it covered */
	free(a->prompt_err);
	a->prompt_err = msg ? xstrdup(msg) : NULL;
	a->prompt_err_col = col;
}

static void
prompt_close(struct app *a)
{
	app_prompt_error(a, NULL, 0);
	a->prompting = false;
	a->prompt_cb = NULL;
	a->prompt_owner = NULL;
	widget_invalidate(wstatus_widget(a->status));
	if (a->top)
		a->top->dirty = true;
}

static int
command_cb(struct screen *s, const char *text, unsigned ev)
{
	struct app *a = s->app;

	if (!(ev & W_SUBMIT))
		return 0;
	while (*text == ' ' || *text == ':')
		text++;
	if (*text == '\0')
		return 0;
	/* The prompt closes first: a command may push or pop screens. */
	prompt_close(a);
	if (!app_command(a, text))
		app_error(a, "unknown command: %s (see ? for help)", text);
	return 0;
}

static void
prompt_key(struct app *a, int key)
{
	unsigned r = widget_key(winput_widget(a->input), key);
	int (*cb)(struct screen *, const char *, unsigned) = a->prompt_cb;
	struct screen *owner = a->prompt_owner;
	int keep = 0;

	if (!(r & (W_CHANGED | W_SUBMIT | W_CANCEL)))
		return;
	if (cb && owner) {
		char *text = xstrdup(winput_text(a->input));

		keep = cb(owner, text, r);
		free(text);
	}
	if (!a->prompting)	/* the callback closed it already */
		return;
	if ((r & W_CANCEL) || ((r & W_SUBMIT) && !keep))
		prompt_close(a);
}

/* ---- commands ---------------------------------------------------------- */

/* ---- help overlay ------------------------------------------------------ */

/*
 * The help overlay (widgets/help.h) paints a centred box over the
 * screen in stdscr; closing it repaints the screen underneath.
 */
static void
help_close(struct app *a)
{
	widget_free(whelp_widget(a->help));
	a->help = NULL;
	a->full = true;
}

void
app_help(struct app *a)
{
	const char *scr = a->top ? a->top->ops->name : NULL;
	const char *group = NULL;
	char keys[64], title[64];

	snprintf(title, sizeof title, "help: %s", scr ? scr : "plumb");
	a->help = whelp_new(a->win, 0, 0, a->h, a->w, title);
	if (a->help == NULL)
		return;
	/* Generated from the request table and the keymap: a request
	 * shows with the keys that reach it on this screen, a group title
	 * only when something of it does. */
#define HELP_GROUP(g) group = g;
#define HELP_REQ(name, text) \
	keymap_keys(scr, REQ_##name, keys, sizeof keys); \
	if (keys[0]) { \
		if (group) \
			whelp_add(a->help, NULL, group); \
		group = NULL; \
		whelp_add(a->help, keys, text); \
	}
	REQ_INFO(HELP_GROUP, HELP_REQ)
#undef HELP_GROUP
#undef HELP_REQ
	tui_commands_help(a, a->help);
}

static void
help_key(struct app *a, int key)
{
	if (widget_key(whelp_widget(a->help), key) & W_CLOSE)
		help_close(a);
}

/* ---- suspend, resize, keys --------------------------------------------- */

static void
suspend(struct app *a)
{
	struct sigaction sa, old;

	endwin();
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = SIG_DFL;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTSTP, &sa, &old);
	raise(SIGTSTP);
	/* SIGCONT: we are back. */
	sigaction(SIGTSTP, &old, NULL);
	a->full = true;
}

static void
resize(struct app *a)
{
	getmaxyx(stdscr, a->h, a->w);
	widget_place(wstatus_widget(a->status), a->win, a->h - 1, 0, 1, a->w);
	widget_place(winput_widget(a->input), a->win, a->h - 1, 0, 1, a->w);
	if (a->help)
		widget_place(whelp_widget(a->help), a->win, 0, 0, a->h, a->w);
	layout_top(a);
	a->full = true;
}

static bool
too_small(const struct app *a)
{
	return a->h < MIN_H || a->w < MIN_W;
}

static void
handle_request(struct app *a, enum request req, int key)
{
	struct screen *s = a->top;

	if (s && s->ops->request && s->ops->request(s, req, key))
		return;
	switch (req) {
	case REQ_QUIT:
		if (s && s->below)
			app_pop(a);
		else
			a->quit = true;
		break;
	case REQ_QUIT_ALL:
		a->quit = true;
		break;
	case REQ_BACK:
		if (s && s->below)
			app_pop(a);
		break;
	case REQ_HELP:
		app_help(a);
		break;
	case REQ_COMMAND:
		app_prompt(a, a->top, ":", "", command_cb);
		break;
	case REQ_REDRAW:
		a->full = true;
		break;
	case REQ_SUSPEND:
		suspend(a);
		break;
	case REQ_VIEW_RUNS:
		app_home(a);
		break;
	case REQ_VIEW_PIPELINE:
		app_command(a, "pipeline");
		break;
	case REQ_VIEW_MODELS:
		app_command(a, "models");
		break;
	case REQ_VIEW_MONITOR:
		app_command(a, "monitor");
		break;
	case REQ_VIEW_COMPARE:
		app_command(a, "compare");
		break;
	case REQ_RELOAD:
		if (s)
			reload_screen(a, s);
		break;
	default:
		break;
	}
}

static void
handle_mouse(struct app *a)
{
	MEVENT ev;

	if (getmouse(&ev) != OK)
		return;
	if (a->help) {
#ifdef BUTTON5_PRESSED
		if (ev.bstate & (BUTTON4_PRESSED | BUTTON5_PRESSED)) {
			widget_mouse(whelp_widget(a->help), &ev);
			return;
		}
#endif
		help_close(a);
		return;
	}
	if (a->prompting)
		return;
	if (a->top && a->top->ops->mouse)
		a->top->ops->mouse(a->top, &ev);
}

static void
handle_key(struct app *a, int key)
{
	if (key == WK_RESIZE) {
		resize(a);
		return;
	}
	if (too_small(a)) {
		/* Whatever quits on a screen (q, Q, Ctrl-C, or the user's
		 * own binding) quits here too: there is nothing to go
		 * back to. */
		enum request r = keymap_lookup(a->top ? a->top->ops->name :
		    NULL, key);

		if (r == REQ_QUIT || r == REQ_QUIT_ALL || key == 'q' ||
		    key == 'Q' || key == WK_CTRL('c'))
			a->quit = true;
		return;
	}
	if (key == WK_MOUSE) {
		handle_mouse(a);
		return;
	}
	if (a->prompting) {
		prompt_key(a, key);
		return;
	}
	if (a->help) {
		help_key(a, key);
		return;
	}
	wstatus_clear_message(a->status);
	handle_request(a, keymap_lookup(a->top ? a->top->ops->name : NULL,
	    key), key);
}

/* ---- painting ---------------------------------------------------------- */

static void
paint_prompt_error(struct app *a)
{
	attr_t e = wtheme_attr(WR_ERROR);
	int y = a->h - 2, x = 0;

	if (a->prompt_err == NULL || y < 1)
		return;
	wfill(a->win, y, 0, a->w, " ", wtheme_attr(WR_NORMAL));
	/* The caret sits under the offending column of the text, which
	 * starts right after the prompt. */
	if (a->prompt_err_col > 0) {
		x = a->prompt_w + (int)a->prompt_err_col - 1;
		if (x >= a->w)
			x = a->w - 1;
		wput(a->win, y, x, 1, "^", e, WPUT_TRUSTED);
		x += 2;
	}
	if (x < a->w)
		wput(a->win, y, x, a->w - x, a->prompt_err, e, WPUT_ELIDE);
}

static void
paint(struct app *a)
{
	bool force = a->full;

	if (a->full) {
		clearok(curscr, TRUE);
		werase(a->win);
		a->full = false;
		widget_invalidate(wstatus_widget(a->status));
		widget_invalidate(winput_widget(a->input));
	}
	if (too_small(a)) {
		char m[96];

		werase(a->win);
		wput(a->win, 0, 0, a->w, "terminal too small", A_BOLD,
		    WPUT_TRUSTED);
		snprintf(m, sizeof m, "%dx%d, needs %dx%d", a->w, a->h,
		    MIN_W, MIN_H);
		if (a->h > 1)
			wput(a->win, 1, 0, a->w, m, A_NORMAL, WPUT_TRUSTED);
		if (a->h > 2)
			wput(a->win, 2, 0, a->w, "q quits", A_NORMAL,
			    WPUT_TRUSTED);
	} else {
		if (a->top) {
			a->top->ops->draw(a->top, force || a->top->dirty);
			a->top->dirty = false;
		}
		if (a->prompting) {
			paint_prompt_error(a);
			widget_draw(winput_widget(a->input), force);
		} else {
			widget_draw(wstatus_widget(a->status), force);
		}
	}
	if (a->help)
		widget_draw(whelp_widget(a->help), true);
	wnoutrefresh(a->win);
	doupdate();
}

/* ---- the loop ---------------------------------------------------------- */

/* Key glyphs that have a plain spelling for ASCII terminals. */
static const char *
ascii_key(const char *k)
{
	if (strcmp(k, "\xe2\x8f\x8e") == 0)		/* ⏎ */
		return "Enter";
	if (strcmp(k, "\xe2\x86\x91\xe2\x86\x93") == 0)	/* ↑↓ */
		return "j/k";
	return k;
}

/*
 * The status bar shows the top screen's key hints, each request's key
 * taken from the keymap (its first binding on that screen).
 */
static void
set_hints(struct app *a)
{
	static char keys[32][96];
	struct whint tmp[32];
	const struct hint_spec *h;
	const char *scr;
	int n = 0, k = 0;

	if (a->top == a->hints_for || a->top == NULL)
		return;
	a->hints_for = a->top;
	if (a->top->ops->hints == NULL) {
		wstatus_set_hints(a->status, NULL, 0);
		return;
	}
	scr = a->top->ops->name;
	h = a->top->ops->hints(a->top, &n);
	for (int i = 0; i < n && k < 32; i++) {
		char all[96], *sp;
		const char *key = all;

		keymap_keys(scr, h[i].req, all, sizeof all);
		if (all[0] == '\0')
			continue;
		if ((sp = strchr(all, ' ')) != NULL)
			*sp = '\0';
		if (h[i].req == REQ_MOVE_DOWN || h[i].req == REQ_MOVE_UP)
			key = "\xe2\x86\x91\xe2\x86\x93";		/* ↑↓ */
		else if (strcmp(all, "Enter") == 0)
			key = "\xe2\x8f\x8e";			/* ⏎ */
		else if (strcmp(all, "Esc") == 0)
			key = "esc";
		else if (strcmp(all, "Tab") == 0)
			key = "tab";
		else if (strcmp(all, "Space") == 0)
			key = "space";
		snprintf(keys[k], sizeof keys[k], "%s", widgets_utf8() ? key :
		    ascii_key(key));
		tmp[k].key = keys[k];
		tmp[k].desc = h[i].label;
		k++;
	}
	wstatus_set_hints(a->status, tmp, k);
}

/*
 * The firing-alert count every screen shows at the right of the status
 * bar (the on-call engineer sees a page wherever they are in the TUI),
 * counted as the monitor screen's header counts them (silenced ones
 * included: they still fire).  With nothing firing, pending ones are
 * shown in the pending role; with neither, the badge is hidden.  Read
 * when the store changed (the watcher writes every transition), at most
 * every BADGE_MIN_MS, and every BADGE_MS, since a silence can end without
 * a write.
 */
#define BADGE_MS 15000
#define BADGE_MIN_MS 5000

static void
alert_badge(struct app *a)
{
	pl_alert_row *r = NULL;
	size_t n = 0, firing = 0, pending = 0;
	char text[48] = "";
	int role = WR_FAILED;

	if (pl_alerts_active(&r, &n, a->st, app_wall_ms()) != PL_OK)
		return;
	for (size_t i = 0; i < n; i++) {
		if (strcmp(r[i].state, "firing") == 0)
			firing++;
		else
			pending++;
	}
	pl_alert_rows_free(r, n);
	if (firing > 0)
		snprintf(text, sizeof text, "%zu firing", firing);
	else if (pending > 0) {
		snprintf(text, sizeof text, "%zu pending", pending);
		role = WR_RUNNING;
	}
	a->firing = firing;
	wstatus_set_badge(a->status, text, role);
}

static void
tick(struct app *a, int64_t now, int64_t *last_reap)
{
	int64_t v = 0;
	int reaped = 0;

	if (now - *last_reap >= REAP_MS) {
		*last_reap = now;
		if (pl_store_reap(&reaped, a->st) != PL_OK)
			reaped = 0;
	}
	/* data_version moves for other connections' commits only: runs
	 * this connection just marked lost need their own reload. */
	if ((pl_store_data_version(&v, a->st) == PL_OK &&
	    v != a->data_version) || reaped > 0) {
		a->data_version = v;
		/* a live run moves data_version every second: the badge
		 * follows within BADGE_MIN_MS, not at every write */
		if (now - a->last_badge >= BADGE_MIN_MS) {
			alert_badge(a);
			a->last_badge = now;
		}
		if (a->top)
			reload_screen(a, a->top);
	} else if (now - a->last_badge >= BADGE_MS) {
		alert_badge(a);
		a->last_badge = now;
	}
	if (a->top && a->top->ops->tick)
		a->top->ops->tick(a->top);
}

static int
read_keys(struct app *a, double *t_key)
{
	wint_t ch;
	int rc, n = 0;

	while (!a->quit && (rc = wget_wch(a->win, &ch)) != ERR) {
		int key = wkey_from_wget_wch(rc, ch);

		if (key < 0)
			break;
		if (n == 0)
			*t_key = now_us();
		handle_key(a, key);
		set_hints(a);
		n++;
	}
	return n;
}

static int
run_loop(struct app *a, double t0)
{
	int64_t next_tick = app_now_ms() + TICK_MS, last_reap = app_now_ms();
	bool first = true;
	int frames = 0;

	while (!a->quit && !got_term) {
		struct pollfd pf[1 + MAX_CHILD_FDS];
		struct screen *owner[1 + MAX_CHILD_FDS];
		int nfd = 1, timeout, rc;
		double t_key = 0;
		int64_t now;

		set_hints(a);
		paint(a);
		if (a->bench) {
			double t = now_us();

			if (first) {
				struct timespec ts;

				clock_gettime(CLOCK_REALTIME, &ts);
				fprintf(a->bench, "pid %ld\n", (long)getpid());
				fprintf(a->bench, "first_frame_ms %.2f\n",
				    (t - t0) / 1000);
				fprintf(a->bench, "first_frame_wall_ms %.3f\n",
				    ts.tv_sec * 1e3 + ts.tv_nsec / 1e6);
			}
			fflush(a->bench);
		}
		first = false;
		frames++;

		now = app_now_ms();
		timeout = next_tick > now ? (int)(next_tick - now) : 0;
		if (a->top && a->top->idle_work && a->top->ops->idle)
			timeout = 0;
		pf[0].fd = STDIN_FILENO;
		pf[0].events = POLLIN;
		/* Every screen's child (not only the top one's): a covered
		 * pipeline screen must keep draining its repro. */
		for (struct screen *s = a->top; s && nfd <= MAX_CHILD_FDS;
		    s = s->below) {
			int fd = s->ops->child_fd ? s->ops->child_fd(s) : -1;

			if (fd < 0)
				continue;
			pf[nfd].fd = fd;
			pf[nfd].events = POLLIN;
			pf[nfd].revents = 0;
			owner[nfd++] = s;
		}
		rc = poll(pf, (nfds_t)nfd, timeout);
		if (rc < 0 && errno != EINTR)
			break;
		/* EINTR may be SIGWINCH: curses then returns KEY_RESIZE. */
		if (rc < 0 || (pf[0].revents & (POLLIN | POLLHUP | POLLERR))) {
			if (pf[0].revents & (POLLHUP | POLLERR) &&
			    !(pf[0].revents & POLLIN))
				break;	/* the terminal went away */
			double c_key = a->bench ? cpu_us() : 0;

			if (read_keys(a, &t_key) > 0 && a->bench) {
				paint(a);
				fprintf(a->bench, "key_ms %.3f\nkey_cpu_ms %.3f\n",
				    (now_us() - t_key) / 1000,
				    (cpu_us() - c_key) / 1000);
				fflush(a->bench);
			}
		}
		/* Nothing to read: deferred work may run now. */
		if (rc == 0 && a->top && a->top->idle_work && a->top->ops->idle) {
			double t = now_us();

			a->top->ops->idle(a->top);
			if (a->bench) {
				fprintf(a->bench, "idle_ms %.3f\n",
				    (now_us() - t) / 1000);
				fflush(a->bench);
			}
		}
		for (int i = 1; i < nfd && rc > 0; i++) {
			if (!(pf[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			/* The key handling above may have freed it. */
			for (struct screen *s = a->top; s; s = s->below)
				if (s == owner[i] && s->ops->child_ready &&
				    s->ops->child_fd(s) == pf[i].fd)
					s->ops->child_ready(s);
		}
		now = app_now_ms();
		if (now >= next_tick) {
			tick(a, now, &last_reap);
			next_tick = now + TICK_MS;
		}
	}
	return frames;
}

static void
free_app(struct app *a)
{
	while (a->top) {
		struct screen *s = a->top;

		a->top = s->below;
		free_screen(s);
	}
	if (a->help)
		widget_free(whelp_widget(a->help));
	widget_free(wstatus_widget(a->status));
	widget_free(winput_widget(a->input));
	free(a->prompt_err);
}

int
tui_main(pl_store *st, const char *start)
{
	struct app app;
	SCREEN *scr;
	const char *bench = getenv("PLUMB_TUI_BENCH");
	double t0 = now_us();
	char host[64];
	struct passwd *pw;
	const char *cup;

	memset(&app, 0, sizeof app);
	app.st = st;
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		fprintf(stderr, "plumb: tui needs a terminal (try plumb runs)\n");
		return 1;
	}
	if (bench && *bench)
		app.bench = fopen(bench, "a");
	pw = getpwuid(getuid());
	snprintf(app.user_host, sizeof app.user_host, "%s",
	    pw && pw->pw_name ? pw->pw_name : getenv("USER") ?
	    getenv("USER") : "?");
	if (gethostname(host, sizeof host) == 0) {
		host[sizeof host - 1] = '\0';
		snprintf(app.user_host + strlen(app.user_host),
		    sizeof app.user_host - strlen(app.user_host), "@%s", host);
	}
	pl_store_data_version(&app.data_version, st);

	/* The terminal knows its size: an exported COLUMNS is often stale,
	 * and curses would prefer it to the terminal's answer even after a
	 * resize. */
	unsetenv("COLUMNS");
	unsetenv("LINES");
	scr = newterm(NULL, stdout, stdin);
	if (scr == NULL) {
		const char *t = getenv("TERM");

		fprintf(stderr, "plumb: cannot use the terminal '%s' for the "
		    "TUI (try plumb runs)\n", t ? t : "");
		if (app.bench)
			fclose(app.bench);
		return 1;
	}
	set_term(scr);
	cup = tigetstr("cup");
	if (cup == NULL || cup == (char *)-1) {
		/* TERM=dumb and friends: no cursor addressing, no screen. */
		endwin();
		delscreen(scr);
		if (app.bench)
			fclose(app.bench);
		return TUI_NO_SCREEN;
	}
	curses_up = true;
	install_signals();
	raw();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	set_escdelay(25);
	curs_set(0);
	mousemask(BUTTON1_CLICKED | BUTTON1_DOUBLE_CLICKED | BUTTON1_PRESSED
#ifdef BUTTON5_PRESSED
	    | BUTTON4_PRESSED | BUTTON5_PRESSED
#endif
	    , NULL);
	widgets_init();
	wtheme_init(WTHEME_AUTO);

	app.win = stdscr;
	getmaxyx(stdscr, app.h, app.w);
	app.status = wstatus_new(app.win, app.h - 1, 0, app.w);
	app.input = winput_new(app.win, app.h - 1, 0, app.w, ":");
	if (app.status == NULL || app.input == NULL)
		xoom();
	alert_badge(&app);
	app.last_badge = app_now_ms();
	app_push(&app, runs_screen_new(&app));
	if (start)
		app_command(&app, start);

	run_loop(&app, t0);

	free_app(&app);
	widgets_done();
	curses_up = false;
	endwin();
	delscreen(scr);
	restore_signals();
	if (app.bench)
		fclose(app.bench);
	if (got_term && got_term != SIGINT) {
		/* Die of the signal, as the sender expects. */
		signal(got_term, SIG_DFL);
		raise(got_term);
	}
	return 0;
}

/*
 * Starts this very binary (so the child is the same build; "plumb" from
 * PATH when /proc is missing) with argv in directory dir (NULL: here), in
 * its own process group so a cancel can signal all it started, with
 * stdin from /dev/null and stdout and stderr into one non-blocking pipe
 * whose read end goes to *fd.  Returns the pid, or -1 after putting the
 * reason on the status line.
 */
pid_t
app_spawn_plumb(struct app *a, char *const argv[], const char *dir, int *fd)
{
	char exe[4096];
	int pfd[2];
	ssize_t el;
	pid_t pid;

	el = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (el <= 0)
		snprintf(exe, sizeof exe, "plumb");
	else
		exe[el] = '\0';
	if (pipe2(pfd, O_CLOEXEC) != 0) {
		app_error(a, "pipe: %s", strerror(errno));
		return -1;
	}
	pid = fork();
	if (pid < 0) {
		app_error(a, "fork: %s", strerror(errno));
		close(pfd[0]);
		close(pfd[1]);
		return -1;
	}
	if (pid == 0) {
		int nul = open("/dev/null", O_RDONLY);

		setpgid(0, 0);
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		signal(SIGHUP, SIG_DFL);
		if (nul >= 0)
			dup2(nul, 0);
		dup2(pfd[1], 1);
		dup2(pfd[1], 2);
		if (dir && chdir(dir) != 0)
			_exit(126);
		setenv("NO_COLOR", "1", 1);
		execv(exe, argv);
		execvp("plumb", argv);
		_exit(127);
	}
	setpgid(pid, pid);
	close(pfd[1]);
	fcntl(pfd[0], F_SETFL, fcntl(pfd[0], F_GETFL) | O_NONBLOCK);
	*fd = pfd[0];
	return pid;
}
