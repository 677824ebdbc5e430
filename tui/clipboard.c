/* clipboard.c - yank to the terminal's clipboard with OSC 52 (works over SSH and in tmux with set-clipboard on). */
#include "config.h"
#include "tui.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"

/*
 * OSC 52: ESC ] 52 ; c ; <base64 of the text> BEL.  The terminal (or
 * tmux, which keeps it as a paste buffer and passes it on) puts the text
 * on the clipboard of the machine the user sits at: no X display or
 * xclip needed, which is the point over SSH.  Terminals cap the length
 * (xterm about 100 kB); what we copy is an id or a path.
 */

static const char b64[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* Appends the base64 (RFC 4648, padded) of s[0..n) to b. */
static void
base64(struct buf *b, const unsigned char *s, size_t n)
{
	size_t i;

	for (i = 0; i + 2 < n; i += 3) {
		buf_putc(b, b64[s[i] >> 2]);
		buf_putc(b, b64[((s[i] & 3) << 4) | (s[i + 1] >> 4)]);
		buf_putc(b, b64[((s[i + 1] & 15) << 2) | (s[i + 2] >> 6)]);
		buf_putc(b, b64[s[i + 2] & 63]);
	}
	if (n - i == 1) {
		buf_putc(b, b64[s[i] >> 2]);
		buf_putc(b, b64[(s[i] & 3) << 4]);
		buf_puts(b, "==");
	} else if (n - i == 2) {
		buf_putc(b, b64[s[i] >> 2]);
		buf_putc(b, b64[((s[i] & 3) << 4) | (s[i + 1] >> 4)]);
		buf_putc(b, b64[(s[i + 1] & 15) << 2]);
		buf_putc(b, '=');
	}
}

int
app_yank(struct app *a, const char *text, const char *what)
{
	struct buf b = BUF_INIT;
	int rc = 0;

	buf_puts(&b, "\033]52;c;");
	base64(&b, (const unsigned char *)text, strlen(text));
	buf_puts(&b, "\a");
	/* Straight to the terminal, between curses' own writes. */
	fflush(stdout);
	if (write(STDOUT_FILENO, buf_str(&b), b.len) != (ssize_t)b.len)
		rc = -1;
	buf_free(&b);
	if (rc == 0)
		app_info(a, "copied %s: %s", what, text);
	else
		app_error(a, "could not write to the terminal");
	return rc;
}
