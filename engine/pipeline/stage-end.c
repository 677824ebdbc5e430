/* stage-end.c - how each stage's newest run ended (failed, killed, or a batch system's end state: timeout, out of memory, cancelled by whom...), for plumb status and the pipeline screen. */
#include "config.h"
#include "pipeline/repro.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/error.h"
#include "store/internal.h"

/*
 * One query: the newest run of each stage of this pipeline's experiment
 * (tag `stage`), with the tags an executor left on it.  A stage whose
 * newest run finished is not listed.
 */
static const char sql[] =
    "WITH sk AS (SELECT id FROM keys WHERE name = 'stage'), "
    "newest AS (SELECT t.value AS stage, max(r.rid) AS rid FROM runs r "
    "  JOIN tags t ON t.run_id = r.rid AND t.key_id = (SELECT id FROM sk) "
    "  WHERE r.experiment_id = (SELECT id FROM experiments WHERE name = ?1) "
    "  GROUP BY t.value) "
    "SELECT n.stage, r.id, r.status, "
    " (SELECT t.value FROM tags t JOIN keys k ON k.id = t.key_id "
    "  WHERE t.run_id = r.rid AND k.name = 'slurm.state'), "
    " (SELECT t.value FROM tags t JOIN keys k ON k.id = t.key_id "
    "  WHERE t.run_id = r.rid AND k.name = 'slurm.reason'), "
    " (SELECT t.value FROM tags t JOIN keys k ON k.id = t.key_id "
    "  WHERE t.run_id = r.rid AND k.name = 'slurm.cancelled_by'), "
    " (SELECT t.value FROM tags t JOIN keys k ON k.id = t.key_id "
    "  WHERE t.run_id = r.rid AND k.name = 'slurm.job_id'), "
    " (SELECT t.value FROM tags t JOIN keys k ON k.id = t.key_id "
    "  WHERE t.run_id = r.rid AND k.name = 'slurm.queue_wait'), "
    " (SELECT t.value FROM tags t JOIN keys k ON k.id = t.key_id "
    "  WHERE t.run_id = r.rid AND k.name = 'slurm.time_limit') "
    "FROM newest n JOIN runs r ON r.rid = n.rid "
    "WHERE r.status IN ('failed', 'killed')";

static const char *
col(sqlite3_stmt *q, int c)
{
	const char *s = (const char *)sqlite3_column_text(q, c);

	return s ? s : "";
}

/* The kind, its mark and its words, from the run's status and tags. */
static void
classify(pl_stage_end *e, const char *status, const char *state,
    const char *reason, const char *by, const char *limit)
{
	e->kind = !strcmp(status, "killed") ? PL_END_KILLED : PL_END_FAILED;
	if (!strcmp(state, "TIMEOUT"))
		e->kind = PL_END_TIMEOUT;
	else if (!strcmp(state, "OUT_OF_MEMORY"))
		e->kind = PL_END_OOM;
	else if (!strcmp(state, "NODE_FAIL"))
		e->kind = PL_END_NODE_FAIL;
	else if (!strcmp(state, "PREEMPTED"))
		e->kind = PL_END_PREEMPTED;
	else if (!strcmp(state, "CANCELLED") &&
	    !strcmp(reason, "DependencyNeverSatisfied"))
		e->kind = PL_END_DEPENDENCY;
	else if (!strcmp(state, "CANCELLED") && by[0])
		e->kind = PL_END_CANCELLED;
	switch (e->kind) {
	case PL_END_TIMEOUT:
		e->mark = "T";
		snprintf(e->words, sizeof e->words, "timeout%s%.40s%s",
		    limit[0] ? " (limit " : "", limit, limit[0] ? ")" : "");
		break;
	case PL_END_OOM:
		e->mark = "M";
		snprintf(e->words, sizeof e->words, "out of memory");
		break;
	case PL_END_NODE_FAIL:
		e->mark = "N";
		snprintf(e->words, sizeof e->words, "node failure");
		break;
	case PL_END_PREEMPTED:
		e->mark = "P";
		snprintf(e->words, sizeof e->words, "preempted");
		break;
	case PL_END_DEPENDENCY:
		e->mark = "D";
		snprintf(e->words, sizeof e->words, "dependency never "
		    "satisfied (an upstream job failed; it never started)");
		break;
	case PL_END_CANCELLED:
		e->mark = "C";
		snprintf(e->words, sizeof e->words, "cancelled by %.80s", by);
		break;
	case PL_END_KILLED:
		e->mark = "K";
		snprintf(e->words, sizeof e->words, "%s", state[0] ?
		    "cancelled (by plumb, or by whom Slurm did not say)" :
		    "killed");
		break;
	default:
		e->mark = "F";
		snprintf(e->words, sizeof e->words, "failed");
		break;
	}
}

int
pl_pipeline_last_ends(pl_stage_end **out, size_t *n, pl_store *st,
    const pl_pipeline *p)
{
	sqlite3_stmt *q;
	pl_stage_end *v = NULL;
	size_t nv = 0;
	int rc;

	*out = NULL;
	*n = 0;
	if ((q = pl__stmt(st, sql)) == NULL)
		return PL_ERROR;
	sqlite3_bind_text(q, 1, pl_pipeline_name(p), -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		long i = pl_pipeline_index(p, col(q, 0));
		pl_stage_end *e;

		if (i < 0)
			continue;	/* a stage since removed */
		e = realloc(v, (nv + 1) * sizeof *v);
		if (e == NULL) {
			sqlite3_reset(q);
			free(v);
			return pl__err(st, PL_ENOMEM, "out of memory");
		}
		v = e;
		e = &v[nv++];
		memset(e, 0, sizeof *e);
		e->stage = (size_t)i;
		snprintf(e->run_id, sizeof e->run_id, "%s", col(q, 1));
		snprintf(e->job_id, sizeof e->job_id, "%s", col(q, 6));
		snprintf(e->queue_wait, sizeof e->queue_wait, "%s",
		    col(q, 7));
		classify(e, col(q, 2), col(q, 3), col(q, 4), col(q, 5),
		    col(q, 8));
	}
	sqlite3_reset(q);
	if (rc != SQLITE_DONE) {
		free(v);
		return pl__sqlerr(st, rc, "reading the stages' last runs");
	}
	*out = v;
	*n = nv;
	return PL_OK;
}
