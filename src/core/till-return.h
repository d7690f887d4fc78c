/* till-return.h: returns (退货) with and without the receipt, and exchanges
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#if !defined(TILL_CORE_INSIDE) && !defined(TILL_CORE_COMPILATION)
#error "Only <till-core.h> can be included directly."
#endif

#include <glib-object.h>

#include "till-permission.h"
#include "till-tender.h"
#include "till-types.h"

G_BEGIN_DECLS

#define TILL_RETURN_ERROR (till_return_error_quark ())

typedef enum
{
  TILL_RETURN_ERROR_FAILED,
  TILL_RETURN_ERROR_NOT_FOUND,   /* no sale with that receipt number at this till */
  TILL_RETURN_ERROR_OTHER_STORE, /* the receipt was issued by another till or store */
  TILL_RETURN_ERROR_TOO_MANY,    /* more than was sold, less what was returned before */
  TILL_RETURN_ERROR_EMPTY,       /* nothing picked to return */
  TILL_RETURN_ERROR_WRONG_KIND,  /* a receipt act on a no-receipt return or back */
  TILL_RETURN_ERROR_DAY_LIMIT,   /* no-receipt returns beyond the store's daily limits */
  TILL_RETURN_ERROR_STORAGE,     /* the database refused: nothing was recorded */
} TillReturnError;

/* Why goods come back; the reason decides where they go (never renumber:
 * stored by name). */
typedef enum
{
  TILL_RETURN_REASON_CHANGED_MIND, /* "changed-mind", 不想要了: back to stock */
  TILL_RETURN_REASON_WRONG_ITEM,   /* "wrong-item", 买错了: back to stock */
  TILL_RETURN_REASON_DEFECTIVE,    /* "defective", 质量问题: damaged goods */
  TILL_RETURN_REASON_DAMAGED,      /* "damaged", 包装破损: damaged goods */
  TILL_RETURN_REASON_EXPIRED,      /* "expired", 过期: damaged goods */
} TillReturnReason;

#define TILL_N_RETURN_REASONS (TILL_RETURN_REASON_EXPIRED + 1)

typedef enum
{
  TILL_STOCK_LOCATION_STOCK,   /* "stock": saleable */
  TILL_STOCK_LOCATION_DAMAGED, /* "damaged": held apart, not for sale */
} TillStockLocation;

/* One line being returned. For a return with the receipt the figures are the
 * sold line's, unwound in proportion: returning q of Q units refunds the
 * share of the line's paid amount such that, over all the returns of that
 * line, the refunds add up exactly to what was paid (each return refunds
 * round_half_up (amount × returned_so_far / Q) minus what earlier returns
 * refunded). line_discount, promotion_discount and sale_discount are the
 * unwound shares of the line's discounts, by the same rule: a promotion is
 * given back in proportion to the quantity returned (issue 8). A gift line
 * (gift_code) refunds nothing. A member's sale (issue 9): the points it
 * earned are taken back in the same proportion as the amount refunded
 * (till_return_get_points_clawed_back), and a refund of the points tender
 * gives the points back (refund kind "points"). */
typedef struct
{
  int               line_no;      /* 1.. in the return */
  int               sale_line_no; /* the sold line, 0 without a receipt */
  gint64            product_id;
  char             *sku;
  char             *name;
  char             *unit;
  gint64            quantity;   /* thousandths */
  gint64            unit_price; /* fen */
  gint64            amount;     /* fen refunded for the line */
  gint64            line_discount;
  gint64            promotion_discount;
  gint64            sale_discount;
  int               vat_rate;
  gboolean          weighed;
  TillStockLocation location; /* where the goods go, from the reason */
} TillReturnLine;

/* Where a refund tender stands (stored by name: never renumber). */
typedef enum
{
  TILL_REFUND_STATE_DONE,    /* "done": paid out, credited, or nothing more the till can do */
  TILL_REFUND_STATE_PENDING, /* "pending": a QR wallet refund the wallet service has yet to
                                carry out (wallet_refund, till-wallet-service.h) */
  TILL_REFUND_STATE_FAILED,  /* "failed": the provider refused it for good: settle in cash */
} TillRefundState;

const char *till_refund_state_to_string (TillRefundState state);
gboolean    till_refund_state_from_string (const char *text, TillRefundState *out_state);

/* One refund tender.
 *
 * Refunds to the original tenders (setting returns.refund-to = "original",
 * the default). A return's refund total (till_return_get_refund_total) is
 * shared out over the sale's tenders by one rule, cumulative and exact:
 *
 *  - each tender t can take back at most what it paid, a_t (its amount: cash
 *    net of change and 抹零, a voucher's amount without the forfeited rest of
 *    its face value), less what earlier returns of the sale refunded to it;
 *  - the tenders are filled in this order, each up to what it can still take:
 *    stored value, QR wallets, bank cards, exchange credit and cash (one
 *    bucket: both go back as cash from the drawer), vouchers last; several
 *    tenders of a kind in the order they were applied;
 *  - the refunds of one return add up exactly to its refund total, and over
 *    all the returns of a sale the refunds to t never exceed a_t.
 *
 * Earlier refunds count against the tender they went to (matched by method
 * and reference); what went elsewhere (cash under the "cash" rule, exchange
 * credit) counts against the money tenders in the order above, never against
 * a voucher. So a voucher's share is only ever what is left when everything
 * paid in money has been given back: a voucher is not money (代金券不退现).
 * That share is still a refund tender (kind voucher, state done, the voucher
 * code as reference) so that the refunds add up to the refund total the
 * screen showed; the slip says it is not refunded in cash, and
 * till_return_get_money_refund() leaves it out.
 *
 * Per tender kind: cash from the drawer (done); stored value credited to the
 * card in the return's transaction (done, reference = card number); a QR
 * wallet refund recorded pending (wallet_refund, reference = the payment's
 * out_trade_no) for the wallet service to carry out after the commit; a bank
 * card done on the card terminal by the cashier (done, reference = the
 * original terminal reference the terminal asks for, account = card tail).
 *
 * With returns.refund-to = "cash" all money goes back in cash, and a
 * voucher's share is still not paid out. Without a receipt: cash. An
 * exchange credits the refund towards the new sale (kind exchange) and gives
 * any rest back in cash. */
typedef struct
{
  char *method;     /* the tender id: "cash", "exchange" (credit towards the new sale),
                       "card", "wechat", "alipay", "unionpay", "stored-value", "voucher" */
  gint64 amount;    /* fen */
  char  *reference; /* nullable: the exchange sale's uuid, the card terminal's original
                       reference, the stored-value card number, the wallet payment's
                       out_trade_no, the voucher code */
  TillTenderKind  kind;
  char           *account; /* nullable, masked: "**** 1234", "8800****0012", a wallet buyer */
  TillRefundState state;
} TillRefund;

#define TILL_TYPE_RETURN (till_return_get_type ())
G_DECLARE_FINAL_TYPE (TillReturn, till_return, TILL, RETURN, GObject)

GQuark            till_return_error_quark (void);
const char       *till_return_reason_to_string (TillReturnReason reason);
gboolean          till_return_reason_from_string (const char *text, TillReturnReason *out_reason);
const char       *till_return_reason_get_label (TillReturnReason reason); /* translated */
TillStockLocation till_return_reason_get_location (TillReturnReason reason);
const char       *till_stock_location_to_string (TillStockLocation location);

/* The one proportional rule of returns (the comment on TillReturnLine):
 * round_half_up (@total × @part / @whole) − @already, where @part is what has
 * been taken back of @whole so far, this return included, and @already what
 * earlier returns got of @total. The pieces add up to exactly @total once
 * everything is back. Issue 9 unwinds member points with it. */
gint64 till_return_share (gint64 total, gint64 part, gint64 whole, gint64 already);

/* Finding the sale. Each fails with NOT_FOUND for an unknown receipt and
 * OTHER_STORE for a receipt of another till or store. */

/* @till_id and @receipt_no as on the receipt QR; @hash16 (nullable) the
 * QR's 16 hex digits of the sale's journal hash: a receipt with this till's
 * id and number but another hash was issued by another store's till. */
TillSale *till_return_find_sale (
    TillStore *store, const char *till_id, gint64 receipt_no, const char *hash16, GError **error);
/* What a cashier types: "T01-00000042", "00000042" or "42". A malformed text
 * is NOT_FOUND with a message saying what a receipt number looks like. */
TillSale *till_return_find_sale_by_number (TillStore *store, const char *text, GError **error);
/* Sales of business day @day ("2026-11-23") whose total is @total fen (-1:
 * any), newest first, at most 50: TillSale elements. */
GPtrArray *
till_return_search_sales (TillStore *store, const char *day, gint64 total, GError **error);

/* A return being put together, then committed once. */
TillReturn *till_return_new_with_receipt (TillStore *store, TillSale *sale, GError **error);
TillReturn *till_return_new_without_receipt (TillStore *store);

TillSale *till_return_get_sale (TillReturn *self); /* NULL without a receipt */
/* With the receipt, by index of the sale's line (0 .. n_lines-1): */
gint64 till_return_get_sold (TillReturn *self, guint sale_line_index);
gint64 till_return_get_returned_before (TillReturn *self, guint sale_line_index);
gint64 till_return_get_returnable (TillReturn *self, guint sale_line_index);
gint64 till_return_get_quantity (TillReturn *self, guint sale_line_index);
/* Picks @quantity (thousandths; 0 drops the line) of a sold line: TOO_MANY
 * beyond what is returnable, WRONG_KIND without a receipt. A weighed line is
 * returned whole or not at all (FAILED for part of it). */
gboolean
till_return_set_quantity (TillReturn *self, guint sale_line_index, gint64 quantity, GError **error);
/* Picks everything still returnable; EMPTY when nothing is. */
gboolean till_return_pick_all (TillReturn *self, GError **error);

/* Without the receipt: @product at @unit_price fen (-1: its current price).
 * A price other than the current one needs a supervisor at commit
 * (TILL_PERMISSION_PRICE_OVERRIDE on the difference). WRONG_KIND with a
 * receipt. */
gboolean till_return_add_product (
    TillReturn *self, TillProduct *product, gint64 quantity, gint64 unit_price, GError **error);
gboolean till_return_remove_line (TillReturn *self, guint index, GError **error);

void             till_return_set_reason (TillReturn *self, TillReturnReason reason);
TillReturnReason till_return_get_reason (TillReturn *self);

/* The picked lines, in sale-line order (or as added), with their refunds as
 * they would be committed now. */
guint                 till_return_get_n_lines (TillReturn *self);
const TillReturnLine *till_return_get_line (TillReturn *self, guint index);
gint64                till_return_get_subtotal (TillReturn *self); /* sum of line amounts */
/* The share of the sale's 抹零 rounding, so that all the returns of a sale
 * refund exactly its total: cumulative refund = round_half_up (total ×
 * cumulative line amounts / subtotal). 0 without a receipt. */
gint64 till_return_get_rounding (TillReturn *self);
gint64 till_return_get_refund_total (TillReturn *self);
/* Members (issue 9): earned points the return takes back, and redeemed
 * points it gives back (both ≥ 0). */
gint64 till_return_get_points_clawed_back (TillReturn *self);
gint64 till_return_get_points_refunded (TillReturn *self);
/* Where the refund goes under the store's rule (setting returns.refund-to,
 * see TillRefund): the method of the first refund tender, "cash" when there
 * is none. The whole plan is till_return_get_n_refunds/get_refund, which
 * for a draft give the refund tenders as they would be committed now. */
const char *till_return_get_refund_method (TillReturn *self);

/* Records the return in ONE transaction: a return number, the return and its
 * lines, the refund tender(s), stock moves into stock or damaged goods by the
 * reason, a signed "return" journal entry, an outbox row for HQ. Checks, in
 * that transaction: TILL_PERMISSION_RETURN_WITH_RECEIPT or _WITHOUT_RECEIPT
 * with the refund total against the user's max refund; without a receipt
 * also any price other than the current one (PRICE_OVERRIDE) and the
 * store's daily limits (settings returns.no-receipt-daily-count, default 3,
 * and returns.no-receipt-daily-amount in fen, default 20000, per till and
 * business day: DAY_LIMIT). Quantities are checked again against what is
 * returnable now (TOO_MANY), so two tills or two tries never return the
 * same goods twice. @override (nullable) is a supervisor's approval of all
 * of these at once, used only where the user's own rights fall short; the
 * daily limits are the store's rule and no override lifts them. On failure nothing was recorded.
 * After success the object is committed (read-only) and the getters below are valid. */
gboolean till_return_commit (TillReturn         *self,
                             TillJournal        *journal,
                             TillUser           *user,
                             const TillOverride *override,
                             GError            **error);

/* An exchange: this return and @cart's new sale recorded in ONE transaction.
 * The refund is credited towards the sale (refund tender "exchange" and sale
 * payment "exchange", each referencing the other document); the customer
 * pays the rest in cash (@tendered ≥ sale total − refund, else
 * TILL_SALE_ERROR_INSUFFICIENT), or gets the refund beyond the sale total
 * back in cash. Same checks as till_return_commit(). On success the cart is
 * empty with a new sale uuid and the new sale is returned; on failure
 * nothing was recorded and the cart is unchanged. */
TillSale *till_return_commit_exchange (TillReturn         *self,
                                       TillCart           *cart,
                                       TillJournal        *journal,
                                       TillUser           *user,
                                       gint64              tendered,
                                       const TillOverride *override,
                                       GError            **error);

/* A committed return, as recorded. */
TillReturn *till_return_load (TillStore *store, const char *uuid, GError **error);
/* The returns recorded against @sale_uuid, oldest first: TillReturn elements. */
GPtrArray *till_return_list_for_sale (TillStore *store, const char *sale_uuid, GError **error);

gboolean    till_return_is_committed (TillReturn *self);
const char *till_return_get_uuid (TillReturn *self);
gint64      till_return_get_return_no (TillReturn *self);
char       *till_return_format_return_no (TillReturn *self); /* "T01-R00000003" */
GDateTime  *till_return_get_created (TillReturn *self);      /* local time */
const char *till_return_get_till_id (TillReturn *self);
const char *till_return_get_cashier_code (TillReturn *self);
const char *till_return_get_cashier_name (TillReturn *self);
const char *till_return_get_approver_code (TillReturn *self);      /* nullable */
const char *till_return_get_sale_uuid (TillReturn *self);          /* nullable */
const char *till_return_get_exchange_sale_uuid (TillReturn *self); /* nullable */
/* The refund tenders: as recorded, or for a draft as planned now. A wallet
 * refund's state is read from its wallet_refund row, so a return loaded
 * after the wallet service finished shows it done (or failed). */
guint             till_return_get_n_refunds (TillReturn *self);
const TillRefund *till_return_get_refund (TillReturn *self, guint index);
/* The cash the drawer pays out (0 for an all-credit exchange). */
gint64 till_return_get_cash_refund (TillReturn *self);
/* What goes back as money in any form (cash, card, wallet, stored value):
 * the refund total less exchange credit and a voucher's share. */
gint64 till_return_get_money_refund (TillReturn *self);

G_END_DECLS
