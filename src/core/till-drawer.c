/* till-drawer.c: the cash drawer's log: every opening, why and by whom
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "till-drawer"

#include "config.h"

#include "till-drawer.h"
#include "till-store.h"

static const char *const reason_names[] = { "sale", "no-sale", "test" };

static gboolean
reason_from_string (const char *text, TillDrawerReason *out_reason)
{
  for (guint i = 0; i < G_N_ELEMENTS (reason_names); i++)
    if (g_strcmp0 (text, reason_names[i]) == 0)
      {
        *out_reason = (TillDrawerReason) i;
        return TRUE;
      }
  return FALSE;
}

void
till_drawer_event_free (TillDrawerEvent *event)
{
  if (event == NULL)
    return;
  g_free (event->ref_uuid);
  g_free (event->user_code);
  g_free (event);
}

const char *
till_drawer_reason_to_string (TillDrawerReason reason)
{
  g_return_val_if_fail ((guint) reason < G_N_ELEMENTS (reason_names), NULL);
  return reason_names[reason];
}

/**
 * till_drawer_record_open:
 * Writes a drawer_event row, inside the caller's transaction when one is open.
 */
gint64
till_drawer_record_open (TillStore       *store,
                         TillDrawerReason reason,
                         const char      *ref_uuid,
                         const char      *user_code,
                         GError         **error)
{
  g_autoptr (TillStmt) stmt = NULL;
  gboolean own_transaction;
  gint64   id;

  g_return_val_if_fail (TILL_IS_STORE (store), 0);
  g_return_val_if_fail ((guint) reason < G_N_ELEMENTS (reason_names), 0);
  g_return_val_if_fail (error == NULL || *error == NULL, 0);

  own_transaction = !till_store_in_transaction (store);
  if (own_transaction && !till_store_begin (store, error))
    return 0;

  stmt = till_store_prepare (store,
                             "INSERT INTO drawer_event (created_us, reason, ref_uuid, user_code) "
                             "VALUES (?, ?, ?, ?)",
                             error);
  if (stmt == NULL)
    goto fail;
  sqlite3_bind_int64 (stmt, 1, g_get_real_time ());
  sqlite3_bind_text (stmt, 2, reason_names[reason], -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, ref_uuid, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 4, user_code, -1, SQLITE_STATIC);
  if (!till_store_step_done (store, stmt, error))
    goto fail;
  id = sqlite3_last_insert_rowid (till_store_get_db (store));

  if (own_transaction && !till_store_commit (store, error))
    return 0;
  return id;

fail:
  if (own_transaction)
    till_store_rollback (store);
  return 0;
}

/**
 * till_drawer_list_events:
 * Returns: (transfer full) (element-type TillDrawerEvent): the openings, oldest
 *   first, or %NULL with @error set
 */
GPtrArray *
till_drawer_list_events (TillStore *store, gint64 since_us, GError **error)
{
  g_autoptr (TillStmt) stmt = NULL;
  g_autoptr (GPtrArray) events = NULL;
  int rc;

  g_return_val_if_fail (TILL_IS_STORE (store), NULL);

  stmt = till_store_prepare (store,
                             "SELECT id, created_us, reason, ref_uuid, user_code FROM drawer_event "
                             "WHERE created_us >= ? ORDER BY id",
                             error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, since_us);
  events = g_ptr_array_new_with_free_func ((GDestroyNotify) till_drawer_event_free);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      TillDrawerEvent *event = g_new0 (TillDrawerEvent, 1);

      event->id = sqlite3_column_int64 (stmt, 0);
      event->created_us = sqlite3_column_int64 (stmt, 1);
      if (!reason_from_string ((const char *) sqlite3_column_text (stmt, 2), &event->reason))
        event->reason = TILL_DRAWER_REASON_NO_SALE; /* the CHECK keeps others out */
      event->ref_uuid = g_strdup ((const char *) sqlite3_column_text (stmt, 3));
      event->user_code = g_strdup ((const char *) sqlite3_column_text (stmt, 4));
      g_ptr_array_add (events, event);
    }
  if (rc != SQLITE_DONE)
    {
      till_store_set_error (store, error, "drawer_event");
      return NULL;
    }
  return g_steal_pointer (&events);
}
