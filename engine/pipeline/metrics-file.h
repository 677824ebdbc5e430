/* metrics-file.h - reading a stage's metrics file (JSON or YAML) into metric keys and values, with what was skipped and why. */
#ifndef PL_ENGINE_METRICS_FILE_H
#define PL_ENGINE_METRICS_FILE_H

#include <stddef.h>

/*
 * A metrics file is what a stage writes to an out declared under
 * `metrics:` (DVC's format): a JSON or YAML mapping whose numbers are
 * metrics, nested keys joined with dots ({"train": {"acc": 0.9}} gives
 * train.acc; list items are numbered: loss.0, loss.1).  Booleans and
 * other text are not metrics (as in DVC) and are passed over quietly;
 * what is a metric but cannot be taken - NaN, Infinity (Python's json
 * writes them), a key without a value, a file that is not a mapping, an
 * empty file, a syntax error - is reported to skip() with the file, the
 * key and FILE:LINE:COL where there is one (issue 15: never silently).
 *
 * The file is untrusted text: it is fuzzed by tests/fuzz/metrics-fuzz.c.
 */
struct pl_metrics_reader {
	/* A finite number at dotted key.  Nonzero with *why set (a
	 * message owned by the callee) when it could not be recorded:
	 * that becomes a skip note. */
	int (*value)(void *ctx, const char *key, double v, const char **why);
	/* One skipped item, as text: "metrics.json:3:9: key 'acc' is NaN,
	 * not a finite number". */
	void (*skip)(void *ctx, const char *note);
	void *ctx;
};

/* Reads the file at abs (named shown in notes), through ropen (FIFOs and
 * devices are refused: a skip note). */
void pl__metrics_file_read(const struct pl_metrics_reader *r,
    const char *abs, const char *shown);
/* The same for text already in memory (len bytes). */
void pl__metrics_text_read(const struct pl_metrics_reader *r,
    const char *text, size_t len, const char *shown);

#endif
