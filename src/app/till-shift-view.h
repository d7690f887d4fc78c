/* till-shift-view.h: the shift page: opening a shift with a counted float or
 * the float handed over, cash in and out, the X report, the blind close
 * (交班/结班) and the Z report (日结)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "till-cash-count.h"
#include "till-override-dialog.h"
#include "till-printer-monitor.h"
#include "till-session.h"

G_BEGIN_DECLS

/* The page's steps ("open", "other", "count", "variance", "report") and the
 * shift acts. The acts are actions of the window (added by
 * till_shift_view_add_actions), so that the menu, the page's buttons and
 * the tests take the same path; each calls the core once and shows a
 * refusal on the page (or in the cash dialog) as a sentence. A permission
 * refusal opens the override dialog and the act is tried again with the
 * supervisor's approval.
 *   win.shift-open(ax: the pieces of each denomination, largest first)
 *   win.shift-accept-handover       the float the last cashier handed over
 *   win.cash-dialog                 the cash in / out / drop dialog
 *   win.cash-movement((sxs): "in"/"out"/"drop", fen, reason)
 *   win.x-report                    the open shift's X report, shown and printed
 *   win.shift-close(b: handover)    begins the close: the blind count
 *   win.shift-count(ax)             records the blind count
 *   win.shift-finish(s: reason for the variance, "" when none)
 *   win.z-report                    the day's Z report, shown and printed
 *   win.shift-done                  leaves the report: after an X, back to the
 *                                   sale; after a close or a Z, signs out
 * Signals: "present": the page must show; "closed": back to the sale. */
#define TILL_TYPE_SHIFT_VIEW (till_shift_view_get_type ())
G_DECLARE_FINAL_TYPE (TillShiftView, till_shift_view, TILL, SHIFT_VIEW, GtkWidget)

void till_shift_view_set_session (TillShiftView *self, TillSession *session);
void till_shift_view_set_printer_monitor (TillShiftView *self, TillPrinterMonitor *monitor);
void till_shift_view_add_actions (TillShiftView *self, GActionMap *map);
/* After a sign-in: TRUE when the signed-in user's own shift is open (they
 * go to the sale); otherwise FALSE with the page at its step: open a shift,
 * another cashier's shift, or a close to resume. */
gboolean till_shift_view_route (TillShiftView *self);

/* For tests: what the page shows. */
const char *till_shift_view_get_page (TillShiftView *self);
const char *till_shift_view_get_message (TillShiftView *self, gboolean *out_is_error);
/* The handover banner ("" when hidden) and whether the Z button shows. */
const char      *till_shift_view_get_banner_text (TillShiftView *self);
gboolean         till_shift_view_get_z_offered (TillShiftView *self);
const char      *till_shift_view_get_other_text (TillShiftView *self);
TillCashCounter *till_shift_view_get_open_counter (TillShiftView *self);
TillCashCounter *till_shift_view_get_close_counter (TillShiftView *self);
/* The variance step: "expected\ncounted\nvariance" as shown ("" before). */
char    *till_shift_view_dup_variance_text (TillShiftView *self) G_GNUC_WARN_UNUSED_RESULT;
gboolean till_shift_view_get_reason_shown (TillShiftView *self);
/* The report on screen (NULL when none), and its text: a line "# title"
 * per card, then a line "label\tcount\tvalue" per row (count empty where
 * the row has none), as shown. */
const TillShiftReport *till_shift_view_get_report (TillShiftView *self);
char *till_shift_view_dup_report_text (TillShiftView *self) G_GNUC_WARN_UNUSED_RESULT;
/* What the report page says about printing. */
const char         *till_shift_view_get_print_status (TillShiftView *self);
TillOverrideDialog *till_shift_view_get_override_dialog (TillShiftView *self);
GtkWindow          *till_shift_view_get_cash_dialog (TillShiftView *self);
const char         *till_shift_view_get_cash_dialog_error (TillShiftView *self);

G_END_DECLS
