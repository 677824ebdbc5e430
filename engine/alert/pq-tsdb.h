/* pq-tsdb.h - the PromQL reader over plumb's series store (monitor/tsdb.h). */
#ifndef PL_ENGINE_ALERT_PQ_TSDB_H
#define PL_ENGINE_ALERT_PQ_TSDB_H

#include "alert/promql.h"
#include "store/store.h"

/*
 * A reader that serves the evaluator's selects from the series store of
 * st: the equality matchers go to the store's label index, the others
 * are applied here with PromQL's own matching (so =~ means exactly what
 * it means in the in-memory reader).  Samples are the raw ones; a range
 * older than the raw retention reads as empty, as in Prometheus.
 *
 * Memory handed out by select() lives until release(), which the
 * evaluator calls at the end of each query.  st must stay open while the
 * reader is used; one reader per thread.
 */
typedef struct pq_tsdb pq_tsdb;

pq_tsdb *pq_tsdb_new(pl_store *st);
void pq_tsdb_free(pq_tsdb *t);
pq_reader pq_tsdb_reader(pq_tsdb *t);

#endif
