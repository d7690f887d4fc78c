/* test-paysim.c: the provider simulator driven by the real WeChat Pay,
 * Alipay and aggregator clients over loopback HTTP and HTTPS
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-paysim"

#include "config.h"

#include <libsoup/soup.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <string.h>

#include "till-aggregator-pay.h"
#include "till-alipay.h"
#include "till-paysim.h"
#include "till-test-util.h"
#include "till-wechat-pay.h"

#define WECHAT_APPID "wx8888888888888888"
#define WECHAT_MCH_ID "1900000109"
#define WECHAT_API_KEY "192006250b4c09247ec02edce69f6a2d"
#define ALIPAY_APP_ID "2014072300007148"
#define TERMINAL_SN "100000330001234567"
#define TERMINAL_KEY "9f8d7c6b5a4e3d2c1b0a9f8e7d6c5b4a"
#define AMOUNT 888

typedef enum
{
  WECHAT,
  ALIPAY,
  AGGREGATOR,
  N_PROVIDERS,
} Provider;

static const char *const tcase_names[N_PROVIDERS] = {
  "/pay/paysim/wechat",
  "/pay/paysim/alipay",
  "/pay/paysim/aggregator",
};

/* Made once in main() and inherited by every forked test. */
static EVP_PKEY *app_key;    /* the till's Alipay key pair */
static EVP_PKEY *alipay_key; /* Alipay's key pair, signing replies */
static EVP_PKEY *app_public_key;
static EVP_PKEY *alipay_public_key;

/* Per test (set up in the forked child). */
static char            *cert_dir;
static TillPaySim      *sim;
static char            *sim_url;
static GTlsDatabase    *tls_database;
static GTlsCertificate *client_certificate;
static guint            code_serial;

static EVP_PKEY *
public_half (EVP_PKEY *key)
{
  unsigned char       *der = NULL;
  const unsigned char *p;
  int                  length = i2d_PUBKEY (key, &der);
  EVP_PKEY            *public_key;

  /* Called from main(), outside any test: no ck_assert here. */
  if (length <= 0)
    return NULL;
  p = der;
  public_key = d2i_PUBKEY (NULL, &p, length);
  OPENSSL_free (der);
  return public_key;
}

/* A fresh payment code of @provider playing the scenario of @last_two. */
static char *
make_code (Provider provider, int last_two)
{
  code_serial++;
  switch (provider)
    {
    case WECHAT:
      return g_strdup_printf ("13%014u%02d", code_serial, last_two);
    case ALIPAY:
      return g_strdup_printf ("28%014u%02d", code_serial, last_two);
    case AGGREGATOR:
      return g_strdup_printf ("62%015u%02d", code_serial, last_two);
    case N_PROVIDERS:
    default:
      break;
    }
  ck_abort_msg ("no provider %d", provider);
  return NULL;
}

static char *
make_out_trade_no (void)
{
  static guint serial;

  return g_strdup_printf ("T0120261123%06u%04u", (guint) getpid () % 1000000, ++serial);
}

static TillWalletClient *
make_client_full (Provider provider, gboolean wrong_key, guint timeout, gboolean with_cert)
{
  g_autofree char *gateway = g_strconcat (sim_url, "/gateway.do", NULL);
  EVP_PKEY        *other_key = NULL;
  GObject         *client = NULL;

  switch (provider)
    {
    case WECHAT:
      client = g_object_new (TILL_TYPE_WECHAT_PAY, "base-url", sim_url, "appid", WECHAT_APPID,
                             "mch-id", WECHAT_MCH_ID, "api-key",
                             wrong_key ? "00000000000000000000000000000000" : WECHAT_API_KEY,
                             "tls-database", tls_database, "client-certificate",
                             with_cert ? client_certificate : NULL, "timeout", timeout, NULL);
      break;
    case ALIPAY:
      if (wrong_key)
        other_key = EVP_RSA_gen (2048);
      client =
          g_object_new (TILL_TYPE_ALIPAY, "gateway-url", gateway, "app-id", ALIPAY_APP_ID,
                        "private-key", wrong_key ? other_key : app_key, "alipay-public-key",
                        alipay_public_key, "tls-database", tls_database, "timeout", timeout, NULL);
      if (other_key != NULL)
        EVP_PKEY_free (other_key);
      break;
    case AGGREGATOR:
      client = g_object_new (TILL_TYPE_AGGREGATOR_PAY, "base-url", sim_url, "terminal-sn",
                             TERMINAL_SN, "terminal-key",
                             wrong_key ? "ffffffffffffffffffffffffffffffff" : TERMINAL_KEY,
                             "tls-database", tls_database, "timeout", timeout, NULL);
      break;
    case N_PROVIDERS:
    default:
      ck_abort_msg ("no provider %d", provider);
    }
  return TILL_WALLET_CLIENT (client);
}

static TillWalletClient *
make_client (Provider provider)
{
  return make_client_full (provider, FALSE, 5, TRUE);
}

/* Running one call to its end. */

typedef struct
{
  GMainLoop       *loop;
  TillWalletReply *reply;
  GError          *error;
  gboolean         done;
} Call;

static void
call_done_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Call *call = user_data;

  call->reply = till_wallet_client_call_finish (TILL_WALLET_CLIENT (source), result, &call->error);
  call->done = TRUE;
  g_main_loop_quit (call->loop);
}

static gboolean
call_deadline_cb (gpointer user_data)
{
  ck_abort_msg ("a wallet call did not finish within 60 s");
  return G_SOURCE_REMOVE;
}

static TillWalletReply *
finish_call (Call *call)
{
  guint deadline = g_timeout_add_seconds (60, call_deadline_cb, NULL);

  if (!call->done)
    g_main_loop_run (call->loop);
  g_source_remove (deadline);
  g_main_loop_unref (call->loop);
  ck_assert_msg (call->error == NULL, "call failed: %s",
                 call->error != NULL ? call->error->message : "");
  ck_assert_ptr_nonnull (call->reply);
  return call->reply;
}

static TillWalletReply *
pay (TillWalletClient *client, const char *out_trade_no, const char *code, gint64 amount)
{
  Call call = { g_main_loop_new (NULL, FALSE), NULL, NULL, FALSE };

  till_wallet_client_pay_async (client, out_trade_no, code, amount, "便利店-测试商品", NULL,
                                call_done_cb, &call);
  return finish_call (&call);
}

static TillWalletReply *
query (TillWalletClient *client, const char *out_trade_no)
{
  Call call = { g_main_loop_new (NULL, FALSE), NULL, NULL, FALSE };

  till_wallet_client_query_async (client, out_trade_no, NULL, call_done_cb, &call);
  return finish_call (&call);
}

static TillWalletReply *
reverse (TillWalletClient *client, const char *out_trade_no)
{
  Call call = { g_main_loop_new (NULL, FALSE), NULL, NULL, FALSE };

  till_wallet_client_reverse_async (client, out_trade_no, NULL, call_done_cb, &call);
  return finish_call (&call);
}

static TillWalletReply *
refund (TillWalletClient *client, const char *out_trade_no, const char *refund_no, gint64 amount)
{
  Call call = { g_main_loop_new (NULL, FALSE), NULL, NULL, FALSE };

  till_wallet_client_refund_async (client, out_trade_no, refund_no, AMOUNT, amount, "退货", NULL,
                                   call_done_cb, &call);
  return finish_call (&call);
}

static const char *
outcome_name (TillWalletOutcome outcome)
{
  switch (outcome)
    {
    case TILL_WALLET_OUTCOME_DONE:
      return "DONE";
    case TILL_WALLET_OUTCOME_NOT_DONE:
      return "NOT_DONE";
    case TILL_WALLET_OUTCOME_UNKNOWN:
      return "UNKNOWN";
    default:
      return "?";
    }
}

#define assert_outcome(reply, expected)                                                   \
  ck_assert_msg ((reply)->outcome == (expected), "outcome %s (code %s: %s), expected %s", \
                 outcome_name ((reply)->outcome), (reply)->code ? (reply)->code : "-",    \
                 (reply)->message ? (reply)->message : "-", outcome_name (expected))

/* Fixtures. */

static void
start_sim (GTlsCertificate *server_certificate)
{
  g_autoptr (GError) error = NULL;

  code_serial = 0;
  sim = till_paysim_new ();
  till_paysim_set_wechat (sim, WECHAT_APPID, WECHAT_MCH_ID, WECHAT_API_KEY);
  till_paysim_set_alipay (sim, ALIPAY_APP_ID, app_public_key, alipay_key);
  till_paysim_set_aggregator (sim, TERMINAL_SN, TERMINAL_KEY);
  ck_assert_msg (till_paysim_start (sim, server_certificate, &error), "start: %s",
                 error != NULL ? error->message : "");
  sim_url = till_paysim_dup_url (sim);
  ck_assert_ptr_nonnull (sim_url);
}

static void
setup_http (void)
{
  start_sim (NULL);
  ck_assert (g_str_has_prefix (sim_url, "http://127.0.0.1:"));
}

static void
teardown (void)
{
  till_paysim_stop (sim);
  g_clear_object (&sim);
  g_clear_pointer (&sim_url, g_free);
  g_clear_object (&tls_database);
  g_clear_object (&client_certificate);
  if (cert_dir != NULL)
    till_test_remove_tree (cert_dir);
  g_clear_pointer (&cert_dir, g_free);
}

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
run_openssl (const char *const *argv)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *err_text = NULL;
  int              status = 0;

  ck_assert_msg (g_spawn_sync (cert_dir, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                               NULL, &err_text, &status, &error),
                 "openssl: %s", error != NULL ? error->message : "");
  ck_assert_msg (g_spawn_check_wait_status (status, NULL), "openssl %s failed: %s", argv[1],
                 err_text);
}

/* A certificate of @name signed by the CA in the scratch dir. */
static void
make_signed_certificate (const char *name, const char *subject)
{
  g_autofree char  *key = g_strconcat (name, ".key", NULL);
  g_autofree char  *csr = g_strconcat (name, ".csr", NULL);
  g_autofree char  *pem = g_strconcat (name, ".pem", NULL);
  const char *const request[] = { "openssl", "req",      "-new",   "-config", "openssl.cnf",
                                  "-newkey", "rsa:2048", "-nodes", "-keyout", key,
                                  "-out",    csr,        "-subj",  subject,   NULL };
  const char *const sign[] = { "openssl", "x509",   "-req",     "-in",         csr,
                               "-CA",     "ca.pem", "-CAkey",   "ca.key",      "-CAcreateserial",
                               "-days",   "2",      "-extfile", "openssl.cnf", "-extensions",
                               name,      "-out",   pem,        NULL };

  run_openssl (request);
  run_openssl (sign);
}

static GTlsCertificate *
load_certificate (const char *name)
{
  g_autofree char *pem = g_strdup_printf ("%s/%s.pem", cert_dir, name);
  g_autofree char *key = g_strdup_printf ("%s/%s.key", cert_dir, name);
  g_autoptr (GError) error = NULL;
  GTlsCertificate *certificate = g_tls_certificate_new_from_files (pem, key, &error);

  ck_assert_msg (certificate != NULL, "%s: %s", name, error != NULL ? error->message : "");
  return certificate;
}

static void
setup_https (void)
{
  g_autofree char *config = NULL;
  g_autofree char *ca = NULL;
  g_autoptr (GTlsCertificate) server_certificate = NULL;
  g_autoptr (GError) error = NULL;
  const char *const make_ca[] = { "openssl",     "req",    "-x509",   "-config",  "openssl.cnf",
                                  "-extensions", "ca",     "-newkey", "rsa:2048", "-nodes",
                                  "-keyout",     "ca.key", "-out",    "ca.pem",   "-days",
                                  "2",           NULL };

  cert_dir = till_test_make_tmpdir ();
  config = g_build_filename (cert_dir, "openssl.cnf", NULL);
  ca = g_build_filename (cert_dir, "ca.pem", NULL);
  ck_assert (g_file_set_contents (config, openssl_config, -1, NULL));
  run_openssl (make_ca);
  make_signed_certificate ("server", "/CN=127.0.0.1");
  make_signed_certificate ("client", "/CN=" WECHAT_MCH_ID);
  server_certificate = load_certificate ("server");
  client_certificate = load_certificate ("client");
  tls_database = g_tls_file_database_new (ca, &error);
  ck_assert_msg (tls_database != NULL, "%s", error != NULL ? error->message : "");

  start_sim (server_certificate);
  ck_assert (g_str_has_prefix (sim_url, "https://127.0.0.1:"));
}

/* Scenario tests: each runs once per provider (_i is the Provider). */

START_TEST (test_success)
{
  g_autoptr (TillWalletClient) client = make_client (_i);
  g_autofree char *out_trade_no = make_out_trade_no ();
  g_autofree char *code = make_code (_i, 0);
  g_autoptr (TillWalletReply) reply = pay (client, out_trade_no, code, AMOUNT);
  g_autoptr (TillWalletReply) again = NULL;

  assert_outcome (reply, TILL_WALLET_OUTCOME_DONE);
  ck_assert (!reply->waiting_for_user);
  ck_assert_ptr_nonnull (reply->transaction_id);
  ck_assert_int_eq (reply->amount, AMOUNT);
  ck_assert_uint_eq (till_paysim_count_charges (sim, out_trade_no), 1);
  ck_assert_int_eq (till_paysim_get_charged (sim, out_trade_no), AMOUNT);
  ck_assert_uint_eq (till_paysim_count_requests (sim, "pay"), 1);

  /* The same out_trade_no paid again takes nothing more. */
  again = pay (client, out_trade_no, code, AMOUNT);
  ck_assert_msg (again->outcome != TILL_WALLET_OUTCOME_NOT_DONE,
                 "a repeat of a paid order must not read as unpaid (code %s)", again->code);
  ck_assert_uint_eq (till_paysim_count_charges (sim, out_trade_no), 1);
  ck_assert_int_eq (till_paysim_get_charged (sim, out_trade_no), AMOUNT);
  ck_assert_uint_eq (till_paysim_count_requests (sim, "pay"), 2);
}
END_TEST

START_TEST (test_password_then_paid)
{
  g_autoptr (TillWalletClient) client = make_client (_i);
  g_autofree char *out_trade_no = make_out_trade_no ();
  g_autofree char *code = make_code (_i, 11);
  g_autoptr (TillWalletReply) reply = pay (client, out_trade_no, code, AMOUNT);

  assert_outcome (reply, TILL_WALLET_OUTCOME_UNKNOWN);
  ck_assert (reply->waiting_for_user);
  ck_assert_uint_eq (till_paysim_count_charges (sim, out_trade_no), 0);

  for (int i = 0; i < 2; i++)
    {
      g_autoptr (TillWalletReply) waiting = query (client, out_trade_no);

      assert_outcome (waiting, TILL_WALLET_OUTCOME_UNKNOWN);
      ck_assert (waiting->waiting_for_user);
      ck_assert_uint_eq (till_paysim_count_charges (sim, out_trade_no), 0);
    }
  {
    g_autoptr (TillWalletReply) paid = query (client, out_trade_no);

    assert_outcome (paid, TILL_WALLET_OUTCOME_DONE);
    ck_assert_ptr_nonnull (paid->transaction_id);
    ck_assert_int_eq (paid->amount, AMOUNT);
  }
  ck_assert_uint_eq (till_paysim_count_charges (sim, out_trade_no), 1);
  ck_assert_int_eq (till_paysim_get_charged (sim, out_trade_no), AMOUNT);
  ck_assert_uint_eq (till_paysim_count_requests (sim, "query"), 3);
}
END_TEST

START_TEST (test_never_confirms_reversed)
{
  g_autoptr (TillWalletClient) client = make_client (_i);
  g_autofree char *out_trade_no = make_out_trade_no ();
  g_autofree char *code = make_code (_i, 12);
  g_autoptr (TillWalletReply) reply = pay (client, out_trade_no, code, AMOUNT);
  g_autoptr (TillWalletReply) waiting = NULL;
  g_autoptr (TillWalletReply) reversed = NULL;
  g_autoptr (TillWalletReply) closed = NULL;
  g_autoptr (TillWalletReply) late = NULL;

  assert_outcome (reply, TILL_WALLET_OUTCOME_UNKNOWN);
  ck_assert (reply->waiting_for_user);
  for (int i = 0; i < 4; i++)
    {
      g_clear_pointer (&waiting, till_wallet_reply_free);
      waiting = query (client, out_trade_no);
      assert_outcome (waiting, TILL_WALLET_OUTCOME_UNKNOWN);
      ck_assert (waiting->waiting_for_user);
    }

  reversed = reverse (client, out_trade_no);
  assert_outcome (reversed, TILL_WALLET_OUTCOME_DONE);
  ck_assert (!reversed->retry);
  ck_assert_msg (!reversed->refunded, "nothing was taken, so nothing went back");
  ck_assert (till_paysim_is_reversed (sim, out_trade_no));
  ck_assert_uint_eq (till_paysim_count_charges (sim, out_trade_no), 0);
  ck_assert_int_eq (till_paysim_get_charged (sim, out_trade_no), 0);

  closed = query (client, out_trade_no);
  assert_outcome (closed, TILL_WALLET_OUTCOME_NOT_DONE);

  /* A pay request that arrives after the reversal charges nothing. */
  late = pay (client, out_trade_no, code, AMOUNT);
  ck_assert (late->outcome != TILL_WALLET_OUTCOME_DONE);
  ck_assert_uint_eq (till_paysim_count_charges (sim, out_trade_no), 0);
}
END_TEST

static const char *const no_balance_codes[N_PROVIDERS] = { "NOTENOUGH",
                                                           "ACQ.BUYER_BALANCE_NOT_ENOUGH",
                                                           "INSUFFICIENT_BALANCE" };

START_TEST (test_no_balance)
{
  g_autoptr (TillWalletClient) client = make_client (_i);
  g_autofree char *out_trade_no = make_out_trade_no ();
  g_autofree char *code = make_code (_i, 21);
  g_autoptr (TillWalletReply) reply = pay (client, out_trade_no, code, AMOUNT);
  g_autoptr (TillWalletReply) queried = NULL;

  assert_outcome (reply, TILL_WALLET_OUTCOME_NOT_DONE);
  ck_assert_str_eq (reply->code, no_balance_codes[_i]);
  ck_assert_ptr_nonnull (reply->message);
  ck_assert_uint_eq (till_paysim_count_charges (sim, out_trade_no), 0);

  queried = query (client, out_trade_no);
  ck_assert (queried->outcome != TILL_WALLET_OUTCOME_DONE);
}
END_TEST

START_TEST (test_system_error_unpaid)
{
  g_autoptr (TillWalletClient) client = make_client (_i);
  g_autofree char *out_trade_no = make_out_trade_no ();
  g_autofree char *code = make_code (_i, 31);
  g_autoptr (TillWalletReply) reply = pay (client, out_trade_no, code, AMOUNT);
  g_autoptr (TillWalletReply) queried = NULL;
  g_autoptr (TillWalletReply) reversed = NULL;

  assert_outcome (reply, TILL_WALLET_OUTCOME_UNKNOWN);
  ck_assert (!reply->offline);
  ck_assert_uint_eq (till_paysim_count_charges (sim, out_trade_no), 0);

  queried = query (client, out_trade_no);
  ck_assert_msg (queried->outcome != TILL_WALLET_OUTCOME_DONE, "nothing was taken");

  reversed = reverse (client, out_trade_no);
  assert_outcome (reversed, TILL_WALLET_OUTCOME_DONE);
  ck_assert (!reversed->refunded);
  ck_assert (till_paysim_is_reversed (sim, out_trade_no));
  ck_assert_int_eq (till_paysim_get_charged (sim, out_trade_no), 0);
}
END_TEST

START_TEST (test_system_error_paid)
{
  g_autoptr (TillWalletClient) client = make_client (_i);
  g_autofree char *out_trade_no = make_out_trade_no ();
  g_autofree char *code = make_code (_i, 32);
  g_autoptr (TillWalletReply) reply = pay (client, out_trade_no, code, AMOUNT);
  g_autoptr (TillWalletReply) queried = NULL;

  assert_outcome (reply, TILL_WALLET_OUTCOME_UNKNOWN);
  ck_assert_uint_eq (till_paysim_count_charges (sim, out_trade_no), 1);

  queried = query (client, out_trade_no);
  assert_outcome (queried, TILL_WALLET_OUTCOME_DONE);
  ck_assert_int_eq (queried->amount, AMOUNT);
  ck_assert_ptr_nonnull (queried->transaction_id);
  ck_assert_uint_eq (till_paysim_count_charges (sim, out_trade_no), 1);
}
END_TEST

/* WeChat and Alipay sign their replies; the aggregator's are not signed. */
START_TEST (test_bad_reply_signature)
{
  g_autoptr (TillWalletClient) client = make_client (_i);
  g_autofree char *out_trade_no = make_out_trade_no ();
  g_autofree char *code = make_code (_i, 41);
  g_autoptr (TillWalletReply) reply = NULL;
  g_autoptr (TillWalletReply) queried = NULL;

  /* The client warns about a forged-looking reply; the tests run with
   * fatal warnings, so that one is expected. */
  g_test_expect_message (_i == WECHAT ? "till-wechat-pay" : "till-alipay", G_LOG_LEVEL_WARNING,
                         "*signature*");
  reply = pay (client, out_trade_no, code, AMOUNT);
  g_test_assert_expected_messages ();
  assert_outcome (reply, TILL_WALLET_OUTCOME_UNKNOWN);
  ck_assert_str_eq (reply->code, "BAD_SIGNATURE");
  ck_assert_uint_eq (till_paysim_count_charges (sim, out_trade_no), 1);

  /* The query's reply is signed properly: the payment is confirmed. */
  queried = query (client, out_trade_no);
  assert_outcome (queried, TILL_WALLET_OUTCOME_DONE);
  ck_assert_uint_eq (till_paysim_count_charges (sim, out_trade_no), 1);
}
END_TEST

START_TEST (test_reply_dropped_after_charge)
{
  g_autoptr (TillWalletClient) client = make_client (_i);
  g_autofree char *out_trade_no = make_out_trade_no ();
  g_autofree char *code = make_code (_i, 51);
  g_autoptr (TillWalletReply) reply = pay (client, out_trade_no, code, AMOUNT);
  g_autoptr (TillWalletReply) queried = NULL;
  g_autoptr (TillWalletReply) again = NULL;

  assert_outcome (reply, TILL_WALLET_OUTCOME_UNKNOWN);
  ck_assert_msg (!reply->offline, "the request reached the provider");
  ck_assert_uint_eq (till_paysim_count_charges (sim, out_trade_no), 1);

  queried = query (client, out_trade_no);
  assert_outcome (queried, TILL_WALLET_OUTCOME_DONE);

  /* Sending the pay again with the same number never charges twice. */
  again = pay (client, out_trade_no, code, AMOUNT);
  ck_assert (again->outcome != TILL_WALLET_OUTCOME_NOT_DONE);
  ck_assert_uint_eq (till_paysim_count_charges (sim, out_trade_no), 1);
  ck_assert_int_eq (till_paysim_get_charged (sim, out_trade_no), AMOUNT);
}
END_TEST

START_TEST (test_reply_stalls_after_charge)
{
  g_autoptr (TillWalletClient) client = make_client_full (_i, FALSE, 1, TRUE);
  g_autofree char *out_trade_no = make_out_trade_no ();
  g_autofree char *code = make_code (_i, 52);
  g_autoptr (TillWalletReply) reply = NULL;
  g_autoptr (TillWalletReply) queried = NULL;
  gint64 started = g_get_monotonic_time ();

  till_paysim_set_stall_ms (sim, 5000);
  reply = pay (client, out_trade_no, code, AMOUNT);
  assert_outcome (reply, TILL_WALLET_OUTCOME_UNKNOWN);
  ck_assert (!reply->offline);
  /* The client gave up at its own timeout, well before the stall ended. */
  ck_assert_int_lt (g_get_monotonic_time () - started, 4 * G_TIME_SPAN_SECOND);
  ck_assert_uint_eq (till_paysim_count_charges (sim, out_trade_no), 1);

  /* The simulator answers other requests while one stalls. */
  queried = query (client, out_trade_no);
  assert_outcome (queried, TILL_WALLET_OUTCOME_DONE);
  ck_assert_uint_eq (till_paysim_count_charges (sim, out_trade_no), 1);
}
END_TEST

static const char *const expired_codes[N_PROVIDERS] = { "AUTHCODEEXPIRE",
                                                        "ACQ.PAYMENT_AUTH_CODE_INVALID",
                                                        "EXPIRED_BARCODE" };
static const char *const used_codes[N_PROVIDERS] = { "AUTH_CODE_INVALID",
                                                     "ACQ.PAYMENT_AUTH_CODE_INVALID",
                                                     "EXPIRED_BARCODE" };

START_TEST (test_code_expired)
{
  g_autoptr (TillWalletClient) client = make_client (_i);
  g_autofree char *out_trade_no = make_out_trade_no ();
  g_autofree char *code = make_code (_i, 61);
  g_autoptr (TillWalletReply) reply = pay (client, out_trade_no, code, AMOUNT);

  assert_outcome (reply, TILL_WALLET_OUTCOME_NOT_DONE);
  ck_assert_str_eq (reply->code, expired_codes[_i]);
  ck_assert_uint_eq (till_paysim_count_charges (sim, out_trade_no), 0);
  ck_assert_uint_eq (till_paysim_count_requests (sim, "pay"), 1);
}
END_TEST

START_TEST (test_code_used_twice)
{
  g_autoptr (TillWalletClient) client = make_client (_i);
  g_autofree char *first = make_out_trade_no ();
  g_autofree char *second = make_out_trade_no ();
  g_autofree char *code = make_code (_i, 1);
  g_autoptr (TillWalletReply) paid = pay (client, first, code, AMOUNT);
  g_autoptr (TillWalletReply) refused = pay (client, second, code, 100);

  assert_outcome (paid, TILL_WALLET_OUTCOME_DONE);
  assert_outcome (refused, TILL_WALLET_OUTCOME_NOT_DONE);
  ck_assert_str_eq (refused->code, used_codes[_i]);
  ck_assert_uint_eq (till_paysim_count_charges (sim, first), 1);
  ck_assert_uint_eq (till_paysim_count_charges (sim, second), 0);
}
END_TEST

START_TEST (test_reverse_after_charge)
{
  g_autoptr (TillWalletClient) client = make_client (_i);
  g_autofree char *out_trade_no = make_out_trade_no ();
  g_autofree char *code = make_code (_i, 2);
  g_autoptr (TillWalletReply) paid = pay (client, out_trade_no, code, AMOUNT);
  g_autoptr (TillWalletReply) reversed = NULL;
  g_autoptr (TillWalletReply) again = NULL;
  g_autoptr (TillWalletReply) queried = NULL;

  assert_outcome (paid, TILL_WALLET_OUTCOME_DONE);
  reversed = reverse (client, out_trade_no);
  assert_outcome (reversed, TILL_WALLET_OUTCOME_DONE);
  ck_assert (!reversed->retry);
  /* WeChat's reverse reply does not say whether money moved (recall only). */
  if (_i != WECHAT)
    ck_assert_msg (reversed->refunded, "cancel of a paid trade says action=refund");
  ck_assert (till_paysim_is_reversed (sim, out_trade_no));
  ck_assert_int_eq (till_paysim_get_charged (sim, out_trade_no), 0);
  ck_assert_int_eq (till_paysim_get_refunded (sim, out_trade_no), AMOUNT);

  /* Reversal is idempotent: a second one moves no more money. */
  again = reverse (client, out_trade_no);
  assert_outcome (again, TILL_WALLET_OUTCOME_DONE);
  ck_assert_int_eq (till_paysim_get_refunded (sim, out_trade_no), AMOUNT);
  ck_assert_uint_eq (till_paysim_count_requests (sim, "reverse"), 2);

  queried = query (client, out_trade_no);
  assert_outcome (queried, TILL_WALLET_OUTCOME_NOT_DONE);
}
END_TEST

START_TEST (test_refund)
{
  g_autoptr (TillWalletClient) client = make_client (_i);
  g_autofree char *out_trade_no = make_out_trade_no ();
  g_autofree char *code = make_code (_i, 3);
  g_autoptr (TillWalletReply) paid = pay (client, out_trade_no, code, AMOUNT);
  g_autoptr (TillWalletReply) first = NULL;
  g_autoptr (TillWalletReply) repeat = NULL;
  g_autoptr (TillWalletReply) rest = NULL;
  g_autoptr (TillWalletReply) too_much = NULL;

  assert_outcome (paid, TILL_WALLET_OUTCOME_DONE);

  first = refund (client, out_trade_no, "R1", 300);
  assert_outcome (first, TILL_WALLET_OUTCOME_DONE);
  ck_assert_int_eq (till_paysim_get_refunded (sim, out_trade_no), 300);
  ck_assert_int_eq (till_paysim_get_charged (sim, out_trade_no), AMOUNT - 300);

  /* The same refund number again is the same refund. */
  repeat = refund (client, out_trade_no, "R1", 300);
  assert_outcome (repeat, TILL_WALLET_OUTCOME_DONE);
  ck_assert_int_eq (till_paysim_get_refunded (sim, out_trade_no), 300);

  rest = refund (client, out_trade_no, "R2", AMOUNT - 300);
  assert_outcome (rest, TILL_WALLET_OUTCOME_DONE);
  ck_assert_int_eq (till_paysim_get_refunded (sim, out_trade_no), AMOUNT);
  ck_assert_int_eq (till_paysim_get_charged (sim, out_trade_no), 0);

  too_much = refund (client, out_trade_no, "R3", 1);
  assert_outcome (too_much, TILL_WALLET_OUTCOME_NOT_DONE);
  ck_assert_int_eq (till_paysim_get_refunded (sim, out_trade_no), AMOUNT);
  ck_assert_uint_eq (till_paysim_count_requests (sim, "refund"), 4);
  ck_assert_uint_eq (till_paysim_count_charges (sim, out_trade_no), 1);
}
END_TEST

START_TEST (test_wrong_key_refused)
{
  g_autoptr (TillWalletClient) client = make_client_full (_i, TRUE, 5, TRUE);
  g_autofree char *out_trade_no = make_out_trade_no ();
  g_autofree char *code = make_code (_i, 0);
  g_autoptr (TillWalletReply) reply = pay (client, out_trade_no, code, AMOUNT);

  ck_assert_msg (reply->outcome != TILL_WALLET_OUTCOME_DONE, "a badly signed request was paid");
  ck_assert_uint_eq (till_paysim_count_requests (sim, "pay"), 1);
  ck_assert_uint_eq (till_paysim_count_charges (sim, out_trade_no), 0);
  ck_assert_int_eq (till_paysim_get_charged (sim, out_trade_no), 0);

  /* The code was not spent: the right key pays with it. */
  {
    g_autoptr (TillWalletClient) good = make_client (_i);
    g_autoptr (TillWalletReply) paid = pay (good, out_trade_no, code, AMOUNT);

    assert_outcome (paid, TILL_WALLET_OUTCOME_DONE);
    ck_assert_uint_eq (till_paysim_count_charges (sim, out_trade_no), 1);
  }
}
END_TEST

START_TEST (test_unknown_order)
{
  g_autoptr (TillWalletClient) client = make_client (_i);
  g_autoptr (TillWalletReply) queried = query (client, "T01NEVERSENT0001");

  ck_assert (queried->outcome != TILL_WALLET_OUTCOME_DONE);
  ck_assert_uint_eq (till_paysim_count_charges (sim, "T01NEVERSENT0001"), 0);
}
END_TEST

/* Simulator-level behaviour. */

START_TEST (test_wait_for_requests)
{
  g_autoptr (TillWalletClient) client = make_client (WECHAT);
  g_autofree char *out_trade_no = make_out_trade_no ();
  g_autofree char *code = make_code (WECHAT, 0);
  g_autoptr (TillWalletReply) reply = NULL;
  gint64 started = g_get_monotonic_time ();

  ck_assert (!till_paysim_wait_for_requests (sim, "pay", 1, 200));
  ck_assert_int_ge (g_get_monotonic_time () - started, 200 * G_TIME_SPAN_MILLISECOND);

  reply = pay (client, out_trade_no, code, AMOUNT);
  assert_outcome (reply, TILL_WALLET_OUTCOME_DONE);
  ck_assert (till_paysim_wait_for_requests (sim, "pay", 1, 0));
  ck_assert (!till_paysim_wait_for_requests (sim, "pay", 2, 50));
  ck_assert_uint_eq (till_paysim_count_requests (sim, "query"), 0);
}
END_TEST

static gpointer
wait_for_two_pays_thread (gpointer user_data)
{
  return GINT_TO_POINTER (till_paysim_wait_for_requests (user_data, "pay", 2, 30000));
}

START_TEST (test_wait_for_requests_from_another_thread)
{
  g_autoptr (TillWalletClient) client = make_client (ALIPAY);
  g_autofree char *first = make_out_trade_no ();
  g_autofree char *second = make_out_trade_no ();
  g_autofree char *first_code = make_code (ALIPAY, 0);
  g_autofree char *second_code = make_code (ALIPAY, 0);
  g_autoptr (TillWalletReply) first_reply = NULL;
  g_autoptr (TillWalletReply) second_reply = NULL;
  GThread *waiter = g_thread_new ("waiter", wait_for_two_pays_thread, sim);

  /* The waiter wakes when the second request arrives, not before. */
  first_reply = pay (client, first, first_code, AMOUNT);
  second_reply = pay (client, second, second_code, AMOUNT);
  ck_assert (GPOINTER_TO_INT (g_thread_join (waiter)));
  assert_outcome (first_reply, TILL_WALLET_OUTCOME_DONE);
  assert_outcome (second_reply, TILL_WALLET_OUTCOME_DONE);
}
END_TEST

static gboolean
quit_loop_cb (gpointer user_data)
{
  g_main_loop_quit (user_data);
  return G_SOURCE_REMOVE;
}

START_TEST (test_stall_ends_after_client_left)
{
  g_autoptr (TillWalletClient) client = make_client_full (_i, FALSE, 1, TRUE);
  g_autofree char *out_trade_no = make_out_trade_no ();
  g_autofree char *code = make_code (_i, 52);
  g_autoptr (TillWalletReply) reply = NULL;
  g_autoptr (TillWalletReply) queried = NULL;
  g_autoptr (GMainLoop) loop = g_main_loop_new (NULL, FALSE);

  /* The held reply is released after the till hung up: the simulator
   * carries on quietly (warnings are fatal here). */
  till_paysim_set_stall_ms (sim, 1500);
  reply = pay (client, out_trade_no, code, AMOUNT);
  assert_outcome (reply, TILL_WALLET_OUTCOME_UNKNOWN);
  g_timeout_add (1500, quit_loop_cb, loop);
  g_main_loop_run (loop);

  queried = query (client, out_trade_no);
  assert_outcome (queried, TILL_WALLET_OUTCOME_DONE);
  ck_assert_uint_eq (till_paysim_count_charges (sim, out_trade_no), 1);
}
END_TEST

START_TEST (test_stop_with_stalled_reply)
{
  g_autoptr (TillWalletClient) client = make_client_full (WECHAT, FALSE, 1, TRUE);
  g_autofree char *out_trade_no = make_out_trade_no ();
  g_autofree char *code = make_code (WECHAT, 52);
  g_autoptr (TillWalletReply) reply = pay (client, out_trade_no, code, AMOUNT);

  /* Stopping with a reply still held closes it and frees everything. */
  assert_outcome (reply, TILL_WALLET_OUTCOME_UNKNOWN);
  till_paysim_stop (sim);
  ck_assert_uint_eq (till_paysim_count_charges (sim, out_trade_no), 1);
}
END_TEST

START_TEST (test_wechat_hmac_sign_type)
{
  g_autoptr (TillWalletClient) client = NULL;
  g_autofree char *out_trade_no = make_out_trade_no ();
  g_autofree char *code = make_code (WECHAT, 0);
  g_autoptr (TillWalletReply) reply = NULL;

  client = TILL_WALLET_CLIENT (g_object_new (
      TILL_TYPE_WECHAT_PAY, "base-url", sim_url, "appid", WECHAT_APPID, "mch-id", WECHAT_MCH_ID,
      "api-key", WECHAT_API_KEY, "sign-type", TILL_WECHAT_SIGN_HMAC_SHA256, "timeout", 5, NULL));
  reply = pay (client, out_trade_no, code, AMOUNT);
  assert_outcome (reply, TILL_WALLET_OUTCOME_DONE);
  ck_assert_uint_eq (till_paysim_count_charges (sim, out_trade_no), 1);
}
END_TEST

/* HTTPS, and WeChat's /secapi/ paths that want the merchant certificate. */

START_TEST (test_https_secapi_needs_client_certificate)
{
  g_autoptr (TillWalletClient) client = make_client_full (WECHAT, FALSE, 5, TRUE);
  g_autoptr (TillWalletClient) no_cert = make_client_full (WECHAT, FALSE, 5, FALSE);
  g_autofree char *out_trade_no = make_out_trade_no ();
  g_autofree char *code = make_code (WECHAT, 0);
  g_autoptr (TillWalletReply) paid = NULL;
  g_autoptr (TillWalletReply) refused_refund = NULL;
  g_autoptr (TillWalletReply) refused_reverse = NULL;
  g_autoptr (TillWalletReply) refunded = NULL;
  g_autoptr (TillWalletReply) reversed = NULL;

  /* /pay/ needs no client certificate. */
  paid = pay (no_cert, out_trade_no, code, AMOUNT);
  assert_outcome (paid, TILL_WALLET_OUTCOME_DONE);
  ck_assert_uint_eq (till_paysim_count_charges (sim, out_trade_no), 1);

  refused_refund = refund (no_cert, out_trade_no, "R1", 100);
  assert_outcome (refused_refund, TILL_WALLET_OUTCOME_NOT_DONE);
  ck_assert_ptr_nonnull (refused_refund->message);
  ck_assert_msg (strstr (refused_refund->message, "证书错误") != NULL, "message %s",
                 refused_refund->message);
  ck_assert_int_eq (till_paysim_get_refunded (sim, out_trade_no), 0);

  refused_reverse = reverse (no_cert, out_trade_no);
  ck_assert (refused_reverse->outcome != TILL_WALLET_OUTCOME_DONE);
  ck_assert (!till_paysim_is_reversed (sim, out_trade_no));
  ck_assert_int_eq (till_paysim_get_charged (sim, out_trade_no), AMOUNT);

  refunded = refund (client, out_trade_no, "R1", 100);
  assert_outcome (refunded, TILL_WALLET_OUTCOME_DONE);
  ck_assert_int_eq (till_paysim_get_refunded (sim, out_trade_no), 100);

  reversed = reverse (client, out_trade_no);
  assert_outcome (reversed, TILL_WALLET_OUTCOME_DONE);
  ck_assert (till_paysim_is_reversed (sim, out_trade_no));
  ck_assert_int_eq (till_paysim_get_charged (sim, out_trade_no), 0);
}
END_TEST

START_TEST (test_https_pay)
{
  g_autoptr (TillWalletClient) client = make_client (_i);
  g_autofree char *out_trade_no = make_out_trade_no ();
  g_autofree char *code = make_code (_i, 0);
  g_autoptr (TillWalletReply) reply = pay (client, out_trade_no, code, AMOUNT);

  assert_outcome (reply, TILL_WALLET_OUTCOME_DONE);
  ck_assert_uint_eq (till_paysim_count_charges (sim, out_trade_no), 1);
}
END_TEST

START_TEST (test_https_untrusted_server)
{
  g_autoptr (TillWalletClient) client = NULL;
  g_autofree char *out_trade_no = make_out_trade_no ();
  g_autofree char *code = make_code (WECHAT, 0);
  g_autoptr (TillWalletReply) reply = NULL;

  /* Without the test CA the till does not trust the simulator. */
  g_clear_object (&tls_database);
  client = make_client (WECHAT);
  reply = pay (client, out_trade_no, code, AMOUNT);
  ck_assert (reply->outcome != TILL_WALLET_OUTCOME_DONE);
  ck_assert_uint_eq (till_paysim_count_charges (sim, out_trade_no), 0);
}
END_TEST

/* The wire format itself, checked without the clients' parsing. */

static char *
post (const char *path,
      const char *content_type,
      const char *body,
      const char *authorization,
      guint      *out_status)
{
  g_autoptr (SoupSession) session = soup_session_new ();
  g_autofree char *url = g_strconcat (sim_url, path, NULL);
  g_autoptr (SoupMessage) message = soup_message_new (SOUP_METHOD_POST, url);
  g_autoptr (GBytes) request = g_bytes_new (body, strlen (body));
  g_autoptr (GBytes) reply = NULL;
  g_autoptr (GError) error = NULL;
  gsize       length;
  const char *data;

  soup_message_set_request_body_from_bytes (message, content_type, request);
  if (authorization != NULL)
    soup_message_headers_replace (soup_message_get_request_headers (message), "Authorization",
                                  authorization);
  /* Synchronous: the simulator answers from its own thread. */
  reply = soup_session_send_and_read (session, message, NULL, &error);
  ck_assert_msg (reply != NULL, "POST %s: %s", path, error != NULL ? error->message : "");
  *out_status = soup_message_get_status (message);
  data = g_bytes_get_data (reply, &length);
  return g_strndup (data, length);
}

static GHashTable *
wechat_post (const char *path, GHashTable *params, const char *api_key, TillWechatSignType type)
{
  g_autofree char *xml = NULL;
  g_autofree char *reply = NULL;
  g_autoptr (GError) error = NULL;
  GHashTable *fields;
  guint       status;

  g_hash_table_replace (params, g_strdup ("sign"), till_wechat_sign (params, api_key, type));
  xml = till_wechat_xml_encode (params);
  reply = post (path, "text/xml", xml, NULL, &status);
  ck_assert_uint_eq (status, 200);
  fields = till_wechat_xml_decode (reply, -1, &error);
  ck_assert_msg (fields != NULL, "%s: %s", reply, error != NULL ? error->message : "");
  return fields;
}

static GHashTable *
wechat_params (const char *out_trade_no, gboolean hmac)
{
  GHashTable *params = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  g_hash_table_insert (params, g_strdup ("appid"), g_strdup (WECHAT_APPID));
  g_hash_table_insert (params, g_strdup ("mch_id"), g_strdup (WECHAT_MCH_ID));
  g_hash_table_insert (params, g_strdup ("nonce_str"), g_strdup ("ibuaiVcKdpRxkhJA"));
  g_hash_table_insert (params, g_strdup ("out_trade_no"), g_strdup (out_trade_no));
  if (hmac)
    g_hash_table_insert (params, g_strdup ("sign_type"), g_strdup ("HMAC-SHA256"));
  return params;
}

#define assert_field(fields, name, value)                                                          \
  ck_assert_msg (g_strcmp0 (g_hash_table_lookup ((fields), (name)), (value)) == 0,                 \
                 "%s is %s, expected %s", (name), (char *) g_hash_table_lookup ((fields), (name)), \
                 (value))

static const char *const wechat_paid_fields[] = {
  "return_code", "return_msg",  "appid",          "mch_id",       "nonce_str",
  "sign",        "result_code", "openid",         "trade_type",   "bank_type",
  "total_fee",   "cash_fee",    "transaction_id", "out_trade_no", "time_end",
};

START_TEST (test_wire_wechat_micropay)
{
  gboolean           hmac = _i == 1;
  TillWechatSignType type = hmac ? TILL_WECHAT_SIGN_HMAC_SHA256 : TILL_WECHAT_SIGN_MD5;
  g_autofree char   *out_trade_no = make_out_trade_no ();
  g_autofree char   *code = make_code (WECHAT, 0);
  g_autofree char   *expired = make_code (WECHAT, 61);
  g_autoptr (GHashTable) params = wechat_params (out_trade_no, hmac);
  g_autoptr (GHashTable) paid = NULL;
  g_autoptr (GHashTable) refused = NULL;
  g_autoptr (GHashTable) bad_sign = NULL;
  g_autoptr (GHashTable) repeat = NULL;

  g_hash_table_insert (params, g_strdup ("body"), g_strdup ("测试商品"));
  g_hash_table_insert (params, g_strdup ("total_fee"), g_strdup ("888"));
  g_hash_table_insert (params, g_strdup ("spbill_create_ip"), g_strdup ("8.8.8.8"));
  g_hash_table_insert (params, g_strdup ("auth_code"), g_strdup (code));
  paid = wechat_post ("/pay/micropay", params, WECHAT_API_KEY, type);

  for (gsize i = 0; i < G_N_ELEMENTS (wechat_paid_fields); i++)
    ck_assert_msg (g_hash_table_contains (paid, wechat_paid_fields[i]), "no %s",
                   wechat_paid_fields[i]);
  /* Replies carry no sign_type: they are signed the request's way. */
  ck_assert (!g_hash_table_contains (paid, "sign_type"));
  ck_assert (till_wechat_verify (paid, WECHAT_API_KEY, type));
  ck_assert (!till_wechat_verify (paid, WECHAT_API_KEY,
                                  hmac ? TILL_WECHAT_SIGN_MD5 : TILL_WECHAT_SIGN_HMAC_SHA256));
  assert_field (paid, "return_code", "SUCCESS");
  assert_field (paid, "result_code", "SUCCESS");
  assert_field (paid, "trade_type", "MICROPAY");
  assert_field (paid, "total_fee", "888");
  assert_field (paid, "cash_fee", "888");
  assert_field (paid, "out_trade_no", out_trade_no);
  assert_field (paid, "appid", WECHAT_APPID);
  assert_field (paid, "mch_id", WECHAT_MCH_ID);
  ck_assert_uint_eq (strlen (g_hash_table_lookup (paid, "time_end")), 14);

  /* The same order again: ORDERPAID, signed, no second charge. */
  repeat = wechat_post ("/pay/micropay", params, WECHAT_API_KEY, type);
  assert_field (repeat, "result_code", "FAIL");
  assert_field (repeat, "err_code", "ORDERPAID");
  ck_assert (till_wechat_verify (repeat, WECHAT_API_KEY, type));
  ck_assert_uint_eq (till_paysim_count_charges (sim, out_trade_no), 1);

  /* A business refusal is signed and says why. */
  g_hash_table_replace (params, g_strdup ("out_trade_no"), g_strdup ("T01WIREEXPIRED1"));
  g_hash_table_replace (params, g_strdup ("auth_code"), g_strdup (expired));
  refused = wechat_post ("/pay/micropay", params, WECHAT_API_KEY, type);
  assert_field (refused, "return_code", "SUCCESS");
  assert_field (refused, "result_code", "FAIL");
  assert_field (refused, "err_code", "AUTHCODEEXPIRE");
  ck_assert_ptr_nonnull (g_hash_table_lookup (refused, "err_code_des"));
  ck_assert (till_wechat_verify (refused, WECHAT_API_KEY, type));

  /* A request signed with another key: FAIL 签名错误, unsigned. */
  g_hash_table_replace (params, g_strdup ("out_trade_no"), g_strdup ("T01WIREBADSIGN1"));
  bad_sign = wechat_post ("/pay/micropay", params, "another-key", type);
  assert_field (bad_sign, "return_code", "FAIL");
  assert_field (bad_sign, "return_msg", "签名错误");
  ck_assert (!g_hash_table_contains (bad_sign, "sign"));
  ck_assert_uint_eq (till_paysim_count_charges (sim, "T01WIREBADSIGN1"), 0);
}
END_TEST

START_TEST (test_wire_wechat_reverse_and_query)
{
  g_autofree char *out_trade_no = make_out_trade_no ();
  g_autofree char *code = make_code (WECHAT, 12);
  g_autoptr (GHashTable) params = wechat_params (out_trade_no, FALSE);
  g_autoptr (GHashTable) paying = NULL;
  g_autoptr (GHashTable) reversed = NULL;
  g_autoptr (GHashTable) revoked = NULL;
  g_autoptr (GHashTable) query_params = wechat_params (out_trade_no, FALSE);
  g_autoptr (GHashTable) reverse_params = wechat_params (out_trade_no, FALSE);

  g_hash_table_insert (params, g_strdup ("body"), g_strdup ("测试商品"));
  g_hash_table_insert (params, g_strdup ("total_fee"), g_strdup ("888"));
  g_hash_table_insert (params, g_strdup ("spbill_create_ip"), g_strdup ("8.8.8.8"));
  g_hash_table_insert (params, g_strdup ("auth_code"), g_strdup (code));
  paying = wechat_post ("/pay/micropay", params, WECHAT_API_KEY, TILL_WECHAT_SIGN_MD5);
  assert_field (paying, "err_code", "USERPAYING");

  reversed =
      wechat_post ("/secapi/pay/reverse", reverse_params, WECHAT_API_KEY, TILL_WECHAT_SIGN_MD5);
  assert_field (reversed, "result_code", "SUCCESS");
  assert_field (reversed, "recall", "N");
  ck_assert (till_wechat_verify (reversed, WECHAT_API_KEY, TILL_WECHAT_SIGN_MD5));

  revoked = wechat_post ("/pay/orderquery", query_params, WECHAT_API_KEY, TILL_WECHAT_SIGN_MD5);
  assert_field (revoked, "result_code", "SUCCESS");
  assert_field (revoked, "trade_state", "REVOKED");
  ck_assert_ptr_nonnull (g_hash_table_lookup (revoked, "trade_state_desc"));
}
END_TEST

static char *
alipay_post (GHashTable *params, EVP_PKEY *key)
{
  g_autofree char *content = till_alipay_sign_content (params);
  g_autofree char *form = NULL;
  g_autoptr (GError) error = NULL;
  char *sign = till_alipay_sign (content, key, &error);
  guint status;
  char *reply;

  ck_assert_msg (sign != NULL, "%s", error != NULL ? error->message : "");
  g_hash_table_replace (params, g_strdup ("sign"), sign);
  form = till_alipay_form_encode (params);
  reply =
      post ("/gateway.do", "application/x-www-form-urlencoded;charset=utf-8", form, NULL, &status);
  ck_assert_uint_eq (status, 200);
  return reply;
}

static GHashTable *
alipay_params (const char *method, const char *biz_content)
{
  GHashTable *params = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  g_hash_table_insert (params, g_strdup ("app_id"), g_strdup (ALIPAY_APP_ID));
  g_hash_table_insert (params, g_strdup ("method"), g_strdup (method));
  g_hash_table_insert (params, g_strdup ("charset"), g_strdup ("utf-8"));
  g_hash_table_insert (params, g_strdup ("sign_type"), g_strdup ("RSA2"));
  g_hash_table_insert (params, g_strdup ("timestamp"), g_strdup ("2026-11-23 10:00:00"));
  g_hash_table_insert (params, g_strdup ("version"), g_strdup ("1.0"));
  g_hash_table_insert (params, g_strdup ("biz_content"), g_strdup (biz_content));
  return params;
}

START_TEST (test_wire_alipay)
{
  g_autofree char *out_trade_no = make_out_trade_no ();
  g_autofree char *code = make_code (ALIPAY, 0);
  g_autofree char *biz = g_strdup_printf ("{\"out_trade_no\":\"%s\",\"scene\":\"bar_code\","
                                          "\"auth_code\":\"%s\",\"subject\":\"测试\","
                                          "\"total_amount\":\"8.88\"}",
                                          out_trade_no, code);
  g_autofree char *refund_biz = g_strdup_printf ("{\"out_trade_no\":\"%s\",\"refund_amount\":"
                                                 "\"1.00\",\"out_request_no\":\"R1\"}",
                                                 out_trade_no);
  g_autoptr (GHashTable) params = alipay_params ("alipay.trade.pay", biz);
  g_autoptr (GHashTable) bad_params = alipay_params ("alipay.trade.pay", biz);
  g_autoptr (GHashTable) refund_params = alipay_params ("alipay.trade.refund", refund_biz);
  g_autoptr (GHashTable) repeat_params = alipay_params ("alipay.trade.refund", refund_biz);
  g_autofree char *reply = alipay_post (params, app_key);
  g_autofree char *refused = alipay_post (bad_params, alipay_key);
  g_autofree char *refunded = NULL;
  g_autofree char *repeated = NULL;
  g_autofree char *sign = NULL;
  g_autofree char *node = NULL;
  gsize            start = 0;
  gsize            length = 0;

  ck_assert_msg (g_str_has_prefix (reply, "{\"alipay_trade_pay_response\":{"), "%s", reply);
  ck_assert (till_alipay_reply_extract (reply, strlen (reply), "alipay_trade_pay_response", &start,
                                        &length, &sign));
  ck_assert_ptr_nonnull (sign);
  /* Signed over the node's exact bytes with Alipay's key, not the app's. */
  ck_assert (till_alipay_verify (reply + start, length, sign, alipay_public_key));
  ck_assert (!till_alipay_verify (reply + start, length, sign, app_public_key));
  node = g_strndup (reply + start, length);
  ck_assert_msg (strstr (node, "\"code\":\"10000\"") != NULL, "%s", node);
  ck_assert_msg (strstr (node, "\"total_amount\":\"8.88\"") != NULL, "%s", node);
  ck_assert_int_eq (till_paysim_get_charged (sim, out_trade_no), 888);

  ck_assert_str_eq (refused, "{\"error_response\":{\"code\":\"40002\",\"msg\":\"Invalid "
                             "Arguments\",\"sub_code\":\"isv.invalid-signature\","
                             "\"sub_msg\":\"验签出错\"}}");

  refunded = alipay_post (refund_params, app_key);
  repeated = alipay_post (repeat_params, app_key);
  ck_assert_msg (strstr (refunded, "\"fund_change\":\"Y\"") != NULL, "%s", refunded);
  ck_assert_msg (strstr (repeated, "\"fund_change\":\"N\"") != NULL, "%s", repeated);
  ck_assert_int_eq (till_paysim_get_refunded (sim, out_trade_no), 100);
  ck_assert_uint_eq (till_paysim_count_requests (sim, "refund"), 2);
}
END_TEST

START_TEST (test_wire_aggregator_authorization)
{
  g_autofree char *body = g_strdup_printf ("{\"terminal_sn\":\"%s\",\"client_sn\":\"T01AGG1\","
                                           "\"total_amount\":\"888\",\"dynamic_id\":"
                                           "\"6212345678901234500\",\"subject\":\"测试\"}",
                                           TERMINAL_SN);
  g_autofree char *good = till_aggregator_sign (TERMINAL_SN, TERMINAL_KEY, body, strlen (body));
  g_autofree char *bad = till_aggregator_sign (TERMINAL_SN, "wrong", body, strlen (body));
  g_autofree char *refused = NULL;
  g_autofree char *paid = NULL;
  guint            status;

  refused = post ("/upay/v2/pay", "application/json", body, bad, &status);
  ck_assert_uint_eq (status, 401);
  ck_assert_msg (strstr (refused, "\"result_code\":\"401\"") != NULL, "%s", refused);
  ck_assert_uint_eq (till_paysim_count_charges (sim, "T01AGG1"), 0);

  paid = post ("/upay/v2/pay", "application/json", body, good, &status);
  ck_assert_uint_eq (status, 200);
  ck_assert_msg (strstr (paid, "\"result_code\":\"PAY_SUCCESS\"") != NULL, "%s", paid);
  ck_assert_msg (strstr (paid, "\"order_status\":\"PAID\"") != NULL, "%s", paid);
  ck_assert_uint_eq (till_paysim_count_charges (sim, "T01AGG1"), 1);
  ck_assert_uint_eq (till_paysim_count_requests (sim, "pay"), 2);
}
END_TEST

/* Many payments in flight at once: each charged once, none mixed up. */

#define N_CONCURRENT 24

typedef struct
{
  int              pending;
  GMainLoop       *loop;
  TillWalletReply *replies[N_CONCURRENT];
} Batch;

typedef struct
{
  Batch *batch;
  int    index;
} BatchCall;

static void
batch_done_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  BatchCall *call = user_data;

  call->batch->replies[call->index] =
      till_wallet_client_call_finish (TILL_WALLET_CLIENT (source), result, NULL);
  if (--call->batch->pending == 0)
    g_main_loop_quit (call->batch->loop);
  g_free (call);
}

START_TEST (test_concurrent_payments)
{
  TillWalletClient *clients[N_PROVIDERS] = { NULL };
  char             *out_trade_nos[N_CONCURRENT];
  Batch             batch = { N_CONCURRENT, g_main_loop_new (NULL, FALSE), { NULL } };
  guint             deadline;

  for (int p = 0; p < N_PROVIDERS; p++)
    clients[p] = make_client (p);
  for (int i = 0; i < N_CONCURRENT; i++)
    {
      g_autofree char *code = make_code (i % N_PROVIDERS, i % 10);
      BatchCall       *call = g_new (BatchCall, 1);

      call->batch = &batch;
      call->index = i;
      out_trade_nos[i] = make_out_trade_no ();
      till_wallet_client_pay_async (clients[i % N_PROVIDERS], out_trade_nos[i], code, 100 + i,
                                    "并发", NULL, batch_done_cb, call);
    }
  deadline = g_timeout_add_seconds (60, call_deadline_cb, NULL);
  g_main_loop_run (batch.loop);
  g_source_remove (deadline);
  g_main_loop_unref (batch.loop);

  for (int i = 0; i < N_CONCURRENT; i++)
    {
      ck_assert_ptr_nonnull (batch.replies[i]);
      assert_outcome (batch.replies[i], TILL_WALLET_OUTCOME_DONE);
      ck_assert_int_eq (batch.replies[i]->amount, 100 + i);
      ck_assert_uint_eq (till_paysim_count_charges (sim, out_trade_nos[i]), 1);
      ck_assert_int_eq (till_paysim_get_charged (sim, out_trade_nos[i]), 100 + i);
      till_wallet_reply_free (batch.replies[i]);
      g_free (out_trade_nos[i]);
    }
  ck_assert_uint_eq (till_paysim_count_requests (sim, "pay"), N_CONCURRENT);
  for (int p = 0; p < N_PROVIDERS; p++)
    g_object_unref (clients[p]);
}
END_TEST

static void
add_provider_tests (TCase *tcase, Provider provider)
{
  tcase_add_loop_test (tcase, test_success, provider, provider + 1);
  tcase_add_loop_test (tcase, test_password_then_paid, provider, provider + 1);
  tcase_add_loop_test (tcase, test_never_confirms_reversed, provider, provider + 1);
  tcase_add_loop_test (tcase, test_no_balance, provider, provider + 1);
  tcase_add_loop_test (tcase, test_system_error_unpaid, provider, provider + 1);
  tcase_add_loop_test (tcase, test_system_error_paid, provider, provider + 1);
  if (provider != AGGREGATOR)
    tcase_add_loop_test (tcase, test_bad_reply_signature, provider, provider + 1);
  tcase_add_loop_test (tcase, test_reply_dropped_after_charge, provider, provider + 1);
  tcase_add_loop_test (tcase, test_reply_stalls_after_charge, provider, provider + 1);
  tcase_add_loop_test (tcase, test_code_expired, provider, provider + 1);
  tcase_add_loop_test (tcase, test_code_used_twice, provider, provider + 1);
  tcase_add_loop_test (tcase, test_reverse_after_charge, provider, provider + 1);
  tcase_add_loop_test (tcase, test_refund, provider, provider + 1);
  tcase_add_loop_test (tcase, test_wrong_key_refused, provider, provider + 1);
  tcase_add_loop_test (tcase, test_unknown_order, provider, provider + 1);
}

static Suite *
paysim_suite (void)
{
  Suite *suite = suite_create ("paysim");
  TCase *tcase;

  for (Provider provider = 0; provider < N_PROVIDERS; provider++)
    {
      /* Check keeps the name pointer: static strings only. */
      tcase = tcase_create (tcase_names[provider]);
      tcase_add_checked_fixture (tcase, setup_http, teardown);
      tcase_set_timeout (tcase, 120);
      add_provider_tests (tcase, provider);
      suite_add_tcase (suite, tcase);
    }

  tcase = tcase_create ("/pay/paysim/server");
  tcase_add_checked_fixture (tcase, setup_http, teardown);
  tcase_set_timeout (tcase, 60);
  tcase_add_test (tcase, test_wait_for_requests);
  tcase_add_test (tcase, test_wait_for_requests_from_another_thread);
  tcase_add_test (tcase, test_stop_with_stalled_reply);
  tcase_add_loop_test (tcase, test_stall_ends_after_client_left, WECHAT, N_PROVIDERS);
  tcase_add_test (tcase, test_wechat_hmac_sign_type);
  tcase_add_test (tcase, test_concurrent_payments);
  suite_add_tcase (suite, tcase);

  tcase = tcase_create ("/pay/paysim/wire");
  tcase_add_checked_fixture (tcase, setup_http, teardown);
  tcase_set_timeout (tcase, 60);
  /* _i: 0 MD5 (no sign_type sent), 1 HMAC-SHA256. */
  tcase_add_loop_test (tcase, test_wire_wechat_micropay, 0, 2);
  tcase_add_test (tcase, test_wire_wechat_reverse_and_query);
  tcase_add_test (tcase, test_wire_alipay);
  tcase_add_test (tcase, test_wire_aggregator_authorization);
  suite_add_tcase (suite, tcase);

  tcase = tcase_create ("/pay/paysim/https");
  tcase_add_checked_fixture (tcase, setup_https, teardown);
  tcase_set_timeout (tcase, 120);
  tcase_add_test (tcase, test_https_secapi_needs_client_certificate);
  tcase_add_loop_test (tcase, test_https_pay, WECHAT, N_PROVIDERS);
  tcase_add_test (tcase, test_https_untrusted_server);
  suite_add_tcase (suite, tcase);

  return suite;
}

int
main (void)
{
  int status;

  app_key = EVP_RSA_gen (2048);
  alipay_key = EVP_RSA_gen (2048);
  if (app_key == NULL || alipay_key == NULL)
    {
      g_printerr ("cannot make RSA keys\n");
      return 1;
    }
  app_public_key = public_half (app_key);
  alipay_public_key = public_half (alipay_key);
  if (app_public_key == NULL || alipay_public_key == NULL)
    {
      g_printerr ("cannot take the public half of the RSA keys\n");
      return 1;
    }

  status = till_test_run_suite (paysim_suite ());

  EVP_PKEY_free (app_key);
  EVP_PKEY_free (alipay_key);
  EVP_PKEY_free (app_public_key);
  EVP_PKEY_free (alipay_public_key);
  return status;
}
