/* hq-db.c: HQ's database, SQLite or PostgreSQL behind one small API
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hq-db"

#include "config.h"

#include <libpq-fe.h>
#include <sqlite3.h>
#include <string.h>

#include "hq-db.h"

/* PostgreSQL's type oids for the two parameter types we send (pg_type.h). */
#define PG_INT8OID 20
#define PG_TEXTOID 25

/* How long an SQLite writer waits for another connection's lock. */
#define SQLITE_BUSY_TIMEOUT_MS 10000

struct _HqDbRows
{
  guint n_rows;
  guint n_columns;
  /* n_rows × n_columns cells, row-major; NULL for SQL NULL. The strings
   * live in @chunk. */
  char        **cells;
  GStringChunk *chunk;
};

/* One cached SQLite statement and where each $N parameter sits in it. */
typedef struct
{
  sqlite3_stmt *stmt;
  guint         n_slots;
  /* slot_of[N - 1] is the bind index of $N, or 0 when the SQL does not use it. */
  int *slot_of;
} SqliteStatement;

struct _HqDb
{
  GObject parent_instance;

  gboolean postgres;
  sqlite3 *sqlite;
  PGconn  *pg;

  /* SQLite: SQL text → SqliteStatement. PostgreSQL: parameter types + SQL
   * text → the name of the server-side prepared statement. */
  GHashTable *statements;
  guint       n_pg_statements;

  gboolean in_transaction;
  /* PostgreSQL aborts a transaction at its first failed statement; SQLite
   * would carry on. Both backends behave like PostgreSQL so that code tested
   * on one works on the other: after a failure every statement and the
   * commit fail with the first failure's code until hq_db_rollback(). */
  gboolean  transaction_failed;
  HqDbError transaction_error_code;
};

G_DEFINE_FINAL_TYPE (HqDb, hq_db, G_TYPE_OBJECT)

G_DEFINE_QUARK (hq_db_error_quark, hq_db_error)

/* The first few words of @sql, for error messages that say which statement
 * failed without quoting a page of SQL. */
static char *
sql_head (const char *sql)
{
  GString    *head = g_string_new (NULL);
  const char *p = sql;
  guint       n_words = 0;

  while (*p != '\0' && n_words < 4 && head->len < 60)
    {
      while (g_ascii_isspace (*p))
        p++;
      if (*p == '\0')
        break;
      if (n_words > 0)
        g_string_append_c (head, ' ');
      while (*p != '\0' && !g_ascii_isspace (*p) && head->len < 60)
        g_string_append_c (head, *p++);
      n_words++;
    }
  return g_string_free (head, FALSE);
}

static void
set_sql_error (GError **error, HqDbError code, const char *sql, const char *message)
{
  g_autofree char *head = sql_head (sql);

  g_set_error (error, HQ_DB_ERROR, code, "%s: %s", head, message);
}

/* Inside a transaction, a failure dooms it (see transaction_failed). */
static void
note_failure (HqDb *self, HqDbError code)
{
  if (self->in_transaction && !self->transaction_failed)
    {
      self->transaction_failed = TRUE;
      self->transaction_error_code = code;
    }
}

static gboolean
check_transaction_usable (HqDb *self, const char *sql, GError **error)
{
  if (self->in_transaction && self->transaction_failed)
    {
      set_sql_error (error, self->transaction_error_code, sql,
                     "the transaction failed at an earlier statement; roll it back");
      return FALSE;
    }
  return TRUE;
}

static HqDbRows *
rows_new (guint n_columns)
{
  HqDbRows *rows = g_new0 (HqDbRows, 1);

  rows->n_columns = n_columns;
  rows->chunk = g_string_chunk_new (256);
  return rows;
}

static gboolean
check_params (const char *sql, const HqDbValue *params, guint n_params, GError **error)
{
  for (guint i = 0; i < n_params; i++)
    {
      if (params[i].type == HQ_DB_TEXT && params[i].s == NULL)
        {
          g_autofree char *message =
              g_strdup_printf ("parameter $%u is TEXT without a string", i + 1);

          set_sql_error (error, HQ_DB_ERROR_FAILED, sql, message);
          return FALSE;
        }
    }
  return TRUE;
}

/* SQLite */

static HqDbError
sqlite_error_code (int rc)
{
  switch (rc & 0xff)
    {
    case SQLITE_CONSTRAINT:
      return HQ_DB_ERROR_CONSTRAINT;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return HQ_DB_ERROR_BUSY;
    case SQLITE_CANTOPEN:
    case SQLITE_NOTADB:
      return HQ_DB_ERROR_CONNECT;
    default:
      return HQ_DB_ERROR_FAILED;
    }
}

static void
sqlite_statement_free (gpointer data)
{
  SqliteStatement *statement = data;

  sqlite3_finalize (statement->stmt);
  g_free (statement->slot_of);
  g_free (statement);
}

static gboolean
sqlite_open (HqDb *self, const char *path, GError **error)
{
  const char *pragmas = "PRAGMA journal_mode=WAL;"
                        "PRAGMA synchronous=FULL;"
                        "PRAGMA foreign_keys=ON;";
  char       *message = NULL;
  int         rc;

  rc = sqlite3_open_v2 (path, &self->sqlite,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
  if (rc != SQLITE_OK)
    {
      g_set_error (error, HQ_DB_ERROR, HQ_DB_ERROR_CONNECT, "Cannot open %s: %s", path,
                   self->sqlite != NULL ? sqlite3_errmsg (self->sqlite) : sqlite3_errstr (rc));
      return FALSE;
    }
  sqlite3_extended_result_codes (self->sqlite, 1);
  sqlite3_busy_timeout (self->sqlite, SQLITE_BUSY_TIMEOUT_MS);
  /* The file is first read here: a path that is no database fails now. */
  rc = sqlite3_exec (self->sqlite, pragmas, NULL, NULL, &message);
  if (rc != SQLITE_OK)
    {
      g_set_error (error, HQ_DB_ERROR, HQ_DB_ERROR_CONNECT, "Cannot open %s: %s", path,
                   message != NULL ? message : sqlite3_errstr (rc));
      sqlite3_free (message);
      return FALSE;
    }
  return TRUE;
}

static SqliteStatement *
sqlite_prepare (HqDb *self, const char *sql, GError **error)
{
  SqliteStatement *statement = g_hash_table_lookup (self->statements, sql);
  sqlite3_stmt    *stmt = NULL;
  const char      *tail = NULL;
  int              n_bound;
  int              rc;

  if (statement != NULL)
    return statement;

  rc = sqlite3_prepare_v3 (self->sqlite, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, &tail);
  if (rc != SQLITE_OK)
    {
      set_sql_error (error, sqlite_error_code (rc), sql, sqlite3_errmsg (self->sqlite));
      return NULL;
    }
  if (stmt == NULL)
    {
      set_sql_error (error, HQ_DB_ERROR_FAILED, sql, "no statement");
      return NULL;
    }
  while (tail != NULL && (g_ascii_isspace (*tail) || *tail == ';'))
    tail++;
  if (tail != NULL && *tail != '\0')
    {
      sqlite3_finalize (stmt);
      set_sql_error (error, HQ_DB_ERROR_FAILED, sql,
                     "more than one statement; use hq_db_exec() for scripts");
      return NULL;
    }

  statement = g_new0 (SqliteStatement, 1);
  statement->stmt = stmt;
  n_bound = sqlite3_bind_parameter_count (stmt);
  for (int slot = 1; slot <= n_bound; slot++)
    {
      const char *name = sqlite3_bind_parameter_name (stmt, slot);
      guint64     number = 0;

      /* Only $1, $2, … so that the same SQL runs on PostgreSQL. */
      if (name == NULL || name[0] != '$' ||
          !g_ascii_string_to_unsigned (name + 1, 10, 1, 65535, &number, NULL))
        {
          sqlite_statement_free (statement);
          set_sql_error (error, HQ_DB_ERROR_FAILED, sql, "parameters must be written $1, $2, …");
          return NULL;
        }
      if (number > statement->n_slots)
        {
          statement->slot_of = g_renew (int, statement->slot_of, number);
          memset (statement->slot_of + statement->n_slots, 0,
                  (number - statement->n_slots) * sizeof (int));
          statement->n_slots = (guint) number;
        }
      statement->slot_of[number - 1] = slot;
    }
  g_hash_table_insert (self->statements, g_strdup (sql), statement);
  return statement;
}

static HqDbRows *
sqlite_query (HqDb            *self,
              const char      *sql,
              const HqDbValue *params,
              guint            n_params,
              gint64          *changes,
              GError         **error)
{
  SqliteStatement *statement;
  sqlite3_stmt    *stmt;
  g_autoptr (HqDbRows) rows = NULL;
  GPtrArray *cells;
  int        rc;

  statement = sqlite_prepare (self, sql, error);
  if (statement == NULL)
    return NULL;
  stmt = statement->stmt;

  if (statement->n_slots > n_params)
    {
      g_autofree char *message =
          g_strdup_printf ("uses $%u but %u parameters were given", statement->n_slots, n_params);

      set_sql_error (error, HQ_DB_ERROR_FAILED, sql, message);
      return NULL;
    }
  for (guint i = 0; i < statement->n_slots; i++)
    {
      int slot = statement->slot_of[i];

      if (slot == 0)
        continue;
      switch (params[i].type)
        {
        case HQ_DB_INT:
          sqlite3_bind_int64 (stmt, slot, params[i].i);
          break;
        case HQ_DB_TEXT:
          sqlite3_bind_text (stmt, slot, params[i].s, -1, SQLITE_STATIC);
          break;
        case HQ_DB_NULL:
        default:
          sqlite3_bind_null (stmt, slot);
          break;
        }
    }

  rows = rows_new ((guint) sqlite3_column_count (stmt));
  cells = g_ptr_array_new ();
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      for (guint column = 0; column < rows->n_columns; column++)
        {
          const char *text = NULL;

          if (sqlite3_column_type (stmt, (int) column) != SQLITE_NULL)
            {
              text = (const char *) sqlite3_column_text (stmt, (int) column);
              text = g_string_chunk_insert_len (rows->chunk, text,
                                                sqlite3_column_bytes (stmt, (int) column));
            }
          g_ptr_array_add (cells, (gpointer) text);
        }
      rows->n_rows++;
    }
  rows->cells = (char **) g_ptr_array_free (cells, FALSE);

  if (rc != SQLITE_DONE)
    {
      set_sql_error (error, sqlite_error_code (rc), sql, sqlite3_errmsg (self->sqlite));
      sqlite3_reset (stmt);
      sqlite3_clear_bindings (stmt);
      return NULL;
    }
  if (changes != NULL)
    *changes = sqlite3_stmt_readonly (stmt) ? 0 : sqlite3_changes64 (self->sqlite);
  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);
  return g_steal_pointer (&rows);
}

static gboolean
sqlite_exec (HqDb *self, const char *sql, GError **error)
{
  char *message = NULL;
  int   rc = sqlite3_exec (self->sqlite, sql, NULL, NULL, &message);

  if (rc != SQLITE_OK)
    {
      set_sql_error (error, sqlite_error_code (rc), sql,
                     message != NULL ? message : sqlite3_errmsg (self->sqlite));
      sqlite3_free (message);
      return FALSE;
    }
  return TRUE;
}

/* PostgreSQL */

static HqDbError
pg_error_code (HqDb *self, const PGresult *result)
{
  const char *state = result != NULL ? PQresultErrorField (result, PG_DIAG_SQLSTATE) : NULL;

  if (PQstatus (self->pg) != CONNECTION_OK)
    return HQ_DB_ERROR_CONNECT;
  if (state == NULL)
    return HQ_DB_ERROR_FAILED;
  if (g_str_has_prefix (state, "23"))
    return HQ_DB_ERROR_CONSTRAINT;
  if (g_str_equal (state, "40001") || g_str_equal (state, "40P01") || g_str_equal (state, "55P03"))
    return HQ_DB_ERROR_BUSY;
  if (g_str_has_prefix (state, "08"))
    return HQ_DB_ERROR_CONNECT;
  return HQ_DB_ERROR_FAILED;
}

static void
set_pg_error (HqDb *self, GError **error, const char *sql, const PGresult *result)
{
  const char      *primary = NULL;
  const char      *detail = NULL;
  g_autofree char *message = NULL;

  if (result != NULL)
    {
      primary = PQresultErrorField (result, PG_DIAG_MESSAGE_PRIMARY);
      detail = PQresultErrorField (result, PG_DIAG_MESSAGE_DETAIL);
    }
  if (primary == NULL)
    {
      message = g_strstrip (g_strdup (PQerrorMessage (self->pg)));
      if (message[0] == '\0')
        {
          g_free (message);
          message = g_strdup ("unknown error");
        }
    }
  else if (detail != NULL)
    message = g_strdup_printf ("%s (%s)", primary, detail);
  else
    message = g_strdup (primary);
  set_sql_error (error, pg_error_code (self, result), sql, message);
}

/* NOTICEs ("relation already exists, skipping") are not our callers' news. */
static void
pg_notice_cb (void *user_data, const char *message)
{
  g_debug ("%s", message);
}

static gboolean
pg_open (HqDb *self, const char *location, GError **error)
{
  const char *conninfo = g_str_has_prefix (location, "pg:") ? location + 3 : location;

  self->pg = PQconnectdb (conninfo);
  if (self->pg == NULL)
    {
      g_set_error (error, HQ_DB_ERROR, HQ_DB_ERROR_CONNECT,
                   "Cannot connect to PostgreSQL: out of memory");
      return FALSE;
    }
  if (PQstatus (self->pg) != CONNECTION_OK)
    {
      g_autofree char *message = g_strstrip (g_strdup (PQerrorMessage (self->pg)));

      g_set_error (error, HQ_DB_ERROR, HQ_DB_ERROR_CONNECT, "Cannot connect to PostgreSQL: %s",
                   message);
      return FALSE;
    }
  PQsetNoticeProcessor (self->pg, pg_notice_cb, NULL);
  if (PQsetClientEncoding (self->pg, "UTF8") != 0)
    {
      g_autofree char *message = g_strstrip (g_strdup (PQerrorMessage (self->pg)));

      g_set_error (error, HQ_DB_ERROR, HQ_DB_ERROR_CONNECT,
                   "Cannot set PostgreSQL's client encoding to UTF8: %s", message);
      return FALSE;
    }
  return TRUE;
}

/* A connection the server dropped (a restart, an administrator) is opened
 * again before the next statement, outside a transaction: the statement
 * that met the broken connection failed with HQ_DB_ERROR_CONNECT, and the
 * caller decides whether to repeat it. */
static gboolean
pg_ensure_connected (HqDb *self, const char *sql, GError **error)
{
  if (PQstatus (self->pg) == CONNECTION_OK)
    return TRUE;
  if (!self->in_transaction)
    {
      PQreset (self->pg);
      /* The server forgot our prepared statements with the old session. */
      g_hash_table_remove_all (self->statements);
      if (PQstatus (self->pg) == CONNECTION_OK && PQsetClientEncoding (self->pg, "UTF8") == 0)
        return TRUE;
    }
  {
    g_autofree char *message = g_strstrip (g_strdup (PQerrorMessage (self->pg)));

    set_sql_error (error, HQ_DB_ERROR_CONNECT, sql,
                   message[0] != '\0' ? message : "the connection to PostgreSQL was lost");
  }
  return FALSE;
}

/* Prepared statements are cached per SQL text and parameter types, as the
 * server fixes a statement's parameter types when it prepares it. */
static const char *
pg_prepare (HqDb *self, const char *sql, const HqDbValue *params, guint n_params, GError **error)
{
  g_autofree Oid  *types = g_new0 (Oid, MAX (n_params, 1));
  g_autofree char *key = NULL;
  GString         *signature = g_string_sized_new (n_params + strlen (sql) + 1);
  const char      *name;
  char            *new_name;
  PGresult        *result;

  for (guint i = 0; i < n_params; i++)
    {
      switch (params[i].type)
        {
        case HQ_DB_INT:
          types[i] = PG_INT8OID;
          g_string_append_c (signature, 'i');
          break;
        case HQ_DB_TEXT:
          types[i] = PG_TEXTOID;
          g_string_append_c (signature, 't');
          break;
        case HQ_DB_NULL:
        default:
          /* The server infers a NULL's type from where it is used. */
          types[i] = 0;
          g_string_append_c (signature, 'n');
          break;
        }
    }
  g_string_append_c (signature, '\n');
  g_string_append (signature, sql);
  key = g_string_free (signature, FALSE);

  name = g_hash_table_lookup (self->statements, key);
  if (name != NULL)
    return name;

  new_name = g_strdup_printf ("hq_%u", ++self->n_pg_statements);
  result = PQprepare (self->pg, new_name, sql, (int) n_params, types);
  if (PQresultStatus (result) != PGRES_COMMAND_OK)
    {
      set_pg_error (self, error, sql, result);
      PQclear (result);
      g_free (new_name);
      return NULL;
    }
  PQclear (result);
  g_hash_table_insert (self->statements, g_steal_pointer (&key), new_name);
  return new_name;
}

static HqDbRows *
pg_query (HqDb            *self,
          const char      *sql,
          const HqDbValue *params,
          guint            n_params,
          gint64          *changes,
          GError         **error)
{
  g_autofree const char **values = g_new0 (const char *, MAX (n_params, 1));
  g_autofree char        *numbers = g_malloc (MAX (n_params, 1) * 24);
  const char             *name;
  PGresult               *result;
  ExecStatusType          status;
  HqDbRows               *rows;
  guint                   n_cells;

  name = pg_prepare (self, sql, params, n_params, error);
  if (name == NULL)
    return NULL;
  for (guint i = 0; i < n_params; i++)
    {
      if (params[i].type == HQ_DB_INT)
        {
          char *number = numbers + i * 24;

          g_snprintf (number, 24, "%" G_GINT64_FORMAT, params[i].i);
          values[i] = number;
        }
      else if (params[i].type == HQ_DB_TEXT)
        values[i] = params[i].s;
    }

  result = PQexecPrepared (self->pg, name, (int) n_params, values, NULL, NULL, 0);
  status = PQresultStatus (result);
  if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK)
    {
      set_pg_error (self, error, sql, result);
      PQclear (result);
      return NULL;
    }

  rows = rows_new ((guint) PQnfields (result));
  rows->n_rows = (guint) PQntuples (result);
  n_cells = rows->n_rows * rows->n_columns;
  rows->cells = g_new0 (char *, MAX (n_cells, 1));
  for (guint row = 0; row < rows->n_rows; row++)
    for (guint column = 0; column < rows->n_columns; column++)
      if (!PQgetisnull (result, (int) row, (int) column))
        rows->cells[row * rows->n_columns + column] =
            g_string_chunk_insert_len (rows->chunk, PQgetvalue (result, (int) row, (int) column),
                                       PQgetlength (result, (int) row, (int) column));

  if (changes != NULL)
    {
      const char *tuples = PQcmdTuples (result);
      const char *command = PQcmdStatus (result);

      /* PostgreSQL counts the rows a SELECT returned; SQLite (and we) count
       * only rows a statement changed. */
      if (command != NULL && g_str_has_prefix (command, "SELECT"))
        *changes = 0;
      else
        *changes = tuples != NULL && tuples[0] != '\0' ? g_ascii_strtoll (tuples, NULL, 10) : 0;
    }
  PQclear (result);
  return rows;
}

/* Runs SQL without parameters. With @command_status, returns the command's
 * tag (e.g. "ROLLBACK" for a COMMIT of a failed transaction). */
static gboolean
pg_exec (HqDb *self, const char *sql, char **command_status, GError **error)
{
  PGresult      *result = PQexec (self->pg, sql);
  ExecStatusType status = PQresultStatus (result);

  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK && status != PGRES_EMPTY_QUERY)
    {
      set_pg_error (self, error, sql, result);
      PQclear (result);
      return FALSE;
    }
  if (command_status != NULL)
    *command_status = g_strdup (PQcmdStatus (result));
  PQclear (result);
  return TRUE;
}

/* Both */

static HqDbRows *
run_query (HqDb            *self,
           const char      *sql,
           const HqDbValue *params,
           guint            n_params,
           gint64          *changes,
           GError         **error)
{
  g_autoptr (GError) local_error = NULL;
  HqDbRows *rows;

  if (!check_transaction_usable (self, sql, error) || !check_params (sql, params, n_params, error))
    return NULL;
  if (self->postgres)
    rows = pg_ensure_connected (self, sql, &local_error)
               ? pg_query (self, sql, params, n_params, changes, &local_error)
               : NULL;
  else
    rows = sqlite_query (self, sql, params, n_params, changes, &local_error);
  if (rows == NULL)
    {
      note_failure (self, (HqDbError) local_error->code);
      g_propagate_error (error, g_steal_pointer (&local_error));
    }
  return rows;
}

static void
hq_db_finalize (GObject *object)
{
  HqDb *self = HQ_DB (object);

  /* Statements first: SQLite refuses to close with statements open. */
  g_clear_pointer (&self->statements, g_hash_table_unref);
  g_clear_pointer (&self->sqlite, sqlite3_close);
  g_clear_pointer (&self->pg, PQfinish);

  G_OBJECT_CLASS (hq_db_parent_class)->finalize (object);
}

static void
hq_db_class_init (HqDbClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = hq_db_finalize;
}

static void
hq_db_init (HqDb *self)
{
}

/**
 * hq_db_rows_get_n_rows:
 * Returns how many rows the statement returned.
 */
guint
hq_db_rows_get_n_rows (HqDbRows *rows)
{
  g_return_val_if_fail (rows != NULL, 0);
  return rows->n_rows;
}

/**
 * hq_db_rows_get_n_columns:
 * Returns how many columns each row has.
 */
guint
hq_db_rows_get_n_columns (HqDbRows *rows)
{
  g_return_val_if_fail (rows != NULL, 0);
  return rows->n_columns;
}

/**
 * hq_db_rows_get_text:
 * Returns a cell as text, owned by @rows, or NULL for SQL NULL.
 */
const char *
hq_db_rows_get_text (HqDbRows *rows, guint row, guint column)
{
  g_return_val_if_fail (rows != NULL, NULL);
  g_return_val_if_fail (row < rows->n_rows && column < rows->n_columns, NULL);
  return rows->cells[row * rows->n_columns + column];
}

/**
 * hq_db_rows_get_int:
 * Returns a cell as an integer: 0 for SQL NULL, 1/0 for PostgreSQL's t/f.
 */
gint64
hq_db_rows_get_int (HqDbRows *rows, guint row, guint column)
{
  const char *text;

  g_return_val_if_fail (rows != NULL, 0);
  g_return_val_if_fail (row < rows->n_rows && column < rows->n_columns, 0);
  text = rows->cells[row * rows->n_columns + column];
  if (text == NULL)
    return 0;
  if (text[0] == 't' && text[1] == '\0')
    return 1;
  return g_ascii_strtoll (text, NULL, 10);
}

/**
 * hq_db_rows_is_null:
 * Returns whether a cell is SQL NULL.
 */
gboolean
hq_db_rows_is_null (HqDbRows *rows, guint row, guint column)
{
  g_return_val_if_fail (rows != NULL, TRUE);
  g_return_val_if_fail (row < rows->n_rows && column < rows->n_columns, TRUE);
  return rows->cells[row * rows->n_columns + column] == NULL;
}

/**
 * hq_db_rows_free:
 * Frees the rows and every string read from them.
 */
void
hq_db_rows_free (HqDbRows *rows)
{
  if (rows == NULL)
    return;
  g_free (rows->cells);
  g_string_chunk_free (rows->chunk);
  g_free (rows);
}

/**
 * hq_db_open:
 * Opens PostgreSQL for a "postgres://", "postgresql://" or "pg:" location,
 * else an SQLite file. Fails with HQ_DB_ERROR_CONNECT when the database
 * cannot be opened or reached.
 */
HqDb *
hq_db_open (const char *location, GError **error)
{
  g_autoptr (HqDb) self = NULL;

  g_return_val_if_fail (location != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  self = g_object_new (HQ_TYPE_DB, NULL);
  self->postgres = g_str_has_prefix (location, "pg:") ||
                   g_str_has_prefix (location, "postgres://") ||
                   g_str_has_prefix (location, "postgresql://");
  if (self->postgres)
    {
      self->statements = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
      if (!pg_open (self, location, error))
        return NULL;
    }
  else
    {
      self->statements =
          g_hash_table_new_full (g_str_hash, g_str_equal, g_free, sqlite_statement_free);
      if (!sqlite_open (self, location, error))
        return NULL;
    }
  return g_steal_pointer (&self);
}

/**
 * hq_db_is_postgres:
 * Returns whether the database is PostgreSQL (else SQLite).
 */
gboolean
hq_db_is_postgres (HqDb *self)
{
  g_return_val_if_fail (HQ_IS_DB (self), FALSE);
  return self->postgres;
}

/**
 * hq_db_exec:
 * Runs a script of statements without parameters, e.g. the schema.
 */
gboolean
hq_db_exec (HqDb *self, const char *sql, GError **error)
{
  g_autoptr (GError) local_error = NULL;
  gboolean ok;

  g_return_val_if_fail (HQ_IS_DB (self), FALSE);
  g_return_val_if_fail (sql != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!check_transaction_usable (self, sql, error))
    return FALSE;
  if (self->postgres)
    ok = pg_ensure_connected (self, sql, &local_error) && pg_exec (self, sql, NULL, &local_error);
  else
    ok = sqlite_exec (self, sql, &local_error);
  if (!ok)
    {
      note_failure (self, (HqDbError) local_error->code);
      g_propagate_error (error, g_steal_pointer (&local_error));
    }
  return ok;
}

/**
 * hq_db_query:
 * Runs one statement with $1… bound to @params and returns all its rows.
 */
HqDbRows *
hq_db_query (HqDb *self, const char *sql, const HqDbValue *params, guint n_params, GError **error)
{
  g_return_val_if_fail (HQ_IS_DB (self), NULL);
  g_return_val_if_fail (sql != NULL, NULL);
  g_return_val_if_fail (params != NULL || n_params == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return run_query (self, sql, params, n_params, NULL, error);
}

/**
 * hq_db_execute:
 * Runs one statement with $1… bound to @params; returns how many rows it
 * inserted, updated or deleted (0 for a SELECT), or -1 with @error set.
 */
gint64
hq_db_execute (HqDb *self, const char *sql, const HqDbValue *params, guint n_params, GError **error)
{
  g_autoptr (HqDbRows) rows = NULL;
  gint64 changes = 0;

  g_return_val_if_fail (HQ_IS_DB (self), -1);
  g_return_val_if_fail (sql != NULL, -1);
  g_return_val_if_fail (params != NULL || n_params == 0, -1);
  g_return_val_if_fail (error == NULL || *error == NULL, -1);

  rows = run_query (self, sql, params, n_params, &changes, error);
  return rows != NULL ? changes : -1;
}

/**
 * hq_db_begin:
 * Starts a transaction (BEGIN IMMEDIATE on SQLite, so that writers queue at
 * the start rather than fail at the commit).
 */
gboolean
hq_db_begin (HqDb *self, GError **error)
{
  g_autoptr (GError) local_error = NULL;
  gboolean ok;

  g_return_val_if_fail (HQ_IS_DB (self), FALSE);
  g_return_val_if_fail (!self->in_transaction, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (self->postgres)
    ok = pg_ensure_connected (self, "BEGIN", error) && pg_exec (self, "BEGIN", NULL, error);
  else
    ok = sqlite_exec (self, "BEGIN IMMEDIATE", error);
  if (!ok)
    return FALSE;
  self->in_transaction = TRUE;
  self->transaction_failed = FALSE;
  return TRUE;
}

/**
 * hq_db_commit:
 * Commits the transaction. When a statement in it failed, or the commit
 * itself fails, everything is rolled back and @error carries the failure's
 * code (HQ_DB_ERROR_BUSY: run the transaction again).
 */
gboolean
hq_db_commit (HqDb *self, GError **error)
{
  g_autofree char *command_status = NULL;
  gboolean         ok;

  g_return_val_if_fail (HQ_IS_DB (self), FALSE);
  g_return_val_if_fail (self->in_transaction, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!check_transaction_usable (self, "COMMIT", error))
    {
      hq_db_rollback (self);
      return FALSE;
    }
  if (self->postgres)
    {
      ok = pg_exec (self, "COMMIT", &command_status, error);
      /* COMMIT of a transaction the server aborted answers ROLLBACK. */
      if (ok && g_strcmp0 (command_status, "ROLLBACK") == 0)
        {
          g_set_error (error, HQ_DB_ERROR, HQ_DB_ERROR_FAILED,
                       "COMMIT: the server rolled the transaction back");
          ok = FALSE;
        }
    }
  else
    ok = sqlite_exec (self, "COMMIT", error);
  if (!ok)
    {
      hq_db_rollback (self);
      return FALSE;
    }
  self->in_transaction = FALSE;
  return TRUE;
}

/**
 * hq_db_rollback:
 * Discards the transaction, if one is open.
 */
void
hq_db_rollback (HqDb *self)
{
  g_autoptr (GError) error = NULL;

  g_return_if_fail (HQ_IS_DB (self));

  if (!self->in_transaction)
    return;
  self->in_transaction = FALSE;
  self->transaction_failed = FALSE;
  if (self->postgres)
    pg_exec (self, "ROLLBACK", NULL, &error);
  else if (sqlite3_get_autocommit (self->sqlite) == 0)
    sqlite_exec (self, "ROLLBACK", &error);
  if (error != NULL)
    g_debug ("%s", error->message);
}

/**
 * hq_db_in_transaction:
 * Returns whether a transaction is open.
 */
gboolean
hq_db_in_transaction (HqDb *self)
{
  g_return_val_if_fail (HQ_IS_DB (self), FALSE);
  return self->in_transaction;
}
