/* test-ui-sync.c: /app/ui/sync: the real till under Xvfb, enrolled with an
 * in-process HQ (libhq on its own thread, tests/common/till-hq-thread.c):
 * the header says Online after a sale reaches HQ, "Offline since HH:MM · N
 * queued" once HQ is gone, the details page shows the queue, and a blocking
 * offline limit shows its banner and refuses the first scan of a new sale
 * with the core's message.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <sqlite3.h>
#include <string.h>
#include <till-enroll.h>

#include "till-app-test-util.h"
#include "till-application.h"
#include "till-hq-thread.h"
#include "till-sync-status.h"
#include "till-sync-view.h"
#include "till-test-util.h"
#include "till-ui-test-util.h"
#include "till-window.h"

#define DEMO_SKUS 300
#define DEMO_SEED 7
#define WAIT_MS TILL_TEST_WAIT_MS
#define STORE_ID "S001"

/* ---- The fixture ------------------------------------------------------------ */

static TillHqThread *hq;

typedef struct
{
  char            *dir;
  char            *db_path;
  char            *config_path;
  char            *barcode;
  TillApplication *app;
  TillWindow      *window;
  TillSession     *session;
  TillSyncWorker  *worker;
} Fixture;

static gint64
hq_count_sales (void)
{
  g_autoptr (GError) error = NULL;
  gint64 count = till_hq_thread_count_documents (hq, "sale", NULL, &error);

  ck_assert_msg (count >= 0, "%s", error ? error->message : "");
  return count;
}

static char *
single_text (sqlite3 *db, const char *sql)
{
  sqlite3_stmt *stmt = NULL;
  char         *text = NULL;

  ck_assert_int_eq (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), SQLITE_OK);
  if (sqlite3_step (stmt) == SQLITE_ROW && sqlite3_column_text (stmt, 0) != NULL)
    text = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  return text;
}

static void
fixture_setup (Fixture *fixture)
{
  g_autoptr (TillStore) store = NULL;
  g_autoptr (TillJournal) journal = NULL;
  g_autoptr (TillSyncIdentity) identity = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *config = NULL;
  g_autofree char *key_path = NULL;
  g_autofree char *sync_dir = NULL;
  g_autofree char *hq_dir = NULL;
  g_autofree char *token = NULL;

  fixture->dir = till_test_make_tmpdir ();
  hq_dir = g_build_filename (fixture->dir, "hq", NULL);
  hq = till_hq_thread_start (hq_dir, NULL, 0, &error);
  ck_assert_msg (hq != NULL, "HQ: %s", error ? error->message : "");

  fixture->db_path = g_build_filename (fixture->dir, "till.db", NULL);
  fixture->config_path = g_build_filename (fixture->dir, "till.conf", NULL);
  config = g_strdup_printf ("[till]\ndatabase=%s\nlanguage=zh_CN\n", fixture->db_path);
  ck_assert (g_file_set_contents (fixture->config_path, config, -1, NULL));

  /* The till is enrolled before it starts, with the journal key it will use
   * (beside its database). */
  store = till_store_open (fixture->db_path, &error);
  ck_assert_msg (store != NULL, "%s", error ? error->message : "");
  ck_assert_msg (till_demo_populate (store, DEMO_SKUS, DEMO_SEED, &error), "%s",
                 error ? error->message : "");
  key_path = g_build_filename (fixture->dir, "till.key", NULL);
  journal = till_journal_new (store, key_path, &error);
  ck_assert_msg (journal != NULL, "%s", error ? error->message : "");
  ck_assert_msg (till_hq_thread_put_store (hq, STORE_ID, "中关村店", NULL, &error), "%s",
                 error ? error->message : "");
  token = till_hq_thread_make_token (hq, STORE_ID, 1, (gint64) G_USEC_PER_SEC * 3600, &error);
  ck_assert_msg (token != NULL, "%s", error ? error->message : "");
  sync_dir = g_build_filename (fixture->dir, "sync", NULL);
  identity = till_enroll (store, journal, till_hq_thread_get_url (hq), token, sync_dir, &error);
  ck_assert_msg (identity != NULL, "enroll: %s", error ? error->message : "");
  fixture->barcode = single_text (
      till_store_get_db (store),
      "SELECT b.code FROM barcode b JOIN product p ON p.id = b.product_id "
      "WHERE p.active AND NOT p.weighed AND length(b.code) = 13 ORDER BY p.id LIMIT 1");
  ck_assert_ptr_nonnull (fixture->barcode);
  g_clear_object (&journal);
  g_clear_object (&store); /* the till takes the lock */

  fixture->window = till_test_start_till (NULL, fixture->config_path, FALSE, &fixture->app);
  fixture->session = till_window_get_session (fixture->window);
  ck_assert_msg (fixture->session != NULL, "%s", till_application_get_startup_error (fixture->app));
  fixture->worker = till_session_get_sync_worker (fixture->session);
  /* Short timings: push each 200 ms, retries 100–500 ms, OFFLINE after 1.5 s. */
  till_sync_worker_set_timing (fixture->worker, 200, 600000, 100, 500, 1500);
}

static void
fixture_teardown (Fixture *fixture)
{
  if (fixture->window != NULL)
    gtk_window_destroy (GTK_WINDOW (fixture->window));
  if (fixture->app != NULL)
    till_application_close_session (fixture->app);
  g_clear_object (&fixture->app);
  g_clear_pointer (&hq, till_hq_thread_stop);
  till_test_remove_tree (fixture->dir);
  g_free (fixture->dir);
  g_free (fixture->db_path);
  g_free (fixture->config_path);
  g_free (fixture->barcode);
}

static void
activate (Fixture *fixture, const char *name, GVariant *parameter)
{
  till_test_activate (fixture->window, name, parameter);
}

/* The window as the cashier sees it, in test-output/ui-sync/. */
static void
save_screenshot (GtkWidget *widget, const char *name)
{
  till_test_save_screenshot_in (widget, "ui-sync", name);
}

static void
sell_one (Fixture *fixture)
{
  TillCart *cart = till_session_get_cart (fixture->session);

  activate (fixture, "sale.scan", g_variant_new_string (fixture->barcode));
  ck_assert_uint_eq (till_cart_get_n_lines (cart), 1);
  activate (fixture, "sale.pay", NULL);
  activate (fixture, "pay.exact", NULL);
  ck_assert_msg (till_payment_view_get_sale (till_window_get_payment_view (fixture->window)) !=
                     NULL,
                 "no sale: %s",
                 till_payment_view_get_message (till_window_get_payment_view (fixture->window)));
  activate (fixture, "sale.new", NULL);
  ck_assert_str_eq (till_window_get_page (fixture->window), "checkout");
}

static gboolean
online_and_drained (gpointer data)
{
  return till_sync_worker_get_status (data) == TILL_SYNC_STATUS_ONLINE &&
         till_sync_worker_get_queued (data) == 0;
}

static gboolean
offline (gpointer data)
{
  return till_sync_worker_get_status (data) == TILL_SYNC_STATUS_OFFLINE;
}

static gboolean
offline_limit (gpointer data)
{
  return till_sync_worker_get_status (data) == TILL_SYNC_STATUS_OFFLINE_LIMIT;
}

/* /app/ui/sync/offline: Online, then Offline since … with the queue, the
 * details page, and a blocking queue limit's banner and refusal. */
START_TEST (test_offline)
{
  Fixture          fixture = { 0 };
  TillStore       *store;
  g_autofree char *expected = NULL;
  g_autoptr (GError) refusal = NULL;
  TillSyncView *view;
  const char   *status_text;
  gboolean      is_error = FALSE;

  fixture_setup (&fixture);
  store = till_session_get_store (fixture.session);
  till_test_sign_in (fixture.window, TILL_DEMO_CASHIER_CODE, TILL_DEMO_CASHIER_PIN);

  /* A sale reaches HQ: Online, nothing queued. */
  sell_one (&fixture);
  ck_assert_msg (till_test_wait_until (online_and_drained, fixture.worker, WAIT_MS),
                 "status %d, %" G_GINT64_FORMAT " queued, error %s",
                 till_sync_worker_get_status (fixture.worker),
                 till_sync_worker_get_queued (fixture.worker),
                 till_sync_worker_get_last_error (fixture.worker));
  ck_assert_int_eq (hq_count_sales (), 1);
  ck_assert_str_eq (till_window_get_sync_status_text (fixture.window), _ ("Online"));
  save_screenshot (GTK_WIDGET (fixture.window), "sync-01-online.png");

  /* HQ goes away: a sale waits, the header says since when and how many. */
  g_clear_pointer (&hq, till_hq_thread_stop);
  sell_one (&fixture);
  ck_assert (till_test_wait_until (offline, fixture.worker, WAIT_MS));
  ck_assert_int_eq (till_sync_worker_get_queued (fixture.worker), 1);
  ck_assert_int_gt (till_sync_worker_get_offline_since_us (fixture.worker), 0);
  expected = till_sync_status_format (TILL_SYNC_STATUS_OFFLINE, 1,
                                      till_sync_worker_get_offline_since_us (fixture.worker));
  status_text = till_window_get_sync_status_text (fixture.window);
  ck_assert_str_eq (status_text, expected);
  ck_assert_str_eq (till_window_get_limit_banner_text (fixture.window), "");
  save_screenshot (GTK_WIDGET (fixture.window), "sync-02-offline.png");

  /* The details page: the queue, the till's identity, the last error. */
  activate (&fixture, "win.sync-details", NULL);
  ck_assert_str_eq (till_window_get_page (fixture.window), "sync");
  view = till_window_get_sync_view (fixture.window);
  ck_assert_str_eq (till_sync_view_get_value (view, _ ("Queued documents")), "1");
  ck_assert_str_eq (till_sync_view_get_value (view, _ ("Till")), "S001-01");
  ck_assert_str_eq (till_sync_view_get_value (view, _ ("Store")), STORE_ID);
  ck_assert_str_eq (till_sync_view_get_value (view, _ ("Acknowledged through")), "1");
  ck_assert_str_ne (till_sync_view_get_value (view, _ ("Last error")), _ ("None"));
  save_screenshot (GTK_WIDGET (fixture.window), "sync-03-details.png");
  ck_assert (gtk_widget_activate_action (GTK_WIDGET (view), "sync.close", NULL));
  ck_assert_str_eq (till_window_get_page (fixture.window), "checkout");

  /* The store blocks selling past 1 queued document: the banner says so and
   * the first scan of the next sale is refused with the core's message. */
  sell_one (&fixture);
  ck_assert (till_store_set_setting (store, "sync.limit.queue", "1", NULL));
  ck_assert (till_store_set_setting (store, "sync.limit.block", "queue", NULL));
  till_sync_worker_kick (fixture.worker, FALSE);
  ck_assert (till_test_wait_until (offline_limit, fixture.worker, WAIT_MS));
  ck_assert_str_ne (till_window_get_limit_banner_text (fixture.window), "");
  /* The blocking form of the banner, in whatever language the till shows:
   * what its format says after the limit. */
  {
    const char *blocking =
        _ ("Offline limit reached: %s. New sales are blocked until the till syncs with HQ.");

    ck_assert (g_str_has_suffix (till_window_get_limit_banner_text (fixture.window),
                                 strstr (blocking, "%s") + 2));
  }
  ck_assert (!till_sync_allow_new_sale (store, g_get_real_time (), &refusal));
  activate (&fixture, "sale.scan", g_variant_new_string (fixture.barcode));
  ck_assert_uint_eq (till_cart_get_n_lines (till_session_get_cart (fixture.session)), 0);
  ck_assert_str_eq (
      till_checkout_view_get_status (till_window_get_checkout_view (fixture.window), &is_error),
      refusal->message);
  ck_assert (is_error);
  save_screenshot (GTK_WIDGET (fixture.window), "sync-04-limit-blocks.png");

  fixture_teardown (&fixture);
}
END_TEST

static Suite *
sync_suite (void)
{
  Suite *suite = suite_create ("app/ui/sync");
  TCase *ui = tcase_create ("/app/ui/sync");

  tcase_set_timeout (ui, 120);
  tcase_add_test (ui, test_offline);
  suite_add_tcase (suite, ui);
  return suite;
}

int
main (void)
{
  return till_test_run_suite (sync_suite ());
}
