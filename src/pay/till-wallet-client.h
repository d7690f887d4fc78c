/* till-wallet-client.h: one QR wallet provider's code-payment API (pay,
 * query, reverse, refund), with every reply reduced to paid / not paid /
 * unknown
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <till-core.h>

G_BEGIN_DECLS

typedef enum
{
  TILL_WALLET_OUTCOME_DONE,     /* pay/query: paid; reverse: closed or refunded; refund: accepted */
  TILL_WALLET_OUTCOME_NOT_DONE, /* definitely not: not paid / refund refused; code and message say
                                   why */
  TILL_WALLET_OUTCOME_UNKNOWN,  /* can't tell (USERPAYING, SYSTEMERROR, 10003, 20000, timeout, bad
                                   signature): query again, or reverse */
} TillWalletOutcome;

/* A provider's reply, reduced. An unsigned or badly signed "success" is
 * UNKNOWN (code "BAD_SIGNATURE"): the caller queries instead of trusting it. */
typedef struct
{
  TillWalletOutcome outcome;
  gboolean          offline;          /* the request never reached the provider (connect failed) */
  gboolean          waiting_for_user; /* USERPAYING / 10003 / WAIT_BUYER_PAY */
  gboolean          retry;            /* reverse: recall=Y / retry_flag=Y, call again */
  gboolean          refunded;         /* reverse/cancel: money had been taken and went back */
  char             *code;    /* provider code: "NOTENOUGH", "ACQ.BUYER_BALANCE_NOT_ENOUGH", … */
  char             *message; /* provider text, shown to the cashier when not done */
  char             *transaction_id; /* the provider's trade or refund id */
  char             *buyer;          /* openid / buyer_logon_id, masked */
  gint64            amount;         /* fen the provider reports, -1 when none */
} TillWalletReply;

TillWalletReply *till_wallet_reply_new (TillWalletOutcome outcome);
void             till_wallet_reply_free (TillWalletReply *reply);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TillWalletReply, till_wallet_reply_free)

/* Which of the four calls a reply answers: the same provider code means
 * different things to each (a refused query is not a refused payment). */
typedef enum
{
  TILL_WALLET_OPERATION_PAY,
  TILL_WALLET_OPERATION_QUERY,
  TILL_WALLET_OPERATION_REVERSE,
  TILL_WALLET_OPERATION_REFUND,
} TillWalletOperation;

/* The reply for a request that got no answer. A failed connect (refused,
 * unreachable, name not resolved: the request never left) is NOT_DONE and
 * offline for a pay, UNKNOWN and offline for the others; any later failure
 * (timeout, connection dropped, TLS) is UNKNOWN, code "TRANSPORT". */
TillWalletReply *till_wallet_reply_new_for_transport_error (TillWalletOperation operation,
                                                            const GError       *error);
/* The reply for an HTTP status other than 200 without a usable body:
 * UNKNOWN, code "HTTP_<status>". */
TillWalletReply *till_wallet_reply_new_for_http_status (guint status, const char *reason);
/* "oUpF****eS6o"-style: the first and last four characters of a buyer id
 * around "****"; short ids keep only their first character. */
char *till_wallet_mask_buyer (const char *buyer);

#define TILL_TYPE_WALLET_CLIENT (till_wallet_client_get_type ())
G_DECLARE_INTERFACE (TillWalletClient, till_wallet_client, TILL, WALLET_CLIENT, GObject)

/* Each call sends one request and finishes with a reply; transport errors
 * become replies (offline or unknown), so finish sets @error only for a
 * client that is not configured or a cancelled call. */
struct _TillWalletClientInterface
{
  GTypeInterface g_iface;

  TillWalletProvider (*get_provider) (TillWalletClient *self);
  void (*pay_async) (TillWalletClient   *self,
                     const char         *out_trade_no,
                     const char         *auth_code,
                     gint64              amount,
                     const char         *subject,
                     GCancellable       *cancellable,
                     GAsyncReadyCallback callback,
                     gpointer            user_data);
  void (*query_async) (TillWalletClient   *self,
                       const char         *out_trade_no,
                       GCancellable       *cancellable,
                       GAsyncReadyCallback callback,
                       gpointer            user_data);
  void (*reverse_async) (TillWalletClient   *self,
                         const char         *out_trade_no,
                         GCancellable       *cancellable,
                         GAsyncReadyCallback callback,
                         gpointer            user_data);
  void (*refund_async) (TillWalletClient   *self,
                        const char         *out_trade_no,
                        const char         *out_refund_no,
                        gint64              total,
                        gint64              amount,
                        const char         *reason,
                        GCancellable       *cancellable,
                        GAsyncReadyCallback callback,
                        gpointer            user_data);
  /* All four finish the same way. */
  TillWalletReply *(*call_finish) (TillWalletClient *self, GAsyncResult *result, GError **error);
};

TillWalletProvider till_wallet_client_get_provider (TillWalletClient *self);
void               till_wallet_client_pay_async (TillWalletClient   *self,
                                                 const char         *out_trade_no,
                                                 const char         *auth_code,
                                                 gint64              amount,
                                                 const char         *subject,
                                                 GCancellable       *cancellable,
                                                 GAsyncReadyCallback callback,
                                                 gpointer            user_data);
void               till_wallet_client_query_async (TillWalletClient   *self,
                                                   const char         *out_trade_no,
                                                   GCancellable       *cancellable,
                                                   GAsyncReadyCallback callback,
                                                   gpointer            user_data);
void               till_wallet_client_reverse_async (TillWalletClient   *self,
                                                     const char         *out_trade_no,
                                                     GCancellable       *cancellable,
                                                     GAsyncReadyCallback callback,
                                                     gpointer            user_data);
void               till_wallet_client_refund_async (TillWalletClient   *self,
                                                    const char         *out_trade_no,
                                                    const char         *out_refund_no,
                                                    gint64              total,
                                                    gint64              amount,
                                                    const char         *reason,
                                                    GCancellable       *cancellable,
                                                    GAsyncReadyCallback callback,
                                                    gpointer            user_data);
TillWalletReply *
till_wallet_client_call_finish (TillWalletClient *self, GAsyncResult *result, GError **error);

/* For the provider clients only: the one way a request goes out and its
 * answer comes back. @parse reduces a reply body to a TillWalletReply. */
typedef TillWalletReply *(*TillWalletReplyParser) (TillWalletClient   *self,
                                                   TillWalletOperation operation,
                                                   const char         *body,
                                                   gsize               length,
                                                   const char         *out_trade_no);

/* Sends @message on @session and finishes, through call_finish(), with the
 * parsed reply; a transport failure or an HTTP status other than 200 (with
 * an empty body when @read_error_bodies, for providers that answer errors
 * as bodies) becomes the matching reply; only cancellation is an error. */
void _till_wallet_client_exchange (TillWalletClient     *self,
                                   SoupSession          *session,
                                   SoupMessage          *message,
                                   TillWalletOperation   operation,
                                   const char           *out_trade_no,
                                   gboolean              read_error_bodies,
                                   TillWalletReplyParser parse,
                                   GCancellable         *cancellable,
                                   GAsyncReadyCallback   callback,
                                   gpointer              user_data);
/* The names of @params in ASCII order, "sign" and empty values left out
 * when @signed_only: the order WeChat's and Alipay's signatures cover. The
 * array borrows the table's keys. */
GPtrArray *_till_wallet_client_sorted_names (GHashTable *params, gboolean signed_only);
/* An amount in fen as the providers write it (decimal digits), or -1. */
gint64 _till_wallet_client_parse_fen (const char *text);
/* The string member @name of @object (which may be NULL), or NULL when it is
 * missing or not a string. */
const char *_till_wallet_client_json_string (JsonObject *object, const char *name);
/* A provider's session: @timeout seconds a request, trusting @tls_database
 * (NULL: the system's certificates). */
SoupSession *_till_wallet_client_new_session (guint timeout, GTlsDatabase *tls_database);
/* Finishes a call that could not be sent (not configured, a bad address)
 * with @error (consumed). */
void _till_wallet_client_report_error (TillWalletClient   *self,
                                       GError             *error,
                                       GAsyncReadyCallback callback,
                                       gpointer            user_data);

G_END_DECLS
