/* till-override-dialog.h: a supervisor approves one act on the spot
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>
#include <till-core.h>

G_BEGIN_DECLS

/* Reason codes offered to the cashier (stored in the journal as they are). */
#define TILL_REASON_CUSTOMER_CHANGED_MIND "customer-changed-mind"
#define TILL_REASON_WRONG_ITEM "wrong-item-scanned"
#define TILL_REASON_PRICE_ERROR "price-error"
#define TILL_REASON_DAMAGED "damaged-goods"
#define TILL_REASON_OTHER "other"

/* A modal window: what needs approval, a reason, and the supervisor's code with
 * their PIN (touch keypad) or badge (scanned). Signals: "approved" when the
 * supervisor pressed Approve (read the approval with
 * till_override_dialog_get_override(); the dialog stays open until the caller
 * closes it, so that a refused approval can be shown and tried again) and
 * "cancelled" (the dialog then closes itself).
 * Actions: override.approve, override.cancel, override.set-reason ("s"). */
#define TILL_TYPE_OVERRIDE_DIALOG (till_override_dialog_get_type ())
G_DECLARE_FINAL_TYPE (TillOverrideDialog, till_override_dialog, TILL, OVERRIDE_DIALOG, GtkWindow)

TillOverrideDialog *till_override_dialog_new (GtkWindow  *parent,
                                              const char *title,
                                              const char *message,
                                              const char *default_reason);
/* Fills @out_override with strings owned by the dialog (valid until the next
 * change or its destruction). FALSE (and a message shown) when something is
 * missing. */
gboolean till_override_dialog_get_override (TillOverrideDialog *self, TillOverride *out_override);
const char *till_override_dialog_get_reason (TillOverrideDialog *self);
/* Hides the reason chips: the approval carries @reason, given on the screen
 * that asked for the override. */
void till_override_dialog_set_given_reason (TillOverrideDialog *self, const char *reason);
/* What the keypad would type: the supervisor's code, then the PIN. */
void
till_override_dialog_set_credentials (TillOverrideDialog *self, const char *code, const char *pin);
/* A badge read by a scanner (as a keyboard-wedge scan does). */
void        till_override_dialog_take_badge (TillOverrideDialog *self, const char *badge);
void        till_override_dialog_show_error (TillOverrideDialog *self, const char *message);
const char *till_override_dialog_get_error (TillOverrideDialog *self);

G_END_DECLS
