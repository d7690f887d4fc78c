/* test-aggregator-pay.c: tests for src/pay/till-aggregator-pay.c: the
 * Authorization header against md5sum, reply mapping, and the request a
 * loopback server receives
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "till-aggregator-pay.h"
#include "till-test-util.h"

#define TERMINAL_SN "100000330006000123"
#define TERMINAL_KEY "c8b7d8ff5e22e7a5e9a6b5ac9d1e0f3a"

/* lower hex MD5 of @data by coreutils' md5sum, independent of the code. */
static char *
md5sum (const char *data)
{
  g_autofree char *dir = till_test_make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "body", NULL);
  const char      *argv[] = { "md5sum", path, NULL };
  g_autofree char *out = NULL;
  int              status = 0;

  ck_assert (g_file_set_contents (path, data, -1, NULL));
  ck_assert (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, NULL,
                           &status, NULL));
  ck_assert (g_spawn_check_wait_status (status, NULL));
  till_test_remove_tree (dir);
  return g_strndup (out, 32);
}

/* /pay/aggregator-pay/sign */
START_TEST (test_sign)
{
  const char      *body = "{\"terminal_sn\":\"" TERMINAL_SN "\",\"client_sn\":\"T1\","
                          "\"total_amount\":\"888\",\"subject\":\"矿泉水\"}";
  g_autofree char *joined = g_strconcat (body, TERMINAL_KEY, NULL);
  g_autofree char *digest = md5sum (joined);
  g_autofree char *expected = g_strconcat (TERMINAL_SN, " ", digest, NULL);

  g_autofree char *header = till_aggregator_sign (TERMINAL_SN, TERMINAL_KEY, body, strlen (body));
  ck_assert_str_eq (header, expected);

  /* Only @length bytes of the body count. */
  g_autofree char *shorter =
      till_aggregator_sign (TERMINAL_SN, TERMINAL_KEY, body, strlen (body) - 1);
  ck_assert_str_ne (shorter, header);
  g_autofree char *other_key = till_aggregator_sign (TERMINAL_SN, "x", body, strlen (body));
  ck_assert_str_ne (other_key, header);
}
END_TEST

static TillWalletReply *
parse (TillWalletOperation operation, const char *json)
{
  return till_aggregator_reply_parse (operation, json, strlen (json), "T1");
}

static char *
reply_json (const char *biz_result, const char *error_code, const char *order_status)
{
  return g_strdup_printf (
      "{\"result_code\":\"200\",\"error_code\":\"\",\"error_message\":\"\",\"biz_response\":{"
      "\"result_code\":\"%s\",\"error_code\":\"%s\",\"error_message\":\"%s\",\"data\":{\"sn\":"
      "\"7894259244061958\",\"client_sn\":\"T1\",\"status\":\"SUCCESS\",\"order_status\":\"%s\","
      "\"total_amount\":\"888\",\"payer_login\":\"138****1234\"}}}",
      biz_result, error_code, *error_code != '\0' ? "余额不足" : "", order_status);
}

/* /pay/aggregator-pay/reply-mapping */
START_TEST (test_reply_mapping)
{
  struct
  {
    TillWalletOperation operation;
    const char         *biz_result;
    const char         *error_code;
    const char         *order_status;
    TillWalletOutcome   outcome;
    gboolean            waiting;
  } cases[] = {
    { TILL_WALLET_OPERATION_PAY, "PAY_SUCCESS", "", "PAID", TILL_WALLET_OUTCOME_DONE, FALSE },
    { TILL_WALLET_OPERATION_PAY, "PAY_IN_PROGRESS", "", "CREATED", TILL_WALLET_OUTCOME_UNKNOWN,
      TRUE },
    { TILL_WALLET_OPERATION_PAY, "PAY_FAIL", "INSUFFICIENT_BALANCE", "PAY_CANCELED",
      TILL_WALLET_OUTCOME_NOT_DONE, FALSE },
    { TILL_WALLET_OPERATION_PAY, "PAY_FAIL_IN_PROGRESS", "", "CREATED", TILL_WALLET_OUTCOME_UNKNOWN,
      FALSE },
    { TILL_WALLET_OPERATION_QUERY, "SUCCESS", "", "PAID", TILL_WALLET_OUTCOME_DONE, FALSE },
    { TILL_WALLET_OPERATION_QUERY, "SUCCESS", "", "CREATED", TILL_WALLET_OUTCOME_UNKNOWN, TRUE },
    { TILL_WALLET_OPERATION_QUERY, "SUCCESS", "", "PAY_CANCELED", TILL_WALLET_OUTCOME_NOT_DONE,
      FALSE },
    { TILL_WALLET_OPERATION_QUERY, "FAIL", "ORDER_NOT_EXIST", "", TILL_WALLET_OUTCOME_NOT_DONE,
      FALSE },
    { TILL_WALLET_OPERATION_QUERY, "FAIL", "SYSTEM_ERROR", "", TILL_WALLET_OUTCOME_UNKNOWN, FALSE },
    { TILL_WALLET_OPERATION_REVERSE, "CANCEL_SUCCESS", "", "CANCELED", TILL_WALLET_OUTCOME_DONE,
      FALSE },
    { TILL_WALLET_OPERATION_REVERSE, "CANCEL_IN_PROGRESS", "", "", TILL_WALLET_OUTCOME_UNKNOWN,
      FALSE },
    { TILL_WALLET_OPERATION_REFUND, "REFUND_SUCCESS", "", "REFUNDED", TILL_WALLET_OUTCOME_DONE,
      FALSE },
    { TILL_WALLET_OPERATION_REFUND, "REFUND_FAIL", "INSUFFICIENT_BALANCE", "",
      TILL_WALLET_OUTCOME_NOT_DONE, FALSE },
    { TILL_WALLET_OPERATION_REFUND, "REFUND_ERROR", "", "", TILL_WALLET_OUTCOME_UNKNOWN, FALSE },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *json =
          reply_json (cases[i].biz_result, cases[i].error_code, cases[i].order_status);
      g_autoptr (TillWalletReply) reply = parse (cases[i].operation, json);
      ck_assert_msg (reply->outcome == cases[i].outcome, "case %zu: %s", i, cases[i].biz_result);
      ck_assert_int_eq (reply->waiting_for_user, cases[i].waiting);
      if (*cases[i].error_code != '\0')
        {
          ck_assert_str_eq (reply->code, cases[i].error_code);
          ck_assert_str_eq (reply->message, "余额不足");
        }
      if (cases[i].operation == TILL_WALLET_OPERATION_PAY &&
          reply->outcome == TILL_WALLET_OUTCOME_DONE)
        {
          ck_assert_str_eq (reply->transaction_id, "7894259244061958");
          ck_assert_str_eq (reply->buyer, "138****1234");
          ck_assert_int_eq (reply->amount, 888);
        }
      if (cases[i].operation == TILL_WALLET_OPERATION_REVERSE)
        ck_assert_int_eq (reply->retry, reply->outcome == TILL_WALLET_OUTCOME_UNKNOWN);
    }

  /* A cancel that gave money back. */
  g_autofree char *refunded_json = reply_json ("CANCEL_SUCCESS", "", "REFUNDED");
  g_autoptr (TillWalletReply) refunded = parse (TILL_WALLET_OPERATION_REVERSE, refunded_json);
  ck_assert (refunded->refunded);

  /* Top-level refusals and failures. */
  const char *bad_sign = "{\"result_code\":\"401\",\"error_code\":\"ILLEGAL_SIGN\","
                         "\"error_message\":\"签名错误\"}";
  g_autoptr (TillWalletReply) pay_refused = parse (TILL_WALLET_OPERATION_PAY, bad_sign);
  ck_assert_int_eq (pay_refused->outcome, TILL_WALLET_OUTCOME_NOT_DONE);
  ck_assert_str_eq (pay_refused->code, "ILLEGAL_SIGN");
  ck_assert_str_eq (pay_refused->message, "签名错误");
  g_autoptr (TillWalletReply) query_refused = parse (TILL_WALLET_OPERATION_QUERY, bad_sign);
  ck_assert_int_eq (query_refused->outcome, TILL_WALLET_OUTCOME_UNKNOWN);
  g_autoptr (TillWalletReply) bad_request = parse (
      TILL_WALLET_OPERATION_PAY, "{\"result_code\":\"400\",\"error_code\":\"INVALID_PARAMS\"}");
  ck_assert_int_eq (bad_request->outcome, TILL_WALLET_OUTCOME_NOT_DONE);
  g_autoptr (TillWalletReply) server_error =
      parse (TILL_WALLET_OPERATION_PAY,
             "{\"result_code\":\"500\",\"error_code\":\"UNKNOWN_SYSTEM_ERROR\"}");
  ck_assert_int_eq (server_error->outcome, TILL_WALLET_OUTCOME_UNKNOWN);
  g_autoptr (TillWalletReply) garbage = parse (TILL_WALLET_OPERATION_PAY, "<html>");
  ck_assert_int_eq (garbage->outcome, TILL_WALLET_OUTCOME_UNKNOWN);
  ck_assert_str_eq (garbage->code, "BAD_REPLY");
}
END_TEST

/* /pay/aggregator-pay/reply-other-order */
static guint expected_warnings;

static gboolean
count_expected_warning_cb (const char    *log_domain,
                           GLogLevelFlags log_level,
                           const char    *message,
                           gpointer       user_data)
{
  if (g_strcmp0 (log_domain, "till-aggregator-pay") == 0 && strstr (message, "not trusted"))
    {
      expected_warnings++;
      return FALSE;
    }
  return TRUE;
}

START_TEST (test_reply_other_order)
{
  g_autofree char *json = reply_json ("PAY_SUCCESS", "", "PAID");

  g_test_log_set_fatal_handler (count_expected_warning_cb, NULL);
  g_autoptr (TillWalletReply) reply =
      till_aggregator_reply_parse (TILL_WALLET_OPERATION_PAY, json, strlen (json), "T2");
  ck_assert_int_eq (reply->outcome, TILL_WALLET_OUTCOME_UNKNOWN);
  ck_assert_str_eq (reply->code, "BAD_REPLY");
  ck_assert_uint_eq (expected_warnings, 1);
}
END_TEST

typedef struct
{
  char *authorization;
  char *body;
  char *path;
} Seen;

static void
server_cb (SoupServer        *server,
           SoupServerMessage *message,
           const char        *path,
           GHashTable        *query,
           gpointer           user_data)
{
  Seen *seen = user_data;
  g_autoptr (GBytes) bytes =
      soup_message_body_flatten (soup_server_message_get_request_body (message));
  g_autofree char *json = reply_json ("PAY_SUCCESS", "", "PAID");

  seen->authorization = g_strdup (soup_message_headers_get_one (
      soup_server_message_get_request_headers (message), "Authorization"));
  seen->body = g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  seen->path = g_strdup (path);
  soup_server_message_set_status (message, 200, NULL);
  soup_server_message_set_response (message, "application/json", SOUP_MEMORY_COPY, json,
                                    strlen (json));
}

typedef struct
{
  TillWalletReply *reply;
  gboolean         finished;
} CallResult;

static void
call_done_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  CallResult *call = user_data;

  call->reply = till_wallet_client_call_finish (TILL_WALLET_CLIENT (source), result, NULL);
  call->finished = TRUE;
}

/* /pay/aggregator-pay/client-pay */
START_TEST (test_client_pay)
{
  g_autoptr (SoupServer) server = soup_server_new (NULL, NULL);
  Seen seen = { 0 };

  soup_server_add_handler (server, NULL, server_cb, &seen, NULL);
  ck_assert (soup_server_listen_local (server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, NULL));
  GSList          *uris = soup_server_get_uris (server);
  g_autofree char *url = g_uri_to_string (uris->data);
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);

  g_autoptr (TillWalletClient) client =
      g_object_new (TILL_TYPE_AGGREGATOR_PAY, "base-url", url, "terminal-sn", TERMINAL_SN,
                    "terminal-key", TERMINAL_KEY, "timeout", 5, NULL);
  ck_assert_int_eq (till_wallet_client_get_provider (client), TILL_WALLET_UNIONPAY);

  CallResult call = { 0 };
  till_wallet_client_pay_async (client, "T1", "6222021234567890123", 888, "矿泉水", NULL,
                                call_done_cb, &call);
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  while (!call.finished && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  ck_assert (call.finished);
  ck_assert_int_eq (call.reply->outcome, TILL_WALLET_OUTCOME_DONE);
  till_wallet_reply_free (call.reply);

  ck_assert_str_eq (seen.path, "/upay/v2/pay");
  g_autofree char *joined = g_strconcat (seen.body, TERMINAL_KEY, NULL);
  g_autofree char *digest = md5sum (joined);
  g_autofree char *expected = g_strconcat (TERMINAL_SN, " ", digest, NULL);
  ck_assert_str_eq (seen.authorization, expected);

  g_autoptr (JsonParser) parser = json_parser_new ();
  ck_assert (json_parser_load_from_data (parser, seen.body, -1, NULL));
  JsonObject *request = json_node_get_object (json_parser_get_root (parser));
  ck_assert_str_eq (json_object_get_string_member (request, "terminal_sn"), TERMINAL_SN);
  ck_assert_str_eq (json_object_get_string_member (request, "client_sn"), "T1");
  ck_assert_str_eq (json_object_get_string_member (request, "total_amount"), "888");
  ck_assert_str_eq (json_object_get_string_member (request, "dynamic_id"), "6222021234567890123");
  ck_assert_str_eq (json_object_get_string_member (request, "subject"), "矿泉水");

  g_free (seen.authorization);
  g_free (seen.body);
  g_free (seen.path);
}
END_TEST

static Suite *
aggregator_pay_suite (void)
{
  Suite *suite = suite_create ("/pay/aggregator-pay");
  TCase *tc = tcase_create ("aggregator-pay");

  tcase_set_timeout (tc, 30);
  tcase_add_test (tc, test_sign);
  tcase_add_test (tc, test_reply_mapping);
  tcase_add_test (tc, test_reply_other_order);
  tcase_add_test (tc, test_client_pay);
  suite_add_tcase (suite, tc);
  return suite;
}

int
main (void)
{
  return till_test_run_suite (aggregator_pay_suite ());
}
