/* till-customer-window.h: the second screen, facing the customer
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>
#include <till-core.h>

G_BEGIN_DECLS

/* A window for a second monitor turned to the customer: the store's name, the
 * cart as it is built (bound to the TillCart), the total in very large type, the
 * promotions, a payment QR code when one is shown, and after payment what was
 * paid and the change. Between customers it shows a welcome page. It never
 * takes input. */
#define TILL_TYPE_CUSTOMER_WINDOW (till_customer_window_get_type ())
G_DECLARE_FINAL_TYPE (TillCustomerWindow, till_customer_window, TILL, CUSTOMER_WINDOW, AdwWindow)

TillCustomerWindow *till_customer_window_new (TillCart *cart) G_GNUC_WARN_UNUSED_RESULT;
TillCart           *till_customer_window_get_cart (TillCustomerWindow *self);

/* "idle" (welcome), "sale" (the cart) or "paid". The window goes to "sale" by
 * itself when the cart gets a line, and back to "idle" when a cart it shows is
 * emptied; "paid" stays until the next line or till_customer_window_show_idle(). */
const char *till_customer_window_get_page (TillCustomerWindow *self);
/* After payment (the cart is already empty by then, hence the figures). */
void
till_customer_window_show_paid (TillCustomerWindow *self, gint64 total, gint64 paid, gint64 change);
void till_customer_window_show_idle (TillCustomerWindow *self);

/* A payment QR code (e.g. the wallet's code URL) beside the total, drawn with
 * libqrencode; FALSE with @error if the payload cannot be encoded. */
gboolean
     till_customer_window_show_qr (TillCustomerWindow *self, const char *payload, GError **error);
void till_customer_window_hide_qr (TillCustomerWindow *self);
GdkTexture *till_customer_window_get_qr_texture (TillCustomerWindow *self);

/* What the labels show, for tests. */
const char *till_customer_window_get_total_text (TillCustomerWindow *self);
const char *till_customer_window_get_change_text (TillCustomerWindow *self);
const char *till_customer_window_get_store_name (TillCustomerWindow *self);

G_END_DECLS
