/* outguard.c - the one gate every byte plumb prints on stdout and stderr passes: terminal controls are made visible. */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "utf8.h"

/*
 * Why one gate.  Every command prints text that came from outside: run
 * names, params, tags, metric keys, file names, column names, arguments
 * echoed in error messages, glibc's getopt messages.  Each path sanitizes
 * what it knows is untrusted (cli_put_safe(), the table, cli_error()), and
 * this gate makes that a guarantee rather than a convention: stdout and
 * stderr are replaced by stdio cookie streams whose write function copies
 * the bytes to the real descriptor with every control made visible, the
 * same notation as utf8_sanitize() (ESC -> "^[", CR -> "^M", DEL -> "^?",
 * C1 controls such as the 8-bit CSI U+009B and bidi overrides ->
 * "<U+009B>", bytes that are not UTF-8 -> "\xNN").  Newline and tab pass.
 *
 * The only escape sequences that pass are plumb's own, and only on a
 * stream where escapes are allowed (a terminal, NO_COLOR unset, TERM not
 * dumb): colour changes, ESC [ digits/semicolons m, and on stderr the
 * "\r ESC [ K" that clears the live status line of plumb repro.  So with
 * NO_COLOR, or when the output is a file or a pipe, no ESC byte can reach
 * stdout or stderr at all.
 *
 * Not through the gate: the output of the user's own command under
 * `plumb run` (written to the descriptor directly, cli_write_raw(): plumb
 * run is transparent, as a shell is), and the TUI's screen (curses writes
 * to the terminal itself; its widgets sanitize every string).
 *
 * A write may end inside a UTF-8 or escape sequence (stdio flushes full
 * buffers wherever they end): the unfinished tail is carried over to the
 * next write, and emitted (made visible) at exit if nothing completes it.
 */

struct guard {
	int fd;
	int escapes;		/* plumb's own sequences may pass */
	int is_stderr;
	unsigned char carry[24];
	size_t ncarry;
	char out[8192];
	size_t nout;
	int failed;
	int failed_errno;	/* why the first failed write failed */
};

static struct guard g_out, g_err;
static int atexit_done;

static int
flush_out(struct guard *g)
{
	size_t off = 0;

	while (off < g->nout) {
		ssize_t w = write(g->fd, g->out + off, g->nout - off);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			if (!g->failed)
				g->failed_errno = errno;
			g->failed = 1;
			g->nout = 0;
			return -1;
		}
		off += (size_t)w;
	}
	g->nout = 0;
	return 0;
}

static int
put(struct guard *g, const void *p, size_t n)
{
	const char *s = p;

	while (n) {
		size_t room = sizeof g->out - g->nout, k = n < room ? n : room;
		memcpy(g->out + g->nout, s, k);
		g->nout += k;
		s += k;
		n -= k;
		if (g->nout == sizeof g->out && flush_out(g) < 0)
			return -1;
	}
	return 0;
}

/* The visible form of one control, invalid byte or unsafe code point. */
static int
put_visible(struct guard *g, const unsigned char *s, size_t len, uint32_t cp)
{
	char tmp[16];
	int n;

	if (len == 0)			/* not UTF-8 */
		n = snprintf(tmp, sizeof tmp, "\\x%02X", s[0]);
	else if (cp < 0x20)
		n = snprintf(tmp, sizeof tmp, "^%c", (char)(cp + 0x40));
	else if (cp == 0x7f)
		n = snprintf(tmp, sizeof tmp, "^?");
	else
		n = snprintf(tmp, sizeof tmp, "<U+%04X>", (unsigned)cp);
	return put(g, tmp, (size_t)n);
}

/*
 * Length of one of plumb's own sequences at s[0..n): > 0 a whole one,
 * 0 none, -1 "could still become one" (s ends inside it).
 */
static long
own_sequence(const struct guard *g, const unsigned char *s, size_t n)
{
	size_t i = 0;

	if (!g->escapes)
		return 0;
	if (s[0] == '\r') {
		static const char el[] = "\r\033[K";
		size_t k = n < 4 ? n : 4;
		if (!g->is_stderr || memcmp(s, el, k) != 0)
			return 0;
		return k == 4 ? 4 : -1;
	}
	/* ESC [ [0-9;]{0,15} m */
	if (n < 2)
		return -1;
	if (s[1] != '[')
		return 0;
	for (i = 2; i < n && i < 18; i++) {
		if (s[i] == 'm')
			return (long)i + 1;
		if (!((s[i] >= '0' && s[i] <= '9') || s[i] == ';'))
			return 0;
	}
	return i < 18 ? -1 : 0;
}

/* How many bytes a UTF-8 sequence with this lead byte has (0: none). */
static size_t
utf8_need(unsigned char c)
{
	if (c >= 0xc2 && c <= 0xdf)
		return 2;
	if (c >= 0xe0 && c <= 0xef)
		return 3;
	if (c >= 0xf0 && c <= 0xf4)
		return 4;
	return 0;
}

/* True if s[0..n) (n shorter than its sequence) may still become valid. */
static int
utf8_may_complete(const unsigned char *s, size_t n)
{
	size_t need = utf8_need(s[0]);

	if (need == 0 || n >= need)
		return 0;
	for (size_t i = 1; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	return 1;
}

/*
 * Filters s[0..n) into the output.  With final == 0 an unfinished tail is
 * kept in the carry; returns the number of bytes consumed (n, or less by
 * the carried tail).
 */
static size_t
filter(struct guard *g, const unsigned char *s, size_t n, int final)
{
	size_t i = 0;

	while (i < n) {
		size_t start = i;

		/* the common case: a run of printable ASCII, newlines, tabs */
		while (i < n && ((s[i] >= 0x20 && s[i] < 0x7f) ||
		    s[i] == '\n' || s[i] == '\t'))
			i++;
		if (i > start && put(g, s + start, i - start) < 0)
			return n;
		if (i >= n)
			break;
		if (s[i] == 0x1b || s[i] == '\r') {
			long k = own_sequence(g, s + i, n - i);
			if (k < 0 && !final)
				return i;	/* carry: may be ours */
			if (k > 0) {
				if (put(g, s + i, (size_t)k) < 0)
					return n;
				i += (size_t)k;
				continue;
			}
		}
		if (s[i] < 0x80) {		/* C0 control or DEL */
			if (put_visible(g, s + i, 1, s[i]) < 0)
				return n;
			i++;
			continue;
		}
		{
			uint32_t cp;
			size_t len = utf8_decode(&cp, (const char *)s + i, n - i);

			if (len == 0 && !final && utf8_may_complete(s + i, n - i))
				return i;	/* carry: UTF-8 cut by the buffer */
			if (len == 0 || (cp >= 0x80 && cp <= 0x9f) ||
			    (cp >= 0x202a && cp <= 0x202e) ||
			    (cp >= 0x2066 && cp <= 0x2069)) {
				if (put_visible(g, s + i, len, cp) < 0)
					return n;
				i += len ? len : 1;
				continue;
			}
			if (put(g, s + i, len) < 0)
				return n;
			i += len;
		}
	}
	return n;
}

static ssize_t
guard_write(void *cookie, const char *buf, size_t size)
{
	struct guard *g = cookie;
	const unsigned char *s = (const unsigned char *)buf;
	size_t n = size, used;

	/* Finish a carried sequence with the first bytes of this write, one
	 * byte at a time until it resolves (it is at most a few bytes). */
	while (g->ncarry && n) {
		g->carry[g->ncarry++] = *s++;
		n--;
		used = filter(g, g->carry, g->ncarry, 0);
		memmove(g->carry, g->carry + used, g->ncarry - used);
		g->ncarry -= used;
		if (g->ncarry == sizeof g->carry) {
			filter(g, g->carry, g->ncarry, 1);
			g->ncarry = 0;
		}
	}
	if (n) {
		used = filter(g, s, n, 0);
		if (used < n) {		/* a short tail: see filter() */
			size_t rest = n - used;
			if (rest > sizeof g->carry - 1) {
				filter(g, s + used, rest, 1);
				rest = 0;
			}
			memcpy(g->carry, s + used, rest);
			g->ncarry = rest;
		}
	}
	if (flush_out(g) < 0)
		return -1;
	return (ssize_t)size;
}

/* Emits a tail nothing completed, made visible. */
static void
guard_drain(struct guard *g)
{
	if (g->ncarry) {
		filter(g, g->carry, g->ncarry, 1);
		g->ncarry = 0;
	}
	flush_out(g);
}

static int
guard_close(void *cookie)
{
	guard_drain(cookie);
	return 0;
}

static void
guard_atexit(void)
{
	/* exit() runs this before stdio's own final flush: flush now, so
	 * the carry is really the last thing written. */
	fflush(stdout);
	fflush(stderr);
	if (g_out.fd > 0)
		guard_drain(&g_out);
	if (g_err.fd > 0)
		guard_drain(&g_err);
}

static FILE *
guard_open(struct guard *g, int fd, int escapes, int is_stderr)
{
	cookie_io_functions_t io = { NULL, guard_write, NULL, guard_close };
	FILE *f;

	memset(g, 0, sizeof *g);
	g->fd = fd;
	g->escapes = escapes;
	g->is_stderr = is_stderr;
	f = fopencookie(g, "w", io);
	if (f == NULL)
		return NULL;
	if (is_stderr)
		setvbuf(f, NULL, _IONBF, 0);
	else
		setvbuf(f, NULL, isatty(fd) ? _IOLBF : _IOFBF, BUFSIZ);
	return f;
}

int
cli_guard_install(unsigned which)
{
	if (!atexit_done) {
		atexit(guard_atexit);
		atexit_done = 1;
	}
	if ((which & CLI_GUARD_STDOUT) && g_out.fd == 0) {
		FILE *f;
		fflush(stdout);
		f = guard_open(&g_out, STDOUT_FILENO, cli_g.color, 0);
		if (f == NULL)
			return -1;
		stdout = f;
	}
	if ((which & CLI_GUARD_STDERR) && g_err.fd == 0) {
		FILE *f;
		fflush(stderr);
		f = guard_open(&g_err, STDERR_FILENO, cli_g.stderr_escapes, 1);
		if (f == NULL)
			return -1;
		stderr = f;
	}
	return 0;
}

void
cli_write_raw(int stream, const char *data, size_t n)
{
	FILE *f = stream == 1 ? stdout : stderr;
	int fd = stream == 1 ? STDOUT_FILENO : STDERR_FILENO;

	fflush(f);
	while (n) {
		ssize_t w = write(fd, data, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return;
		}
		data += w;
		n -= (size_t)w;
	}
}

int
cli_output_finish(int rc)
{
	int bad, err;

	errno = 0;
	bad = fflush(stdout) != 0 || ferror(stdout);
	err = errno;
	if (g_out.fd > 0) {
		guard_drain(&g_out);
		if (g_out.failed) {
			bad = 1;
			err = g_out.failed_errno;
		}
	}
	if (!bad)
		return rc;
	fprintf(stderr, "plumb: cannot write the output: %s\n",
	    err ? strerror(err) : "write error");
	return rc == CLI_OK ? CLI_ERROR : rc;
}
