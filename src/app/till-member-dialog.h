/* till-member-dialog.h: a member for the sale (find by phone, card or member
 * QR; register in a few taps) and a top-up of a member's stored-value card
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
 * keypad's amount).
 * Signals: "member-chosen" (string: member id): found or registered, the
 * dialog closes; "topped-up" (string: what the cashier is told): the money
 * is on the card, the dialog closes. */
#define TILL_TYPE_MEMBER_DIALOG (till_member_dialog_get_type ())
G_DECLARE_FINAL_TYPE (TillMemberDialog, till_member_dialog, TILL, MEMBER_DIALOG, GtkWindow)

/* Finding or registering a member, over @parent. */
TillMemberDialog *till_member_dialog_new_find (GtkWindow   *parent,
                                               TillSession *session) G_GNUC_WARN_UNUSED_RESULT;
/* Topping up @member's stored-value card, over @parent. */
TillMemberDialog *till_member_dialog_new_top_up (
    GtkWindow *parent, TillSession *session, const TillMember *member) G_GNUC_WARN_UNUSED_RESULT;

/* A code from a scanner while the dialog is open: a phone, card or QR. */
void till_member_dialog_take_code (TillMemberDialog *self, const char *code);

/* For tests: the page ("find", "register", "top-up"), the refusal shown
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

G_END_DECLS
