/* sources.c - the table of source kinds plumb watch knows. */
#include "config.h"
#include "monitor/source.h"
#include "monitor/model.h"

extern const pl_mon_source_ops pl_mon_probe_ops;	/* probe.c */
extern const pl_mon_source_ops pl_mon_scrape_ops;	/* scrape.c */
extern const pl_mon_source_ops pl_mon_proc_ops;		/* proc.c */

/* One entry per kind; the watcher polls every kind whose wants() says
 * so for a target, in this order. */
const pl_mon_source_ops *const pl_mon_sources[] = {
	&pl_mon_probe_ops,
	&pl_mon_scrape_ops,
	&pl_mon_proc_ops,
	&pl_mon_source_model,
	NULL
};
