/* till-member-dialog.h: a member for the sale (find by phone, card or member
 * QR; register in a few taps), a top-up of a member's stored-value card, and
 * the member's details (history, full data, coupons, points for gifts)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "till-session.h"
#include "widgets/till-keypad.h"

G_BEGIN_DECLS

/* Actions (group "member"): find(s: phone, card or QR; '' the keypad's),
 * show-find, show-register, register (the form's fields), quick-amount(x:
 * fen, onto the keypad), method(s: how a top-up is paid), top-up (the
 * keypad's amount); on the details pages: show-details, show-personal (the
 * full phone, name and birthday: a supervisor's override when the user may
 * not), set-opt-out(b), issue-coupon(s: a coupon promotion's code; '' the
 * drop-down's; managers), show-gift, gift-product(s: PLU or barcode; '' the
 * keypad's), redeem-gift (the points keyed).
 * Signals: "member-chosen" (string: member id): found or registered, the
 * dialog closes; "topped-up" (string: what the cashier is told): the money
 * is on the card, the dialog closes; "member-changed" (string: member id):
 * the details dialog changed the member (points, coupons, opt-out) and stays
 * open. */
#define TILL_TYPE_MEMBER_DIALOG (till_member_dialog_get_type ())
G_DECLARE_FINAL_TYPE (TillMemberDialog, till_member_dialog, TILL, MEMBER_DIALOG, GtkWindow)

/* Finding or registering a member, over @parent. */
TillMemberDialog *till_member_dialog_new_find (GtkWindow   *parent,
                                               TillSession *session) G_GNUC_WARN_UNUSED_RESULT;
/* Topping up @member's stored-value card, over @parent. */
TillMemberDialog *till_member_dialog_new_top_up (
    GtkWindow *parent, TillSession *session, const TillMember *member) G_GNUC_WARN_UNUSED_RESULT;

/* The member's details: tier, points, stored value, history (masked). */
TillMemberDialog *till_member_dialog_new_details (
    GtkWindow *parent, TillSession *session, const TillMember *member) G_GNUC_WARN_UNUSED_RESULT;

/* A code from a scanner while the dialog is open: a phone, card or QR; on
 * the details pages a gift's barcode. */
void till_member_dialog_take_code (TillMemberDialog *self, const char *code);

/* For tests: the page ("find", "register", "top-up", "details", "gift"), the refusal shown
 * ("" none), the keypads and the form's fields, the bonus line. */
const char  *till_member_dialog_get_page (TillMemberDialog *self);
const char  *till_member_dialog_get_error (TillMemberDialog *self);
TillKeypad  *till_member_dialog_get_find_keypad (TillMemberDialog *self);
TillKeypad  *till_member_dialog_get_amount_keypad (TillMemberDialog *self);
GtkEditable *till_member_dialog_get_phone_entry (TillMemberDialog *self);
GtkEditable *till_member_dialog_get_name_entry (TillMemberDialog *self);
GtkEditable *till_member_dialog_get_birthday_entry (TillMemberDialog *self);
GtkSwitch   *till_member_dialog_get_opt_out_switch (TillMemberDialog *self);
const char  *till_member_dialog_get_bonus_text (TillMemberDialog *self);
/* The button that confirms the page (Find, Register, Top up). */
GtkWidget *till_member_dialog_get_confirm_button (TillMemberDialog *self);
/* Details, for tests: the details page's visible texts, one a line; the
 * full data once opened ("" before); the override dialog while a supervisor
 * is asked (borrowed); what went through ("" none); the issue button (NULL
 * when hidden) and its drop-down; the gift page's keypad, points and
 * product line. */
char       *till_member_dialog_dup_details_text (TillMemberDialog *self) G_GNUC_WARN_UNUSED_RESULT;
const char *till_member_dialog_get_personal_text (TillMemberDialog *self);
GtkWidget  *till_member_dialog_get_personal_button (TillMemberDialog *self);
struct _TillOverrideDialog *till_member_dialog_get_override_dialog (TillMemberDialog *self);
const char                 *till_member_dialog_get_notice (TillMemberDialog *self);
GtkWidget                  *till_member_dialog_get_issue_coupon_button (TillMemberDialog *self);
GtkDropDown                *till_member_dialog_get_coupon_dropdown (TillMemberDialog *self);
TillKeypad                 *till_member_dialog_get_gift_keypad (TillMemberDialog *self);
GtkEditable                *till_member_dialog_get_gift_points_entry (TillMemberDialog *self);
const char                 *till_member_dialog_get_gift_product_text (TillMemberDialog *self);

G_END_DECLS
