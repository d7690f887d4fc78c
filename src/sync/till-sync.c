/* till-sync.c: one round of sync with HQ, in steps
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "till-sync"

#include "config.h"

#include <inttypes.h>

#include <glib/gi18n-lib.h>

#include "till-sync.h"

/* How many times one round reloads a channel from scratch before it gives
 * up: a second 410 or drift straight after a reload means HQ and the till
 * disagree about something a reload cannot fix. */
#define MAX_RELOADS_PER_CHANNEL 1

typedef struct
{
  TillMasterRow row;
  char         *data_json; /* owned; row.data_json points at it */
} OwnedRow;

static int
compare_rows_by_version (gconstpointer a, gconstpointer b)
{
  const OwnedRow *row_a = a;
  const OwnedRow *row_b = b;

  return (row_a->row.version > row_b->row.version) - (row_a->row.version < row_b->row.version);
}

static void
owned_row_clear (gpointer data)
{
  OwnedRow *row = data;

  g_clear_pointer (&row->data_json, g_free);
}

static void
append_rows (GArray *rows, GPtrArray *wire_rows, gboolean tombstones)
{
  for (guint i = 0; wire_rows != NULL && i < wire_rows->len; i++)
    {
      const TillWireRow *wire_row = g_ptr_array_index (wire_rows, i);
      OwnedRow           row = { 0 };

      row.data_json =
          tombstones || wire_row->data == NULL ? NULL : json_to_string (wire_row->data, FALSE);
      row.row.id = wire_row->id;
      row.row.scope = wire_row->scope;
      row.row.version = wire_row->version;
      row.row.data_json = row.data_json;
      g_array_append_val (rows, row);
    }
}

void
till_sync_batch_free (TillSyncBatch *batch)
{
  if (batch == NULL)
    return;
  g_clear_pointer (&batch->body, g_bytes_unref);
  g_free (batch->signature);
  g_free (batch->key);
  g_free (batch->head_hash);
  g_free (batch);
}

/**
 * till_sync_build_batch:
 *
 * The oldest unacknowledged outbox rows (at most TILL_WIRE_BATCH_MAX_ITEMS
 * or _BYTES) as a signed push for @identity, with the journal's head for HQ
 * to countersign. NULL without an error when nothing is pending.
 */
TillSyncBatch *
till_sync_build_batch (TillStore              *store,
                       TillJournal            *journal,
                       const TillSyncIdentity *identity,
                       gint64                  now_us,
                       GError                **error)
{
  g_autoptr (GPtrArray) pending = NULL;
  g_autoptr (TillWireBatch) wire_batch = NULL;
  g_autoptr (TillSyncBatch) batch = NULL;
  g_autoptr (GError) local_error = NULL;
  g_autofree char *head_hash = NULL;
  gint64           head_seq = 0;
  gint64           acked_base;

  g_return_val_if_fail (TILL_IS_STORE (store), NULL);
  g_return_val_if_fail (TILL_IS_JOURNAL (journal), NULL);
  g_return_val_if_fail (identity != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  pending =
      till_outbox_read_pending (store, TILL_WIRE_BATCH_MAX_ITEMS, TILL_WIRE_BATCH_MAX_BYTES, error);
  if (pending == NULL)
    return NULL;
  if (pending->len == 0)
    return NULL;

  acked_base = till_outbox_get_acked_through (store, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  if (!till_journal_get_head (journal, &head_seq, &head_hash, error))
    return NULL;

  wire_batch = till_wire_batch_new (identity->till_id, identity->epoch);
  wire_batch->acked_base = acked_base;
  wire_batch->sent_us = now_us;
  wire_batch->head_seq = head_seq;
  g_free (wire_batch->head_hash);
  wire_batch->head_hash = g_strdup (head_hash);

  for (guint i = 0; i < pending->len; i++)
    {
      const TillOutboxItem *item = g_ptr_array_index (pending, i);
      gsize                 size = 0;
      const char           *data = g_bytes_get_data (item->payload, &size);
      g_autofree char      *payload = g_strndup (data, size);

      /* HQ checks that seqs follow each other; a hole here would be a bug
       * in the outbox, and sending it would only earn a malformed batch. */
      if (i > 0 &&
          item->seq != ((const TillOutboxItem *) g_ptr_array_index (pending, i - 1))->seq + 1)
        {
          g_set_error (error, TILL_SYNC_ERROR, TILL_SYNC_ERROR_FAILED,
                       _ ("The outbox has a gap before document %" PRId64), item->seq);
          return NULL;
        }
      g_ptr_array_add (wire_batch->items, till_wire_item_new (item->seq, item->kind, item->ref_uuid,
                                                              payload, item->sha256));
    }

  batch = g_new0 (TillSyncBatch, 1);
  batch->body = till_wire_batch_encode (wire_batch);
  batch->signature = till_journal_sign_base64 (journal, batch->body);
  if (batch->signature == NULL)
    {
      g_set_error (error, TILL_SYNC_ERROR, TILL_SYNC_ERROR_FAILED,
                   _ ("The batch cannot be signed with the till’s key"));
      return NULL;
    }
  batch->key = till_wire_batch_key (wire_batch);
  batch->first_seq = ((const TillOutboxItem *) g_ptr_array_index (pending, 0))->seq;
  batch->last_seq = ((const TillOutboxItem *) g_ptr_array_index (pending, pending->len - 1))->seq;
  batch->n_items = pending->len;
  batch->head_seq = head_seq;
  batch->head_hash = g_steal_pointer (&head_hash);
  return g_steal_pointer (&batch);
}

/**
 * till_sync_apply_ack:
 *
 * Checks HQ's countersignature over (till, epoch, acked_through, the
 * batch's head) with the identity's hq_key and that acked_through lies
 * between what the till already holds and the batch's last seq; only then
 * marks the rows and records why HQ refused any. A bad ack marks nothing
 * (TILL_SYNC_ERROR_PROTOCOL).
 */
gboolean
till_sync_apply_ack (TillStore              *store,
                     const TillSyncIdentity *identity,
                     const TillSyncBatch    *batch,
                     const TillWireAck      *ack,
                     gint64                  now_us,
                     gboolean               *out_progress,
                     GError                **error)
{
  g_autoptr (GBytes) message = NULL;
  g_autoptr (GError) local_error = NULL;
  g_autoptr (GArray) failed_seqs = NULL;
  g_autoptr (GPtrArray) failed_reasons = NULL;
  gint64 held;
  gint64 pending_before;

  g_return_val_if_fail (TILL_IS_STORE (store), FALSE);
  g_return_val_if_fail (identity != NULL, FALSE);
  g_return_val_if_fail (batch != NULL, FALSE);
  g_return_val_if_fail (ack != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (out_progress != NULL)
    *out_progress = FALSE;

  if (identity->hq_key == NULL || ack->countersig == NULL)
    {
      g_set_error (error, TILL_SYNC_ERROR, TILL_SYNC_ERROR_PROTOCOL,
                   _ ("HQ’s acknowledgement is not countersigned"));
      return FALSE;
    }
  message = till_wire_countersig_message (identity->till_id, identity->epoch, ack->acked_through,
                                          batch->head_seq, batch->head_hash);
  if (!till_wire_verify_ed25519 (identity->hq_key, message, ack->countersig, &local_error))
    {
      g_set_error (error, TILL_SYNC_ERROR, TILL_SYNC_ERROR_PROTOCOL,
                   _ ("HQ’s acknowledgement does not carry HQ’s signature: %s"),
                   local_error->message);
      return FALSE;
    }

  held = till_outbox_get_acked_through (store, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  /* HQ may hold more than this batch carried (an earlier batch whose ack
   * was lost reached it): that is fine for every row this till queued, and
   * till_outbox_apply_ack refuses a mark past the newest row, which only a
   * restored database could see. A mark that goes back is never right. */
  if (ack->acked_through < held)
    {
      g_set_error (error, TILL_SYNC_ERROR, TILL_SYNC_ERROR_PROTOCOL,
                   _ ("HQ acknowledged up to %" PRId64 ", behind what this till already "
                      "holds as acknowledged (%" PRId64 ")"),
                   ack->acked_through, held);
      return FALSE;
    }

  failed_seqs = g_array_new (FALSE, FALSE, sizeof (gint64));
  failed_reasons = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; ack->items != NULL && i < ack->items->len; i++)
    {
      const TillWireItemResult *result = &g_array_index (ack->items, TillWireItemResult, i);

      if (result->status != TILL_WIRE_ITEM_REJECTED && result->status != TILL_WIRE_ITEM_CONFLICT)
        continue;
      if (result->seq < batch->first_seq || result->seq > batch->last_seq)
        continue;
      g_array_append_val (failed_seqs, result->seq);
      g_ptr_array_add (failed_reasons,
                       g_strdup_printf ("%s: %s", till_wire_item_status_to_string (result->status),
                                        result->reason != NULL ? result->reason : ""));
    }

  pending_before = till_outbox_count_pending (store, NULL);
  if (!till_outbox_apply_ack (store, identity->epoch, ack->acked_through, batch->head_seq,
                              batch->head_hash, ack->countersig, (const gint64 *) failed_seqs->data,
                              (const char *const *) failed_reasons->pdata, failed_seqs->len, now_us,
                              error))
    return FALSE;

  /* Progress is rows leaving the queue, whether or not HQ's mark moved (it
   * does not when rows are sent again after HQ lost them). */
  if (out_progress != NULL)
    *out_progress = pending_before >= 0 && till_outbox_count_pending (store, NULL) < pending_before;
  return TRUE;
}

/**
 * till_sync_apply_page:
 *
 * Applies one pulled page with its cursor in one transaction; after the
 * last page of items or prices, the prices in force now.
 */
gboolean
till_sync_apply_page (
    TillStore *store, const TillWirePage *page, gint64 now_us, gboolean *out_drift, GError **error)
{
  g_autoptr (GArray) rows = NULL;
  g_autofree TillMasterRow *flat = NULL;
  gboolean                  drift = FALSE;

  g_return_val_if_fail (TILL_IS_STORE (store), FALSE);
  g_return_val_if_fail (page != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (out_drift != NULL)
    *out_drift = FALSE;

  /* HQ lists rows and tombstones apart, each in version order; the till
   * applies them together in that order, so that the newer of two versions
   * of one row is the one that stays. */
  rows = g_array_new (FALSE, TRUE, sizeof (OwnedRow));
  g_array_set_clear_func (rows, owned_row_clear);
  append_rows (rows, page->rows, FALSE);
  append_rows (rows, page->tombstones, TRUE);
  g_array_sort (rows, compare_rows_by_version);

  flat = g_new0 (TillMasterRow, MAX (rows->len, 1));
  for (guint i = 0; i < rows->len; i++)
    flat[i] = g_array_index (rows, OwnedRow, i).row;

  if (!till_master_data_apply_page (store, page->channel, flat, rows->len, page->next_cursor,
                                    page->has_more, page->total, now_us, &drift, error))
    return FALSE;

  if (!page->has_more &&
      (g_str_equal (page->channel, "items") || g_str_equal (page->channel, "prices")))
    {
      gint64 next_change_us = G_MAXINT64;

      if (till_master_data_apply_prices (store, now_us, &next_change_us, error) < 0)
        return FALSE;
    }

  if (out_drift != NULL)
    *out_drift = drift;
  return TRUE;
}

/* Remembers that this round reached HQ: the stored-value offline caps
 * (till_stored_value_offline_allows) count from the last contact. Failing
 * to write it only makes the till look offline sooner, which is the safe
 * side, so it does not fail the round. */
static void
record_contact (TillStore *store)
{
  g_autoptr (GError) error = NULL;

  if (!till_sync_record_contact (store, g_get_real_time (), &error))
    g_message ("Cannot record the contact with HQ: %s", error->message);
}

/* Pushes until nothing is pending or HQ stops acknowledging more. */
static gboolean
push_all (TillStore              *store,
          TillJournal            *journal,
          TillSyncClient         *client,
          const TillSyncIdentity *identity,
          guint                  *out_pushed,
          GError                **error)
{
  while (TRUE)
    {
      g_autoptr (TillSyncBatch) batch = NULL;
      g_autoptr (TillWireAck) ack = NULL;
      g_autoptr (GError) local_error = NULL;
      gboolean progress = FALSE;

      batch = till_sync_build_batch (store, journal, identity, g_get_real_time (), &local_error);
      if (batch == NULL)
        {
          if (local_error == NULL)
            return TRUE; /* nothing pending */
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
      ack = till_sync_client_push (client, batch->body, batch->signature, batch->key, error);
      if (ack == NULL)
        return FALSE;
      if (!till_sync_apply_ack (store, identity, batch, ack, g_get_real_time (), &progress, error))
        return FALSE;
      record_contact (store);

      /* A rejected item holds acked_through where it is: sending the same
       * batch again in this round would get the same answer. */
      if (!progress)
        return TRUE;
      *out_pushed += (guint) (MIN (ack->acked_through, batch->last_seq) - batch->first_seq + 1);
    }
}

/* Pulls @channel from its cursor to its end; reloads it when HQ says the
 * cursor is too old (410) or the rows held drifted from HQ's count. */
static gboolean
pull_channel (TillStore *store, TillSyncClient *client, const char *channel, GError **error)
{
  guint  reloads = 0;
  gint64 cursor;
  g_autoptr (GError) local_error = NULL;

  cursor = till_master_data_get_cursor (store, channel, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  while (TRUE)
    {
      g_autoptr (TillWirePage) page = NULL;
      g_autoptr (GError) pull_error = NULL;
      gboolean drift = FALSE;

      page = till_sync_client_pull (client, channel, cursor, TILL_WIRE_PAGE_MAX_ROWS, &pull_error);
      if (page == NULL)
        {
          if (g_error_matches (pull_error, TILL_SYNC_ERROR, TILL_SYNC_ERROR_GONE) &&
              reloads < MAX_RELOADS_PER_CHANNEL)
            {
              g_debug ("%s: cursor %" PRId64 " is gone at HQ, reloading", channel, cursor);
              reloads++;
              if (!till_master_data_begin_reload (store, channel, error))
                return FALSE;
              cursor = 0;
              continue;
            }
          g_propagate_error (error, g_steal_pointer (&pull_error));
          return FALSE;
        }
      if (page->next_cursor < cursor)
        {
          g_set_error (error, TILL_SYNC_ERROR, TILL_SYNC_ERROR_PROTOCOL,
                       _ ("HQ moved the cursor of %s back from %" PRId64 " to %" PRId64), channel,
                       cursor, page->next_cursor);
          return FALSE;
        }
      if (!till_sync_apply_page (store, page, g_get_real_time (), &drift, error))
        return FALSE;
      record_contact (store);

      if (drift)
        {
          if (reloads >= MAX_RELOADS_PER_CHANNEL)
            {
              g_set_error (error, TILL_SYNC_ERROR, TILL_SYNC_ERROR_PROTOCOL,
                           _ ("The rows of %s still differ from HQ’s after a full reload"),
                           channel);
              return FALSE;
            }
          g_debug ("%s: the rows held drifted from HQ's count, reloading", channel);
          reloads++;
          if (!till_master_data_begin_reload (store, channel, error))
            return FALSE;
          cursor = 0;
          continue;
        }
      if (!page->has_more)
        return TRUE;
      if (page->next_cursor == cursor)
        {
          g_set_error (error, TILL_SYNC_ERROR, TILL_SYNC_ERROR_PROTOCOL,
                       _ ("HQ said more of %s follows but did not move the cursor"), channel);
          return FALSE;
        }
      cursor = page->next_cursor;
    }
}

/**
 * till_sync_run:
 *
 * One whole round on the calling thread: push everything pending, then pull
 * every channel (till_wire_channels order) to its end.
 */
gboolean
till_sync_run (TillStore      *store,
               TillJournal    *journal,
               TillSyncClient *client,
               guint          *out_pushed,
               GError        **error)
{
  g_autoptr (TillSyncIdentity) identity = NULL;
  guint pushed = 0;

  g_return_val_if_fail (TILL_IS_STORE (store), FALSE);
  g_return_val_if_fail (TILL_IS_JOURNAL (journal), FALSE);
  g_return_val_if_fail (TILL_IS_SYNC_CLIENT (client), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (out_pushed != NULL)
    *out_pushed = 0;

  identity = till_sync_identity_load (store, error);
  if (identity == NULL)
    return FALSE;

  if (!push_all (store, journal, client, identity, &pushed, error))
    {
      if (out_pushed != NULL)
        *out_pushed = pushed;
      return FALSE;
    }
  if (out_pushed != NULL)
    *out_pushed = pushed;

  for (guint i = 0; till_wire_channels[i] != NULL; i++)
    if (!pull_channel (store, client, till_wire_channels[i], error))
      return FALSE;
  return TRUE;
}

/**
 * till_sync_client_new_for_store:
 *
 * A client for the till's saved identity (its URL, HQ's CA and the till's
 * certificate and key).
 */
TillSyncClient *
till_sync_client_new_for_store (TillStore *store, guint timeout_s, GError **error)
{
  g_autoptr (TillSyncIdentity) identity = NULL;

  g_return_val_if_fail (TILL_IS_STORE (store), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  identity = till_sync_identity_load (store, error);
  if (identity == NULL)
    return NULL;
  return till_sync_client_new (identity->url, identity->ca_path, identity->cert_path,
                               identity->key_path, timeout_s, error);
}
