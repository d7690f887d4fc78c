/* till-outbox.c: what the till owes HQ, queued in the transaction that records it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "till-outbox"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <inttypes.h>
#include <string.h>

#include "till-journal.h"
#include "till-outbox.h"
#include "till-store.h"
#include "till-sync-state.h"

/* Reads one integer from a statement that returns one row with one column;
 * NULL reads as 0. */
static gboolean
query_int64 (TillStore *store, TillStmt *stmt, gint64 *out_value, GError **error)
{
  if (sqlite3_step (stmt) != SQLITE_ROW)
    {
      till_store_set_error (store, error, sqlite3_sql (stmt));
      return FALSE;
    }
  *out_value = sqlite3_column_int64 (stmt, 0);
  return TRUE;
}

/* The highest seq this till ever queued: the row holding it is never purged
 * (see till_outbox_purge_acked), so this is also the last seq HQ can know. */
static gboolean
get_max_seq (TillStore *store, gint64 *out_seq, GError **error)
{
  g_autoptr (TillStmt) stmt = till_store_prepare (store, "SELECT max (seq) FROM outbox", error);

  return stmt != NULL && query_int64 (store, stmt, out_seq, error);
}

static gboolean
mark_failed (TillStore *store, gint64 seq, const char *reason, gint64 now_us, GError **error)
{
  g_autoptr (TillStmt) stmt = NULL;

  stmt = till_store_prepare (store,
                             "UPDATE outbox SET last_error = ?, attempts = attempts + 1, "
                             "last_try_us = ?3, failing_since_us = coalesce (failing_since_us, ?3) "
                             "WHERE seq = ?2 AND state != 'acked'",
                             error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, reason != NULL ? reason : "", -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 2, seq);
  sqlite3_bind_int64 (stmt, 3, now_us);
  return till_store_step_done (store, stmt, error);
}

static gboolean
apply_ack_in_transaction (TillStore         *store,
                          guint32            epoch,
                          gint64             acked_through,
                          gint64             head_seq,
                          const char        *head_hash,
                          const char        *countersig,
                          const gint64      *failed_seqs,
                          const char *const *failed_reasons,
                          guint              n_failed,
                          gint64             now_us,
                          GError           **error)
{
  g_autoptr (TillStmt) acked_stmt = NULL;
  g_autoptr (TillStmt) ack_stmt = NULL;
  gint64 max_seq = 0;

  if (!get_max_seq (store, &max_seq, error))
    return FALSE;
  /* HQ holds every seq up to acked_through; if this till never queued some
   * of them, its database is older than what HQ saw (restored from a
   * backup): marking anything would hide that, and new rows would reuse seqs
   * HQ already has. */
  if (acked_through > max_seq)
    {
      g_set_error (error, TILL_SYNC_STATE_ERROR, TILL_SYNC_STATE_ERROR_RESTORED,
                   _ ("HQ acknowledged documents up to %" PRId64 " but this till queued only up "
                      "to %" PRId64 ": its database may have been restored from a backup. "
                      "Enroll the till again."),
                   acked_through, max_seq);
      return FALSE;
    }

  acked_stmt = till_store_prepare (store,
                                   "UPDATE outbox SET state = 'acked', acked_us = ?, "
                                   "failing_since_us = NULL "
                                   "WHERE seq <= ? AND state != 'acked'",
                                   error);
  if (acked_stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (acked_stmt, 1, now_us);
  sqlite3_bind_int64 (acked_stmt, 2, acked_through);
  if (!till_store_step_done (store, acked_stmt, error))
    return FALSE;

  /* An ack that arrives late (a retry answered after a newer one) must not
   * move the recorded head backwards. */
  ack_stmt = till_store_prepare (
      store,
      "INSERT INTO hq_ack (epoch, acked_through, head_seq, head_hash, countersig, received_us) "
      "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (epoch) DO UPDATE SET "
      "acked_through = excluded.acked_through, head_seq = excluded.head_seq, "
      "head_hash = excluded.head_hash, countersig = excluded.countersig, "
      "received_us = excluded.received_us "
      "WHERE excluded.acked_through >= hq_ack.acked_through",
      error);
  if (ack_stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (ack_stmt, 1, epoch);
  sqlite3_bind_int64 (ack_stmt, 2, acked_through);
  sqlite3_bind_int64 (ack_stmt, 3, head_seq);
  sqlite3_bind_text (ack_stmt, 4, head_hash != NULL ? head_hash : "", -1, SQLITE_STATIC);
  sqlite3_bind_text (ack_stmt, 5, countersig != NULL ? countersig : "", -1, SQLITE_STATIC);
  sqlite3_bind_int64 (ack_stmt, 6, now_us);
  if (!till_store_step_done (store, ack_stmt, error))
    return FALSE;

  for (guint i = 0; i < n_failed; i++)
    if (!mark_failed (store, failed_seqs[i], failed_reasons[i], now_us, error))
      return FALSE;
  return TRUE;
}

/**
 * till_outbox_append:
 * Writes the outbox row of one recorded document; see the header for the
 * payload's form.
 */
gboolean
till_outbox_append (TillStore  *store,
                    const char *kind,
                    const char *payload_key,
                    const char *ref_uuid,
                    const char *body_json,
                    gint64      journal_seq,
                    const char *journal_hash_hex,
                    gint64      created_us,
                    GError    **error)
{
  g_autoptr (TillStmt) stmt = NULL;
  g_autoptr (GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  g_autofree char *payload = NULL;
  guint8           payload_sha256[32];
  gsize            digest_len = sizeof payload_sha256;
  gsize            payload_len;

  g_return_val_if_fail (kind != NULL && payload_key != NULL && ref_uuid != NULL, FALSE);
  g_return_val_if_fail (body_json != NULL && journal_hash_hex != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  payload = g_strdup_printf ("{\"%s\":%s,\"journal_seq\":%" PRId64 ",\"journal_hash\":\"%s\"}",
                             payload_key, body_json, journal_seq, journal_hash_hex);
  payload_len = strlen (payload);
  g_checksum_update (checksum, (const guchar *) payload, (gssize) payload_len);
  g_checksum_get_digest (checksum, payload_sha256, &digest_len);

  stmt = till_store_prepare (store,
                             "INSERT INTO outbox (kind, ref_uuid, payload, payload_sha256, "
                             "created_us) VALUES (?, ?, ?, ?, ?)",
                             error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, kind, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, ref_uuid, -1, SQLITE_STATIC);
  sqlite3_bind_blob (stmt, 3, payload, (int) payload_len, SQLITE_STATIC);
  sqlite3_bind_blob (stmt, 4, payload_sha256, (int) digest_len, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 5, created_us);
  return till_store_step_done (store, stmt, error);
}

void
till_outbox_item_free (TillOutboxItem *item)
{
  if (item == NULL)
    return;
  g_free (item->kind);
  g_free (item->ref_uuid);
  g_clear_pointer (&item->payload, g_bytes_unref);
  g_free (item->sha256);
  g_free (item);
}

/**
 * till_outbox_read_pending:
 * @max_items: at most this many rows (≥ 1)
 * @max_bytes: stop before the payloads would exceed this, except that the
 *   first row is always returned (one huge document must still go out)
 *
 * Returns: (transfer full) (element-type TillOutboxItem): the oldest pending
 *   rows in seq order, possibly none; %NULL with @error set
 */
GPtrArray *
till_outbox_read_pending (TillStore *store, guint max_items, gsize max_bytes, GError **error)
{
  g_autoptr (TillStmt) stmt = NULL;
  g_autoptr (GPtrArray) items = NULL;
  gsize total_bytes = 0;
  int   rc;

  g_return_val_if_fail (TILL_IS_STORE (store), NULL);
  g_return_val_if_fail (max_items > 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  stmt = till_store_prepare (store,
                             "SELECT seq, kind, ref_uuid, payload, payload_sha256 FROM outbox "
                             "WHERE state = 'pending' ORDER BY seq LIMIT ?",
                             error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, max_items);

  items = g_ptr_array_new_with_free_func ((GDestroyNotify) till_outbox_item_free);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      TillOutboxItem *item;
      gsize           payload_len = (gsize) sqlite3_column_bytes (stmt, 3);

      if (items->len > 0 && total_bytes + payload_len > max_bytes)
        break;
      if (sqlite3_column_bytes (stmt, 4) != TILL_JOURNAL_HASH_LEN)
        {
          g_set_error (error, TILL_STORE_ERROR, TILL_STORE_ERROR_CORRUPT,
                       _ ("Outbox row %" PRId64 " has a damaged checksum"),
                       (gint64) sqlite3_column_int64 (stmt, 0));
          return NULL;
        }
      item = g_new0 (TillOutboxItem, 1);
      item->seq = sqlite3_column_int64 (stmt, 0);
      item->kind = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
      item->ref_uuid = g_strdup ((const char *) sqlite3_column_text (stmt, 2));
      item->payload = g_bytes_new (sqlite3_column_blob (stmt, 3), payload_len);
      item->sha256 = till_journal_hash_to_hex (sqlite3_column_blob (stmt, 4));
      g_ptr_array_add (items, item);
      total_bytes += payload_len;
    }
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    {
      till_store_set_error (store, error, _ ("Cannot read the outbox"));
      return NULL;
    }
  return g_steal_pointer (&items);
}

/**
 * till_outbox_get_acked_through:
 *
 * Acked rows may have been purged, so HQ's last recorded ack counts too.
 *
 * Returns: the highest acknowledged seq, 0 when none (and on error, with
 *   @error set)
 */
gint64
till_outbox_get_acked_through (TillStore *store, GError **error)
{
  g_autoptr (TillStmt) stmt = NULL;
  gint64 acked_through = 0;

  g_return_val_if_fail (TILL_IS_STORE (store), 0);
  g_return_val_if_fail (error == NULL || *error == NULL, 0);

  stmt = till_store_prepare (store,
                             "SELECT max (coalesce ((SELECT max (seq) FROM outbox "
                             "WHERE state = 'acked'), 0), "
                             "coalesce ((SELECT max (acked_through) FROM hq_ack), 0))",
                             error);
  if (stmt == NULL || !query_int64 (store, stmt, &acked_through, error))
    return 0;
  return acked_through;
}

/**
 * till_outbox_apply_ack:
 * @epoch: the till's epoch the ack is for
 * @acked_through: HQ's contiguous high-water mark
 * @head_seq: (nullable): the journal head HQ countersigned, with @head_hash
 * @countersig: HQ's signature, kept for audit
 * @failed_seqs: (array length=n_failed): rows HQ rejected or found in conflict
 * @failed_reasons: (array length=n_failed): what HQ said of each
 * @now_us: when the ack arrived
 *
 * Records HQ's acknowledgement in one transaction. An @acked_through beyond
 * the highest seq this till ever queued is refused with
 * %TILL_SYNC_STATE_ERROR_RESTORED and changes nothing but the mark that stops
 * selling (till_sync_mark_restored): the database is older than what HQ has
 * seen.
 */
gboolean
till_outbox_apply_ack (TillStore         *store,
                       guint32            epoch,
                       gint64             acked_through,
                       gint64             head_seq,
                       const char        *head_hash,
                       const char        *countersig,
                       const gint64      *failed_seqs,
                       const char *const *failed_reasons,
                       guint              n_failed,
                       gint64             now_us,
                       GError           **error)
{
  g_return_val_if_fail (TILL_IS_STORE (store), FALSE);
  g_return_val_if_fail (acked_through >= 0, FALSE);
  g_return_val_if_fail (n_failed == 0 || (failed_seqs != NULL && failed_reasons != NULL), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  g_autoptr (GError) local_error = NULL;

  if (!till_store_begin (store, error))
    return FALSE;
  if (!apply_ack_in_transaction (store, epoch, acked_through, head_seq, head_hash, countersig,
                                 failed_seqs, failed_reasons, n_failed, now_us, &local_error))
    {
      till_store_rollback (store);
      /* Remembered outside the refused transaction: selling stops until the
       * till is enrolled again. */
      if (g_error_matches (local_error, TILL_SYNC_STATE_ERROR, TILL_SYNC_STATE_ERROR_RESTORED) &&
          !till_sync_mark_restored (store, now_us, NULL))
        g_warning ("Cannot record that the database was restored");
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  return till_store_commit (store, error);
}

void
till_outbox_stats_clear (TillOutboxStats *stats)
{
  if (stats == NULL)
    return;
  g_clear_pointer (&stats->failing_reason, g_free);
  memset (stats, 0, sizeof *stats);
}

/**
 * till_outbox_get_stats:
 * @out_stats: (out caller-allocates): filled in; clear it with
 *   till_outbox_stats_clear()
 *
 * What the sync status and the offline limits show: the queue and its age,
 * HQ's last ack, and the oldest row HQ refuses.
 */
gboolean
till_outbox_get_stats (TillStore *store, TillOutboxStats *out_stats, GError **error)
{
  g_autoptr (TillStmt) pending_stmt = NULL;
  g_autoptr (TillStmt) oldest_stmt = NULL;
  g_autoptr (TillStmt) ack_stmt = NULL;
  g_autoptr (TillStmt) failing_stmt = NULL;
  g_autoptr (GError) local_error = NULL;
  TillOutboxStats stats = { 0 };
  int             rc;

  g_return_val_if_fail (TILL_IS_STORE (store), FALSE);
  g_return_val_if_fail (out_stats != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  memset (out_stats, 0, sizeof *out_stats);

  pending_stmt = till_store_prepare (store,
                                     "SELECT count (*), coalesce (sum (length (payload)), 0) "
                                     "FROM outbox WHERE state = 'pending'",
                                     error);
  if (pending_stmt == NULL)
    return FALSE;
  if (sqlite3_step (pending_stmt) != SQLITE_ROW)
    {
      till_store_set_error (store, error, _ ("Cannot read the outbox"));
      return FALSE;
    }
  stats.pending = sqlite3_column_int64 (pending_stmt, 0);
  stats.pending_bytes = sqlite3_column_int64 (pending_stmt, 1);

  /* Rows are queued in time order, so the oldest is the first by seq, which
   * the partial index finds at once. */
  oldest_stmt = till_store_prepare (store,
                                    "SELECT coalesce ((SELECT created_us FROM outbox "
                                    "WHERE state = 'pending' ORDER BY seq LIMIT 1), 0)",
                                    error);
  if (oldest_stmt == NULL || !query_int64 (store, oldest_stmt, &stats.oldest_pending_us, error))
    return FALSE;

  ack_stmt = till_store_prepare (store, "SELECT max (received_us) FROM hq_ack", error);
  if (ack_stmt == NULL || !query_int64 (store, ack_stmt, &stats.last_ack_us, error))
    return FALSE;

  stats.acked_through = till_outbox_get_acked_through (store, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  failing_stmt = till_store_prepare (store,
                                     "SELECT seq, failing_since_us, last_error FROM outbox "
                                     "WHERE state = 'pending' AND failing_since_us IS NOT NULL "
                                     "ORDER BY seq LIMIT 1",
                                     error);
  if (failing_stmt == NULL)
    return FALSE;
  rc = sqlite3_step (failing_stmt);
  if (rc == SQLITE_ROW)
    {
      stats.failing_seq = sqlite3_column_int64 (failing_stmt, 0);
      stats.failing_since_us = sqlite3_column_int64 (failing_stmt, 1);
      stats.failing_reason = g_strdup ((const char *) sqlite3_column_text (failing_stmt, 2));
    }
  else if (rc != SQLITE_DONE)
    {
      till_store_set_error (store, error, _ ("Cannot read the outbox"));
      return FALSE;
    }

  *out_stats = stats;
  return TRUE;
}

/**
 * till_outbox_count_pending:
 *
 * Returns: the rows not yet acknowledged, or -1 with @error set
 */
gint64
till_outbox_count_pending (TillStore *store, GError **error)
{
  g_autoptr (TillStmt) stmt = NULL;

  g_return_val_if_fail (TILL_IS_STORE (store), -1);

  stmt = till_store_prepare (store, "SELECT count(*) FROM outbox WHERE state = 'pending'", error);
  if (stmt == NULL)
    return -1;
  if (sqlite3_step (stmt) != SQLITE_ROW)
    {
      till_store_set_error (store, error, _ ("Cannot read the outbox"));
      return -1;
    }
  return sqlite3_column_int64 (stmt, 0);
}

/**
 * till_outbox_resend_from:
 * @from_seq: the first row to send again
 *
 * Queues acknowledged rows again (see till-outbox.h).
 */
gint64
till_outbox_resend_from (TillStore *store, gint64 from_seq, GError **error)
{
  g_autoptr (TillStmt) stmt = NULL;

  g_return_val_if_fail (TILL_IS_STORE (store), -1);
  g_return_val_if_fail (error == NULL || *error == NULL, -1);

  stmt = till_store_prepare (store,
                             "UPDATE outbox SET state = 'pending', acked_us = NULL, attempts = 0 "
                             "WHERE seq >= ? AND state = 'acked'",
                             error);
  if (stmt == NULL)
    return -1;
  sqlite3_bind_int64 (stmt, 1, from_seq);
  if (!till_store_step_done (store, stmt, error))
    return -1;
  return sqlite3_changes (till_store_get_db (store));
}

/**
 * till_outbox_purge_acked:
 * @before_us: rows acknowledged before this go
 *
 * The row with the highest seq always stays, acknowledged or not: seq is the
 * table's rowid, and SQLite hands out max(rowid) + 1, so deleting the newest
 * row would give the next document a seq HQ already holds.
 *
 * Returns: how many rows went, or -1 with @error set
 */
gint64
till_outbox_purge_acked (TillStore *store, gint64 before_us, GError **error)
{
  g_autoptr (TillStmt) stmt = NULL;

  g_return_val_if_fail (TILL_IS_STORE (store), -1);
  g_return_val_if_fail (error == NULL || *error == NULL, -1);

  stmt = till_store_prepare (store,
                             "DELETE FROM outbox WHERE state = 'acked' AND acked_us < ? "
                             "AND seq < (SELECT max (seq) FROM outbox)",
                             error);
  if (stmt == NULL)
    return -1;
  sqlite3_bind_int64 (stmt, 1, before_us);
  if (!till_store_step_done (store, stmt, error))
    return -1;
  return sqlite3_changes64 (till_store_get_db (store));
}
