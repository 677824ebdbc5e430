/* sources.c - the table of source kinds plumb watch knows. */
#include "config.h"
#include "monitor/source.h"
#include "monitor/model.h"

/* One entry per kind; the watcher polls every kind whose wants() says
 * so for a target, in this order. */
const pl_mon_source_ops *const pl_mon_sources[] = {
	&pl_mon_source_model,
	NULL
};
