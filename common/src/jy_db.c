/*  jy_db: one PostgreSQL connection with retry, parameterised statements and migrations.
    See jy_db.h; docs/database.md describes migrations and the schemas they create.
*/
#include <assert.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <czmq.h>

#include "jy_db.h"
#include "jy_log.h"

#define JY_DB_ERROR_SIZE       2048
#define JY_DB_BACKOFF_FIRST_MS 100
#define JY_DB_BACKOFF_MAX_MS   5000

//  pg_advisory_lock key held while migrating: "journey" in ASCII, so that it is recognisable
//  in pg_locks and unlikely to collide with anyone else's key.
#define JY_DB_MIGRATE_LOCK_KEY "29958897753023865"

struct _jy_db_t {
    char *url;
    char *application_name;
    char *refuse_key;  //  refuse privileged roles, naming this key; NULL: allow
    bool role_refused; //  the last connection attempt was refused for the role's privileges
    PGconn *conn;
    char error[JY_DB_ERROR_SIZE];
    char sqlstate[6];
    char **prepared; //  names of the statements prepared on this connection
    size_t prepared_count, prepared_capacity;
};

//  A migration file found on disk.
typedef struct {
    int version;
    char *name; //  file name, e.g. "001_schemas.sql"
    char *path; //  dir/name, for messages
    char *body; //  NUL-terminated file contents
    char checksum[crypto_hash_sha256_BYTES * 2 + 1];
} s_migration_t;

static void s_set_error (jy_db_t *self, const char *sqlstate, const char *format, ...)
    __attribute__ ((format (printf, 3, 4)));

static void s_set_error (jy_db_t *self, const char *sqlstate, const char *format, ...)
{
    va_list args;
    va_start (args, format);
    vsnprintf (self->error, sizeof self->error, format, args);
    va_end (args);
    //  One line: libpq's messages end in a newline and continue on tabbed lines, and ours go
    //  inside log lines and JSON.
    char *out = self->error;
    for (const char *in = self->error; *in; in++) {
        if (*in == '\n') {
            while (in[1] && isspace ((unsigned char) in[1]))
                in++;
            if (in[1])
                *out++ = ' ';
        } else
            *out++ = *in;
    }
    *out = '\0';
    while (out > self->error && isspace ((unsigned char) out[-1]))
        *--out = '\0';
    snprintf (self->sqlstate, sizeof self->sqlstate, "%s", sqlstate ? sqlstate : "");
}

//  Put "path: " in front of the kept error, keeping its SQLSTATE.
static void s_prefix_error (jy_db_t *self, const char *path)
{
    char error[JY_DB_ERROR_SIZE], sqlstate[sizeof self->sqlstate];
    memcpy (error, self->error, sizeof error);
    memcpy (sqlstate, self->sqlstate, sizeof sqlstate);
    s_set_error (self, sqlstate, "%s: %s", path, error);
}

static void s_clear_error (jy_db_t *self)
{
    self->error[0] = '\0';
    self->sqlstate[0] = '\0';
}

//  Set by jy_db_refuse_privileged_by_default before any thread starts; read-only afterwards.
static char s_refuse_key_default[128];

jy_db_t *jy_db_new (const char *url)
{
    assert (url);
    jy_db_t *self = calloc (1, sizeof *self);
    assert (self);
    self->url = strdup (url);
    assert (self->url);
    if (*s_refuse_key_default)
        jy_db_refuse_privileged (self, s_refuse_key_default);
    return self;
}

void jy_db_destroy (jy_db_t **self_p)
{
    assert (self_p);
    jy_db_t *self = *self_p;
    if (!self)
        return;
    if (self->conn)
        PQfinish (self->conn);
    free (self->url);
    free (self->application_name);
    free (self->refuse_key);
    for (size_t i = 0; i < self->prepared_count; i++)
        free (self->prepared[i]);
    free (self->prepared);
    free (self);
    *self_p = NULL;
}

void jy_db_set_application_name (jy_db_t *self, const char *name)
{
    assert (self);
    free (self->application_name);
    self->application_name = name ? strdup (name) : NULL;
    assert (!name || self->application_name);
}

void jy_db_refuse_privileged (jy_db_t *self, const char *key)
{
    assert (self);
    assert (key);
    free (self->refuse_key);
    self->refuse_key = strdup (key);
    assert (self->refuse_key);
}

void jy_db_refuse_privileged_by_default (const char *key)
{
    assert (key && strlen (key) < sizeof s_refuse_key_default);
    snprintf (s_refuse_key_default, sizeof s_refuse_key_default, "%s", key);
}

//  What the login role may do that no service needs: its own attributes, and those of every
//  role it is a member of (it could SET ROLE to them). NULL when nothing.
static const char *s_privileged_sql =
    "SELECT session_user,"
    "       string_agg (a.name || CASE WHEN r.rolname = session_user THEN ''"
    "                             ELSE ' (through ' || quote_ident (r.rolname) || ')' END,"
    "                   ', ' ORDER BY r.rolname <> session_user, r.rolname, a.n)"
    "  FROM pg_roles r"
    " CROSS JOIN LATERAL (VALUES (1, 'SUPERUSER', r.rolsuper), (2, 'CREATEROLE', r.rolcreaterole),"
    "                            (3, 'CREATEDB', r.rolcreatedb),"
    "                            (4, 'REPLICATION', r.rolreplication),"
    "                            (5, 'BYPASSRLS', r.rolbypassrls)) AS a (n, name, granted)"
    " WHERE a.granted AND pg_has_role (session_user, r.oid, 'MEMBER')";

//  On a handle that refuses privileged roles: 0 when the login role is an ordinary one, -1 when
//  the check could not run, -2 when the role is privileged. The error is kept either way.
static int s_check_role (jy_db_t *self, PGconn *conn)
{
    PGresult *result = PQexec (conn, s_privileged_sql);
    if (PQresultStatus (result) != PGRES_TUPLES_OK || PQntuples (result) != 1) {
        const char *state = PQresultErrorField (result, PG_DIAG_SQLSTATE);
        s_set_error (self, state, "checking the role's privileges: %s", PQerrorMessage (conn));
        PQclear (result);
        return -1;
    }
    int rc = 0;
    if (!PQgetisnull (result, 0, 1)) {
        s_set_error (self, "28000",
                     "role \"%s\" may act as %s; a daemon works only as its own unprivileged "
                     "role: set %s to it (docs/database.md, \"Roles and privileges\")",
                     PQgetvalue (result, 0, 0), PQgetvalue (result, 0, 1), self->refuse_key);
        rc = -2;
    }
    PQclear (result);
    return rc;
}

//  NOTICEs ("schema journey already exists, skipping") are routine: keep them off stderr
//  unless debugging.
static void s_notice (void *arg, const char *message)
{
    size_t len = strlen (message);
    while (len > 0 && isspace ((unsigned char) message[len - 1]))
        len--;
    jy_debug ("database: %.*s", (int) len, message);
}

//  One connection attempt, including the session settings and the role check. 0, or -1 with
//  the error kept, or -2 when the role is refused (retrying cannot help).
static int s_connect_once (jy_db_t *self)
{
    if (self->conn) {
        PQfinish (self->conn);
        self->conn = NULL;
    }
    self->role_refused = false;
    PGconn *conn = PQconnectdb (self->url);
    if (!conn) {
        s_set_error (self, "08001", "out of memory connecting to the database");
        return -1;
    }
    if (PQstatus (conn) != CONNECTION_OK) {
        s_set_error (self, "08001", "%s", PQerrorMessage (conn));
        PQfinish (conn);
        return -1;
    }
    PQsetNoticeProcessor (conn, s_notice, NULL);
    //  Invariant 1: an ack follows a durable commit, whatever the server's default.
    //  set_config takes the name as a parameter; SET would need it spliced into the SQL.
    const char *params[1] = {self->application_name};
    PGresult *result = self->application_name
                           ? PQexecParams (conn,
                                           "SELECT set_config ('synchronous_commit', 'on', false),"
                                           " set_config ('application_name', $1, false)",
                                           1, NULL, params, NULL, NULL, 0)
                           : PQexec (conn, "SET synchronous_commit = on");
    ExecStatusType status = PQresultStatus (result);
    if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) {
        const char *state = PQresultErrorField (result, PG_DIAG_SQLSTATE);
        s_set_error (self, state, "%s", PQerrorMessage (conn));
        PQclear (result);
        PQfinish (conn);
        return -1;
    }
    PQclear (result);
    if (self->refuse_key) {
        int checked = s_check_role (self, conn);
        if (checked != 0) {
            PQfinish (conn);
            self->role_refused = checked == -2;
            return checked;
        }
    }
    self->conn = conn;
    //  Prepared statements belong to the connection they were prepared on.
    for (size_t i = 0; i < self->prepared_count; i++)
        free (self->prepared[i]);
    self->prepared_count = 0;
    s_clear_error (self);
    return 0;
}

int jy_db_connect (jy_db_t *self, int64_t max_wait_ms)
{
    assert (self);
    int64_t start = zclock_mono ();
    int64_t delay = JY_DB_BACKOFF_FIRST_MS;
    for (int attempt = 1;; attempt++) {
        int rc = s_connect_once (self);
        if (rc == 0)
            return 0;
        if (rc == -2)
            return -1;
        int64_t waited = zclock_mono () - start;
        if (waited >= max_wait_ms) {
            //  The caller says what could not connect; the error says how long it tried.
            if (max_wait_ms > 0) {
                char error[JY_DB_ERROR_SIZE], sqlstate[sizeof self->sqlstate];
                memcpy (error, self->error, sizeof error);
                memcpy (sqlstate, self->sqlstate, sizeof sqlstate);
                s_set_error (self, sqlstate, "gave up after %d attempts in %" PRId64 " ms: %s",
                             attempt, waited, error);
            }
            return -1;
        }
        int64_t sleep_ms = delay < max_wait_ms - waited ? delay : max_wait_ms - waited;
        jy_warning ("database: attempt %d failed, retrying in %" PRId64 " ms: %s", attempt,
                    sleep_ms, self->error);
        zclock_sleep ((int) sleep_ms);
        delay = delay * 2 < JY_DB_BACKOFF_MAX_MS ? delay * 2 : JY_DB_BACKOFF_MAX_MS;
    }
}

bool jy_db_ok (jy_db_t *self)
{
    assert (self);
    return self->conn && PQstatus (self->conn) == CONNECTION_OK;
}

int jy_db_ensure (jy_db_t *self)
{
    assert (self);
    if (jy_db_ok (self) && strncmp (self->sqlstate, "08", 2) != 0)
        return 0;
    jy_warning ("database: connection lost, reconnecting");
    return s_connect_once (self) == 0 ? 0 : -1;
}

PGconn *jy_db_conn (jy_db_t *self)
{
    assert (self);
    return self->conn;
}

bool jy_db_role_refused (jy_db_t *self)
{
    assert (self);
    return self->role_refused;
}

const char *jy_db_error (jy_db_t *self)
{
    assert (self);
    return self->error;
}

const char *jy_db_sqlstate (jy_db_t *self)
{
    assert (self);
    return self->sqlstate;
}

//  Keep the error of a failed result (its primary message and detail, not the caret lines);
//  notices a connection that went away meanwhile.
static void s_result_error (jy_db_t *self, PGresult *result)
{
    const char *state = result ? PQresultErrorField (result, PG_DIAG_SQLSTATE) : NULL;
    const char *primary = result ? PQresultErrorField (result, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    const char *detail = result ? PQresultErrorField (result, PG_DIAG_MESSAGE_DETAIL) : NULL;
    //  No SQLSTATE means libpq made the error itself: the server was not reached or went away.
    //  The status can still say CONNECTION_OK on the first failure after a restart (the write
    //  succeeded, the read found the socket closed), so the code says so, for jy_db_ensure.
    if (!state || !*state)
        state = "08006"; //  connection_failure
    if (primary)
        s_set_error (self, state, "%s%s%s", primary, detail ? " " : "", detail ? detail : "");
    else
        s_set_error (self, state, "%s", PQerrorMessage (self->conn));
}

static PGresult *s_query (jy_db_t *self, const char *sql, int nparams, const char *const *params,
                          int result_format)
{
    assert (self);
    assert (sql);
    assert (nparams == 0 || params);
    if (!jy_db_ok (self)) {
        s_set_error (self, "08003", "not connected to the database");
        return NULL;
    }
    PGresult *result =
        PQexecParams (self->conn, sql, nparams, NULL, params, NULL, NULL, result_format);
    ExecStatusType status = PQresultStatus (result);
    if (status == PGRES_TUPLES_OK || status == PGRES_COMMAND_OK) {
        s_clear_error (self);
        return result;
    }
    s_result_error (self, result);
    PQclear (result);
    return NULL;
}

PGresult *jy_db_query (jy_db_t *self, const char *sql, int nparams, const char *const *params)
{
    return s_query (self, sql, nparams, params, 0);
}

PGresult *jy_db_query_binary (jy_db_t *self, const char *sql, int nparams,
                              const char *const *params)
{
    return s_query (self, sql, nparams, params, 1);
}

int jy_db_exec (jy_db_t *self, const char *sql, int nparams, const char *const *params)
{
    PGresult *result = s_query (self, sql, nparams, params, 0);
    if (!result)
        return -1;
    PQclear (result);
    return 0;
}

//  name prepared from sql on this connection (on first use). 0, or -1 with the error kept.
static int s_prepare (jy_db_t *self, const char *name, const char *sql, int nparams)
{
    for (size_t i = 0; i < self->prepared_count; i++)
        if (strcmp (self->prepared[i], name) == 0)
            return 0;
    PGresult *result = PQprepare (self->conn, name, sql, nparams, NULL);
    if (PQresultStatus (result) != PGRES_COMMAND_OK) {
        s_result_error (self, result);
        PQclear (result);
        s_prefix_error (self, name);
        return -1;
    }
    PQclear (result);
    if (self->prepared_count == self->prepared_capacity) {
        self->prepared_capacity = self->prepared_capacity ? self->prepared_capacity * 2 : 16;
        self->prepared = realloc (self->prepared, self->prepared_capacity * sizeof *self->prepared);
        assert (self->prepared);
    }
    self->prepared[self->prepared_count] = strdup (name);
    assert (self->prepared[self->prepared_count]);
    self->prepared_count++;
    return 0;
}

//  name no longer prepared on this connection.
static void s_forget (jy_db_t *self, const char *name)
{
    for (size_t i = 0; i < self->prepared_count; i++)
        if (strcmp (self->prepared[i], name) == 0) {
            free (self->prepared[i]);
            self->prepared[i] = self->prepared[--self->prepared_count];
            return;
        }
}

PGresult *jy_db_query_prepared (jy_db_t *self, const char *name, const char *sql, int nparams,
                                const char *const *params, bool binary)
{
    assert (self && name && sql);
    assert (nparams == 0 || params);
    if (!jy_db_ok (self)) {
        s_set_error (self, "08003", "not connected to the database");
        return NULL;
    }
    for (int attempt = 0; attempt < 2; attempt++) {
        if (s_prepare (self, name, sql, nparams) != 0)
            return NULL;
        PGresult *result =
            PQexecPrepared (self->conn, name, nparams, params, NULL, NULL, binary ? 1 : 0);
        ExecStatusType status = PQresultStatus (result);
        if (status == PGRES_TUPLES_OK || status == PGRES_COMMAND_OK) {
            s_clear_error (self);
            return result;
        }
        s_result_error (self, result);
        PQclear (result);
        //  Should the server have forgotten it (DISCARD ALL from a pooler): again, once.
        if (strcmp (self->sqlstate, "26000") != 0)
            break;
        s_forget (self, name);
    }
    s_prefix_error (self, name);
    return NULL;
}

int jy_db_exec_prepared (jy_db_t *self, const char *name, const char *sql, int nparams,
                         const char *const *params)
{
    PGresult *result = jy_db_query_prepared (self, name, sql, nparams, params, false);
    if (!result)
        return -1;
    PQclear (result);
    return 0;
}

int jy_db_copy_start (jy_db_t *self, const char *sql)
{
    assert (self && sql);
    if (!jy_db_ok (self)) {
        s_set_error (self, "08003", "not connected to the database");
        return -1;
    }
    PGresult *result = PQexec (self->conn, sql);
    if (PQresultStatus (result) != PGRES_COPY_IN) {
        s_result_error (self, result);
        PQclear (result);
        return -1;
    }
    PQclear (result);
    return 0;
}

int jy_db_copy_send (jy_db_t *self, const char *data, size_t size)
{
    assert (self && (data || size == 0));
    //  In pieces: PQputCopyData takes an int length.
    for (size_t sent = 0; sent < size;) {
        size_t piece = size - sent < (1u << 24) ? size - sent : (1u << 24);
        if (PQputCopyData (self->conn, data + sent, (int) piece) != 1) {
            s_result_error (self, NULL);
            return -1;
        }
        sent += piece;
    }
    return 0;
}

int jy_db_copy_end (jy_db_t *self, const char *abort_message)
{
    assert (self);
    int rc = abort_message ? -1 : 0;
    if (abort_message)
        s_set_error (self, "", "%s", abort_message);
    if (PQputCopyEnd (self->conn, abort_message) != 1 && rc == 0) {
        s_result_error (self, NULL);
        rc = -1;
    }
    //  Drain every result, so that the connection is ready for the next statement or ROLLBACK.
    PGresult *result;
    while ((result = PQgetResult (self->conn))) {
        if (rc == 0 && PQresultStatus (result) != PGRES_COMMAND_OK) {
            s_result_error (self, result);
            rc = -1;
        }
        PQclear (result);
    }
    if (rc == 0)
        s_clear_error (self);
    return rc;
}

int jy_db_copy_in (jy_db_t *self, const char *sql, const char *data, size_t size)
{
    assert (self && sql && (data || size == 0));
    if (jy_db_copy_start (self, sql) != 0)
        return -1;
    bool sent = jy_db_copy_send (self, data, size) == 0;
    return jy_db_copy_end (self, sent ? NULL : "client could not send the data");
}

int jy_db_begin (jy_db_t *self)
{
    return jy_db_exec (self, "BEGIN", 0, NULL);
}

int jy_db_commit (jy_db_t *self)
{
    PGresult *result = s_query (self, "COMMIT", 0, NULL, 0);
    if (!result)
        return -1;
    //  COMMIT of a transaction that already failed succeeds as a command but rolls back.
    bool committed = strcmp (PQcmdStatus (result), "COMMIT") == 0;
    PQclear (result);
    if (!committed) {
        s_set_error (self, "40000", "transaction was rolled back (an earlier statement failed)");
        return -1;
    }
    return 0;
}

void jy_db_rollback (jy_db_t *self)
{
    assert (self);
    //  Not through s_query: the error that caused the rollback is the one worth keeping.
    if (!jy_db_ok (self))
        return;
    PQclear (PQexec (self->conn, "ROLLBACK"));
}

//  PostgreSQL's binary dates count days from 2000-01-01; jy_date from 1970-01-01.
#define S_PG_EPOCH_DAYS 10957

int64_t jy_db_get_int8 (const PGresult *result, int row, int column)
{
    assert (result);
    assert (PQfformat (result, column) == 1);
    if (PQgetisnull (result, row, column))
        return 0;
    assert (PQgetlength (result, row, column) == 8);
    const unsigned char *bytes = (const unsigned char *) PQgetvalue (result, row, column);
    uint64_t value = 0;
    for (int i = 0; i < 8; i++)
        value = (value << 8) | bytes[i];
    return (int64_t) value;
}

int32_t jy_db_get_int4 (const PGresult *result, int row, int column)
{
    assert (result);
    if (PQgetisnull (result, row, column) || PQgetlength (result, row, column) != 4)
        return 0;
    const unsigned char *bytes = (const unsigned char *) PQgetvalue (result, row, column);
    return (int32_t) ((uint32_t) bytes[0] << 24 | (uint32_t) bytes[1] << 16 |
                      (uint32_t) bytes[2] << 8 | bytes[3]);
}

const char *jy_db_get_text (const PGresult *result, int row, int column)
{
    assert (result);
    //  libpq ends every value with a NUL, binary ones included.
    return PQgetisnull (result, row, column) ? NULL : PQgetvalue (result, row, column);
}

jy_date_t jy_db_get_date (const PGresult *result, int row, int column)
{
    assert (result);
    if (PQgetisnull (result, row, column) || PQgetlength (result, row, column) != 4)
        return JY_DATE_INVALID;
    return jy_db_get_int4 (result, row, column) + S_PG_EPOCH_DAYS;
}

int8_t jy_db_get_tristate (const PGresult *result, int row, int column)
{
    assert (result);
    if (PQgetisnull (result, row, column) || PQgetlength (result, row, column) != 1)
        return -1;
    return PQgetvalue (result, row, column)[0] ? 1 : 0;
}

//  --- Migrations -----------------------------------------------------------------------------

static void s_migrations_free (s_migration_t *list, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        free (list[i].name);
        free (list[i].path);
        free (list[i].body);
    }
    free (list);
}

//  NNN_name.sql: three digits, an underscore, lower-case letters, digits and underscores.
static bool s_migration_name (const char *name, int *version)
{
    size_t len = strlen (name);
    if (len < 9 || strcmp (name + len - 4, ".sql") != 0)
        return false;
    for (int i = 0; i < 3; i++)
        if (!isdigit ((unsigned char) name[i]))
            return false;
    if (name[3] != '_')
        return false;
    for (size_t i = 4; i < len - 4; i++)
        if (!(islower ((unsigned char) name[i]) || isdigit ((unsigned char) name[i]) ||
              name[i] == '_'))
            return false;
    *version = (name[0] - '0') * 100 + (name[1] - '0') * 10 + (name[2] - '0');
    return true;
}

static int s_migration_compare (const void *a, const void *b)
{
    const s_migration_t *x = a, *y = b;
    return x->version != y->version ? (x->version < y->version ? -1 : 1)
                                    : strcmp (x->name, y->name);
}

static int s_read_file (jy_db_t *self, s_migration_t *migration)
{
    FILE *file = fopen (migration->path, "rb");
    if (!file) {
        s_set_error (self, "", "%s: %s", migration->path, strerror (errno));
        return -1;
    }
    size_t size = 0, capacity = 8192;
    char *body = malloc (capacity);
    assert (body);
    size_t got;
    while ((got = fread (body + size, 1, capacity - size - 1, file)) > 0) {
        size += got;
        if (capacity - size - 1 == 0) {
            capacity *= 2;
            body = realloc (body, capacity);
            assert (body);
        }
    }
    bool failed = ferror (file);
    fclose (file);
    if (failed) {
        s_set_error (self, "", "%s: could not read the file", migration->path);
        free (body);
        return -1;
    }
    body[size] = '\0';
    if (memchr (body, '\0', size)) {
        s_set_error (self, "", "%s: contains a NUL byte, not SQL text", migration->path);
        free (body);
        return -1;
    }
    unsigned char hash[crypto_hash_sha256_BYTES];
    crypto_hash_sha256 (hash, (const unsigned char *) body, size);
    sodium_bin2hex (migration->checksum, sizeof migration->checksum, hash, sizeof hash);
    migration->body = body;
    return 0;
}

//  The migration files in dir, sorted, read and checksummed. NULL with the error kept.
static s_migration_t *s_migrations_load (jy_db_t *self, const char *dir, size_t *count_p)
{
    if (sodium_init () < 0) {
        s_set_error (self, "", "libsodium failed to initialise");
        return NULL;
    }
    DIR *handle = opendir (dir);
    if (!handle) {
        s_set_error (self, "", "migrations directory %s: %s", dir, strerror (errno));
        return NULL;
    }
    size_t count = 0, capacity = 16;
    s_migration_t *list = calloc (capacity, sizeof *list);
    assert (list);
    struct dirent *entry;
    int rc = 0;
    while ((entry = readdir (handle))) {
        int version;
        const char *name = entry->d_name;
        size_t len = strlen (name);
        if (!s_migration_name (name, &version)) {
            //  A .sql file that is silently ignored would be a trap.
            if (len > 4 && strcmp (name + len - 4, ".sql") == 0) {
                s_set_error (self, "", "%s/%s: not a migration name (NNN_name.sql, lower case)",
                             dir, name);
                rc = -1;
                break;
            }
            continue;
        }
        if (count == capacity) {
            capacity *= 2;
            list = realloc (list, capacity * sizeof *list);
            assert (list);
        }
        s_migration_t *migration = &list[count++];
        memset (migration, 0, sizeof *migration);
        migration->version = version;
        migration->name = strdup (name);
        assert (migration->name);
        size_t path_size = strlen (dir) + len + 2;
        migration->path = malloc (path_size);
        assert (migration->path);
        snprintf (migration->path, path_size, "%s/%s", dir, name);
    }
    closedir (handle);
    if (rc == 0) {
        qsort (list, count, sizeof *list, s_migration_compare);
        for (size_t i = 1; i < count; i++)
            if (list[i].version == list[i - 1].version) {
                s_set_error (self, "", "%s and %s have the same number", list[i - 1].path,
                             list[i].path);
                rc = -1;
                break;
            }
    }
    for (size_t i = 0; rc == 0 && i < count; i++)
        rc = s_read_file (self, &list[i]);
    if (rc != 0) {
        s_migrations_free (list, count);
        return NULL;
    }
    *count_p = count;
    return list;
}

//  Line number in body of a 1-based character position that PostgreSQL reports.
static int s_line_of (const char *body, long position)
{
    int line = 1;
    long chars = 0;
    for (const char *p = body; *p && chars < position - 1; p++) {
        if ((*p & 0xC0) != 0x80) //  count UTF-8 characters, not bytes
            chars++;
        if (*p == '\n')
            line++;
    }
    return line;
}

//  Apply one migration and record it, in one transaction. 0 or -1 with the error kept.
static int s_apply (jy_db_t *self, const s_migration_t *migration)
{
    if (jy_db_begin (self) != 0) {
        s_prefix_error (self, migration->path);
        return -1;
    }
    //  PQexec: the body may hold many statements, which PQexecParams refuses.
    PGresult *result = PQexec (self->conn, migration->body);
    ExecStatusType status = PQresultStatus (result);
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
        const char *state = result ? PQresultErrorField (result, PG_DIAG_SQLSTATE) : NULL;
        const char *primary = result ? PQresultErrorField (result, PG_DIAG_MESSAGE_PRIMARY) : NULL;
        const char *position =
            result ? PQresultErrorField (result, PG_DIAG_STATEMENT_POSITION) : NULL;
        char where[32] = "";
        if (position)
            snprintf (where, sizeof where, " (line %d)",
                      s_line_of (migration->body, strtol (position, NULL, 10)));
        char message[JY_DB_ERROR_SIZE];
        snprintf (message, sizeof message, "%s", primary ? primary : PQerrorMessage (self->conn));
        s_set_error (self, state, "%s failed%s: %s", migration->path, where, message);
        PQclear (result);
        jy_db_rollback (self);
        return -1;
    }
    PQclear (result);
    char version[16];
    snprintf (version, sizeof version, "%d", migration->version);
    const char *params[3] = {version, migration->name, migration->checksum};
    if (jy_db_exec (self,
                    "INSERT INTO journey.schema_migration (version, name, checksum)"
                    " VALUES ($1, $2, $3)",
                    3, params) != 0 ||
        jy_db_commit (self) != 0) {
        s_prefix_error (self, migration->path);
        jy_db_rollback (self);
        return -1;
    }
    return 0;
}

//  Everything after taking the lock: bootstrap, verify, apply.
static int s_migrate_locked (jy_db_t *self, s_migration_t *list, size_t count, int *applied)
{
    if (jy_db_exec (self, "CREATE SCHEMA IF NOT EXISTS journey", 0, NULL) != 0 ||
        jy_db_exec (self,
                    "CREATE TABLE IF NOT EXISTS journey.schema_migration ("
                    " version int PRIMARY KEY,"
                    " name text NOT NULL,"
                    " checksum text NOT NULL,"
                    " applied_at timestamptz NOT NULL DEFAULT now())",
                    0, NULL) != 0)
        return -1;
    PGresult *result = jy_db_query (self,
                                    "SELECT version, checksum, to_char (applied_at AT TIME ZONE"
                                    " 'UTC', 'YYYY-MM-DD HH24:MI:SS \"UTC\"')"
                                    " FROM journey.schema_migration",
                                    0, NULL);
    if (!result)
        return -1;
    //  Every applied file must be unchanged before anything new is applied on top of it.
    bool *done = calloc (count ? count : 1, sizeof *done);
    assert (done);
    int rc = 0;
    for (int row = 0; row < PQntuples (result) && rc == 0; row++) {
        int version = atoi (PQgetvalue (result, row, 0));
        for (size_t i = 0; i < count; i++) {
            if (list[i].version != version)
                continue;
            done[i] = true;
            if (strcmp (list[i].checksum, PQgetvalue (result, row, 1)) != 0) {
                s_set_error (self, "",
                             "%s has changed since it was applied on %s; a migration "
                             "applied is never edited: add a new one",
                             list[i].path, PQgetvalue (result, row, 2));
                rc = -1;
            }
        }
    }
    PQclear (result);
    for (size_t i = 0; i < count && rc == 0; i++) {
        if (done[i])
            continue;
        rc = s_apply (self, &list[i]);
        if (rc == 0) {
            (*applied)++;
            jy_info ("database: applied migration %s", list[i].path);
        }
    }
    free (done);
    return rc;
}

int jy_db_migrate (jy_db_t *self, const char *dir, int *applied)
{
    assert (self);
    assert (dir);
    assert (applied);
    *applied = 0;
    size_t count = 0;
    s_migration_t *list = s_migrations_load (self, dir, &count);
    if (!list)
        return -1;
    //  Two `journey migrate` at once (a deploy script and an operator) take turns.
    const char *key[1] = {JY_DB_MIGRATE_LOCK_KEY};
    if (jy_db_exec (self, "SELECT pg_advisory_lock ($1)", 1, key) != 0) {
        s_migrations_free (list, count);
        return -1;
    }
    int rc = s_migrate_locked (self, list, count, applied);
    s_migrations_free (list, count);
    //  Keep the migration's error, not the unlock's; a lost connection drops the lock anyway.
    if (jy_db_ok (self)) {
        const char *params[1] = {JY_DB_MIGRATE_LOCK_KEY};
        PQclear (PQexecParams (self->conn, "SELECT pg_advisory_unlock ($1)", 1, NULL, params, NULL,
                               NULL, 0));
    }
    return rc;
}

int jy_db_migration_status (jy_db_t *self, const char *dir, int *applied, int *available)
{
    assert (self);
    assert (dir);
    assert (applied);
    assert (available);
    *applied = 0;
    *available = 0;
    size_t count = 0;
    s_migration_t *list = s_migrations_load (self, dir, &count);
    if (!list)
        return -1;
    *available = (int) count;
    //  A database never migrated has no table yet; this reads only, so any role may ask.
    PGresult *result =
        jy_db_query (self, "SELECT to_regclass ('journey.schema_migration')", 0, NULL);
    if (!result) {
        s_migrations_free (list, count);
        return -1;
    }
    bool exists = !PQgetisnull (result, 0, 0);
    PQclear (result);
    if (exists) {
        result = jy_db_query (self, "SELECT version FROM journey.schema_migration", 0, NULL);
        if (!result) {
            s_migrations_free (list, count);
            return -1;
        }
        //  Only files present count, so that "N of N" means this tree is fully applied.
        for (int row = 0; row < PQntuples (result); row++) {
            int version = atoi (PQgetvalue (result, row, 0));
            for (size_t i = 0; i < count; i++)
                if (list[i].version == version)
                    (*applied)++;
        }
        PQclear (result);
    }
    s_migrations_free (list, count);
    return 0;
}
