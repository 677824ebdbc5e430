/* metrics-file.c - a stage's metrics file (JSON or YAML) walked into dotted metric keys; what is skipped is said (contract in metrics-file.h). */
#include "config.h"
#include "pipeline/metrics-file.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "store/error.h"
#include "config/ynode.h"

static void
note(const struct pl_metrics_reader *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void
note(const struct pl_metrics_reader *r, const char *fmt, ...)
{
	struct buf b = BUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	buf_vprintf(&b, fmt, ap);
	va_end(ap);
	r->skip(r->ctx, b.p ? b.p : "out of memory");
	buf_free(&b);
}

/* JSON writers (Python's json.dump) spell non-finite numbers NaN,
 * Infinity and -Infinity, which YAML reads as text: they are values that
 * plumb must not take silently for "not a metric". */
static int
nonfinite_text(const char *s)
{
	static const char *const words[] = { "nan", "infinity", "inf",
		"+infinity", "-infinity", "+inf", "-inf" };

	for (size_t i = 0; i < sizeof words / sizeof *words; i++)
		if (strcasecmp(s, words[i]) == 0)
			return 1;
	return 0;
}

static void
walk(const struct pl_metrics_reader *r, const ynode *n, struct buf *key,
    const char *file)
{
	size_t klen = key->len;
	double v;

	if (n->kind == YN_SCALAR) {
		const char *why = NULL;

		if (key->len == 0)
			note(r, "%s: not a mapping of metrics", file);
		else if (yn_scalar_type(n) == YT_BOOL)
			;	/* a flag, not a metric (as DVC) */
		else if (yn_scalar_type(n) == YT_NULL)
			note(r, "%s:%d:%d: key '%s' has no value", file,
			    n->line, n->col, buf_str(key));
		else if (yn_number(n, &v) == 0 && isfinite(v)) {
			if (r->value(r->ctx, buf_str(key), v, &why) != 0)
				note(r, "%s: key '%s': %s", file,
				    buf_str(key), why ? why : "not recorded");
		} else if (yn_number(n, &v) == 0 ||
		    (yn_scalar_type(n) == YT_STR && !n->quoted &&
		    nonfinite_text(n->str)))
			note(r, "%s:%d:%d: key '%s' is %s, not a finite "
			    "number", file, n->line, n->col, buf_str(key),
			    n->str);
		/* other text (a model name, a date) is not a metric: as DVC */
		return;
	}
	if (n->n == 0 && key->len == 0)
		note(r, "%s: no metrics in it", file);
	for (size_t i = 0; i < n->n; i++) {
		char idx[32];
		const char *k = idx;
		const ynode *child;

		if (n->kind == YN_MAP) {
			k = yn_key(n, i)->str;
			child = yn_val(n, i);
		} else {
			snprintf(idx, sizeof idx, "%zu", i);
			child = n->items[i];
		}
		if (key->len)
			buf_putc(key, '.');
		buf_puts(key, k);
		walk(r, child, key, file);
		key->len = klen;
		if (key->p)
			key->p[klen] = '\0';
	}
}

static void
read_tree(const struct pl_metrics_reader *r, int rc, ynode *t,
    const char *shown, const char *err)
{
	struct buf key = BUF_INIT;

	if (rc != PL_OK)
		r->skip(r->ctx, err);	/* FILE:LINE:COL: why */
	else if (t == NULL)
		note(r, "%s: empty file, no metrics in it", shown);
	else
		walk(r, t, &key, shown);
	buf_free(&key);
	yn_free(t);
}

void
pl__metrics_file_read(const struct pl_metrics_reader *r, const char *abs,
    const char *shown)
{
	ynode *t = NULL;
	char err[512];
	int rc = yn_parse_file(&t, abs, shown, err, sizeof err);

	read_tree(r, rc, t, shown, err);
}

void
pl__metrics_text_read(const struct pl_metrics_reader *r, const char *text,
    size_t len, const char *shown)
{
	ynode *t = NULL;
	char err[512];
	int rc = yn_parse(&t, text, len, shown, err, sizeof err);

	read_tree(r, rc, t, shown, err);
}
