/* test-wallet-service.c: tests for src/pay/till-wallet-service.c, the real
 * clients against the provider simulator on loopback HTTP, with a real
 * SQLite store
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-wallet-service"

#include "config.h"

#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "till-aggregator-pay.h"
#include "till-alipay.h"
#include "till-paysim.h"
#include "till-test-util.h"
#include "till-wallet-service.h"
#include "till-wechat-pay.h"

#define WECHAT_APPID "wx8888888888888888"
#define WECHAT_MCH_ID "1900000109"
#define WECHAT_API_KEY "192006250b4c09247ec02edce69f6a2d"
#define ALIPAY_APP_ID "2014072300007148"
#define TERMINAL_SN "100000330001234567"
#define TERMINAL_KEY "9f8d7c6b5a4e3d2c1b0a9f8e7d6c5b4a"
#define AMOUNT 888
#define CART_UUID "5f0c7a52-3c1e-4d7b-9a43-0d6f2b8e1c11"

/* Milliseconds instead of seconds; WeChat's rule that a reverse never comes
 * earlier than a while after the pay is kept, shorter. */
#define FIRST_QUERY_MS 60
#define POLL_MS 60
#define DEADLINE_MS 700
#define WECHAT_MIN_REV_MS 400
#define REVERSE_TRIES 3
#define REVERSE_INTERVAL_MS 50

#define ck_assert_error(error, domain, code)                                                \
  ck_assert_msg (g_error_matches ((error), (domain), (code)), "expected error %d, got: %s", \
                 (int) (code), (error) != NULL ? (error)->message : "no error")

/* The wallets, as the tests loop over them (_i). */
static const TillWalletProvider providers[] = {
  TILL_WALLET_WECHAT,
  TILL_WALLET_ALIPAY,
  TILL_WALLET_UNIONPAY,
};

/* Made once in main() and inherited by every forked test. */
static EVP_PKEY *app_key;
static EVP_PKEY *alipay_key;
static EVP_PKEY *app_public_key;
static EVP_PKEY *alipay_public_key;

/* Per test. */
static char              *tmpdir;
static TillStore         *store;
static TillPaySim        *sim;
static char              *sim_url;
static TillWalletService *service;
static guint              code_serial;
static GPtrArray         *progress_messages;
static guint              n_warnings;

static EVP_PKEY *
public_half (EVP_PKEY *key)
{
  unsigned char       *der = NULL;
  const unsigned char *p;
  int                  length = i2d_PUBKEY (key, &der);
  EVP_PKEY            *public_key;

  if (length <= 0)
    return NULL;
  p = der;
  public_key = d2i_PUBKEY (NULL, &p, length);
  OPENSSL_free (der);
  return public_key;
}

/* A fresh payment code of @provider playing the simulator's scenario
 * @last_two. */
static char *
make_code (TillWalletProvider provider, int last_two)
{
  code_serial++;
  switch (provider)
    {
    case TILL_WALLET_WECHAT:
      return g_strdup_printf ("13%014u%02d", code_serial, last_two);
    case TILL_WALLET_ALIPAY:
      return g_strdup_printf ("28%014u%02d", code_serial, last_two);
    case TILL_WALLET_UNIONPAY:
      return g_strdup_printf ("62%015u%02d", code_serial, last_two);
    case TILL_WALLET_NONE:
    default:
      break;
    }
  ck_abort_msg ("no provider %d", provider);
  return NULL;
}

/* A client of @provider at @url (NULL: the simulator's), @timeout s. */
static TillWalletClient *
make_client_at (TillWalletProvider provider, const char *url, guint timeout)
{
  const char      *base = url != NULL ? url : sim_url;
  g_autofree char *gateway = g_strconcat (base, "/gateway.do", NULL);
  GObject         *client = NULL;

  switch (provider)
    {
    case TILL_WALLET_WECHAT:
      client =
          g_object_new (TILL_TYPE_WECHAT_PAY, "base-url", base, "appid", WECHAT_APPID, "mch-id",
                        WECHAT_MCH_ID, "api-key", WECHAT_API_KEY, "timeout", timeout, NULL);
      break;
    case TILL_WALLET_ALIPAY:
      client = g_object_new (TILL_TYPE_ALIPAY, "gateway-url", gateway, "app-id", ALIPAY_APP_ID,
                             "private-key", app_key, "alipay-public-key", alipay_public_key,
                             "timeout", timeout, NULL);
      break;
    case TILL_WALLET_UNIONPAY:
      client = g_object_new (TILL_TYPE_AGGREGATOR_PAY, "base-url", base, "terminal-sn", TERMINAL_SN,
                             "terminal-key", TERMINAL_KEY, "timeout", timeout, NULL);
      break;
    case TILL_WALLET_NONE:
    default:
      ck_abort_msg ("no provider %d", provider);
    }
  ck_assert_ptr_nonnull (client);
  return TILL_WALLET_CLIENT (client);
}

static void
test_cadence (TillWalletProvider provider, TillWalletCadence *cadence)
{
  till_wallet_cadence_init (cadence, provider);
  cadence->first_query_ms = FIRST_QUERY_MS;
  cadence->poll_interval_ms = POLL_MS;
  cadence->deadline_ms = DEADLINE_MS;
  cadence->min_reverse_ms = provider == TILL_WALLET_WECHAT ? WECHAT_MIN_REV_MS : 0;
  cadence->reverse_tries = REVERSE_TRIES;
  cadence->reverse_interval_ms = REVERSE_INTERVAL_MS;
}

/* Gives the service a client of @provider at @url with @timeout s. */
static void
use_client (TillWalletProvider provider, const char *url, guint timeout)
{
  g_autoptr (TillWalletClient) client = make_client_at (provider, url, timeout);
  TillWalletCadence cadence;

  test_cadence (provider, &cadence);
  till_wallet_service_set_client (service, client, &cadence);
}

static void
progress_cb (TillWalletService *source,
             TillWalletAttempt *attempt,
             const char        *message,
             gpointer           user_data)
{
  (void) source;
  (void) user_data;
  ck_assert_ptr_nonnull (attempt);
  g_ptr_array_add (progress_messages, g_strdup (message));
}

static void
setup (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *db_path = NULL;

  tmpdir = till_test_make_tmpdir ();
  db_path = g_build_filename (tmpdir, "till.db", NULL);
  store = till_store_open (db_path, &error);
  ck_assert_msg (store != NULL, "%s", error ? error->message : "");
  code_serial = 0;
  n_warnings = 0;
  progress_messages = g_ptr_array_new_with_free_func (g_free);

  sim = till_paysim_new ();
  till_paysim_set_wechat (sim, WECHAT_APPID, WECHAT_MCH_ID, WECHAT_API_KEY);
  till_paysim_set_alipay (sim, ALIPAY_APP_ID, app_public_key, alipay_key);
  till_paysim_set_aggregator (sim, TERMINAL_SN, TERMINAL_KEY);
  ck_assert_msg (till_paysim_start (sim, NULL, &error), "%s", error ? error->message : "");
  sim_url = till_paysim_dup_url (sim);

  service = till_wallet_service_new (store);
  for (guint i = 0; i < G_N_ELEMENTS (providers); i++)
    use_client (providers[i], NULL, 5);
  g_signal_connect (service, "progress", G_CALLBACK (progress_cb), NULL);
}

/* No simulator: nothing is sent. */
static void
setup_store_only (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *db_path = NULL;

  tmpdir = till_test_make_tmpdir ();
  db_path = g_build_filename (tmpdir, "till.db", NULL);
  store = till_store_open (db_path, &error);
  ck_assert_msg (store != NULL, "%s", error ? error->message : "");
  progress_messages = g_ptr_array_new_with_free_func (g_free);
}

static void
teardown (void)
{
  g_clear_object (&service);
  if (sim != NULL)
    till_paysim_stop (sim);
  g_clear_object (&sim);
  g_clear_pointer (&sim_url, g_free);
  g_clear_object (&store);
  g_clear_pointer (&progress_messages, g_ptr_array_unref);
  till_test_remove_tree (tmpdir);
  g_clear_pointer (&tmpdir, g_free);
}

/* Warnings the service logs on purpose (stuck, receivable, refused refund)
 * are counted here instead of aborting under G_DEBUG=fatal-warnings. */
static void
count_warning_cb (const char *domain, GLogLevelFlags level, const char *message, gpointer data)
{
  (void) domain;
  (void) level;
  (void) data;
  g_printerr ("expected warning: %s\n", message);
  n_warnings++;
}

static void
expect_warnings (const char *domain)
{
  g_log_set_always_fatal (G_LOG_FATAL_MASK);
  g_log_set_handler (domain, G_LOG_LEVEL_WARNING, count_warning_cb, NULL);
}

static void
expect_service_warnings (void)
{
  expect_warnings ("till-wallet-service");
}

static gboolean
loop_deadline_cb (gpointer user_data)
{
  (void) user_data;
  ck_abort_msg ("the wallet service did not finish within 30 s");
  return G_SOURCE_REMOVE;
}

/* Iterates the main context until *@done. */
static void
run_until (const gboolean *done)
{
  guint deadline = g_timeout_add_seconds (30, loop_deadline_cb, NULL);

  while (!*done)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (deadline);
}

typedef struct
{
  gboolean           done;
  TillWalletAttempt *attempt;
  GError            *error;
  gint64             finished_us;
} PayCall;

static void
pay_done_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  PayCall *call = user_data;

  call->attempt =
      till_wallet_service_pay_finish (TILL_WALLET_SERVICE (source), result, &call->error);
  call->finished_us = g_get_monotonic_time ();
  call->done = TRUE;
}

static TillWalletAttempt *
pay_full (TillWalletProvider provider, const char *code, GCancellable *cancellable, GError **error)
{
  PayCall call = { 0 };

  till_wallet_service_pay_async (service, provider, CART_UUID, AMOUNT, code, cancellable,
                                 pay_done_cb, &call);
  run_until (&call.done);
  ck_assert ((call.attempt == NULL) != (call.error == NULL));
  if (call.error != NULL)
    g_propagate_error (error, call.error);
  return call.attempt;
}

static TillWalletAttempt *
pay_ok (TillWalletProvider provider, const char *code)
{
  g_autoptr (GError) error = NULL;
  TillWalletAttempt *attempt = pay_full (provider, code, NULL, &error);

  ck_assert_msg (attempt != NULL, "pay failed: %s", error ? error->message : "");
  return attempt;
}

/* The one attempt the last pay wrote. */
static TillWalletAttempt *
load_only_attempt (void)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;
  g_autoptr (GError) error = NULL;
  TillWalletAttempt *attempt;

  ck_assert_int_eq (sqlite3_prepare_v2 (till_store_get_db (store),
                                        "SELECT out_trade_no FROM wallet_payment "
                                        "ORDER BY created_us DESC LIMIT 1",
                                        -1, &stmt, NULL),
                    SQLITE_OK);
  ck_assert_int_eq (sqlite3_step (stmt), SQLITE_ROW);
  attempt = till_wallet_attempt_load (store, (const char *) sqlite3_column_text (stmt, 0), &error);
  ck_assert_msg (attempt != NULL, "%s", error ? error->message : "");
  return attempt;
}

static gboolean
progress_says (const char *needle)
{
  for (guint i = 0; i < progress_messages->len; i++)
    if (strstr (progress_messages->pdata[i], needle) != NULL)
      return TRUE;
  return FALSE;
}

/* /pay/wallet-service/success: paid at once, written durably, one charge. */
START_TEST (test_success)
{
  TillWalletProvider provider = providers[_i];
  g_autofree char   *code = make_code (provider, 0);
  g_autoptr (TillWalletAttempt) attempt = pay_ok (provider, code);
  g_autoptr (TillWalletAttempt) stored =
      till_wallet_attempt_load (store, attempt->out_trade_no, NULL);

  ck_assert_int_eq (attempt->state, TILL_WALLET_STATE_PAID);
  ck_assert_int_eq (attempt->provider, provider);
  ck_assert_int_eq (attempt->amount, AMOUNT);
  ck_assert_ptr_nonnull (attempt->transaction_id);
  ck_assert_int_eq (stored->state, TILL_WALLET_STATE_PAID);
  ck_assert_str_eq (stored->transaction_id, attempt->transaction_id);
  /* Only the masked code is kept. */
  ck_assert_ptr_null (strstr (stored->auth_code, code + 4));
  ck_assert_uint_eq (till_paysim_count_charges (sim, attempt->out_trade_no), 1);
  ck_assert_int_eq (till_paysim_get_charged (sim, attempt->out_trade_no), AMOUNT);
  ck_assert_uint_eq (till_paysim_count_requests (sim, "pay"), 1);
  ck_assert_uint_eq (till_paysim_count_requests (sim, "query"), 0);
  ck_assert_uint_eq (till_paysim_count_requests (sim, "reverse"), 0);
}
END_TEST

/* /pay/wallet-service/password-then-paid: USERPAYING / 10003, polled until
 * paid; the cashier is told the customer is entering a password. */
START_TEST (test_password_then_paid)
{
  TillWalletProvider provider = providers[_i];
  g_autofree char   *code = make_code (provider, 11);
  g_autoptr (TillWalletAttempt) attempt = pay_ok (provider, code);

  ck_assert_int_eq (attempt->state, TILL_WALLET_STATE_PAID);
  ck_assert_uint_ge (till_paysim_count_requests (sim, "query"), 2);
  ck_assert_uint_eq (till_paysim_count_requests (sim, "pay"), 1);
  ck_assert_uint_eq (till_paysim_count_requests (sim, "reverse"), 0);
  ck_assert_uint_eq (till_paysim_count_charges (sim, attempt->out_trade_no), 1);
  ck_assert_msg (progress_says ("password"), "no progress about the password");
}
END_TEST

typedef struct
{
  TillPaySim *sim;
  gint64      reverse_us; /* when the first reverse arrived, monotonic */
} ReverseWatch;

static gpointer
watch_reverse_thread (gpointer data)
{
  ReverseWatch *watch = data;

  if (till_paysim_wait_for_requests (watch->sim, "reverse", 1, 20000))
    watch->reverse_us = g_get_monotonic_time ();
  return NULL;
}

/* /pay/wallet-service/never-confirms: polled to the deadline, then reversed,
 * never before the provider's minimum; nothing charged. */
START_TEST (test_never_confirms)
{
  TillWalletProvider provider = providers[_i];
  g_autofree char   *code = make_code (provider, 12);
  g_autoptr (GError) error = NULL;
  g_autoptr (TillWalletAttempt) stored = NULL;
  ReverseWatch       watch = { sim, 0 };
  GThread           *watcher = g_thread_new ("reverse-watch", watch_reverse_thread, &watch);
  gint64             pay_us = g_get_monotonic_time ();
  TillWalletAttempt *attempt = pay_full (provider, code, NULL, &error);

  g_thread_join (watcher);
  ck_assert_ptr_null (attempt);
  ck_assert_error (error, TILL_TENDER_ERROR, TILL_TENDER_ERROR_UNCONFIRMED);
  stored = load_only_attempt ();
  ck_assert_int_eq (stored->state, TILL_WALLET_STATE_REVERSED);
  ck_assert (till_paysim_is_reversed (sim, stored->out_trade_no));
  ck_assert_int_eq (till_paysim_get_charged (sim, stored->out_trade_no), 0);
  ck_assert_uint_ge (till_paysim_count_requests (sim, "query"), 2);
  ck_assert_uint_eq (till_paysim_count_requests (sim, "pay"), 1);
  ck_assert (watch.reverse_us > 0);
  /* The deadline was reached before reversing, and for WeChat the minimum. */
  ck_assert_int_ge (watch.reverse_us - pay_us, (gint64) DEADLINE_MS * 1000);
  if (provider == TILL_WALLET_WECHAT)
    ck_assert_int_ge (watch.reverse_us - pay_us, (gint64) WECHAT_MIN_REV_MS * 1000);
}
END_TEST

/* /pay/wallet-service/min-reverse: a deadline shorter than WeChat's minimum
 * still waits for the minimum before reversing. */
START_TEST (test_min_reverse)
{
  g_autofree char *code = make_code (TILL_WALLET_WECHAT, 12);
  g_autoptr (GError) error = NULL;
  g_autoptr (TillWalletClient) client = make_client_at (TILL_WALLET_WECHAT, NULL, 5);
  TillWalletCadence  cadence;
  ReverseWatch       watch = { sim, 0 };
  GThread           *watcher;
  gint64             pay_us;
  TillWalletAttempt *attempt;

  test_cadence (TILL_WALLET_WECHAT, &cadence);
  cadence.deadline_ms = 100;
  cadence.min_reverse_ms = 900;
  till_wallet_service_set_client (service, client, &cadence);
  watcher = g_thread_new ("reverse-watch", watch_reverse_thread, &watch);
  pay_us = g_get_monotonic_time ();
  attempt = pay_full (TILL_WALLET_WECHAT, code, NULL, &error);
  g_thread_join (watcher);
  ck_assert_ptr_null (attempt);
  ck_assert_error (error, TILL_TENDER_ERROR, TILL_TENDER_ERROR_UNCONFIRMED);
  ck_assert (watch.reverse_us > 0);
  ck_assert_int_ge (watch.reverse_us - pay_us, 900 * 1000);
}
END_TEST

/* /pay/wallet-service/no-balance: declined with the provider's reason,
 * nothing reversed, attempt failed. */
START_TEST (test_no_balance)
{
  TillWalletProvider provider = providers[_i];
  g_autofree char   *code = make_code (provider, 21);
  g_autoptr (GError) error = NULL;
  g_autoptr (TillWalletAttempt) stored = NULL;
  TillWalletAttempt *attempt = pay_full (provider, code, NULL, &error);

  ck_assert_ptr_null (attempt);
  ck_assert_error (error, TILL_TENDER_ERROR, TILL_TENDER_ERROR_DECLINED);
  stored = load_only_attempt ();
  ck_assert_int_eq (stored->state, TILL_WALLET_STATE_FAILED);
  ck_assert_ptr_nonnull (stored->error_code);
  if (provider == TILL_WALLET_WECHAT)
    ck_assert_str_eq (stored->error_code, "NOTENOUGH");
  else if (provider == TILL_WALLET_ALIPAY)
    ck_assert_str_eq (stored->error_code, "ACQ.BUYER_BALANCE_NOT_ENOUGH");
  /* The provider's own words reach the cashier. */
  ck_assert_ptr_nonnull (stored->message);
  ck_assert_msg (strstr (error->message, stored->message) != NULL, "“%s” lacks “%s”",
                 error->message, stored->message);
  ck_assert_uint_eq (till_paysim_count_requests (sim, "reverse"), 0);
  ck_assert_int_eq (till_paysim_get_charged (sim, stored->out_trade_no), 0);
}
END_TEST

/* /pay/wallet-service/system-error-not-charged: SYSTEMERROR, the query says
 * not paid: failed or reversed, nothing held. */
START_TEST (test_system_error_not_charged)
{
  TillWalletProvider provider = providers[_i];
  g_autofree char   *code = make_code (provider, 31);
  g_autoptr (GError) error = NULL;
  g_autoptr (TillWalletAttempt) stored = NULL;
  TillWalletAttempt *attempt = pay_full (provider, code, NULL, &error);

  ck_assert_ptr_null (attempt);
  ck_assert_msg (g_error_matches (error, TILL_TENDER_ERROR, TILL_TENDER_ERROR_DECLINED) ||
                     g_error_matches (error, TILL_TENDER_ERROR, TILL_TENDER_ERROR_UNCONFIRMED),
                 "%s", error->message);
  stored = load_only_attempt ();
  ck_assert_msg (stored->state == TILL_WALLET_STATE_FAILED ||
                     stored->state == TILL_WALLET_STATE_REVERSED,
                 "state %s", till_wallet_state_to_string (stored->state));
  ck_assert_uint_ge (till_paysim_count_requests (sim, "query"), 1);
  ck_assert_uint_eq (till_paysim_count_requests (sim, "pay"), 1);
  ck_assert_int_eq (till_paysim_get_charged (sim, stored->out_trade_no), 0);
}
END_TEST

/* /pay/wallet-service/system-error-charged (32), bad-signature (41),
 * dropped (51): the pay reply can't be trusted; the query says paid: paid,
 * charged once, never paid twice. */
START_TEST (test_unknown_then_paid)
{
  static const int   scenarios[] = { 32, 41, 51 };
  TillWalletProvider provider = providers[_i % 2];
  int                scenario = scenarios[_i / 2];
  g_autofree char   *code = make_code (provider, scenario);
  g_autoptr (TillWalletAttempt) attempt = NULL;

  /* The clients warn about a reply with a wrong signature. */
  if (scenario == 41)
    {
      expect_warnings ("till-wechat-pay");
      expect_warnings ("till-alipay");
    }
  attempt = pay_ok (provider, code);

  ck_assert_int_eq (attempt->state, TILL_WALLET_STATE_PAID);
  ck_assert_ptr_nonnull (attempt->transaction_id);
  ck_assert_uint_ge (till_paysim_count_requests (sim, "query"), 1);
  ck_assert_uint_eq (till_paysim_count_requests (sim, "pay"), 1);
  ck_assert_uint_eq (till_paysim_count_requests (sim, "reverse"), 0);
  ck_assert_uint_eq (till_paysim_count_charges (sim, attempt->out_trade_no), 1);
  ck_assert_int_eq (till_paysim_get_charged (sim, attempt->out_trade_no), AMOUNT);
}
END_TEST

/* /pay/wallet-service/stall: the reply never comes within the client's 1 s;
 * the query finds it paid; one charge. */
START_TEST (test_stall)
{
  TillWalletProvider provider = providers[_i];
  g_autofree char   *code = make_code (provider, 52);
  g_autoptr (TillWalletAttempt) attempt = NULL;

  till_paysim_set_stall_ms (sim, 4000);
  use_client (provider, NULL, 1);
  attempt = pay_ok (provider, code);
  ck_assert_int_eq (attempt->state, TILL_WALLET_STATE_PAID);
  ck_assert_uint_eq (till_paysim_count_requests (sim, "pay"), 1);
  ck_assert_uint_ge (till_paysim_count_requests (sim, "query"), 1);
  ck_assert_uint_eq (till_paysim_count_charges (sim, attempt->out_trade_no), 1);
  ck_assert_int_eq (till_paysim_get_charged (sim, attempt->out_trade_no), AMOUNT);
}
END_TEST

/* /pay/wallet-service/expired-code: declined, rescan. */
START_TEST (test_expired_code)
{
  TillWalletProvider provider = providers[_i];
  g_autofree char   *code = make_code (provider, 61);
  g_autoptr (GError) error = NULL;
  g_autoptr (TillWalletAttempt) stored = NULL;
  TillWalletAttempt *attempt = pay_full (provider, code, NULL, &error);

  ck_assert_ptr_null (attempt);
  ck_assert_error (error, TILL_TENDER_ERROR, TILL_TENDER_ERROR_DECLINED);
  stored = load_only_attempt ();
  ck_assert_int_eq (stored->state, TILL_WALLET_STATE_FAILED);
  ck_assert_uint_eq (till_paysim_count_requests (sim, "reverse"), 0);
}
END_TEST

/* A loopback port nobody listens on. */
static char *
closed_port_url (void)
{
  g_autoptr (GSocket) socket =
      g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL);
  g_autoptr (GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr (GSocketAddress) any_port = g_inet_socket_address_new (loopback, 0);
  g_autoptr (GSocketAddress) bound = NULL;
  guint16 port;

  ck_assert (g_socket_bind (socket, any_port, TRUE, NULL));
  bound = g_socket_get_local_address (socket, NULL);
  port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  g_socket_close (socket, NULL);
  return g_strdup_printf ("http://127.0.0.1:%u", port);
}

/* /pay/wallet-service/offline: the request never left: OFFLINE, the attempt
 * failed, nothing at the provider. */
START_TEST (test_offline)
{
  TillWalletProvider provider = providers[_i];
  g_autofree char   *code = make_code (provider, 0);
  g_autofree char   *url = closed_port_url ();
  g_autoptr (GError) error = NULL;
  g_autoptr (TillWalletAttempt) stored = NULL;
  TillWalletAttempt *attempt;

  use_client (provider, url, 2);
  attempt = pay_full (provider, code, NULL, &error);
  ck_assert_ptr_null (attempt);
  ck_assert_error (error, TILL_TENDER_ERROR, TILL_TENDER_ERROR_OFFLINE);
  ck_assert_ptr_nonnull (strstr (error->message, "network"));
  stored = load_only_attempt ();
  ck_assert_int_eq (stored->state, TILL_WALLET_STATE_FAILED);
  ck_assert_uint_eq (till_paysim_count_requests (sim, "pay"), 0);
}
END_TEST

static gboolean
cancel_when_polling_cb (gpointer user_data)
{
  GCancellable *cancellable = user_data;

  if (till_paysim_count_requests (sim, "query") < 1)
    return G_SOURCE_CONTINUE;
  g_cancellable_cancel (cancellable);
  return G_SOURCE_REMOVE;
}

/* /pay/wallet-service/cancel: the cashier gives up while the customer
 * hesitates: polling stops, the order is reversed, CANCELLED. */
START_TEST (test_cancel_while_polling)
{
  TillWalletProvider provider = providers[_i];
  g_autofree char   *code = make_code (provider, 12);
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  g_autoptr (GError) error = NULL;
  g_autoptr (TillWalletAttempt) stored = NULL;
  TillWalletCadence cadence;
  g_autoptr (TillWalletClient) client = make_client_at (provider, NULL, 5);
  TillWalletAttempt *attempt;
  gint64             started = g_get_monotonic_time ();
  guint              watch;

  /* A long deadline: only the cancel can end it early. */
  test_cadence (provider, &cadence);
  cadence.deadline_ms = 20000;
  till_wallet_service_set_client (service, client, &cadence);
  watch = g_timeout_add (10, cancel_when_polling_cb, cancellable);
  attempt = pay_full (provider, code, cancellable, &error);
  (void) watch;
  ck_assert_ptr_null (attempt);
  ck_assert_error (error, TILL_TENDER_ERROR, TILL_TENDER_ERROR_CANCELLED);
  ck_assert_int_lt (g_get_monotonic_time () - started, 10 * G_USEC_PER_SEC);
  stored = load_only_attempt ();
  ck_assert_int_eq (stored->state, TILL_WALLET_STATE_REVERSED);
  ck_assert (till_paysim_is_reversed (sim, stored->out_trade_no));
  ck_assert_int_eq (till_paysim_get_charged (sim, stored->out_trade_no), 0);
}
END_TEST

static void
stop_sim_on_progress_cb (TillWalletService *source,
                         TillWalletAttempt *attempt,
                         const char        *message,
                         gpointer           user_data)
{
  (void) source;
  (void) attempt;
  (void) message;
  (void) user_data;
  till_paysim_stop (sim);
}

/* /pay/wallet-service/stuck: the provider can't be reached to reverse: the
 * tries run out, the attempt is stuck for a person to settle. */
START_TEST (test_reverse_fails_stuck)
{
  TillWalletProvider provider = providers[_i];
  g_autofree char   *code = make_code (provider, 12);
  g_autoptr (GError) error = NULL;
  g_autoptr (TillWalletAttempt) stored = NULL;
  TillWalletAttempt *attempt;

  expect_service_warnings ();
  /* The network goes once the customer is asked for a password. */
  g_signal_connect (service, "progress", G_CALLBACK (stop_sim_on_progress_cb), NULL);
  attempt = pay_full (provider, code, NULL, &error);
  ck_assert_ptr_null (attempt);
  ck_assert_error (error, TILL_TENDER_ERROR, TILL_TENDER_ERROR_STUCK);
  stored = load_only_attempt ();
  ck_assert_int_eq (stored->state, TILL_WALLET_STATE_STUCK);
  ck_assert_ptr_nonnull (strstr (error->message, stored->out_trade_no));
  ck_assert_uint_ge (n_warnings, 1);
  /* Stuck is settled by a person: resume leaves it alone. */
  {
    g_autoptr (GPtrArray) unresolved = till_wallet_attempt_list_unresolved (store, NULL);
    ck_assert_uint_eq (unresolved->len, 0);
  }
}
END_TEST

typedef struct
{
  guint attempts;
  guint refunds;
} Resolved;

static void
attempt_resolved_cb (TillWalletService *source, TillWalletAttempt *attempt, gpointer user_data)
{
  Resolved *resolved = user_data;

  (void) source;
  ck_assert_ptr_nonnull (attempt);
  resolved->attempts++;
}

static void
refund_resolved_cb (TillWalletService *source, TillWalletRefund *refund, gpointer user_data)
{
  Resolved *resolved = user_data;

  (void) source;
  ck_assert_ptr_nonnull (refund);
  resolved->refunds++;
}

static gboolean
not_busy_cb (gpointer user_data)
{
  gboolean *idle = user_data;

  *idle = !till_wallet_service_is_busy (service);
  return *idle ? G_SOURCE_REMOVE : G_SOURCE_CONTINUE;
}

static void
resume_and_wait (Resolved *resolved)
{
  gboolean idle = FALSE;
  gulong   on_attempt =
      g_signal_connect (service, "attempt-resolved", G_CALLBACK (attempt_resolved_cb), resolved);
  gulong on_refund =
      g_signal_connect (service, "refund-resolved", G_CALLBACK (refund_resolved_cb), resolved);

  till_wallet_service_resume (service);
  g_timeout_add (5, not_busy_cb, &idle);
  run_until (&idle);
  g_signal_handler_disconnect (service, on_attempt);
  g_signal_handler_disconnect (service, on_refund);
}

/* /pay/wallet-service/defer: offline, within the cap the code is kept to
 * charge later; over the cap or not allowed it is refused; resume charges it
 * under its own out_trade_no. */
START_TEST (test_defer_then_resume)
{
  TillWalletProvider provider = providers[_i];
  g_autofree char   *code = make_code (provider, 0);
  g_autofree char   *other = make_code (provider, 0);
  g_autoptr (GError) error = NULL;
  g_autoptr (TillWalletAttempt) deferred = NULL;
  g_autoptr (TillWalletAttempt) stored = NULL;
  Resolved resolved = { 0 };

  ck_assert_ptr_null (
      till_wallet_service_defer (service, provider, CART_UUID, AMOUNT, code, &error));
  ck_assert_error (error, TILL_TENDER_ERROR, TILL_TENDER_ERROR_OFFLINE);
  g_clear_error (&error);

  ck_assert (till_store_set_setting (store, "payments.confirm-later-cap", "1000", NULL));
  ck_assert (till_store_set_setting (store, "payments.confirm-later-daily-cap", "1500", NULL));
  deferred = till_wallet_service_defer (service, provider, CART_UUID, AMOUNT, code, &error);
  ck_assert_msg (deferred != NULL, "%s", error ? error->message : "");
  ck_assert_int_eq (deferred->state, TILL_WALLET_STATE_DEFERRED);
  ck_assert_ptr_null (
      till_wallet_service_defer (service, provider, CART_UUID, 1001, other, &error));
  ck_assert_error (error, TILL_TENDER_ERROR, TILL_TENDER_ERROR_OVER_LIMIT);
  g_clear_error (&error);
  /* 888 + 888 > 1500 a day. */
  ck_assert_ptr_null (
      till_wallet_service_defer (service, provider, CART_UUID, AMOUNT, other, &error));
  ck_assert_error (error, TILL_TENDER_ERROR, TILL_TENDER_ERROR_OVER_LIMIT);
  ck_assert_uint_eq (till_paysim_count_requests (sim, "pay"), 0);

  resume_and_wait (&resolved);
  ck_assert_uint_eq (resolved.attempts, 1);
  stored = till_wallet_attempt_load (store, deferred->out_trade_no, NULL);
  ck_assert_int_eq (stored->state, TILL_WALLET_STATE_PAID);
  ck_assert_ptr_null (strstr (stored->auth_code, code + 4));
  ck_assert_uint_eq (till_paysim_count_charges (sim, deferred->out_trade_no), 1);
  ck_assert_int_eq (till_paysim_get_charged (sim, deferred->out_trade_no), AMOUNT);
  ck_assert_uint_eq (till_paysim_count_requests (sim, "pay"), 1);

  /* Nothing left: resuming again sends nothing. */
  resume_and_wait (&resolved);
  ck_assert_uint_eq (till_paysim_count_requests (sim, "pay"), 1);
}
END_TEST

/* /pay/wallet-service/defer/declined: a deferred code that can't be charged
 * is left failed and logged as a receivable. */
START_TEST (test_defer_declined)
{
  g_autofree char *code = make_code (TILL_WALLET_WECHAT, 21);
  g_autoptr (GError) error = NULL;
  g_autoptr (TillWalletAttempt) deferred = NULL;
  g_autoptr (TillWalletAttempt) stored = NULL;
  Resolved resolved = { 0 };

  expect_service_warnings ();
  ck_assert (till_store_set_setting (store, "payments.confirm-later-cap", "1000", NULL));
  deferred =
      till_wallet_service_defer (service, TILL_WALLET_WECHAT, CART_UUID, AMOUNT, code, &error);
  ck_assert_msg (deferred != NULL, "%s", error ? error->message : "");
  resume_and_wait (&resolved);
  stored = till_wallet_attempt_load (store, deferred->out_trade_no, NULL);
  ck_assert_int_eq (stored->state, TILL_WALLET_STATE_FAILED);
  ck_assert_uint_eq (resolved.attempts, 1);
  ck_assert_uint_eq (n_warnings, 1);
}
END_TEST

/* /pay/wallet-service/resume/reversing: a till killed while reversing
 * reverses again on restart; the money goes back once. */
START_TEST (test_resume_reversing)
{
  g_autofree char *code = make_code (TILL_WALLET_ALIPAY, 0);
  g_autoptr (TillWalletAttempt) paid = pay_ok (TILL_WALLET_ALIPAY, code);
  g_autoptr (TillWalletAttempt) stored = NULL;
  Resolved resolved = { 0 };

  paid->state = TILL_WALLET_STATE_REVERSING;
  ck_assert (till_wallet_attempt_save (store, paid, NULL));
  resume_and_wait (&resolved);
  ck_assert_uint_eq (resolved.attempts, 1);
  stored = till_wallet_attempt_load (store, paid->out_trade_no, NULL);
  ck_assert_int_eq (stored->state, TILL_WALLET_STATE_REVERSED);
  ck_assert (till_paysim_is_reversed (sim, paid->out_trade_no));
  ck_assert_int_eq (till_paysim_get_charged (sim, paid->out_trade_no), 0);
  ck_assert_uint_eq (till_paysim_count_requests (sim, "reverse"), 1);
  ck_assert_uint_eq (till_paysim_count_requests (sim, "pay"), 1);
}
END_TEST

/* /pay/wallet-service/cadence: the documented defaults (PAYMENTS.md §0.3). */
START_TEST (test_cadence_defaults)
{
  TillWalletCadence wechat;
  TillWalletCadence alipay;

  till_wallet_cadence_init (&wechat, TILL_WALLET_WECHAT);
  till_wallet_cadence_init (&alipay, TILL_WALLET_ALIPAY);
  ck_assert_uint_eq (wechat.first_query_ms, 5000);
  ck_assert_uint_eq (wechat.poll_interval_ms, 5000);
  ck_assert_uint_eq (wechat.deadline_ms, 45000);
  ck_assert_uint_eq (wechat.min_reverse_ms, 15000);
  ck_assert_uint_eq (alipay.deadline_ms, 30000);
  ck_assert_uint_eq (alipay.min_reverse_ms, 0);
  ck_assert_uint_eq (alipay.reverse_tries, 5);
  ck_assert_uint_eq (alipay.reverse_interval_ms, 2000);
}
END_TEST

/* A recorded return (of a cash sale), for wallet refunds to belong to. */
static char *
make_return (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *key_path = g_build_filename (tmpdir, "journal.key", NULL);
  g_autoptr (TillCatalog) catalog = till_catalog_new (store);
  g_autoptr (TillJournal) journal = till_journal_new (store, key_path, &error);
  g_autoptr (TillUser) manager = NULL;
  g_autoptr (TillCart) cart = NULL;
  g_autoptr (TillProduct) product = NULL;
  g_autoptr (TillSale) sale = NULL;
  g_autoptr (TillReturn) draft = NULL;
  TillProductSpec spec = {
    .sku = "C001",
    .name = "可口可乐 330ml",
    .unit = "罐",
    .price = AMOUNT,
    .cost = 175,
    .vat_rate = 1300,
    .active = TRUE,
  };
  gint64 product_id;

  ck_assert_msg (journal != NULL, "%s", error ? error->message : "");
  ck_assert (till_user_create (store, "9001", "李经理", TILL_ROLE_MANAGER, "9999", &error) > 0);
  manager = till_user_authenticate (store, "9001", "9999", &error);
  ck_assert_msg (manager != NULL, "%s", error ? error->message : "");
  product_id = till_catalog_add_product (catalog, &spec, &error);
  ck_assert (product_id > 0);
  product = till_catalog_lookup_id (catalog, product_id, &error);
  cart = till_cart_new (store, catalog);
  ck_assert (till_cart_add_product (cart, product, TILL_QUANTITY_ONE, &error) != NULL);
  sale = till_sale_commit_cash (cart, journal, manager, 1000, &error);
  ck_assert_msg (sale != NULL, "%s", error ? error->message : "");
  draft = till_return_new_with_receipt (store, sale, &error);
  ck_assert_msg (draft != NULL, "%s", error ? error->message : "");
  ck_assert (till_return_pick_all (draft, &error));
  ck_assert_msg (till_return_commit (draft, journal, manager, NULL, &error), "%s",
                 error ? error->message : "");
  return g_strdup (till_return_get_uuid (draft));
}

/* /pay/wallet-service/refund: a pending refund goes out on resume; sent
 * again under the same out_refund_no it refunds once. */
START_TEST (test_refund)
{
  TillWalletProvider provider = providers[_i];
  g_autofree char   *code = make_code (provider, 0);
  g_autofree char   *return_uuid = make_return ();
  g_autoptr (TillWalletAttempt) paid = pay_ok (provider, code);
  g_autoptr (TillWalletRefund) refund = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) refunds = NULL;
  Resolved resolved = { 0 };

  ck_assert (till_store_begin (store, NULL));
  refund = _till_wallet_refund_create (store, paid->out_trade_no, return_uuid, 500, &error);
  ck_assert_msg (refund != NULL, "%s", error ? error->message : "");
  ck_assert (till_store_commit (store, NULL));

  resume_and_wait (&resolved);
  ck_assert_uint_eq (resolved.refunds, 1);
  refunds = till_wallet_refund_list_for_return (store, return_uuid, NULL);
  ck_assert_uint_eq (refunds->len, 1);
  ck_assert_int_eq (((TillWalletRefund *) refunds->pdata[0])->state, TILL_WALLET_REFUND_DONE);
  ck_assert_ptr_nonnull (((TillWalletRefund *) refunds->pdata[0])->refund_id);
  ck_assert_int_eq (till_paysim_get_refunded (sim, paid->out_trade_no), 500);
  ck_assert_int_eq (till_paysim_get_charged (sim, paid->out_trade_no), AMOUNT - 500);
  ck_assert_uint_eq (till_paysim_count_requests (sim, "refund"), 1);

  /* As if the till died before it wrote "done": the same out_refund_no goes
   * out again and the provider refunds once. */
  refund->state = TILL_WALLET_REFUND_PENDING;
  ck_assert (till_wallet_refund_save (store, refund, NULL));
  resume_and_wait (&resolved);
  ck_assert_uint_eq (till_paysim_count_requests (sim, "refund"), 2);
  ck_assert_int_eq (till_paysim_get_refunded (sim, paid->out_trade_no), 500);
  g_clear_pointer (&refunds, g_ptr_array_unref);
  refunds = till_wallet_refund_list_pending (store, NULL);
  ck_assert_uint_eq (refunds->len, 0);
}
END_TEST

typedef struct
{
  gboolean         done;
  TillSalePayment *payment;
  GError          *error;
} TenderCall;

static void
authorize_done_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  TenderCall *call = user_data;

  call->payment = till_tender_authorize_finish (TILL_TENDER (source), result, &call->error);
  call->done = TRUE;
}

static void
release_done_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  TenderCall *call = user_data;

  till_tender_release_finish (TILL_TENDER (source), result, &call->error);
  call->done = TRUE;
}

static TillSalePayment *
authorize (TillTender *tender, const char *input, GError **error)
{
  TenderCall        call = { 0 };
  TillTenderRequest request = {
    .cart_uuid = CART_UUID,
    .due = AMOUNT,
    .amount = AMOUNT,
    .input = input,
  };

  till_tender_authorize_async (tender, &request, NULL, authorize_done_cb, &call);
  run_until (&call.done);
  if (call.error != NULL)
    g_propagate_error (error, call.error);
  return call.payment;
}

/* /pay/wallet-service/tender: the TillTender a payment screen uses: routes
 * the code, pays, gives the tender, and releases it by reversal. */
START_TEST (test_tender)
{
  g_autoptr (TillTender) tender = till_wallet_service_create_tender (service, TILL_WALLET_WECHAT);
  g_autofree char *code = make_code (TILL_WALLET_WECHAT, 0);
  g_autofree char *alipay_code = make_code (TILL_WALLET_ALIPAY, 0);
  g_autofree char *label = till_tender_dup_label (tender);
  g_autofree char *expected_label = till_wallet_provider_dup_label (TILL_WALLET_WECHAT);
  g_autoptr (GError) error = NULL;
  g_autoptr (TillSalePayment) payment = NULL;
  g_autoptr (TillWalletAttempt) stored = NULL;
  TenderCall release = { 0 };

  ck_assert_str_eq (till_tender_get_id (tender), "wechat");
  ck_assert_int_eq (till_tender_get_kind (tender), TILL_TENDER_KIND_WALLET);
  ck_assert_str_eq (label, expected_label);

  ck_assert_ptr_null (authorize (tender, "6901234567892", &error));
  ck_assert_error (error, TILL_TENDER_ERROR, TILL_TENDER_ERROR_NOT_A_CODE);
  g_clear_error (&error);
  ck_assert_ptr_null (authorize (tender, alipay_code, &error));
  ck_assert_error (error, TILL_TENDER_ERROR, TILL_TENDER_ERROR_INVALID);
  g_clear_error (&error);
  ck_assert_uint_eq (till_paysim_count_requests (sim, "pay"), 0);

  payment = authorize (tender, code, &error);
  ck_assert_msg (payment != NULL, "%s", error ? error->message : "");
  ck_assert_str_eq (payment->method, "wechat");
  ck_assert_int_eq (payment->kind, TILL_TENDER_KIND_WALLET);
  ck_assert_int_eq (payment->amount, AMOUNT);
  ck_assert_ptr_nonnull (payment->reference);
  ck_assert_ptr_nonnull (payment->attempt);

  till_tender_release_async (tender, payment, NULL, release_done_cb, &release);
  run_until (&release.done);
  ck_assert_msg (release.error == NULL, "%s", release.error->message);
  stored = till_wallet_attempt_load (store, payment->attempt, NULL);
  ck_assert_int_eq (stored->state, TILL_WALLET_STATE_REVERSED);
  ck_assert (till_paysim_is_reversed (sim, payment->attempt));
  ck_assert_int_eq (till_paysim_get_charged (sim, payment->attempt), 0);
}
END_TEST

/* /pay/wallet-service/not-set-up: a wallet without a client is refused
 * before anything is written. */
START_TEST (test_not_set_up)
{
  g_autoptr (TillWalletService) bare = till_wallet_service_new (store);
  PayCall call = { 0 };

  till_wallet_service_pay_async (bare, TILL_WALLET_WECHAT, CART_UUID, AMOUNT, "134526789012345600",
                                 NULL, pay_done_cb, &call);
  run_until (&call.done);
  ck_assert_ptr_null (call.attempt);
  ck_assert_error (call.error, TILL_TENDER_ERROR, TILL_TENDER_ERROR_DISABLED);
  g_clear_error (&call.error);
  {
    g_autoptr (GPtrArray) unresolved = till_wallet_attempt_list_unresolved (store, NULL);
    ck_assert_uint_eq (unresolved->len, 0);
  }
}
END_TEST

static gboolean
drain_done_cb (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

/* Lets connections close and TLS threads end before the process exits. */
static void
drain_main_context (guint ms)
{
  gboolean done = FALSE;

  g_clear_object (&service);
  g_timeout_add (ms, drain_done_cb, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
}

/* HTTPS: a CA, a server certificate for 127.0.0.1 and WeChat's client
 * certificate for /secapi/ (reverse, refund), made here with openssl. */

static const char openssl_config[] = "[req]\n"
                                     "distinguished_name = dn\n"
                                     "prompt = no\n"
                                     "[dn]\n"
                                     "CN = opentill test CA\n"
                                     "[ca]\n"
                                     "basicConstraints = critical,CA:TRUE\n"
                                     "keyUsage = critical,keyCertSign,cRLSign\n"
                                     "subjectKeyIdentifier = hash\n"
                                     "[server]\n"
                                     "basicConstraints = CA:FALSE\n"
                                     "subjectAltName = IP:127.0.0.1\n"
                                     "extendedKeyUsage = serverAuth\n"
                                     "[client]\n"
                                     "basicConstraints = CA:FALSE\n"
                                     "extendedKeyUsage = clientAuth\n";

static void
run_openssl (const char *dir, const char *const *argv)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *err_text = NULL;
  int              status = 0;

  ck_assert_msg (g_spawn_sync (dir, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL,
                               &err_text, &status, &error),
                 "openssl: %s", error != NULL ? error->message : "");
  ck_assert_msg (g_spawn_check_wait_status (status, NULL), "openssl %s failed: %s", argv[1],
                 err_text);
}

static GTlsCertificate *
make_certificate (const char *dir, const char *name, const char *subject)
{
  g_autofree char *key = g_strconcat (name, ".key", NULL);
  g_autofree char *csr = g_strconcat (name, ".csr", NULL);
  g_autofree char *pem = g_strconcat (name, ".pem", NULL);
  g_autofree char *pem_path = g_build_filename (dir, pem, NULL);
  g_autofree char *key_path = g_build_filename (dir, key, NULL);
  g_autoptr (GError) error = NULL;
  const char *const request[] = { "openssl", "req",      "-new",   "-config", "openssl.cnf",
                                  "-newkey", "rsa:2048", "-nodes", "-keyout", key,
                                  "-out",    csr,        "-subj",  subject,   NULL };
  const char *const sign[] = { "openssl", "x509",   "-req",     "-in",         csr,
                               "-CA",     "ca.pem", "-CAkey",   "ca.key",      "-CAcreateserial",
                               "-days",   "2",      "-extfile", "openssl.cnf", "-extensions",
                               name,      "-out",   pem,        NULL };
  GTlsCertificate  *certificate;

  run_openssl (dir, request);
  run_openssl (dir, sign);
  certificate = g_tls_certificate_new_from_files (pem_path, key_path, &error);
  ck_assert_msg (certificate != NULL, "%s: %s", name, error != NULL ? error->message : "");
  return certificate;
}

/* /pay/wallet-service/https-reverse: over HTTPS, WeChat's reverse goes to
 * /secapi/ with the merchant's client certificate, and reverses. */
START_TEST (test_https_reverse)
{
  g_autofree char *cert_dir = g_build_filename (tmpdir, "certs", NULL);
  g_autofree char *config = g_build_filename (cert_dir, "openssl.cnf", NULL);
  g_autofree char *ca = g_build_filename (cert_dir, "ca.pem", NULL);
  g_autofree char *code = make_code (TILL_WALLET_WECHAT, 12);
  g_autofree char *https_url = NULL;
  g_autoptr (GTlsCertificate) server_certificate = NULL;
  g_autoptr (GTlsCertificate) client_certificate = NULL;
  g_autoptr (GTlsDatabase) tls_database = NULL;
  g_autoptr (TillWalletClient) client = NULL;
  g_autoptr (TillWalletAttempt) stored = NULL;
  g_autoptr (GError) error = NULL;
  TillWalletCadence  cadence;
  TillWalletAttempt *attempt;
  const char *const  make_ca[] = { "openssl",     "req",    "-x509",   "-config",  "openssl.cnf",
                                   "-extensions", "ca",     "-newkey", "rsa:2048", "-nodes",
                                   "-keyout",     "ca.key", "-out",    "ca.pem",   "-days",
                                   "2",           NULL };

  ck_assert_int_eq (g_mkdir_with_parents (cert_dir, 0700), 0);
  ck_assert (g_file_set_contents (config, openssl_config, -1, NULL));
  run_openssl (cert_dir, make_ca);
  server_certificate = make_certificate (cert_dir, "server", "/CN=127.0.0.1");
  client_certificate = make_certificate (cert_dir, "client", "/CN=" WECHAT_MCH_ID);
  tls_database = g_tls_file_database_new (ca, &error);
  ck_assert_msg (tls_database != NULL, "%s", error ? error->message : "");

  /* This test's simulator serves HTTPS only (the fixture started none). */
  sim = till_paysim_new ();
  till_paysim_set_wechat (sim, WECHAT_APPID, WECHAT_MCH_ID, WECHAT_API_KEY);
  ck_assert_msg (till_paysim_start (sim, server_certificate, &error), "%s",
                 error ? error->message : "");
  https_url = till_paysim_dup_url (sim);
  service = till_wallet_service_new (store);
  ck_assert (g_str_has_prefix (https_url, "https://127.0.0.1:"));

  client = TILL_WALLET_CLIENT (
      g_object_new (TILL_TYPE_WECHAT_PAY, "base-url", https_url, "appid", WECHAT_APPID, "mch-id",
                    WECHAT_MCH_ID, "api-key", WECHAT_API_KEY, "tls-database", tls_database,
                    "client-certificate", client_certificate, "timeout", 5, NULL));
  test_cadence (TILL_WALLET_WECHAT, &cadence);
  till_wallet_service_set_client (service, client, &cadence);

  attempt = pay_full (TILL_WALLET_WECHAT, code, NULL, &error);
  ck_assert_ptr_null (attempt);
  ck_assert_error (error, TILL_TENDER_ERROR, TILL_TENDER_ERROR_UNCONFIRMED);
  stored = load_only_attempt ();
  ck_assert_int_eq (stored->state, TILL_WALLET_STATE_REVERSED);
  ck_assert (till_paysim_is_reversed (sim, stored->out_trade_no));
  ck_assert_uint_eq (till_paysim_count_requests (sim, "reverse"), 1);
  ck_assert_int_eq (till_paysim_get_charged (sim, stored->out_trade_no), 0);
  drain_main_context (300);
}
END_TEST

static Suite *
wallet_service_suite (void)
{
  Suite *suite = suite_create ("pay/wallet-service");
  TCase *tcase;

  /* WeChat, Alipay and UnionPay (through the aggregator). */
  tcase = tcase_create ("/pay/wallet-service/all-wallets");
  tcase_add_checked_fixture (tcase, setup, teardown);
  tcase_set_timeout (tcase, 60);
  tcase_add_loop_test (tcase, test_success, 0, 3);
  tcase_add_loop_test (tcase, test_no_balance, 0, 3);
  suite_add_tcase (suite, tcase);

  /* WeChat and Alipay: every scenario of the simulator. */
  tcase = tcase_create ("/pay/wallet-service/scenarios");
  tcase_add_checked_fixture (tcase, setup, teardown);
  tcase_set_timeout (tcase, 60);
  tcase_add_loop_test (tcase, test_password_then_paid, 0, 2);
  tcase_add_loop_test (tcase, test_never_confirms, 0, 2);
  tcase_add_loop_test (tcase, test_system_error_not_charged, 0, 2);
  tcase_add_loop_test (tcase, test_unknown_then_paid, 0, 6);
  tcase_add_loop_test (tcase, test_stall, 0, 2);
  tcase_add_loop_test (tcase, test_expired_code, 0, 2);
  tcase_add_loop_test (tcase, test_offline, 0, 2);
  tcase_add_loop_test (tcase, test_cancel_while_polling, 0, 2);
  tcase_add_loop_test (tcase, test_reverse_fails_stuck, 0, 2);
  tcase_add_test (tcase, test_min_reverse);
  suite_add_tcase (suite, tcase);

  tcase = tcase_create ("/pay/wallet-service/resume");
  tcase_add_checked_fixture (tcase, setup, teardown);
  tcase_set_timeout (tcase, 60);
  tcase_add_loop_test (tcase, test_defer_then_resume, 0, 2);
  tcase_add_test (tcase, test_defer_declined);
  tcase_add_test (tcase, test_resume_reversing);
  tcase_add_loop_test (tcase, test_refund, 0, 2);
  suite_add_tcase (suite, tcase);

  tcase = tcase_create ("/pay/wallet-service/tender");
  tcase_add_checked_fixture (tcase, setup, teardown);
  tcase_set_timeout (tcase, 60);
  tcase_add_test (tcase, test_tender);
  suite_add_tcase (suite, tcase);

  tcase = tcase_create ("/pay/wallet-service/https");
  tcase_add_checked_fixture (tcase, setup_store_only, teardown);
  tcase_set_timeout (tcase, 60);
  tcase_add_test (tcase, test_https_reverse);
  suite_add_tcase (suite, tcase);

  tcase = tcase_create ("/pay/wallet-service/no-client");
  tcase_add_checked_fixture (tcase, setup_store_only, teardown);
  tcase_add_test (tcase, test_not_set_up);
  tcase_add_test (tcase, test_cadence_defaults);
  suite_add_tcase (suite, tcase);
  return suite;
}

int
main (void)
{
  int status;

  app_key = EVP_RSA_gen (2048);
  alipay_key = EVP_RSA_gen (2048);
  app_public_key = public_half (app_key);
  alipay_public_key = public_half (alipay_key);
  if (app_key == NULL || alipay_key == NULL || app_public_key == NULL || alipay_public_key == NULL)
    {
      g_printerr ("cannot make RSA keys\n");
      return 1;
    }
  status = till_test_run_suite (wallet_service_suite ());
  EVP_PKEY_free (app_key);
  EVP_PKEY_free (alipay_key);
  EVP_PKEY_free (app_public_key);
  EVP_PKEY_free (alipay_public_key);
  return status;
}
