/* cmd-model.h - what the plumb model subcommands' files share (cmd-model.c, cmd-model-diff.c). */
#ifndef PL_CLI_CMD_MODEL_H
#define PL_CLI_CMD_MODEL_H

#include "buf.h"
#include "json.h"
#include "plumb.h"

/* Prints b (a JSON document) with a newline and frees it. */
void model_put_json(struct buf *b);
/* Loads plumb.yaml (explicit path, or found as pl_config_find does);
 * *out stays NULL when there is none.  Prints errors; CLI status. */
int model_load_config(pl_config **out, const char *explicit_path,
    pl_store *st);
/* "NAME@REF" -> name (malloc'ed) and version; prints errors. */
int model_resolve_ref(char **name, int *version, pl_store *st,
    const char *text);
/* Writes one version as a JSON object. */
void model_version_json(struct json *j, const pl_model_version *v);

/* plumb model diff NAME@A NAME@B (cmd-model-diff.c). */
int model_cmd_diff(int argc, char **argv);

#endif
