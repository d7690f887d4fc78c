/* till-wallet-service.h: taking a QR wallet payment done right: the attempt
 * written first, then pay, poll while the customer confirms, reverse on
 * timeout or when the cashier gives up; resumed after a crash; refunds
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include <till-core.h>

#include "till-wallet-client.h"

G_BEGIN_DECLS

/* When to ask again and when to give up (PAYMENTS.md §0.3, §1.8, §2.7).
 * All in milliseconds from the pay request, except the intervals. */
typedef struct
{
  guint first_query_ms;      /* after an unknown reply (SYSTEMERROR, timeout): 5000 */
  guint poll_interval_ms;    /* between queries while the customer confirms: 5000 */
  guint deadline_ms;         /* stop polling and reverse: 45000 WeChat, 30000 Alipay */
  guint min_reverse_ms;      /* never reverse earlier: 15000 WeChat, 0 Alipay */
  guint reverse_tries;       /* then the attempt is stuck: 5 */
  guint reverse_interval_ms; /* between reverse tries: 2000 */
} TillWalletCadence;

void till_wallet_cadence_init (TillWalletCadence *cadence, TillWalletProvider provider);

/* Signals:
 * "progress" (TillWalletAttempt *attempt, const char *message): something to
 *   tell the cashier, e.g. that the customer is entering a password;
 * "attempt-resolved" (TillWalletAttempt *attempt): an attempt carried on
 *   after a restart reached paid, reversed, failed or stuck;
 * "refund-resolved" (TillWalletRefund *refund): a pending refund was done or
 *   refused. */
#define TILL_TYPE_WALLET_SERVICE (till_wallet_service_get_type ())
G_DECLARE_FINAL_TYPE (TillWalletService, till_wallet_service, TILL, WALLET_SERVICE, GObject)

TillWalletService *till_wallet_service_new (TillStore *store);
/* The client for its provider, with its cadence (NULL: the defaults). */
void              till_wallet_service_set_client (TillWalletService       *self,
                                                  TillWalletClient        *client,
                                                  const TillWalletCadence *cadence);
TillWalletClient *till_wallet_service_get_client (TillWalletService *self,
                                                  TillWalletProvider provider);

/* Takes @amount fen from the customer's code: writes the attempt, sends the
 * pay request, polls while the customer confirms, reverses at the deadline.
 * Finishes with the paid attempt, or a TILL_TENDER_ERROR: DECLINED (with
 * the provider's message), OFFLINE (the request never left; nothing was
 * taken), UNCONFIRMED (reversed at the deadline), CANCELLED (@cancellable
 * was cancelled: the attempt is reversed before this finishes), STUCK. */
void till_wallet_service_pay_async (TillWalletService  *self,
                                    TillWalletProvider  provider,
                                    const char         *cart_uuid,
                                    gint64              amount,
                                    const char         *auth_code,
                                    GCancellable       *cancellable,
                                    GAsyncReadyCallback callback,
                                    gpointer            user_data);
TillWalletAttempt *
till_wallet_service_pay_finish (TillWalletService *self, GAsyncResult *result, GError **error);
/* Records an offline code to charge when the network is back, within the
 * store's confirm-later caps (till_wallet_deferred_allowed). */
TillWalletAttempt *till_wallet_service_defer (TillWalletService *self,
                                              TillWalletProvider provider,
                                              const char        *cart_uuid,
                                              gint64             amount,
                                              const char        *auth_code,
                                              GError           **error);
/* Gives back a paid attempt not yet recorded in a sale (the cashier took the
 * tender off): reverse/cancel, retried; finishes once reversed, or STUCK. */
void till_wallet_service_reverse_async (TillWalletService  *self,
                                        const char         *out_trade_no,
                                        GCancellable       *cancellable,
                                        GAsyncReadyCallback callback,
                                        gpointer            user_data);
gboolean
till_wallet_service_reverse_finish (TillWalletService *self, GAsyncResult *result, GError **error);
/* Carries on every unresolved attempt (query; pay a deferred one; reverse)
 * and every pending refund, emitting "attempt-resolved"/"refund-resolved";
 * call at start-up and when the network comes back. */
void till_wallet_service_resume (TillWalletService *self);
/* TRUE while anything started by resume() is still running. */
gboolean till_wallet_service_is_busy (TillWalletService *self);

/* The TillTender for @provider's QR wallet payments through @self. */
TillTender *till_wallet_service_create_tender (TillWalletService *self,
                                               TillWalletProvider provider);

G_END_DECLS
