/* till-wallet-client.c: one QR wallet provider's code-payment API, and the
 * reduced reply every call finishes with
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "till-wallet-client"

#include "config.h"

#include <string.h>

#include "till-wallet-client.h"

G_DEFINE_INTERFACE (TillWalletClient, till_wallet_client, G_TYPE_OBJECT)

static TillWalletReply *
till_wallet_client_real_call_finish (TillWalletClient *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
till_wallet_client_default_init (TillWalletClientInterface *iface)
{
  iface->call_finish = till_wallet_client_real_call_finish;
}

/**
 * till_wallet_reply_new:
 * A reply with @outcome, no texts and no amount (-1).
 */
TillWalletReply *
till_wallet_reply_new (TillWalletOutcome outcome)
{
  TillWalletReply *reply = g_new0 (TillWalletReply, 1);

  reply->outcome = outcome;
  reply->amount = -1;
  return reply;
}

void
till_wallet_reply_free (TillWalletReply *reply)
{
  if (reply == NULL)
    return;
  g_free (reply->code);
  g_free (reply->message);
  g_free (reply->transaction_id);
  g_free (reply->buyer);
  g_free (reply);
}

/* Errors that mean the request never reached the network: connecting
 * failed. Anything else may have come after the request was sent. */
static gboolean
transport_error_is_offline (const GError *error)
{
  return error->domain == G_RESOLVER_ERROR ||
         g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED) ||
         g_error_matches (error, G_IO_ERROR, G_IO_ERROR_HOST_UNREACHABLE) ||
         g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NETWORK_UNREACHABLE);
}

/**
 * till_wallet_reply_new_for_transport_error:
 * A pay that never left is definitely not paid; a query, reverse or refund
 * that never left has learnt nothing, so it stays unknown (and is retried).
 */
TillWalletReply *
till_wallet_reply_new_for_transport_error (TillWalletOperation operation, const GError *error)
{
  TillWalletReply *reply;

  g_return_val_if_fail (error != NULL, NULL);

  if (transport_error_is_offline (error))
    {
      reply = till_wallet_reply_new (operation == TILL_WALLET_OPERATION_PAY
                                         ? TILL_WALLET_OUTCOME_NOT_DONE
                                         : TILL_WALLET_OUTCOME_UNKNOWN);
      reply->offline = TRUE;
      reply->code = g_strdup ("OFFLINE");
    }
  else
    {
      reply = till_wallet_reply_new (TILL_WALLET_OUTCOME_UNKNOWN);
      reply->code = g_strdup ("TRANSPORT");
    }
  reply->message = g_strdup (error->message);
  return reply;
}

/**
 * till_wallet_reply_new_for_http_status:
 * A proxy or the provider failed after the request arrived: unknown.
 */
TillWalletReply *
till_wallet_reply_new_for_http_status (guint status, const char *reason)
{
  TillWalletReply *reply = till_wallet_reply_new (TILL_WALLET_OUTCOME_UNKNOWN);

  reply->code = g_strdup_printf ("HTTP_%u", status);
  reply->message = g_strdup (reason != NULL ? reason : "");
  return reply;
}

/**
 * till_wallet_mask_buyer:
 * Buyer ids go to the receipt and the database masked.
 */
char *
till_wallet_mask_buyer (const char *buyer)
{
  glong length;

  if (buyer == NULL || *buyer == '\0')
    return NULL;
  if (!g_utf8_validate (buyer, -1, NULL))
    return g_strdup ("****");

  length = g_utf8_strlen (buyer, -1);
  if (length <= 8)
    {
      g_autofree char *first = g_utf8_substring (buyer, 0, 1);
      return g_strconcat (first, "****", NULL);
    }
  g_autofree char *head = g_utf8_substring (buyer, 0, 4);
  g_autofree char *tail = g_utf8_substring (buyer, length - 4, length);
  return g_strconcat (head, "****", tail, NULL);
}

/**
 * till_wallet_client_get_provider:
 * The wallet whose codes this client takes.
 */
TillWalletProvider
till_wallet_client_get_provider (TillWalletClient *self)
{
  g_return_val_if_fail (TILL_IS_WALLET_CLIENT (self), TILL_WALLET_NONE);
  return TILL_WALLET_CLIENT_GET_IFACE (self)->get_provider (self);
}

/**
 * till_wallet_client_pay_async:
 * Charges @amount fen to the customer's @auth_code under @out_trade_no.
 */
void
till_wallet_client_pay_async (TillWalletClient   *self,
                              const char         *out_trade_no,
                              const char         *auth_code,
                              gint64              amount,
                              const char         *subject,
                              GCancellable       *cancellable,
                              GAsyncReadyCallback callback,
                              gpointer            user_data)
{
  g_return_if_fail (TILL_IS_WALLET_CLIENT (self));
  g_return_if_fail (out_trade_no != NULL);
  g_return_if_fail (auth_code != NULL);
  g_return_if_fail (amount > 0);

  TILL_WALLET_CLIENT_GET_IFACE (self)->pay_async (self, out_trade_no, auth_code, amount, subject,
                                                  cancellable, callback, user_data);
}

/**
 * till_wallet_client_query_async:
 * Asks whether @out_trade_no was paid.
 */
void
till_wallet_client_query_async (TillWalletClient   *self,
                                const char         *out_trade_no,
                                GCancellable       *cancellable,
                                GAsyncReadyCallback callback,
                                gpointer            user_data)
{
  g_return_if_fail (TILL_IS_WALLET_CLIENT (self));
  g_return_if_fail (out_trade_no != NULL);

  TILL_WALLET_CLIENT_GET_IFACE (self)->query_async (self, out_trade_no, cancellable, callback,
                                                    user_data);
}

/**
 * till_wallet_client_reverse_async:
 * Closes @out_trade_no, giving the money back if it had been taken.
 */
void
till_wallet_client_reverse_async (TillWalletClient   *self,
                                  const char         *out_trade_no,
                                  GCancellable       *cancellable,
                                  GAsyncReadyCallback callback,
                                  gpointer            user_data)
{
  g_return_if_fail (TILL_IS_WALLET_CLIENT (self));
  g_return_if_fail (out_trade_no != NULL);

  TILL_WALLET_CLIENT_GET_IFACE (self)->reverse_async (self, out_trade_no, cancellable, callback,
                                                      user_data);
}

/**
 * till_wallet_client_refund_async:
 * Refunds @amount fen of the @total fen paid under @out_trade_no; the same
 * @out_refund_no is the same refund, so a retry never refunds twice.
 */
void
till_wallet_client_refund_async (TillWalletClient   *self,
                                 const char         *out_trade_no,
                                 const char         *out_refund_no,
                                 gint64              total,
                                 gint64              amount,
                                 const char         *reason,
                                 GCancellable       *cancellable,
                                 GAsyncReadyCallback callback,
                                 gpointer            user_data)
{
  g_return_if_fail (TILL_IS_WALLET_CLIENT (self));
  g_return_if_fail (out_trade_no != NULL);
  g_return_if_fail (out_refund_no != NULL);
  g_return_if_fail (amount > 0 && amount <= total);

  TILL_WALLET_CLIENT_GET_IFACE (self)->refund_async (
      self, out_trade_no, out_refund_no, total, amount, reason, cancellable, callback, user_data);
}

/**
 * till_wallet_client_call_finish:
 * The reply of any of the four calls; NULL with @error set only for a
 * client that is not configured or a cancelled call.
 */
TillWalletReply *
till_wallet_client_call_finish (TillWalletClient *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (TILL_IS_WALLET_CLIENT (self), NULL);
  g_return_val_if_fail (G_IS_ASYNC_RESULT (result), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return TILL_WALLET_CLIENT_GET_IFACE (self)->call_finish (self, result, error);
}

typedef struct
{
  SoupMessage          *message;
  TillWalletOperation   operation;
  char                 *out_trade_no;
  gboolean              read_error_bodies;
  TillWalletReplyParser parse;
} Exchange;

static void
exchange_free (Exchange *exchange)
{
  g_object_unref (exchange->message);
  g_free (exchange->out_trade_no);
  g_free (exchange);
}

static TillWalletReply *
exchange_reply (TillWalletClient *self, Exchange *exchange, GBytes *body)
{
  SoupMessage *message = exchange->message;
  guint        status = soup_message_get_status (message);
  gsize        length;
  const char  *data = g_bytes_get_data (body, &length);

  if (status != SOUP_STATUS_OK && (!exchange->read_error_bodies || length == 0))
    return till_wallet_reply_new_for_http_status (status, soup_message_get_reason_phrase (message));
  return exchange->parse (self, exchange->operation, data, length, exchange->out_trade_no);
}

static void
exchange_done_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  Exchange *exchange = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) body = NULL;
  TillWalletReply *reply;

  body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (body == NULL)
    reply = till_wallet_reply_new_for_transport_error (exchange->operation, error);
  else
    reply = exchange_reply (g_task_get_source_object (task), exchange, body);
  g_task_return_pointer (task, reply, (GDestroyNotify) till_wallet_reply_free);
}

void
_till_wallet_client_exchange (TillWalletClient     *self,
                              SoupSession          *session,
                              SoupMessage          *message,
                              TillWalletOperation   operation,
                              const char           *out_trade_no,
                              gboolean              read_error_bodies,
                              TillWalletReplyParser parse,
                              GCancellable         *cancellable,
                              GAsyncReadyCallback   callback,
                              gpointer              user_data)
{
  GTask    *task = g_task_new (self, cancellable, callback, user_data);
  Exchange *exchange = g_new0 (Exchange, 1);

  g_task_set_source_tag (task, _till_wallet_client_exchange);
  exchange->message = g_object_ref (message);
  exchange->operation = operation;
  exchange->out_trade_no = g_strdup (out_trade_no);
  exchange->read_error_bodies = read_error_bodies;
  exchange->parse = parse;
  g_task_set_task_data (task, exchange, (GDestroyNotify) exchange_free);
  soup_session_send_and_read_async (session, message, G_PRIORITY_DEFAULT, cancellable,
                                    exchange_done_cb, task);
}

void
_till_wallet_client_report_error (TillWalletClient   *self,
                                  GError             *error,
                                  GAsyncReadyCallback callback,
                                  gpointer            user_data)
{
  g_task_report_error (self, callback, user_data, _till_wallet_client_exchange, error);
}

static int
compare_strings_cb (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

GPtrArray *
_till_wallet_client_sorted_names (GHashTable *params, gboolean signed_only)
{
  GPtrArray     *names = g_ptr_array_new ();
  GHashTableIter iter;
  gpointer       key, value;

  g_hash_table_iter_init (&iter, params);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      if (signed_only &&
          (strcmp (key, "sign") == 0 || value == NULL || *(const char *) value == '\0'))
        continue;
      g_ptr_array_add (names, key);
    }
  g_ptr_array_sort (names, compare_strings_cb);
  return names;
}

SoupSession *
_till_wallet_client_new_session (guint timeout, GTlsDatabase *tls_database)
{
  SoupSession *session = soup_session_new_with_options ("timeout", timeout, NULL);

  if (tls_database != NULL)
    soup_session_set_tls_database (session, tls_database);
  return session;
}

gint64
_till_wallet_client_parse_fen (const char *text)
{
  guint64 value;

  if (text == NULL || !g_ascii_string_to_unsigned (text, 10, 0, G_MAXINT64, &value, NULL))
    return -1;
  return (gint64) value;
}

const char *
_till_wallet_client_json_string (JsonObject *object, const char *name)
{
  JsonNode *member = object != NULL ? json_object_get_member (object, name) : NULL;

  if (member == NULL || JSON_NODE_TYPE (member) != JSON_NODE_VALUE ||
      json_node_get_value_type (member) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (member);
}
