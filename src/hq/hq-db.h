/* hq-db.h: HQ's database, SQLite or PostgreSQL behind one small API
 *
 * The same SQL runs on both: parameters are written $1, $2, … (SQLite takes
 * them as named parameters), upserts are INSERT … ON CONFLICT, RETURNING
 * works on both. Integers are BIGINT (SQLite: INTEGER affinity), booleans
 * are integers 0/1, text is TEXT; there are no BLOBs (binary travels as
 * base64 or hex text). Where DDL must differ, hq_db_is_postgres() picks.
 *
 * One HqDb is one connection, used from one thread at a time.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define HQ_DB_ERROR (hq_db_error_quark ())

typedef enum
{
  HQ_DB_ERROR_FAILED,
  HQ_DB_ERROR_CONNECT,    /* the database cannot be opened or reached */
  HQ_DB_ERROR_CONSTRAINT, /* a unique, check or foreign key constraint */
  HQ_DB_ERROR_BUSY,       /* serialization failure or lock: try the transaction again */
} HqDbError;

GQuark hq_db_error_quark (void);

typedef enum
{
  HQ_DB_NULL,
  HQ_DB_INT,
  HQ_DB_TEXT,
} HqDbType;

/* One parameter. Text is borrowed for the length of the call. */
typedef struct
{
  HqDbType    type;
  gint64      i;
  const char *s;
} HqDbValue;

#define HQ_DB_V_NULL ((HqDbValue){ .type = HQ_DB_NULL })
#define HQ_DB_V_INT(v) ((HqDbValue){ .type = HQ_DB_INT, .i = (v) })
#define HQ_DB_V_TEXT(v) ((HqDbValue){ .type = (v) != NULL ? HQ_DB_TEXT : HQ_DB_NULL, .s = (v) })

/* The rows a query returned, all read into memory. Columns are read as text
 * (NULL for SQL NULL) or as integers (0 for NULL). */
typedef struct _HqDbRows HqDbRows;

guint       hq_db_rows_get_n_rows (HqDbRows *rows);
guint       hq_db_rows_get_n_columns (HqDbRows *rows);
const char *hq_db_rows_get_text (HqDbRows *rows, guint row, guint column);
gint64      hq_db_rows_get_int (HqDbRows *rows, guint row, guint column);
gboolean    hq_db_rows_is_null (HqDbRows *rows, guint row, guint column);
void        hq_db_rows_free (HqDbRows *rows);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (HqDbRows, hq_db_rows_free)

#define HQ_TYPE_DB (hq_db_get_type ())
G_DECLARE_FINAL_TYPE (HqDb, hq_db, HQ, DB, GObject)

/* @location is a PostgreSQL URI ("postgresql://…" or "postgres://…") or a
 * key=value connection string starting "pg:" ("pg:host=/tmp/x dbname=hq"), or
 * else the path of an SQLite file (created when missing; WAL,
 * synchronous=FULL, foreign keys on). */
HqDb    *hq_db_open (const char *location, GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean hq_db_is_postgres (HqDb *self);

/* Runs one or more statements without parameters (DDL). */
gboolean hq_db_exec (HqDb *self, const char *sql, GError **error);
/* Runs one statement; returns its rows (an empty set for statements without
 * RETURNING), or NULL with @error set. */
HqDbRows *hq_db_query (HqDb            *self,
                       const char      *sql,
                       const HqDbValue *params,
                       guint            n_params,
                       GError         **error) G_GNUC_WARN_UNUSED_RESULT;
/* Runs one statement and returns how many rows it changed, or -1 with @error. */
gint64 hq_db_execute (
    HqDb *self, const char *sql, const HqDbValue *params, guint n_params, GError **error);

/* Transactions do not nest. begin is BEGIN IMMEDIATE on SQLite. */
gboolean hq_db_begin (HqDb *self, GError **error);
gboolean hq_db_commit (HqDb *self, GError **error);
void     hq_db_rollback (HqDb *self);
gboolean hq_db_in_transaction (HqDb *self);

G_END_DECLS
