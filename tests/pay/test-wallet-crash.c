/* test-wallet-crash.c: a till killed while a QR wallet payment is in flight
 * resumes by querying, never charges twice, and never completes a sale on
 * an unconfirmed payment (tests/pay/wallet-crash-till.c is the till)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-wallet-crash"

#include "config.h"

#include <signal.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>

#include "till-paysim.h"
#include "till-test-util.h"
#include "till-wallet-service.h"
#include "till-wechat-pay.h"

#define WECHAT_APPID "wx8888888888888888"
#define WECHAT_MCH_ID "1900000109"
#define WECHAT_API_KEY "192006250b4c09247ec02edce69f6a2d"
#define AMOUNT 888

#define ck_assert_error(error, domain, code)                                                \
  ck_assert_msg (g_error_matches ((error), (domain), (code)), "expected error %d, got: %s", \
                 (int) (code), (error) != NULL ? (error)->message : "no error")

static char        *tmpdir;
static char        *db_path;
static char        *key_path;
static char        *cart_uuid;
static TillPaySim  *sim;
static char        *sim_url;
static TillStore   *store;
static TillCatalog *catalog;
static TillJournal *journal;
static TillUser    *cashier;

static void
open_all (void)
{
  g_autoptr (GError) error = NULL;

  store = till_store_open (db_path, &error);
  ck_assert_msg (store != NULL, "%s", error ? error->message : "");
  catalog = till_catalog_new (store);
  journal = till_journal_new (store, key_path, &error);
  ck_assert_msg (journal != NULL, "%s", error ? error->message : "");
  cashier = till_user_authenticate (store, "1001", "1234", &error);
  ck_assert_msg (cashier != NULL, "%s", error ? error->message : "");
}

static void
close_all (void)
{
  g_clear_object (&cashier);
  g_clear_object (&journal);
  g_clear_object (&catalog);
  g_clear_object (&store);
}

/* A store with a cart holding a ¥8.88 item, journaled, then closed for the
 * till process to open; the simulator serving in this process's thread. */
static void
setup (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TillCart) cart = NULL;
  g_autoptr (TillProduct) product = NULL;
  TillProductSpec spec = {
    .sku = "C001",
    .name = "农夫山泉 550ml",
    .unit = "瓶",
    .price = AMOUNT,
    .cost = 400,
    .vat_rate = 1300,
    .active = TRUE,
  };
  gint64 product_id;

  tmpdir = till_test_make_tmpdir ();
  db_path = g_build_filename (tmpdir, "till.db", NULL);
  key_path = g_build_filename (tmpdir, "journal.key", NULL);
  store = till_store_open (db_path, &error);
  ck_assert_msg (store != NULL, "%s", error ? error->message : "");
  ck_assert (till_user_create (store, "1001", "王小丽", TILL_ROLE_CASHIER, "1234", &error) > 0);
  catalog = till_catalog_new (store);
  product_id = till_catalog_add_product (catalog, &spec, &error);
  ck_assert_msg (product_id > 0, "%s", error ? error->message : "");
  product = till_catalog_lookup_id (catalog, product_id, &error);
  cart = till_cart_new (store, catalog);
  ck_assert_msg (till_cart_add_product (cart, product, TILL_QUANTITY_ONE, &error) != NULL, "%s",
                 error ? error->message : "");
  cart_uuid = g_strdup (till_cart_get_sale_uuid (cart));
  g_clear_object (&cart);
  g_clear_object (&catalog);
  g_clear_object (&store);

  sim = till_paysim_new ();
  till_paysim_set_wechat (sim, WECHAT_APPID, WECHAT_MCH_ID, WECHAT_API_KEY);
  /* Scenario 52 stalls its reply past the kill. */
  till_paysim_set_stall_ms (sim, 60000);
  ck_assert_msg (till_paysim_start (sim, NULL, &error), "%s", error ? error->message : "");
  sim_url = till_paysim_dup_url (sim);
}

static void
teardown (void)
{
  close_all ();
  till_paysim_stop (sim);
  g_clear_object (&sim);
  g_clear_pointer (&sim_url, g_free);
  till_test_remove_tree (tmpdir);
  g_clear_pointer (&tmpdir, g_free);
  g_clear_pointer (&db_path, g_free);
  g_clear_pointer (&key_path, g_free);
  g_clear_pointer (&cart_uuid, g_free);
}

/* Starts the till paying @code; with @die_after_begin it dies by itself
 * right after writing the attempt. */
static GPid
spawn_till (const char *code, gboolean die_after_begin)
{
  const char      *program = g_getenv ("OPENTILL_WALLET_CRASH_TILL");
  g_autofree char *amount = g_strdup_printf ("%d", AMOUNT);
  g_auto (GStrv) envp = g_get_environ ();
  g_autoptr (GError) error = NULL;
  GPid pid = 0;

  ck_assert_msg (program != NULL, "OPENTILL_WALLET_CRASH_TILL is not set");
  {
    const char *argv[] = { program,        db_path, sim_url, WECHAT_APPID, WECHAT_MCH_ID,
                           WECHAT_API_KEY, code,    amount,  cart_uuid,    NULL };

    if (die_after_begin)
      envp = g_environ_setenv (envp, "OPENTILL_WALLET_CRASH_AFTER_BEGIN", "1", TRUE);
    ck_assert_msg (g_spawn_async (NULL, (char **) argv, envp, G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL,
                                  &pid, &error),
                   "%s", error ? error->message : "");
  }
  return pid;
}

static void
assert_killed (GPid pid, gboolean kill_it)
{
  int status = 0;

  if (kill_it)
    ck_assert_int_eq (kill (pid, SIGKILL), 0);
  ck_assert_int_eq (waitpid (pid, &status, 0), pid);
  ck_assert_msg (WIFSIGNALED (status) && WTERMSIG (status) == SIGKILL,
                 "the till was not killed (status %d)", status);
  g_spawn_close_pid (pid);
}

static gint64
query_int (const char *sql, const char *text)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;

  ck_assert_int_eq (sqlite3_prepare_v2 (till_store_get_db (store), sql, -1, &stmt, NULL),
                    SQLITE_OK);
  if (text != NULL)
    sqlite3_bind_text (stmt, 1, text, -1, SQLITE_STATIC);
  ck_assert_int_eq (sqlite3_step (stmt), SQLITE_ROW);
  return sqlite3_column_int64 (stmt, 0);
}

/* The attempt the killed till left: pending, and no sale recorded. */
static TillWalletAttempt *
take_pending_attempt (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) unresolved = till_wallet_attempt_list_unresolved (store, &error);

  ck_assert_msg (unresolved != NULL, "%s", error ? error->message : "");
  ck_assert_uint_eq (unresolved->len, 1);
  ck_assert_int_eq (((TillWalletAttempt *) unresolved->pdata[0])->state, TILL_WALLET_STATE_PENDING);
  ck_assert_str_eq (((TillWalletAttempt *) unresolved->pdata[0])->cart_uuid, cart_uuid);
  ck_assert_int_eq (query_int ("SELECT count(*) FROM sale", NULL), 0);
  return till_wallet_attempt_copy (unresolved->pdata[0]);
}

static gboolean
loop_deadline_cb (gpointer user_data)
{
  (void) user_data;
  ck_abort_msg ("resume did not finish within 30 s");
  return G_SOURCE_REMOVE;
}

/* The restarted till: a service on the same store, resumed to its end. */
static TillWalletService *
resume (guint deadline_ms)
{
  g_autoptr (TillWalletClient) client = NULL;
  TillWalletService *service = till_wallet_service_new (store);
  TillWalletCadence  cadence;
  guint              guard;

  client = TILL_WALLET_CLIENT (g_object_new (TILL_TYPE_WECHAT_PAY, "base-url", sim_url, "appid",
                                             WECHAT_APPID, "mch-id", WECHAT_MCH_ID, "api-key",
                                             WECHAT_API_KEY, "timeout", 5, NULL));
  till_wallet_cadence_init (&cadence, TILL_WALLET_WECHAT);
  cadence.first_query_ms = 50;
  cadence.poll_interval_ms = 50;
  cadence.deadline_ms = deadline_ms;
  cadence.min_reverse_ms = 100;
  cadence.reverse_tries = 3;
  cadence.reverse_interval_ms = 50;
  till_wallet_service_set_client (service, client, &cadence);

  till_wallet_service_resume (service);
  guard = g_timeout_add_seconds (30, loop_deadline_cb, NULL);
  while (till_wallet_service_is_busy (service))
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (guard);
  return service;
}

static gboolean
record (const char *out_trade_no, GError **error)
{
  gboolean ok;

  ck_assert (till_store_begin (store, NULL));
  ok = _till_wallet_attempt_record (store, out_trade_no, AMOUNT, "a-sale", error);
  till_store_rollback (store);
  return ok;
}

/* /pay/wallet-crash/paid-then-killed: the provider charged, the reply never
 * came, the till was killed. Restarted, it queries (never pays again),
 * finds it paid, applies it to the cart, and the sale completes. */
START_TEST (test_paid_then_killed)
{
  g_autofree char *code = g_strdup ("130000000000000152");
  g_autoptr (GError) error = NULL;
  g_autoptr (TillWalletAttempt) pending = NULL;
  g_autoptr (TillWalletAttempt) resolved = NULL;
  g_autoptr (TillWalletService) service = NULL;
  g_autoptr (TillCart) cart = NULL;
  g_autoptr (TillPayment) payment = NULL;
  g_autoptr (TillSale) sale = NULL;
  GPid pid = spawn_till (code, FALSE);

  ck_assert (till_paysim_wait_for_requests (sim, "pay", 1, 30000));
  assert_killed (pid, TRUE);

  open_all ();
  pending = take_pending_attempt ();
  /* Charged while the till was gone. */
  for (int i = 0; i < 100 && till_paysim_count_charges (sim, pending->out_trade_no) == 0; i++)
    g_usleep (50000);
  ck_assert_uint_eq (till_paysim_count_charges (sim, pending->out_trade_no), 1);

  service = resume (30000);
  resolved = till_wallet_attempt_load (store, pending->out_trade_no, &error);
  ck_assert_int_eq (resolved->state, TILL_WALLET_STATE_PAID);
  ck_assert_ptr_nonnull (resolved->transaction_id);
  ck_assert_uint_eq (till_paysim_count_requests (sim, "pay"), 1);
  ck_assert_uint_ge (till_paysim_count_requests (sim, "query"), 1);
  ck_assert_uint_eq (till_paysim_count_charges (sim, pending->out_trade_no), 1);
  ck_assert_int_eq (till_paysim_get_charged (sim, pending->out_trade_no), AMOUNT);
  ck_assert_int_eq (
      query_int ("SELECT count(*) FROM cart_tender WHERE attempt = ?", pending->out_trade_no), 1);

  /* The restarted till's cart comes back paid, and the sale completes. */
  cart = till_cart_new (store, catalog);
  ck_assert_msg (till_cart_restore (cart, &error), "%s", error ? error->message : "");
  ck_assert_str_eq (till_cart_get_sale_uuid (cart), cart_uuid);
  payment = till_payment_new (cart, &error);
  ck_assert_msg (payment != NULL, "%s", error ? error->message : "");
  ck_assert_uint_eq (till_payment_get_n_tenders (payment), 1);
  ck_assert (till_payment_is_complete (payment));
  sale = till_sale_commit (cart, payment, journal, cashier, &error);
  ck_assert_msg (sale != NULL, "%s", error ? error->message : "");
  g_clear_pointer (&resolved, till_wallet_attempt_free);
  resolved = till_wallet_attempt_load (store, pending->out_trade_no, NULL);
  ck_assert_str_eq (resolved->sale_uuid, till_sale_get_uuid (sale));
  ck_assert_int_eq (
      query_int ("SELECT count(*) FROM payment WHERE attempt = ?", pending->out_trade_no), 1);
  /* Recorded once: it can't pay another sale. */
  ck_assert (!record (pending->out_trade_no, &error));
  ck_assert_error (error, TILL_TENDER_ERROR, TILL_TENDER_ERROR_FAILED);
}
END_TEST

/* /pay/wallet-crash/unconfirmed-then-killed: the customer never confirmed
 * and the till was killed; restarted past the deadline, it reverses; the cart
 * is not paid and no sale can use the attempt. */
START_TEST (test_unconfirmed_then_killed)
{
  g_autofree char *code = g_strdup ("130000000000000212");
  g_autoptr (GError) error = NULL;
  g_autoptr (TillWalletAttempt) pending = NULL;
  g_autoptr (TillWalletAttempt) resolved = NULL;
  g_autoptr (TillWalletService) service = NULL;
  g_autoptr (TillCart) cart = NULL;
  g_autoptr (TillPayment) payment = NULL;
  GPid pid = spawn_till (code, FALSE);

  ck_assert (till_paysim_wait_for_requests (sim, "pay", 1, 30000));
  assert_killed (pid, TRUE);

  open_all ();
  pending = take_pending_attempt ();
  /* Restarted after the deadline. */
  g_usleep (400 * 1000);
  service = resume (300);
  resolved = till_wallet_attempt_load (store, pending->out_trade_no, &error);
  ck_assert_int_eq (resolved->state, TILL_WALLET_STATE_REVERSED);
  ck_assert (till_paysim_is_reversed (sim, pending->out_trade_no));
  ck_assert_int_eq (till_paysim_get_charged (sim, pending->out_trade_no), 0);
  ck_assert_uint_eq (till_paysim_count_requests (sim, "pay"), 1);
  ck_assert_int_eq (query_int ("SELECT count(*) FROM cart_tender", NULL), 0);
  ck_assert (!record (pending->out_trade_no, &error));
  ck_assert_error (error, TILL_TENDER_ERROR, TILL_TENDER_ERROR_FAILED);
  g_clear_error (&error);

  cart = till_cart_new (store, catalog);
  ck_assert (till_cart_restore (cart, NULL));
  payment = till_payment_new (cart, &error);
  ck_assert_msg (payment != NULL, "%s", error ? error->message : "");
  ck_assert_uint_eq (till_payment_get_n_tenders (payment), 0);
  ck_assert (!till_payment_is_complete (payment));
}
END_TEST

/* /pay/wallet-crash/killed-before-request: the attempt was written, the
 * request never left: the query finds no order, and the order number is
 * closed at the provider (reversed) so that a request still on its way could
 * not take money later; nothing charged. */
START_TEST (test_killed_before_request)
{
  g_autofree char *code = g_strdup ("130000000000000300");
  g_autoptr (GError) error = NULL;
  g_autoptr (TillWalletAttempt) pending = NULL;
  g_autoptr (TillWalletAttempt) resolved = NULL;
  g_autoptr (TillWalletService) service = NULL;
  GPid pid = spawn_till (code, TRUE);

  assert_killed (pid, FALSE);
  ck_assert_uint_eq (till_paysim_count_requests (sim, "pay"), 0);

  open_all ();
  pending = take_pending_attempt ();
  service = resume (30000);
  resolved = till_wallet_attempt_load (store, pending->out_trade_no, &error);
  ck_assert_msg (resolved->state == TILL_WALLET_STATE_REVERSED, "state %s",
                 till_wallet_state_to_string (resolved->state));
  ck_assert_uint_ge (till_paysim_count_requests (sim, "query"), 1);
  ck_assert_uint_ge (till_paysim_count_requests (sim, "reverse"), 1);
  ck_assert (till_paysim_is_reversed (sim, pending->out_trade_no));
  ck_assert_uint_eq (till_paysim_count_requests (sim, "pay"), 0);
  ck_assert_uint_eq (till_paysim_count_charges (sim, pending->out_trade_no), 0);
  ck_assert_int_eq (query_int ("SELECT count(*) FROM cart_tender", NULL), 0);
  ck_assert (!record (pending->out_trade_no, &error));
  ck_assert_error (error, TILL_TENDER_ERROR, TILL_TENDER_ERROR_FAILED);
}
END_TEST

static Suite *
wallet_crash_suite (void)
{
  Suite *suite = suite_create ("pay/wallet-crash");
  TCase *tcase = tcase_create ("/pay/wallet-crash");

  tcase_add_checked_fixture (tcase, setup, teardown);
  tcase_set_timeout (tcase, 90);
  tcase_add_test (tcase, test_paid_then_killed);
  tcase_add_test (tcase, test_unconfirmed_then_killed);
  tcase_add_test (tcase, test_killed_before_request);
  suite_add_tcase (suite, tcase);
  return suite;
}

int
main (void)
{
  return till_test_run_suite (wallet_crash_suite ());
}
