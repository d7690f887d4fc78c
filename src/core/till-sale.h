/* till-sale.h: a completed sale, and the one transaction that records it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#if !defined(TILL_CORE_INSIDE) && !defined(TILL_CORE_COMPILATION)
#error "Only <till-core.h> can be included directly."
#endif

#include <glib-object.h>

#include "till-money.h"
#include "till-pricing.h"
#include "till-tender.h"
#include "till-types.h"

G_BEGIN_DECLS

#define TILL_SALE_ERROR (till_sale_error_quark ())

typedef enum
{
  TILL_SALE_ERROR_FAILED,
  TILL_SALE_ERROR_EMPTY,        /* nothing to sell */
  TILL_SALE_ERROR_INSUFFICIENT, /* the tenders (or the cash tendered) do not cover the total */
  TILL_SALE_ERROR_NOT_FOUND,
  TILL_SALE_ERROR_STORAGE, /* the database refused the sale: nothing was recorded */
} TillSaleError;

/* One line as recorded: a copy of what the product was at the time of sale. */
typedef struct
{
  int      line_no;
  gint64   product_id;
  char    *sku;
  char    *name;
  char    *unit;
  gint64   quantity;   /* thousandths */
  gint64   unit_price; /* fen, as charged (after a price override) */
  gint64   amount;     /* fen, after both discounts: what the customer paid */
  int      vat_rate;   /* basis points */
  gboolean weighed;
  /* Sale control (issue 5). original_price is the unit price before a price
   * override, -1 when there was none. amount = unit_price × quantity
   * (half-up) − line_discount − sale_discount. */
  gint64 original_price;
  int    discount_bp;   /* line discount in basis points */
  gint64 line_discount; /* fen */
  gint64 sale_discount; /* fen: the line's share of the whole-sale discount */
  /* Promotions (issue 8): amount = unit_price × quantity − line_discount −
   * promotion_discount − sale_discount. promotions (TillPricingShare, never
   * NULL) are the promotions' shares of the line, adding up to
   * promotion_discount; gift_code names the promotion that gave the line
   * (a zero-price 赠品 line), NULL for a line the customer bought. */
  gint64  promotion_discount;
  GArray *promotions;
  char   *gift_code;
} TillSaleLine;

/* What one promotion saved on the sale (table sale_promotion). */
typedef struct
{
  char *code;
  char *name;
  char *kind; /* as till_promotion_kind_to_string writes it; "" if unknown */
  gboolean
      whole_sale; /* of a kind that applies to the whole sale (till_pricing_kind_is_whole_sale) */
  gint64 saving;  /* fen; 0 for a gift, which saves nothing on the lines bought */
  guint  times;
} TillSalePromotion;

#define TILL_TYPE_SALE (till_sale_get_type ())
G_DECLARE_FINAL_TYPE (TillSale, till_sale, TILL, SALE, GObject)

GQuark till_sale_error_quark (void);

/* Records the cart as a sale paid in cash, in ONE transaction: sale, lines, the
 * cash tender with change, stock movements, a signed journal entry, an outbox row
 * for sync, and the removal of the journaled cart. The sale is durable on disk when
 * this returns; only then may the drawer open or the receipt print. On success the
 * cart is empty and has a new sale uuid; on failure nothing was recorded and the
 * cart is unchanged. (till_sale_commit_cash: when other tenders were applied to
 * the cart, the cash pays the rest and all are recorded.)
 *
 * Records the cart as a sale paid by the tenders of @payment (complete:
 * till_payment_is_complete), in ONE transaction as above, plus each tender's
 * own checks and entries: a QR wallet tender only when its attempt is
 * confirmed paid (or deferred under the store's cap), a stored-value debit
 * against the balance, a voucher redeemed once. The cart's applied tenders
 * (cart_tender) are deleted with the journaled cart. */
TillSale *till_sale_commit (
    TillCart *cart, TillPayment *payment, TillJournal *journal, TillUser *cashier, GError **error);
TillSale *till_sale_commit_cash (
    TillCart *cart, TillJournal *journal, TillUser *cashier, gint64 tendered, GError **error);

TillSale *till_sale_load (TillStore *store, const char *uuid, GError **error);
TillSale *till_sale_load_by_receipt (TillStore *store, gint64 receipt_no, GError **error);
TillSale *till_sale_load_last (TillStore *store, GError **error);

const char            *till_sale_get_uuid (TillSale *self);
const char            *till_sale_get_till_id (TillSale *self);
gint64                 till_sale_get_receipt_no (TillSale *self);
char                  *till_sale_format_receipt_no (TillSale *self); /* "T01-00000042" */
GDateTime             *till_sale_get_created (TillSale *self);       /* local time */
const char            *till_sale_get_cashier_code (TillSale *self);
const char            *till_sale_get_cashier_name (TillSale *self);
guint                  till_sale_get_n_lines (TillSale *self);
const TillSaleLine    *till_sale_get_line (TillSale *self, guint index);
gint64                 till_sale_get_subtotal (TillSale *self);
gint64                 till_sale_get_rounding (TillSale *self);
gint64                 till_sale_get_total (TillSale *self);
gint64                 till_sale_get_tendered (TillSale *self);
gint64                 till_sale_get_change (TillSale *self);
gint64                 till_sale_get_item_count (TillSale *self);
gint64                 till_sale_get_journal_seq (TillSale *self);
guint                  till_sale_get_n_payments (TillSale *self);
const TillSalePayment *till_sale_get_payment (TillSale *self, guint index);
/* Hex SHA-256 of the sale's journal entry: what the receipt QR carries so HQ
 * can check a receipt against the chain. */
const char *till_sale_get_journal_hash (TillSale *self);
/* Promotions applied, by saving (largest first), then code; gifts follow. */
guint                    till_sale_get_n_promotions (TillSale *self);
const TillSalePromotion *till_sale_get_promotion (TillSale *self, guint index);
/* Σ promotion_discount of the lines, fen */
gint64 till_sale_get_promotion_saving (TillSale *self);
/* Members (issue 9): the sale's member (NULL: none), the masked phone the
 * receipt prints, the points the sale earned (written in its transaction by
 * the rules of till-loyalty.h, with the member's tier evaluated again) and
 * the member's balance after it. */
const char *till_sale_get_member_id (TillSale *self);
const char *till_sale_get_member_masked (TillSale *self);
gint64      till_sale_get_points_earned (TillSale *self);
gint64      till_sale_get_points_balance (TillSale *self);

/* For exchanges (till-return.c) and the commits above only: inside the
 * caller's transaction, records @cart as a sale paid by @tenders
 * (TillSalePayment, in order; e.g. an "exchange" credit referencing the
 * return, then cash) with @rounding (抹零: total = subtotal + @rounding), each
 * tender's own entry (wallet attempt recorded, stored-value debit, voucher
 * redeemed), and deletes the journaled cart. Checks the cart is not empty,
 * the tenders add up to the total, cash covers its part and only cash has
 * change (TILL_SALE_ERROR_EMPTY / _INSUFFICIENT / _FAILED, or the tender's
 * TILL_TENDER_ERROR). Does not reset the cart: the caller calls
 * _till_cart_reset() once its transaction committed. */
TillSale *_till_sale_record (TillCart    *cart,
                             TillJournal *journal,
                             TillUser    *cashier,
                             GPtrArray   *tenders,
                             gint64       rounding,
                             GError     **error);

/* _till_sale_record() for an exchange: @credit fen of "exchange" (the
 * return @credit_ref) as far as it goes, then @tendered fen of cash for the
 * rest (rounded by the cart's 抹零). */
TillSale *_till_sale_record_exchange (TillCart    *cart,
                                      TillJournal *journal,
                                      TillUser    *cashier,
                                      gint64       credit,
                                      const char  *credit_ref,
                                      gint64       tendered,
                                      GError     **error);

G_END_DECLS
