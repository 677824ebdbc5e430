/* utf8.h - UTF-8 decoding, display width and sanitizing of untrusted text. */
#ifndef PL_COMMON_UTF8_H
#define PL_COMMON_UTF8_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

/*
 * Decodes one UTF-8 sequence from s[0..n).  Returns its length (1-4) and
 * stores the code point in *cp, or returns 0 for an invalid, overlong,
 * surrogate or truncated sequence (then *cp is the byte value).
 */
size_t utf8_decode(uint32_t *cp, const char *s, size_t n);

/* Sanitizing flags. */
#define UTF8_KEEP_NEWLINE 0x1	/* keep '\n' (multi-line text views) */
#define UTF8_KEEP_TAB     0x2	/* keep '\t' as is (else: one space) */

/*
 * Appends s[0..n) to out so that it is safe to show on a terminal: the
 * result is valid UTF-8 and holds no control character, so no escape
 * sequence from untrusted text (run logs, params, tags, file names) can
 * reach a terminal.  Controls become visible instead of disappearing:
 * C0 as caret notation (ESC -> "^["), DEL as "^?", C1 controls and
 * bidirectional overrides as "<U+XXXX>", invalid bytes as "\xNN".
 * Returns 0, or -1 on OOM.
 */
int utf8_sanitize(struct buf *out, const char *s, size_t n, unsigned flags);

/* Returns 1 if s[0..n) is plain printable text that utf8_sanitize would
 * copy unchanged (lets callers skip the copy on the common path). */
int utf8_is_clean(const char *s, size_t n, unsigned flags);

/* Display width in terminal cells of already-sanitized UTF-8 text
 * (uses wcwidth(); call setlocale() first for wide characters). */
size_t utf8_width(const char *s);

/* Length in bytes of the longest prefix of s whose width is <= cols. */
size_t utf8_prefix_for_width(const char *s, size_t cols);

#endif
