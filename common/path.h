/* path.h - normalising and joining path names as text (no file system access). */
#ifndef PL_COMMON_PATH_H
#define PL_COMMON_PATH_H

/* (pl_ names for history: these began in the engine's pipelines and are
 * shared by pipelines and data versioning.) */

/* Normalises a path: "a/./b//c/../d/" -> "a/b/d"; "" -> ".".  Malloc'ed,
 * NULL when out of memory. */
char *pl_path_normalize(const char *path);
/* join(dir, path) normalised (path wins when absolute).  Malloc'ed. */
char *pl_path_join(const char *dir, const char *path);

#endif
