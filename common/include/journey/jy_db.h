/*  jy_db: one PostgreSQL connection with retry, parameterised statements and migrations.

    All SQL is parameterised ($1, $2, ...); callers pass today's date as a parameter rather than
    using CURRENT_DATE, so that the injected clock rules. Errors are returned and kept for
    jy_db_error() and jy_db_sqlstate(), never logged here: the caller, which knows what it was
    doing, logs them once. Only the waits are logged (a connection retried, a lost one
    restored). A lost connection is noticed (jy_db_ok() false) and restored by jy_db_ensure(),
    which callers run at the top of each unit of work.
*/
#ifndef JY_DB_H_INCLUDED
#define JY_DB_H_INCLUDED

#include <libpq-fe.h>
#include <stdbool.h>
#include <stdint.h>

#include "jy_date.h"

typedef struct _jy_db_t jy_db_t;

//  A handle for the connection string (libpq URL or key=value). Does not connect.
jy_db_t *jy_db_new (const char *url);
void jy_db_destroy (jy_db_t **self_p);

//  Connect, retrying with exponential backoff (100 ms doubling to 5 s) for up to
//  max_wait_ms in all (0: one attempt). Each attempt sets synchronous_commit on and the
//  application_name. 0 or -1.
int jy_db_connect (jy_db_t *self, int64_t max_wait_ms);
//  Reconnect once if the connection is bad or the last statement failed for want of it
//  (SQLSTATE class 08). 0 when usable afterwards, -1 otherwise.
int jy_db_ensure (jy_db_t *self);
bool jy_db_ok (jy_db_t *self);
PGconn *jy_db_conn (jy_db_t *self);
const char *jy_db_error (jy_db_t *self);
//  The SQLSTATE of the last failed statement ("" when none), e.g. "23505" unique violation.
const char *jy_db_sqlstate (jy_db_t *self);
//  application_name to report (set before connecting).
void jy_db_set_application_name (jy_db_t *self, const char *name);

//  Refuse to work as a privileged role (set before connecting). After every connection and
//  reconnection the login role is checked; a role that is SUPERUSER, CREATEROLE, CREATEDB,
//  REPLICATION or BYPASSRLS, or a member of one that is, is disconnected at once and not retried:
//  jy_db_connect fails with an error naming the role, what it may do and key (the configuration
//  key the URL came from, e.g. "database/ingest_url"), jy_db_sqlstate is "28000" and
//  jy_db_role_refused is true. A daemon that keeps running while its database is away should
//  stop on that instead: no retry will help.
void jy_db_refuse_privileged (jy_db_t *self, const char *key);
//  The same for every handle jy_db_new creates from now on in this process. jy_service_main
//  sets it to database/<service>_url, so that no daemon works as an administrator whichever of
//  its modules connects. Call it before starting threads.
void jy_db_refuse_privileged_by_default (const char *key);
//  Whether the last connection attempt was refused for the role's privileges.
bool jy_db_role_refused (jy_db_t *self);

//  Run a statement with text parameters (NULL entries are SQL NULL). Returns the result
//  (PGRES_TUPLES_OK or PGRES_COMMAND_OK) for the caller to PQclear, or NULL on error.
PGresult *jy_db_query (jy_db_t *self, const char *sql, int nparams, const char *const *params);
//  Same, asking for binary results (for bytea and int8 columns read without parsing).
PGresult *jy_db_query_binary (jy_db_t *self, const char *sql, int nparams,
                              const char *const *params);
//  Statement whose rows, if any, are not wanted. 0 or -1.
int jy_db_exec (jy_db_t *self, const char *sql, int nparams, const char *const *params);
//  The same for a statement run often: prepared as name from sql the first time on each
//  connection (again after a reconnect, or should the server have forgotten it), so that it is
//  not parsed and planned every time; binary asks for binary results. One name always goes with
//  the same sql. The statements prepared belong to this handle's connection: nothing is kept
//  elsewhere. The result for the caller to PQclear, or NULL on error (which names the statement).
PGresult *jy_db_query_prepared (jy_db_t *self, const char *name, const char *sql, int nparams,
                                const char *const *params, bool binary);
//  The same for a prepared statement whose rows are not wanted. 0 or -1.
int jy_db_exec_prepared (jy_db_t *self, const char *name, const char *sql, int nparams,
                         const char *const *params);

//  COPY ... FROM STDIN (sql) with data in the format sql names (text unless it says FORMAT
//  binary): the fastest bulk write. 0 or -1.
int jy_db_copy_in (jy_db_t *self, const char *sql, const char *data, size_t size);
//  The same in pieces, for data sent while it is still being produced: start, send as often as
//  needed, end. Once started, end exactly once: with abort_message NULL to complete the COPY,
//  or with a message to abandon it (after a failed send, say), which fails the statement. Each
//  0 or -1 (the COPY did not complete).
int jy_db_copy_start (jy_db_t *self, const char *sql);
int jy_db_copy_send (jy_db_t *self, const char *data, size_t size);
int jy_db_copy_end (jy_db_t *self, const char *abort_message);

int jy_db_begin (jy_db_t *self);
int jy_db_commit (jy_db_t *self);
//  Never fails from the caller's point of view (a lost connection is already rolled back).
void jy_db_rollback (jy_db_t *self);

//  Cells of a binary result (jy_db_query_binary, or jy_db_query_prepared with binary).
//  A big-endian int8; NULL reads as 0.
int64_t jy_db_get_int8 (const PGresult *result, int row, int column);
//  An int4; NULL (or a cell of another size) reads as 0.
int32_t jy_db_get_int4 (const PGresult *result, int row, int column);
//  Text (libpq ends every value with a NUL); NULL reads as NULL.
const char *jy_db_get_text (const PGresult *result, int row, int column);
//  A date; NULL reads as JY_DATE_INVALID.
jy_date_t jy_db_get_date (const PGresult *result, int row, int column);
//  A boolean as 1 or 0; NULL reads as -1.
int8_t jy_db_get_tristate (const PGresult *result, int row, int column);

//  Apply the numbered migrations (NNN_name.sql) in dir that are not yet applied, each in its
//  own transaction, in order, under an advisory lock. A migration already applied whose file
//  has changed since is an error (its checksum is stored). *applied receives how many ran.
int jy_db_migrate (jy_db_t *self, const char *dir, int *applied);
//  How many migrations in dir are applied and how many exist. 0 or -1.
int jy_db_migration_status (jy_db_t *self, const char *dir, int *applied, int *available);

#endif
