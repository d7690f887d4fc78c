/* till-payment.h: paying an open cart, tender by tender (mixed payment)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#if !defined(TILL_CORE_INSIDE) && !defined(TILL_CORE_COMPILATION)
#error "Only <till-core.h> can be included directly."
#endif

#include <glib-object.h>

#include "till-tender.h"
#include "till-types.h"

G_BEGIN_DECLS

/* The tenders applied so far to the open cart. Each applied tender is
 * written to SQLite (cart_tender) when it is added, so a till killed in the
 * middle of a mixed payment comes back with the money it already took.
 *
 * Arithmetic (all fen):
 *   exact     = the cart's total before 抹零 (subtotal after discounts)
 *   paid      = sum of the applied tenders' amounts
 *   remaining = exact − paid (never below 0)
 *   cash due  = remaining rounded by the store's 抹零 rule: 抹零 applies only
 *               to what is paid in cash; electronic tenders pay to the fen
 * The payment is complete when remaining is 0 or cash covered the cash due;
 * the sale's rounding is then (cash amount − the remaining it paid), and its
 * total is exact + rounding. Only cash gives change; a voucher's face value
 * above the remaining is forfeited (tendered > amount, change 0); every
 * other tender must not exceed the remaining (TILL_TENDER_ERROR_OVER_LIMIT).
 *
 * Signals: "changed" after every add or remove. */
#define TILL_TYPE_PAYMENT (till_payment_get_type ())
G_DECLARE_FINAL_TYPE (TillPayment, till_payment, TILL, PAYMENT, GObject)

/* The payment of @cart as it stands: the tenders in cart_tender for the
 * cart's sale uuid, plus any QR wallet attempt of this cart confirmed paid
 * but not yet applied (a till killed between the two writes). */
TillPayment *till_payment_new (TillCart *cart, GError **error);
TillCart    *till_payment_get_cart (TillPayment *self);

guint                  till_payment_get_n_tenders (TillPayment *self);
const TillSalePayment *till_payment_get_tender (TillPayment *self, guint index);
gint64                 till_payment_get_exact (TillPayment *self);
gint64                 till_payment_get_paid (TillPayment *self);
gint64                 till_payment_get_remaining (TillPayment *self);
gint64                 till_payment_get_cash_due (TillPayment *self);
gint64                 till_payment_get_rounding (TillPayment *self);
gint64                 till_payment_get_change (TillPayment *self);
gboolean               till_payment_is_complete (TillPayment *self);
/* TRUE when any applied tender moved money before the sale (card, wallet):
 * the cart can't be voided or held until those are released. */
gboolean till_payment_has_captured (TillPayment *self);

/* Applies @payment (from a tender's authorize) after checking it against the
 * remaining, durably. Its line_no is set here. */
gboolean till_payment_add (TillPayment *self, const TillSalePayment *payment, GError **error);
/* Takes an applied tender off, durably; the caller released it first
 * (till_tender_release_async) when it had moved money. */
gboolean till_payment_remove (TillPayment *self, guint index, GError **error);
/* Reloads from SQLite, e.g. after a resumed wallet attempt was confirmed. */
gboolean till_payment_reload (TillPayment *self, GError **error);

/* For the sale commit (till-sale.c) only: inside its transaction, deletes the
 * cart's cart_tender rows. */
gboolean _till_payment_delete_journal (TillPayment *self, GError **error);

G_END_DECLS
