/* audit.h - the append-only audit log: who did what, when, and from where. */
#ifndef PL_ENGINE_AUDIT_H
#define PL_ENGINE_AUDIT_H

#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

/*
 * Every mutating action of plumb appends one entry: run start, data add,
 * model register / alias / promote / rollback / deploy, gates forced.  An
 * entry says who (user name and uid), where from (host, and the SSH
 * client address when the session came over SSH), which process, when,
 * the action, the object it acted on and free-form detail.
 *
 * The log is append-only: the store's schema has triggers that abort any
 * UPDATE or DELETE of it, and plumb has no command that edits it.
 */

/* Who is acting: filled from the process's identity and environment. */
typedef struct pl_actor {
	char user[256];
	long uid;
	char host[256];
	char ssh_client[64];	/* client address from SSH_CLIENT or
				 * SSH_CONNECTION; empty when not over SSH */
	long pid;
} pl_actor;

/* Fills *out for the current process.  Never fails. */
void pl_actor_current(pl_actor *out);

/*
 * Sets who acts through st, for a process acting on behalf of others
 * (plumb serve: the user of the request's token and the client's
 * address): until changed, every audit entry, event, acknowledgement,
 * model transition and registration made through st names user (instead
 * of the process's user, uid -1 as it is no account of this host) and,
 * when client_addr is given, that address as the host it came from.
 * user NULL keeps the process's user (with client_addr still applied);
 * both NULL go back to the process's identity.  Names longer than 127
 * bytes are cut; control characters become '?'.  Never fails.
 */
void pl_store_set_actor(pl_store *st, const char *user,
    const char *client_addr);

/* Fills *out with the actor of st: pl_actor_current() with what
 * pl_store_set_actor() set applied.  Never fails. */
void pl_store_actor(const pl_store *st, pl_actor *out);

/*
 * Appends an entry for the current actor.  action is a dotted name such
 * as "model.promote" (required); object (e.g. "churn@3") and detail may
 * be NULL.  When a transaction is already open on st (an engine function
 * calling it from inside its own write), the entry joins it, so it
 * commits or rolls back with the action it records; otherwise it is a
 * transaction of its own.
 */
int pl_audit_append(pl_store *st, const char *action, const char *object,
    const char *detail);

typedef struct pl_audit_entry {
	int64_t id;		/* increasing */
	int64_t time_ms;
	char *user;
	long uid;		/* -1 when unknown */
	char *host;		/* may be NULL */
	char *ssh_client;	/* NULL when not over SSH */
	long pid;
	char *action;
	char *object;		/* may be NULL */
	char *detail;		/* may be NULL */
} pl_audit_entry;

/* What to list; every field may be 0/NULL. */
typedef struct pl_audit_query {
	const char *action;	/* entries whose action is this or starts
				 * with this followed by '.' */
	const char *object;	/* exact object, or "NAME" matches "NAME@..." */
	int64_t since_ms;	/* entries at or after this time */
	int64_t limit;		/* the newest N (0: all); listed oldest first */
} pl_audit_query;

/* Entries in order of id (oldest first).  Free with pl_audit_list_free. */
int pl_audit_list(pl_audit_entry **out, size_t *out_n, pl_store *st,
    const pl_audit_query *q);
void pl_audit_list_free(pl_audit_entry *e, size_t n);

/*
 * Deploys whose intent is in the log but whose outcome never came, and
 * whose process is gone (killed during `plumb model promote`): the
 * model.deploy.intent entries, oldest first.  Free with pl_audit_list_free.
 */
int pl_audit_unfinished(pl_audit_entry **out, size_t *out_n, pl_store *st);

#endif
