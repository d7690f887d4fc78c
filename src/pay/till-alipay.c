/* till-alipay.c: Alipay 当面付 付款码 (alipay.trade.pay, scene bar_code):
 * RSA2 signing, reply verification over the raw bytes, and the client
 * (PAYMENTS.md §2)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "till-alipay"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "till-alipay.h"

struct _TillAlipay
{
  GObject parent_instance;

  char         *gateway_url;
  char         *app_id;
  EVP_PKEY     *private_key;
  EVP_PKEY     *alipay_public_key;
  char         *store_id;
  char         *terminal_id;
  GTlsDatabase *tls_database;
  guint         timeout;

  SoupSession *session;
};

static void till_alipay_wallet_client_init (TillWalletClientInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (TillAlipay,
                               till_alipay,
                               G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (TILL_TYPE_WALLET_CLIENT,
                                                      till_alipay_wallet_client_init))

enum
{
  PROP_0,
  PROP_GATEWAY_URL,
  PROP_APP_ID,
  PROP_PRIVATE_KEY,
  PROP_ALIPAY_PUBLIC_KEY,
  PROP_STORE_ID,
  PROP_TERMINAL_ID,
  PROP_TLS_DATABASE,
  PROP_TIMEOUT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_QUARK (till_alipay_error_quark, till_alipay_error)

/* Nesting deeper than this in a reply is refused rather than scanned. */
#define MAX_JSON_DEPTH 64

/* The OpenSSL error queue as one line, and emptied. */
static char *
take_openssl_error (void)
{
  unsigned long code = ERR_get_error ();
  char          text[256] = "unknown OpenSSL error";

  if (code != 0)
    ERR_error_string_n (code, text, sizeof text);
  ERR_clear_error ();
  return g_strdup (text);
}

/* Keys are never encrypted here; refuse rather than prompt on a terminal. */
static int
no_passphrase_cb (char *buf, int size, int rwflag, void *user_data)
{
  return -1;
}

/* The Alipay key tool prints bare base64: wrap it as PEM with 64-column
 * lines under @label. NULL when it is not base64. */
static char *
wrap_pem (const char *text, const char *label)
{
  g_autoptr (GString) clean = g_string_new (NULL);
  GString *pem;

  for (const char *p = text; *p != '\0'; p++)
    {
      if (g_ascii_isspace (*p))
        continue;
      if (!g_ascii_isalnum (*p) && *p != '+' && *p != '/' && *p != '=')
        return NULL;
      g_string_append_c (clean, *p);
    }
  if (clean->len == 0 || clean->len % 4 != 0)
    return NULL;

  pem = g_string_new (NULL);
  g_string_append_printf (pem, "-----BEGIN %s-----\n", label);
  for (gsize i = 0; i < clean->len; i += 64)
    {
      g_string_append_len (pem, clean->str + i, MIN (64, (gssize) (clean->len - i)));
      g_string_append_c (pem, '\n');
    }
  g_string_append_printf (pem, "-----END %s-----\n", label);
  return g_string_free (pem, FALSE);
}

static EVP_PKEY *
read_private_pem (const char *pem)
{
  BIO      *bio = BIO_new_mem_buf (pem, -1);
  EVP_PKEY *key = PEM_read_bio_PrivateKey (bio, NULL, no_passphrase_cb, NULL);

  BIO_free (bio);
  return key;
}

static EVP_PKEY *
read_public_pem (const char *pem)
{
  BIO      *bio = BIO_new_mem_buf (pem, -1);
  EVP_PKEY *key = NULL;

  if (strstr (pem, "-----BEGIN CERTIFICATE-----") != NULL)
    {
      /* Certificate mode hands out alipayCertPublicKey_RSA2.crt. */
      X509 *certificate = PEM_read_bio_X509 (bio, NULL, no_passphrase_cb, NULL);
      if (certificate != NULL)
        key = X509_get_pubkey (certificate);
      X509_free (certificate);
    }
  else
    key = PEM_read_bio_PUBKEY (bio, NULL, no_passphrase_cb, NULL);
  BIO_free (bio);
  return key;
}

static gboolean
is_rsa (EVP_PKEY *key)
{
  return EVP_PKEY_get_base_id (key) == EVP_PKEY_RSA;
}

/* JSON scanning for till_alipay_reply_extract(): strings and escapes are
 * read properly, so a brace or quote inside a string never ends a node. */
typedef struct
{
  const char *p;
  const char *end;
} Scanner;

static void
skip_space (Scanner *scanner)
{
  while (scanner->p < scanner->end &&
         (*scanner->p == ' ' || *scanner->p == '\t' || *scanner->p == '\n' || *scanner->p == '\r'))
    scanner->p++;
}

static int
hex_value (char c)
{
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

static gboolean
scan_hex4 (Scanner *scanner, gunichar *out_value)
{
  gunichar value = 0;

  if (scanner->end - scanner->p < 4)
    return FALSE;
  for (int i = 0; i < 4; i++)
    {
      int digit = hex_value (scanner->p[i]);
      if (digit < 0)
        return FALSE;
      value = value * 16 + (gunichar) digit;
    }
  scanner->p += 4;
  *out_value = value;
  return TRUE;
}

/* At a '"': moves past the closing quote, appending the decoded text to
 * @out (nullable). */
static gboolean
scan_string (Scanner *scanner, GString *out)
{
  if (scanner->p >= scanner->end || *scanner->p != '"')
    return FALSE;
  scanner->p++;

  while (scanner->p < scanner->end)
    {
      unsigned char c = (unsigned char) *scanner->p++;

      if (c == '"')
        return TRUE;
      if (c < 0x20)
        return FALSE;
      if (c != '\\')
        {
          if (out != NULL)
            g_string_append_c (out, (char) c);
          continue;
        }
      if (scanner->p >= scanner->end)
        return FALSE;
      c = (unsigned char) *scanner->p++;
      switch (c)
        {
        case '"':
        case '\\':
        case '/':
          break;
        case 'b':
          c = '\b';
          break;
        case 'f':
          c = '\f';
          break;
        case 'n':
          c = '\n';
          break;
        case 'r':
          c = '\r';
          break;
        case 't':
          c = '\t';
          break;
        case 'u':
          {
            gunichar value;

            if (!scan_hex4 (scanner, &value))
              return FALSE;
            if (value >= 0xD800 && value < 0xDC00)
              {
                gunichar low;
                if (scanner->end - scanner->p < 2 || scanner->p[0] != '\\' || scanner->p[1] != 'u')
                  return FALSE;
                scanner->p += 2;
                if (!scan_hex4 (scanner, &low) || low < 0xDC00 || low > 0xDFFF)
                  return FALSE;
                value = 0x10000 + ((value - 0xD800) << 10) + (low - 0xDC00);
              }
            else if (value >= 0xDC00 && value <= 0xDFFF)
              return FALSE;
            if (out != NULL)
              g_string_append_unichar (out, value);
            continue;
          }
        default:
          return FALSE;
        }
      if (out != NULL)
        g_string_append_c (out, (char) c);
    }
  return FALSE;
}

/* Moves past one value of any kind. Nested objects and arrays are matched
 * bracket for bracket; their inner grammar is left to the JSON parser that
 * reads the node afterwards. */
static gboolean
scan_value (Scanner *scanner)
{
  char closers[MAX_JSON_DEPTH];
  int  depth = 0;

  if (scanner->p >= scanner->end)
    return FALSE;

  if (*scanner->p == '"')
    return scan_string (scanner, NULL);

  if (*scanner->p != '{' && *scanner->p != '[')
    {
      const char *start = scanner->p;
      while (scanner->p < scanner->end && (g_ascii_isalnum (*scanner->p) || *scanner->p == '-' ||
                                           *scanner->p == '+' || *scanner->p == '.'))
        scanner->p++;
      return scanner->p > start;
    }

  while (scanner->p < scanner->end)
    {
      char c = *scanner->p;

      if (c == '"')
        {
          if (!scan_string (scanner, NULL))
            return FALSE;
          continue;
        }
      scanner->p++;
      if (c == '{' || c == '[')
        {
          if (depth == MAX_JSON_DEPTH)
            return FALSE;
          closers[depth++] = c == '{' ? '}' : ']';
        }
      else if (c == '}' || c == ']')
        {
          if (depth == 0 || closers[depth - 1] != c)
            return FALSE;
          if (--depth == 0)
            return TRUE;
        }
    }
  return FALSE;
}

/* "12.34" → 1234 fen, without doubles; -1 when it is not an amount. */
static gint64
parse_yuan (const char *text)
{
  guint64     yuan = 0;
  gint64      fen = 0;
  const char *dot;

  if (text == NULL || *text == '\0')
    return -1;
  dot = strchr (text, '.');
  g_autofree char *whole = dot != NULL ? g_strndup (text, (gsize) (dot - text)) : g_strdup (text);
  if (!g_ascii_string_to_unsigned (whole, 10, 0, G_MAXINT64 / 100 - 1, &yuan, NULL))
    return -1;
  if (dot != NULL)
    {
      const char *fraction = dot + 1;
      gsize       digits = strlen (fraction);

      if (digits == 0 || digits > 2 || !g_ascii_isdigit (fraction[0]) ||
          (digits == 2 && !g_ascii_isdigit (fraction[1])))
        return -1;
      fen = (fraction[0] - '0') * 10 + (digits == 2 ? fraction[1] - '0' : 0);
    }
  return (gint64) yuan * 100 + fen;
}

static char *
format_yuan (gint64 fen)
{
  return g_strdup_printf ("%" G_GINT64_FORMAT ".%02d", fen / 100, (int) (fen % 100));
}

static const char *
method_name (TillWalletOperation operation)
{
  switch (operation)
    {
    case TILL_WALLET_OPERATION_PAY:
      return "alipay.trade.pay";
    case TILL_WALLET_OPERATION_QUERY:
      return "alipay.trade.query";
    case TILL_WALLET_OPERATION_REVERSE:
      return "alipay.trade.cancel";
    case TILL_WALLET_OPERATION_REFUND:
      return "alipay.trade.refund";
    default:
      g_assert_not_reached ();
    }
}

/* Reply mapping. */

static TillWalletReply *
reply_new (TillWalletOutcome outcome, JsonObject *node)
{
  TillWalletReply *reply = till_wallet_reply_new (outcome);
  const char      *sub_code = _till_wallet_client_json_string (node, "sub_code");
  const char      *sub_msg = _till_wallet_client_json_string (node, "sub_msg");

  reply->code =
      g_strdup (sub_code != NULL ? sub_code : _till_wallet_client_json_string (node, "code"));
  reply->message =
      g_strdup (sub_msg != NULL ? sub_msg : _till_wallet_client_json_string (node, "msg"));
  return reply;
}

static void
fill_paid (TillWalletReply *reply, JsonObject *node)
{
  reply->transaction_id = g_strdup (_till_wallet_client_json_string (node, "trade_no"));
  /* buyer_logon_id comes masked by Alipay already (158****1562). */
  reply->buyer = g_strdup (_till_wallet_client_json_string (node, "buyer_logon_id"));
  reply->amount = parse_yuan (_till_wallet_client_json_string (node, "total_amount"));
}

static TillWalletReply *
map_pay (JsonObject *node, const char *code, const char *sub_code)
{
  TillWalletReply *reply;

  if (g_strcmp0 (code, "10000") == 0)
    {
      reply = reply_new (TILL_WALLET_OUTCOME_DONE, node);
      fill_paid (reply, node);
      return reply;
    }
  if (g_strcmp0 (code, "10003") == 0)
    {
      reply = reply_new (TILL_WALLET_OUTCOME_UNKNOWN, node);
      reply->waiting_for_user = TRUE;
      return reply;
    }
  /* The system failed, or the trade is already paid (perhaps by our own lost
   * request): the query decides. */
  if (g_strcmp0 (code, "20000") == 0 || g_strcmp0 (sub_code, "ACQ.SYSTEM_ERROR") == 0 ||
      g_strcmp0 (sub_code, "ACQ.TRADE_HAS_SUCCESS") == 0)
    return reply_new (TILL_WALLET_OUTCOME_UNKNOWN, node);
  return reply_new (TILL_WALLET_OUTCOME_NOT_DONE, node);
}

static TillWalletReply *
map_query (JsonObject *node, const char *code, const char *sub_code)
{
  const char      *status = _till_wallet_client_json_string (node, "trade_status");
  TillWalletReply *reply;

  if (g_strcmp0 (code, "10000") != 0)
    {
      if (g_strcmp0 (sub_code, "ACQ.TRADE_NOT_EXIST") == 0)
        return reply_new (TILL_WALLET_OUTCOME_NOT_DONE, node);
      return reply_new (TILL_WALLET_OUTCOME_UNKNOWN, node);
    }
  if (g_strcmp0 (status, "TRADE_SUCCESS") == 0 || g_strcmp0 (status, "TRADE_FINISHED") == 0)
    {
      reply = reply_new (TILL_WALLET_OUTCOME_DONE, node);
      fill_paid (reply, node);
      g_free (reply->code);
      reply->code = g_strdup (status);
      return reply;
    }
  if (g_strcmp0 (status, "WAIT_BUYER_PAY") == 0)
    {
      reply = reply_new (TILL_WALLET_OUTCOME_UNKNOWN, node);
      reply->waiting_for_user = TRUE;
      g_free (reply->code);
      reply->code = g_strdup (status);
      return reply;
    }
  reply = reply_new (g_strcmp0 (status, "TRADE_CLOSED") == 0 ? TILL_WALLET_OUTCOME_NOT_DONE
                                                             : TILL_WALLET_OUTCOME_UNKNOWN,
                     node);
  g_free (reply->code);
  reply->code = g_strdup (status != NULL ? status : "NO_TRADE_STATUS");
  return reply;
}

static TillWalletReply *
map_cancel (JsonObject *node, const char *code, const char *sub_code)
{
  gboolean call_again = g_strcmp0 (_till_wallet_client_json_string (node, "retry_flag"), "Y") == 0;
  TillWalletReply *reply;

  if (g_strcmp0 (code, "10000") == 0 && !call_again)
    {
      reply = reply_new (TILL_WALLET_OUTCOME_DONE, node);
      reply->refunded = g_strcmp0 (_till_wallet_client_json_string (node, "action"), "refund") == 0;
      reply->transaction_id = g_strdup (_till_wallet_client_json_string (node, "trade_no"));
      return reply;
    }
  if (call_again || g_strcmp0 (code, "20000") == 0 || g_strcmp0 (sub_code, "ACQ.SYSTEM_ERROR") == 0)
    {
      reply = reply_new (TILL_WALLET_OUTCOME_UNKNOWN, node);
      reply->retry = TRUE;
      return reply;
    }
  return reply_new (TILL_WALLET_OUTCOME_NOT_DONE, node);
}

static TillWalletReply *
map_refund (JsonObject *node, const char *code, const char *sub_code)
{
  TillWalletReply *reply;

  if (g_strcmp0 (code, "10000") == 0)
    {
      /* fund_change=N on a repeated out_request_no: refunded the first time. */
      reply = reply_new (TILL_WALLET_OUTCOME_DONE, node);
      reply->transaction_id = g_strdup (_till_wallet_client_json_string (node, "trade_no"));
      return reply;
    }
  if (g_strcmp0 (code, "20000") == 0 || g_strcmp0 (sub_code, "ACQ.SYSTEM_ERROR") == 0)
    return reply_new (TILL_WALLET_OUTCOME_UNKNOWN, node);
  return reply_new (TILL_WALLET_OUTCOME_NOT_DONE, node);
}

/* Client. */

static TillWalletReply *
parse_reply (TillWalletClient   *client,
             TillWalletOperation operation,
             const char         *body,
             gsize               length,
             const char         *out_trade_no)
{
  return till_alipay_reply_parse (operation, body, length, out_trade_no,
                                  TILL_ALIPAY (client)->alipay_public_key);
}

/* Sends @method with @biz (a JSON object, consumed) as biz_content. */
static void
send_request (TillAlipay         *self,
              TillWalletOperation operation,
              const char         *out_trade_no,
              JsonBuilder        *biz,
              GCancellable       *cancellable,
              GAsyncReadyCallback callback,
              gpointer            user_data)
{
  TillWalletClient *client = TILL_WALLET_CLIENT (self);
  g_autoptr (GError) error = NULL;

  if (self->gateway_url == NULL || self->app_id == NULL || self->private_key == NULL ||
      self->alipay_public_key == NULL)
    {
      _till_wallet_client_report_error (
          client,
          g_error_new (TILL_TENDER_ERROR, TILL_TENDER_ERROR_FAILED, _ ("Alipay is not configured")),
          callback, user_data);
      return;
    }

  json_builder_end_object (biz);
  g_autoptr (JsonNode) biz_root = json_builder_get_root (biz);
  g_autoptr (JsonGenerator) generator = json_generator_new ();
  json_generator_set_root (generator, biz_root);
  g_autoptr (GDateTime) now = g_date_time_new_now_local ();
  g_autoptr (GHashTable) params = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);

  g_hash_table_insert (params, "app_id", g_strdup (self->app_id));
  g_hash_table_insert (params, "method", g_strdup (method_name (operation)));
  g_hash_table_insert (params, "format", g_strdup ("JSON"));
  g_hash_table_insert (params, "charset", g_strdup ("utf-8"));
  g_hash_table_insert (params, "sign_type", g_strdup ("RSA2"));
  g_hash_table_insert (params, "timestamp", g_date_time_format (now, "%Y-%m-%d %H:%M:%S"));
  g_hash_table_insert (params, "version", g_strdup ("1.0"));
  g_hash_table_insert (params, "biz_content", json_generator_to_data (generator, NULL));

  g_autofree char *content = till_alipay_sign_content (params);
  char            *sign = till_alipay_sign (content, self->private_key, &error);
  if (sign == NULL)
    {
      _till_wallet_client_report_error (client, g_steal_pointer (&error), callback, user_data);
      return;
    }
  g_hash_table_insert (params, "sign", sign);

  g_autoptr (SoupMessage) message = soup_message_new (SOUP_METHOD_POST, self->gateway_url);
  if (message == NULL)
    {
      _till_wallet_client_report_error (
          client,
          g_error_new (TILL_TENDER_ERROR, TILL_TENDER_ERROR_FAILED,
                       _ ("The Alipay gateway address “%s” is not valid"), self->gateway_url),
          callback, user_data);
      return;
    }
  char *form = till_alipay_form_encode (params);
  gsize form_length = strlen (form);
  g_autoptr (GBytes) body = g_bytes_new_take (form, form_length);
  soup_message_set_request_body_from_bytes (
      message, "application/x-www-form-urlencoded;charset=utf-8", body);

  _till_wallet_client_exchange (client, self->session, message, operation, out_trade_no, FALSE,
                                parse_reply, cancellable, callback, user_data);
}

static JsonBuilder *
new_biz (const char *out_trade_no)
{
  JsonBuilder *biz = json_builder_new ();

  json_builder_begin_object (biz);
  json_builder_set_member_name (biz, "out_trade_no");
  json_builder_add_string_value (biz, out_trade_no);
  return biz;
}

static void
add_member (JsonBuilder *biz, const char *name, const char *value)
{
  if (value == NULL || *value == '\0')
    return;
  json_builder_set_member_name (biz, name);
  json_builder_add_string_value (biz, value);
}

static TillWalletProvider
till_alipay_get_provider (TillWalletClient *client)
{
  return TILL_WALLET_ALIPAY;
}

static void
till_alipay_pay_async (TillWalletClient   *client,
                       const char         *out_trade_no,
                       const char         *auth_code,
                       gint64              amount,
                       const char         *subject,
                       GCancellable       *cancellable,
                       GAsyncReadyCallback callback,
                       gpointer            user_data)
{
  TillAlipay *self = TILL_ALIPAY (client);
  g_autoptr (JsonBuilder) biz = new_biz (out_trade_no);
  g_autofree char *total = format_yuan (amount);
  g_autofree char *clean_subject = NULL;

  /* subject must not contain / = & (§2.2). */
  clean_subject = g_strdup (subject != NULL && *subject != '\0' ? subject : "商品");
  g_strdelimit (clean_subject, "/=&", ' ');

  add_member (biz, "scene", "bar_code");
  add_member (biz, "auth_code", auth_code);
  add_member (biz, "subject", clean_subject);
  add_member (biz, "total_amount", total);
  add_member (biz, "product_code", "FACE_TO_FACE_PAYMENT");
  add_member (biz, "store_id", self->store_id);
  add_member (biz, "terminal_id", self->terminal_id);
  send_request (self, TILL_WALLET_OPERATION_PAY, out_trade_no, biz, cancellable, callback,
                user_data);
}

static void
till_alipay_query_async (TillWalletClient   *client,
                         const char         *out_trade_no,
                         GCancellable       *cancellable,
                         GAsyncReadyCallback callback,
                         gpointer            user_data)
{
  TillAlipay *self = TILL_ALIPAY (client);
  g_autoptr (JsonBuilder) biz = new_biz (out_trade_no);

  send_request (self, TILL_WALLET_OPERATION_QUERY, out_trade_no, biz, cancellable, callback,
                user_data);
}

static void
till_alipay_reverse_async (TillWalletClient   *client,
                           const char         *out_trade_no,
                           GCancellable       *cancellable,
                           GAsyncReadyCallback callback,
                           gpointer            user_data)
{
  TillAlipay *self = TILL_ALIPAY (client);
  g_autoptr (JsonBuilder) biz = new_biz (out_trade_no);

  send_request (self, TILL_WALLET_OPERATION_REVERSE, out_trade_no, biz, cancellable, callback,
                user_data);
}

static void
till_alipay_refund_async (TillWalletClient   *client,
                          const char         *out_trade_no,
                          const char         *out_refund_no,
                          gint64              total,
                          gint64              amount,
                          const char         *reason,
                          GCancellable       *cancellable,
                          GAsyncReadyCallback callback,
                          gpointer            user_data)
{
  TillAlipay *self = TILL_ALIPAY (client);
  g_autoptr (JsonBuilder) biz = new_biz (out_trade_no);
  g_autofree char *refund_amount = format_yuan (amount);

  /* out_request_no makes a retry the same refund, and is required for a
   * partial one. */
  add_member (biz, "out_request_no", out_refund_no);
  add_member (biz, "refund_amount", refund_amount);
  add_member (biz, "refund_reason", reason);
  add_member (biz, "store_id", self->store_id);
  add_member (biz, "terminal_id", self->terminal_id);
  send_request (self, TILL_WALLET_OPERATION_REFUND, out_trade_no, biz, cancellable, callback,
                user_data);
}

static void
till_alipay_wallet_client_init (TillWalletClientInterface *iface)
{
  iface->get_provider = till_alipay_get_provider;
  iface->pay_async = till_alipay_pay_async;
  iface->query_async = till_alipay_query_async;
  iface->reverse_async = till_alipay_reverse_async;
  iface->refund_async = till_alipay_refund_async;
}

static void
till_alipay_constructed (GObject *object)
{
  TillAlipay *self = TILL_ALIPAY (object);

  G_OBJECT_CLASS (till_alipay_parent_class)->constructed (object);

  self->session = _till_wallet_client_new_session (self->timeout, self->tls_database);
}

static void
till_alipay_dispose (GObject *object)
{
  TillAlipay *self = TILL_ALIPAY (object);

  if (self->session != NULL)
    soup_session_abort (self->session);
  g_clear_object (&self->session);
  g_clear_object (&self->tls_database);

  G_OBJECT_CLASS (till_alipay_parent_class)->dispose (object);
}

static void
till_alipay_finalize (GObject *object)
{
  TillAlipay *self = TILL_ALIPAY (object);

  g_free (self->gateway_url);
  g_free (self->app_id);
  g_clear_pointer (&self->private_key, EVP_PKEY_free);
  g_clear_pointer (&self->alipay_public_key, EVP_PKEY_free);
  g_free (self->store_id);
  g_free (self->terminal_id);

  G_OBJECT_CLASS (till_alipay_parent_class)->finalize (object);
}

static EVP_PKEY *
ref_key (EVP_PKEY *key)
{
  if (key != NULL)
    EVP_PKEY_up_ref (key);
  return key;
}

static void
till_alipay_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  TillAlipay *self = TILL_ALIPAY (object);

  switch (prop_id)
    {
    case PROP_GATEWAY_URL:
      g_value_set_string (value, self->gateway_url);
      break;
    case PROP_APP_ID:
      g_value_set_string (value, self->app_id);
      break;
    case PROP_PRIVATE_KEY:
      /* The private key is never handed back out. */
      g_value_set_pointer (value, NULL);
      break;
    case PROP_ALIPAY_PUBLIC_KEY:
      g_value_set_pointer (value, self->alipay_public_key);
      break;
    case PROP_STORE_ID:
      g_value_set_string (value, self->store_id);
      break;
    case PROP_TERMINAL_ID:
      g_value_set_string (value, self->terminal_id);
      break;
    case PROP_TLS_DATABASE:
      g_value_set_object (value, self->tls_database);
      break;
    case PROP_TIMEOUT:
      g_value_set_uint (value, self->timeout);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
till_alipay_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  TillAlipay *self = TILL_ALIPAY (object);

  switch (prop_id)
    {
    case PROP_GATEWAY_URL:
      self->gateway_url = g_value_dup_string (value);
      break;
    case PROP_APP_ID:
      self->app_id = g_value_dup_string (value);
      break;
    case PROP_PRIVATE_KEY:
      self->private_key = ref_key (g_value_get_pointer (value));
      break;
    case PROP_ALIPAY_PUBLIC_KEY:
      self->alipay_public_key = ref_key (g_value_get_pointer (value));
      break;
    case PROP_STORE_ID:
      self->store_id = g_value_dup_string (value);
      break;
    case PROP_TERMINAL_ID:
      self->terminal_id = g_value_dup_string (value);
      break;
    case PROP_TLS_DATABASE:
      self->tls_database = g_value_dup_object (value);
      break;
    case PROP_TIMEOUT:
      self->timeout = g_value_get_uint (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
till_alipay_class_init (TillAlipayClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags   flags = G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS;

  object_class->constructed = till_alipay_constructed;
  object_class->dispose = till_alipay_dispose;
  object_class->finalize = till_alipay_finalize;
  object_class->get_property = till_alipay_get_property;
  object_class->set_property = till_alipay_set_property;

  properties[PROP_GATEWAY_URL] = g_param_spec_string (
      "gateway-url", NULL, NULL, "https://openapi.alipay.com/gateway.do", flags);
  properties[PROP_APP_ID] = g_param_spec_string ("app-id", NULL, NULL, NULL, flags);
  properties[PROP_PRIVATE_KEY] = g_param_spec_pointer ("private-key", NULL, NULL, flags);
  properties[PROP_ALIPAY_PUBLIC_KEY] =
      g_param_spec_pointer ("alipay-public-key", NULL, NULL, flags);
  properties[PROP_STORE_ID] = g_param_spec_string ("store-id", NULL, NULL, NULL, flags);
  properties[PROP_TERMINAL_ID] = g_param_spec_string ("terminal-id", NULL, NULL, NULL, flags);
  properties[PROP_TLS_DATABASE] =
      g_param_spec_object ("tls-database", NULL, NULL, G_TYPE_TLS_DATABASE, flags);
  properties[PROP_TIMEOUT] = g_param_spec_uint ("timeout", NULL, NULL, 0, 600, 10, flags);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
till_alipay_init (TillAlipay *self)
{
}

/**
 * till_alipay_load_private_key:
 * PEM (PKCS#1 "RSA PRIVATE KEY" or PKCS#8 "PRIVATE KEY"), or bare base64
 * of either, which is wrapped into PEM first. RSA only.
 */
EVP_PKEY *
till_alipay_load_private_key (const char *text, GError **error)
{
  EVP_PKEY *key = NULL;

  g_return_val_if_fail (text != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (strstr (text, "-----BEGIN") != NULL)
    key = read_private_pem (text);
  else
    {
      static const char *const labels[] = { "PRIVATE KEY", "RSA PRIVATE KEY" };

      for (gsize i = 0; key == NULL && i < G_N_ELEMENTS (labels); i++)
        {
          g_autofree char *pem = wrap_pem (text, labels[i]);
          if (pem == NULL)
            break;
          key = read_private_pem (pem);
          if (key == NULL && i + 1 < G_N_ELEMENTS (labels))
            ERR_clear_error ();
        }
    }

  if (key == NULL)
    {
      g_autofree char *reason = take_openssl_error ();
      g_set_error (error, TILL_ALIPAY_ERROR, TILL_ALIPAY_ERROR_KEY,
                   _ ("The Alipay app private key does not load: %s"), reason);
      return NULL;
    }
  if (!is_rsa (key))
    {
      EVP_PKEY_free (key);
      g_set_error (error, TILL_ALIPAY_ERROR, TILL_ALIPAY_ERROR_KEY,
                   _ ("The Alipay app private key is not an RSA key"));
      return NULL;
    }
  return key;
}

/**
 * till_alipay_load_public_key:
 * PEM "PUBLIC KEY" or "CERTIFICATE", or bare base64 of a
 * SubjectPublicKeyInfo. RSA only.
 */
EVP_PKEY *
till_alipay_load_public_key (const char *text, GError **error)
{
  EVP_PKEY *key = NULL;

  g_return_val_if_fail (text != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (strstr (text, "-----BEGIN") != NULL)
    key = read_public_pem (text);
  else
    {
      g_autofree char *pem = wrap_pem (text, "PUBLIC KEY");
      if (pem != NULL)
        key = read_public_pem (pem);
    }

  if (key == NULL)
    {
      g_autofree char *reason = take_openssl_error ();
      g_set_error (error, TILL_ALIPAY_ERROR, TILL_ALIPAY_ERROR_KEY,
                   _ ("The Alipay public key does not load: %s"), reason);
      return NULL;
    }
  if (!is_rsa (key))
    {
      EVP_PKEY_free (key);
      g_set_error (error, TILL_ALIPAY_ERROR, TILL_ALIPAY_ERROR_KEY,
                   _ ("The Alipay public key is not an RSA key"));
      return NULL;
    }
  return key;
}

/**
 * till_alipay_sign_content:
 * The exact string RSA2 signs (PAYMENTS.md §2.3).
 */
char *
till_alipay_sign_content (GHashTable *params)
{
  g_autoptr (GPtrArray) names = NULL;
  GString *content = g_string_new (NULL);

  g_return_val_if_fail (params != NULL, NULL);

  names = _till_wallet_client_sorted_names (params, TRUE);
  for (guint i = 0; i < names->len; i++)
    {
      const char *name = g_ptr_array_index (names, i);
      g_string_append_printf (content, "%s%s=%s", i > 0 ? "&" : "", name,
                              (const char *) g_hash_table_lookup (params, name));
    }
  return g_string_free (content, FALSE);
}

/**
 * till_alipay_sign:
 * SHA256withRSA (PKCS#1 v1.5) of @content, base64 on one line.
 */
char *
till_alipay_sign (const char *content, EVP_PKEY *private_key, GError **error)
{
  EVP_MD_CTX    *context;
  unsigned char *signature = NULL;
  size_t         signature_length = 0;
  gboolean       ok;

  g_return_val_if_fail (content != NULL, NULL);
  g_return_val_if_fail (private_key != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  context = EVP_MD_CTX_new ();
  ok = context != NULL &&
       EVP_DigestSignInit (context, NULL, EVP_sha256 (), NULL, private_key) == 1 &&
       EVP_DigestSign (context, NULL, &signature_length, (const unsigned char *) content,
                       strlen (content)) == 1;
  if (ok)
    {
      signature = g_malloc (signature_length);
      ok = EVP_DigestSign (context, signature, &signature_length, (const unsigned char *) content,
                           strlen (content)) == 1;
    }
  EVP_MD_CTX_free (context);

  if (!ok)
    {
      g_autofree char *reason = take_openssl_error ();
      g_free (signature);
      g_set_error (error, TILL_ALIPAY_ERROR, TILL_ALIPAY_ERROR_KEY,
                   _ ("Signing the Alipay request failed: %s"), reason);
      return NULL;
    }

  char *encoded = g_base64_encode (signature, signature_length);
  g_free (signature);
  return encoded;
}

/**
 * till_alipay_verify:
 * TRUE only for a well-formed base64 signature that verifies over exactly
 * @length bytes of @content.
 */
gboolean
till_alipay_verify (const char *content,
                    gsize       length,
                    const char *signature_base64,
                    EVP_PKEY   *public_key)
{
  EVP_MD_CTX *context;
  gsize       encoded_length;
  gboolean    ok;

  g_return_val_if_fail (content != NULL || length == 0, FALSE);
  g_return_val_if_fail (public_key != NULL, FALSE);

  if (signature_base64 == NULL)
    return FALSE;

  /* g_base64_decode() skips characters it doesn't know; a signature with
   * any is simply not ours. */
  encoded_length = strlen (signature_base64);
  if (encoded_length == 0 || encoded_length % 4 != 0)
    return FALSE;
  for (gsize i = 0; i < encoded_length; i++)
    {
      char c = signature_base64[i];
      if (!g_ascii_isalnum (c) && c != '+' && c != '/' && !(c == '=' && i + 2 >= encoded_length))
        return FALSE;
    }

  gsize              signature_length;
  g_autofree guchar *signature = g_base64_decode (signature_base64, &signature_length);

  context = EVP_MD_CTX_new ();
  ok = context != NULL &&
       EVP_DigestVerifyInit (context, NULL, EVP_sha256 (), NULL, public_key) == 1 &&
       EVP_DigestVerify (context, signature, signature_length, (const unsigned char *) content,
                         length) == 1;
  EVP_MD_CTX_free (context);
  ERR_clear_error ();
  return ok;
}

/**
 * till_alipay_reply_extract:
 * Scans the top-level object of @body: the value of @node_name must be an
 * object and appear once; "sign" is decoded (JSON escapes such as \/
 * included). Anything else malformed at the top level is FALSE.
 */
gboolean
till_alipay_reply_extract (const char *body,
                           gsize       length,
                           const char *node_name,
                           gsize      *out_start,
                           gsize      *out_length,
                           char      **out_sign)
{
  Scanner scanner = { body, body + length };
  g_autoptr (GString) key = g_string_new (NULL);
  g_autoptr (GString) sign = NULL;
  const char *node_start = NULL;
  const char *node_end = NULL;

  g_return_val_if_fail (body != NULL || length == 0, FALSE);
  g_return_val_if_fail (node_name != NULL, FALSE);

  if (out_sign != NULL)
    *out_sign = NULL;

  skip_space (&scanner);
  if (scanner.p >= scanner.end || *scanner.p != '{')
    return FALSE;
  scanner.p++;
  skip_space (&scanner);
  if (scanner.p < scanner.end && *scanner.p == '}')
    return FALSE;

  for (;;)
    {
      g_string_truncate (key, 0);
      skip_space (&scanner);
      if (!scan_string (&scanner, key))
        return FALSE;
      skip_space (&scanner);
      if (scanner.p >= scanner.end || *scanner.p != ':')
        return FALSE;
      scanner.p++;
      skip_space (&scanner);

      if (strcmp (key->str, node_name) == 0 && strlen (node_name) == key->len)
        {
          /* A second node could carry a payload the signature doesn't cover. */
          if (node_start != NULL || scanner.p >= scanner.end || *scanner.p != '{')
            return FALSE;
          node_start = scanner.p;
          if (!scan_value (&scanner))
            return FALSE;
          node_end = scanner.p;
        }
      else if (strcmp (key->str, "sign") == 0 && scanner.p < scanner.end && *scanner.p == '"')
        {
          if (sign != NULL)
            return FALSE;
          sign = g_string_new (NULL);
          if (!scan_string (&scanner, sign))
            return FALSE;
        }
      else if (!scan_value (&scanner))
        return FALSE;

      skip_space (&scanner);
      if (scanner.p >= scanner.end)
        return FALSE;
      if (*scanner.p == ',')
        {
          scanner.p++;
          continue;
        }
      if (*scanner.p != '}')
        return FALSE;
      scanner.p++;
      break;
    }

  skip_space (&scanner);
  if (scanner.p != scanner.end || node_start == NULL)
    return FALSE;

  *out_start = (gsize) (node_start - body);
  *out_length = (gsize) (node_end - node_start);
  if (out_sign != NULL && sign != NULL)
    *out_sign = g_string_free (g_steal_pointer (&sign), FALSE);
  return TRUE;
}

/**
 * till_alipay_form_encode:
 * Names sorted so the body is reproducible; every byte outside A–Z a–z 0–9
 * - . _ ~ percent-encoded (the + / = of a signature included).
 */
char *
till_alipay_form_encode (GHashTable *params)
{
  g_autoptr (GPtrArray) names = NULL;
  GString *form = g_string_new (NULL);

  g_return_val_if_fail (params != NULL, NULL);

  names = _till_wallet_client_sorted_names (params, FALSE);
  for (guint i = 0; i < names->len; i++)
    {
      const char      *name = g_ptr_array_index (names, i);
      const char      *value = g_hash_table_lookup (params, name);
      g_autofree char *escaped_name = g_uri_escape_string (name, NULL, FALSE);
      g_autofree char *escaped_value =
          g_uri_escape_string (value != NULL ? value : "", NULL, FALSE);

      g_string_append_printf (form, "%s%s=%s", i > 0 ? "&" : "", escaped_name, escaped_value);
    }
  return g_string_free (form, FALSE);
}

/**
 * till_alipay_reply_parse:
 * Reduces a gateway reply to @operation (PAYMENTS.md §2.4–2.7).
 */
TillWalletReply *
till_alipay_reply_parse (TillWalletOperation operation,
                         const char         *body,
                         gsize               length,
                         const char         *out_trade_no,
                         EVP_PKEY           *alipay_public_key)
{
  g_autofree char *node_name = NULL;
  g_autofree char *sign = NULL;
  g_autoptr (JsonParser) parser = NULL;
  g_autoptr (GError) error = NULL;
  TillWalletReply *reply;
  JsonObject      *node;
  gsize            start, node_length;
  gboolean         signed_ok;
  const char      *code, *sub_code;

  g_return_val_if_fail (body != NULL || length == 0, NULL);
  g_return_val_if_fail (alipay_public_key != NULL, NULL);

  node_name = g_strdup_printf ("%s_response", method_name (operation));
  g_strdelimit (node_name, ".", '_');
  if (body == NULL ||
      (!till_alipay_reply_extract (body, length, node_name, &start, &node_length, &sign) &&
       !till_alipay_reply_extract (body, length, "error_response", &start, &node_length, &sign)))
    {
      reply = till_wallet_reply_new (TILL_WALLET_OUTCOME_UNKNOWN);
      reply->code = g_strdup ("BAD_REPLY");
      reply->message = g_strdup ("no response node in the Alipay reply");
      reply->retry = operation == TILL_WALLET_OPERATION_REVERSE;
      return reply;
    }

  parser = json_parser_new ();
  if (!json_parser_load_from_data (parser, body + start, (gssize) node_length, &error) ||
      !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      reply = till_wallet_reply_new (TILL_WALLET_OUTCOME_UNKNOWN);
      reply->code = g_strdup ("BAD_REPLY");
      reply->message = g_strdup (error != NULL ? error->message : "not an object");
      reply->retry = operation == TILL_WALLET_OPERATION_REVERSE;
      return reply;
    }
  node = json_node_get_object (json_parser_get_root (parser));
  code = _till_wallet_client_json_string (node, "code");
  sub_code = _till_wallet_client_json_string (node, "sub_code");

  signed_ok = till_alipay_verify (body + start, node_length, sign, alipay_public_key);
  if (!signed_ok)
    {
      /* The gateway refuses a request whose signature it can't check without
       * signing its answer: that is our configuration, and nothing happened. */
      if (g_strcmp0 (code, "40002") == 0 && g_strcmp0 (sub_code, "isv.invalid-signature") == 0)
        return reply_new (operation == TILL_WALLET_OPERATION_PAY ||
                                  operation == TILL_WALLET_OPERATION_REFUND
                              ? TILL_WALLET_OUTCOME_NOT_DONE
                              : TILL_WALLET_OUTCOME_UNKNOWN,
                          node);
      if (sign != NULL)
        g_warning ("An Alipay reply to %s has a wrong signature; not trusted",
                   out_trade_no != NULL ? out_trade_no : "a request");
      reply = reply_new (TILL_WALLET_OUTCOME_UNKNOWN, node);
      g_free (reply->code);
      reply->code = g_strdup ("BAD_SIGNATURE");
      reply->retry = operation == TILL_WALLET_OPERATION_REVERSE;
      return reply;
    }

  /* A signed answer about another order is a replay, not ours. */
  const char *reply_trade_no = _till_wallet_client_json_string (node, "out_trade_no");
  if (out_trade_no != NULL && reply_trade_no != NULL && strcmp (out_trade_no, reply_trade_no) != 0)
    {
      g_warning ("An Alipay reply names another order; not trusted");
      reply = till_wallet_reply_new (TILL_WALLET_OUTCOME_UNKNOWN);
      reply->code = g_strdup ("BAD_REPLY");
      reply->retry = operation == TILL_WALLET_OPERATION_REVERSE;
      return reply;
    }

  switch (operation)
    {
    case TILL_WALLET_OPERATION_PAY:
      return map_pay (node, code, sub_code);
    case TILL_WALLET_OPERATION_QUERY:
      return map_query (node, code, sub_code);
    case TILL_WALLET_OPERATION_REVERSE:
      return map_cancel (node, code, sub_code);
    case TILL_WALLET_OPERATION_REFUND:
      return map_refund (node, code, sub_code);
    default:
      g_return_val_if_reached (NULL);
    }
}
