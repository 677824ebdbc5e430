/* plumb.h - the public engine API: the one header front ends include. */
#ifndef PL_ENGINE_PLUMB_H
#define PL_ENGINE_PLUMB_H

/*
 * Conventions of every pl_ function (see docs/style.md):
 * - Functions return int: PL_OK (0) or a negative PL_E* code (error.h).
 *   The explanation is on the handle given (pl_store_errmsg()).
 * - Out-parameters come first and are set to NULL/0 on failure.
 * - What a function hands back through an out-parameter belongs to the
 *   caller and is freed with the matching pl_*_free() (NULL is fine).
 *   Strings returned by getters are borrowed from their handle and live
 *   until the handle is freed or the next call on it.
 * - A handle is used by one thread at a time.
 * - The engine never prints and never exits the process.
 */

/* Room by room, from the bottom (store) to the top (docs/architecture.md). */
#include "store/error.h"
#include "store/store.h"
#include "store/audit.h"
#include "store/tmpfiles.h"
#include "track/run.h"
#include "track/metric.h"
#include "track/proto.h"
#include "track/ingest.h"
#include "track/query.h"
#include "track/experiment.h"
#include "track/launch.h"
#include "track/import-mlflow.h"
#include "store/progress.h"
#include "data/hash.h"
#include "data/cache.h"
#include "data/dataset.h"
#include "data/csvread.h"
#include "config/names.h"
#include "config/plumb-yaml.h"
#include "pipeline/pipeline.h"
#include "pipeline/lock.h"
#include "pipeline/executor.h"
#include "pipeline/repro.h"
#include "registry/registry.h"
#include "registry/lineage.h"
#include "registry/checks.h"
#include "registry/deploy.h"
#include "registry/from-pipeline.h"
#include "registry/import-models.h"
#include "registry/model-edit.h"
#include "store/tmpwrite.h"
#include "drift/drift.h"
#include "drift/detect.h"
#include "config/monitor.h"
#include "monitor/tsdb.h"
#include "store/events.h"
#include "monitor/source.h"
#include "monitor/names.h"
#include "monitor/watch.h"
#include "monitor/predsrc.h"
#include "monitor/status.h"
#include "alert/alert.h"
#include "alert/notify.h"
#include "ct/ct.h"

#endif
