/* till-shift-view.c: the shift page: opening a shift with a counted float or
 * the float handed over, cash in and out, the X report, the blind close
 * (交班/结班) and the Z report (日结)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "till-app"

#include "config.h"

#include <inttypes.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "till-shift-view.h"
#include "till-ui-util.h"
#include "widgets/till-keypad.h"

/* The acts that may need a supervisor: tried as the cashier, then again
 * with the override dialog's approval. */
typedef enum
{
  ACT_CASH_MOVEMENT,
  ACT_X_REPORT,
  ACT_BEGIN_CLOSE,
  ACT_FINISH_CLOSE,
  ACT_Z_REPORT,
} ActKind;

typedef struct
{
  ActKind              kind;
  TillCashMovementKind movement;
  gint64               amount;
  char                *reason;
  gboolean             handover;
} ShiftAct;

/* What the cash dialog offers as reasons, by movement kind. */
static const char *const cash_in_reasons[] = { N_ ("Change from the bank"), N_ ("Float top-up"),
                                               N_ ("Other") };
static const char *const cash_out_reasons[] = { N_ ("Paid to a supplier"), N_ ("Petty cash"),
                                                N_ ("Other") };
static const char *const cash_drop_reasons[] = { N_ ("To the safe"), N_ ("Too many large notes"),
                                                 N_ ("Other") };
static const char *const variance_reasons[] = { N_ ("Counting error"), N_ ("Wrong change given"),
                                                N_ ("Payout not recorded"), N_ ("Other") };

typedef struct
{
  GtkWidget  *window;
  GtkWidget  *kind_buttons[TILL_CASH_MOVEMENT_DROP + 1];
  GtkWidget  *reason_chips;
  GtkWidget  *reason_entry;
  GtkWidget  *error_label;
  TillKeypad *keypad;
} CashDialog;

struct _TillShiftView
{
  GtkWidget parent_instance;

  /* template children */
  GtkWidget       *top_box;
  GtkWidget       *message_label;
  GtkWidget       *mode_stack;
  GtkWidget       *handover_box;
  GtkWidget       *handover_label;
  GtkWidget       *accept_button;
  TillCashCounter *open_counter;
  GtkWidget       *z_button;
  GtkWidget       *other_label;
  GtkWidget       *count_title;
  TillCashCounter *close_counter;
  GtkWidget       *variance_caption;
  GtkWidget       *expected_label;
  GtkWidget       *counted_label;
  GtkWidget       *variance_label;
  GtkWidget       *variance_note;
  GtkWidget       *reason_box;
  GtkWidget       *reason_chips;
  GtkWidget       *reason_entry;
  GtkWidget       *handover_check;
  GtkWidget       *finish_button;
  GtkWidget       *report_title;
  GtkWidget       *report_subtitle;
  GtkWidget       *report_box;
  GtkWidget       *print_label;

  TillSession        *session;
  TillPrinterMonitor *monitor;
  TillOverrideDialog *override_dialog;
  ShiftAct           *pending; /* the act the override dialog is for */
  CashDialog          cash;
  char               *message;
  gboolean            message_is_error;
  char               *closing_uuid; /* the shift whose close is under way */
  gboolean            handover;     /* the close hands the cash over */
  TillShiftReport    *report;       /* the one on the report page */
  GString            *report_text;
  gint64              report_job; /* its print job while it waits, else 0 */
};

G_DEFINE_FINAL_TYPE (TillShiftView, till_shift_view, GTK_TYPE_WIDGET)

enum
{
  SIGNAL_PRESENT,
  SIGNAL_CLOSED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
shift_act_free (ShiftAct *act)
{
  if (act == NULL)
    return;
  g_free (act->reason);
  g_free (act);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ShiftAct, shift_act_free)

static TillStore *
get_store (TillShiftView *self)
{
  return till_session_get_store (self->session);
}

static TillUser *
get_user (TillShiftView *self)
{
  return self->session != NULL ? till_session_get_user (self->session) : NULL;
}

static gboolean
user_may (TillShiftView *self, TillPermission permission)
{
  TillUser *user = get_user (self);

  return user != NULL &&
         till_permission_role_has (get_store (self), till_user_get_role (user), permission);
}

static char *
format_time (gint64 us)
{
  g_autoptr (GDateTime) time =
      us > 0 ? g_date_time_new_from_unix_local (us / G_USEC_PER_SEC) : NULL;

  return time != NULL ? g_date_time_format (time, "%Y-%m-%d %H:%M") : g_strdup ("—");
}

/* "Over by ￥5.00", "Short by ￥6.00" or "Even", with the colour's class. */
static char *
format_variance (gint64 variance, const char **out_class)
{
  g_autofree char *amount = till_ui_format_money (ABS (variance));

  if (variance > 0)
    {
      *out_class = "shift-over";
      return g_strdup_printf (_ ("Over by %s"), amount);
    }
  if (variance < 0)
    {
      *out_class = "shift-short";
      return g_strdup_printf (_ ("Short by %s"), amount);
    }
  *out_class = "shift-even";
  return g_strdup (_ ("Even"));
}

static void
set_figure_class (GtkWidget *label, const char *css_class)
{
  const char *const all[] = { "shift-over", "shift-short", "shift-even" };

  for (guint i = 0; i < G_N_ELEMENTS (all); i++)
    gtk_widget_remove_css_class (label, all[i]);
  if (css_class != NULL)
    gtk_widget_add_css_class (label, css_class);
}

static void
set_message (TillShiftView *self, const char *message, gboolean is_error)
{
  g_free (self->message);
  self->message = g_strdup (message != NULL ? message : "");
  self->message_is_error = is_error;
  gtk_label_set_text (GTK_LABEL (self->message_label), self->message);
  gtk_widget_set_visible (self->message_label, *self->message != '\0');
  gtk_widget_remove_css_class (self->message_label, "status-error");
  gtk_widget_remove_css_class (self->message_label, "status-info");
  gtk_widget_add_css_class (self->message_label, is_error ? "status-error" : "status-info");
}

/* A refusal: on the page when it shows, else (an act from the sale
 * screen's menu) as a toast over the sale; kept for the tests either way. */
static void
show_error (TillShiftView *self, const char *message)
{
  set_message (self, message, TRUE);
  if (!gtk_widget_get_mapped (GTK_WIDGET (self)))
    till_ui_toast (GTK_WIDGET (self), message);
}

static void
show_mode (TillShiftView *self, const char *mode)
{
  gtk_stack_set_visible_child_name (GTK_STACK (self->mode_stack), mode);
  g_signal_emit (self, signals[SIGNAL_PRESENT], 0);
}

/* ---- The steps ----------------------------------------------------------- */

static void
show_open_step (TillShiftView *self)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *handed_by = NULL;
  gint64           handed = 0;
  gboolean         pending;

  till_cash_counter_clear (self->open_counter);
  pending = till_shift_get_pending_handover (get_store (self), &handed, &handed_by, &error);
  if (error != NULL)
    set_message (self, error->message, TRUE);
  gtk_widget_set_visible (self->handover_box, pending);
  if (pending)
    {
      g_autofree char *amount = till_ui_format_money (handed);
      g_autofree char *banner = g_strdup_printf (_ ("Handed over by %1$s: %2$s"),
                                                 handed_by != NULL ? handed_by : "?", amount);
      g_autofree char *accept = g_strdup_printf (_ ("Accept %s"), amount);

      gtk_label_set_text (GTK_LABEL (self->handover_label), banner);
      gtk_button_set_label (GTK_BUTTON (self->accept_button), accept);
    }
  /* The Z needs every shift closed: this is where a supervisor ends the day. */
  gtk_widget_set_visible (self->z_button, user_may (self, TILL_PERMISSION_Z_REPORT));
  show_mode (self, "open");
}

static void
show_other_step (TillShiftView *self, TillShift *shift)
{
  g_autofree char *since = format_time (till_shift_get_opened_us (shift));
  g_autofree char *text = g_strdup_printf (_ ("%1$s’s shift is open on this till (since %2$s)."),
                                           till_shift_get_user_name (shift), since);

  gtk_label_set_text (GTK_LABEL (self->other_label), text);
  show_mode (self, "other");
}

static void
update_finish_button (TillShiftView *self)
{
  gtk_button_set_label (GTK_BUTTON (self->finish_button),
                        self->handover ? _ ("Hand over") : _ ("Close shift"));
}

static void
show_variance_step (TillShiftView *self, TillShift *shift)
{
  gint64           variance = till_shift_get_variance (shift);
  gboolean         needs_approval = till_shift_variance_needs_approval (get_store (self), shift);
  const char      *css_class = NULL;
  g_autofree char *expected = till_ui_format_money (till_shift_get_expected (shift));
  g_autofree char *counted = till_ui_format_money (till_shift_get_counted (shift));
  g_autofree char *difference = format_variance (variance, &css_class);
  const char      *note;

  gtk_label_set_text (GTK_LABEL (self->expected_label), expected);
  gtk_label_set_text (GTK_LABEL (self->counted_label), counted);
  gtk_label_set_text (GTK_LABEL (self->variance_label), difference);
  gtk_label_set_text (GTK_LABEL (self->variance_caption), _ ("Variance"));
  set_figure_class (self->variance_label, css_class);
  if (!needs_approval)
    note = variance == 0 ? _ ("The drawer holds what the till expects.")
                         : _ ("The difference is within the store’s limit.");
  else if (user_may (self, TILL_PERMISSION_ACCEPT_VARIANCE))
    note = _ ("The difference is above the store’s limit: say why, then accept it.");
  else
    note = _ ("The difference is above the store’s limit: say why; a supervisor accepts it.");
  gtk_label_set_text (GTK_LABEL (self->variance_note), note);
  gtk_widget_set_visible (self->reason_box, needs_approval);
  gtk_editable_set_text (GTK_EDITABLE (self->reason_entry), "");
  gtk_check_button_set_active (GTK_CHECK_BUTTON (self->handover_check), self->handover);
  update_finish_button (self);
  show_mode (self, "variance");
}

/* A close under way, at the step it stopped: the count, then the variance. */
static void
show_close_step (TillShiftView *self, TillShift *shift)
{
  g_free (self->closing_uuid);
  self->closing_uuid = g_strdup (till_shift_get_uuid (shift));
  if (till_shift_get_counted (shift) < 0)
    {
      g_autofree char *title = g_strdup_printf (_ ("Close %s’s shift: count the drawer"),
                                                till_shift_get_user_name (shift));

      gtk_label_set_text (GTK_LABEL (self->count_title), title);
      till_cash_counter_clear (self->close_counter);
      show_mode (self, "count");
      return;
    }
  show_variance_step (self, shift);
}

gboolean
till_shift_view_route (TillShiftView *self)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TillShift) shift = NULL;
  TillUser *user;

  g_return_val_if_fail (TILL_IS_SHIFT_VIEW (self), TRUE);

  user = get_user (self);
  if (user == NULL)
    return FALSE;
  set_message (self, NULL, FALSE);
  shift = till_shift_get_current (get_store (self), &error);
  if (error != NULL)
    {
      show_open_step (self);
      set_message (self, error->message, TRUE);
      return FALSE;
    }
  if (shift == NULL)
    {
      show_open_step (self);
      return FALSE;
    }
  if (till_shift_get_state (shift) == TILL_SHIFT_STATE_CLOSING)
    {
      show_close_step (self, shift);
      return FALSE;
    }
  if (g_strcmp0 (till_shift_get_user_code (shift), till_user_get_code (user)) == 0)
    return TRUE;
  show_other_step (self, shift);
  return FALSE;
}

/* ---- Reports on screen and on paper -------------------------------------- */

static void
report_add_cell (GtkWidget *grid, const char *text, int column, int row, const char *css_class)
{
  GtkWidget *label = gtk_label_new (text);

  gtk_label_set_xalign (GTK_LABEL (label), column == 0 ? 0 : 1);
  gtk_label_set_wrap (GTK_LABEL (label), column == 0);
  gtk_widget_set_hexpand (label, column == 0);
  gtk_widget_add_css_class (label, column == 0 ? "report-label" : "report-value");
  if (column > 0)
    gtk_widget_add_css_class (label, "numeric");
  if (css_class != NULL)
    gtk_widget_add_css_class (label, css_class);
  gtk_grid_attach (GTK_GRID (grid), label, column, row, 1, 1);
}

/* One row: the label, a count (NULL: none) and an amount or text. */
static void
report_row (TillShiftView *self,
            GtkWidget     *grid,
            const char    *label,
            const char    *count,
            const char    *value,
            const char    *css_class)
{
  int row = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (grid), "rows"));

  /* Over and short colour the figure; a strong row is strong throughout. */
  report_add_cell (grid, label, 0, row,
                   g_strcmp0 (css_class, "report-strong") == 0 ? css_class : NULL);
  if (count != NULL)
    report_add_cell (grid, count, 1, row, "report-count");
  report_add_cell (grid, value, 2, row, css_class);
  g_object_set_data (G_OBJECT (grid), "rows", GINT_TO_POINTER (row + 1));
  g_string_append_printf (self->report_text, "%s\t%s\t%s\n", label, count != NULL ? count : "",
                          value);
}

static void
report_money_row (TillShiftView *self, GtkWidget *grid, const char *label, gint64 amount)
{
  g_autofree char *value = till_ui_format_money (amount);

  report_row (self, grid, label, NULL, value, NULL);
}

static void
report_tally_row (TillShiftView *self, GtkWidget *grid, const char *label, const TillTally *tally)
{
  g_autofree char *count = g_strdup_printf ("%" PRId64, tally->count);
  g_autofree char *value = till_ui_format_money (tally->amount);

  report_row (self, grid, label, count, value, NULL);
}

static GtkWidget *
report_card (TillShiftView *self, const char *title)
{
  GtkWidget *card = gtk_box_new (GTK_ORIENTATION_VERTICAL, 8);
  GtkWidget *heading = gtk_label_new (title);
  GtkWidget *grid = gtk_grid_new ();

  gtk_widget_add_css_class (card, "report-card");
  gtk_label_set_xalign (GTK_LABEL (heading), 0);
  gtk_widget_add_css_class (heading, "section-title");
  gtk_grid_set_row_spacing (GTK_GRID (grid), 4);
  gtk_grid_set_column_spacing (GTK_GRID (grid), 16);
  gtk_box_append (GTK_BOX (card), heading);
  gtk_box_append (GTK_BOX (card), grid);
  gtk_box_append (GTK_BOX (self->report_box), card);
  g_string_append_printf (self->report_text, "# %s\n", title);
  return grid;
}

static char *
tender_label (TillShiftView *self, const char *method)
{
  TillTender *tender =
      till_tender_registry_lookup (till_session_get_tenders (self->session), method);

  return tender != NULL ? till_tender_dup_label (tender) : g_strdup (method);
}

static void
report_fill_who (TillShiftView *self, const TillShiftReport *report)
{
  GtkWidget *grid =
      report_card (self, report->kind == TILL_SHIFT_REPORT_Z ? _ ("Business day") : _ ("Shift"));
  g_autofree char *opened = format_time (report->opened_us);
  g_autofree char *closed = format_time (report->closed_us);

  if (report->kind == TILL_SHIFT_REPORT_Z)
    {
      g_autofree char *z_no = g_strdup_printf ("%" PRId64, report->z_no);

      report_row (self, grid, _ ("Z number"), NULL, z_no, "report-strong");
    }
  else
    {
      g_autofree char *who =
          g_strdup_printf ("%s (%s)", report->user_name != NULL ? report->user_name : "",
                           report->user_code != NULL ? report->user_code : "");

      report_row (self, grid, _ ("Cashier"), NULL, who, NULL);
    }
  report_row (self, grid, report->kind == TILL_SHIFT_REPORT_Z ? _ ("Day opened") : _ ("Opened"),
              NULL, opened, NULL);
  if (report->kind != TILL_SHIFT_REPORT_X)
    report_row (self, grid, report->kind == TILL_SHIFT_REPORT_Z ? _ ("Day closed") : _ ("Closed"),
                NULL, closed, NULL);
  if (report->kind == TILL_SHIFT_REPORT_Z)
    {
      for (guint i = 0; i < report->shifts->len; i++)
        {
          const TillShiftSummary *summary = g_ptr_array_index (report->shifts, i);
          const char             *css_class = NULL;
          g_autofree char        *sales = till_ui_format_money (summary->sales_total);
          g_autofree char        *variance = format_variance (summary->variance, &css_class);
          g_autofree char        *value = g_strdup_printf ("%s · %s", sales, variance);

          report_row (self, grid, summary->user_name != NULL ? summary->user_name : "", NULL, value,
                      css_class);
        }
      report_money_row (self, grid, _ ("Sales outside a shift"), report->outside_sales.amount);
      report_money_row (self, grid, _ ("Grand total (never reset)"), report->grand_total);
      report_money_row (self, grid, _ ("Grand total of sales"), report->grand_sales);
      report_money_row (self, grid, _ ("Grand total of refunds"), report->grand_returns);
      return;
    }
  report_money_row (self, grid, _ ("Opening float"), report->opening_float);
  if (report->handed_over >= 0)
    report_money_row (self, grid, _ ("Float as handed over"), report->handed_over);
}

static void
report_fill_sales (TillShiftView *self, const TillShiftTotals *totals)
{
  GtkWidget       *grid = report_card (self, _ ("Sales"));
  g_autofree char *no_sales = g_strdup_printf ("%" PRId64, totals->no_sales.count);
  g_autofree char *opens = g_strdup_printf ("%" PRId64, totals->drawer_opens.count);

  report_tally_row (self, grid, _ ("Sales"), &totals->sales);
  report_tally_row (self, grid, _ ("Gross, before discounts"), &totals->gross);
  report_tally_row (self, grid, _ ("Discounts"), &totals->discounts);
  report_tally_row (self, grid, _ ("Promotions"), &totals->promotions);
  report_tally_row (self, grid, _ ("Rounding"), &totals->rounding);
  report_tally_row (self, grid, _ ("Returns"), &totals->returns);
  report_tally_row (self, grid, _ ("Voided lines"), &totals->voided_lines);
  report_tally_row (self, grid, _ ("Voided sales"), &totals->voided_sales);
  report_tally_row (self, grid, _ ("Stored-value top-ups"), &totals->top_ups);
  report_row (self, grid, _ ("No-sales"), no_sales, "", NULL);
  report_row (self, grid, _ ("Drawer openings"), opens, "", NULL);
}

static void
report_fill_cash (TillShiftView *self, const TillShiftReport *report)
{
  const TillShiftTotals *totals = &report->totals;
  GtkWidget             *grid = report_card (self, _ ("Tenders and cash"));

  for (guint i = 0; i < totals->tenders->len; i++)
    {
      const TillTenderTally *tender = g_ptr_array_index (totals->tenders, i);
      g_autofree char       *label = tender_label (self, tender->method);

      report_tally_row (self, grid, label, &tender->taken);
      if (tender->refunded.count > 0)
        {
          g_autofree char *refunded = g_strdup_printf (_ ("%s refunded"), label);

          report_tally_row (self, grid, refunded, &tender->refunded);
        }
      if (tender->top_ups.count > 0)
        {
          g_autofree char *top_ups = g_strdup_printf (_ ("%s top-ups"), label);

          report_tally_row (self, grid, top_ups, &tender->top_ups);
        }
    }
  report_tally_row (self, grid, _ ("Cash in"), &totals->cash_in);
  report_tally_row (self, grid, _ ("Cash out"), &totals->cash_out);
  report_tally_row (self, grid, _ ("Cash drops"), &totals->cash_drops);
  if (report->kind == TILL_SHIFT_REPORT_X)
    {
      g_autofree char *expected = till_ui_format_money (
          till_shift_totals_get_expected_cash (totals, report->opening_float));

      report_row (self, grid, _ ("Expected cash"), NULL, expected, "report-strong");
    }
  else if (report->kind == TILL_SHIFT_REPORT_CLOSE)
    {
      const char      *css_class = NULL;
      g_autofree char *variance = format_variance (report->variance, &css_class);

      report_money_row (self, grid, _ ("Expected cash"), report->expected);
      report_money_row (self, grid, _ ("Counted cash"), report->counted);
      report_row (self, grid, _ ("Variance"), NULL, variance, css_class);
      if (report->variance_reason != NULL)
        report_row (self, grid, _ ("Reason"), NULL, report->variance_reason, NULL);
      if (report->approved_by != NULL)
        report_row (self, grid, _ ("Accepted by"), NULL, report->approved_by, NULL);
    }
}

static void
clear_report (TillShiftView *self)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (self->report_box)) != NULL)
    gtk_box_remove (GTK_BOX (self->report_box), child);
  g_string_truncate (self->report_text, 0);
  g_clear_pointer (&self->report, till_shift_report_free);
  self->report_job = 0;
}

static void
set_print_status (TillShiftView *self, const char *text, gboolean trouble)
{
  gtk_label_set_text (GTK_LABEL (self->print_label), text);
  if (trouble)
    gtk_widget_add_css_class (self->print_label, "shift-print-trouble");
  else
    gtk_widget_remove_css_class (self->print_label, "shift-print-trouble");
}

/* The report goes to the printer; the screen says how that went, and the
 * cashier carries on whatever the paper does. */
static void
print_report (TillShiftView *self)
{
  g_autoptr (GError) error = NULL;

  if (self->monitor == NULL)
    {
      set_print_status (self, _ ("No printer: the report is on screen only."), FALSE);
      return;
    }
  if (!till_printer_monitor_queue_report (self->monitor, self->report, FALSE, &self->report_job,
                                          &error))
    {
      g_autofree char *text =
          g_strdup_printf (_ ("The report was not printed: %s"), error->message);

      g_warning ("%s", text);
      set_print_status (self, text, !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND));
      return;
    }
  set_print_status (self, _ ("Printing the report…"), FALSE);
  if (till_printer_monitor_get_state (self->monitor) == TILL_PRINTER_STATE_TROUBLE &&
      self->report_job != 0)
    {
      g_autofree char *text = g_strdup_printf (_ ("The report waits for the printer: %s"),
                                               till_printer_monitor_get_message (self->monitor));

      set_print_status (self, text, TRUE);
    }
}

static void
show_report (TillShiftView *self, TillShiftReport *report)
{
  const char      *title = NULL;
  g_autofree char *taken = NULL;
  g_autofree char *subtitle = NULL;

  clear_report (self);
  self->report = report;
  switch (report->kind)
    {
    case TILL_SHIFT_REPORT_X:
      title = _ ("X report");
      break;
    case TILL_SHIFT_REPORT_CLOSE:
      title = report->handover ? _ ("Shift handed over") : _ ("Shift closed");
      break;
    case TILL_SHIFT_REPORT_Z:
      title = _ ("Z report: end of day");
      break;
    default:
      g_assert_not_reached ();
    }
  taken = format_time (report->created_us);
  subtitle = g_strdup_printf (_ ("Till %1$s · taken %2$s"),
                              report->till_id != NULL ? report->till_id : "", taken);
  gtk_label_set_text (GTK_LABEL (self->report_title), title);
  gtk_label_set_text (GTK_LABEL (self->report_subtitle), subtitle);
  report_fill_who (self, report);
  report_fill_sales (self, &report->totals);
  report_fill_cash (self, report);
  set_message (self, NULL, FALSE);
  show_mode (self, "report");
  print_report (self);
}

static void
printer_job_done_cb (TillShiftView *self, gint64 job_id)
{
  if (job_id == 0 || job_id != self->report_job)
    return;
  self->report_job = 0;
  set_print_status (self, _ ("Report printed."), FALSE);
}

static void
printer_state_cb (TillShiftView *self)
{
  g_autofree char *text = NULL;

  if (self->report_job == 0 ||
      till_printer_monitor_get_state (self->monitor) != TILL_PRINTER_STATE_TROUBLE)
    return;
  text = g_strdup_printf (_ ("The report waits for the printer: %s"),
                          till_printer_monitor_get_message (self->monitor));
  set_print_status (self, text, TRUE);
}

/* ---- Acts, with a supervisor when the core asks for one ------------------ */

static void cash_dialog_close (TillShiftView *self);

/* The core recorded the drawer's opening with the act (a float counted in,
 * the close's count, a cash movement): only the pulse is left to send. */
static void
pulse_drawer (TillShiftView *self)
{
  g_autoptr (GError) error = NULL;

  if (self->monitor != NULL &&
      !till_printer_monitor_queue_drawer_pulse (self->monitor, NULL, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
    {
      g_autofree char *warning =
          g_strdup_printf (_ ("The drawer did not open: %s"), error->message);

      g_warning ("%s", warning);
      till_ui_toast (GTK_WIDGET (self), warning);
    }
}

static void
cash_moved (TillShiftView *self, const ShiftAct *act)
{
  g_autofree char *amount = till_ui_format_money (act->amount);
  g_autofree char *text = g_strdup_printf (
      _ ("%1$s of %2$s recorded."), till_cash_movement_kind_get_label (act->movement), amount);

  cash_dialog_close (self);
  set_message (self, text, FALSE);
  till_ui_toast (GTK_WIDGET (self), text);
  pulse_drawer (self);
}

static void
close_finished (TillShiftView *self)
{
  g_autoptr (GError) error = NULL;
  TillShiftReport *report = till_shift_close_report (get_store (self), self->closing_uuid, &error);

  g_clear_pointer (&self->closing_uuid, g_free);
  if (report == NULL)
    {
      /* The shift is closed all the same: say so, and let the cashier go. */
      g_autofree char *text = g_strdup_printf (
          _ ("The shift is closed, but its report cannot be shown: %s"), error->message);

      clear_report (self);
      gtk_label_set_text (GTK_LABEL (self->report_title), _ ("Shift closed"));
      set_print_status (self, "", FALSE);
      show_mode (self, "report");
      set_message (self, text, TRUE);
      return;
    }
  show_report (self, report);
}

static void
close_began (TillShiftView *self, gboolean handover)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TillShift) shift = till_shift_get_current (get_store (self), &error);

  self->handover = handover;
  if (shift == NULL)
    {
      show_error (self, error != NULL ? error->message : _ ("No shift is open on this till."));
      return;
    }
  set_message (self, NULL, FALSE);
  show_close_step (self, shift);
}

/* The one core call behind each act; @override NULL on the first try. On
 * success the page moves on. */
static gboolean
act_run (TillShiftView *self, const ShiftAct *act, const TillOverride *override, GError **error)
{
  TillStore   *store = get_store (self);
  TillJournal *journal = till_session_get_journal (self->session);
  TillUser    *user = get_user (self);

  switch (act->kind)
    {
    case ACT_CASH_MOVEMENT:
      {
        g_autofree char *uuid = till_shift_move_cash (store, journal, user, act->movement,
                                                      act->amount, act->reason, override, error);
        if (uuid == NULL)
          return FALSE;
        cash_moved (self, act);
        return TRUE;
      }
    case ACT_X_REPORT:
      {
        TillShiftReport *report = till_shift_x_report (store, journal, user, override, error);

        if (report == NULL)
          return FALSE;
        show_report (self, report);
        return TRUE;
      }
    case ACT_BEGIN_CLOSE:
      if (!till_shift_begin_close (store, journal, user, override, error))
        return FALSE;
      close_began (self, act->handover);
      return TRUE;
    case ACT_FINISH_CLOSE:
      if (!till_shift_finish_close (store, journal, user, act->handover, act->reason, override,
                                    error))
        return FALSE;
      close_finished (self);
      return TRUE;
    case ACT_Z_REPORT:
      {
        TillShiftReport *report = till_shift_z_report (store, journal, user, override, error);

        if (report == NULL)
          return FALSE;
        show_report (self, report);
        return TRUE;
      }
    default:
      g_assert_not_reached ();
    }
}

static TillPermission
act_permission (ActKind kind)
{
  switch (kind)
    {
    case ACT_CASH_MOVEMENT:
      return TILL_PERMISSION_CASH_MOVEMENT;
    case ACT_X_REPORT:
    case ACT_BEGIN_CLOSE:
      return TILL_PERMISSION_MANAGE_SHIFTS;
    case ACT_FINISH_CLOSE:
      return TILL_PERMISSION_ACCEPT_VARIANCE;
    case ACT_Z_REPORT:
      return TILL_PERMISSION_Z_REPORT;
    default:
      g_assert_not_reached ();
    }
}

/* A refusal of @act: in the cash dialog while it is open, else on the page. */
static void
act_refused (TillShiftView *self, const ShiftAct *act, const char *message)
{
  if (act->kind == ACT_CASH_MOVEMENT && self->cash.window != NULL)
    {
      gtk_label_set_text (GTK_LABEL (self->cash.error_label), message);
      gtk_widget_set_visible (self->cash.error_label, TRUE);
      set_message (self, message, TRUE);
      return;
    }
  show_error (self, message);
}

static void
override_destroyed_cb (TillShiftView *self)
{
  self->override_dialog = NULL;
  g_clear_pointer (&self->pending, shift_act_free);
}

static void
override_cancelled_cb (TillShiftView *self)
{
  set_message (self, _ ("Cancelled: nothing was changed."), FALSE);
}

/* The supervisor approved: the same core call again, with the approval. */
static void
override_approved_cb (TillShiftView *self, TillOverrideDialog *dialog)
{
  g_autoptr (GError) error = NULL;
  /* The act may close the cash dialog, and with it this one (its transient
   * child): keep both alive until the end. */
  g_autoptr (TillOverrideDialog) keep = g_object_ref (dialog);
  g_autoptr (ShiftAct) act = g_steal_pointer (&self->pending);
  TillOverride override;

  if (act == NULL || !till_override_dialog_get_override (dialog, &override))
    {
      self->pending = g_steal_pointer (&act);
      return;
    }
  if (!act_run (self, act, &override, &error))
    {
      /* A wrong PIN, or a supervisor who may not approve this either: again. */
      if (g_error_matches (error, TILL_PERMISSION_ERROR, TILL_PERMISSION_ERROR_OVERRIDE) ||
          till_permission_error_needs_override (error))
        {
          till_override_dialog_show_error (dialog, error->message);
          self->pending = g_steal_pointer (&act);
          return;
        }
      act_refused (self, act, error->message);
    }
  if (self->override_dialog == dialog)
    gtk_window_destroy (GTK_WINDOW (dialog));
}

/* Tries @act (taken) as the signed-in user; when the core wants a
 * supervisor, asks for one. */
static void
act_start (TillShiftView *self, ShiftAct *act)
{
  g_autoptr (ShiftAct) owned = act;
  g_autoptr (GError) error = NULL;
  GtkRoot *root;

  if (self->override_dialog != NULL)
    gtk_window_destroy (GTK_WINDOW (self->override_dialog));
  if (act_run (self, act, NULL, &error))
    return;
  if (!till_permission_error_needs_override (error))
    {
      act_refused (self, act, error->message);
      return;
    }
  set_message (self, error->message, TRUE);
  self->pending = g_steal_pointer (&owned);
  root = gtk_widget_get_root (GTK_WIDGET (self));
  self->override_dialog = till_override_dialog_new (
      self->cash.window != NULL ? GTK_WINDOW (self->cash.window)
                                : (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL),
      till_permission_get_label (act_permission (act->kind)), error->message, TILL_REASON_OTHER);
  if (act->reason != NULL && *act->reason != '\0')
    till_override_dialog_set_given_reason (self->override_dialog, act->reason);
  g_signal_connect_object (self->override_dialog, "approved", G_CALLBACK (override_approved_cb),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->override_dialog, "cancelled", G_CALLBACK (override_cancelled_cb),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->override_dialog, "destroy", G_CALLBACK (override_destroyed_cb),
                           self, G_CONNECT_SWAPPED);
}

static ShiftAct *
act_new (ActKind kind)
{
  ShiftAct *act = g_new0 (ShiftAct, 1);

  act->kind = kind;
  return act;
}

/* Every act needs someone signed in; the core checks the rest. */
static gboolean
check_signed_in (TillShiftView *self)
{
  if (get_user (self) != NULL)
    return TRUE;
  set_message (self, _ ("Sign in first."), TRUE);
  return FALSE;
}

/* ---- The cash in / out dialog --------------------------------------------- */

static void
cash_dialog_close (TillShiftView *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  if (self->cash.window == NULL)
    return;
  /* The override dialog asked over it must not outlive its parent. */
  if (self->override_dialog != NULL &&
      gtk_window_get_transient_for (GTK_WINDOW (self->override_dialog)) ==
          GTK_WINDOW (self->cash.window))
    gtk_window_set_transient_for (GTK_WINDOW (self->override_dialog),
                                  GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL);
  gtk_window_destroy (GTK_WINDOW (self->cash.window));
}

static void
cash_dialog_destroyed_cb (TillShiftView *self)
{
  memset (&self->cash, 0, sizeof self->cash);
}

static TillCashMovementKind
cash_dialog_get_kind (TillShiftView *self)
{
  for (guint i = 0; i < G_N_ELEMENTS (self->cash.kind_buttons); i++)
    if (gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (self->cash.kind_buttons[i])))
      return (TillCashMovementKind) i;
  return TILL_CASH_MOVEMENT_DROP;
}

static void
reason_chip_clicked_cb (GtkButton *chip, GtkEditable *entry)
{
  gtk_editable_set_text (entry, gtk_button_get_label (chip));
}

/* Chips that put their (translated) words into @entry, where the cashier may
 * add to them. */
static void
fill_reason_chips (GtkWidget *box, GtkWidget *entry, const char *const *reasons, guint n_reasons)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (box)) != NULL)
    gtk_box_remove (GTK_BOX (box), child);
  for (guint i = 0; i < n_reasons; i++)
    {
      GtkWidget *chip = gtk_button_new_with_label (_ (reasons[i]));

      gtk_widget_add_css_class (chip, "shift-chip");
      g_signal_connect_object (chip, "clicked", G_CALLBACK (reason_chip_clicked_cb), entry, 0);
      gtk_box_append (GTK_BOX (box), chip);
    }
}

static void
cash_kind_toggled_cb (TillShiftView *self)
{
  TillCashMovementKind kind = cash_dialog_get_kind (self);

  if (kind == TILL_CASH_MOVEMENT_IN)
    fill_reason_chips (self->cash.reason_chips, self->cash.reason_entry, cash_in_reasons,
                       G_N_ELEMENTS (cash_in_reasons));
  else if (kind == TILL_CASH_MOVEMENT_OUT)
    fill_reason_chips (self->cash.reason_chips, self->cash.reason_entry, cash_out_reasons,
                       G_N_ELEMENTS (cash_out_reasons));
  else
    fill_reason_chips (self->cash.reason_chips, self->cash.reason_entry, cash_drop_reasons,
                       G_N_ELEMENTS (cash_drop_reasons));
  gtk_editable_set_text (GTK_EDITABLE (self->cash.reason_entry), "");
}

static void
cash_confirm_cb (TillShiftView *self)
{
  const char      *text = till_keypad_get_text (self->cash.keypad);
  g_autofree char *reason =
      g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->cash.reason_entry))));
  gint64 amount = 0;

  if (*text == '\0' || !till_money_parse (text, &amount, NULL) || amount <= 0)
    {
      gtk_label_set_text (GTK_LABEL (self->cash.error_label),
                          _ ("Key the amount on the keypad, in yuan."));
      gtk_widget_set_visible (self->cash.error_label, TRUE);
      return;
    }
  gtk_widget_activate_action (GTK_WIDGET (self), "win.cash-movement", "(sxs)",
                              till_cash_movement_kind_to_string (cash_dialog_get_kind (self)),
                              amount, reason);
}

static GtkWidget *
cash_dialog_build_left (TillShiftView *self)
{
  GtkWidget *left = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  GtkWidget *kinds = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 8);
  GtkWidget *caption = gtk_label_new (_ ("Why?"));

  gtk_box_set_homogeneous (GTK_BOX (kinds), TRUE);
  for (guint i = 0; i < G_N_ELEMENTS (self->cash.kind_buttons); i++)
    {
      GtkWidget *button = gtk_toggle_button_new_with_label (till_cash_movement_kind_get_label (i));

      gtk_widget_add_css_class (button, "shift-kind");
      if (i > 0)
        gtk_toggle_button_set_group (GTK_TOGGLE_BUTTON (button),
                                     GTK_TOGGLE_BUTTON (self->cash.kind_buttons[0]));
      self->cash.kind_buttons[i] = button;
      gtk_box_append (GTK_BOX (kinds), button);
    }
  gtk_label_set_xalign (GTK_LABEL (caption), 0);
  gtk_widget_add_css_class (caption, "section-title");
  self->cash.reason_chips = gtk_box_new (GTK_ORIENTATION_VERTICAL, 8);
  self->cash.reason_entry = gtk_entry_new ();
  gtk_entry_set_placeholder_text (GTK_ENTRY (self->cash.reason_entry),
                                  _ ("Or say in your own words"));
  gtk_widget_add_css_class (self->cash.reason_entry, "shift-entry");
  self->cash.error_label = gtk_label_new (NULL);
  gtk_label_set_wrap (GTK_LABEL (self->cash.error_label), TRUE);
  gtk_label_set_xalign (GTK_LABEL (self->cash.error_label), 0);
  gtk_widget_add_css_class (self->cash.error_label, "error-message");
  gtk_widget_set_visible (self->cash.error_label, FALSE);

  gtk_box_append (GTK_BOX (left), kinds);
  gtk_box_append (GTK_BOX (left), caption);
  gtk_box_append (GTK_BOX (left), self->cash.reason_chips);
  gtk_box_append (GTK_BOX (left), self->cash.reason_entry);
  gtk_box_append (GTK_BOX (left), self->cash.error_label);
  return left;
}

static GtkWidget *
cash_dialog_build_buttons (TillShiftView *self)
{
  GtkWidget *buttons = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *cancel = gtk_button_new_with_label (_ ("Cancel"));
  GtkWidget *confirm = gtk_button_new_with_label (_ ("Record"));

  gtk_widget_set_halign (buttons, GTK_ALIGN_END);
  gtk_box_set_homogeneous (GTK_BOX (buttons), TRUE);
  gtk_widget_add_css_class (cancel, "shift-secondary");
  gtk_widget_add_css_class (confirm, "shift-primary");
  gtk_widget_add_css_class (confirm, "shift-go");
  g_signal_connect_swapped (cancel, "clicked", G_CALLBACK (cash_dialog_close), self);
  g_signal_connect_swapped (confirm, "clicked", G_CALLBACK (cash_confirm_cb), self);
  gtk_box_append (GTK_BOX (buttons), cancel);
  gtk_box_append (GTK_BOX (buttons), confirm);
  return buttons;
}

static void
cash_dialog_open (TillShiftView *self)
{
  GtkRoot   *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkWidget *window = gtk_window_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 16);
  GtkWidget *body = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 24);
  GtkWidget *heading = gtk_label_new (_ ("Cash in / out"));
  GtkWidget *left;

  cash_dialog_close (self);
  self->cash.window = window;
  gtk_widget_set_name (window, "cash-dialog");
  gtk_widget_add_css_class (window, "till");
  gtk_window_set_title (GTK_WINDOW (window), _ ("Cash in / out"));
  gtk_window_set_modal (GTK_WINDOW (window), TRUE);
  gtk_window_set_default_size (GTK_WINDOW (window), 820, -1);
  if (GTK_IS_WINDOW (root))
    {
      gtk_window_set_transient_for (GTK_WINDOW (window), GTK_WINDOW (root));
      gtk_window_set_destroy_with_parent (GTK_WINDOW (window), TRUE);
    }
  gtk_widget_set_margin_start (box, 24);
  gtk_widget_set_margin_end (box, 24);
  gtk_widget_set_margin_top (box, 24);
  gtk_widget_set_margin_bottom (box, 24);
  gtk_label_set_xalign (GTK_LABEL (heading), 0);
  gtk_widget_add_css_class (heading, "shift-title");

  left = cash_dialog_build_left (self);
  gtk_widget_set_hexpand (left, TRUE);
  self->cash.keypad = TILL_KEYPAD (till_keypad_new ());
  g_object_set (self->cash.keypad, "allow-decimal", TRUE, "max-length", 9, "placeholder",
                _ ("Amount in yuan"), "enter-label", _ ("Record"), NULL);
  gtk_widget_set_size_request (GTK_WIDGET (self->cash.keypad), 320, 360);
  g_signal_connect_swapped (self->cash.keypad, "activate", G_CALLBACK (cash_confirm_cb), self);
  gtk_box_append (GTK_BOX (body), left);
  gtk_box_append (GTK_BOX (body), GTK_WIDGET (self->cash.keypad));

  gtk_box_append (GTK_BOX (box), heading);
  gtk_box_append (GTK_BOX (box), body);
  gtk_box_append (GTK_BOX (box), cash_dialog_build_buttons (self));
  gtk_window_set_child (GTK_WINDOW (window), box);

  /* A drop is the usual act and needs no supervisor: it comes first. */
  for (guint i = 0; i < G_N_ELEMENTS (self->cash.kind_buttons); i++)
    g_signal_connect_swapped (self->cash.kind_buttons[i], "toggled",
                              G_CALLBACK (cash_kind_toggled_cb), self);
  gtk_toggle_button_set_active (
      GTK_TOGGLE_BUTTON (self->cash.kind_buttons[TILL_CASH_MOVEMENT_DROP]), TRUE);
  g_signal_connect_object (window, "destroy", G_CALLBACK (cash_dialog_destroyed_cb), self,
                           G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (window));
}

/* ---- The window's actions ----------------------------------------------- */

static gboolean
count_from_variant (GVariant *parameter, TillCashCount *out_count)
{
  gsize         n = 0;
  const gint64 *pieces = g_variant_get_fixed_array (parameter, &n, sizeof (gint64));

  if (n != TILL_N_DENOMINATIONS)
    return FALSE;
  for (guint i = 0; i < TILL_N_DENOMINATIONS; i++)
    out_count->pieces[i] = pieces[i];
  return TRUE;
}

static GVariant *
count_to_variant (const TillCashCount *count)
{
  return g_variant_new_fixed_array (G_VARIANT_TYPE_INT64, count->pieces, TILL_N_DENOMINATIONS,
                                    sizeof (gint64));
}

static void
open_clicked_cb (TillShiftView *self)
{
  TillCashCount count;

  till_cash_counter_get_count (self->open_counter, &count);
  gtk_widget_activate_action_variant (GTK_WIDGET (self), "win.shift-open",
                                      count_to_variant (&count));
}

static void
record_clicked_cb (TillShiftView *self)
{
  TillCashCount count;

  till_cash_counter_get_count (self->close_counter, &count);
  gtk_widget_activate_action_variant (GTK_WIDGET (self), "win.shift-count",
                                      count_to_variant (&count));
}

static void
finish_clicked_cb (TillShiftView *self)
{
  g_autofree char *reason =
      g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->reason_entry))));

  gtk_widget_activate_action (GTK_WIDGET (self), "win.shift-finish", "s", reason);
}

static void
handover_toggled_cb (TillShiftView *self)
{
  self->handover = gtk_check_button_get_active (GTK_CHECK_BUTTON (self->handover_check));
  update_finish_button (self);
}

static void
opened (TillShiftView *self, TillShift *shift)
{
  g_autofree char *amount = till_ui_format_money (till_shift_get_opening_float (shift));
  g_autofree char *text = g_strdup_printf (_ ("Shift opened with a float of %s."), amount);

  set_message (self, NULL, FALSE);
  till_ui_toast (GTK_WIDGET (self), text);
  g_signal_emit (self, signals[SIGNAL_CLOSED], 0);
}

static void
shift_open_action_cb (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  TillShiftView *self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (TillShift) shift = NULL;
  TillCashCount count;

  if (!check_signed_in (self))
    return;
  if (!count_from_variant (parameter, &count))
    {
      show_error (self, _ ("A count needs a figure for every denomination."));
      return;
    }
  shift = till_shift_open (get_store (self), till_session_get_journal (self->session),
                           get_user (self), &count, &error);
  if (shift == NULL)
    {
      show_error (self, error->message);
      return;
    }
  /* The float goes into the drawer; an empty one needs no opening. */
  if (till_cash_count_get_total (&count) > 0)
    pulse_drawer (self);
  opened (self, shift);
}

static void
shift_accept_handover_action_cb (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  TillShiftView *self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (TillShift) shift = NULL;

  if (!check_signed_in (self))
    return;
  shift = till_shift_open_accepting_handover (
      get_store (self), till_session_get_journal (self->session), get_user (self), &error);
  if (shift == NULL)
    {
      show_error (self, error->message);
      return;
    }
  opened (self, shift);
}

static void
cash_dialog_action_cb (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  TillShiftView *self = user_data;

  if (check_signed_in (self))
    cash_dialog_open (self);
}

static gboolean
movement_kind_from_string (const char *text, TillCashMovementKind *out_kind)
{
  for (guint i = 0; i <= TILL_CASH_MOVEMENT_DROP; i++)
    if (g_str_equal (text, till_cash_movement_kind_to_string (i)))
      {
        *out_kind = i;
        return TRUE;
      }
  return FALSE;
}

static void
cash_movement_action_cb (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  TillShiftView *self = user_data;
  const char    *kind = NULL;
  const char    *reason = NULL;
  ShiftAct      *act;

  if (!check_signed_in (self))
    return;
  act = act_new (ACT_CASH_MOVEMENT);
  g_variant_get (parameter, "(&sx&s)", &kind, &act->amount, &reason);
  act->reason = g_strstrip (g_strdup (reason));
  if (!movement_kind_from_string (kind, &act->movement))
    {
      act_refused (self, act, _ ("Cash goes in, out, or to the safe."));
      shift_act_free (act);
      return;
    }
  act_start (self, act);
}

static void
x_report_action_cb (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  TillShiftView *self = user_data;

  if (check_signed_in (self))
    act_start (self, act_new (ACT_X_REPORT));
}

static void
shift_close_action_cb (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  TillShiftView *self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (TillShift) shift = NULL;
  ShiftAct *act;

  if (!check_signed_in (self))
    return;
  /* A sale half rung up would be stranded: the close stops selling. */
  if (till_cart_get_n_lines (till_session_get_cart (self->session)) > 0)
    {
      show_error (self, _ ("Finish or void the sale on screen before closing the shift."));
      return;
    }
  shift = till_shift_get_current (get_store (self), &error);
  if (shift == NULL)
    {
      show_error (self, error != NULL ? error->message : _ ("No shift is open on this till."));
      return;
    }
  if (till_shift_get_state (shift) == TILL_SHIFT_STATE_CLOSING)
    {
      self->handover = g_variant_get_boolean (parameter);
      show_close_step (self, shift);
      return;
    }
  act = act_new (ACT_BEGIN_CLOSE);
  act->handover = g_variant_get_boolean (parameter);
  act_start (self, act);
}

static void
shift_count_action_cb (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  TillShiftView *self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (TillShift) shift = NULL;
  TillCashCount count;

  if (!check_signed_in (self))
    return;
  if (!count_from_variant (parameter, &count))
    {
      show_error (self, _ ("A count needs a figure for every denomination."));
      return;
    }
  if (!till_shift_record_count (get_store (self), till_session_get_journal (self->session),
                                get_user (self), &count, &error))
    {
      show_error (self, error->message);
      return;
    }
  shift = till_shift_get_current (get_store (self), &error);
  if (shift == NULL)
    {
      show_error (self, error != NULL ? error->message : _ ("No shift is open on this till."));
      return;
    }
  /* The counted cash comes out of the drawer (to the safe, or to the next
   * cashier); an empty drawer needs no opening. */
  if (till_cash_count_get_total (&count) > 0)
    pulse_drawer (self);
  set_message (self, NULL, FALSE);
  show_close_step (self, shift);
}

static void
shift_finish_action_cb (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  TillShiftView *self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (TillShift) shift = NULL;
  g_autofree char *reason = g_strstrip (g_variant_dup_string (parameter, NULL));
  ShiftAct        *act;

  if (!check_signed_in (self))
    return;
  shift = till_shift_get_current (get_store (self), &error);
  if (shift == NULL)
    {
      show_error (self, error != NULL ? error->message : _ ("No shift is open on this till."));
      return;
    }
  g_free (self->closing_uuid);
  self->closing_uuid = g_strdup (till_shift_get_uuid (shift));
  /* Ask for the reason before anyone fetches a supervisor. */
  if (*reason == '\0' && till_shift_get_counted (shift) >= 0 &&
      till_shift_variance_needs_approval (get_store (self), shift))
    {
      show_error (self, _ ("Say why the cash is over or short: tap a reason or type one."));
      return;
    }
  act = act_new (ACT_FINISH_CLOSE);
  act->handover = self->handover;
  act->reason = *reason != '\0' ? g_steal_pointer (&reason) : NULL;
  act_start (self, act);
}

static void
z_report_action_cb (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  TillShiftView *self = user_data;

  if (check_signed_in (self))
    act_start (self, act_new (ACT_Z_REPORT));
}

/* After an X report the sale carries on; after a close or a Z the cashier
 * is done at this till. */
static void
shift_done_action_cb (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  TillShiftView *self = user_data;
  gboolean       back_to_sale = self->report != NULL && self->report->kind == TILL_SHIFT_REPORT_X;

  clear_report (self);
  set_message (self, NULL, FALSE);
  if (back_to_sale)
    g_signal_emit (self, signals[SIGNAL_CLOSED], 0);
  else
    gtk_widget_activate_action (GTK_WIDGET (self), "win.logout", NULL);
}

static const GActionEntry shift_actions[] = {
  { "shift-open", shift_open_action_cb, "ax", NULL, NULL, { 0 } },
  { "shift-accept-handover", shift_accept_handover_action_cb, NULL, NULL, NULL, { 0 } },
  { "cash-dialog", cash_dialog_action_cb, NULL, NULL, NULL, { 0 } },
  { "cash-movement", cash_movement_action_cb, "(sxs)", NULL, NULL, { 0 } },
  { "x-report", x_report_action_cb, NULL, NULL, NULL, { 0 } },
  { "shift-close", shift_close_action_cb, "b", NULL, NULL, { 0 } },
  { "shift-count", shift_count_action_cb, "ax", NULL, NULL, { 0 } },
  { "shift-finish", shift_finish_action_cb, "s", NULL, NULL, { 0 } },
  { "z-report", z_report_action_cb, NULL, NULL, NULL, { 0 } },
  { "shift-done", shift_done_action_cb, NULL, NULL, NULL, { 0 } },
};

void
till_shift_view_add_actions (TillShiftView *self, GActionMap *map)
{
  g_return_if_fail (TILL_IS_SHIFT_VIEW (self));
  g_return_if_fail (G_IS_ACTION_MAP (map));

  g_action_map_add_action_entries (map, shift_actions, G_N_ELEMENTS (shift_actions), self);
}

/* ---- The widget ---------------------------------------------------------- */

static void
till_shift_view_dispose (GObject *object)
{
  TillShiftView *self = TILL_SHIFT_VIEW (object);
  GtkWidget     *child;

  if (self->override_dialog != NULL)
    gtk_window_destroy (GTK_WINDOW (self->override_dialog));
  cash_dialog_close (self);
  gtk_widget_dispose_template (GTK_WIDGET (self), TILL_TYPE_SHIFT_VIEW);
  /* In case the template left its top box parented: unparent it here. */
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);
  g_clear_object (&self->session);
  g_clear_object (&self->monitor);
  G_OBJECT_CLASS (till_shift_view_parent_class)->dispose (object);
}

static void
till_shift_view_finalize (GObject *object)
{
  TillShiftView *self = TILL_SHIFT_VIEW (object);

  g_clear_pointer (&self->pending, shift_act_free);
  g_clear_pointer (&self->report, till_shift_report_free);
  g_string_free (self->report_text, TRUE);
  g_free (self->message);
  g_free (self->closing_uuid);
  G_OBJECT_CLASS (till_shift_view_parent_class)->finalize (object);
}

static void
till_shift_view_class_init (TillShiftViewClass *klass)
{
  GObjectClass   *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = till_shift_view_dispose;
  object_class->finalize = till_shift_view_finalize;

  signals[SIGNAL_PRESENT] = g_signal_new ("present", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                          0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[SIGNAL_CLOSED] = g_signal_new ("closed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                         NULL, NULL, NULL, G_TYPE_NONE, 0);

  g_type_ensure (TILL_TYPE_CASH_COUNTER);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/opentill/Till/ui/till-shift-view.ui");
  gtk_widget_class_bind_template_child (widget_class, TillShiftView, top_box);
  gtk_widget_class_bind_template_child (widget_class, TillShiftView, message_label);
  gtk_widget_class_bind_template_child (widget_class, TillShiftView, mode_stack);
  gtk_widget_class_bind_template_child (widget_class, TillShiftView, handover_box);
  gtk_widget_class_bind_template_child (widget_class, TillShiftView, handover_label);
  gtk_widget_class_bind_template_child (widget_class, TillShiftView, accept_button);
  gtk_widget_class_bind_template_child (widget_class, TillShiftView, open_counter);
  gtk_widget_class_bind_template_child (widget_class, TillShiftView, z_button);
  gtk_widget_class_bind_template_child (widget_class, TillShiftView, other_label);
  gtk_widget_class_bind_template_child (widget_class, TillShiftView, count_title);
  gtk_widget_class_bind_template_child (widget_class, TillShiftView, close_counter);
  gtk_widget_class_bind_template_child (widget_class, TillShiftView, variance_caption);
  gtk_widget_class_bind_template_child (widget_class, TillShiftView, expected_label);
  gtk_widget_class_bind_template_child (widget_class, TillShiftView, counted_label);
  gtk_widget_class_bind_template_child (widget_class, TillShiftView, variance_label);
  gtk_widget_class_bind_template_child (widget_class, TillShiftView, variance_note);
  gtk_widget_class_bind_template_child (widget_class, TillShiftView, reason_box);
  gtk_widget_class_bind_template_child (widget_class, TillShiftView, reason_chips);
  gtk_widget_class_bind_template_child (widget_class, TillShiftView, reason_entry);
  gtk_widget_class_bind_template_child (widget_class, TillShiftView, handover_check);
  gtk_widget_class_bind_template_child (widget_class, TillShiftView, finish_button);
  gtk_widget_class_bind_template_child (widget_class, TillShiftView, report_title);
  gtk_widget_class_bind_template_child (widget_class, TillShiftView, report_subtitle);
  gtk_widget_class_bind_template_child (widget_class, TillShiftView, report_box);
  gtk_widget_class_bind_template_child (widget_class, TillShiftView, print_label);
  gtk_widget_class_bind_template_callback (widget_class, open_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, record_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, finish_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, handover_toggled_cb);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
}

static void
till_shift_view_init (TillShiftView *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->report_text = g_string_new (NULL);
  fill_reason_chips (self->reason_chips, self->reason_entry, variance_reasons,
                     G_N_ELEMENTS (variance_reasons));
}

void
till_shift_view_set_session (TillShiftView *self, TillSession *session)
{
  g_return_if_fail (TILL_IS_SHIFT_VIEW (self));
  g_return_if_fail (TILL_IS_SESSION (session));

  g_set_object (&self->session, session);
}

void
till_shift_view_set_printer_monitor (TillShiftView *self, TillPrinterMonitor *monitor)
{
  g_return_if_fail (TILL_IS_SHIFT_VIEW (self));

  if (self->monitor == monitor)
    return;
  if (self->monitor != NULL)
    g_signal_handlers_disconnect_by_data (self->monitor, self);
  g_set_object (&self->monitor, monitor);
  if (monitor == NULL)
    return;
  g_signal_connect_object (monitor, "job-done", G_CALLBACK (printer_job_done_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (monitor, "notify::state", G_CALLBACK (printer_state_cb), self,
                           G_CONNECT_SWAPPED);
}

const char *
till_shift_view_get_page (TillShiftView *self)
{
  g_return_val_if_fail (TILL_IS_SHIFT_VIEW (self), NULL);
  return gtk_stack_get_visible_child_name (GTK_STACK (self->mode_stack));
}

const char *
till_shift_view_get_message (TillShiftView *self, gboolean *out_is_error)
{
  g_return_val_if_fail (TILL_IS_SHIFT_VIEW (self), NULL);

  if (out_is_error != NULL)
    *out_is_error = self->message_is_error;
  return self->message != NULL ? self->message : "";
}

const char *
till_shift_view_get_banner_text (TillShiftView *self)
{
  g_return_val_if_fail (TILL_IS_SHIFT_VIEW (self), NULL);

  if (!gtk_widget_get_visible (self->handover_box))
    return "";
  return gtk_label_get_text (GTK_LABEL (self->handover_label));
}

gboolean
till_shift_view_get_z_offered (TillShiftView *self)
{
  g_return_val_if_fail (TILL_IS_SHIFT_VIEW (self), FALSE);
  return gtk_widget_get_visible (self->z_button);
}

const char *
till_shift_view_get_other_text (TillShiftView *self)
{
  g_return_val_if_fail (TILL_IS_SHIFT_VIEW (self), NULL);
  return gtk_label_get_text (GTK_LABEL (self->other_label));
}

TillCashCounter *
till_shift_view_get_open_counter (TillShiftView *self)
{
  g_return_val_if_fail (TILL_IS_SHIFT_VIEW (self), NULL);
  return self->open_counter;
}

TillCashCounter *
till_shift_view_get_close_counter (TillShiftView *self)
{
  g_return_val_if_fail (TILL_IS_SHIFT_VIEW (self), NULL);
  return self->close_counter;
}

char *
till_shift_view_dup_variance_text (TillShiftView *self)
{
  g_return_val_if_fail (TILL_IS_SHIFT_VIEW (self), NULL);

  if (g_strcmp0 (till_shift_view_get_page (self), "variance") != 0)
    return g_strdup ("");
  return g_strdup_printf ("%s\n%s\n%s", gtk_label_get_text (GTK_LABEL (self->expected_label)),
                          gtk_label_get_text (GTK_LABEL (self->counted_label)),
                          gtk_label_get_text (GTK_LABEL (self->variance_label)));
}

gboolean
till_shift_view_get_reason_shown (TillShiftView *self)
{
  g_return_val_if_fail (TILL_IS_SHIFT_VIEW (self), FALSE);
  return gtk_widget_get_visible (self->reason_box);
}

const TillShiftReport *
till_shift_view_get_report (TillShiftView *self)
{
  g_return_val_if_fail (TILL_IS_SHIFT_VIEW (self), NULL);
  return self->report;
}

char *
till_shift_view_dup_report_text (TillShiftView *self)
{
  g_return_val_if_fail (TILL_IS_SHIFT_VIEW (self), NULL);
  return g_strdup (self->report_text->str);
}

const char *
till_shift_view_get_print_status (TillShiftView *self)
{
  g_return_val_if_fail (TILL_IS_SHIFT_VIEW (self), NULL);
  return gtk_label_get_text (GTK_LABEL (self->print_label));
}

TillOverrideDialog *
till_shift_view_get_override_dialog (TillShiftView *self)
{
  g_return_val_if_fail (TILL_IS_SHIFT_VIEW (self), NULL);
  return self->override_dialog;
}

GtkWindow *
till_shift_view_get_cash_dialog (TillShiftView *self)
{
  g_return_val_if_fail (TILL_IS_SHIFT_VIEW (self), NULL);
  return self->cash.window != NULL ? GTK_WINDOW (self->cash.window) : NULL;
}

const char *
till_shift_view_get_cash_dialog_error (TillShiftView *self)
{
  g_return_val_if_fail (TILL_IS_SHIFT_VIEW (self), NULL);

  if (self->cash.window == NULL || !gtk_widget_get_visible (self->cash.error_label))
    return "";
  return gtk_label_get_text (GTK_LABEL (self->cash.error_label));
}
