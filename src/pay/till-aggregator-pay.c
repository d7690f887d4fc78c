/* till-aggregator-pay.c: an acquirer/aggregator's B扫C API (收钱吧
 * Shouqianba upay v2 style), the till's way to UnionPay QR codes
 * (PAYMENTS.md §4–5)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "till-aggregator-pay"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <openssl/crypto.h>

#include "till-aggregator-pay.h"

struct _TillAggregatorPay
{
  GObject parent_instance;

  char              *base_url;
  char              *terminal_sn;
  char              *terminal_key;
  TillWalletProvider provider;
  GTlsDatabase      *tls_database;
  guint              timeout;

  SoupSession *session;
};

static void till_aggregator_pay_wallet_client_init (TillWalletClientInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (TillAggregatorPay,
                               till_aggregator_pay,
                               G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (TILL_TYPE_WALLET_CLIENT,
                                                      till_aggregator_pay_wallet_client_init))

enum
{
  PROP_0,
  PROP_BASE_URL,
  PROP_TERMINAL_SN,
  PROP_TERMINAL_KEY,
  PROP_PROVIDER,
  PROP_TLS_DATABASE,
  PROP_TIMEOUT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static const char *
operation_path (TillWalletOperation operation)
{
  switch (operation)
    {
    case TILL_WALLET_OPERATION_PAY:
      return "/upay/v2/pay";
    case TILL_WALLET_OPERATION_QUERY:
      return "/upay/v2/query";
    case TILL_WALLET_OPERATION_REVERSE:
      return "/upay/v2/cancel";
    case TILL_WALLET_OPERATION_REFUND:
      return "/upay/v2/refund";
    default:
      g_assert_not_reached ();
    }
}

static JsonObject *
member_object (JsonObject *object, const char *name)
{
  JsonNode *member = object != NULL ? json_object_get_member (object, name) : NULL;

  if (member == NULL || !JSON_NODE_HOLDS_OBJECT (member))
    return NULL;
  return json_node_get_object (member);
}

static gboolean
is_empty (const char *text)
{
  return text == NULL || *text == '\0';
}

/* code: the biz error_code when there is one, else the biz result_code;
 * message: the biz error_message, else the top-level one. */
static TillWalletReply *
reply_new (TillWalletOutcome outcome, JsonObject *root, JsonObject *biz, const char *fallback_code)
{
  TillWalletReply *reply = till_wallet_reply_new (outcome);
  const char      *code = _till_wallet_client_json_string (biz, "error_code");
  const char      *message = _till_wallet_client_json_string (biz, "error_message");

  if (is_empty (code))
    code = _till_wallet_client_json_string (biz, "result_code");
  if (is_empty (code))
    code = _till_wallet_client_json_string (root, "error_code");
  if (is_empty (message))
    message = _till_wallet_client_json_string (root, "error_message");
  reply->code = g_strdup (!is_empty (code) ? code : fallback_code);
  reply->message = g_strdup (message);
  return reply;
}

static void
fill_paid (TillWalletReply *reply, JsonObject *data)
{
  reply->transaction_id = g_strdup (_till_wallet_client_json_string (data, "sn"));
  /* payer_login comes masked by the aggregator already. */
  reply->buyer = g_strdup (_till_wallet_client_json_string (data, "payer_login"));
  reply->amount =
      _till_wallet_client_parse_fen (_till_wallet_client_json_string (data, "total_amount"));
}

static TillWalletReply *
map_pay (JsonObject *root, JsonObject *biz, const char *result, JsonObject *data)
{
  TillWalletReply *reply;

  if (g_strcmp0 (result, "PAY_SUCCESS") == 0)
    {
      reply = reply_new (TILL_WALLET_OUTCOME_DONE, root, biz, result);
      fill_paid (reply, data);
      return reply;
    }
  if (g_strcmp0 (result, "PAY_IN_PROGRESS") == 0)
    {
      reply = reply_new (TILL_WALLET_OUTCOME_UNKNOWN, root, biz, result);
      reply->waiting_for_user = TRUE;
      return reply;
    }
  if (g_strcmp0 (result, "PAY_FAIL") == 0 || g_strcmp0 (result, "FAIL") == 0)
    return reply_new (TILL_WALLET_OUTCOME_NOT_DONE, root, biz, result);
  /* PAY_FAIL_ERROR, PAY_FAIL_IN_PROGRESS (failed but money may have moved),
   * anything new: the query decides. */
  return reply_new (TILL_WALLET_OUTCOME_UNKNOWN, root, biz, result);
}

static TillWalletReply *
map_query (JsonObject *root, JsonObject *biz, const char *result, JsonObject *data)
{
  static const char *const not_paid[] = { "PAY_CANCELED", "CANCELED", "REFUNDED", "PAY_ERROR",
                                          NULL };
  const char              *order_status = _till_wallet_client_json_string (data, "order_status");
  TillWalletReply         *reply;

  if (g_strcmp0 (result, "SUCCESS") != 0)
    {
      const char *error_code = _till_wallet_client_json_string (biz, "error_code");
      if (error_code != NULL && strstr (error_code, "NOT_EXIST") != NULL)
        return reply_new (TILL_WALLET_OUTCOME_NOT_DONE, root, biz, result);
      return reply_new (TILL_WALLET_OUTCOME_UNKNOWN, root, biz, result);
    }
  if (g_strcmp0 (order_status, "PAID") == 0 || g_strcmp0 (order_status, "PARTIAL_REFUNDED") == 0)
    {
      reply = reply_new (TILL_WALLET_OUTCOME_DONE, root, biz, order_status);
      fill_paid (reply, data);
      g_free (reply->code);
      reply->code = g_strdup (order_status);
      return reply;
    }
  reply = reply_new (order_status != NULL && g_strv_contains (not_paid, order_status)
                         ? TILL_WALLET_OUTCOME_NOT_DONE
                         : TILL_WALLET_OUTCOME_UNKNOWN,
                     root, biz, result);
  reply->waiting_for_user = g_strcmp0 (order_status, "CREATED") == 0;
  g_free (reply->code);
  reply->code = g_strdup (order_status != NULL ? order_status : "NO_ORDER_STATUS");
  return reply;
}

static TillWalletReply *
map_cancel (JsonObject *root, JsonObject *biz, const char *result, JsonObject *data)
{
  TillWalletReply *reply;

  if (g_strcmp0 (result, "CANCEL_SUCCESS") == 0)
    {
      reply = reply_new (TILL_WALLET_OUTCOME_DONE, root, biz, result);
      reply->refunded =
          g_strcmp0 (_till_wallet_client_json_string (data, "order_status"), "REFUNDED") == 0;
      reply->transaction_id = g_strdup (_till_wallet_client_json_string (data, "sn"));
      return reply;
    }
  if (g_strcmp0 (result, "CANCEL_FAIL") == 0 || g_strcmp0 (result, "FAIL") == 0)
    return reply_new (TILL_WALLET_OUTCOME_NOT_DONE, root, biz, result);
  /* CANCEL_IN_PROGRESS, CANCEL_ERROR: call again. */
  reply = reply_new (TILL_WALLET_OUTCOME_UNKNOWN, root, biz, result);
  reply->retry = TRUE;
  return reply;
}

static TillWalletReply *
map_refund (JsonObject *root, JsonObject *biz, const char *result, JsonObject *data)
{
  TillWalletReply *reply;

  if (g_strcmp0 (result, "REFUND_SUCCESS") == 0)
    {
      reply = reply_new (TILL_WALLET_OUTCOME_DONE, root, biz, result);
      reply->transaction_id = g_strdup (_till_wallet_client_json_string (data, "sn"));
      return reply;
    }
  if (g_strcmp0 (result, "REFUND_FAIL") == 0 || g_strcmp0 (result, "FAIL") == 0)
    return reply_new (TILL_WALLET_OUTCOME_NOT_DONE, root, biz, result);
  return reply_new (TILL_WALLET_OUTCOME_UNKNOWN, root, biz, result);
}

/* Client. */

static TillWalletReply *
parse_reply (TillWalletClient   *client,
             TillWalletOperation operation,
             const char         *body,
             gsize               length,
             const char         *out_trade_no)
{
  return till_aggregator_reply_parse (operation, body, length, out_trade_no);
}

/* Sends the object under construction in @request (consumed). */
static void
send_request (TillAggregatorPay  *self,
              TillWalletOperation operation,
              const char         *out_trade_no,
              JsonBuilder        *request,
              GCancellable       *cancellable,
              GAsyncReadyCallback callback,
              gpointer            user_data)
{
  TillWalletClient *client = TILL_WALLET_CLIENT (self);

  if (self->base_url == NULL || self->terminal_sn == NULL || self->terminal_key == NULL)
    {
      _till_wallet_client_report_error (
          client,
          g_error_new (TILL_TENDER_ERROR, TILL_TENDER_ERROR_FAILED,
                       _ ("The payment aggregator is not configured")),
          callback, user_data);
      return;
    }

  json_builder_end_object (request);
  g_autoptr (JsonNode) root = json_builder_get_root (request);
  g_autoptr (JsonGenerator) generator = json_generator_new ();
  gsize json_length;
  json_generator_set_root (generator, root);
  char *json = json_generator_to_data (generator, &json_length);

  g_autofree char *url = g_strconcat (self->base_url, operation_path (operation), NULL);
  g_autoptr (SoupMessage) message = soup_message_new (SOUP_METHOD_POST, url);
  if (message == NULL)
    {
      g_free (json);
      _till_wallet_client_report_error (
          client,
          g_error_new (TILL_TENDER_ERROR, TILL_TENDER_ERROR_FAILED,
                       _ ("The payment aggregator address “%s” is not valid"), self->base_url),
          callback, user_data);
      return;
    }
  g_autofree char *authorization =
      till_aggregator_sign (self->terminal_sn, self->terminal_key, json, json_length);
  soup_message_headers_replace (soup_message_get_request_headers (message), "Authorization",
                                authorization);
  g_autoptr (GBytes) body = g_bytes_new_take (json, json_length);
  soup_message_set_request_body_from_bytes (message, "application/json", body);

  /* The aggregator answers its own errors as JSON with result_code 400,
   * 401 or 500, sometimes under a matching HTTP status: the body is read
   * whenever there is one. */
  _till_wallet_client_exchange (client, self->session, message, operation, out_trade_no, TRUE,
                                parse_reply, cancellable, callback, user_data);
}

static JsonBuilder *
new_request (TillAggregatorPay *self, const char *out_trade_no)
{
  JsonBuilder *request = json_builder_new ();

  json_builder_begin_object (request);
  json_builder_set_member_name (request, "terminal_sn");
  json_builder_add_string_value (request, self->terminal_sn);
  json_builder_set_member_name (request, "client_sn");
  json_builder_add_string_value (request, out_trade_no);
  return request;
}

static void
add_member (JsonBuilder *request, const char *name, const char *value)
{
  json_builder_set_member_name (request, name);
  json_builder_add_string_value (request, value);
}

static TillWalletProvider
till_aggregator_pay_get_provider (TillWalletClient *client)
{
  return TILL_AGGREGATOR_PAY (client)->provider;
}

static void
till_aggregator_pay_pay_async (TillWalletClient   *client,
                               const char         *out_trade_no,
                               const char         *auth_code,
                               gint64              amount,
                               const char         *subject,
                               GCancellable       *cancellable,
                               GAsyncReadyCallback callback,
                               gpointer            user_data)
{
  TillAggregatorPay *self = TILL_AGGREGATOR_PAY (client);
  g_autoptr (JsonBuilder) request = new_request (self, out_trade_no);
  g_autofree char *total = g_strdup_printf ("%" G_GINT64_FORMAT, amount);

  add_member (request, "total_amount", total);
  add_member (request, "dynamic_id", auth_code);
  add_member (request, "subject", subject != NULL && *subject != '\0' ? subject : "商品");
  add_member (request, "operator", self->terminal_sn);
  send_request (self, TILL_WALLET_OPERATION_PAY, out_trade_no, request, cancellable, callback,
                user_data);
}

static void
till_aggregator_pay_query_async (TillWalletClient   *client,
                                 const char         *out_trade_no,
                                 GCancellable       *cancellable,
                                 GAsyncReadyCallback callback,
                                 gpointer            user_data)
{
  TillAggregatorPay *self = TILL_AGGREGATOR_PAY (client);
  g_autoptr (JsonBuilder) request = new_request (self, out_trade_no);

  send_request (self, TILL_WALLET_OPERATION_QUERY, out_trade_no, request, cancellable, callback,
                user_data);
}

static void
till_aggregator_pay_reverse_async (TillWalletClient   *client,
                                   const char         *out_trade_no,
                                   GCancellable       *cancellable,
                                   GAsyncReadyCallback callback,
                                   gpointer            user_data)
{
  TillAggregatorPay *self = TILL_AGGREGATOR_PAY (client);
  g_autoptr (JsonBuilder) request = new_request (self, out_trade_no);

  send_request (self, TILL_WALLET_OPERATION_REVERSE, out_trade_no, request, cancellable, callback,
                user_data);
}

static void
till_aggregator_pay_refund_async (TillWalletClient   *client,
                                  const char         *out_trade_no,
                                  const char         *out_refund_no,
                                  gint64              total,
                                  gint64              amount,
                                  const char         *reason,
                                  GCancellable       *cancellable,
                                  GAsyncReadyCallback callback,
                                  gpointer            user_data)
{
  TillAggregatorPay *self = TILL_AGGREGATOR_PAY (client);
  g_autoptr (JsonBuilder) request = new_request (self, out_trade_no);
  g_autofree char *refund_amount = g_strdup_printf ("%" G_GINT64_FORMAT, amount);

  add_member (request, "refund_request_no", out_refund_no);
  add_member (request, "refund_amount", refund_amount);
  add_member (request, "operator", self->terminal_sn);
  send_request (self, TILL_WALLET_OPERATION_REFUND, out_trade_no, request, cancellable, callback,
                user_data);
}

static void
till_aggregator_pay_wallet_client_init (TillWalletClientInterface *iface)
{
  iface->get_provider = till_aggregator_pay_get_provider;
  iface->pay_async = till_aggregator_pay_pay_async;
  iface->query_async = till_aggregator_pay_query_async;
  iface->reverse_async = till_aggregator_pay_reverse_async;
  iface->refund_async = till_aggregator_pay_refund_async;
}

static void
till_aggregator_pay_constructed (GObject *object)
{
  TillAggregatorPay *self = TILL_AGGREGATOR_PAY (object);

  G_OBJECT_CLASS (till_aggregator_pay_parent_class)->constructed (object);

  if (self->base_url != NULL && g_str_has_suffix (self->base_url, "/"))
    self->base_url[strlen (self->base_url) - 1] = '\0';
  self->session = _till_wallet_client_new_session (self->timeout, self->tls_database);
}

static void
till_aggregator_pay_dispose (GObject *object)
{
  TillAggregatorPay *self = TILL_AGGREGATOR_PAY (object);

  if (self->session != NULL)
    soup_session_abort (self->session);
  g_clear_object (&self->session);
  g_clear_object (&self->tls_database);

  G_OBJECT_CLASS (till_aggregator_pay_parent_class)->dispose (object);
}

static void
till_aggregator_pay_finalize (GObject *object)
{
  TillAggregatorPay *self = TILL_AGGREGATOR_PAY (object);

  g_free (self->base_url);
  g_free (self->terminal_sn);
  if (self->terminal_key != NULL)
    OPENSSL_cleanse (self->terminal_key, strlen (self->terminal_key));
  g_free (self->terminal_key);

  G_OBJECT_CLASS (till_aggregator_pay_parent_class)->finalize (object);
}

static void
till_aggregator_pay_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  TillAggregatorPay *self = TILL_AGGREGATOR_PAY (object);

  switch (prop_id)
    {
    case PROP_BASE_URL:
      g_value_set_string (value, self->base_url);
      break;
    case PROP_TERMINAL_SN:
      g_value_set_string (value, self->terminal_sn);
      break;
    case PROP_TERMINAL_KEY:
      /* A secret: never handed back. */
      g_value_set_string (value, NULL);
      break;
    case PROP_PROVIDER:
      g_value_set_int (value, self->provider);
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
till_aggregator_pay_set_property (GObject      *object,
                                  guint         prop_id,
                                  const GValue *value,
                                  GParamSpec   *pspec)
{
  TillAggregatorPay *self = TILL_AGGREGATOR_PAY (object);

  switch (prop_id)
    {
    case PROP_BASE_URL:
      self->base_url = g_value_dup_string (value);
      break;
    case PROP_TERMINAL_SN:
      self->terminal_sn = g_value_dup_string (value);
      break;
    case PROP_TERMINAL_KEY:
      self->terminal_key = g_value_dup_string (value);
      break;
    case PROP_PROVIDER:
      self->provider = (TillWalletProvider) g_value_get_int (value);
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
till_aggregator_pay_class_init (TillAggregatorPayClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags   flags = G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS;

  object_class->constructed = till_aggregator_pay_constructed;
  object_class->dispose = till_aggregator_pay_dispose;
  object_class->finalize = till_aggregator_pay_finalize;
  object_class->get_property = till_aggregator_pay_get_property;
  object_class->set_property = till_aggregator_pay_set_property;

  properties[PROP_BASE_URL] =
      g_param_spec_string ("base-url", NULL, NULL, "https://api.shouqianba.com", flags);
  properties[PROP_TERMINAL_SN] = g_param_spec_string ("terminal-sn", NULL, NULL, NULL, flags);
  properties[PROP_TERMINAL_KEY] = g_param_spec_string ("terminal-key", NULL, NULL, NULL, flags);
  properties[PROP_PROVIDER] = g_param_spec_int ("provider", NULL, NULL, TILL_WALLET_WECHAT,
                                                TILL_WALLET_UNIONPAY, TILL_WALLET_UNIONPAY, flags);
  properties[PROP_TLS_DATABASE] =
      g_param_spec_object ("tls-database", NULL, NULL, G_TYPE_TLS_DATABASE, flags);
  properties[PROP_TIMEOUT] = g_param_spec_uint ("timeout", NULL, NULL, 0, 600, 10, flags);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
till_aggregator_pay_init (TillAggregatorPay *self)
{
}

/**
 * till_aggregator_sign:
 * The Authorization header: terminal_sn, a space, md5hex(body + key).
 */
char *
till_aggregator_sign (const char *terminal_sn,
                      const char *terminal_key,
                      const char *body,
                      gsize       length)
{
  g_autoptr (GChecksum) checksum = g_checksum_new (G_CHECKSUM_MD5);

  g_return_val_if_fail (terminal_sn != NULL, NULL);
  g_return_val_if_fail (terminal_key != NULL, NULL);
  g_return_val_if_fail (body != NULL || length == 0, NULL);

  g_checksum_update (checksum, (const guchar *) body, (gssize) length);
  g_checksum_update (checksum, (const guchar *) terminal_key, (gssize) strlen (terminal_key));
  return g_strconcat (terminal_sn, " ", g_checksum_get_string (checksum), NULL);
}

/**
 * till_aggregator_reply_parse:
 * Reduces a reply to @operation. The aggregator signs nothing: its replies
 * are trusted because they come over TLS from its own host, checked against
 * the system's (or the configured) CA.
 */
TillWalletReply *
till_aggregator_reply_parse (TillWalletOperation operation,
                             const char         *body,
                             gsize               length,
                             const char         *out_trade_no)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) error = NULL;
  TillWalletReply *reply;
  JsonObject      *root, *biz, *data;
  const char      *result_code;

  g_return_val_if_fail (body != NULL || length == 0, NULL);

  if (body == NULL || length == 0 ||
      !json_parser_load_from_data (parser, body, (gssize) length, &error) ||
      !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      reply = till_wallet_reply_new (TILL_WALLET_OUTCOME_UNKNOWN);
      reply->code = g_strdup ("BAD_REPLY");
      reply->message = g_strdup (error != NULL ? error->message : "not a JSON object");
      reply->retry = operation == TILL_WALLET_OPERATION_REVERSE;
      return reply;
    }
  root = json_node_get_object (json_parser_get_root (parser));
  result_code = _till_wallet_client_json_string (root, "result_code");

  if (g_strcmp0 (result_code, "400") == 0 || g_strcmp0 (result_code, "401") == 0)
    {
      /* Refused before any business (bad parameters or signature): nothing
       * was charged or refunded, but a refused query or cancel learnt
       * nothing. */
      gboolean definite =
          operation == TILL_WALLET_OPERATION_PAY || operation == TILL_WALLET_OPERATION_REFUND;
      reply = reply_new (definite ? TILL_WALLET_OUTCOME_NOT_DONE : TILL_WALLET_OUTCOME_UNKNOWN,
                         root, NULL, result_code);
      reply->retry = operation == TILL_WALLET_OPERATION_REVERSE;
      return reply;
    }
  biz = member_object (root, "biz_response");
  if (g_strcmp0 (result_code, "200") != 0 || biz == NULL)
    {
      reply = reply_new (TILL_WALLET_OUTCOME_UNKNOWN, root, NULL,
                         result_code != NULL ? result_code : "BAD_REPLY");
      reply->retry = operation == TILL_WALLET_OPERATION_REVERSE;
      return reply;
    }

  data = member_object (biz, "data");
  {
    const char *client_sn = _till_wallet_client_json_string (data, "client_sn");
    if (out_trade_no != NULL && client_sn != NULL && strcmp (out_trade_no, client_sn) != 0)
      {
        g_warning ("An aggregator reply names another order; not trusted");
        reply = till_wallet_reply_new (TILL_WALLET_OUTCOME_UNKNOWN);
        reply->code = g_strdup ("BAD_REPLY");
        reply->retry = operation == TILL_WALLET_OPERATION_REVERSE;
        return reply;
      }
  }

  const char *biz_result = _till_wallet_client_json_string (biz, "result_code");
  switch (operation)
    {
    case TILL_WALLET_OPERATION_PAY:
      return map_pay (root, biz, biz_result, data);
    case TILL_WALLET_OPERATION_QUERY:
      return map_query (root, biz, biz_result, data);
    case TILL_WALLET_OPERATION_REVERSE:
      return map_cancel (root, biz, biz_result, data);
    case TILL_WALLET_OPERATION_REFUND:
      return map_refund (root, biz, biz_result, data);
    default:
      g_return_val_if_reached (NULL);
    }
}
