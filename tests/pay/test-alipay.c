/* test-alipay.c: tests for src/pay/till-alipay.c: the RSA2 sign content
 * vector, signatures checked against the openssl tool, key loading, the
 * raw-bytes reply extraction, form encoding and reply mapping
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "till-alipay.h"
#include "till-test-util.h"

/* Runs @command with sh in @dir; its standard output. */
static char *
run_shell (const char *dir, const char *command)
{
  const char      *argv[] = { "/bin/sh", "-c", command, NULL };
  g_autofree char *err = NULL;
  char            *out = NULL;
  int              status = 0;
  g_autoptr (GError) error = NULL;

  ck_assert_msg (g_spawn_sync (dir, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, &err,
                               &status, &error),
                 "%s", error != NULL ? error->message : "");
  ck_assert_msg (g_spawn_check_wait_status (status, NULL), "%s failed: %s", command, err);
  return out;
}

static char *
read_file (const char *dir, const char *name)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  char            *text = NULL;

  ck_assert (g_file_get_contents (path, &text, NULL, NULL));
  return text;
}

/* A fresh app key pair in @dir: key.pem (PKCS#8), key1.pem (PKCS#1),
 * pub.pem, and another pair other.pem / otherpub.pem. */
static void
make_keys (const char *dir)
{
  g_free (run_shell (dir, "openssl genrsa -out key.pem 2048 2>/dev/null && "
                          "openssl rsa -in key.pem -traditional -out key1.pem 2>/dev/null && "
                          "openssl rsa -in key.pem -pubout -out pub.pem 2>/dev/null && "
                          "openssl genrsa -out other.pem 2048 2>/dev/null && "
                          "openssl rsa -in other.pem -pubout -out otherpub.pem 2>/dev/null"));
}

static EVP_PKEY *
load_private (const char *dir, const char *name)
{
  g_autofree char *pem = read_file (dir, name);
  g_autoptr (GError) error = NULL;
  EVP_PKEY *key = till_alipay_load_private_key (pem, &error);

  ck_assert_msg (key != NULL, "%s", error != NULL ? error->message : "");
  return key;
}

static EVP_PKEY *
load_public (const char *dir, const char *name)
{
  g_autofree char *pem = read_file (dir, name);
  g_autoptr (GError) error = NULL;
  EVP_PKEY *key = till_alipay_load_public_key (pem, &error);

  ck_assert_msg (key != NULL, "%s", error != NULL ? error->message : "");
  return key;
}

/* The base64 between the PEM armour lines, on one line. */
static char *
strip_armour (const char *pem)
{
  g_auto (GStrv) lines = g_strsplit (pem, "\n", -1);
  GString *bare = g_string_new (NULL);

  for (char **line = lines; *line != NULL; line++)
    if (!g_str_has_prefix (*line, "-----"))
      g_string_append (bare, *line);
  return g_string_free (bare, FALSE);
}

/* /pay/alipay/sign-content-vector (PAYMENTS.md §7.3) */
START_TEST (test_sign_content_vector)
{
  g_autoptr (GHashTable) params = g_hash_table_new (g_str_hash, g_str_equal);

  g_hash_table_insert (params, "app_id", "9021000122682882");
  g_hash_table_insert (params, "method", "alipay.trade.query");
  g_hash_table_insert (params, "format", "JSON");
  g_hash_table_insert (params, "return_url", "http://hk.ysdor.cn/index.php");
  g_hash_table_insert (params, "charset", "utf-8");
  g_hash_table_insert (params, "sign_type", "RSA2");
  g_hash_table_insert (params, "timestamp", "2023-12-21 06:54:37");
  g_hash_table_insert (params, "version", "1.0");
  g_hash_table_insert (params, "notify_url", "http://hk.ysdor.cn/index.php");
  g_hash_table_insert (params, "app_cert_sn", "e90dd23a37c5c7b616e003970817ff82");
  g_hash_table_insert (params, "alipay_root_cert_sn",
                       "687b59193f3f462dd5336e5abf83c5d8_02941eef3187dddf3d3b83462e1dfcf6");
  g_hash_table_insert (params, "biz_content", "{\"out_trade_no\":\"1703141270\"}");
  /* Left out: the sign itself and empty values. */
  g_hash_table_insert (params, "sign", "SHOULD-NOT-APPEAR");
  g_hash_table_insert (params, "app_auth_token", "");

  g_autofree char *content = till_alipay_sign_content (params);
  ck_assert_str_eq (
      content,
      "alipay_root_cert_sn=687b59193f3f462dd5336e5abf83c5d8_02941eef3187dddf3d3b83462e1dfcf6&"
      "app_cert_sn=e90dd23a37c5c7b616e003970817ff82&app_id=9021000122682882&"
      "biz_content={\"out_trade_no\":\"1703141270\"}&charset=utf-8&format=JSON&"
      "method=alipay.trade.query&notify_url=http://hk.ysdor.cn/index.php&"
      "return_url=http://hk.ysdor.cn/index.php&sign_type=RSA2&timestamp=2023-12-21 "
      "06:54:37&version=1.0");
}
END_TEST

#define CONTENT "app_id=2014072300007148&biz_content={\"subject\":\"矿泉水\"}&sign_type=RSA2"

/* /pay/alipay/sign-matches-openssl */
START_TEST (test_sign_matches_openssl)
{
  g_autofree char *dir = till_test_make_tmpdir ();
  g_autofree char *content_path = g_build_filename (dir, "content.txt", NULL);
  g_autoptr (GError) error = NULL;

  make_keys (dir);
  ck_assert (g_file_set_contents (content_path, CONTENT, -1, NULL));
  g_autofree char *expected =
      run_shell (dir, "openssl dgst -sha256 -sign key.pem content.txt | base64 -w0");

  EVP_PKEY        *key = load_private (dir, "key.pem");
  g_autofree char *signature = till_alipay_sign (CONTENT, key, &error);
  ck_assert_msg (signature != NULL, "%s", error != NULL ? error->message : "");
  ck_assert_str_eq (signature, expected);
  ck_assert_ptr_null (strchr (signature, '\n'));

  /* The PKCS#1 form of the same key signs the same (PKCS#1 v1.5 is
   * deterministic). */
  EVP_PKEY        *key1 = load_private (dir, "key1.pem");
  g_autofree char *signature1 = till_alipay_sign (CONTENT, key1, NULL);
  ck_assert_str_eq (signature1, expected);

  EVP_PKEY_free (key);
  EVP_PKEY_free (key1);
  till_test_remove_tree (dir);
}
END_TEST

/* /pay/alipay/verify-openssl-signature */
START_TEST (test_verify)
{
  g_autofree char *dir = till_test_make_tmpdir ();
  g_autofree char *content_path = g_build_filename (dir, "content.txt", NULL);

  make_keys (dir);
  ck_assert (g_file_set_contents (content_path, CONTENT, -1, NULL));
  g_autofree char *signature =
      run_shell (dir, "openssl dgst -sha256 -sign key.pem content.txt | base64 -w0");
  EVP_PKEY *public_key = load_public (dir, "pub.pem");
  EVP_PKEY *other_key = load_public (dir, "otherpub.pem");
  gsize     length = strlen (CONTENT);

  ck_assert (till_alipay_verify (CONTENT, length, signature, public_key));
  /* Only those bytes: one byte fewer or a changed byte fails. */
  ck_assert (!till_alipay_verify (CONTENT, length - 1, signature, public_key));
  g_autofree char *changed = g_strdup (CONTENT);
  changed[7] = '3';
  ck_assert (!till_alipay_verify (changed, length, signature, public_key));
  /* A flipped signature byte, "A" in front, the wrong key, nothing. */
  g_autofree char *flipped = g_strdup (signature);
  flipped[10] = flipped[10] == 'A' ? 'B' : 'A';
  ck_assert (!till_alipay_verify (CONTENT, length, flipped, public_key));
  g_autofree char *prefixed = g_strconcat ("A", signature, NULL);
  ck_assert (!till_alipay_verify (CONTENT, length, prefixed, public_key));
  ck_assert (!till_alipay_verify (CONTENT, length, signature, other_key));
  ck_assert (!till_alipay_verify (CONTENT, length, NULL, public_key));
  ck_assert (!till_alipay_verify (CONTENT, length, "", public_key));
  /* Characters base64 doesn't have are not skipped over. */
  g_autofree char *noisy = g_strdup (signature);
  noisy[20] = '!';
  ck_assert (!till_alipay_verify (CONTENT, length, noisy, public_key));

  EVP_PKEY_free (public_key);
  EVP_PKEY_free (other_key);
  till_test_remove_tree (dir);
}
END_TEST

/* /pay/alipay/load-bare-base64-keys */
START_TEST (test_load_bare_keys)
{
  g_autofree char *dir = till_test_make_tmpdir ();
  g_autoptr (GError) error = NULL;

  make_keys (dir);
  g_autofree char *pkcs8 = read_file (dir, "key.pem");
  g_autofree char *pkcs1 = read_file (dir, "key1.pem");
  g_autofree char *public_pem = read_file (dir, "pub.pem");
  ck_assert_ptr_nonnull (strstr (pkcs8, "BEGIN PRIVATE KEY"));
  ck_assert_ptr_nonnull (strstr (pkcs1, "BEGIN RSA PRIVATE KEY"));

  g_autofree char *bare8 = strip_armour (pkcs8);
  g_autofree char *bare1 = strip_armour (pkcs1);
  g_autofree char *bare_public = strip_armour (public_pem);
  ck_assert_uint_gt (strlen (bare8), 64);

  EVP_PKEY *from8 = till_alipay_load_private_key (bare8, &error);
  ck_assert_msg (from8 != NULL, "%s", error != NULL ? error->message : "");
  EVP_PKEY *from1 = till_alipay_load_private_key (bare1, &error);
  ck_assert_msg (from1 != NULL, "%s", error != NULL ? error->message : "");
  EVP_PKEY *public_key = till_alipay_load_public_key (bare_public, &error);
  ck_assert_msg (public_key != NULL, "%s", error != NULL ? error->message : "");

  /* Both private forms are the key the public half checks. */
  g_autofree char *signature8 = till_alipay_sign (CONTENT, from8, NULL);
  g_autofree char *signature1 = till_alipay_sign (CONTENT, from1, NULL);
  ck_assert_str_eq (signature8, signature1);
  ck_assert (till_alipay_verify (CONTENT, strlen (CONTENT), signature8, public_key));

  /* Not a key. */
  EVP_PKEY *none = till_alipay_load_private_key ("bm90IGEga2V5", &error);
  ck_assert_ptr_null (none);
  ck_assert (g_error_matches (error, TILL_ALIPAY_ERROR, TILL_ALIPAY_ERROR_KEY));
  g_clear_error (&error);
  ck_assert_ptr_null (till_alipay_load_public_key ("%%%", &error));
  ck_assert (g_error_matches (error, TILL_ALIPAY_ERROR, TILL_ALIPAY_ERROR_KEY));

  EVP_PKEY_free (from8);
  EVP_PKEY_free (from1);
  EVP_PKEY_free (public_key);
  till_test_remove_tree (dir);
}
END_TEST

static char *
extract (const char *body, const char *node, char **out_sign)
{
  gsize start = 0, length = 0;

  if (!till_alipay_reply_extract (body, strlen (body), node, &start, &length, out_sign))
    return NULL;
  return g_strndup (body + start, length);
}

/* /pay/alipay/reply-extract */
START_TEST (test_reply_extract)
{
  char *sign = NULL;

  /* Braces, quotes, escaped quotes and unicode escapes inside strings. */
  const char *tricky = "{\"alipay_trade_pay_response\":{\"code\":\"10000\",\"msg\":\"a}b{\\\"c\\\"}"
                       "\",\"subject\":\"\\u77ff\\u6cc9\\u6c34 }\",\"list\":[{\"x\":\"]\"}]},"
                       "\"sign\":\"ab\\/cd+==\"}";
  g_autofree char *node = extract (tricky, "alipay_trade_pay_response", &sign);
  ck_assert_str_eq (node, "{\"code\":\"10000\",\"msg\":\"a}b{\\\"c\\\"}\",\"subject\":"
                          "\"\\u77ff\\u6cc9\\u6c34 }\",\"list\":[{\"x\":\"]\"}]}");
  /* The sign is decoded: \/ is /. */
  ck_assert_str_eq (sign, "ab/cd+==");
  g_clear_pointer (&sign, g_free);

  /* sign first, whitespace kept verbatim inside the node. */
  const char      *before = " { \"sign\" : \"S\" , \"alipay_trade_query_response\" : { \"a\" : 1 ,"
                            "\"b\":null } } ";
  g_autofree char *node2 = extract (before, "alipay_trade_query_response", &sign);
  ck_assert_str_eq (node2, "{ \"a\" : 1 ,\"b\":null }");
  ck_assert_str_eq (sign, "S");
  g_clear_pointer (&sign, g_free);

  /* A node name inside a string value is not the node. */
  const char *decoy = "{\"note\":\"\\\"alipay_trade_pay_response\\\":{}\",\"error_response\":"
                      "{\"code\":\"40002\",\"sub_code\":\"isv.invalid-signature\"}}";
  ck_assert_ptr_null (extract (decoy, "alipay_trade_pay_response", &sign));
  g_autofree char *error_node = extract (decoy, "error_response", &sign);
  ck_assert_str_eq (error_node, "{\"code\":\"40002\",\"sub_code\":\"isv.invalid-signature\"}");
  ck_assert_ptr_null (sign);

  /* Malformed: unterminated string, unbalanced, trailing garbage, the node
   * twice, a node that is not an object, a bad escape, not an object. */
  const char *bad[] = {
    "{\"alipay_trade_pay_response\":{\"code\":\"10000}",
    "{\"alipay_trade_pay_response\":{\"code\":\"10000\"}",
    "{\"alipay_trade_pay_response\":{\"code\":\"10000\"]}",
    "{\"alipay_trade_pay_response\":{\"code\":\"10000\"}} x",
    "{\"alipay_trade_pay_response\":{},\"alipay_trade_pay_response\":{\"code\":\"10000\"}}",
    "{\"alipay_trade_pay_response\":\"10000\"}",
    "{\"alipay_trade_pay_response\":{\"a\":\"\\q\"}}",
    "{\"alipay_trade_pay_response\" {}}",
    "[{\"alipay_trade_pay_response\":{}}]",
    "",
  };
  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autofree char *none = extract (bad[i], "alipay_trade_pay_response", &sign);
      ck_assert_msg (none == NULL, "accepted %s", bad[i]);
      ck_assert_ptr_null (sign);
    }
}
END_TEST

/* /pay/alipay/form-encode */
START_TEST (test_form_encode)
{
  g_autoptr (GHashTable) params = g_hash_table_new (g_str_hash, g_str_equal);

  g_hash_table_insert (params, "sign", "a+b/c=");
  g_hash_table_insert (params, "biz_content", "{\"subject\":\"矿泉水 & 面包\"}");
  g_hash_table_insert (params, "timestamp", "2026-01-01 08:00:00");
  g_autofree char *form = till_alipay_form_encode (params);
  ck_assert_str_eq (form,
                    "biz_content=%7B%22subject%22%3A%22%E7%9F%BF%E6%B3%89%E6%B0%B4%20%26%20%E9%9D"
                    "%A2%E5%8C%85%22%7D&sign=a%2Bb%2Fc%3D&timestamp=2026-01-01%2008%3A00%3A00");

  /* It decodes back to the same values. */
  g_autoptr (GHashTable) back = g_uri_parse_params (form, -1, "&", G_URI_PARAMS_NONE, NULL);
  ck_assert_str_eq (g_hash_table_lookup (back, "sign"), "a+b/c=");
  ck_assert_str_eq (g_hash_table_lookup (back, "biz_content"), "{\"subject\":\"矿泉水 & 面包\"}");
}
END_TEST

/* Reply mapping, with a key pair of the "Alipay" side made in the test. */
typedef struct
{
  char     *dir;
  EVP_PKEY *alipay_private;
  EVP_PKEY *alipay_public;
  EVP_PKEY *other_private;
} Keys;

static Keys keys;

static void
keys_setup (void)
{
  keys.dir = till_test_make_tmpdir ();
  make_keys (keys.dir);
  keys.alipay_private = load_private (keys.dir, "key.pem");
  keys.alipay_public = load_public (keys.dir, "pub.pem");
  keys.other_private = load_private (keys.dir, "other.pem");
}

static void
keys_teardown (void)
{
  EVP_PKEY_free (keys.alipay_private);
  EVP_PKEY_free (keys.alipay_public);
  EVP_PKEY_free (keys.other_private);
  till_test_remove_tree (keys.dir);
  g_free (keys.dir);
}

static guint expected_warnings;

static gboolean
count_expected_warning_cb (const char    *log_domain,
                           GLogLevelFlags log_level,
                           const char    *message,
                           gpointer       user_data)
{
  if (g_strcmp0 (log_domain, "till-alipay") == 0 && strstr (message, "not trusted") != NULL)
    {
      expected_warnings++;
      return FALSE;
    }
  return TRUE;
}

/* A gateway reply: @node under @node_name, signed with @signer (NULL:
 * unsigned). */
static TillWalletReply *
parse_reply (TillWalletOperation operation,
             const char         *node_name,
             const char         *node,
             EVP_PKEY           *signer)
{
  g_autofree char *sign = signer != NULL ? till_alipay_sign (node, signer, NULL) : NULL;
  g_autofree char *body =
      sign != NULL ? g_strdup_printf ("{\"%s\":%s,\"sign\":\"%s\"}", node_name, node, sign)
                   : g_strdup_printf ("{\"%s\":%s}", node_name, node);

  return till_alipay_reply_parse (operation, body, strlen (body), "T1", keys.alipay_public);
}

#define PAY_NODE "alipay_trade_pay_response"

/* /pay/alipay/reply-pay */
START_TEST (test_reply_pay)
{
  g_autoptr (TillWalletReply) paid = parse_reply (
      TILL_WALLET_OPERATION_PAY, PAY_NODE,
      "{\"code\":\"10000\",\"msg\":\"Success\",\"out_trade_no\":\"T1\",\"trade_no\":"
      "\"2017032121001004070200176846\",\"buyer_logon_id\":\"158****1562\",\"total_amount\":"
      "\"20.05\"}",
      keys.alipay_private);
  ck_assert_int_eq (paid->outcome, TILL_WALLET_OUTCOME_DONE);
  ck_assert_str_eq (paid->transaction_id, "2017032121001004070200176846");
  ck_assert_str_eq (paid->buyer, "158****1562");
  ck_assert_int_eq (paid->amount, 2005);

  g_autoptr (TillWalletReply) waiting = parse_reply (
      TILL_WALLET_OPERATION_PAY, PAY_NODE,
      "{\"code\":\"10003\",\"msg\":\" order success pay inprocess\"}", keys.alipay_private);
  ck_assert_int_eq (waiting->outcome, TILL_WALLET_OUTCOME_UNKNOWN);
  ck_assert (waiting->waiting_for_user);

  struct
  {
    const char       *node;
    TillWalletOutcome outcome;
    const char       *code;
  } cases[] = {
    { "{\"code\":\"20000\",\"msg\":\"Service Currently Unavailable\",\"sub_code\":"
      "\"isp.unknow-error\"}",
      TILL_WALLET_OUTCOME_UNKNOWN, "isp.unknow-error" },
    { "{\"code\":\"40004\",\"msg\":\"Business Failed\",\"sub_code\":\"ACQ.SYSTEM_ERROR\"}",
      TILL_WALLET_OUTCOME_UNKNOWN, "ACQ.SYSTEM_ERROR" },
    { "{\"code\":\"40004\",\"msg\":\"Business Failed\",\"sub_code\":\"ACQ.TRADE_HAS_SUCCESS\"}",
      TILL_WALLET_OUTCOME_UNKNOWN, "ACQ.TRADE_HAS_SUCCESS" },
    { "{\"code\":\"40004\",\"msg\":\"Business Failed\",\"sub_code\":"
      "\"ACQ.BUYER_BALANCE_NOT_ENOUGH\",\"sub_msg\":\"买家余额不足\"}",
      TILL_WALLET_OUTCOME_NOT_DONE, "ACQ.BUYER_BALANCE_NOT_ENOUGH" },
    { "{\"code\":\"40004\",\"msg\":\"Business Failed\",\"sub_code\":"
      "\"ACQ.PAYMENT_AUTH_CODE_INVALID\",\"sub_msg\":\"付款码无效\"}",
      TILL_WALLET_OUTCOME_NOT_DONE, "ACQ.PAYMENT_AUTH_CODE_INVALID" },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (TillWalletReply) reply =
          parse_reply (TILL_WALLET_OPERATION_PAY, PAY_NODE, cases[i].node, keys.alipay_private);
      ck_assert_msg (reply->outcome == cases[i].outcome, "%s", cases[i].code);
      ck_assert_str_eq (reply->code, cases[i].code);
    }
  g_autoptr (TillWalletReply) poor =
      parse_reply (TILL_WALLET_OPERATION_PAY, PAY_NODE,
                   "{\"code\":\"40004\",\"msg\":\"Business Failed\",\"sub_code\":"
                   "\"ACQ.BUYER_BALANCE_NOT_ENOUGH\",\"sub_msg\":\"买家余额不足\"}",
                   keys.alipay_private);
  ck_assert_str_eq (poor->message, "买家余额不足");
}
END_TEST

/* /pay/alipay/reply-signatures */
START_TEST (test_reply_signatures)
{
  const char *success = "{\"code\":\"10000\",\"msg\":\"Success\",\"trade_no\":\"2017\","
                        "\"total_amount\":\"20.00\"}";

  g_test_log_set_fatal_handler (count_expected_warning_cb, NULL);
  expected_warnings = 0;

  /* Unsigned success: not trusted, but no forgery either (no warning). */
  g_autoptr (TillWalletReply) unsigned_success =
      parse_reply (TILL_WALLET_OPERATION_PAY, PAY_NODE, success, NULL);
  ck_assert_int_eq (unsigned_success->outcome, TILL_WALLET_OUTCOME_UNKNOWN);
  ck_assert_str_eq (unsigned_success->code, "BAD_SIGNATURE");
  ck_assert_uint_eq (expected_warnings, 0);

  /* Signed with a key that isn't Alipay's. */
  g_autoptr (TillWalletReply) forged =
      parse_reply (TILL_WALLET_OPERATION_PAY, PAY_NODE, success, keys.other_private);
  ck_assert_int_eq (forged->outcome, TILL_WALLET_OUTCOME_UNKNOWN);
  ck_assert_str_eq (forged->code, "BAD_SIGNATURE");
  ck_assert_uint_eq (expected_warnings, 1);

  /* The node changed after signing (same signature, other bytes). */
  g_autofree char *sign = till_alipay_sign (success, keys.alipay_private, NULL);
  g_autofree char *tampered =
      g_strdup_printf ("{\"alipay_trade_pay_response\":{\"code\":\"10000\",\"msg\":\"Success\","
                       "\"trade_no\":\"2017\",\"total_amount\":\"2000.00\"},\"sign\":\"%s\"}",
                       sign);
  g_autoptr (TillWalletReply) changed = till_alipay_reply_parse (
      TILL_WALLET_OPERATION_PAY, tampered, strlen (tampered), "T1", keys.alipay_public);
  ck_assert_str_eq (changed->code, "BAD_SIGNATURE");

  /* Re-serialized whitespace breaks a signature: verified over raw bytes. */
  g_autofree char *spaced =
      g_strdup_printf ("{\"alipay_trade_pay_response\":%s,\"sign\":\"%s\"}", success, sign);
  g_autoptr (TillWalletReply) raw = till_alipay_reply_parse (
      TILL_WALLET_OPERATION_PAY, spaced, strlen (spaced), "T1", keys.alipay_public);
  ck_assert_int_eq (raw->outcome, TILL_WALLET_OUTCOME_DONE);

  /* Unsigned plain failures are not trusted as "not paid"... */
  g_autoptr (TillWalletReply) unsigned_failure =
      parse_reply (TILL_WALLET_OPERATION_PAY, PAY_NODE,
                   "{\"code\":\"40004\",\"sub_code\":\"ACQ.BUYER_BALANCE_NOT_ENOUGH\"}", NULL);
  ck_assert_int_eq (unsigned_failure->outcome, TILL_WALLET_OUTCOME_UNKNOWN);
  /* ...except the gateway refusing our own signature. */
  g_autoptr (TillWalletReply) our_key = parse_reply (
      TILL_WALLET_OPERATION_PAY, "error_response",
      "{\"code\":\"40002\",\"msg\":\"Invalid Arguments\",\"sub_code\":\"isv.invalid-signature\","
      "\"sub_msg\":\"验签出错\"}",
      NULL);
  ck_assert_int_eq (our_key->outcome, TILL_WALLET_OUTCOME_NOT_DONE);
  ck_assert_str_eq (our_key->code, "isv.invalid-signature");

  /* A signed reply about another order. */
  g_autoptr (TillWalletReply) other_order = parse_reply (
      TILL_WALLET_OPERATION_PAY, PAY_NODE,
      "{\"code\":\"10000\",\"msg\":\"Success\",\"out_trade_no\":\"T2\"}", keys.alipay_private);
  ck_assert_str_eq (other_order->code, "BAD_REPLY");
  ck_assert_uint_eq (expected_warnings, 3);

  /* No node at all. */
  g_autoptr (TillWalletReply) empty =
      till_alipay_reply_parse (TILL_WALLET_OPERATION_PAY, "<html>", 6, "T1", keys.alipay_public);
  ck_assert_int_eq (empty->outcome, TILL_WALLET_OUTCOME_UNKNOWN);
  ck_assert_str_eq (empty->code, "BAD_REPLY");
}
END_TEST

/* /pay/alipay/reply-query-cancel-refund */
START_TEST (test_reply_other_operations)
{
  struct
  {
    const char       *status;
    TillWalletOutcome outcome;
  } statuses[] = {
    { "TRADE_SUCCESS", TILL_WALLET_OUTCOME_DONE },
    { "TRADE_FINISHED", TILL_WALLET_OUTCOME_DONE },
    { "WAIT_BUYER_PAY", TILL_WALLET_OUTCOME_UNKNOWN },
    { "TRADE_CLOSED", TILL_WALLET_OUTCOME_NOT_DONE },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (statuses); i++)
    {
      g_autofree char *node = g_strdup_printf (
          "{\"code\":\"10000\",\"msg\":\"Success\",\"trade_status\":\"%s\",\"total_amount\":"
          "\"8.8\"}",
          statuses[i].status);
      g_autoptr (TillWalletReply) reply = parse_reply (
          TILL_WALLET_OPERATION_QUERY, "alipay_trade_query_response", node, keys.alipay_private);
      ck_assert_msg (reply->outcome == statuses[i].outcome, "%s", statuses[i].status);
      ck_assert_str_eq (reply->code, statuses[i].status);
      ck_assert_int_eq (reply->waiting_for_user, i == 2);
      if (reply->outcome == TILL_WALLET_OUTCOME_DONE)
        ck_assert_int_eq (reply->amount, 880);
    }
  g_autoptr (TillWalletReply) missing = parse_reply (
      TILL_WALLET_OPERATION_QUERY, "alipay_trade_query_response",
      "{\"code\":\"40004\",\"sub_code\":\"ACQ.TRADE_NOT_EXIST\"}", keys.alipay_private);
  ck_assert_int_eq (missing->outcome, TILL_WALLET_OUTCOME_NOT_DONE);

  g_autoptr (TillWalletReply) refunded =
      parse_reply (TILL_WALLET_OPERATION_REVERSE, "alipay_trade_cancel_response",
                   "{\"code\":\"10000\",\"msg\":\"Success\",\"action\":\"refund\",\"retry_flag\":"
                   "\"N\",\"trade_no\":\"2017\"}",
                   keys.alipay_private);
  ck_assert_int_eq (refunded->outcome, TILL_WALLET_OUTCOME_DONE);
  ck_assert (refunded->refunded);
  g_autoptr (TillWalletReply) closed = parse_reply (
      TILL_WALLET_OPERATION_REVERSE, "alipay_trade_cancel_response",
      "{\"code\":\"10000\",\"action\":\"close\",\"retry_flag\":\"N\"}", keys.alipay_private);
  ck_assert_int_eq (closed->outcome, TILL_WALLET_OUTCOME_DONE);
  ck_assert (!closed->refunded);
  g_autoptr (TillWalletReply) again =
      parse_reply (TILL_WALLET_OPERATION_REVERSE, "alipay_trade_cancel_response",
                   "{\"code\":\"40004\",\"sub_code\":\"ACQ.SYSTEM_ERROR\",\"retry_flag\":\"Y\"}",
                   keys.alipay_private);
  ck_assert_int_eq (again->outcome, TILL_WALLET_OUTCOME_UNKNOWN);
  ck_assert (again->retry);

  g_autoptr (TillWalletReply) repeat =
      parse_reply (TILL_WALLET_OPERATION_REFUND, "alipay_trade_refund_response",
                   "{\"code\":\"10000\",\"msg\":\"Success\",\"fund_change\":\"N\",\"trade_no\":"
                   "\"2017\",\"refund_fee\":\"1.00\"}",
                   keys.alipay_private);
  ck_assert_int_eq (repeat->outcome, TILL_WALLET_OUTCOME_DONE);
  g_autoptr (TillWalletReply) refused = parse_reply (
      TILL_WALLET_OPERATION_REFUND, "alipay_trade_refund_response",
      "{\"code\":\"40004\",\"sub_code\":\"ACQ.REASON_TRADE_REFUND_FEE_ERR\"}", keys.alipay_private);
  ck_assert_int_eq (refused->outcome, TILL_WALLET_OUTCOME_NOT_DONE);
}
END_TEST

static Suite *
alipay_suite (void)
{
  Suite *suite = suite_create ("/pay/alipay");
  TCase *wire = tcase_create ("wire");
  TCase *reply = tcase_create ("reply");

  tcase_set_timeout (wire, 60);
  tcase_add_test (wire, test_sign_content_vector);
  tcase_add_test (wire, test_sign_matches_openssl);
  tcase_add_test (wire, test_verify);
  tcase_add_test (wire, test_load_bare_keys);
  tcase_add_test (wire, test_reply_extract);
  tcase_add_test (wire, test_form_encode);
  suite_add_tcase (suite, wire);

  tcase_set_timeout (reply, 60);
  tcase_add_checked_fixture (reply, keys_setup, keys_teardown);
  tcase_add_test (reply, test_reply_pay);
  tcase_add_test (reply, test_reply_signatures);
  tcase_add_test (reply, test_reply_other_operations);
  suite_add_tcase (suite, reply);
  return suite;
}

int
main (void)
{
  return till_test_run_suite (alipay_suite ());
}
