/* store.c - opening, creating, upgrading and checking a plumb store. */
#include "config.h"
#include "store/store.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "store/endnote.h"
#include "store/internal.h"
#include "store/schema.h"

/* How long a writer waits for another writer before giving up (ms). */
#define BUSY_TIMEOUT_MS 60000

int
pl__err(pl_store *st, int code, const char *fmt, ...)
{
	va_list ap;

	if (st == NULL)
		return code;
	va_start(ap, fmt);
	vsnprintf(st->errmsg, sizeof st->errmsg, fmt, ap);
	va_end(ap);
	st->errcode = code;
	return code;
}

void
pl__clear_err(pl_store *st)
{
	st->errmsg[0] = '\0';
	st->errcode = PL_OK;
	st->erroff = 0;
}

int
pl_like_match(const char *pat, const char *s, int nocase)
{
	/* Iterative wildcard match with one backtrack point, O(n*m) worst. */
	const char *star = NULL, *ss = NULL;

	while (*s) {
		if (*pat == '%') {
			star = pat++;
			ss = s;
			continue;
		}
		if (*pat && (*pat == '_' || *pat == *s || (nocase &&
		    tolower((unsigned char)*pat) == tolower((unsigned char)*s)))) {
			if (*pat == '_') {
				/* '_' is one character: skip a whole UTF-8
				 * sequence. */
				s++;
				while ((*s & 0xc0) == 0x80)
					s++;
				pat++;
				continue;
			}
			pat++;
			s++;
			continue;
		}
		if (star) {
			pat = star + 1;
			s = ++ss;
			continue;
		}
		return 0;
	}
	while (*pat == '%')
		pat++;
	return *pat == '\0';
}

/* pl_like(pattern, value, nocase): LIKE/ILIKE with MLflow's semantics
 * (SQLite's own LIKE ignores ASCII case, MLflow's LIKE does not). */
static void
sql_like(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	const unsigned char *pat = sqlite3_value_text(argv[0]);
	const unsigned char *s = sqlite3_value_text(argv[1]);

	(void)argc;
	if (pat == NULL || s == NULL) {
		sqlite3_result_null(ctx);
		return;
	}
	sqlite3_result_int(ctx, pl_like_match((const char *)pat,
	    (const char *)s, sqlite3_value_int(argv[2])));
}

int
pl__code_from_sqlite(int rc)
{
	switch (rc & 0xff) {
	case SQLITE_OK: case SQLITE_DONE: case SQLITE_ROW: return PL_OK;
	case SQLITE_BUSY: case SQLITE_LOCKED: return PL_EBUSY;
	case SQLITE_NOMEM: return PL_ENOMEM;
	case SQLITE_READONLY: case SQLITE_PERM: case SQLITE_AUTH:
		return PL_EREADONLY;
	case SQLITE_FULL: return PL_EFULL;
	case SQLITE_CORRUPT: case SQLITE_NOTADB: return PL_ECORRUPT;
	case SQLITE_CANTOPEN: case SQLITE_IOERR: return PL_EIO;
	case SQLITE_CONSTRAINT: return PL_EEXISTS;
	default: return PL_ERROR;
	}
}

int
pl__sqlerr(pl_store *st, int rc, const char *what)
{
	/* Called only on failure: an unexpected ROW/DONE is an error too. */
	int code = pl__code_from_sqlite(rc) == PL_OK ? PL_ERROR :
	    pl__code_from_sqlite(rc);
	const char *msg = st && st->db ? sqlite3_errmsg(st->db) :
	    sqlite3_errstr(rc);

	/* A write error on a full disk or past a file-size limit surfaces
	 * as SQLITE_IOERR_WRITE; say what the user can act on. */
	if ((rc & 0xff) == SQLITE_FULL ||
	    (rc == SQLITE_IOERR_WRITE && (errno == ENOSPC || errno == EFBIG)))
		return pl__err(st, PL_EFULL, "%s: disk full (%s)", what, msg);
	return pl__err(st, code, "%s: %s (%s)", what, msg,
	    sqlite3_errstr(rc));
}

sqlite3_stmt *
pl__stmt(pl_store *st, const char *sql)
{
	int i, rc, free_slot = -1;
	sqlite3_stmt *s;

	for (i = 0; i < PL__NSTMT; i++) {
		if (st->stmts[i].sql == sql) {
			s = st->stmts[i].stmt;
			sqlite3_reset(s);
			sqlite3_clear_bindings(s);
			return s;
		}
		if (st->stmts[i].sql == NULL && free_slot < 0)
			free_slot = i;
	}
	rc = sqlite3_prepare_v3(st->db, sql, -1, SQLITE_PREPARE_PERSISTENT,
	    &s, NULL);
	if (rc != SQLITE_OK) {
		pl__sqlerr(st, rc, "preparing a query");
		return NULL;
	}
	if (free_slot < 0) {
		/* Full: evict the first slot (rare; the set is static). */
		sqlite3_finalize(st->stmts[0].stmt);
		free_slot = 0;
	}
	st->stmts[free_slot].sql = sql;
	st->stmts[free_slot].stmt = s;
	return s;
}

int
pl__begin(pl_store *st)
{
	int rc;

	if (st->readonly)
		return pl__err(st, PL_EREADONLY,
		    "store %s is read-only", st->dir);
	rc = sqlite3_exec(st->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
	if (rc != SQLITE_OK)
		return pl__sqlerr(st, rc, "starting a transaction");
	return PL_OK;
}

int
pl_store_read_begin(pl_store *st)
{
	if (!sqlite3_get_autocommit(st->db))
		return 0;
	return sqlite3_exec(st->db, "BEGIN DEFERRED", NULL, NULL, NULL) ==
	    SQLITE_OK;
}

void
pl_store_read_end(pl_store *st, int began)
{
	if (began && !sqlite3_get_autocommit(st->db))
		sqlite3_exec(st->db, "COMMIT", NULL, NULL, NULL);
}

int
pl_store_change_stamp(int64_t *out, pl_store *st)
{
	int64_t v = 0;
	int rc = pl_store_data_version(&v, st);

	/* both only grow, so their sum moves whenever either does */
	*out = v + (int64_t)sqlite3_total_changes64(st->db);
	return rc;
}

int
pl__commit(pl_store *st)
{
	int rc = sqlite3_exec(st->db, "COMMIT", NULL, NULL, NULL);

	if (rc != SQLITE_OK) {
		int code = pl__sqlerr(st, rc, "committing");

		pl__rollback(st);
		return code;
	}
	return PL_OK;
}

void
pl__rollback(pl_store *st)
{
	if (!sqlite3_get_autocommit(st->db))
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
}

int64_t
pl__now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int
pl__mkdirs(const char *path, int mode)
{
	char tmp[PATH_MAX];
	size_t n = strlen(path);

	if (n == 0 || n >= sizeof tmp) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(tmp, path, n + 1);
	for (char *p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(tmp, (mode_t)mode) < 0 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	if (mkdir(tmp, (mode_t)mode) < 0 && errno != EEXIST)
		return -1;
	return 0;
}

int64_t
pl__proc_start(long pid)
{
	char path[64], buf[1024], *p;
	FILE *f;
	long long start = -1;
	int field;

	snprintf(path, sizeof path, "/proc/%ld/stat", pid);
	f = fopen(path, "r");
	if (f == NULL)
		return -1;
	if (fgets(buf, sizeof buf, f) == NULL) {
		fclose(f);
		return -1;
	}
	fclose(f);
	/* Field 2 (comm) may hold spaces and parentheses: skip past the
	 * last ')'; starttime is field 22. */
	p = strrchr(buf, ')');
	if (p == NULL)
		return -1;
	p++;
	for (field = 3; field < 22 && p; field++) {
		p = strchr(p + 1, ' ');
	}
	if (p && sscanf(p, " %lld", &start) != 1)
		start = -1;
	return start;
}

const char *
pl__hostname(void)
{
	static char host[256];

	if (host[0] == '\0' && gethostname(host, sizeof host - 1) < 0)
		strcpy(host, "unknown");
	return host;
}

const char *
pl__username(void)
{
	static char user[256];
	struct passwd *pw;
	const char *env;

	if (user[0])
		return user;
	pw = getpwuid(getuid());
	if (pw && pw->pw_name)
		snprintf(user, sizeof user, "%s", pw->pw_name);
	else if ((env = getenv("USER")) != NULL && *env)
		snprintf(user, sizeof user, "%s", env);
	else
		snprintf(user, sizeof user, "uid%ld", (long)getuid());
	return user;
}

int
pl_store_schema_latest(void)
{
	return pl__schema_latest();
}

static int
is_dir(const char *p)
{
	struct stat sb;

	return stat(p, &sb) == 0 && S_ISDIR(sb.st_mode);
}

int
pl_store_find(char **out, const char *explicit_dir, char *err, size_t err_len)
{
	char cwd[PATH_MAX], cand[PATH_MAX + 16];
	const char *env = getenv("PLUMB_STORE");
	char *p;

	*out = NULL;
	if (explicit_dir == NULL && env != NULL && *env)
		explicit_dir = env;
	if (explicit_dir != NULL) {
		*out = strdup(explicit_dir);
		return *out ? PL_OK : PL_ENOMEM;
	}
	if (getcwd(cwd, sizeof cwd) == NULL) {
		if (err_len)
			snprintf(err, err_len,
			    "cannot read the working directory: %s",
			    strerror(errno));
		return PL_EIO;
	}
	for (;;) {
		snprintf(cand, sizeof cand, "%s/%s",
		    strcmp(cwd, "/") == 0 ? "" : cwd, PL_STORE_DIRNAME);
		if (is_dir(cand)) {
			*out = strdup(cand);
			return *out ? PL_OK : PL_ENOMEM;
		}
		p = strrchr(cwd, '/');
		if (p == NULL || p == cwd) {
			if (strcmp(cwd, "/") == 0)
				break;
			strcpy(cwd, "/");
			continue;
		}
		*p = '\0';
	}
	if (err_len)
		snprintf(err, err_len,
		    "no plumb store here or in any parent directory "
		    "(run 'plumb init', or use --store DIR or PLUMB_STORE)");
	return PL_ENOTFOUND;
}

/* Opens one connection and applies plumb's pragmas. */
static int
open_conn(sqlite3 **out, const char *name, int flags)
{
	sqlite3 *db = NULL;
	int rc;

	*out = NULL;
	rc = sqlite3_open_v2(name, &db, flags | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_busy_timeout(db, BUSY_TIMEOUT_MS);
		sqlite3_extended_result_codes(db, 1);
		/* synchronous=NORMAL in WAL mode: a power loss may drop the
		 * last transactions but never corrupts the database.  The
		 * schema read below makes a bad file fail here, at open. */
		rc = sqlite3_exec(db,
		    "PRAGMA foreign_keys=ON;"
		    "PRAGMA synchronous=NORMAL;"
		    "PRAGMA temp_store=MEMORY;"
		    "PRAGMA cache_size=-16384;"
		    "PRAGMA mmap_size=1073741824;"
		    "SELECT count(*) FROM sqlite_schema;", NULL, NULL, NULL);
	}
	*out = db;
	return rc;
}

/* "file:" URI of path with ?immutable=1, percent-escaping what a URI
 * would read specially. */
static char *
immutable_uri(const char *path)
{
	size_t n = strlen(path);
	char *u = malloc(3 * n + 32), *q;

	if (u == NULL)
		return NULL;
	q = u + sprintf(u, "file:");
	for (; *path; path++) {
		unsigned char c = (unsigned char)*path;

		if (c == '%' || c == '?' || c == '#' || c <= 0x20 || c >= 0x7f)
			q += sprintf(q, "%%%02X", c);
		else
			*q++ = (char)c;
	}
	strcpy(q, "?immutable=1");
	return u;
}

int
pl__open_db(sqlite3 **out, const char *dbpath, int readonly, char *err,
    size_t err_len)
{
	sqlite3 *db = NULL;
	int rc;

	rc = open_conn(&db, dbpath, readonly ? SQLITE_OPEN_READONLY :
	    SQLITE_OPEN_READWRITE);
	if (rc != SQLITE_OK && readonly && ((rc & 0xff) == SQLITE_READONLY ||
	    (rc & 0xff) == SQLITE_CANTOPEN)) {
		/*
		 * A WAL database can be read without write access only when
		 * its -shm file exists (a writer is around) or can be made.
		 * Otherwise nobody is writing it, and it is read as an
		 * immutable file: a user with read-only access to a team's
		 * store can still list and show its runs.
		 */
		char *uri = immutable_uri(dbpath);

		sqlite3_close(db);
		db = NULL;
		if (uri == NULL) {
			snprintf(err, err_len, "out of memory");
			return SQLITE_NOMEM;
		}
		rc = open_conn(&db, uri, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI);
		free(uri);
	}
	if (rc != SQLITE_OK) {
		if ((rc & 0xff) == SQLITE_NOTADB)
			snprintf(err, err_len, "%s is not a plumb store (not an "
			    "SQLite database, or damaged)", dbpath);
		else
			snprintf(err, err_len, "cannot use %s: %s", dbpath,
			    db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
		sqlite3_close(db);
		*out = NULL;
		return rc;
	}
	sqlite3_create_function(db, "pl_like", 3, SQLITE_UTF8 |
	    SQLITE_DETERMINISTIC, NULL, sql_like, NULL, NULL);
	*out = db;
	return SQLITE_OK;
}

static int
pragma_int(pl_store *st, const char *sql, int *out)
{
	sqlite3_stmt *s;
	int rc;

	rc = sqlite3_prepare_v2(st->db, sql, -1, &s, NULL);
	if (rc != SQLITE_OK)
		return rc;
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*out = sqlite3_column_int(s, 0);
		rc = SQLITE_OK;
	}
	sqlite3_finalize(s);
	return rc;
}

/* Brings the schema up to date, in one IMMEDIATE transaction (the version
 * is re-read inside it, so two processes upgrading at once are safe). */
static int
migrate(pl_store *st)
{
	int rc, v, appid, latest = pl__schema_latest();

	rc = pragma_int(st, "PRAGMA user_version", &v);
	if (rc == SQLITE_OK)
		rc = pragma_int(st, "PRAGMA application_id", &appid);
	if (rc != SQLITE_OK) {
		if ((rc & 0xff) == SQLITE_NOTADB)
			return pl__err(st, PL_ECORRUPT,
			    "%s is not a plumb store (not an SQLite database)",
			    st->dbpath);
		return pl__sqlerr(st, rc, "reading the schema version");
	}
	if ((appid != 0 && appid != PL__APPLICATION_ID) || (appid == 0 && v != 0))
		return pl__err(st, PL_ECORRUPT,
		    "%s is an SQLite database but not a plumb store",
		    st->dbpath);
	if (v > latest)
		return pl__err(st, PL_EVERSION,
		    "store %s has schema version %d, newer than this plumb "
		    "understands (%d): upgrade plumb to use it", st->dir, v,
		    latest);
	if (v == latest) {
		st->schema = v;
		return PL_OK;
	}
	if (st->readonly)
		return pl__err(st, PL_EREADONLY,
		    "store %s needs a schema upgrade (%d -> %d) but is "
		    "read-only", st->dir, v, latest);
	if ((rc = pl__begin(st)) != PL_OK)
		return rc;
	if (pragma_int(st, "PRAGMA user_version", &v) != SQLITE_OK)
		goto sqlfail;
	for (; v < latest; v++) {
		char pragma[64];

		rc = sqlite3_exec(st->db, pl__schema_migration(v + 1), NULL,
		    NULL, NULL);
		if (rc != SQLITE_OK)
			goto sqlfail;
		snprintf(pragma, sizeof pragma, "PRAGMA user_version=%d", v + 1);
		if ((rc = sqlite3_exec(st->db, pragma, NULL, NULL, NULL)))
			goto sqlfail;
	}
	{
		char pragma[64];

		snprintf(pragma, sizeof pragma, "PRAGMA application_id=%d",
		    PL__APPLICATION_ID);
		if ((rc = sqlite3_exec(st->db, pragma, NULL, NULL, NULL)))
			goto sqlfail;
	}
	if ((rc = pl__commit(st)) != PL_OK)
		return rc;
	st->schema = latest;
	return PL_OK;
sqlfail:
	rc = pl__sqlerr(st, sqlite3_errcode(st->db), "upgrading the schema");
	pl__rollback(st);
	return rc;
}

static int
store_alloc(pl_store **out, const char *dir)
{
	pl_store *st = calloc(1, sizeof *st);
	char abs[PATH_MAX];

	*out = st;
	if (st == NULL)
		return PL_ENOMEM;
	if (realpath(dir, abs) == NULL)
		snprintf(abs, sizeof abs, "%s", dir);
	st->dir = strdup(abs);
	if (st->dir == NULL ||
	    asprintf(&st->dbpath, "%s/plumb.db", st->dir) < 0) {
		st->dbpath = NULL;
		return pl__err(st, PL_ENOMEM, "out of memory");
	}
	return PL_OK;
}

static int
open_common(pl_store *st, unsigned flags, int create)
{
	char err[sizeof st->errmsg];
	int rc;

	if (!is_dir(st->dir))
		return pl__err(st, PL_ENOTFOUND,
		    "no plumb store at %s (run 'plumb init' to create one)",
		    st->dir);
	if (!create && access(st->dbpath, F_OK) != 0)
		return pl__err(st, PL_ENOTFOUND,
		    "%s is not a plumb store (no plumb.db; run 'plumb init')",
		    st->dir);
	st->readonly = (flags & PL_OPEN_READONLY) != 0;
	if (!st->readonly && access(st->dir, W_OK) != 0 && !create)
		st->readonly = 1;
	if (!st->readonly && access(st->dbpath, F_OK) == 0 &&
	    access(st->dbpath, W_OK) != 0)
		st->readonly = 1;
	if (create && st->readonly)
		return pl__err(st, PL_EREADONLY,
		    "cannot create a store in %s: permission denied", st->dir);
	if (create) {
		sqlite3 *db;

		rc = sqlite3_open_v2(st->dbpath, &db,
		    SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
		if (rc == SQLITE_OK)
			rc = sqlite3_exec(db, "PRAGMA journal_mode=WAL", NULL,
			    NULL, NULL);
		if (rc != SQLITE_OK) {
			pl__err(st, pl__code_from_sqlite(rc),
			    "cannot create %s: %s", st->dbpath,
			    db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
			sqlite3_close(db);
			return pl__code_from_sqlite(rc);
		}
		sqlite3_close(db);
	}
	rc = pl__open_db(&st->db, st->dbpath, st->readonly, err, sizeof err);
	if (rc != SQLITE_OK)
		return pl__err(st, pl__code_from_sqlite(rc), "%s", err);
	if ((flags & PL_OPEN_NOMMAP) &&
	    sqlite3_exec(st->db, "PRAGMA mmap_size=0", NULL, NULL, NULL) !=
	    SQLITE_OK)
		return pl__sqlerr(st, sqlite3_errcode(st->db), "turning mmap off");
	if ((flags & PL_OPEN_NOCHECKPOINT) &&
	    sqlite3_exec(st->db, "PRAGMA wal_autocheckpoint=0", NULL, NULL,
	    NULL) != SQLITE_OK)
		return pl__sqlerr(st, sqlite3_errcode(st->db),
		    "turning checkpoints off");
	if ((rc = migrate(st)) != PL_OK)
		return rc;
	if (!st->readonly)
		return pl_store_reap(NULL, st);
	return PL_OK;
}

int
pl_store_open(pl_store **out, const char *dir, unsigned flags)
{
	int rc = store_alloc(out, dir);

	if (rc != PL_OK)
		return rc;
	return open_common(*out, flags, 0);
}

int
pl_store_checkpoint(int *out_wal, int *out_left, pl_store *st)
{
	int log = 0, done = 0;
	int rc = sqlite3_wal_checkpoint_v2(st->db, "main",
	    SQLITE_CHECKPOINT_PASSIVE, &log, &done);

	if (out_wal)
		*out_wal = log > 0 ? log : 0;
	if (out_left)
		*out_left = log > done ? log - done : 0;
	if (rc != SQLITE_OK)
		return pl__sqlerr(st, rc, "checkpointing the WAL");
	return PL_OK;
}

int
pl_store_init(pl_store **out, const char *dir)
{
	static const char *const sub[] = { "cache", "runs", "tmp" };
	char path[PATH_MAX + 16];
	int rc;

	*out = NULL;
	if (pl__mkdirs(dir, 0777) < 0) {
		rc = store_alloc(out, dir);
		if (rc != PL_OK)
			return rc;
		return pl__err(*out, errno == EACCES || errno == EROFS ?
		    PL_EREADONLY : PL_EIO, "cannot create %s: %s", dir,
		    strerror(errno));
	}
	if ((rc = store_alloc(out, dir)) != PL_OK)
		return rc;
	for (size_t i = 0; i < sizeof sub / sizeof sub[0]; i++) {
		snprintf(path, sizeof path, "%s/%s", (*out)->dir, sub[i]);
		if (mkdir(path, 0777) < 0 && errno != EEXIST)
			return pl__err(*out, errno == EACCES ? PL_EREADONLY :
			    PL_EIO, "cannot create %s: %s", path,
			    strerror(errno));
	}
	return open_common(*out, 0, 1);
}

void
pl_store_close(pl_store *st)
{
	if (st == NULL)
		return;
	for (int i = 0; i < PL__NSTMT; i++)
		sqlite3_finalize(st->stmts[i].stmt);
	sqlite3_close(st->db);
	free(st->dir);
	free(st->dbpath);
	free(st);
}

const char *
pl_store_errmsg(const pl_store *st)
{
	return st ? st->errmsg : "out of memory";
}

int
pl_store_errcode(const pl_store *st)
{
	return st ? st->errcode : PL_ENOMEM;
}

const char *
pl_store_dir(const pl_store *st)
{
	return st->dir;
}

int
pl_store_readonly(const pl_store *st)
{
	return st->readonly;
}

int
pl_store_schema_version(const pl_store *st)
{
	return st->schema;
}

int
pl_store_data_version(int64_t *out, pl_store *st)
{
	int v = 0, rc = pragma_int(st, "PRAGMA data_version", &v);

	*out = v;
	if (rc != SQLITE_OK)
		return pl__sqlerr(st, rc, "reading data_version");
	return PL_OK;
}

int
pl_store_reap(int *out_count, pl_store *st)
{
	/* A run without a heartbeat is detached (track/run.h): a client of
	 * plumb serve owns it, no process here keeps it alive, so nothing
	 * here can tell it is lost. */
	static const char sel[] =
	    "SELECT rid, host, pid, pid_start, heartbeat_ms, id FROM runs "
	    "WHERE status = 'running' AND heartbeat_ms IS NOT NULL";
	static const char upd[] =
	    "UPDATE runs SET status = 'lost', end_ms = coalesce(heartbeat_ms, "
	    "start_ms), message = ?2 WHERE rid = ?1 AND status = 'running'";
	/* A run whose end was kept in its note (store/endnote.c) because the
	 * store was full when it ended: that end, not "lost". */
	static const char upd_note[] =
	    "UPDATE runs SET status = ?2, exit_status = ?3, end_ms = ?4, "
	    "heartbeat_ms = ?4, message = ?5 "
	    "WHERE rid = ?1 AND status = 'running'";
	int64_t now = pl__now_ms();
	struct { int64_t rid; char id[33]; } lost[256];
	int nlost = 0, rc;
	sqlite3_stmt *s;

	if (out_count)
		*out_count = 0;
	if (st->readonly)
		return PL_OK;
	if ((s = pl__stmt(st, sel)) == NULL)
		return PL_ERROR;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW && nlost < 256) {
		const char *host = (const char *)sqlite3_column_text(s, 1);
		long pid = (long)sqlite3_column_int64(s, 2);
		int64_t pstart = sqlite3_column_int64(s, 3);
		int64_t hb = sqlite3_column_int64(s, 4);
		const char *id = (const char *)sqlite3_column_text(s, 5);
		int dead = now - hb > PL_HEARTBEAT_LOST_MS;

		if (!dead && host && strcmp(host, pl__hostname()) == 0 &&
		    pid > 0)
			dead = pl__proc_start(pid) != pstart;
		if (dead) {
			lost[nlost].rid = sqlite3_column_int64(s, 0);
			snprintf(lost[nlost].id, sizeof lost[nlost].id, "%s",
			    id ? id : "");
			nlost++;
		}
	}
	sqlite3_reset(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return pl__sqlerr(st, rc, "looking for lost runs");
	if (nlost == 0)
		return PL_OK;
	if ((rc = pl__begin(st)) != PL_OK)
		return rc;
	for (int i = 0; i < nlost; i++) {
		pl__endnote note;

		if (strlen(lost[i].id) == 32 &&
		    pl__endnote_read(&note, st, lost[i].id) == 0) {
			if ((s = pl__stmt(st, upd_note)) == NULL)
				goto fail;
			sqlite3_bind_int64(s, 1, lost[i].rid);
			sqlite3_bind_text(s, 2, note.status, -1,
			    SQLITE_TRANSIENT);
			if (note.exit_status >= 0)
				sqlite3_bind_int(s, 3, note.exit_status);
			sqlite3_bind_int64(s, 4, note.end_ms);
			sqlite3_bind_text(s, 5, note.message, -1,
			    SQLITE_TRANSIENT);
		} else {
			if ((s = pl__stmt(st, upd)) == NULL)
				goto fail;
			sqlite3_bind_int64(s, 1, lost[i].rid);
			sqlite3_bind_text(s, 2, "plumb process ended without "
			    "finishing the run", -1, SQLITE_STATIC);
		}
		rc = sqlite3_step(s);
		sqlite3_clear_bindings(s);
		sqlite3_reset(s);
		if (rc != SQLITE_DONE) {
			pl__sqlerr(st, rc, "marking a lost run");
			goto fail;
		}
	}
	if ((rc = pl__commit(st)) != PL_OK)
		return rc;
	if (out_count)
		*out_count = nlost;
	return PL_OK;
fail:
	pl__rollback(st);
	return PL_ERROR;
}

int
pl_store_check(char **out_report, pl_store *st)
{
	sqlite3_stmt *s = NULL;
	char *rep = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&rep, &len);
	int rc, bad = 0;

	*out_report = NULL;
	if (f == NULL)
		return pl__err(st, PL_ENOMEM, "out of memory");
	/* Each pragma: prepare, then step through its rows to SQLITE_DONE. */
	rc = sqlite3_prepare_v2(st->db, "PRAGMA integrity_check", -1, &s, NULL);
	if (rc == SQLITE_OK) {
		while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
			const char *line =
			    (const char *)sqlite3_column_text(s, 0);

			if (line && strcmp(line, "ok") != 0) {
				fprintf(f, "%s\n", line);
				bad = 1;
			}
		}
		sqlite3_finalize(s);
		s = NULL;
		if (rc == SQLITE_DONE)
			rc = sqlite3_prepare_v2(st->db,
			    "PRAGMA foreign_key_check", -1, &s, NULL);
	}
	if (rc == SQLITE_OK) {
		while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
			fprintf(f, "foreign key violation in %s row %lld\n",
			    sqlite3_column_text(s, 0),
			    (long long)sqlite3_column_int64(s, 1));
			bad = 1;
		}
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		fclose(f);
		free(rep);
		return pl__sqlerr(st, rc, "checking integrity");
	}
	if (!bad)
		fputs("ok", f);
	fclose(f);
	*out_report = rep;
	return bad ? PL_ECORRUPT : PL_OK;
}
