/* test-outbox.c: tests for src/core/till-outbox.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "till-core.h"
#include "till-test-util.h"

static char      *scratch;
static TillStore *store;

static void
setup (void)
{
  g_autofree char *path = NULL;
  g_autoptr (GError) error = NULL;

  scratch = till_test_make_tmpdir ();
  path = g_build_filename (scratch, "till.db", NULL);
  store = till_store_open (path, &error);
  ck_assert_msg (store != NULL, "%s", error ? error->message : "");
}

static void
teardown (void)
{
  g_clear_object (&store);
  till_test_remove_tree (scratch);
  g_clear_pointer (&scratch, g_free);
}

/* /core/outbox/append: the row carries the document under its key, the
 * journal link, and the SHA-256 of exactly those payload bytes. */
START_TEST (test_append)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TillStmt) stmt = NULL;
  g_autofree char *sha_hex = NULL;
  const char      *expected = "{\"return\":{\"uuid\":\"r-1\"},\"journal_seq\":7,"
                              "\"journal_hash\":\"00ff\"}";

  ck_assert (till_store_begin (store, &error));
  ck_assert_msg (till_outbox_append (store, "return", "return", "r-1", "{\"uuid\":\"r-1\"}", 7,
                                     "00ff", 1234, &error),
                 "%s", error ? error->message : "");
  ck_assert (till_store_commit (store, &error));

  stmt = till_store_prepare (store,
                             "SELECT kind, ref_uuid, payload, payload_sha256, state, created_us "
                             "FROM outbox",
                             &error);
  ck_assert_ptr_nonnull (stmt);
  ck_assert_int_eq (sqlite3_step (stmt), SQLITE_ROW);
  ck_assert_str_eq ((const char *) sqlite3_column_text (stmt, 0), "return");
  ck_assert_str_eq ((const char *) sqlite3_column_text (stmt, 1), "r-1");
  ck_assert_int_eq (sqlite3_column_bytes (stmt, 2), (int) strlen (expected));
  ck_assert (memcmp (sqlite3_column_blob (stmt, 2), expected, strlen (expected)) == 0);
  sha_hex = g_compute_checksum_for_string (G_CHECKSUM_SHA256, expected, -1);
  {
    g_autofree char *stored_hex = till_journal_hash_to_hex (sqlite3_column_blob (stmt, 3));
    ck_assert_str_eq (stored_hex, sha_hex);
  }
  ck_assert_str_eq ((const char *) sqlite3_column_text (stmt, 4), "pending");
  ck_assert_int_eq (sqlite3_column_int64 (stmt, 5), 1234);
  ck_assert_int_eq (sqlite3_step (stmt), SQLITE_DONE);
}
END_TEST

/* /core/outbox/rolled-back: queued in the caller's transaction, so a
 * rollback leaves nothing for HQ. */
START_TEST (test_rolled_back)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TillStmt) stmt = NULL;

  ck_assert (till_store_begin (store, &error));
  ck_assert (till_outbox_append (store, "sale", "sale", "s-1", "{}", 1, "aa", 1, &error));
  till_store_rollback (store);

  stmt = till_store_prepare (store, "SELECT count(*) FROM outbox", &error);
  ck_assert_ptr_nonnull (stmt);
  ck_assert_int_eq (sqlite3_step (stmt), SQLITE_ROW);
  ck_assert_int_eq (sqlite3_column_int (stmt, 0), 0);
}
END_TEST

/* Queues @n rows "sale" s-1 … s-N with payloads of about @body_len bytes,
 * created at @created_us + i seconds; each in its own transaction. */
static void
queue_rows (int n, gsize body_len, gint64 created_us)
{
  for (int i = 0; i < n; i++)
    {
      g_autoptr (GError) error = NULL;
      g_autofree char *ref = g_strdup_printf ("s-%d", i + 1);
      g_autofree char *filler = g_strnfill (body_len, 'x');
      g_autofree char *body = g_strdup_printf ("{\"n\":%d,\"f\":\"%s\"}", i + 1, filler);

      ck_assert (till_store_begin (store, &error));
      ck_assert_msg (till_outbox_append (store, "sale", "sale", ref, body, i + 1, "ab",
                                         created_us + i * G_USEC_PER_SEC, &error),
                     "%s", error ? error->message : "");
      ck_assert (till_store_commit (store, &error));
    }
}

static gint64
count_where (const char *sql)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TillStmt) stmt = till_store_prepare (store, sql, &error);

  ck_assert_msg (stmt != NULL, "%s", error ? error->message : "");
  ck_assert_int_eq (sqlite3_step (stmt), SQLITE_ROW);
  return sqlite3_column_int64 (stmt, 0);
}

/* /core/outbox/read-pending: seq order, the item limit, the payload and its
 * hash exactly as stored. */
START_TEST (test_read_pending)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) items = NULL;

  queue_rows (5, 10, 1000);
  items = till_outbox_read_pending (store, 3, 1024 * 1024, &error);
  ck_assert_msg (items != NULL, "%s", error ? error->message : "");
  ck_assert_uint_eq (items->len, 3);
  for (guint i = 0; i < items->len; i++)
    {
      TillOutboxItem  *item = items->pdata[i];
      g_autofree char *ref = g_strdup_printf ("s-%u", i + 1);
      gsize            len;
      const char      *payload = g_bytes_get_data (item->payload, &len);
      g_autofree char *sha =
          g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) payload, len);

      ck_assert_int_eq (item->seq, i + 1);
      ck_assert_str_eq (item->kind, "sale");
      ck_assert_str_eq (item->ref_uuid, ref);
      ck_assert (g_str_has_prefix (payload, "{\"sale\":{\"n\":"));
      ck_assert_str_eq (item->sha256, sha);
    }
}
END_TEST

/* /core/outbox/read-pending-bytes: stops before the byte budget is exceeded,
 * but a row larger than the whole budget still goes alone. */
START_TEST (test_read_pending_bytes)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) items = NULL;
  g_autoptr (GPtrArray) single = NULL;
  gsize one;

  queue_rows (4, 100, 1000);
  items = till_outbox_read_pending (store, 200, 1024, &error);
  ck_assert_ptr_nonnull (items);
  one = g_bytes_get_size (((TillOutboxItem *) items->pdata[0])->payload);
  ck_assert_uint_eq (items->len, 4);

  g_clear_pointer (&items, g_ptr_array_unref);
  items = till_outbox_read_pending (store, 200, 2 * one + one / 2, &error);
  ck_assert_ptr_nonnull (items);
  ck_assert_uint_eq (items->len, 2);

  single = till_outbox_read_pending (store, 200, 1, &error);
  ck_assert_ptr_nonnull (single);
  ck_assert_uint_eq (single->len, 1);
  ck_assert_int_eq (((TillOutboxItem *) single->pdata[0])->seq, 1);
}
END_TEST

/* /core/outbox/ack: rows up to acked_through become acked and are not read
 * again; the rest stay pending; hq_ack keeps HQ's head; stats follow. */
START_TEST (test_ack)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) items = NULL;
  g_autoptr (TillStmt) stmt = NULL;
  TillOutboxStats stats = { 0 };

  queue_rows (5, 10, 1000);
  ck_assert_int_eq (till_outbox_get_acked_through (store, &error), 0);
  ck_assert (till_outbox_get_stats (store, &stats, &error));
  ck_assert_int_eq (stats.pending, 5);
  ck_assert_int_eq (stats.oldest_pending_us, 1000);
  ck_assert_int_eq (stats.last_ack_us, 0);
  ck_assert_int_gt (stats.pending_bytes, 5 * 10);
  till_outbox_stats_clear (&stats);

  ck_assert_msg (
      till_outbox_apply_ack (store, 2, 3, 9, "headhash", "sig", NULL, NULL, 0, 5000, &error), "%s",
      error ? error->message : "");
  ck_assert_int_eq (till_outbox_get_acked_through (store, &error), 3);
  items = till_outbox_read_pending (store, 10, 1024 * 1024, &error);
  ck_assert_uint_eq (items->len, 2);
  ck_assert_int_eq (((TillOutboxItem *) items->pdata[0])->seq, 4);
  ck_assert_int_eq (count_where ("SELECT count (*) FROM outbox WHERE state = 'acked' "
                                 "AND acked_us = 5000"),
                    3);

  stmt = till_store_prepare (store,
                             "SELECT epoch, acked_through, head_seq, head_hash, countersig, "
                             "received_us FROM hq_ack",
                             &error);
  ck_assert_int_eq (sqlite3_step (stmt), SQLITE_ROW);
  ck_assert_int_eq (sqlite3_column_int (stmt, 0), 2);
  ck_assert_int_eq (sqlite3_column_int (stmt, 1), 3);
  ck_assert_int_eq (sqlite3_column_int (stmt, 2), 9);
  ck_assert_str_eq ((const char *) sqlite3_column_text (stmt, 3), "headhash");
  ck_assert_str_eq ((const char *) sqlite3_column_text (stmt, 4), "sig");
  ck_assert_int_eq (sqlite3_column_int64 (stmt, 5), 5000);
  ck_assert_int_eq (sqlite3_step (stmt), SQLITE_DONE);

  ck_assert (till_outbox_get_stats (store, &stats, &error));
  ck_assert_int_eq (stats.pending, 2);
  ck_assert_int_eq (stats.oldest_pending_us, 1000 + 3 * G_USEC_PER_SEC);
  ck_assert_int_eq (stats.acked_through, 3);
  ck_assert_int_eq (stats.last_ack_us, 5000);
  ck_assert_int_eq (stats.failing_seq, 0);
  ck_assert_ptr_null (stats.failing_reason);
  till_outbox_stats_clear (&stats);

  /* A late reply to an older push does not move HQ's recorded head back. */
  ck_assert (till_outbox_apply_ack (store, 2, 1, 4, "older", "sig0", NULL, NULL, 0, 6000, &error));
  ck_assert_int_eq (till_outbox_get_acked_through (store, &error), 3);
  ck_assert_int_eq (count_where ("SELECT acked_through FROM hq_ack WHERE epoch = 2"), 3);
}
END_TEST

/* /core/outbox/ack-beyond-pending: HQ may acknowledge rows the batch did not
 * carry (an earlier push landed, its reply was lost): they are acked too. An
 * ack beyond anything this till ever queued is refused and changes nothing. */
START_TEST (test_ack_beyond_pending)
{
  g_autoptr (GError) error = NULL;

  queue_rows (4, 10, 1000);
  ck_assert (till_outbox_apply_ack (store, 1, 4, 4, "h", "s", NULL, NULL, 0, 2000, &error));
  ck_assert_int_eq (count_where ("SELECT count (*) FROM outbox WHERE state = 'pending'"), 0);
  ck_assert_int_eq (till_outbox_get_acked_through (store, &error), 4);

  queue_rows (1, 10, 3000);
  ck_assert (!till_outbox_apply_ack (store, 1, 9, 9, "h", "s", NULL, NULL, 0, 4000, &error));
  ck_assert (g_error_matches (error, TILL_SYNC_STATE_ERROR, TILL_SYNC_STATE_ERROR_RESTORED));
  ck_assert_int_eq (count_where ("SELECT count (*) FROM outbox WHERE state = 'pending'"), 1);
  ck_assert_int_eq (till_outbox_get_acked_through (store, NULL), 4);
  ck_assert_int_eq (count_where ("SELECT received_us FROM hq_ack"), 2000);
  /* The till is older than HQ's record of it: no new sale until enrolled
   * again. */
  g_clear_error (&error);
  ck_assert (!till_sync_allow_new_sale (store, 5000, &error));
  ck_assert (g_error_matches (error, TILL_SYNC_STATE_ERROR, TILL_SYNC_STATE_ERROR_RESTORED));
}
END_TEST

/* /core/outbox/failed: rejected rows keep HQ's reason, count attempts and
 * remember since when they fail; once acked that clears. */
START_TEST (test_failed)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TillStmt) stmt = NULL;
  const gint64      failed[] = { 3 };
  const char *const reasons[] = { "unknown sku X" };
  const char *const reasons2[] = { "still unknown" };
  TillOutboxStats   stats = { 0 };

  queue_rows (4, 10, 1000);
  ck_assert (till_outbox_apply_ack (store, 1, 2, 4, "h", "s", failed, reasons, 1, 10000, &error));
  ck_assert (till_outbox_apply_ack (store, 1, 2, 4, "h", "s", failed, reasons2, 1, 20000, &error));

  stmt = till_store_prepare (store,
                             "SELECT state, last_error, attempts, last_try_us, failing_since_us "
                             "FROM outbox WHERE seq = 3",
                             &error);
  ck_assert_int_eq (sqlite3_step (stmt), SQLITE_ROW);
  ck_assert_str_eq ((const char *) sqlite3_column_text (stmt, 0), "pending");
  ck_assert_str_eq ((const char *) sqlite3_column_text (stmt, 1), "still unknown");
  ck_assert_int_eq (sqlite3_column_int (stmt, 2), 2);
  ck_assert_int_eq (sqlite3_column_int64 (stmt, 3), 20000);
  ck_assert_int_eq (sqlite3_column_int64 (stmt, 4), 10000);
  till_stmt_release (stmt);

  ck_assert (till_outbox_get_stats (store, &stats, &error));
  ck_assert_int_eq (stats.failing_seq, 3);
  ck_assert_int_eq (stats.failing_since_us, 10000);
  ck_assert_str_eq (stats.failing_reason, "still unknown");
  till_outbox_stats_clear (&stats);

  ck_assert (till_outbox_apply_ack (store, 1, 4, 4, "h", "s", NULL, NULL, 0, 30000, &error));
  ck_assert_int_eq (count_where ("SELECT count (*) FROM outbox WHERE failing_since_us IS NOT NULL"),
                    0);
  ck_assert (till_outbox_get_stats (store, &stats, &error));
  ck_assert_int_eq (stats.failing_seq, 0);
  ck_assert_ptr_null (stats.failing_reason);
  till_outbox_stats_clear (&stats);
}
END_TEST

/* /core/outbox/purge: old acked rows go, pending ones stay, acked_through
 * survives through hq_ack, and the newest row stays so that seq is never
 * handed out twice. */
START_TEST (test_purge)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) items = NULL;

  queue_rows (5, 10, 1000);
  ck_assert (till_outbox_apply_ack (store, 1, 3, 5, "h", "s", NULL, NULL, 0, 5000, &error));
  ck_assert_int_eq (till_outbox_purge_acked (store, 4000, &error), 0);
  ck_assert_int_eq (till_outbox_purge_acked (store, 6000, &error), 3);
  ck_assert_int_eq (count_where ("SELECT count (*) FROM outbox"), 2);
  ck_assert_int_eq (till_outbox_get_acked_through (store, &error), 3);

  ck_assert (till_outbox_apply_ack (store, 1, 5, 5, "h", "s", NULL, NULL, 0, 7000, &error));
  ck_assert_int_eq (till_outbox_purge_acked (store, 8000, &error), 1);
  ck_assert_int_eq (count_where ("SELECT max (seq) FROM outbox"), 5);
  ck_assert_int_eq (till_outbox_get_acked_through (store, &error), 5);

  queue_rows (1, 10, 9000);
  items = till_outbox_read_pending (store, 10, 1024 * 1024, &error);
  ck_assert_uint_eq (items->len, 1);
  ck_assert_int_eq (((TillOutboxItem *) items->pdata[0])->seq, 6);
}
END_TEST

static Suite *
outbox_suite (void)
{
  Suite *suite = suite_create ("outbox");
  TCase *tcase = tcase_create ("append");

  tcase_add_checked_fixture (tcase, setup, teardown);
  tcase_add_test (tcase, test_append);
  tcase_add_test (tcase, test_rolled_back);
  suite_add_tcase (suite, tcase);

  tcase = tcase_create ("delivery");
  tcase_add_checked_fixture (tcase, setup, teardown);
  tcase_add_test (tcase, test_read_pending);
  tcase_add_test (tcase, test_read_pending_bytes);
  tcase_add_test (tcase, test_ack);
  tcase_add_test (tcase, test_ack_beyond_pending);
  tcase_add_test (tcase, test_failed);
  tcase_add_test (tcase, test_purge);
  suite_add_tcase (suite, tcase);
  return suite;
}

int
main (void)
{
  return till_test_run_suite (outbox_suite ());
}
