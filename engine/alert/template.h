/* template.h - the Go text/template subset of alert labels and annotations (engine-internal). */
#ifndef PL_ENGINE_ALERT_TEMPLATE_H
#define PL_ENGINE_ALERT_TEMPLATE_H

#include <stddef.h>

#include "promql.h"

struct buf;
struct tmpl;

/* What a template sees: $labels/.Labels, $value/.Value, ... (borrowed). */
struct tmpl_data {
	const pq_labels *labels;
	double value;
	const pq_labels *ext_labels;	/* may be NULL */
	const char *ext_url;		/* may be NULL */
};

/*
 * Parses text.  On failure returns -1 with the byte offset of the
 * problem in *epos and the message in err; constructs outside the
 * subset are refused here, at load time.
 */
int tmpl_parse(struct tmpl **out, const char *text, size_t *epos, char *err,
    size_t errlen);
/* Appends the expansion to out; -1 with a message on a runtime error. */
int tmpl_exec(const struct tmpl *t, const struct tmpl_data *d,
    struct buf *out, char *err, size_t errlen);
void tmpl_free(struct tmpl *t);

#endif
