/* till-payment-view.h: taking the money: every tender the store takes, mixed
 * payment, QR wallet codes, change, next customer
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "till-session.h"

G_BEGIN_DECLS

/* Actions:
 *   pay.cash(x: handed over, fen; less than the cash due is a part payment),
 *   pay.exact (the cash due, in cash), pay.tender(s: tender id: show its
 *   panel), pay.card((xss): amount (0: the keypad's, else all that is left),
 *   terminal reference, card's last 4 digits), pay.find-card(s: stored-value
 *   card: show holder and balance), pay.stored-value((sx): card, amount (0:
 *   the keypad's, else MIN (balance, remaining))), pay.voucher(s: code),
 *   pay.points(x: amount (0: the keypad's, else all the sale's member's
 *   points may pay); the stored-value panel shows the member's own card),
 *   pay.code(s: a customer's payment code, as if scanned), pay.remove(u:
 *   applied tender index; a wallet is reversed, a card asks to void it on the
 *   terminal first), pay.void-card(u: the card was voided: take it off),
 *   pay.cancel-wallet (give up the wallet payment being confirmed: reversed),
 *   pay.defer (offline: take the refused wallet code to confirm later),
 *   pay.cancel (back to the sale; refused while card or wallet money is
 *   applied), sale.new.
 * Signals: "sale-completed" (TillSale): the sale is recorded, print its receipt;
 * "cancelled": back to the sale; "finished": the cashier started a new sale. */
#define TILL_TYPE_PAYMENT_VIEW (till_payment_view_get_type ())
G_DECLARE_FINAL_TYPE (TillPaymentView, till_payment_view, TILL, PAYMENT_VIEW, GtkWidget)

void till_payment_view_set_session (TillPaymentView *self, TillSession *session);
/* Shows the tender page for the cart as it is now. */
void till_payment_view_begin (TillPaymentView *self);
/* A scan while the payment page shows (payment code, stored-value card, voucher). */
void till_payment_view_take_scan (TillPaymentView *self, const char *code);
/* What the receipt printer did, shown under the change. */
void
till_payment_view_set_print_status (TillPaymentView *self, const char *message, gboolean is_error);
/* The completed sale (NULL while tendering). */
TillSale   *till_payment_view_get_sale (TillPaymentView *self);
const char *till_payment_view_get_change_text (TillPaymentView *self);
const char *till_payment_view_get_due_text (TillPaymentView *self);
const char *till_payment_view_get_remaining_text (TillPaymentView *self);
const char *till_payment_view_get_message (TillPaymentView *self);
const char *till_payment_view_get_panel (TillPaymentView *self);
gboolean    till_payment_view_is_busy (TillPaymentView *self);
char       *till_payment_view_dup_waiting_text (TillPaymentView *self);
const char *till_payment_view_get_stored_value_text (TillPaymentView *self);
GPtrArray  *till_payment_view_list_tender_buttons (TillPaymentView *self);
gboolean    till_payment_view_can_defer (TillPaymentView *self);
const char *till_payment_view_get_print_status (TillPaymentView *self);

G_END_DECLS
