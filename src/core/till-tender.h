/* till-tender.h: a tender type (cash, bank card, QR wallet, stored value,
 * voucher) as a driver behind one interface, and one tender of a payment
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#if !defined(TILL_CORE_INSIDE) && !defined(TILL_CORE_COMPILATION)
#error "Only <till-core.h> can be included directly."
#endif

#include <gio/gio.h>

#include "till-types.h"

G_BEGIN_DECLS

#define TILL_TENDER_ERROR (till_tender_error_quark ())

typedef enum
{
  TILL_TENDER_ERROR_FAILED,
  TILL_TENDER_ERROR_INVALID,    /* the input is not what this tender takes (bad card tail, unknown
                                   voucher) */
  TILL_TENDER_ERROR_NOT_A_CODE, /* a scanned code is not a payment code */
  TILL_TENDER_ERROR_DISABLED,   /* the store has not turned this tender on */
  TILL_TENDER_ERROR_DECLINED, /* definitely not paid: no balance, expired code, …; message says why
                               */
  TILL_TENDER_ERROR_UNCONFIRMED, /* the provider never confirmed; the attempt was reversed */
  TILL_TENDER_ERROR_OFFLINE,     /* no network: QR wallets can't be taken now */
  TILL_TENDER_ERROR_CANCELLED,   /* the cashier gave up; the attempt was reversed */
  TILL_TENDER_ERROR_OVER_LIMIT,  /* more than the due, a balance, a cap */
  TILL_TENDER_ERROR_STUCK,       /* a reversal kept failing: settle it with the provider */
} TillTenderError;

/* How a tender behaves in the arithmetic of a payment. Stored by name
 * (till_tender_kind_to_string): never renumber. */
typedef enum
{
  TILL_TENDER_KIND_CASH,   /* "cash": may exceed the due, the excess is change; opens the drawer */
  TILL_TENDER_KIND_CARD,   /* "card": bank card on a standalone or integrated terminal */
  TILL_TENDER_KIND_WALLET, /* "wallet": WeChat Pay, Alipay, UnionPay 付款码 */
  TILL_TENDER_KIND_STORED_VALUE, /* "stored-value": a stored-value card's balance (储值) */
  TILL_TENDER_KIND_VOUCHER,      /* "voucher": a paper or code voucher; face value above the due is
                                    forfeited */
  TILL_TENDER_KIND_EXCHANGE,     /* "exchange": the credit of returned goods (till-return.h) */
  TILL_TENDER_KIND_POINTS,       /* "points": a member's points (till-loyalty.h); reference is the
                                    member id, tendered the points spent */
} TillTenderKind;

const char *till_tender_kind_to_string (TillTenderKind kind);
gboolean    till_tender_kind_from_string (const char *text, TillTenderKind *out_kind);

/* One tender of a payment, applied to an open cart (till-payment.h) or
 * recorded with a sale (till_sale_get_payment). A sale's tenders add up to
 * its total: sum (amount) = total; only cash has change. */
typedef struct
{
  int   line_no; /* 1.. in the order they were applied */
  char *method;  /* the tender's id: "cash", "card", "wechat", "alipay", "unionpay",
                    "stored-value", "voucher", "exchange" */
  TillTenderKind kind;
  gint64         amount;    /* fen of the total this tender pays */
  gint64         tendered;  /* fen handed over (cash), face value (voucher), else = amount */
  gint64         change;    /* fen given back: cash only, else 0 */
  char          *reference; /* nullable: terminal reference, provider transaction id, voucher
                               code, stored-value card number, an exchange's return uuid */
  char *account;            /* nullable, already masked for the screen and receipt:
                               card "**** 1234", stored-value "8800****0012", wallet buyer */
  char *attempt;            /* nullable: a QR wallet's out_trade_no, for refunds */
} TillSalePayment;

#define TILL_TYPE_SALE_PAYMENT (till_sale_payment_get_type ())
GType            till_sale_payment_get_type (void) G_GNUC_CONST;
TillSalePayment *till_sale_payment_new (const char *method, TillTenderKind kind, gint64 amount);
TillSalePayment *till_sale_payment_copy (const TillSalePayment *payment);
void             till_sale_payment_free (TillSalePayment *payment);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TillSalePayment, till_sale_payment_free)

/* What the cashier asks of a tender. */
typedef struct
{
  const char *cart_uuid; /* the sale uuid the open cart will take */
  gint64      due;       /* fen still to pay: for cash already rounded (抹零) */
  gint64      amount;    /* fen asked for: ≤ due, except cash (handed over) and vouchers */
  const char *input;     /* nullable: what was scanned or keyed: the 付款码, the stored-value
                            card number, the voucher code, the card terminal's reference */
  const char *account;   /* nullable: a bank card's last four digits, keyed */
} TillTenderRequest;

#define TILL_TYPE_TENDER (till_tender_get_type ())
G_DECLARE_INTERFACE (TillTender, till_tender, TILL, TENDER, GObject)

/* A tender driver. authorize takes the money (or checks it can be taken, for
 * local ledgers that are debited in the sale's own transaction) and returns
 * the TillSalePayment to apply; release undoes an applied tender before the
 * sale is recorded (the cashier removed it or gave up the sale): reverse a
 * wallet payment, release a voucher. Both run on the main context. */
struct _TillTenderInterface
{
  GTypeInterface g_iface;

  const char *(*get_id) (TillTender *self);
  char *(*dup_label) (TillTender *self);
  TillTenderKind (*get_kind) (TillTender *self);
  /* A tender that decides at once (cash, card, stored value, voucher)
   * implements only this; the default authorize_async runs it and delivers
   * the result from the main context like any other tender. */
  TillSalePayment *(*authorize) (TillTender              *self,
                                 const TillTenderRequest *request,
                                 GError                 **error);
  void (*authorize_async) (TillTender              *self,
                           const TillTenderRequest *request,
                           GCancellable            *cancellable,
                           GAsyncReadyCallback      callback,
                           gpointer                 user_data);
  TillSalePayment *(*authorize_finish) (TillTender *self, GAsyncResult *result, GError **error);
  void (*release_async) (TillTender            *self,
                         const TillSalePayment *payment,
                         GCancellable          *cancellable,
                         GAsyncReadyCallback    callback,
                         gpointer               user_data);
  gboolean (*release_finish) (TillTender *self, GAsyncResult *result, GError **error);
};

GQuark         till_tender_error_quark (void);
const char    *till_tender_get_id (TillTender *self);
char          *till_tender_dup_label (TillTender *self); /* translated, for the button */
TillTenderKind till_tender_get_kind (TillTender *self);
void           till_tender_authorize_async (TillTender              *self,
                                            const TillTenderRequest *request,
                                            GCancellable            *cancellable,
                                            GAsyncReadyCallback      callback,
                                            gpointer                 user_data);
TillSalePayment *
till_tender_authorize_finish (TillTender *self, GAsyncResult *result, GError **error);
/* TRUE for a tender that decides at once (it implements authorize: cash,
 * card, stored value, voucher): till_tender_authorize() then answers
 * without a main loop, and it has nothing to release. */
gboolean till_tender_decides_at_once (TillTender *self);
TillSalePayment *
till_tender_authorize (TillTender *self, const TillTenderRequest *request, GError **error);
/* Tenders with nothing to undo (cash, stored value, vouchers: nothing is
 * debited before the sale's transaction) need not implement release. */
void     till_tender_release_async (TillTender            *self,
                                    const TillSalePayment *payment,
                                    GCancellable          *cancellable,
                                    GAsyncReadyCallback    callback,
                                    gpointer               user_data);
gboolean till_tender_release_finish (TillTender *self, GAsyncResult *result, GError **error);

G_END_DECLS
