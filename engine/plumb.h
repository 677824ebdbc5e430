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

#include "error.h"
#include "store.h"
#include "run.h"
#include "metric.h"
#include "proto.h"
#include "ingest.h"
#include "cache.h"
#include "query.h"
#include "launch.h"
#include "data.h"
#include "repro.h"
#include "progress.h"
#include "executor.h"
#include "lock.h"
#include "hash.h"
#include "pipeline.h"
#include "audit.h"
#include "registry.h"
#include "config-yaml.h"
#include "checks.h"
#include "deploy.h"
#include "model-stage.h"
#include "csvread.h"
#include "drift.h"
#include "detect.h"

#endif
