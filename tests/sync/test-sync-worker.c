/* test-sync-worker.c: tests for src/sync/till-sync-worker.c
 *
 * A real HQ (libhq: HqStore on SQLite, HqCa, HqServer on 127.0.0.1) runs in
 * its own thread and main context (tests/common/till-hq-thread.c); the till's database is enrolled
 * through till_enroll and the worker runs on this thread's main context, as in the till.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <till-core.h>
#include <till-enroll.h>
#include <till-sync-worker.h>

#include "till-hq-thread.h"
#include "till-test-util.h"

#define STORE_ID "S001"

/* ---- The fixture ------------------------------------------------------------ */

static char         *scratch;
static char         *hq_dir;
static guint         hq_port; /* 0: any, then the one HQ got (kept for a restart) */
static TillHqThread *hq;
static TillStore    *store;
static TillCatalog  *catalog;
static TillJournal  *journal;
static TillCart     *cart;
static TillUser     *cashier;
static gint64        cola_id;

/* Starts HQ in hq_dir, back on the port it had if it ran before. */
static void
hq_start (void)
{
  g_autoptr (GError) error = NULL;

  hq = till_hq_thread_start (hq_dir, NULL, hq_port, &error);
  ck_assert_msg (hq != NULL, "HQ: %s", error ? error->message : "");
  hq_port = till_hq_thread_get_port (hq);
}

static void
hq_stop (void)
{
  g_clear_pointer (&hq, till_hq_thread_stop);
}

static gint64
hq_count_sales (void)
{
  g_autoptr (GError) error = NULL;
  gint64 count = till_hq_thread_count_documents (hq, "sale", NULL, &error);

  ck_assert_msg (count >= 0, "%s", error ? error->message : "");
  return count;
}

static void
enroll (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TillSyncIdentity) identity = NULL;
  g_autofree char *dir = g_build_filename (scratch, "sync", NULL);
  g_autofree char *token = NULL;

  ck_assert_msg (till_hq_thread_put_store (hq, STORE_ID, "中关村店", NULL, &error), "%s",
                 error ? error->message : "");
  token = till_hq_thread_make_token (hq, STORE_ID, 1, (gint64) G_USEC_PER_SEC * 3600, &error);
  ck_assert_msg (token != NULL, "%s", error ? error->message : "");
  identity = till_enroll (store, journal, till_hq_thread_get_url (hq), token, dir, &error);
  ck_assert_msg (identity != NULL, "enroll: %s", error ? error->message : "");
  ck_assert_str_eq (identity->store_id, STORE_ID);
}

static void
setup (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *db_path = NULL;
  g_autofree char *key_path = NULL;
  TillProductSpec  spec = {
     .sku = "C001",
     .name = "可口可乐 330ml",
     .unit = "罐",
     .price = 350,
     .cost = 200,
     .vat_rate = 1300,
     .active = TRUE,
  };

  scratch = till_test_make_tmpdir ();
  hq_dir = g_build_filename (scratch, "hq", NULL);
  hq_port = 0;
  hq_start ();

  db_path = g_build_filename (scratch, "till.db", NULL);
  key_path = g_build_filename (scratch, "till.key", NULL);
  store = till_store_open (db_path, &error);
  ck_assert_msg (store != NULL, "%s", error ? error->message : "");
  catalog = till_catalog_new (store);
  journal = till_journal_new (store, key_path, &error);
  ck_assert_msg (journal != NULL, "%s", error ? error->message : "");
  cola_id = till_catalog_add_product (catalog, &spec, &error);
  ck_assert_msg (cola_id > 0, "%s", error ? error->message : "");
  ck_assert (till_user_create (store, "1001", "张三", TILL_ROLE_CASHIER, "1234", &error) > 0);
  cashier = till_user_authenticate (store, "1001", "1234", &error);
  ck_assert_msg (cashier != NULL, "%s", error ? error->message : "");
  cart = till_cart_new (store, catalog);
}

static void
teardown (void)
{
  g_clear_object (&cart);
  g_clear_object (&cashier);
  g_clear_object (&journal);
  g_clear_object (&catalog);
  g_clear_object (&store);
  hq_stop ();
  g_clear_pointer (&hq_dir, g_free);
  till_test_remove_tree (scratch);
  g_clear_pointer (&scratch, g_free);
}

static void
sell (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TillProduct) product = till_catalog_lookup_id (catalog, cola_id, &error);
  g_autoptr (TillSale) sale = NULL;

  ck_assert_msg (product != NULL, "%s", error ? error->message : "");
  ck_assert_msg (till_cart_add_product (cart, product, 1000, &error) != NULL, "%s",
                 error ? error->message : "");
  sale = till_sale_commit_cash (cart, journal, cashier, 1000, &error);
  ck_assert_msg (sale != NULL, "%s", error ? error->message : "");
}

typedef gboolean (*Condition) (TillSyncWorker *worker);

static gboolean
wake_cb (gpointer user_data)
{
  return G_SOURCE_CONTINUE;
}

/* Runs the main context until @condition holds or @timeout_ms passes. */
static gboolean
wait_for (TillSyncWorker *worker, Condition condition, guint timeout_ms)
{
  gint64   deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;
  guint    wake = g_timeout_add (10, wake_cb, NULL);
  gboolean held;

  while (!(held = condition (worker)) && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (wake);
  return held;
}

static void
spin (guint ms)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) ms * 1000;
  guint  wake = g_timeout_add (10, wake_cb, NULL);

  while (g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (wake);
}

static gboolean
is_online_and_drained (TillSyncWorker *worker)
{
  return till_sync_worker_get_status (worker) == TILL_SYNC_STATUS_ONLINE &&
         till_sync_worker_get_queued (worker) == 0;
}

static gboolean
is_degraded (TillSyncWorker *worker)
{
  return till_sync_worker_get_status (worker) == TILL_SYNC_STATUS_DEGRADED;
}

static gboolean
is_offline (TillSyncWorker *worker)
{
  return till_sync_worker_get_status (worker) == TILL_SYNC_STATUS_OFFLINE;
}

static gboolean
is_in_flight (TillSyncWorker *worker)
{
  return till_sync_worker_get_in_flight (worker) > 0;
}

static gboolean
has_pulled (TillSyncWorker *worker)
{
  return till_sync_worker_get_last_pull_us (worker) != 0;
}

/* /sync/worker/push-after-sale: not enrolled, the worker waits; enrolled
 * and reloaded, a sale and a kick reach HQ and the till is ONLINE with
 * nothing queued. */
START_TEST (test_push_after_sale)
{
  g_autoptr (TillSyncWorker) worker = till_sync_worker_new (store, journal);

  /* Timers far away: only the kick can push in time. */
  till_sync_worker_set_timing (worker, 600000, 600000, 100, 1000, 60000);
  till_sync_worker_start (worker);
  ck_assert_int_eq (till_sync_worker_get_status (worker), TILL_SYNC_STATUS_NOT_ENROLLED);

  enroll ();
  till_sync_worker_reload (worker);
  ck_assert (wait_for (worker, has_pulled, 10000));
  ck_assert_int_eq (till_sync_worker_get_status (worker), TILL_SYNC_STATUS_ONLINE);
  ck_assert_int_eq (hq_count_sales (), 0);

  sell ();
  till_sync_worker_kick (worker, FALSE);
  ck_assert_int_eq (till_sync_worker_get_queued (worker), 1);
  ck_assert (wait_for (worker, is_online_and_drained, 10000));
  ck_assert_int_eq (hq_count_sales (), 1);
  ck_assert_int_ne (till_sync_worker_get_last_push_us (worker), 0);
  ck_assert_ptr_null (till_sync_worker_get_last_error (worker));
  ck_assert_int_eq (till_sync_worker_get_offline_since_us (worker), 0);

  till_sync_worker_stop (worker);
}
END_TEST

/* /sync/worker/checkpoints: a round leaves the write-ahead log checkpointed
 * when it has grown past the idle threshold, as a sale's idle moment does;
 * a till that only syncs would otherwise grow it without end. */
START_TEST (test_checkpoints)
{
  g_autoptr (TillSyncWorker) worker = till_sync_worker_new (store, journal);
  g_autoptr (GError) error = NULL;

  enroll ();
  ck_assert_msg (
      till_store_exec (store,
                       "CREATE TABLE filler (x BLOB);"
                       "WITH RECURSIVE n (i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n "
                       "WHERE i < 1500) INSERT INTO filler SELECT randomblob (4000) FROM n",
                       &error),
      "%s", error ? error->message : "");
  ck_assert_int_ge (till_store_get_wal_pages (store), 1000);

  till_sync_worker_set_timing (worker, 600000, 600000, 100, 1000, 60000);
  till_sync_worker_start (worker);
  ck_assert (wait_for (worker, has_pulled, 10000));
  ck_assert_int_lt (till_store_get_wal_pages (store), 1000);
  till_sync_worker_stop (worker);
}
END_TEST

/* /sync/worker/offline-and-back: HQ stops: DEGRADED first, OFFLINE after
 * offline_after_ms, with the sales made meanwhile queued and the time the
 * failures began; HQ back on the same port: the queue drains, ONLINE. */
START_TEST (test_offline_and_back)
{
  g_autoptr (TillSyncWorker) worker = till_sync_worker_new (store, journal);
  gint64 before_us;
  gint64 since_us;

  enroll ();
  till_sync_worker_set_timing (worker, 200, 600000, 50, 300, 1500);
  till_sync_worker_start (worker);
  ck_assert (wait_for (worker, has_pulled, 10000));

  hq_stop ();
  before_us = g_get_real_time ();
  sell ();
  till_sync_worker_kick (worker, FALSE);
  ck_assert (wait_for (worker, is_degraded, 5000));
  ck_assert_int_eq (till_sync_worker_get_offline_since_us (worker), 0);
  ck_assert_ptr_nonnull (till_sync_worker_get_last_error (worker));

  ck_assert (wait_for (worker, is_offline, 5000));
  since_us = till_sync_worker_get_offline_since_us (worker);
  ck_assert_int_ge (since_us, before_us);
  ck_assert_int_le (since_us, before_us + 1000 * 1000);

  sell ();
  till_sync_worker_kick (worker, FALSE);
  sell ();
  till_sync_worker_kick (worker, FALSE);
  ck_assert_int_eq (till_sync_worker_get_queued (worker), 3);
  ck_assert_int_eq (till_sync_worker_get_status (worker), TILL_SYNC_STATUS_OFFLINE);

  hq_start ();
  ck_assert (wait_for (worker, is_online_and_drained, 10000));
  ck_assert_int_eq (hq_count_sales (), 3);
  ck_assert_int_eq (till_sync_worker_get_offline_since_us (worker), 0);
  ck_assert_ptr_null (till_sync_worker_get_last_error (worker));

  till_sync_worker_stop (worker);
}
END_TEST

typedef struct
{
  GArray *starts; /* gint64 µs, each time a batch went out */
} Attempts;

static void
in_flight_cb (TillSyncWorker *worker, GParamSpec *pspec, gpointer user_data)
{
  Attempts *attempts = user_data;
  gint64    now_us = g_get_monotonic_time ();

  if (till_sync_worker_get_in_flight (worker) > 0)
    g_array_append_val (attempts->starts, now_us);
}

/* /sync/worker/backoff: with HQ gone, each retry waits twice as long as the
 * one before (up to the maximum), each within ±20 % of its nominal wait, and
 * the waits are jittered rather than exact. */
START_TEST (test_backoff)
{
  g_autoptr (TillSyncWorker) worker = till_sync_worker_new (store, journal);
  Attempts    attempts = { g_array_new (FALSE, FALSE, sizeof (gint64)) };
  const guint min_ms = 100;
  const guint max_ms = 800;
  double      lowest_ratio = 2.0;
  double      highest_ratio = 0.0;

  enroll ();
  hq_stop ();
  sell ();
  till_sync_worker_set_timing (worker, 600000, 600000, min_ms, max_ms, 600000);
  g_signal_connect (worker, "notify::in-flight", G_CALLBACK (in_flight_cb), &attempts);
  till_sync_worker_start (worker);
  /* 100 + 200 + 400 + 800 × 6 ≈ 5.5 s of waits. */
  spin (6500);
  till_sync_worker_stop (worker);

  ck_assert_int_ge (attempts.starts->len, 8);
  for (guint i = 1; i < attempts.starts->len && i <= 9; i++)
    {
      gint64 gap_ms = (g_array_index (attempts.starts, gint64, i) -
                       g_array_index (attempts.starts, gint64, i - 1)) /
                      1000;
      guint  nominal = MIN (min_ms << (i - 1), max_ms);
      double ratio = (double) gap_ms / nominal;

      /* The attempt itself (a refused connection) and the timer add a little. */
      ck_assert_msg (gap_ms >= nominal * 8 / 10 - 5 && gap_ms <= nominal * 12 / 10 + 60,
                     "wait %u: %" G_GINT64_FORMAT " ms, nominal %u ms", i, gap_ms, nominal);
      if (nominal == max_ms)
        {
          lowest_ratio = MIN (lowest_ratio, ratio);
          highest_ratio = MAX (highest_ratio, ratio);
        }
    }
  /* Several waits at the cap: with jitter they are not all the same. */
  ck_assert_msg (highest_ratio - lowest_ratio > 0.02, "waits at the cap span %.3f–%.3f",
                 lowest_ratio, highest_ratio);
  ck_assert_int_eq (till_sync_worker_get_queued (worker), 1);
  g_array_unref (attempts.starts);
}
END_TEST

/* ---- Master data -------------------------------------------------------------- */

typedef struct
{
  gint64   effective_us;
  gint64   price;
  gboolean with_item;
  GError  *error;
} PriceRow;

static gboolean
put_price_cb (gpointer data)
{
  PriceRow *row = data;
  HqStore  *hq_store = till_hq_thread_get_store (hq);
  g_autoptr (JsonObject) price = json_object_new ();
  g_autofree char *id = g_strdup_printf ("T001@%" G_GINT64_FORMAT, row->effective_us);

  if (row->with_item)
    {
      g_autoptr (JsonObject) item = json_object_new ();
      g_autoptr (JsonArray) barcodes = json_array_new ();

      json_array_add_string_element (barcodes, "6900000000014");
      json_object_set_string_member (item, "sku", "T001");
      json_object_set_string_member (item, "name", "农夫山泉 550ml");
      json_object_set_string_member (item, "unit", "瓶");
      json_object_set_array_member (item, "barcodes", g_steal_pointer (&barcodes));
      json_object_set_int_member (item, "vat_rate", 1300);
      json_object_set_boolean_member (item, "weighed", FALSE);
      json_object_set_boolean_member (item, "active", TRUE);
      json_object_set_int_member (item, "cost", 100);
      json_object_set_int_member (item, "price", 300);
      if (!hq_store_put_row (hq_store, "items", "T001", "all", item, &row->error))
        return G_SOURCE_REMOVE;
    }
  json_object_set_string_member (price, "sku", "T001");
  json_object_set_int_member (price, "price", row->price);
  json_object_set_null_member (price, "member_price");
  json_object_set_int_member (price, "effective_from_us", row->effective_us);
  hq_store_put_row (hq_store, "prices", id, "store:" STORE_ID, price, &row->error);
  return G_SOURCE_REMOVE;
}

static void
put_price (gint64 effective_us, gint64 price, gboolean with_item)
{
  PriceRow row = { effective_us, price, with_item, NULL };

  till_hq_thread_call (hq, put_price_cb, &row);
  ck_assert_msg (row.error == NULL, "%s", row.error ? row.error->message : "");
}

static gint64
till_price (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TillProduct) product = till_catalog_lookup_barcode (catalog, "6900000000014", &error);

  if (product == NULL)
    return -1;
  return till_product_get_price (product);
}

typedef struct
{
  GPtrArray *channels;
} Pulled;

static void
pulled_cb (TillSyncWorker *worker, const char *channel, gpointer user_data)
{
  Pulled *pulled = user_data;

  g_ptr_array_add (pulled->channels, g_strdup (channel));
}

static gboolean
has_channel (Pulled *pulled, const char *channel)
{
  return g_ptr_array_find_with_equal_func (pulled->channels, channel, g_str_equal, NULL);
}

static Pulled *current_pulled;

static gboolean
pulled_prices (TillSyncWorker *worker)
{
  return has_channel (current_pulled, "prices");
}

static gint64 expected_price;

static gboolean
price_is_expected (TillSyncWorker *worker)
{
  return till_price () == expected_price;
}

/* /sync/worker/pulled-price: an item and its store price pulled from HQ
 * reach the catalog and "pulled" fires; a price shipped ahead takes effect
 * at its instant with no HQ, and "pulled" fires again. */
START_TEST (test_pulled_price)
{
  g_autoptr (TillSyncWorker) worker = till_sync_worker_new (store, journal);
  Pulled pulled = { g_ptr_array_new_with_free_func (g_free) };
  gint64 now_us = g_get_real_time ();

  current_pulled = &pulled;
  enroll ();
  put_price (now_us - G_USEC_PER_SEC, 250, TRUE);
  put_price (now_us + 3 * G_USEC_PER_SEC, 199, FALSE);

  till_sync_worker_set_timing (worker, 600000, 600000, 100, 1000, 60000);
  g_signal_connect (worker, "pulled", G_CALLBACK (pulled_cb), &pulled);
  till_sync_worker_start (worker);
  ck_assert (wait_for (worker, has_pulled, 10000));
  ck_assert_msg (has_channel (&pulled, "items"), "no \"pulled\" for items");
  ck_assert_msg (has_channel (&pulled, "prices"), "no \"pulled\" for prices");
  ck_assert_int_eq (till_price (), 250);

  /* HQ goes away: the next price comes from what was shipped ahead. */
  hq_stop ();
  g_ptr_array_set_size (pulled.channels, 0);
  expected_price = 199;
  ck_assert (wait_for (worker, price_is_expected, 8000));
  ck_assert_int_ge (g_get_real_time (), now_us + 3 * G_USEC_PER_SEC);
  ck_assert (wait_for (worker, pulled_prices, 1000));

  till_sync_worker_stop (worker);
  g_ptr_array_unref (pulled.channels);
  current_pulled = NULL;
}
END_TEST

/* /sync/worker/stop-in-flight: stop() while a batch is on its way returns
 * with the thread joined and no callback afterwards; a new worker then
 * delivers every sale exactly once. */
START_TEST (test_stop_in_flight)
{
  g_autoptr (TillSyncWorker) worker = till_sync_worker_new (store, journal);
  g_autoptr (TillSyncWorker) again = NULL;
  const int n_sales = 40;

  enroll ();
  for (int i = 0; i < n_sales; i++)
    sell ();
  till_sync_worker_set_timing (worker, 600000, 600000, 100, 1000, 60000);
  till_sync_worker_start (worker);
  ck_assert (wait_for (worker, is_in_flight, 5000));
  till_sync_worker_stop (worker);
  ck_assert_int_eq (till_sync_worker_get_in_flight (worker), 0);
  /* Nothing of the stopped worker runs any more. */
  spin (300);
  g_clear_object (&worker);

  again = till_sync_worker_new (store, journal);
  till_sync_worker_set_timing (again, 600000, 600000, 100, 1000, 60000);
  till_sync_worker_start (again);
  ck_assert (wait_for (again, is_online_and_drained, 15000));
  ck_assert_int_eq (hq_count_sales (), n_sales);
  till_sync_worker_stop (again);
}
END_TEST

/* /sync/worker/stop-cancels: HQ's port takes the connection and never
 * answers (a hung HQ, a dead link); stopping the worker, as quitting the
 * till does, ends the wait at once instead of at the request's timeout. */
START_TEST (test_stop_cancels)
{
  g_autoptr (TillSyncWorker) worker = till_sync_worker_new (store, journal);
  g_autoptr (GSocketListener) silent = g_socket_listener_new ();
  g_autoptr (GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr (GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr (GSocketAddress) bound = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *url = NULL;
  gint64           started;

  enroll ();
  sell ();
  /* Listening, never accepting: the kernel completes the connection and the
   * TLS handshake waits for a reply that never comes. */
  ck_assert_msg (g_socket_listener_add_address (silent, address, G_SOCKET_TYPE_STREAM,
                                                G_SOCKET_PROTOCOL_TCP, NULL, &bound, &error),
                 "%s", error ? error->message : "");
  url = g_strdup_printf ("https://127.0.0.1:%u",
                         g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound)));
  ck_assert (till_store_set_setting (store, "sync.url", url, NULL));

  till_sync_worker_set_timing (worker, 600000, 600000, 100, 1000, 60000);
  till_sync_worker_start (worker);
  ck_assert (wait_for (worker, is_in_flight, 5000));
  spin (200);
  started = g_get_monotonic_time ();
  till_sync_worker_stop (worker);
  ck_assert_int_lt (g_get_monotonic_time () - started, 2 * G_USEC_PER_SEC);
  ck_assert_int_eq (till_sync_worker_get_in_flight (worker), 0);
}
END_TEST

static Suite *
sync_worker_suite (void)
{
  Suite *suite = suite_create ("sync-worker");
  TCase *tcase = tcase_create ("worker");

  tcase_set_timeout (tcase, 60);
  tcase_add_checked_fixture (tcase, setup, teardown);
  tcase_add_test (tcase, test_push_after_sale);
  tcase_add_test (tcase, test_checkpoints);
  tcase_add_test (tcase, test_offline_and_back);
  tcase_add_test (tcase, test_backoff);
  tcase_add_test (tcase, test_pulled_price);
  tcase_add_test (tcase, test_stop_in_flight);
  tcase_add_test (tcase, test_stop_cancels);
  suite_add_tcase (suite, tcase);
  return suite;
}

int
main (void)
{
  return till_test_run_suite (sync_worker_suite ());
}
