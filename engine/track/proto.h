/* proto.h - the PLUMB_FD line protocol: parsing one record per line. */
#ifndef PL_ENGINE_PROTO_H
#define PL_ENGINE_PROTO_H

#include <stddef.h>
#include <stdint.h>

/*
 * A child process writes one record per line on PLUMB_FD (DESIGN §5):
 *
 *   metric KEY VALUE [step=N] [ts=UNIX_MS]
 *   param KEY VALUE-TO-END-OF-LINE
 *   tag KEY VALUE-TO-END-OF-LINE
 *   artifact PATH
 *
 * Fields are separated by runs of spaces or tabs; a trailing '\r' is
 * ignored; blank lines and lines starting with '#' are skipped.  KEY is
 * 1-250 bytes of printable non-space text.  VALUE of a metric is a decimal
 * or hex float, "nan", "inf" or "-inf" (as strtod reads them); step is a
 * 64-bit integer >= 0; ts an integer of milliseconds since the epoch.
 */
typedef enum {
	PL_REC_NONE,		/* blank or comment line */
	PL_REC_METRIC,
	PL_REC_PARAM,
	PL_REC_TAG,
	PL_REC_ARTIFACT
} pl_rec_type;

#define PL_KEY_MAX 250
#define PL_VALUE_MAX 6000	/* params and tags, like MLflow */

/* A parsed record.  key and text point INTO the parsed line (not
 * NUL-terminated: use the lengths); they live as long as the line. */
typedef struct pl_record {
	pl_rec_type type;
	const char *key;
	size_t key_len;
	const char *text;	/* param/tag value, artifact path */
	size_t text_len;
	double value;
	int64_t step;		/* PL_STEP_AUTO when absent */
	int64_t ts_ms;		/* 0 when absent */
} pl_record;

/*
 * Parses line[0..len) (without its '\n').  Returns PL_OK and fills *out,
 * or PL_EINVAL with a short reason in err (err_len bytes) naming the
 * 1-based column of the problem.
 */
int pl_proto_parse(pl_record *out, const char *line, size_t len,
    char *err, size_t err_len);

#endif
