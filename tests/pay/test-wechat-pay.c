/* test-wechat-pay.c: tests for src/pay/till-wechat-pay.c: the v2 signing
 * vectors, the XML wire format and its refusals, reply mapping, and the
 * client against a loopback server
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <libsoup/soup.h>

#include "till-test-util.h"
#include "till-wechat-pay.h"

#define OFFICIAL_KEY "192006250b4c09247ec02edce69f6a2d"

static GHashTable *
new_table (void)
{
  return g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
}

static void
put (GHashTable *table, const char *name, const char *value)
{
  g_hash_table_insert (table, g_strdup (name), g_strdup (value));
}

/* Warnings the code under test is expected to log, counted rather than fatal
 * (the suite runs with G_DEBUG=fatal-warnings). */
static guint expected_warnings;

static gboolean
count_expected_warning_cb (const char    *log_domain,
                           GLogLevelFlags log_level,
                           const char    *message,
                           gpointer       user_data)
{
  if (g_strcmp0 (log_domain, "till-wechat-pay") == 0 && (log_level & G_LOG_LEVEL_WARNING) &&
      strstr (message, "not trusted") != NULL)
    {
      expected_warnings++;
      return FALSE;
    }
  return TRUE;
}

/* /pay/wechat-pay/sign-official-vector (PAYMENTS.md §7.1) */
START_TEST (test_sign_official_vector)
{
  g_autoptr (GHashTable) params = new_table ();

  put (params, "appid", "wxd930ea5d5a258f4f");
  put (params, "mch_id", "10000100");
  put (params, "device_info", "1000");
  put (params, "body", "test");
  put (params, "nonce_str", "ibuaiVcKdpRxkhJA");

  g_autofree char *md5 = till_wechat_sign (params, OFFICIAL_KEY, TILL_WECHAT_SIGN_MD5);
  g_autofree char *hmac = till_wechat_sign (params, OFFICIAL_KEY, TILL_WECHAT_SIGN_HMAC_SHA256);
  ck_assert_str_eq (md5, "9A0A8659F005D6984697E2CA0A9CF3B7");
  ck_assert_str_eq (hmac, "6A9AE1657590FD6257D693A078E1C3E4BB6BA4DC30B23E0EE2496E54170DACD6");

  /* A "sign" already in the table is left out of its own signature. */
  put (params, "sign", "WHATEVER");
  g_autofree char *again = till_wechat_sign (params, OFFICIAL_KEY, TILL_WECHAT_SIGN_MD5);
  ck_assert_str_eq (again, md5);
}
END_TEST

/* /pay/wechat-pay/sign-micropay-vector (PAYMENTS.md §7.2: Chinese body, an
 * empty device_info skipped, sign_type signed like any other field) */
START_TEST (test_sign_micropay_vector)
{
  g_autoptr (GHashTable) params = new_table ();

  put (params, "appid", "wxd930ea5d5a258f4f");
  put (params, "auth_code", "120061098828009406");
  put (params, "body", "测试商品");
  put (params, "mch_id", "10000100");
  put (params, "nonce_str", "ibuaiVcKdpRxkhJA");
  put (params, "out_trade_no", "1217752501201407033233368018");
  put (params, "spbill_create_ip", "8.8.8.8");
  put (params, "total_fee", "888");
  put (params, "device_info", "");

  g_autofree char *md5 = till_wechat_sign (params, OFFICIAL_KEY, TILL_WECHAT_SIGN_MD5);
  ck_assert_str_eq (md5, "A0BA747EFD7F0BB48E61486DC35854F9");

  put (params, "sign_type", "HMAC-SHA256");
  g_autofree char *hmac = till_wechat_sign (params, OFFICIAL_KEY, TILL_WECHAT_SIGN_HMAC_SHA256);
  ck_assert_str_eq (hmac, "C9C3784E1BCBEAAE9F3E5A3FDC9E273C24813D6CEFCC7BCB21439EF975396F6F");
}
END_TEST

/* /pay/wechat-pay/verify */
START_TEST (test_verify)
{
  g_autoptr (GHashTable) reply = new_table ();

  put (reply, "return_code", "SUCCESS");
  put (reply, "result_code", "SUCCESS");
  put (reply, "appid", "wxd930ea5d5a258f4f");
  put (reply, "mch_id", "10000100");
  put (reply, "total_fee", "888");
  put (reply, "openid", "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o");
  put (reply, "sign", "");
  ck_assert (!till_wechat_verify (reply, OFFICIAL_KEY, TILL_WECHAT_SIGN_MD5));

  for (int type = TILL_WECHAT_SIGN_MD5; type <= TILL_WECHAT_SIGN_HMAC_SHA256; type++)
    {
      put (reply, "sign", "");
      put (reply, "total_fee", "888");
      g_hash_table_insert (reply, g_strdup ("sign"), till_wechat_sign (reply, OFFICIAL_KEY, type));
      ck_assert (till_wechat_verify (reply, OFFICIAL_KEY, type));
      /* The other sign type, another key: no. */
      ck_assert (!till_wechat_verify (reply, OFFICIAL_KEY, 1 - type));
      ck_assert (!till_wechat_verify (reply, "192006250b4c09247ec02edce69f6a2e", type));

      /* A changed field. */
      put (reply, "total_fee", "1");
      ck_assert (!till_wechat_verify (reply, OFFICIAL_KEY, type));
      put (reply, "total_fee", "888");
      ck_assert (till_wechat_verify (reply, OFFICIAL_KEY, type));

      /* A field added after signing (replies are verified over every field). */
      put (reply, "coupon_fee", "100");
      ck_assert (!till_wechat_verify (reply, OFFICIAL_KEY, type));
      g_hash_table_remove (reply, "coupon_fee");

      /* A changed sign. */
      char *sign = g_hash_table_lookup (reply, "sign");
      sign[0] = sign[0] == 'A' ? 'B' : 'A';
      ck_assert (!till_wechat_verify (reply, OFFICIAL_KEY, type));
    }
  g_hash_table_remove (reply, "sign");
  ck_assert (!till_wechat_verify (reply, OFFICIAL_KEY, TILL_WECHAT_SIGN_MD5));
}
END_TEST

/* /pay/wechat-pay/xml-round-trip */
START_TEST (test_xml_round_trip)
{
  g_autoptr (GHashTable) params = new_table ();
  g_autoptr (GError) error = NULL;

  put (params, "body", "便利店-上海分店-农夫山泉 550ml");
  put (params, "attach", "a]]>b]]>]]>c");
  put (params, "detail", "<goods>&amp; \"quoted\" 'single' </goods>");
  put (params, "total_fee", "888");
  put (params, "empty", "");

  g_autofree char *xml = till_wechat_xml_encode (params);
  ck_assert (g_str_has_prefix (xml, "<xml>"));
  ck_assert (g_str_has_suffix (xml, "</xml>"));
  /* Sorted names. */
  ck_assert (strstr (xml, "<attach>") < strstr (xml, "<body>"));
  ck_assert (strstr (xml, "<detail>") < strstr (xml, "<total_fee>"));

  g_autoptr (GHashTable) back = till_wechat_xml_decode (xml, -1, &error);
  ck_assert_msg (back != NULL, "%s", error != NULL ? error->message : "");
  ck_assert_uint_eq (g_hash_table_size (back), g_hash_table_size (params));
  GHashTableIter iter;
  gpointer       name, value;
  g_hash_table_iter_init (&iter, params);
  while (g_hash_table_iter_next (&iter, &name, &value))
    ck_assert_str_eq (g_hash_table_lookup (back, name), value);

  /* Bare integers and escaped text as providers send them. */
  g_autoptr (GHashTable) plain = till_wechat_xml_decode (
      "<?xml version=\"1.0\"?>\n<xml>\n  <total_fee>888</total_fee>\n"
      "  <return_msg>a &lt;b&gt; &amp; &#20013;</return_msg><!-- note -->\n</xml>\n",
      -1, &error);
  ck_assert_msg (plain != NULL, "%s", error != NULL ? error->message : "");
  ck_assert_str_eq (g_hash_table_lookup (plain, "total_fee"), "888");
  ck_assert_str_eq (g_hash_table_lookup (plain, "return_msg"), "a <b> & 中");
}
END_TEST

static void
assert_rejected (const char *xml)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GHashTable) fields = till_wechat_xml_decode (xml, -1, &error);

  ck_assert_msg (fields == NULL, "accepted: %s", xml);
  ck_assert_msg (error != NULL && error->domain == G_MARKUP_ERROR, "no markup error for %s", xml);
}

/* /pay/wechat-pay/xml-refusals */
START_TEST (test_xml_refusals)
{
  g_autofree char *dir = till_test_make_tmpdir ();
  g_autofree char *secret = g_build_filename (dir, "secret.txt", NULL);
  ck_assert (g_file_set_contents (secret, "TOPSECRET", -1, NULL));

  /* XXE: an external entity that would read a local file. */
  g_autofree char *xxe = g_strdup_printf ("<?xml version=\"1.0\"?>"
                                          "<!DOCTYPE xml [<!ENTITY xxe SYSTEM \"file://%s\">]>"
                                          "<xml><return_msg>&xxe;</return_msg></xml>",
                                          secret);
  assert_rejected (xxe);
  /* A DOCTYPE alone, and an internal entity (billion laughs starts so). */
  assert_rejected ("<!DOCTYPE xml><xml><a>1</a></xml>");
  assert_rejected ("<!DOCTYPE xml [<!ENTITY lol \"lol\">]><xml><a>&lol;</a></xml>");
  /* An undefined entity. */
  assert_rejected ("<xml><a>&undefined;</a></xml>");
  /* Nesting below a field. */
  assert_rejected ("<xml><a><b>1</b></a></xml>");
  /* Truncated. */
  assert_rejected ("<xml><return_code><![CDATA[SUCCESS]]></return_code><result_co");
  assert_rejected ("<xml><a><![CDATA[x]]></a>");
  assert_rejected ("");
  /* Not <xml>, two roots, text outside the fields, a field twice. */
  assert_rejected ("<html><a>1</a></html>");
  assert_rejected ("<xml><a>1</a></xml><xml><a>2</a></xml>");
  assert_rejected ("<xml>loose<a>1</a></xml>");
  assert_rejected ("<xml><total_fee>1</total_fee><total_fee>888</total_fee></xml>");

  till_test_remove_tree (dir);
}
END_TEST

/* A signed reply as the provider would send it. */
static TillWalletReply *
parse_signed (TillWalletOperation operation, GHashTable *fields, TillWechatSignType sign_type)
{
  g_hash_table_remove (fields, "sign");
  g_hash_table_insert (fields, g_strdup ("sign"),
                       till_wechat_sign (fields, OFFICIAL_KEY, sign_type));
  g_autofree char *xml = till_wechat_xml_encode (fields);
  return till_wechat_reply_parse (operation, xml, strlen (xml), "T1", "wx1", "1900000109",
                                  OFFICIAL_KEY, sign_type);
}

static GHashTable *
business_reply (const char *result_code, const char *err_code)
{
  GHashTable *fields = new_table ();

  put (fields, "return_code", "SUCCESS");
  put (fields, "return_msg", "OK");
  put (fields, "appid", "wx1");
  put (fields, "mch_id", "1900000109");
  put (fields, "nonce_str", "n0nce");
  put (fields, "result_code", result_code);
  if (err_code != NULL)
    {
      put (fields, "err_code", err_code);
      put (fields, "err_code_des", "描述");
    }
  return fields;
}

/* /pay/wechat-pay/reply-pay */
START_TEST (test_reply_pay)
{
  g_autoptr (GHashTable) paid = business_reply ("SUCCESS", NULL);
  put (paid, "openid", "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o");
  put (paid, "transaction_id", "4200000001201407033233368018");
  put (paid, "out_trade_no", "T1");
  put (paid, "total_fee", "888");
  g_autoptr (TillWalletReply) done =
      parse_signed (TILL_WALLET_OPERATION_PAY, paid, TILL_WECHAT_SIGN_HMAC_SHA256);
  ck_assert_int_eq (done->outcome, TILL_WALLET_OUTCOME_DONE);
  ck_assert_str_eq (done->transaction_id, "4200000001201407033233368018");
  ck_assert_int_eq (done->amount, 888);
  ck_assert_str_eq (done->buyer, "oUpF****eS6o");

  struct
  {
    const char       *err_code;
    TillWalletOutcome outcome;
    gboolean          waiting;
  } cases[] = {
    { "USERPAYING", TILL_WALLET_OUTCOME_UNKNOWN, TRUE },
    { "SYSTEMERROR", TILL_WALLET_OUTCOME_UNKNOWN, FALSE },
    { "BANKERROR", TILL_WALLET_OUTCOME_UNKNOWN, FALSE },
    { "ORDERPAID", TILL_WALLET_OUTCOME_UNKNOWN, FALSE },
    { "OUT_TRADE_NO_USED", TILL_WALLET_OUTCOME_UNKNOWN, FALSE },
    { "NOTENOUGH", TILL_WALLET_OUTCOME_NOT_DONE, FALSE },
    { "AUTHCODEEXPIRE", TILL_WALLET_OUTCOME_NOT_DONE, FALSE },
    { "AUTH_CODE_INVALID", TILL_WALLET_OUTCOME_NOT_DONE, FALSE },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (GHashTable) fields = business_reply ("FAIL", cases[i].err_code);
      g_autoptr (TillWalletReply) reply =
          parse_signed (TILL_WALLET_OPERATION_PAY, fields, TILL_WECHAT_SIGN_MD5);
      ck_assert_msg (reply->outcome == cases[i].outcome, "%s", cases[i].err_code);
      ck_assert_int_eq (reply->waiting_for_user, cases[i].waiting);
      ck_assert_str_eq (reply->code, cases[i].err_code);
      ck_assert_str_eq (reply->message, "描述");
      ck_assert (!reply->offline);
    }

  /* return_code FAIL (unsigned, e.g. 签名错误): the pay was refused. */
  g_autoptr (GHashTable) refused = new_table ();
  put (refused, "return_code", "FAIL");
  put (refused, "return_msg", "签名错误");
  g_autofree char *xml = till_wechat_xml_encode (refused);
  g_autoptr (TillWalletReply) not_done =
      till_wechat_reply_parse (TILL_WALLET_OPERATION_PAY, xml, strlen (xml), "T1", NULL, NULL,
                               OFFICIAL_KEY, TILL_WECHAT_SIGN_MD5);
  ck_assert_int_eq (not_done->outcome, TILL_WALLET_OUTCOME_NOT_DONE);
  ck_assert_str_eq (not_done->message, "签名错误");
  /* The same refusal of a query says nothing about the payment. */
  g_autoptr (TillWalletReply) query_refused =
      till_wechat_reply_parse (TILL_WALLET_OPERATION_QUERY, xml, strlen (xml), "T1", NULL, NULL,
                               OFFICIAL_KEY, TILL_WECHAT_SIGN_MD5);
  ck_assert_int_eq (query_refused->outcome, TILL_WALLET_OUTCOME_UNKNOWN);

  /* Garbage. */
  g_autoptr (TillWalletReply) garbage =
      till_wechat_reply_parse (TILL_WALLET_OPERATION_PAY, "<html>502", 9, "T1", NULL, NULL,
                               OFFICIAL_KEY, TILL_WECHAT_SIGN_MD5);
  ck_assert_int_eq (garbage->outcome, TILL_WALLET_OUTCOME_UNKNOWN);
  ck_assert_str_eq (garbage->code, "BAD_REPLY");
}
END_TEST

/* /pay/wechat-pay/reply-bad-signature */
START_TEST (test_reply_bad_signature)
{
  g_autoptr (GHashTable) paid = business_reply ("SUCCESS", NULL);
  put (paid, "transaction_id", "4200000001");
  put (paid, "total_fee", "888");
  put (paid, "sign", "");
  g_hash_table_insert (
      paid, g_strdup ("sign"),
      till_wechat_sign (paid, "wrongwrongwrongwrongwrongwrong12", TILL_WECHAT_SIGN_MD5));
  g_autofree char *xml = till_wechat_xml_encode (paid);

  g_test_log_set_fatal_handler (count_expected_warning_cb, NULL);
  expected_warnings = 0;
  g_autoptr (TillWalletReply) reply =
      till_wechat_reply_parse (TILL_WALLET_OPERATION_PAY, xml, strlen (xml), "T1", "wx1",
                               "1900000109", OFFICIAL_KEY, TILL_WECHAT_SIGN_MD5);
  ck_assert_int_eq (reply->outcome, TILL_WALLET_OUTCOME_UNKNOWN);
  ck_assert_str_eq (reply->code, "BAD_SIGNATURE");
  ck_assert_uint_eq (expected_warnings, 1);

  /* Signed with the right key but the wrong sign type is just as bad. */
  g_autoptr (GHashTable) hmac = business_reply ("SUCCESS", NULL);
  g_hash_table_insert (hmac, g_strdup ("sign"),
                       till_wechat_sign (hmac, OFFICIAL_KEY, TILL_WECHAT_SIGN_HMAC_SHA256));
  g_autofree char *hmac_xml = till_wechat_xml_encode (hmac);
  g_autoptr (TillWalletReply) mismatch =
      till_wechat_reply_parse (TILL_WALLET_OPERATION_PAY, hmac_xml, strlen (hmac_xml), "T1", NULL,
                               NULL, OFFICIAL_KEY, TILL_WECHAT_SIGN_MD5);
  ck_assert_str_eq (mismatch->code, "BAD_SIGNATURE");

  /* Correctly signed, but for another order: a replay. */
  g_autoptr (GHashTable) other = business_reply ("SUCCESS", NULL);
  put (other, "out_trade_no", "SOMEONE-ELSE");
  g_autoptr (TillWalletReply) replay =
      parse_signed (TILL_WALLET_OPERATION_PAY, other, TILL_WECHAT_SIGN_MD5);
  ck_assert_int_eq (replay->outcome, TILL_WALLET_OUTCOME_UNKNOWN);
  ck_assert_str_eq (replay->code, "BAD_REPLY");
  ck_assert_uint_eq (expected_warnings, 3);
}
END_TEST

/* /pay/wechat-pay/reply-query-reverse-refund */
START_TEST (test_reply_other_operations)
{
  struct
  {
    const char       *trade_state;
    TillWalletOutcome outcome;
  } states[] = {
    { "SUCCESS", TILL_WALLET_OUTCOME_DONE },     { "USERPAYING", TILL_WALLET_OUTCOME_UNKNOWN },
    { "NOTPAY", TILL_WALLET_OUTCOME_NOT_DONE },  { "CLOSED", TILL_WALLET_OUTCOME_NOT_DONE },
    { "REVOKED", TILL_WALLET_OUTCOME_NOT_DONE }, { "PAYERROR", TILL_WALLET_OUTCOME_NOT_DONE },
    { "REFUND", TILL_WALLET_OUTCOME_NOT_DONE },  { "ACCEPT", TILL_WALLET_OUTCOME_UNKNOWN },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (states); i++)
    {
      g_autoptr (GHashTable) fields = business_reply ("SUCCESS", NULL);
      put (fields, "trade_state", states[i].trade_state);
      put (fields, "total_fee", "500");
      g_autoptr (TillWalletReply) reply =
          parse_signed (TILL_WALLET_OPERATION_QUERY, fields, TILL_WECHAT_SIGN_MD5);
      ck_assert_msg (reply->outcome == states[i].outcome, "%s", states[i].trade_state);
      ck_assert_int_eq (reply->waiting_for_user, strcmp (states[i].trade_state, "USERPAYING") == 0);
      if (reply->outcome == TILL_WALLET_OUTCOME_DONE)
        ck_assert_int_eq (reply->amount, 500);
    }
  g_autoptr (GHashTable) missing = business_reply ("FAIL", "ORDERNOTEXIST");
  g_autoptr (TillWalletReply) not_exist =
      parse_signed (TILL_WALLET_OPERATION_QUERY, missing, TILL_WECHAT_SIGN_MD5);
  ck_assert_int_eq (not_exist->outcome, TILL_WALLET_OUTCOME_NOT_DONE);
  g_autoptr (GHashTable) busy = business_reply ("FAIL", "SYSTEMERROR");
  g_autoptr (TillWalletReply) query_error =
      parse_signed (TILL_WALLET_OPERATION_QUERY, busy, TILL_WECHAT_SIGN_MD5);
  ck_assert_int_eq (query_error->outcome, TILL_WALLET_OUTCOME_UNKNOWN);

  /* Reverse: closed; call again; refused. */
  g_autoptr (GHashTable) reversed = business_reply ("SUCCESS", NULL);
  put (reversed, "recall", "N");
  g_autoptr (TillWalletReply) r1 =
      parse_signed (TILL_WALLET_OPERATION_REVERSE, reversed, TILL_WECHAT_SIGN_MD5);
  ck_assert_int_eq (r1->outcome, TILL_WALLET_OUTCOME_DONE);
  ck_assert (!r1->retry);
  g_autoptr (GHashTable) recall = business_reply ("FAIL", "SYSTEMERROR");
  put (recall, "recall", "Y");
  g_autoptr (TillWalletReply) r2 =
      parse_signed (TILL_WALLET_OPERATION_REVERSE, recall, TILL_WECHAT_SIGN_MD5);
  ck_assert_int_eq (r2->outcome, TILL_WALLET_OUTCOME_UNKNOWN);
  ck_assert (r2->retry);
  g_autoptr (GHashTable) paying = business_reply ("FAIL", "USERPAYING");
  g_autoptr (TillWalletReply) r3 =
      parse_signed (TILL_WALLET_OPERATION_REVERSE, paying, TILL_WECHAT_SIGN_MD5);
  ck_assert (r3->retry);
  g_autoptr (GHashTable) expired = business_reply ("FAIL", "REVERSE_EXPIRE");
  put (expired, "recall", "N");
  g_autoptr (TillWalletReply) r4 =
      parse_signed (TILL_WALLET_OPERATION_REVERSE, expired, TILL_WECHAT_SIGN_MD5);
  ck_assert_int_eq (r4->outcome, TILL_WALLET_OUTCOME_NOT_DONE);

  /* Refund. */
  g_autoptr (GHashTable) refunded = business_reply ("SUCCESS", NULL);
  put (refunded, "refund_id", "50000000382019052709732678859");
  put (refunded, "refund_fee", "300");
  g_autoptr (TillWalletReply) f1 =
      parse_signed (TILL_WALLET_OPERATION_REFUND, refunded, TILL_WECHAT_SIGN_MD5);
  ck_assert_int_eq (f1->outcome, TILL_WALLET_OUTCOME_DONE);
  ck_assert_str_eq (f1->transaction_id, "50000000382019052709732678859");
  ck_assert_int_eq (f1->amount, 300);
  const char *retry_codes[] = { "SYSTEMERROR", "BIZERR_NEED_RETRY" };
  for (gsize i = 0; i < G_N_ELEMENTS (retry_codes); i++)
    {
      g_autoptr (GHashTable) fields = business_reply ("FAIL", retry_codes[i]);
      g_autoptr (TillWalletReply) reply =
          parse_signed (TILL_WALLET_OPERATION_REFUND, fields, TILL_WECHAT_SIGN_MD5);
      ck_assert_int_eq (reply->outcome, TILL_WALLET_OUTCOME_UNKNOWN);
    }
  g_autoptr (GHashTable) poor = business_reply ("FAIL", "NOTENOUGH");
  g_autoptr (TillWalletReply) f2 =
      parse_signed (TILL_WALLET_OPERATION_REFUND, poor, TILL_WECHAT_SIGN_MD5);
  ck_assert_int_eq (f2->outcome, TILL_WALLET_OUTCOME_NOT_DONE);
}
END_TEST

/* The client against loopback. */

typedef struct
{
  TillWalletReply *reply;
  GError          *error;
  gboolean         finished;
} CallResult;

static void
call_done_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  CallResult *call = user_data;

  call->reply = till_wallet_client_call_finish (TILL_WALLET_CLIENT (source), result, &call->error);
  call->finished = TRUE;
}

static void
wait_for (CallResult *call, guint seconds)
{
  gint64 deadline = g_get_monotonic_time () + seconds * G_USEC_PER_SEC;

  while (!call->finished && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, FALSE) || (g_usleep (1000), TRUE);
  ck_assert_msg (call->finished, "the call did not finish within %u s", seconds);
}

static TillWalletClient *
new_client (const char *base_url, guint timeout)
{
  return g_object_new (TILL_TYPE_WECHAT_PAY, "base-url", base_url, "appid", "wx1", "mch-id",
                       "1900000109", "api-key", OFFICIAL_KEY, "sign-type",
                       TILL_WECHAT_SIGN_HMAC_SHA256, "device-info", "POS-01", "timeout", timeout,
                       NULL);
}

/* /pay/wechat-pay/client-offline: a closed port; the request never left */
START_TEST (test_client_offline)
{
  g_autoptr (GSocketListener) listener = g_socket_listener_new ();
  g_autoptr (GError) error = NULL;
  guint16 port = g_socket_listener_add_any_inet_port (listener, NULL, &error);
  ck_assert_uint_ne (port, 0);
  g_socket_listener_close (listener);

  g_autofree char *url = g_strdup_printf ("http://127.0.0.1:%u", port);
  g_autoptr (TillWalletClient) client = new_client (url, 5);
  CallResult call = { 0 };
  till_wallet_client_pay_async (client, "T1", "134526789012345678", 888, "矿泉水", NULL,
                                call_done_cb, &call);
  wait_for (&call, 10);
  ck_assert_ptr_null (call.error);
  ck_assert_int_eq (call.reply->outcome, TILL_WALLET_OUTCOME_NOT_DONE);
  ck_assert (call.reply->offline);
  till_wallet_reply_free (call.reply);

  /* A query that never left has learnt nothing. */
  CallResult query = { 0 };
  till_wallet_client_query_async (client, "T1", NULL, call_done_cb, &query);
  wait_for (&query, 10);
  ck_assert_int_eq (query.reply->outcome, TILL_WALLET_OUTCOME_UNKNOWN);
  ck_assert (query.reply->offline);
  till_wallet_reply_free (query.reply);
}
END_TEST

/* /pay/wechat-pay/client-timeout: the server accepts and never answers */
START_TEST (test_client_timeout)
{
  g_autoptr (GSocketListener) listener = g_socket_listener_new ();
  g_autoptr (GError) error = NULL;
  g_autoptr (GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr (GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr (GSocketAddress) bound = NULL;
  ck_assert (g_socket_listener_add_address (listener, address, G_SOCKET_TYPE_STREAM,
                                            G_SOCKET_PROTOCOL_TCP, NULL, &bound, &error));
  guint port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));

  g_autofree char *url = g_strdup_printf ("http://127.0.0.1:%u", port);
  g_autoptr (TillWalletClient) client = new_client (url, 1);
  CallResult call = { 0 };
  gint64     started = g_get_monotonic_time ();
  till_wallet_client_pay_async (client, "T1", "134526789012345678", 888, "矿泉水", NULL,
                                call_done_cb, &call);
  /* The kernel completes the connection from the backlog; nobody reads. */
  wait_for (&call, 10);
  ck_assert_ptr_null (call.error);
  ck_assert_int_eq (call.reply->outcome, TILL_WALLET_OUTCOME_UNKNOWN);
  ck_assert (!call.reply->offline);
  ck_assert_str_eq (call.reply->code, "TRANSPORT");
  ck_assert_int_lt (g_get_monotonic_time () - started, 5 * G_USEC_PER_SEC);
  till_wallet_reply_free (call.reply);
}
END_TEST

/* A tiny WeChat endpoint: checks the request's signature and fields, and
 * answers a signed success (or HTTP 500 for /pay/orderquery). */
static void
server_cb (SoupServer        *server,
           SoupServerMessage *message,
           const char        *path,
           GHashTable        *query,
           gpointer           user_data)
{
  GHashTable     **last_request = user_data;
  SoupMessageBody *body = soup_server_message_get_request_body (message);
  g_autoptr (GBytes) bytes = soup_message_body_flatten (body);
  g_autoptr (GHashTable) request = till_wechat_xml_decode (g_bytes_get_data (bytes, NULL),
                                                           (gssize) g_bytes_get_size (bytes), NULL);

  if (strcmp (path, "/pay/orderquery") == 0)
    {
      soup_server_message_set_status (message, 500, NULL);
      return;
    }
  g_autoptr (GHashTable) reply = business_reply ("SUCCESS", NULL);
  if (request == NULL || !till_wechat_verify (request, OFFICIAL_KEY, TILL_WECHAT_SIGN_HMAC_SHA256))
    {
      g_hash_table_remove_all (reply);
      put (reply, "return_code", "FAIL");
      put (reply, "return_msg", "签名错误");
    }
  else
    {
      put (reply, "transaction_id", "4200000001");
      put (reply, "out_trade_no", g_hash_table_lookup (request, "out_trade_no"));
      put (reply, "total_fee", g_hash_table_lookup (request, "total_fee"));
      put (reply, "openid", "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o");
      g_hash_table_insert (reply, g_strdup ("sign"),
                           till_wechat_sign (reply, OFFICIAL_KEY, TILL_WECHAT_SIGN_HMAC_SHA256));
    }
  if (request != NULL)
    *last_request = g_hash_table_ref (request);
  g_autofree char *xml = till_wechat_xml_encode (reply);
  soup_server_message_set_status (message, 200, NULL);
  soup_server_message_set_response (message, "text/xml", SOUP_MEMORY_COPY, xml, strlen (xml));
}

/* /pay/wechat-pay/client-pay: the request a loopback server receives */
START_TEST (test_client_pay)
{
  g_autoptr (SoupServer) server = soup_server_new (NULL, NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (GHashTable) request = NULL;

  soup_server_add_handler (server, NULL, server_cb, &request, NULL);
  ck_assert (soup_server_listen_local (server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error));
  GSList          *uris = soup_server_get_uris (server);
  g_autofree char *url = g_uri_to_string (uris->data);
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);

  g_autoptr (TillWalletClient) client = new_client (url, 5);
  ck_assert_int_eq (till_wallet_client_get_provider (client), TILL_WALLET_WECHAT);
  CallResult call = { 0 };
  till_wallet_client_pay_async (client, "T20260101", "134526789012345678", 888, "矿泉水]]>", NULL,
                                call_done_cb, &call);
  wait_for (&call, 10);
  ck_assert_ptr_null (call.error);
  ck_assert_int_eq (call.reply->outcome, TILL_WALLET_OUTCOME_DONE);
  ck_assert_int_eq (call.reply->amount, 888);
  ck_assert_str_eq (call.reply->transaction_id, "4200000001");
  till_wallet_reply_free (call.reply);

  ck_assert_ptr_nonnull (request);
  ck_assert_str_eq (g_hash_table_lookup (request, "appid"), "wx1");
  ck_assert_str_eq (g_hash_table_lookup (request, "mch_id"), "1900000109");
  ck_assert_str_eq (g_hash_table_lookup (request, "total_fee"), "888");
  ck_assert_str_eq (g_hash_table_lookup (request, "auth_code"), "134526789012345678");
  ck_assert_str_eq (g_hash_table_lookup (request, "body"), "矿泉水]]>");
  ck_assert_str_eq (g_hash_table_lookup (request, "device_info"), "POS-01");
  ck_assert_str_eq (g_hash_table_lookup (request, "sign_type"), "HMAC-SHA256");
  ck_assert_uint_eq (strlen (g_hash_table_lookup (request, "nonce_str")), 32);
  ck_assert_ptr_nonnull (g_hash_table_lookup (request, "spbill_create_ip"));

  /* HTTP 500 from a query: unknown. */
  CallResult query = { 0 };
  till_wallet_client_query_async (client, "T20260101", NULL, call_done_cb, &query);
  wait_for (&query, 10);
  ck_assert_int_eq (query.reply->outcome, TILL_WALLET_OUTCOME_UNKNOWN);
  ck_assert_str_eq (query.reply->code, "HTTP_500");
  till_wallet_reply_free (query.reply);
}
END_TEST

static Suite *
wechat_pay_suite (void)
{
  Suite *suite = suite_create ("/pay/wechat-pay");
  TCase *pure = tcase_create ("wire");
  TCase *client = tcase_create ("client");

  tcase_add_test (pure, test_sign_official_vector);
  tcase_add_test (pure, test_sign_micropay_vector);
  tcase_add_test (pure, test_verify);
  tcase_add_test (pure, test_xml_round_trip);
  tcase_add_test (pure, test_xml_refusals);
  tcase_add_test (pure, test_reply_pay);
  tcase_add_test (pure, test_reply_bad_signature);
  tcase_add_test (pure, test_reply_other_operations);
  suite_add_tcase (suite, pure);

  tcase_set_timeout (client, 30);
  tcase_add_test (client, test_client_offline);
  tcase_add_test (client, test_client_timeout);
  tcase_add_test (client, test_client_pay);
  suite_add_tcase (suite, client);
  return suite;
}

int
main (void)
{
  return till_test_run_suite (wechat_pay_suite ());
}
