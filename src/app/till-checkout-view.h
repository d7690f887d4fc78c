/* till-checkout-view.h: the sale screen: cart, total, search, keypad, quick keys
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "till-devices.h"
#include "till-member-dialog.h"
#include "till-session.h"
#include "widgets/till-keypad.h"

G_BEGIN_DECLS

/* Actions (group "sale"): scan(s), add-plu(s), add-product(x), search(s),
 * show-category(x), select-line(u), set-quantity(s), delete-line, clear, pay;
 * the checked acts (a reason first, then the core call, then a supervisor's
 * override when refused): void-sale, no-sale, discount-sale(s: percent),
 * discount-sale-amount(s: yuan), override-price(s), discount-line(s),
 * suspend, resume(x), resume-list, act-reason(s: the reason picked); recall
 * (today's receipts); coupon(s: a coupon's code; '' opens the coupon
 * dialog), remove-coupon(s: the code). A scanned code that is no product is
 * tried as a coupon.
 * Members (issue 9): member (opens the member dialog: find or register),
 * attach-member(s: member id), detach-member, top-up (the member's card),
 * member-details (the details dialog: history, full data, coupons, points
 * for gifts); the member's unused coupons show as chips (sale.coupon). A
 * scanned member QR ("OTM1|…") attaches its member; while the member dialog
 * is open every scan goes to it.
 * Signal "pay-requested": the cashier tapped Pay on a cart with lines. */
#define TILL_TYPE_CHECKOUT_VIEW (till_checkout_view_get_type ())
G_DECLARE_FINAL_TYPE (TillCheckoutView, till_checkout_view, TILL, CHECKOUT_VIEW, GtkWidget)

void till_checkout_view_set_session (TillCheckoutView *self, TillSession *session);
/* A code from the keyboard-wedge scanner: removes its digits from the keypad if
 * they landed there, then runs sale.scan. */
void till_checkout_view_take_scan (TillCheckoutView *self, const char *code);
void till_checkout_view_drop_typed_scan (TillCheckoutView *self, const char *code);
void till_checkout_view_focus_keypad (TillCheckoutView *self);
void till_checkout_view_show_message (TillCheckoutView *self, const char *message);
/* Categories and quick keys again from the catalog (master data changed). */
void till_checkout_view_reload_catalog (TillCheckoutView *self);
/* The status line under the cart: the last item added or the last error. */
const char *till_checkout_view_get_status (TillCheckoutView *self, gboolean *out_is_error);
const char *till_checkout_view_get_total_text (TillCheckoutView *self);
/* The selected cart line, or GTK_INVALID_LIST_POSITION. */
guint till_checkout_view_get_selected (TillCheckoutView *self);

/* The scale's weight display and the camera button, when there are such
 * devices (set once, by the window). A weighed item tapped or keyed without a
 * weight then takes the scale's stable weight. */
void     till_checkout_view_set_devices (TillCheckoutView *self, TillDevices *devices);
char    *till_checkout_view_dup_scale_text (TillCheckoutView *self) G_GNUC_WARN_UNUSED_RESULT;
void     till_checkout_view_set_camera_shown (TillCheckoutView *self, gboolean shown);
gboolean till_checkout_view_get_camera_available (TillCheckoutView *self);

/* Promotions (issue 8): prices the open sale with the promotions read again
 * (after a sync pull of the "promotions" channel). */
void till_checkout_view_reload_promotions (TillCheckoutView *self);
/* For tests: what the screen shows of promotions. The totals' row and the
 * hint bar (NULL while hidden); the small lines under a cart line ("" none,
 * NULL when the line is not on screen); the coupon chips, one a line. */
const char *till_checkout_view_get_promotion_saving_text (TillCheckoutView *self);
const char *till_checkout_view_get_hint_text (TillCheckoutView *self);
char       *till_checkout_view_dup_line_promotions_text (TillCheckoutView *self,
                                                         guint position) G_GNUC_WARN_UNUSED_RESULT;
char       *till_checkout_view_dup_coupons_text (TillCheckoutView *self) G_GNUC_WARN_UNUSED_RESULT;
/* The coupon dialog while open (borrowed), its refusal ("" none) and keypad. */
GtkWidget  *till_checkout_view_get_coupon_dialog (TillCheckoutView *self, const char **out_error);
TillKeypad *till_checkout_view_get_coupon_keypad (TillCheckoutView *self);

/* For tests: the keypad, as the cashier types on it. */
TillKeypad *till_checkout_view_get_keypad (TillCheckoutView *self);
/* The supervisor-override dialog while one is open (borrowed), else NULL. */
struct _TillOverrideDialog *till_checkout_view_get_override_dialog (TillCheckoutView *self);
/* The held-sales list (rows are buttons activating sale.resume), shown by
 * sale.resume-list in a popover. */
GtkWidget *till_checkout_view_get_held_list (TillCheckoutView *self);

/* Members (issue 9), for tests: the member dialog while open (borrowed),
 * the member strip's text (NULL without a member: masked phone, name and
 * tier, then points and stored value) and the suggested products' names. */
TillMemberDialog *till_checkout_view_get_member_dialog (TillCheckoutView *self);
char *till_checkout_view_dup_member_text (TillCheckoutView *self) G_GNUC_WARN_UNUSED_RESULT;
GStrv till_checkout_view_dup_suggestion_names (TillCheckoutView *self) G_GNUC_WARN_UNUSED_RESULT;
/* The member's coupon chips ("name code", one a line) and the chip of one. */
char *till_checkout_view_dup_member_coupons_text (TillCheckoutView *self) G_GNUC_WARN_UNUSED_RESULT;
GtkWidget *till_checkout_view_get_member_coupon_chip (TillCheckoutView *self, const char *code);

G_END_DECLS
