/* test-sync-state.c: tests for src/core/till-sync-state.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "till-core.h"
#include "till-test-util.h"

#define NOW_US G_GINT64_CONSTANT (1800000000000000) /* 2027-01-15 */

static char        *scratch;
static TillStore   *store;
static TillJournal *journal;

static void
setup (void)
{
  g_autofree char *path = NULL;
  g_autofree char *key_path = NULL;
  g_autoptr (GError) error = NULL;

  scratch = till_test_make_tmpdir ();
  path = g_build_filename (scratch, "till.db", NULL);
  key_path = g_build_filename (scratch, "journal.key", NULL);
  store = till_store_open (path, &error);
  ck_assert_msg (store != NULL, "%s", error ? error->message : "");
  journal = till_journal_new (store, key_path, &error);
  ck_assert_msg (journal != NULL, "%s", error ? error->message : "");
}

static void
teardown (void)
{
  g_clear_object (&journal);
  g_clear_object (&store);
  till_test_remove_tree (scratch);
  g_clear_pointer (&scratch, g_free);
}

static void
set_setting (const char *key, const char *value)
{
  g_autoptr (GError) error = NULL;

  ck_assert_msg (till_store_set_setting (store, key, value, &error), "%s",
                 error ? error->message : "");
}

/* Queues @n outbox rows created at @created_us. */
static void
queue_rows (int n, gint64 created_us)
{
  g_autoptr (GError) error = NULL;

  ck_assert (till_store_begin (store, &error));
  for (int i = 0; i < n; i++)
    {
      g_autofree char *ref = till_uuid_v7_new ();

      ck_assert_msg (
          till_outbox_append (store, "sale", "sale", ref, "{}", i + 1, "00", created_us, &error),
          "%s", error ? error->message : "");
    }
  ck_assert (till_store_commit (store, &error));
}

/* /core/sync-state/not-enrolled: a fresh till, or one with only a till id
 * (the demo sets one), is not enrolled. */
START_TEST (test_not_enrolled)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TillSyncIdentity) identity = NULL;

  identity = till_sync_identity_load (store, &error);
  ck_assert_ptr_null (identity);
  ck_assert (g_error_matches (error, TILL_SYNC_STATE_ERROR, TILL_SYNC_STATE_ERROR_NOT_ENROLLED));
  g_clear_error (&error);

  set_setting ("till.id", "T01");
  identity = till_sync_identity_load (store, &error);
  ck_assert_ptr_null (identity);
  ck_assert (g_error_matches (error, TILL_SYNC_STATE_ERROR, TILL_SYNC_STATE_ERROR_NOT_ENROLLED));
}
END_TEST

/* /core/sync-state/identity: what is saved loads back field by field, and
 * the enrollment is one journal entry "enroll" naming till, store, epoch and
 * URL; the chain still verifies. */
START_TEST (test_identity)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TillSyncIdentity) loaded = NULL;
  g_autoptr (TillStmt) stmt = NULL;
  g_autofree char *body = NULL;
  TillSyncIdentity identity = {
    .url = (char *) "https://hq.example.com:8443",
    .till_id = (char *) "S001-01",
    .store_id = (char *) "S001",
    .epoch = 3,
    .hq_key = (char *) "aGVsbG8=",
    .cert_path = (char *) "/var/lib/opentill/till.crt",
    .key_path = (char *) "/var/lib/opentill/till.key",
    .ca_path = (char *) "/var/lib/opentill/hq-ca.pem",
    .enrolled_us = NOW_US,
  };
  gint64 bad_seq = 0;

  set_setting ("till.id", "T01");
  ck_assert_msg (till_sync_identity_save (store, journal, &identity, NOW_US, &error), "%s",
                 error ? error->message : "");

  loaded = till_sync_identity_load (store, &error);
  ck_assert_msg (loaded != NULL, "%s", error ? error->message : "");
  ck_assert_str_eq (loaded->url, identity.url);
  ck_assert_str_eq (loaded->till_id, "S001-01");
  ck_assert_str_eq (loaded->store_id, "S001");
  ck_assert_uint_eq (loaded->epoch, 3);
  ck_assert_str_eq (loaded->hq_key, identity.hq_key);
  ck_assert_str_eq (loaded->cert_path, identity.cert_path);
  ck_assert_str_eq (loaded->key_path, identity.key_path);
  ck_assert_str_eq (loaded->ca_path, identity.ca_path);
  ck_assert_int_eq (loaded->enrolled_us, NOW_US);

  /* Sales carry the new till id from now on. */
  {
    g_autofree char *till_id = till_store_get_setting (store, "till.id");

    ck_assert_str_eq (till_id, "S001-01");
  }

  stmt = till_store_prepare (store, "SELECT kind, created_us, body FROM journal", &error);
  ck_assert_int_eq (sqlite3_step (stmt), SQLITE_ROW);
  ck_assert_str_eq ((const char *) sqlite3_column_text (stmt, 0), "enroll");
  ck_assert_int_eq (sqlite3_column_int64 (stmt, 1), NOW_US);
  body = g_strndup (sqlite3_column_blob (stmt, 2), (gsize) sqlite3_column_bytes (stmt, 2));
  ck_assert_str_eq (body, "{\"till_id\":\"S001-01\",\"store_id\":\"S001\",\"epoch\":3,"
                          "\"url\":\"https://hq.example.com:8443\"}");
  ck_assert_int_eq (sqlite3_step (stmt), SQLITE_DONE);
  till_stmt_release (stmt);
  ck_assert (till_journal_verify (journal, &bad_seq, &error));
}
END_TEST

/* /core/sync-state/restored: a till HQ found older than its record (a
 * restored database) sells nothing new until it is enrolled again. */
START_TEST (test_restored)
{
  g_autoptr (GError) error = NULL;
  TillSyncIdentity identity = {
    .url = (char *) "https://hq.example.com:8443",
    .till_id = (char *) "S001-01",
    .store_id = (char *) "S001",
    .epoch = 4,
  };

  ck_assert (till_sync_allow_new_sale (store, NOW_US, &error));
  ck_assert (till_sync_mark_restored (store, NOW_US, &error));
  ck_assert (!till_sync_allow_new_sale (store, NOW_US, &error));
  ck_assert (g_error_matches (error, TILL_SYNC_STATE_ERROR, TILL_SYNC_STATE_ERROR_RESTORED));
  g_clear_error (&error);

  ck_assert_msg (till_sync_identity_save (store, journal, &identity, NOW_US, &error), "%s",
                 error ? error->message : "");
  ck_assert_msg (till_sync_allow_new_sale (store, NOW_US, &error), "%s",
                 error ? error->message : "");
}
END_TEST

/* /core/sync-state/identity-invalid: an identity without a till id is
 * refused, and the till stays unenrolled. */
START_TEST (test_identity_invalid)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TillSyncIdentity) loaded = NULL;
  TillSyncIdentity identity = {
    .url = (char *) "https://hq.example.com",
    .till_id = (char *) "",
    .epoch = 1,
  };

  ck_assert (!till_sync_identity_save (store, journal, &identity, NOW_US, &error));
  ck_assert_ptr_nonnull (error);
  g_clear_error (&error);
  loaded = till_sync_identity_load (store, &error);
  ck_assert_ptr_null (loaded);
}
END_TEST

/* /core/sync-state/limits-default: the defaults of SYNC.md §5 6.7 hold, an
 * empty queue exceeds nothing, and nothing blocks. */
START_TEST (test_limits_default)
{
  g_autoptr (GError) error = NULL;
  TillSyncLimits limits;

  ck_assert (till_sync_check_limits (store, NOW_US, &limits, &error));
  ck_assert_int_eq (limits.max_age_us, 72 * G_TIME_SPAN_HOUR);
  ck_assert_int_eq (limits.max_pending, 20000);
  ck_assert_uint_eq (limits.min_free_bytes, 100 * 1024 * 1024);
  ck_assert_int_eq (limits.pending, 0);
  ck_assert_int_eq (limits.oldest_pending_us, 0);
  ck_assert_uint_gt (limits.free_bytes, 0);
  ck_assert_int_eq (limits.exceeded & (TILL_SYNC_LIMIT_OLDEST | TILL_SYNC_LIMIT_QUEUE), 0);
  ck_assert_int_eq (limits.blocking, 0);
  ck_assert (till_sync_allow_new_sale (store, NOW_US, &error));
}
END_TEST

/* /core/sync-state/limits-oldest: a sale unsent for 80 hours exceeds the
 * 72-hour limit; it only warns until the store makes it blocking, and then
 * the cashier is told why. */
START_TEST (test_limits_oldest)
{
  g_autoptr (GError) error = NULL;
  TillSyncLimits limits;

  queue_rows (2, NOW_US - 80 * G_TIME_SPAN_HOUR);
  ck_assert (till_sync_check_limits (store, NOW_US, &limits, &error));
  ck_assert_int_eq (limits.pending, 2);
  ck_assert_int_eq (limits.oldest_pending_us, NOW_US - 80 * G_TIME_SPAN_HOUR);
  ck_assert (limits.exceeded & TILL_SYNC_LIMIT_OLDEST);
  ck_assert_int_eq (limits.blocking, 0);
  ck_assert (till_sync_allow_new_sale (store, NOW_US, &error));

  /* Within the limit 10 hours earlier. */
  ck_assert (till_sync_check_limits (store, NOW_US - 10 * G_TIME_SPAN_HOUR, &limits, &error));
  ck_assert (!(limits.exceeded & TILL_SYNC_LIMIT_OLDEST));

  set_setting ("sync.limit.block", "queue, oldest");
  ck_assert (till_sync_check_limits (store, NOW_US, &limits, &error));
  ck_assert_int_eq (limits.blocking, TILL_SYNC_LIMIT_OLDEST);
  ck_assert (!till_sync_allow_new_sale (store, NOW_US, &error));
  ck_assert (g_error_matches (error, TILL_SYNC_STATE_ERROR, TILL_SYNC_STATE_ERROR_LIMIT));
  ck_assert_msg (strstr (error->message, "80 hours") != NULL, "%s", error->message);
  g_clear_error (&error);

  /* A longer limit set by the store lets it sell again. */
  set_setting ("sync.limit.oldest-hours", "100");
  ck_assert (till_sync_allow_new_sale (store, NOW_US, &error));
}
END_TEST

/* /core/sync-state/limits-queue: more documents waiting than the limit. */
START_TEST (test_limits_queue)
{
  g_autoptr (GError) error = NULL;
  TillSyncLimits limits;

  set_setting ("sync.limit.queue", "3");
  queue_rows (3, NOW_US);
  ck_assert (till_sync_check_limits (store, NOW_US, &limits, &error));
  ck_assert_int_eq (limits.max_pending, 3);
  ck_assert (!(limits.exceeded & TILL_SYNC_LIMIT_QUEUE));

  queue_rows (1, NOW_US);
  ck_assert (till_sync_check_limits (store, NOW_US, &limits, &error));
  ck_assert (limits.exceeded & TILL_SYNC_LIMIT_QUEUE);
  ck_assert (till_sync_allow_new_sale (store, NOW_US, &error));

  set_setting ("sync.limit.block", "queue");
  ck_assert (!till_sync_allow_new_sale (store, NOW_US, &error));
  ck_assert (g_error_matches (error, TILL_SYNC_STATE_ERROR, TILL_SYNC_STATE_ERROR_LIMIT));
  g_clear_error (&error);

  /* HQ acknowledges: the queue is empty and selling resumes. */
  ck_assert (till_outbox_apply_ack (store, 1, 4, 0, "", "", NULL, NULL, 0, NOW_US, &error));
  ck_assert (till_sync_allow_new_sale (store, NOW_US, &error));
}
END_TEST

/* /core/sync-state/limits-disk: no file system has a million terabytes free. */
START_TEST (test_limits_disk)
{
  g_autoptr (GError) error = NULL;
  TillSyncLimits limits;

  set_setting ("sync.limit.free-mb", "1000000000000");
  ck_assert (till_sync_check_limits (store, NOW_US, &limits, &error));
  ck_assert (limits.exceeded & TILL_SYNC_LIMIT_DISK);
  ck_assert_uint_lt (limits.free_bytes, limits.min_free_bytes);
  ck_assert (till_sync_allow_new_sale (store, NOW_US, &error));

  set_setting ("sync.limit.block", "disk");
  ck_assert (!till_sync_allow_new_sale (store, NOW_US, &error));
  ck_assert (g_error_matches (error, TILL_SYNC_STATE_ERROR, TILL_SYNC_STATE_ERROR_LIMIT));
  ck_assert_msg (strstr (error->message, "disk") != NULL, "%s", error->message);
  g_clear_error (&error);

  set_setting ("sync.limit.free-mb", "1");
  ck_assert (till_sync_allow_new_sale (store, NOW_US, &error));
}
END_TEST

/* /core/sync-state/cart-blocked: with a blocking limit exceeded the cart
 * refuses the first line of a new sale, but a sale already under way keeps
 * taking lines (the limit was crossed while it was being rung up). */
START_TEST (test_cart_blocked)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TillCatalog) catalog = till_catalog_new (store);
  g_autoptr (TillCart) cart = NULL;
  g_autoptr (TillProduct) water = NULL;
  g_autoptr (TillProduct) bread = NULL;
  TillProductSpec water_spec = {
    .sku = "W1",
    .name = "农夫山泉 550ml",
    .unit = "瓶",
    .price = 200,
    .vat_rate = 1300,
    .active = TRUE,
  };
  TillProductSpec bread_spec = {
    .sku = "B1",
    .name = "全麦面包",
    .unit = "个",
    .price = 850,
    .vat_rate = 1300,
    .active = TRUE,
  };
  gint64 water_id = till_catalog_add_product (catalog, &water_spec, &error);
  gint64 bread_id = till_catalog_add_product (catalog, &bread_spec, &error);

  ck_assert_int_gt (water_id, 0);
  ck_assert_int_gt (bread_id, 0);
  water = till_catalog_lookup_id (catalog, water_id, &error);
  bread = till_catalog_lookup_id (catalog, bread_id, &error);
  cart = till_cart_new (store, catalog);

  set_setting ("sync.limit.queue", "0");
  ck_assert_ptr_nonnull (till_cart_add_product (cart, water, 1000, &error));

  /* The limit is crossed (and made blocking) with the sale under way. */
  queue_rows (1, g_get_real_time ());
  set_setting ("sync.limit.block", "queue");
  ck_assert_ptr_nonnull (till_cart_add_product (cart, bread, 1000, &error));
  ck_assert_ptr_nonnull (till_cart_add_product (cart, water, 1000, &error));
  ck_assert_uint_eq (till_cart_get_n_lines (cart), 2);

  /* A new sale may not start. */
  ck_assert (till_cart_clear (cart, &error));
  ck_assert_ptr_null (till_cart_add_product (cart, water, 1000, &error));
  ck_assert (g_error_matches (error, TILL_SYNC_STATE_ERROR, TILL_SYNC_STATE_ERROR_LIMIT));
  ck_assert_uint_eq (till_cart_get_n_lines (cart), 0);
  g_clear_error (&error);

  set_setting ("sync.limit.block", "");
  ck_assert_ptr_nonnull (till_cart_add_product (cart, water, 1000, &error));
}
END_TEST

/* /core/sync-state/contact/standalone: a till never enrolled is never
 * offline, whatever its last contact. */
START_TEST (test_contact_standalone)
{
  g_autoptr (GError) error = NULL;
  gint64 since_us = 42;

  ck_assert (!till_sync_offline_since (store, NOW_US, &since_us));
  ck_assert_int_eq (since_us, 0);
  ck_assert (till_sync_record_contact (store, NOW_US - G_TIME_SPAN_DAY, &error));
  ck_assert (!till_sync_offline_since (store, NOW_US, &since_us));
  set_setting ("till.id", "T01");
  ck_assert (!till_sync_offline_since (store, NOW_US, NULL));
}
END_TEST

static void
enroll_at (gint64 enrolled_us)
{
  g_autoptr (GError) error = NULL;
  TillSyncIdentity identity = {
    .url = (char *) "https://hq.example.com:8443",
    .till_id = (char *) "S001-01",
    .store_id = (char *) "S001",
    .epoch = 1,
    .enrolled_us = enrolled_us,
  };

  ck_assert_msg (till_sync_identity_save (store, journal, &identity, enrolled_us, &error), "%s",
                 error ? error->message : "");
}

/* /core/sync-state/contact/episode: an enrolled till is offline after more
 * than two minutes without contact, since its last contact (or its
 * enrollment before any); a contact ends the episode; an older contact
 * does not move it back. */
START_TEST (test_contact_episode)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *stored = NULL;
  gint64           since_us = 0;

  enroll_at (NOW_US - G_TIME_SPAN_HOUR);
  ck_assert (till_sync_offline_since (store, NOW_US, &since_us));
  ck_assert_int_eq (since_us, NOW_US - G_TIME_SPAN_HOUR);

  ck_assert (till_sync_record_contact (store, NOW_US - G_TIME_SPAN_MINUTE, &error));
  stored = till_store_get_setting (store, "sync.last-contact-us");
  ck_assert_int_eq (g_ascii_strtoll (stored, NULL, 10), NOW_US - G_TIME_SPAN_MINUTE);
  ck_assert (!till_sync_offline_since (store, NOW_US, &since_us));
  ck_assert_int_eq (since_us, 0);
  /* Exactly two minutes is still online; a microsecond more is not. */
  ck_assert (!till_sync_offline_since (store, NOW_US + G_TIME_SPAN_MINUTE, NULL));
  ck_assert (till_sync_offline_since (store, NOW_US + G_TIME_SPAN_MINUTE + 1, &since_us));
  ck_assert_int_eq (since_us, NOW_US - G_TIME_SPAN_MINUTE);

  /* A slow round that reports an older contact changes nothing. */
  ck_assert (till_sync_record_contact (store, NOW_US - G_TIME_SPAN_HOUR, &error));
  ck_assert (till_sync_offline_since (store, NOW_US + G_TIME_SPAN_MINUTE + 1, &since_us));
  ck_assert_int_eq (since_us, NOW_US - G_TIME_SPAN_MINUTE);

  ck_assert (till_sync_record_contact (store, NOW_US + G_TIME_SPAN_MINUTE, &error));
  ck_assert (!till_sync_offline_since (store, NOW_US + 2 * G_TIME_SPAN_MINUTE, NULL));
}
END_TEST

/* /core/sync-state/contact/re-enrolled: a contact from before the till was
 * enrolled again does not count for the new enrollment. */
START_TEST (test_contact_reenrolled)
{
  g_autoptr (GError) error = NULL;
  gint64 since_us = 0;

  enroll_at (NOW_US - G_TIME_SPAN_DAY);
  ck_assert (till_sync_record_contact (store, NOW_US - G_TIME_SPAN_HOUR, &error));
  enroll_at (NOW_US - 10 * G_TIME_SPAN_MINUTE);
  ck_assert (till_sync_offline_since (store, NOW_US, &since_us));
  ck_assert_int_eq (since_us, NOW_US - 10 * G_TIME_SPAN_MINUTE);
}
END_TEST

static Suite *
sync_state_suite (void)
{
  Suite *suite = suite_create ("core/sync-state");
  TCase *tc;

  tc = tcase_create ("identity");
  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_add_test (tc, test_not_enrolled);
  tcase_add_test (tc, test_identity);
  tcase_add_test (tc, test_identity_invalid);
  tcase_add_test (tc, test_restored);
  suite_add_tcase (suite, tc);

  tc = tcase_create ("limits");
  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_add_test (tc, test_limits_default);
  tcase_add_test (tc, test_limits_oldest);
  tcase_add_test (tc, test_limits_queue);
  tcase_add_test (tc, test_limits_disk);
  tcase_add_test (tc, test_cart_blocked);
  suite_add_tcase (suite, tc);

  tc = tcase_create ("contact");
  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_add_test (tc, test_contact_standalone);
  tcase_add_test (tc, test_contact_episode);
  tcase_add_test (tc, test_contact_reenrolled);
  suite_add_tcase (suite, tc);

  return suite;
}

int
main (void)
{
  return till_test_run_suite (sync_state_suite ());
}
