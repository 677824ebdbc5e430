/* heartbeat.h - inside engine/alert/: the PlumbWatcherNotRunning row heartbeat.c makes for pl_alerts_active(). */
#ifndef PL_ENGINE_ALERT_HEARTBEAT_H
#define PL_ENGINE_ALERT_HEARTBEAT_H

#include <stdint.h>

#include "alert/alert.h"

/* Fills *r with the row of a watcher that is not running (its strings
 * malloc'ed like a history row's, the caller frees them): PL_OK,
 * PL_ENOTFOUND when none is due, or the store's code. */
int pl__watcher_alert(pl_alert_row *r, struct pl_store *st, int64_t now_ms);

#endif
