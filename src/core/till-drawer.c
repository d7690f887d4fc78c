/* till-drawer.c: the cash drawer's log: every opening, why and by whom
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "till-drawer"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "till-cart.h"
#include "till-drawer.h"
#include "till-journal.h"
#include "till-permission.h"
#include "till-shift.h"
#include "till-store.h"
#include "till-user.h"

/* Indexed by TillDrawerReason; the names are what drawer_event.reason holds. */
static const char *const reason_names[] = { "sale", "no-sale", "test", "refund", "cash", "count" };

G_STATIC_ASSERT (G_N_ELEMENTS (reason_names) == TILL_DRAWER_REASON_COUNT + 1);

G_DEFINE_QUARK (till_drawer_error_quark, till_drawer_error)

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

/* The drawer_event row, named after its shift and day, and their tallies. */
static gint64
record_open_in_transaction (TillStore       *store,
                            TillDrawerReason reason,
                            const char      *ref_uuid,
                            const char      *user_code,
                            GError         **error)
{
  g_autoptr (TillStmt) stmt = NULL;
  g_autofree char *shift_uuid = NULL;
  g_autofree char *day_uuid = NULL;
  gboolean         attached;
  gint64           id;

  /* The close's own count opens the drawer while selling has stopped. */
  if (reason == TILL_DRAWER_REASON_COUNT)
    attached = _till_shift_attach_while_closing (store, &shift_uuid, &day_uuid, error);
  else
    attached = _till_shift_attach (store, &shift_uuid, &day_uuid, error);
  if (!attached)
    return 0;

  stmt = till_store_prepare (store,
                             "INSERT INTO drawer_event (created_us, reason, ref_uuid, user_code, "
                             "shift_uuid, day_uuid) VALUES (?, ?, ?, ?, ?, ?)",
                             error);
  if (stmt == NULL)
    return 0;
  sqlite3_bind_int64 (stmt, 1, g_get_real_time ());
  sqlite3_bind_text (stmt, 2, reason_names[reason], -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, ref_uuid, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 4, user_code, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 5, shift_uuid, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 6, day_uuid, -1, SQLITE_STATIC);
  if (!till_store_step_done (store, stmt, error))
    return 0;
  id = sqlite3_last_insert_rowid (till_store_get_db (store));
  if (!_till_shift_tally (store, shift_uuid, day_uuid, "drawer-open", 1, 0, error) ||
      (reason == TILL_DRAWER_REASON_NO_SALE &&
       !_till_shift_tally (store, shift_uuid, day_uuid, "no-sale", 1, 0, error)))
    return 0;
  return id;
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
  gboolean own_transaction;
  gint64   id;

  g_return_val_if_fail (TILL_IS_STORE (store), 0);
  g_return_val_if_fail ((guint) reason < G_N_ELEMENTS (reason_names), 0);
  g_return_val_if_fail (error == NULL || *error == NULL, 0);

  own_transaction = !till_store_in_transaction (store);
  if (own_transaction && !till_store_begin (store, error))
    return 0;
  id = record_open_in_transaction (store, reason, ref_uuid, user_code, error);
  if (id == 0)
    {
      if (own_transaction)
        till_store_rollback (store);
      return 0;
    }
  if (own_transaction && !till_store_commit (store, error))
    {
      till_store_rollback (store);
      return 0;
    }
  return id;
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

/**
 * till_drawer_open_no_sale:
 * @store: the till's store, outside a transaction
 * @journal: the till's journal, on @store
 * @user: who opens the drawer
 * @reason: why, required (a reason code such as "change-for-customer")
 * @override: (nullable): a supervisor's approval
 *
 * Records a no-sale opening: the permission check, the drawer_event and a
 * signed "no-sale" journal entry naming the user and the reason, all in one
 * transaction. Nothing is recorded on failure. Sending the pulse is the
 * caller's part, after this returns.
 *
 * Returns: the drawer_event id, or 0 with @error set
 */
gint64
till_drawer_open_no_sale (TillStore          *store,
                          TillJournal        *journal,
                          TillUser           *user,
                          const char         *reason,
                          const TillOverride *override,
                          GError            **error)
{
  g_autofree char *stripped = NULL;
  g_autoptr (GBytes) bytes = NULL;
  GString *body;
  gint64   event_id;

  g_return_val_if_fail (TILL_IS_STORE (store), 0);
  g_return_val_if_fail (TILL_IS_JOURNAL (journal), 0);
  g_return_val_if_fail (till_journal_get_store (journal) == store, 0);
  g_return_val_if_fail (TILL_IS_USER (user), 0);
  g_return_val_if_fail (!till_store_in_transaction (store), 0);
  g_return_val_if_fail (error == NULL || *error == NULL, 0);

  /* Checked before the permission, so that a supervisor is never asked to
   * approve an opening nobody can explain. */
  stripped = g_strstrip (g_strdup (reason != NULL ? reason : ""));
  if (*stripped == '\0')
    {
      g_set_error (error, TILL_DRAWER_ERROR, TILL_DRAWER_ERROR_REASON,
                   _ ("Give a reason for opening the drawer"));
      return 0;
    }

  if (!till_store_begin (store, error))
    return 0;
  if (!till_permission_check (store, journal, user, TILL_PERMISSION_NO_SALE, 0, override, error))
    {
      till_store_rollback (store);
      return 0;
    }
  event_id = till_drawer_record_open (store, TILL_DRAWER_REASON_NO_SALE, NULL,
                                      till_user_get_code (user), error);
  if (event_id == 0)
    {
      till_store_rollback (store);
      return 0;
    }

  body = g_string_new ("{");
  _till_json_add_int (body, "drawer_event", event_id);
  _till_json_add_user (body, user);
  _till_json_add_string (body, "reason", stripped);
  g_string_append_c (body, '}');
  bytes = g_string_free_to_bytes (body);
  if (!till_journal_append (journal, "no-sale", NULL, g_get_real_time (), bytes, NULL, NULL,
                            error) ||
      !till_store_commit (store, error))
    {
      till_store_rollback (store);
      return 0;
    }
  return event_id;
}
