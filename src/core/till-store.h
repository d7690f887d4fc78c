/* till-store.h: the till's SQLite database, its schema and its lock
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#if !defined(TILL_CORE_INSIDE) && !defined(TILL_CORE_COMPILATION)
#error "Only <till-core.h> can be included directly."
#endif

#include <glib-object.h>
#include <sqlite3.h>

#include "till-types.h"

G_BEGIN_DECLS

#define TILL_STORE_ERROR (till_store_error_quark ())

typedef enum
{
  TILL_STORE_ERROR_FAILED,
  TILL_STORE_ERROR_LOCKED,  /* another till process has this database open */
  TILL_STORE_ERROR_IO,      /* the file cannot be read or written (disk full, read-only, …) */
  TILL_STORE_ERROR_CORRUPT, /* the file is not a till database or is damaged */
  TILL_STORE_ERROR_TOO_NEW, /* the schema is newer than this program */
  TILL_STORE_ERROR_CONSTRAINT,
} TillStoreError;

/* A prepared statement borrowed from the store's cache. Declare it with
 * g_autoptr(TillStmt) and it is reset and its bindings cleared when it goes out of
 * scope; never finalize it. */
typedef sqlite3_stmt TillStmt;
void                 till_stmt_release (TillStmt *stmt);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TillStmt, till_stmt_release)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (sqlite3_stmt, sqlite3_finalize)

#define TILL_TYPE_STORE (till_store_get_type ())
G_DECLARE_FINAL_TYPE (TillStore, till_store, TILL, STORE, GObject)

GQuark till_store_error_quark (void);

TillStore  *till_store_open (const char *path, GError **error) G_GNUC_WARN_UNUSED_RESULT;
const char *till_store_get_path (TillStore *self);
sqlite3    *till_store_get_db (TillStore *self);
int         till_store_get_schema_version (TillStore *self);
int         till_store_get_latest_schema_version (void);

gboolean till_store_begin (TillStore *self, GError **error);
gboolean till_store_commit (TillStore *self, GError **error);
void     till_store_rollback (TillStore *self);
gboolean till_store_in_transaction (TillStore *self);

TillStmt *till_store_prepare (TillStore *self, const char *sql, GError **error);
gboolean  till_store_exec (TillStore *self, const char *sql, GError **error);
gboolean  till_store_step_done (TillStore *self, TillStmt *stmt, GError **error);
void      till_store_set_error (TillStore *self, GError **error, const char *what);

char *till_store_get_setting (TillStore *self, const char *key);
gboolean
    till_store_set_setting (TillStore *self, const char *key, const char *value, GError **error);
int till_store_get_wal_pages (TillStore *self);
gboolean till_store_checkpoint (TillStore *self, gboolean truncate, GError **error);
gboolean till_store_checkpoint_if_due (TillStore *self, GError **error);
gint64   till_store_next_counter (TillStore *self, const char *name, GError **error);
/* The business day ("2026-11-23", local time) that @when_us (µs since the
 * epoch) belongs to. */
char *till_store_business_day (TillStore *self, gint64 when_us) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
