/* till-wallet-payment.h: QR wallet (付款码) attempts and refunds as durable
 * records: written before a request leaves, resolved by query or reversal
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#if !defined(TILL_CORE_INSIDE) && !defined(TILL_CORE_COMPILATION)
#error "Only <till-core.h> can be included directly."
#endif

#include <glib-object.h>

#include "till-types.h"

G_BEGIN_DECLS

/* Stored by name (till_wallet_provider_to_string): never renumber. */
typedef enum
{
  TILL_WALLET_NONE,
  TILL_WALLET_WECHAT,   /* "wechat": 18 digits starting 10–15 */
  TILL_WALLET_ALIPAY,   /* "alipay": 16–24 digits starting 25–30 */
  TILL_WALLET_UNIONPAY, /* "unionpay": 19 digits starting 62 */
} TillWalletProvider;

const char *till_wallet_provider_to_string (TillWalletProvider provider); /* the tender id */
gboolean    till_wallet_provider_from_string (const char *text, TillWalletProvider *out_provider);
char       *till_wallet_provider_dup_label (TillWalletProvider provider); /* translated */
/* Which wallet issued a scanned customer code, by its prefix and length;
 * TILL_WALLET_NONE: not a payment code. Surrounding whitespace is ignored. */
TillWalletProvider till_wallet_route_code (const char *code);
/* "1300****2345": the code for logs and the screen, never the whole of it. */
char *till_wallet_mask_code (const char *code);

/* Stored by name: never renumber. */
typedef enum
{
  TILL_WALLET_STATE_PENDING,   /* "pending": written before the pay request; outcome not known */
  TILL_WALLET_STATE_PAID,      /* "paid": the provider confirmed, signed */
  TILL_WALLET_STATE_FAILED,    /* "failed": the provider said not paid, or the request never left */
  TILL_WALLET_STATE_REVERSING, /* "reversing": given up; reverse/cancel not yet confirmed */
  TILL_WALLET_STATE_REVERSED,  /* "reversed": closed, or the money went back */
  TILL_WALLET_STATE_STUCK,     /* "stuck": reversal kept failing; a person settles it (单边账) */
  TILL_WALLET_STATE_DEFERRED,  /* "deferred": offline, accepted to confirm later under the cap */
} TillWalletState;

const char *till_wallet_state_to_string (TillWalletState state);
gboolean    till_wallet_state_from_string (const char *text, TillWalletState *out_state);

/* One attempt to take a payment code: one out_trade_no, never reused. */
typedef struct
{
  char *out_trade_no; /* till id + yyyymmddHHMMSS + counter: letters and digits, ≤ 32 */
  TillWalletProvider provider;
  char              *cart_uuid; /* the sale uuid of the cart it pays */
  gint64             amount;    /* fen */
  char              *auth_code; /* masked, except while deferred (needed to charge later) */
  TillWalletState    state;
  char              *transaction_id; /* the provider's, once paid */
  char              *buyer;          /* masked buyer id, once paid */
  char              *error_code;     /* the provider's last code, e.g. "USERPAYING" */
  char              *message;        /* the provider's last text */
  char              *sale_uuid;      /* the sale it was recorded in, once recorded */
  gint64             created_us;     /* when the pay request was decided (wall clock) */
  gint64             updated_us;
} TillWalletAttempt;

#define TILL_TYPE_WALLET_ATTEMPT (till_wallet_attempt_get_type ())
GType              till_wallet_attempt_get_type (void) G_GNUC_CONST;
TillWalletAttempt *till_wallet_attempt_copy (const TillWalletAttempt *attempt);
void               till_wallet_attempt_free (TillWalletAttempt *attempt);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TillWalletAttempt, till_wallet_attempt_free)

/* Writes a new attempt (state pending, or deferred with @deferred) durably
 * and returns it; only then may the pay request leave. */
TillWalletAttempt *till_wallet_attempt_begin (TillStore         *store,
                                              TillWalletProvider provider,
                                              const char        *cart_uuid,
                                              gint64             amount,
                                              const char        *auth_code,
                                              gboolean           deferred,
                                              GError           **error);
/* Writes the attempt's state, transaction id, buyer, code and message. When
 * the state becomes paid and the cart is still open, the cart_tender row
 * that applies it is written in the same transaction. */
gboolean till_wallet_attempt_save (TillStore *store, TillWalletAttempt *attempt, GError **error);
TillWalletAttempt *
till_wallet_attempt_load (TillStore *store, const char *out_trade_no, GError **error);
/* Attempts a restarted till must carry on: pending, reversing and deferred,
 * oldest first (TillWalletAttempt). */
GPtrArray *till_wallet_attempt_list_unresolved (TillStore *store, GError **error);
/* The TillSalePayment a paid attempt applies to its cart. */
TillSalePayment *till_wallet_attempt_to_payment (const TillWalletAttempt *attempt);
/* Deferred ("confirm later") tenders: the store's cap per sale (setting
 * payments.confirm-later-cap, fen, 0 = not allowed, the default) and per
 * business day (payments.confirm-later-daily-cap, fen). */
gboolean till_wallet_deferred_allowed (TillStore *store, gint64 amount, GError **error);

/* Stored by name: never renumber. */
typedef enum
{
  TILL_WALLET_REFUND_PENDING, /* "pending": recorded with the return, not yet confirmed */
  TILL_WALLET_REFUND_DONE,    /* "done": the provider accepted it */
  TILL_WALLET_REFUND_FAILED,  /* "failed": refused for good; the message says why */
} TillWalletRefundState;

/* A return's refund to a QR wallet: one out_refund_no, reused on every retry
 * so the provider refunds once. */
typedef struct
{
  char                 *out_refund_no;
  char                 *out_trade_no; /* the paid attempt it refunds */
  TillWalletProvider    provider;
  char                 *return_uuid;
  gint64                amount; /* fen refunded */
  gint64                total;  /* fen of the original payment */
  TillWalletRefundState state;
  char                 *refund_id; /* the provider's, once done */
  char                 *message;
  gint64                created_us;
  gint64                updated_us;
} TillWalletRefund;

#define TILL_TYPE_WALLET_REFUND (till_wallet_refund_get_type ())
GType             till_wallet_refund_get_type (void) G_GNUC_CONST;
TillWalletRefund *till_wallet_refund_copy (const TillWalletRefund *refund);
void              till_wallet_refund_free (TillWalletRefund *refund);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TillWalletRefund, till_wallet_refund_free)

gboolean till_wallet_refund_save (TillStore *store, TillWalletRefund *refund, GError **error);
/* Pending refunds, oldest first (TillWalletRefund). */
GPtrArray *till_wallet_refund_list_pending (TillStore *store, GError **error);
GPtrArray *
till_wallet_refund_list_for_return (TillStore *store, const char *return_uuid, GError **error);

/* For returns (till-return.c) only: inside the return's transaction, records
 * a pending refund of @amount fen of the wallet payment @attempt. */
TillWalletRefund *_till_wallet_refund_create (TillStore  *store,
                                              const char *out_trade_no,
                                              const char *return_uuid,
                                              gint64      amount,
                                              GError    **error);
/* For the sale commit only: inside its transaction, checks the attempt is
 * paid (or deferred) for @amount and marks it recorded in @sale_uuid. */
gboolean _till_wallet_attempt_record (TillStore  *store,
                                      const char *out_trade_no,
                                      gint64      amount,
                                      const char *sale_uuid,
                                      GError    **error);

G_END_DECLS
