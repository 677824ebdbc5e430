/* schema.h - access to the numbered schema migrations (engine-internal). */
#ifndef PL_ENGINE_SCHEMA_H
#define PL_ENGINE_SCHEMA_H

/* SQLite application_id of a plumb store ('PLMB'). */
#define PL__APPLICATION_ID 0x504c4d42

/* Highest schema version this build knows. */
int pl__schema_latest(void);
/* SQL taking the store from version-1 to version, or NULL. */
const char *pl__schema_migration(int version);

#endif
