/* runref.h - resolving a run argument (id or prefix) for subcommands. */
#ifndef PL_CLI_RUNREF_H
#define PL_CLI_RUNREF_H

#include "plumb.h"

/* Resolves arg to a full id, printing the error (unknown, ambiguous).
 * Returns CLI_OK or CLI_ERROR. */
int cli_resolve_run(char out[PL_ID_LEN + 1], pl_store *st, const char *arg);

#endif
