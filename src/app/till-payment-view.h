/* till-payment-view.h: taking the money: cash tendered, change, next customer
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "till-session.h"

G_BEGIN_DECLS

/* Actions: pay.cash(x: tendered fen), pay.exact, pay.cancel, sale.new.
 * Signals: "sale-completed" (TillSale): the sale is recorded, print its receipt;
 * "cancelled": back to the sale; "finished": the cashier started a new sale. */
#define TILL_TYPE_PAYMENT_VIEW (till_payment_view_get_type ())
G_DECLARE_FINAL_TYPE (TillPaymentView, till_payment_view, TILL, PAYMENT_VIEW, GtkWidget)

void till_payment_view_set_session (TillPaymentView *self, TillSession *session);
/* Shows the tender page for the cart as it is now. */
void till_payment_view_begin (TillPaymentView *self);
/* What the receipt printer did, shown under the change. */
void
till_payment_view_set_print_status (TillPaymentView *self, const char *message, gboolean is_error);
/* The completed sale (NULL while tendering). */
TillSale   *till_payment_view_get_sale (TillPaymentView *self);
const char *till_payment_view_get_change_text (TillPaymentView *self);
const char *till_payment_view_get_due_text (TillPaymentView *self);
const char *till_payment_view_get_message (TillPaymentView *self);

G_END_DECLS
