/* utf8.c - UTF-8 decoding, display width and terminal-safe sanitizing. */
#include "config.h"
#include "utf8.h"

#include <stdio.h>
#include <string.h>
#include <wchar.h>

size_t
utf8_decode(uint32_t *cp, const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	uint32_t c;
	size_t len, i;

	*cp = u[0];
	if (u[0] < 0x80)
		return 1;
	if (u[0] >= 0xc2 && u[0] <= 0xdf) {
		len = 2;
		c = u[0] & 0x1f;
	} else if (u[0] >= 0xe0 && u[0] <= 0xef) {
		len = 3;
		c = u[0] & 0x0f;
	} else if (u[0] >= 0xf0 && u[0] <= 0xf4) {
		len = 4;
		c = u[0] & 0x07;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((u[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (u[i] & 0x3f);
	}
	/* Reject overlong forms, surrogates and code points past U+10FFFF. */
	if ((len == 3 && c < 0x800) || (len == 4 && c < 0x10000) ||
	    (c >= 0xd800 && c <= 0xdfff) || c > 0x10ffff)
		return 0;
	*cp = c;
	return len;
}

/* Code points that must not reach a terminal raw: C1 controls, and the
 * bidirectional controls that can make text display other than it reads. */
static int
is_hidden_control(uint32_t c)
{
	return (c >= 0x80 && c <= 0x9f) || (c >= 0x202a && c <= 0x202e) ||
	    (c >= 0x2066 && c <= 0x2069) || c == 0x200e || c == 0x200f ||
	    c == 0x061c || c == 0xfeff;
}

int
utf8_is_clean(const char *s, size_t n, unsigned flags)
{
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c >= 0x80)
			return 0;	/* let the slow path validate */
		if (c >= 0x20 && c != 0x7f)
			continue;
		if (c == '\n' && (flags & UTF8_KEEP_NEWLINE))
			continue;
		if (c == '\t' && (flags & UTF8_KEEP_TAB))
			continue;
		return 0;
	}
	return 1;
}

int
utf8_sanitize(struct buf *out, const char *s, size_t n, unsigned flags)
{
	size_t i = 0, len;
	uint32_t c;
	char tmp[16];

	if (utf8_is_clean(s, n, flags))
		return buf_add(out, s, n);
	while (i < n) {
		unsigned char b = (unsigned char)s[i];

		if (b >= 0x20 && b < 0x7f) {
			size_t j = i + 1;

			while (j < n && (unsigned char)s[j] >= 0x20 &&
			    (unsigned char)s[j] < 0x7f)
				j++;
			if (buf_add(out, s + i, j - i) < 0)
				return -1;
			i = j;
			continue;
		}
		if (b < 0x80) {
			if (b == '\n' && (flags & UTF8_KEEP_NEWLINE))
				len = (size_t)snprintf(tmp, sizeof tmp, "\n");
			else if (b == '\t')
				len = (size_t)snprintf(tmp, sizeof tmp, "%s",
				    (flags & UTF8_KEEP_TAB) ? "\t" : " ");
			else if (b == 0x7f)
				len = (size_t)snprintf(tmp, sizeof tmp, "^?");
			else
				len = (size_t)snprintf(tmp, sizeof tmp, "^%c",
				    b + 0x40);
			if (buf_add(out, tmp, len) < 0)
				return -1;
			i++;
			continue;
		}
		len = utf8_decode(&c, s + i, n - i);
		if (len == 0) {
			snprintf(tmp, sizeof tmp, "\\x%02X", b);
			if (buf_add(out, tmp, 4) < 0)
				return -1;
			i++;
			continue;
		}
		if (is_hidden_control(c)) {
			int k = snprintf(tmp, sizeof tmp, "<U+%04X>",
			    (unsigned)c);
			if (buf_add(out, tmp, (size_t)k) < 0)
				return -1;
		} else if (buf_add(out, s + i, len) < 0) {
			return -1;
		}
		i += len;
	}
	if (out->p == NULL)
		return buf_add(out, "", 0);
	return 0;
}

static size_t
cp_width(uint32_t c)
{
	int w;

	if (c < 0x80)
		return 1;
	w = wcwidth((wchar_t)c);
	return w < 0 ? 1 : (size_t)w;
}

size_t
utf8_width(const char *s)
{
	size_t n = strlen(s), i = 0, w = 0, len;
	uint32_t c;

	while (i < n) {
		len = utf8_decode(&c, s + i, n - i);
		if (len == 0)
			len = 1;
		w += cp_width(c);
		i += len;
	}
	return w;
}

size_t
utf8_prefix_for_width(const char *s, size_t cols)
{
	size_t n = strlen(s), i = 0, w = 0, len, cw;
	uint32_t c;

	while (i < n) {
		len = utf8_decode(&c, s + i, n - i);
		if (len == 0)
			len = 1;
		cw = cp_width(c);
		if (w + cw > cols)
			break;
		w += cw;
		i += len;
	}
	return i;
}
