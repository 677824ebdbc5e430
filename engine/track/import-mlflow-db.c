/* import-mlflow-db.c - reads an MLflow SQLite database (experiments, runs, params, tags, metrics) on a read-only connection of its own. */
#include "config.h"
#include "track/import-mlflow-int.h"

#include "store/internal.h"

int
pl__mlflow_read_sqlite(struct mli *m, const char *dbpath)
{
	return pl__err(mli_store(m), PL_EINVAL, "%s: reading MLflow SQLite "
	    "databases is not there yet", dbpath);
}
