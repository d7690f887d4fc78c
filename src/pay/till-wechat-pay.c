/* till-wechat-pay.c: WeChat Pay APIv2 付款码支付 (micropay): signing, the
 * XML wire format, and the client (PAYMENTS.md §1)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "till-wechat-pay"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>
#include <libsoup/soup.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include "till-wechat-pay.h"

struct _TillWechatPay
{
  GObject parent_instance;

  char              *base_url;
  char              *appid;
  char              *mch_id;
  char              *api_key;
  TillWechatSignType sign_type;
  char              *device_info;
  char              *spbill_create_ip;
  GTlsCertificate   *client_certificate;
  GTlsDatabase      *tls_database;
  guint              timeout;

  SoupSession *session;
};

static void till_wechat_pay_wallet_client_init (TillWalletClientInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (TillWechatPay,
                               till_wechat_pay,
                               G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (TILL_TYPE_WALLET_CLIENT,
                                                      till_wechat_pay_wallet_client_init))

enum
{
  PROP_0,
  PROP_BASE_URL,
  PROP_APPID,
  PROP_MCH_ID,
  PROP_API_KEY,
  PROP_SIGN_TYPE,
  PROP_DEVICE_INFO,
  PROP_SPBILL_CREATE_IP,
  PROP_CLIENT_CERTIFICATE,
  PROP_TLS_DATABASE,
  PROP_TIMEOUT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* How deep a reply may nest: <xml> and its fields, nothing below. */
#define MAX_DEPTH 2

static char *
upper_hex (const unsigned char *digest, gsize length)
{
  GString *hex = g_string_sized_new (length * 2);

  for (gsize i = 0; i < length; i++)
    g_string_append_printf (hex, "%02X", digest[i]);
  return g_string_free (hex, FALSE);
}

/* At most @max_chars characters of @text (g_utf8_substring() would read past
 * the end of a shorter one). */
static char *
truncate_utf8 (const char *text, glong max_chars)
{
  if (g_utf8_strlen (text, -1) <= max_chars)
    return g_strdup (text);
  return g_utf8_substring (text, 0, max_chars);
}

/* 32 random hex digits: the nonce only has to be unpredictable and short. */
static char *
make_nonce (void)
{
  unsigned char bytes[16];

  if (RAND_bytes (bytes, sizeof bytes) != 1)
    for (gsize i = 0; i < sizeof bytes; i++)
      bytes[i] = (unsigned char) g_random_int_range (0, 256);
  return upper_hex (bytes, sizeof bytes);
}

/* GMarkup parser state for till_wechat_xml_decode(). */
typedef struct
{
  GHashTable *fields;
  int         depth;
  gboolean    seen_root;
  char       *current; /* the field being read */
  GString    *text;
} DecodeState;

static void
decode_start_element_cb (GMarkupParseContext *context,
                         const char          *element_name,
                         const char         **attribute_names,
                         const char         **attribute_values,
                         gpointer             user_data,
                         GError             **error)
{
  DecodeState *state = user_data;

  (void) context;
  (void) attribute_names;
  (void) attribute_values;

  state->depth++;
  if (state->depth == 1)
    {
      if (state->seen_root || strcmp (element_name, "xml") != 0)
        {
          g_set_error (error, G_MARKUP_ERROR, G_MARKUP_ERROR_INVALID_CONTENT,
                       "the root element is <%s>, not one <xml>", element_name);
          return;
        }
      state->seen_root = TRUE;
    }
  else if (state->depth == MAX_DEPTH)
    {
      if (g_hash_table_contains (state->fields, element_name))
        {
          /* A second copy of a field could smuggle a value past the signature. */
          g_set_error (error, G_MARKUP_ERROR, G_MARKUP_ERROR_INVALID_CONTENT,
                       "field <%s> appears twice", element_name);
          return;
        }
      state->current = g_strdup (element_name);
      g_string_truncate (state->text, 0);
    }
  else
    g_set_error (error, G_MARKUP_ERROR, G_MARKUP_ERROR_INVALID_CONTENT,
                 "element <%s> is nested inside a field", element_name);
}

static void
decode_end_element_cb (GMarkupParseContext *context,
                       const char          *element_name,
                       gpointer             user_data,
                       GError             **error)
{
  DecodeState *state = user_data;

  (void) context;
  (void) element_name;
  (void) error;

  if (state->depth == MAX_DEPTH && state->current != NULL)
    g_hash_table_insert (state->fields, g_steal_pointer (&state->current),
                         g_strndup (state->text->str, state->text->len));
  state->depth--;
}

static gboolean
is_blank (const char *text, gsize length)
{
  for (gsize i = 0; i < length; i++)
    if (!g_ascii_isspace (text[i]))
      return FALSE;
  return TRUE;
}

static void
decode_text_cb (GMarkupParseContext *context,
                const char          *text,
                gsize                text_len,
                gpointer             user_data,
                GError             **error)
{
  DecodeState *state = user_data;

  (void) context;

  if (state->depth == MAX_DEPTH)
    g_string_append_len (state->text, text, (gssize) text_len);
  else if (!is_blank (text, text_len))
    g_set_error (error, G_MARKUP_ERROR, G_MARKUP_ERROR_INVALID_CONTENT,
                 "text outside the fields of <xml>");
}

/* GMarkup hands over comments, processing instructions and declarations
 * untouched. A DOCTYPE is refused outright: it is how entity tricks (XXE,
 * billion laughs) start, and no provider sends one. */
static void
decode_passthrough_cb (GMarkupParseContext *context,
                       const char          *text,
                       gsize                text_len,
                       gpointer             user_data,
                       GError             **error)
{
  (void) context;
  (void) user_data;

  if (text_len >= 2 && text[0] == '<' && text[1] == '!' &&
      !(text_len >= 4 && strncmp (text, "<!--", 4) == 0))
    g_set_error (error, G_MARKUP_ERROR, G_MARKUP_ERROR_INVALID_CONTENT,
                 "declarations such as <!DOCTYPE> are not accepted");
}

static const GMarkupParser decode_parser = {
  decode_start_element_cb, decode_end_element_cb, decode_text_cb, decode_passthrough_cb, NULL,
};

/* Reply handling. */

static TillWalletReply *
reply_new (TillWalletOutcome outcome, GHashTable *fields, const char *code)
{
  TillWalletReply *reply = till_wallet_reply_new (outcome);
  const char      *description = g_hash_table_lookup (fields, "err_code_des");

  reply->code = g_strdup (code);
  if (description == NULL)
    description = g_hash_table_lookup (fields, "trade_state_desc");
  if (description == NULL)
    description = g_hash_table_lookup (fields, "return_msg");
  reply->message = g_strdup (description);
  return reply;
}

static void
fill_paid (TillWalletReply *reply, GHashTable *fields)
{
  reply->transaction_id = g_strdup (g_hash_table_lookup (fields, "transaction_id"));
  reply->buyer = till_wallet_mask_buyer (g_hash_table_lookup (fields, "openid"));
  reply->amount = _till_wallet_client_parse_fen (g_hash_table_lookup (fields, "total_fee"));
}

static gboolean
is_one_of (const char *code, const char *const *codes)
{
  return code != NULL && g_strv_contains (codes, code);
}

static TillWalletReply *
map_pay (GHashTable *fields, const char *err_code)
{
  static const char *const unknown_codes[] = { "SYSTEMERROR", "BANKERROR",
                                               /* The order exists already, perhaps paid by our own
                                                * lost request: the query decides. */
                                               "ORDERPAID", "OUT_TRADE_NO_USED", NULL };
  TillWalletReply         *reply;

  if (err_code == NULL)
    {
      reply = reply_new (TILL_WALLET_OUTCOME_DONE, fields, "SUCCESS");
      fill_paid (reply, fields);
      return reply;
    }
  if (strcmp (err_code, "USERPAYING") == 0)
    {
      reply = reply_new (TILL_WALLET_OUTCOME_UNKNOWN, fields, err_code);
      reply->waiting_for_user = TRUE;
      return reply;
    }
  if (is_one_of (err_code, unknown_codes))
    return reply_new (TILL_WALLET_OUTCOME_UNKNOWN, fields, err_code);
  return reply_new (TILL_WALLET_OUTCOME_NOT_DONE, fields, err_code);
}

static TillWalletReply *
map_query (GHashTable *fields, const char *err_code)
{
  static const char *const not_paid_states[] = { "NOTPAY",   "CLOSED", "REVOKED",
                                                 "PAYERROR", "REFUND", NULL };
  const char              *trade_state = g_hash_table_lookup (fields, "trade_state");
  TillWalletReply         *reply;

  if (err_code != NULL)
    {
      if (strcmp (err_code, "ORDERNOTEXIST") == 0)
        return reply_new (TILL_WALLET_OUTCOME_NOT_DONE, fields, err_code);
      /* SYSTEMERROR, and anything else: the query failed, not the payment. */
      return reply_new (TILL_WALLET_OUTCOME_UNKNOWN, fields, err_code);
    }
  if (g_strcmp0 (trade_state, "SUCCESS") == 0)
    {
      reply = reply_new (TILL_WALLET_OUTCOME_DONE, fields, trade_state);
      fill_paid (reply, fields);
      return reply;
    }
  if (g_strcmp0 (trade_state, "USERPAYING") == 0)
    {
      reply = reply_new (TILL_WALLET_OUTCOME_UNKNOWN, fields, trade_state);
      reply->waiting_for_user = TRUE;
      return reply;
    }
  if (is_one_of (trade_state, not_paid_states))
    return reply_new (TILL_WALLET_OUTCOME_NOT_DONE, fields, trade_state);
  /* ACCEPT (newer pages) or a state we don't know: ask again. */
  return reply_new (TILL_WALLET_OUTCOME_UNKNOWN, fields,
                    trade_state != NULL ? trade_state : "NO_TRADE_STATE");
}

static TillWalletReply *
map_reverse (GHashTable *fields, const char *err_code)
{
  const char      *recall = g_hash_table_lookup (fields, "recall");
  gboolean         call_again = g_strcmp0 (recall, "Y") == 0;
  TillWalletReply *reply;

  if (err_code == NULL)
    {
      /* "recall=Y" asks for another call: the order is not closed yet. */
      reply = reply_new (call_again ? TILL_WALLET_OUTCOME_UNKNOWN : TILL_WALLET_OUTCOME_DONE,
                         fields, "SUCCESS");
      reply->retry = call_again;
      return reply;
    }
  if (call_again || strcmp (err_code, "SYSTEMERROR") == 0 || strcmp (err_code, "USERPAYING") == 0)
    {
      reply = reply_new (TILL_WALLET_OUTCOME_UNKNOWN, fields, err_code);
      reply->retry = TRUE;
      return reply;
    }
  return reply_new (TILL_WALLET_OUTCOME_NOT_DONE, fields, err_code);
}

static TillWalletReply *
map_refund (GHashTable *fields, const char *err_code)
{
  TillWalletReply *reply;

  if (err_code == NULL)
    {
      reply = reply_new (TILL_WALLET_OUTCOME_DONE, fields, "SUCCESS");
      reply->transaction_id = g_strdup (g_hash_table_lookup (fields, "refund_id"));
      reply->amount = _till_wallet_client_parse_fen (g_hash_table_lookup (fields, "refund_fee"));
      return reply;
    }
  if (strcmp (err_code, "SYSTEMERROR") == 0 || strcmp (err_code, "BIZERR_NEED_RETRY") == 0)
    return reply_new (TILL_WALLET_OUTCOME_UNKNOWN, fields, err_code);
  return reply_new (TILL_WALLET_OUTCOME_NOT_DONE, fields, err_code);
}

/* Client. */

static const char *
operation_path (TillWalletOperation operation)
{
  switch (operation)
    {
    case TILL_WALLET_OPERATION_PAY:
      return "/pay/micropay";
    case TILL_WALLET_OPERATION_QUERY:
      return "/pay/orderquery";
    case TILL_WALLET_OPERATION_REVERSE:
      return "/secapi/pay/reverse";
    case TILL_WALLET_OPERATION_REFUND:
      return "/secapi/pay/refund";
    default:
      g_assert_not_reached ();
    }
}

static GHashTable *
new_params (TillWechatPay *self)
{
  GHashTable *params = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);

  g_hash_table_insert (params, "appid", g_strdup (self->appid));
  g_hash_table_insert (params, "mch_id", g_strdup (self->mch_id));
  g_hash_table_insert (params, "nonce_str", make_nonce ());
  if (self->sign_type == TILL_WECHAT_SIGN_HMAC_SHA256)
    g_hash_table_insert (params, "sign_type", g_strdup ("HMAC-SHA256"));
  return params;
}

static TillWalletReply *
parse_reply (TillWalletClient   *client,
             TillWalletOperation operation,
             const char         *body,
             gsize               length,
             const char         *out_trade_no)
{
  TillWechatPay *self = TILL_WECHAT_PAY (client);

  return till_wechat_reply_parse (operation, body, length, out_trade_no, self->appid, self->mch_id,
                                  self->api_key, self->sign_type);
}

static void
send_request (TillWechatPay      *self,
              TillWalletOperation operation,
              const char         *out_trade_no,
              GHashTable         *params,
              GCancellable       *cancellable,
              GAsyncReadyCallback callback,
              gpointer            user_data)
{
  TillWalletClient *client = TILL_WALLET_CLIENT (self);
  g_autofree char  *xml = NULL;
  g_autofree char  *url = NULL;
  g_autoptr (SoupMessage) message = NULL;
  g_autoptr (GBytes) body = NULL;

  if (self->base_url == NULL || self->appid == NULL || self->mch_id == NULL ||
      self->api_key == NULL)
    {
      _till_wallet_client_report_error (client,
                                        g_error_new (TILL_TENDER_ERROR, TILL_TENDER_ERROR_FAILED,
                                                     _ ("WeChat Pay is not configured")),
                                        callback, user_data);
      return;
    }

  url = g_strconcat (self->base_url, operation_path (operation), NULL);
  message = soup_message_new (SOUP_METHOD_POST, url);
  if (message == NULL)
    {
      _till_wallet_client_report_error (client,
                                        g_error_new (TILL_TENDER_ERROR, TILL_TENDER_ERROR_FAILED,
                                                     _ ("The WeChat Pay address “%s” is not valid"),
                                                     self->base_url),
                                        callback, user_data);
      return;
    }
  g_hash_table_insert (params, "sign", till_wechat_sign (params, self->api_key, self->sign_type));
  xml = till_wechat_xml_encode (params);
  body = g_bytes_new (xml, strlen (xml));
  soup_message_set_request_body_from_bytes (message, "text/xml; charset=utf-8", body);
  /* Reverse and refund (/secapi/) authenticate the merchant with its API
   * certificate; without one the provider refuses, which maps to a reply. */
  if (g_str_has_prefix (operation_path (operation), "/secapi/") && self->client_certificate != NULL)
    soup_message_set_tls_client_certificate (message, self->client_certificate);

  _till_wallet_client_exchange (client, self->session, message, operation, out_trade_no, FALSE,
                                parse_reply, cancellable, callback, user_data);
}

static TillWalletProvider
till_wechat_pay_get_provider (TillWalletClient *client)
{
  (void) client;
  return TILL_WALLET_WECHAT;
}

static void
till_wechat_pay_pay_async (TillWalletClient   *client,
                           const char         *out_trade_no,
                           const char         *auth_code,
                           gint64              amount,
                           const char         *subject,
                           GCancellable       *cancellable,
                           GAsyncReadyCallback callback,
                           gpointer            user_data)
{
  TillWechatPay *self = TILL_WECHAT_PAY (client);
  g_autoptr (GHashTable) params = new_params (self);

  /* body is String(127) and must not be empty. */
  g_hash_table_insert (params, "body",
                       truncate_utf8 (subject != NULL && *subject != '\0' ? subject : "商品", 40));
  g_hash_table_insert (params, "out_trade_no", g_strdup (out_trade_no));
  g_hash_table_insert (params, "total_fee", g_strdup_printf ("%" G_GINT64_FORMAT, amount));
  g_hash_table_insert (params, "spbill_create_ip", g_strdup (self->spbill_create_ip));
  g_hash_table_insert (params, "auth_code", g_strdup (auth_code));
  if (self->device_info != NULL && *self->device_info != '\0')
    g_hash_table_insert (params, "device_info", g_strdup (self->device_info));
  send_request (self, TILL_WALLET_OPERATION_PAY, out_trade_no, params, cancellable, callback,
                user_data);
}

static void
till_wechat_pay_query_async (TillWalletClient   *client,
                             const char         *out_trade_no,
                             GCancellable       *cancellable,
                             GAsyncReadyCallback callback,
                             gpointer            user_data)
{
  TillWechatPay *self = TILL_WECHAT_PAY (client);
  g_autoptr (GHashTable) params = new_params (self);

  g_hash_table_insert (params, "out_trade_no", g_strdup (out_trade_no));
  send_request (self, TILL_WALLET_OPERATION_QUERY, out_trade_no, params, cancellable, callback,
                user_data);
}

static void
till_wechat_pay_reverse_async (TillWalletClient   *client,
                               const char         *out_trade_no,
                               GCancellable       *cancellable,
                               GAsyncReadyCallback callback,
                               gpointer            user_data)
{
  TillWechatPay *self = TILL_WECHAT_PAY (client);
  g_autoptr (GHashTable) params = new_params (self);

  g_hash_table_insert (params, "out_trade_no", g_strdup (out_trade_no));
  send_request (self, TILL_WALLET_OPERATION_REVERSE, out_trade_no, params, cancellable, callback,
                user_data);
}

static void
till_wechat_pay_refund_async (TillWalletClient   *client,
                              const char         *out_trade_no,
                              const char         *out_refund_no,
                              gint64              total,
                              gint64              amount,
                              const char         *reason,
                              GCancellable       *cancellable,
                              GAsyncReadyCallback callback,
                              gpointer            user_data)
{
  TillWechatPay *self = TILL_WECHAT_PAY (client);
  g_autoptr (GHashTable) params = new_params (self);

  g_hash_table_insert (params, "out_trade_no", g_strdup (out_trade_no));
  g_hash_table_insert (params, "out_refund_no", g_strdup (out_refund_no));
  g_hash_table_insert (params, "total_fee", g_strdup_printf ("%" G_GINT64_FORMAT, total));
  g_hash_table_insert (params, "refund_fee", g_strdup_printf ("%" G_GINT64_FORMAT, amount));
  if (reason != NULL && *reason != '\0')
    g_hash_table_insert (params, "refund_desc", truncate_utf8 (reason, 80));
  send_request (self, TILL_WALLET_OPERATION_REFUND, out_trade_no, params, cancellable, callback,
                user_data);
}

static void
till_wechat_pay_wallet_client_init (TillWalletClientInterface *iface)
{
  iface->get_provider = till_wechat_pay_get_provider;
  iface->pay_async = till_wechat_pay_pay_async;
  iface->query_async = till_wechat_pay_query_async;
  iface->reverse_async = till_wechat_pay_reverse_async;
  iface->refund_async = till_wechat_pay_refund_async;
}

static void
till_wechat_pay_constructed (GObject *object)
{
  TillWechatPay *self = TILL_WECHAT_PAY (object);

  G_OBJECT_CLASS (till_wechat_pay_parent_class)->constructed (object);

  /* A base URL ending in '/' would double the slash of every path. */
  if (self->base_url != NULL && g_str_has_suffix (self->base_url, "/"))
    self->base_url[strlen (self->base_url) - 1] = '\0';

  self->session = _till_wallet_client_new_session (self->timeout, self->tls_database);
}

static void
till_wechat_pay_dispose (GObject *object)
{
  TillWechatPay *self = TILL_WECHAT_PAY (object);

  if (self->session != NULL)
    soup_session_abort (self->session);
  g_clear_object (&self->session);
  g_clear_object (&self->client_certificate);
  g_clear_object (&self->tls_database);

  G_OBJECT_CLASS (till_wechat_pay_parent_class)->dispose (object);
}

static void
till_wechat_pay_finalize (GObject *object)
{
  TillWechatPay *self = TILL_WECHAT_PAY (object);

  g_free (self->base_url);
  g_free (self->appid);
  g_free (self->mch_id);
  /* The API key is a secret: don't leave it in freed memory. */
  if (self->api_key != NULL)
    OPENSSL_cleanse (self->api_key, strlen (self->api_key));
  g_free (self->api_key);
  g_free (self->device_info);
  g_free (self->spbill_create_ip);

  G_OBJECT_CLASS (till_wechat_pay_parent_class)->finalize (object);
}

static void
till_wechat_pay_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  TillWechatPay *self = TILL_WECHAT_PAY (object);

  switch (prop_id)
    {
    case PROP_BASE_URL:
      g_value_set_string (value, self->base_url);
      break;
    case PROP_APPID:
      g_value_set_string (value, self->appid);
      break;
    case PROP_MCH_ID:
      g_value_set_string (value, self->mch_id);
      break;
    case PROP_API_KEY:
      /* Write-only in spirit: never handed back. */
      g_value_set_string (value, NULL);
      break;
    case PROP_SIGN_TYPE:
      g_value_set_int (value, self->sign_type);
      break;
    case PROP_DEVICE_INFO:
      g_value_set_string (value, self->device_info);
      break;
    case PROP_SPBILL_CREATE_IP:
      g_value_set_string (value, self->spbill_create_ip);
      break;
    case PROP_CLIENT_CERTIFICATE:
      g_value_set_object (value, self->client_certificate);
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
till_wechat_pay_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  TillWechatPay *self = TILL_WECHAT_PAY (object);

  switch (prop_id)
    {
    case PROP_BASE_URL:
      self->base_url = g_value_dup_string (value);
      break;
    case PROP_APPID:
      self->appid = g_value_dup_string (value);
      break;
    case PROP_MCH_ID:
      self->mch_id = g_value_dup_string (value);
      break;
    case PROP_API_KEY:
      self->api_key = g_value_dup_string (value);
      break;
    case PROP_SIGN_TYPE:
      self->sign_type = (TillWechatSignType) g_value_get_int (value);
      break;
    case PROP_DEVICE_INFO:
      self->device_info = g_value_dup_string (value);
      break;
    case PROP_SPBILL_CREATE_IP:
      g_free (self->spbill_create_ip);
      self->spbill_create_ip = g_value_dup_string (value);
      break;
    case PROP_CLIENT_CERTIFICATE:
      self->client_certificate = g_value_dup_object (value);
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
till_wechat_pay_class_init (TillWechatPayClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags   flags = G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS;

  object_class->constructed = till_wechat_pay_constructed;
  object_class->dispose = till_wechat_pay_dispose;
  object_class->finalize = till_wechat_pay_finalize;
  object_class->get_property = till_wechat_pay_get_property;
  object_class->set_property = till_wechat_pay_set_property;

  properties[PROP_BASE_URL] =
      g_param_spec_string ("base-url", NULL, NULL, "https://api.mch.weixin.qq.com", flags);
  properties[PROP_APPID] = g_param_spec_string ("appid", NULL, NULL, NULL, flags);
  properties[PROP_MCH_ID] = g_param_spec_string ("mch-id", NULL, NULL, NULL, flags);
  properties[PROP_API_KEY] = g_param_spec_string ("api-key", NULL, NULL, NULL, flags);
  properties[PROP_SIGN_TYPE] =
      g_param_spec_int ("sign-type", NULL, NULL, TILL_WECHAT_SIGN_MD5, TILL_WECHAT_SIGN_HMAC_SHA256,
                        TILL_WECHAT_SIGN_MD5, flags);
  properties[PROP_DEVICE_INFO] = g_param_spec_string ("device-info", NULL, NULL, NULL, flags);
  properties[PROP_SPBILL_CREATE_IP] =
      g_param_spec_string ("spbill-create-ip", NULL, NULL, "127.0.0.1", flags);
  properties[PROP_CLIENT_CERTIFICATE] =
      g_param_spec_object ("client-certificate", NULL, NULL, G_TYPE_TLS_CERTIFICATE, flags);
  properties[PROP_TLS_DATABASE] =
      g_param_spec_object ("tls-database", NULL, NULL, G_TYPE_TLS_DATABASE, flags);
  properties[PROP_TIMEOUT] = g_param_spec_uint ("timeout", NULL, NULL, 0, 600, 10, flags);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
till_wechat_pay_init (TillWechatPay *self)
{
  (void) self;
}

/**
 * till_wechat_sign:
 * The v2 signature of @params (PAYMENTS.md §1.4), upper-case hex.
 */
char *
till_wechat_sign (GHashTable *params, const char *api_key, TillWechatSignType sign_type)
{
  g_autoptr (GPtrArray) names = NULL;
  g_autoptr (GString) content = g_string_new (NULL);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int  digest_length = 0;

  g_return_val_if_fail (params != NULL, NULL);
  g_return_val_if_fail (api_key != NULL, NULL);

  names = _till_wallet_client_sorted_names (params, TRUE);
  for (guint i = 0; i < names->len; i++)
    {
      const char *name = g_ptr_array_index (names, i);
      g_string_append_printf (content, "%s%s=%s", i > 0 ? "&" : "", name,
                              (const char *) g_hash_table_lookup (params, name));
    }
  g_string_append_printf (content, "%skey=%s", names->len > 0 ? "&" : "", api_key);

  if (sign_type == TILL_WECHAT_SIGN_HMAC_SHA256)
    {
      /* The key is the HMAC key and stays appended to the message too. */
      if (HMAC (EVP_sha256 (), api_key, (int) strlen (api_key),
                (const unsigned char *) content->str, content->len, digest, &digest_length) == NULL)
        g_error ("HMAC-SHA256 is not available");
    }
  else if (EVP_Digest (content->str, content->len, digest, &digest_length, EVP_md5 (), NULL) != 1)
    g_error ("MD5 is not available");

  OPENSSL_cleanse (content->str, content->len);
  return upper_hex (digest, digest_length);
}

/**
 * till_wechat_verify:
 * Compares in constant time, so a forger learns nothing from the timing.
 */
gboolean
till_wechat_verify (GHashTable *params, const char *api_key, TillWechatSignType sign_type)
{
  const char *received;
  gboolean    equal;

  g_return_val_if_fail (params != NULL, FALSE);
  g_return_val_if_fail (api_key != NULL, FALSE);

  received = g_hash_table_lookup (params, "sign");
  if (received == NULL)
    return FALSE;

  g_autofree char *expected = till_wechat_sign (params, api_key, sign_type);
  g_autofree char *received_upper = g_ascii_strup (received, -1);
  equal = strlen (expected) == strlen (received_upper) &&
          CRYPTO_memcmp (expected, received_upper, strlen (expected)) == 0;
  return equal;
}

/**
 * till_wechat_xml_encode:
 * Every value in CDATA; a "]]>" inside a value ends one CDATA section and
 * starts another, so any text round-trips.
 */
char *
till_wechat_xml_encode (GHashTable *params)
{
  g_autoptr (GPtrArray) names = NULL;
  GString *xml = g_string_new ("<xml>");

  g_return_val_if_fail (params != NULL, NULL);

  names = _till_wallet_client_sorted_names (params, FALSE);
  for (guint i = 0; i < names->len; i++)
    {
      const char      *name = g_ptr_array_index (names, i);
      const char      *value = g_hash_table_lookup (params, name);
      g_autofree char *escaped = NULL;

      if (value == NULL)
        value = "";
      g_auto (GStrv) pieces = g_strsplit (value, "]]>", -1);
      escaped = g_strjoinv ("]]]]><![CDATA[>", pieces);
      g_string_append_printf (xml, "<%s><![CDATA[%s]]></%s>", name, escaped, name);
    }
  g_string_append (xml, "</xml>");
  return g_string_free (xml, FALSE);
}

/**
 * till_wechat_xml_decode:
 * Parses with GMarkup, which knows only the five predefined entities and
 * character references and never loads anything.
 */
GHashTable *
till_wechat_xml_decode (const char *xml, gssize length, GError **error)
{
  DecodeState state = { 0 };
  g_autoptr (GMarkupParseContext) context = NULL;
  gboolean parsed;

  g_return_val_if_fail (xml != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  state.fields = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  state.text = g_string_new (NULL);
  context = g_markup_parse_context_new (&decode_parser, G_MARKUP_TREAT_CDATA_AS_TEXT, &state, NULL);
  parsed = g_markup_parse_context_parse (context, xml, length, error) &&
           g_markup_parse_context_end_parse (context, error);
  g_free (state.current);
  g_string_free (state.text, TRUE);

  if (parsed && !state.seen_root)
    {
      g_set_error (error, G_MARKUP_ERROR, G_MARKUP_ERROR_EMPTY, "no <xml> element");
      parsed = FALSE;
    }
  if (!parsed)
    {
      g_hash_table_unref (state.fields);
      return NULL;
    }
  return state.fields;
}

/**
 * till_wechat_reply_parse:
 * Reduces a reply to @operation (PAYMENTS.md §1.5–1.10). The signature is
 * checked whenever return_code is SUCCESS, with the request's sign type;
 * a reply that fails it, or names another merchant or order, is UNKNOWN
 * "BAD_SIGNATURE" / "BAD_REPLY", whatever it claims.
 */
TillWalletReply *
till_wechat_reply_parse (TillWalletOperation operation,
                         const char         *body,
                         gsize               length,
                         const char         *out_trade_no,
                         const char         *appid,
                         const char         *mch_id,
                         const char         *api_key,
                         TillWechatSignType  sign_type)
{
  g_autoptr (GHashTable) fields = NULL;
  g_autoptr (GError) error = NULL;
  TillWalletReply *reply;
  const char      *err_code;

  g_return_val_if_fail (body != NULL || length == 0, NULL);
  g_return_val_if_fail (api_key != NULL, NULL);

  fields = till_wechat_xml_decode (body != NULL ? body : "", (gssize) length, &error);
  if (fields == NULL)
    {
      reply = till_wallet_reply_new (TILL_WALLET_OUTCOME_UNKNOWN);
      reply->code = g_strdup ("BAD_REPLY");
      reply->message = g_strdup (error->message);
      return reply;
    }

  if (g_strcmp0 (g_hash_table_lookup (fields, "return_code"), "SUCCESS") != 0)
    {
      /* Unsigned: the request was refused before any business (bad sign,
       * missing certificate, malformed). Nothing was charged or refunded;
       * but a refused query or reverse has not learnt anything. */
      gboolean definite =
          operation == TILL_WALLET_OPERATION_PAY || operation == TILL_WALLET_OPERATION_REFUND;
      reply = reply_new (definite ? TILL_WALLET_OUTCOME_NOT_DONE : TILL_WALLET_OUTCOME_UNKNOWN,
                         fields, "FAIL");
      reply->retry = operation == TILL_WALLET_OPERATION_REVERSE;
      return reply;
    }

  if (!till_wechat_verify (fields, api_key, sign_type))
    {
      g_warning ("A WeChat Pay reply to %s has a wrong signature; not trusted",
                 out_trade_no != NULL ? out_trade_no : "a request");
      reply = reply_new (TILL_WALLET_OUTCOME_UNKNOWN, fields, "BAD_SIGNATURE");
      reply->retry = operation == TILL_WALLET_OPERATION_REVERSE;
      return reply;
    }

  /* A signed reply for another merchant or order is a replay, not ours. */
  {
    const char *reply_appid = g_hash_table_lookup (fields, "appid");
    const char *reply_mch_id = g_hash_table_lookup (fields, "mch_id");
    const char *reply_trade_no = g_hash_table_lookup (fields, "out_trade_no");

    if ((appid != NULL && reply_appid != NULL && strcmp (appid, reply_appid) != 0) ||
        (mch_id != NULL && reply_mch_id != NULL && strcmp (mch_id, reply_mch_id) != 0) ||
        (out_trade_no != NULL && reply_trade_no != NULL &&
         strcmp (out_trade_no, reply_trade_no) != 0))
      {
        g_warning ("A WeChat Pay reply names another merchant or order; not trusted");
        reply = till_wallet_reply_new (TILL_WALLET_OUTCOME_UNKNOWN);
        reply->code = g_strdup ("BAD_REPLY");
        reply->retry = operation == TILL_WALLET_OPERATION_REVERSE;
        return reply;
      }
  }

  err_code = NULL;
  if (g_strcmp0 (g_hash_table_lookup (fields, "result_code"), "SUCCESS") != 0)
    {
      err_code = g_hash_table_lookup (fields, "err_code");
      if (err_code == NULL || *err_code == '\0')
        err_code = "SYSTEMERROR"; /* a FAIL that says nothing: treat as unknown */
    }

  switch (operation)
    {
    case TILL_WALLET_OPERATION_PAY:
      return map_pay (fields, err_code);
    case TILL_WALLET_OPERATION_QUERY:
      return map_query (fields, err_code);
    case TILL_WALLET_OPERATION_REVERSE:
      return map_reverse (fields, err_code);
    case TILL_WALLET_OPERATION_REFUND:
      return map_refund (fields, err_code);
    default:
      g_return_val_if_reached (NULL);
    }
}
