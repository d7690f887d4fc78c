/* till-shift-report.c: the X, shift close (交班/结班) and Z reports on paper
 *
 * The report is read by a supervisor with a pen: every block is a sum that
 * can be checked down its column. Figures are signed as they count towards
 * the total below them (returns, discounts, refunds, payouts and drops are
 * negative), counts sit in a column of their own before the amounts, and
 * the amounts are flush right on 58 and 80 mm paper alike.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "till-shift-report"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <inttypes.h>

#include "till-receipt.h"
#include "till-shift-report.h"

/* Columns of the count and the amount in a row of figures: room for a
 * five-digit count and "9999999.99" on 58 mm, a little more on 80 mm. */
#define COUNT_COLUMNS_58 5
#define AMOUNT_COLUMNS_58 10
#define COUNT_COLUMNS_80 7
#define AMOUNT_COLUMNS_80 12
#define WIDE_PAPER_COLUMNS 48

static const char *
or_empty (const char *text)
{
  return text != NULL ? text : "";
}

static char *
format_time (gint64 us, const char *format)
{
  g_autoptr (GDateTime) time = g_date_time_new_from_unix_local (us / G_USEC_PER_SEC);

  return g_date_time_format (time, format);
}

static char *
format_count (gint64 count)
{
  return g_strdup_printf ("%" PRId64, count);
}

/* "+12.00 over", "-5.00 short", "0.00": which way the drawer is out. */
static char *
format_variance (gint64 variance)
{
  g_autofree char *amount = till_money_format (variance);

  if (variance > 0)
    {
      g_autofree char *signed_amount = g_strconcat ("+", amount, NULL);

      return g_strdup_printf (_ ("%s over"), signed_amount);
    }
  if (variance < 0)
    return g_strdup_printf (_ ("%s short"), amount);
  return g_steal_pointer (&amount);
}

/* "王小明 (1001)", or the code alone when the name is unknown. */
static char *
format_cashier (const char *name, const char *code)
{
  if (name == NULL || *name == '\0')
    return g_strdup (or_empty (code));
  return g_strdup_printf ("%s (%s)", name, or_empty (code));
}

/* Appends @text flush right in a cell @cells columns wide. */
static void
append_right_aligned (GString *out, const char *text, guint cells)
{
  guint width = till_escpos_text_width (text);

  for (guint i = width; i < cells; i++)
    g_string_append_c (out, ' ');
  g_string_append (out, text);
}

/* @label and @right on one line; when the label would be cut, it has a line
 * (or two) of its own and @right goes flush right below it: a figure on a
 * report is never printed without the whole of its name. */
static void
fitted_row (TillEscpos *pos, const char *label, const char *right)
{
  guint columns = till_escpos_get_columns (pos);

  if (till_escpos_text_width (label) + 1 + till_escpos_text_width (right) > columns)
    {
      till_escpos_wrapped (pos, label);
      till_escpos_row (pos, "", right);
    }
  else
    till_escpos_row (pos, label, right);
}

static void
amount_row (TillEscpos *pos, const char *label, gint64 fen)
{
  g_autofree char *amount = till_money_format (fen);

  fitted_row (pos, label, amount);
}

/* A label, a count and an amount, the count and amount each in its column
 * so that they line up from row to row. Either may be NULL (left blank). */
static void
figures_row (TillEscpos *pos, const char *label, const char *count, const char *amount)
{
  gboolean wide = till_escpos_get_columns (pos) >= WIDE_PAPER_COLUMNS;
  g_autoptr (GString) figures = g_string_new (NULL);

  append_right_aligned (figures, or_empty (count), wide ? COUNT_COLUMNS_80 : COUNT_COLUMNS_58);
  g_string_append_c (figures, ' ');
  append_right_aligned (figures, or_empty (amount), wide ? AMOUNT_COLUMNS_80 : AMOUNT_COLUMNS_58);
  fitted_row (pos, label, figures->str);
}

/* A tally's count and amount, the amount times @sign (-1 for what is taken
 * off the total below). */
static void
tally_row (TillEscpos *pos, const char *label, const TillTally *tally, int sign)
{
  g_autofree char *count = format_count (tally->count);
  g_autofree char *amount = till_money_format (sign * tally->amount);

  figures_row (pos, label, count, amount);
}

static void
count_row (TillEscpos *pos, const char *label, gint64 count)
{
  g_autofree char *text = format_count (count);

  figures_row (pos, label, text, NULL);
}

/* A section's name in bold, with the names of its columns of figures when
 * @count_name is not NULL. */
static void
heading (TillEscpos *pos, const char *title, const char *count_name)
{
  till_escpos_separator (pos, '-');
  till_escpos_bold (pos, TRUE);
  if (count_name != NULL)
    figures_row (pos, title, count_name, _ ("Amount"));
  else
    till_escpos_wrapped (pos, title);
  till_escpos_bold (pos, FALSE);
}

static void
bold_amount_row (TillEscpos *pos, const char *label, gint64 fen)
{
  till_escpos_bold (pos, TRUE);
  amount_row (pos, label, fen);
  till_escpos_bold (pos, FALSE);
}

static char *
report_title (const TillShiftReport *report)
{
  switch (report->kind)
    {
    case TILL_SHIFT_REPORT_X:
      return g_strdup (_ ("X report"));
    case TILL_SHIFT_REPORT_CLOSE:
      return g_strdup (report->handover ? _ ("Shift handover") : _ ("Shift close"));
    case TILL_SHIFT_REPORT_Z:
      return g_strdup_printf (_ ("Z report No. %" PRId64), report->z_no);
    default:
      g_return_val_if_reached (g_strdup (""));
    }
}

/* The title big, then the store, the till, who and when. */
static void
header (TillEscpos *pos, const TillShiftReport *report, TillStore *store)
{
  g_autofree char *title = report_title (report);
  g_autofree char *name = till_store_get_setting (store, "store.name");
  const char      *time_format = "%Y-%m-%d %H:%M:%S";

  till_escpos_align (pos, TILL_ALIGN_CENTER);
  till_escpos_bold (pos, TRUE);
  till_escpos_size (pos, TRUE, TRUE);
  till_escpos_wrapped (pos, title);
  till_escpos_size (pos, FALSE, FALSE);
  if (name != NULL && *name != '\0')
    till_escpos_wrapped (pos, name);
  till_escpos_bold (pos, FALSE);
  till_escpos_align (pos, TILL_ALIGN_LEFT);
  till_escpos_separator (pos, '-');

  fitted_row (pos, _ ("Till"), or_empty (report->till_id));
  if (report->kind == TILL_SHIFT_REPORT_Z)
    {
      g_autofree char *from = format_time (report->opened_us, time_format);
      g_autofree char *to =
          format_time (report->closed_us > 0 ? report->closed_us : report->created_us, time_format);

      if (report->opened_us > 0)
        fitted_row (pos, _ ("From"), from);
      fitted_row (pos, _ ("To"), to);
      return;
    }

  {
    g_autofree char *cashier = format_cashier (report->user_name, report->user_code);
    g_autofree char *opened = format_time (report->opened_us, time_format);

    fitted_row (pos, _ ("Cashier"), cashier);
    fitted_row (pos, _ ("Opened"), opened);
  }
  if (report->kind == TILL_SHIFT_REPORT_X)
    {
      g_autofree char *taken = format_time (report->created_us, time_format);

      fitted_row (pos, _ ("Taken at"), taken);
      /* An X report is read in the middle of a shift: it closes nothing. */
      till_escpos_wrapped (pos, _ ("Shift still open: figures so far"));
    }
  else
    {
      g_autofree char *closed = format_time (report->closed_us, time_format);

      fitted_row (pos, _ ("Closed"), closed);
    }
}

/* From the gross down to the sales, then the returns and the net; then what
 * did not become a sale. */
static void
sales_section (TillEscpos *pos, const TillShiftTotals *totals)
{
  const TillTally *sales = &totals->sales;
  gint64 average = sales->count > 0 ? till_money_round_half_up (sales->amount, sales->count) : 0;

  heading (pos, _ ("Sales and returns"), _ ("Count"));
  tally_row (pos, _ ("  Gross (lines)"), &totals->gross, 1);
  tally_row (pos, _ ("  Discounts"), &totals->discounts, -1);
  tally_row (pos, _ ("  Promotions"), &totals->promotions, -1);
  tally_row (pos, _ ("  Rounding"), &totals->rounding, 1);
  till_escpos_bold (pos, TRUE);
  tally_row (pos, _ ("Sales"), sales, 1);
  till_escpos_bold (pos, FALSE);
  amount_row (pos, _ ("  Average sale"), average);
  tally_row (pos, _ ("Returns"), &totals->returns, -1);
  bold_amount_row (pos, _ ("Net sales"), sales->amount - totals->returns.amount);

  heading (pos, _ ("Voids and drawer"), _ ("Count"));
  tally_row (pos, _ ("Voided lines"), &totals->voided_lines, 1);
  tally_row (pos, _ ("Voided sales"), &totals->voided_sales, 1);
  count_row (pos, _ ("No-sales"), totals->no_sales.count);
  count_row (pos, _ ("Drawer openings"), totals->drawer_opens.count);
}

/* Each tender: what it took, what it gave back, what it comes to. */
static void
tenders_section (TillEscpos *pos, const TillShiftTotals *totals)
{
  heading (pos, _ ("Tenders"), _ ("Count"));
  for (guint i = 0; i < totals->tenders->len; i++)
    {
      const TillTenderTally *tender = g_ptr_array_index (totals->tenders, i);

      if (tender->taken.count == 0 && tender->refunded.count == 0 && tender->taken.amount == 0 &&
          tender->refunded.amount == 0)
        continue;
      till_escpos_wrapped (pos, till_receipt_refund_method_label (tender->method));
      tally_row (pos, _ ("  Taken"), &tender->taken, 1);
      if (tender->refunded.count != 0 || tender->refunded.amount != 0)
        tally_row (pos, _ ("  Refunded"), &tender->refunded, -1);
      amount_row (pos, _ ("  Net"), tender->taken.amount - tender->refunded.amount);
    }
}

/* Stored-value top-ups: money the till took that is not a sale. */
static void
top_ups_section (TillEscpos *pos, const TillShiftTotals *totals)
{
  heading (pos, _ ("Stored-value top-ups"), _ ("Count"));
  tally_row (pos, _ ("Top-ups"), &totals->top_ups, 1);
  for (guint i = 0; i < totals->tenders->len; i++)
    {
      const TillTenderTally *tender = g_ptr_array_index (totals->tenders, i);
      g_autofree char       *label = NULL;

      if (tender->top_ups.count == 0 && tender->top_ups.amount == 0)
        continue;
      label = g_strconcat ("  ", till_receipt_refund_method_label (tender->method), NULL);
      tally_row (pos, label, &tender->top_ups, 1);
    }
}

/* The float as it came to this shift: handed over by the last cashier, and
 * when it was counted afresh instead, by how much the two differ. */
static void
float_rows (TillEscpos *pos, const TillShiftReport *report)
{
  amount_row (pos, _ ("Opening float"), report->opening_float);
  if (report->handed_over < 0)
    return;
  amount_row (pos, _ ("  Handed over"), report->handed_over);
  if (report->opening_float != report->handed_over)
    amount_row (pos, _ ("  Difference"), report->opening_float - report->handed_over);
}

/* From the float to the cash the drawer should hold, each step signed as it
 * counts. A Z spans several floats: it sums the day's movements alone.
 * Returns what it printed as the total. */
static gint64
cash_section (TillEscpos *pos, const TillShiftReport *report)
{
  const TillShiftTotals *totals = &report->totals;
  const TillTenderTally *cash = till_shift_totals_get_tender (totals, "cash");
  gboolean               is_day = report->kind == TILL_SHIFT_REPORT_Z;
  gint64                 expected;

  heading (pos, _ ("Cash"), NULL);
  if (!is_day)
    float_rows (pos, report);
  amount_row (pos, _ ("Cash sales"), cash != NULL ? cash->taken.amount : 0);
  amount_row (pos, _ ("Cash refunds"), cash != NULL ? -cash->refunded.amount : 0);
  amount_row (pos, _ ("Cash top-ups"), cash != NULL ? cash->top_ups.amount : 0);
  amount_row (pos, _ ("Cash in"), totals->cash_in.amount);
  amount_row (pos, _ ("Payouts"), -totals->cash_out.amount);
  amount_row (pos, _ ("Drops to safe"), -totals->cash_drops.amount);
  expected = till_shift_totals_get_expected_cash (totals, is_day ? 0 : report->opening_float);
  bold_amount_row (pos, is_day ? _ ("Net cash") : _ ("Expected cash"), expected);
  return expected;
}

/* The close's count: each denomination there was, the total, the variance
 * and who accepted it. */
static void
count_section (TillEscpos *pos, const TillShiftReport *report, gint64 expected)
{
  g_autofree char *variance = format_variance (report->variance);

  heading (pos, _ ("Cash count"), _ ("Pieces"));
  for (guint i = 0; i < TILL_N_DENOMINATIONS; i++)
    {
      gint64           pieces = report->count.pieces[i];
      g_autofree char *label = NULL;
      g_autofree char *count = NULL;
      g_autofree char *amount = NULL;

      if (pieces == 0)
        continue;
      label = g_strconcat ("  ", till_denomination_get_label ((TillDenomination) i), NULL);
      count = format_count (pieces);
      amount = till_money_format (pieces * till_denomination_get_value ((TillDenomination) i));
      figures_row (pos, label, count, amount);
    }
  bold_amount_row (pos, _ ("Counted"), report->counted);
  /* The variance was taken against the expected cash at the count; should
   * the figures above ever say otherwise, the paper shows both. */
  if (report->expected != expected)
    amount_row (pos, _ ("Expected at the count"), report->expected);
  till_escpos_bold (pos, TRUE);
  fitted_row (pos, _ ("Variance"), variance);
  till_escpos_bold (pos, FALSE);
  if (report->variance_reason != NULL && *report->variance_reason != '\0')
    {
      g_autofree char *reason = g_strdup_printf (_ ("Reason: %s"), report->variance_reason);

      till_escpos_wrapped (pos, reason);
    }
  if (report->approved_by != NULL && *report->approved_by != '\0')
    fitted_row (pos, _ ("Approved by"), report->approved_by);
  if (report->handover)
    amount_row (pos, _ ("Handed to next cashier"), report->counted);
}

/* A Z's shifts, one block each, then the sales no shift held. */
static void
shifts_section (TillEscpos *pos, const TillShiftReport *report)
{
  gint64 total_variance = 0;

  heading (pos, _ ("Shifts"), NULL);
  for (guint i = 0; i < report->shifts->len; i++)
    {
      const TillShiftSummary *shift = g_ptr_array_index (report->shifts, i);
      g_autofree char        *cashier = format_cashier (shift->user_name, shift->user_code);
      g_autofree char        *opened = format_time (shift->opened_us, "%m-%d %H:%M");
      g_autofree char        *closed =
          shift->closed_us > 0 ? format_time (shift->closed_us, "%m-%d %H:%M") : g_strdup ("");
      g_autofree char *times = g_strdup_printf ("  %s - %s", opened, closed);

      till_escpos_bold (pos, TRUE);
      till_escpos_wrapped (pos, cashier);
      till_escpos_bold (pos, FALSE);
      till_escpos_wrapped (pos, times);
      amount_row (pos, _ ("  Sales"), shift->sales_total);
      if (shift->counted >= 0)
        {
          g_autofree char *variance = format_variance (shift->variance);

          fitted_row (pos, _ ("  Variance"), variance);
          total_variance += shift->variance;
        }
    }
  if (report->outside_sales.count > 0)
    tally_row (pos, _ ("Sales outside any shift"), &report->outside_sales, 1);
  if (report->shifts->len > 0)
    {
      g_autofree char *variance = format_variance (total_variance);

      till_escpos_bold (pos, TRUE);
      fitted_row (pos, _ ("Total variance"), variance);
      till_escpos_bold (pos, FALSE);
    }
}

/* The perpetual totals: carried from Z to Z since the till's first sale, so
 * a missing or altered Z shows as a jump. */
static void
grand_totals_section (TillEscpos *pos, const TillShiftReport *report)
{
  g_autofree char *z_no = format_count (report->z_no);

  till_escpos_separator (pos, '=');
  till_escpos_align (pos, TILL_ALIGN_CENTER);
  till_escpos_bold (pos, TRUE);
  till_escpos_wrapped (pos, _ ("Grand totals (never reset)"));
  till_escpos_bold (pos, FALSE);
  till_escpos_align (pos, TILL_ALIGN_LEFT);
  fitted_row (pos, _ ("Z No."), z_no);
  amount_row (pos, _ ("Sales"), report->grand_sales);
  amount_row (pos, _ ("Returns"), -report->grand_returns);
  bold_amount_row (pos, _ ("Net"), report->grand_total);
}

/* Where the cashier and the supervisor sign for the count. */
static void
signature_lines (TillEscpos *pos)
{
  const char *signers[] = { N_ ("Cashier signature:"), N_ ("Supervisor signature:") };

  for (guint i = 0; i < G_N_ELEMENTS (signers); i++)
    {
      till_escpos_feed (pos, 2);
      till_escpos_line (pos, _ (signers[i]));
      till_escpos_feed (pos, 2);
      till_escpos_separator (pos, '_');
    }
}

/**
 * till_shift_report_encode:
 * @report: an X, close or Z report (till-shift.h)
 * @store: for the store's name
 * @profile: (nullable): the printer; NULL for an 80 mm printer's defaults
 *
 * Lays the report out on paper; see till-shift-report.h for what it holds.
 * It reads nothing but @report and the store's name, so a reprint of the same
 * report prints the same.
 *
 * Returns: (transfer full): the ESC/POS bytes, from ESC @ to the cut
 */
GBytes *
till_shift_report_encode (const TillShiftReport    *report,
                          TillStore                *store,
                          const TillPrinterProfile *profile)
{
  g_autoptr (TillEscpos) pos = NULL;
  TillPrinterProfile default_profile;
  gint64             expected;

  g_return_val_if_fail (report != NULL, NULL);
  g_return_val_if_fail (report->totals.tenders != NULL && report->shifts != NULL, NULL);
  g_return_val_if_fail (TILL_IS_STORE (store), NULL);

  if (profile == NULL)
    {
      till_printer_profile_init (&default_profile, TILL_PAPER_80MM);
      profile = &default_profile;
    }
  pos = till_escpos_new (profile);
  till_escpos_initialize (pos);

  header (pos, report, store);
  sales_section (pos, &report->totals);
  tenders_section (pos, &report->totals);
  top_ups_section (pos, &report->totals);
  expected = cash_section (pos, report);
  if (report->kind == TILL_SHIFT_REPORT_CLOSE && report->counted >= 0)
    count_section (pos, report, expected);
  if (report->kind == TILL_SHIFT_REPORT_Z)
    {
      shifts_section (pos, report);
      grand_totals_section (pos, report);
    }
  till_escpos_separator (pos, report->kind == TILL_SHIFT_REPORT_Z ? '=' : '-');
  if (report->kind == TILL_SHIFT_REPORT_CLOSE)
    signature_lines (pos);
  till_escpos_feed (pos, 2);
  till_escpos_cut (pos);
  return till_escpos_finish (pos);
}
