/* till-admin-shifts.c: `opentill-admin shifts` and `opentill-admin z-report`,
 * the till's shifts and its Z reports (日结) for store IT, read through the
 * core (src/core/till-shift.h) and never with SQL of their own
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "opentill-admin"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "till-admin-shifts.h"
#include "till-admin-util.h"
#include "till-core.h"

/* --- Formatting ------------------------------------------------------------------ */

/* "2026-11-23 14:05" in local time, "-" for none. */
static char *
format_time (gint64 time_us)
{
  g_autoptr (GDateTime) time = NULL;

  if (time_us <= 0)
    return g_strdup ("-");
  time = g_date_time_new_from_unix_local (time_us / G_USEC_PER_SEC);
  return time != NULL ? g_date_time_format (time, "%Y-%m-%d %H:%M") : g_strdup ("-");
}

/* "12.50", or "-" for an amount not known yet (-1). */
static char *
format_amount_or_dash (gint64 fen, gboolean known)
{
  return known ? till_money_format (fen) : g_strdup ("-");
}

static char *
format_count (gint64 count)
{
  return g_strdup_printf ("%" PRId64, count);
}

/* "Label:     value", the values lined up whatever the label's script. */
static void
print_field (const char *label, const char *value)
{
  gsize width = till_admin_display_width (label);

  g_print ("%s%*s %s\n", label, (int) (width < 22 ? 22 - width : 0), "",
           value != NULL ? value : "");
}

/* --- shifts ---------------------------------------------------------------------- */

/* Local midnight of @day ("2026-03-01") in µs since the epoch. */
static gboolean
parse_day (const char *day, gint64 *out_us)
{
  g_autoptr (GTimeZone) local = g_time_zone_new_local ();
  g_autoptr (GDateTime) midnight = NULL;
  int  year, month, mday;
  char end;

  if (sscanf (day, "%4d-%2d-%2d%c", &year, &month, &mday, &end) != 3 || strlen (day) != 10)
    return FALSE;
  midnight = g_date_time_new (local, year, month, mday, 0, 0, 0);
  if (midnight == NULL)
    return FALSE;
  *out_us = g_date_time_to_unix (midnight) * G_USEC_PER_SEC;
  return TRUE;
}

static char *
state_label (TillShift *shift)
{
  switch (till_shift_get_state (shift))
    {
    case TILL_SHIFT_STATE_OPEN:
      return g_strdup (_ ("open"));
    case TILL_SHIFT_STATE_CLOSING:
      return g_strdup (till_shift_get_counted (shift) >= 0 ? _ ("closing, counted")
                                                           : _ ("closing"));
    case TILL_SHIFT_STATE_CLOSED:
    default:
      return g_strdup (till_shift_get_handover (shift) ? _ ("handed over") : _ ("closed"));
    }
}

/* The shift's sales (fen), known once it is counted: the close report's. */
static gboolean
shift_sales (TillStore *store, TillShift *shift, gint64 *out_sales, GError **error)
{
  g_autoptr (TillShiftReport) report = NULL;

  if (till_shift_get_counted (shift) < 0)
    return TRUE;
  report = till_shift_close_report (store, till_shift_get_uuid (shift), error);
  if (report == NULL)
    return FALSE;
  *out_sales = report->totals.sales.amount;
  return TRUE;
}

static gboolean
add_shift_row (TillAdminTable *table, TillStore *store, TillShift *shift, GError **error)
{
  gboolean counted = till_shift_get_counted (shift) >= 0;
  gint64   sales = 0;

  if (!shift_sales (store, shift, &sales, error))
    return FALSE;
  till_admin_table_add (
      table,
      g_strdup_printf ("%s %s", till_shift_get_user_code (shift), till_shift_get_user_name (shift)),
      format_time (till_shift_get_opened_us (shift)),
      format_time (till_shift_get_closed_us (shift)), state_label (shift),
      format_amount_or_dash (sales, counted),
      format_amount_or_dash (till_shift_get_expected (shift), counted),
      format_amount_or_dash (till_shift_get_counted (shift), counted),
      format_amount_or_dash (till_shift_get_variance (shift), counted));
  return TRUE;
}

int
till_admin_shifts_run (int argc, char **argv)
{
  g_autofree char *db_path = NULL;
  g_autofree char *since = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (TillStore) store = NULL;
  g_autoptr (GPtrArray) shifts = NULL;
  g_autoptr (TillAdminTable) table = NULL;
  gint64             since_us = 0;
  int                status;
  const GOptionEntry entries[] = {
    { "db", 0, 0, G_OPTION_ARG_FILENAME, &db_path,
      N_ ("The till database (default: $OPENTILL_DB or ~/.local/share/opentill/till.db)"),
      N_ ("PATH") },
    { "since", 0, 0, G_OPTION_ARG_STRING, &since, N_ ("Only shifts opened on or after this day"),
      N_ ("YYYY-MM-DD") },
    { NULL },
  };
  const char *const header[] = {
    _ ("Cashier"),  _ ("Opened"),  _ ("Closed"),   _ ("State"), _ ("Sales"),
    _ ("Expected"), _ ("Counted"), _ ("Variance"), NULL,
  };

  if (!till_admin_parse_options (
          "shifts", NULL,
          _ ("Lists the till’s shifts, newest first. Sales, expected and counted cash "
             "and the variance show once the drawer was counted (the count is "
             "blind: the expected cash is never shown before it)."),
          entries, &argc, &argv, 0, &status))
    return status;
  if (since != NULL && !parse_day (since, &since_us))
    {
      g_printerr (_ ("opentill-admin shifts: --since: “%s” is not a day like 2026-03-01\n"), since);
      return EXIT_USAGE;
    }
  store = till_admin_open_store ("shifts", db_path, &status);
  if (store == NULL)
    return status;
  shifts = till_shift_list (store, since_us, &error);
  if (shifts == NULL)
    goto fail;
  table = till_admin_table_new (0xf0, G_N_ELEMENTS (header) - 1, header);
  for (guint i = 0; i < shifts->len; i++)
    if (!add_shift_row (table, store, g_ptr_array_index (shifts, i), &error))
      goto fail;
  till_admin_table_print (table, "");
  if (shifts->len == 0)
    g_print ("%s\n", _ ("(no shifts)"));
  return EXIT_OK;

fail:
  g_printerr ("opentill-admin shifts: %s\n", error->message);
  return EXIT_FAILED;
}

/* --- z-report -------------------------------------------------------------------- */

static void
add_tally_row (TillAdminTable *table, const char *label, const TillTally *tally)
{
  till_admin_table_add (table, g_strdup (label), format_count (tally->count),
                        till_money_format (tally->amount));
}

/* The day's figures, from gross sales to the cash moved. */
static void
print_day_totals (const TillShiftTotals *totals)
{
  const char *const header[] = { "", _ ("Count"), _ ("Amount"), NULL };
  g_autoptr (TillAdminTable) table = till_admin_table_new (0x6, 3, header);

  add_tally_row (table, _ ("Sales"), &totals->sales);
  add_tally_row (table, _ ("Gross (lines)"), &totals->gross);
  add_tally_row (table, _ ("Discounts"), &totals->discounts);
  add_tally_row (table, _ ("Promotions"), &totals->promotions);
  add_tally_row (table, _ ("Rounding"), &totals->rounding);
  add_tally_row (table, _ ("Returns"), &totals->returns);
  add_tally_row (table, _ ("Voided lines"), &totals->voided_lines);
  add_tally_row (table, _ ("Voided sales"), &totals->voided_sales);
  add_tally_row (table, _ ("No sales"), &totals->no_sales);
  add_tally_row (table, _ ("Drawer openings"), &totals->drawer_opens);
  add_tally_row (table, _ ("Cash in"), &totals->cash_in);
  add_tally_row (table, _ ("Cash out"), &totals->cash_out);
  add_tally_row (table, _ ("Cash drops"), &totals->cash_drops);
  add_tally_row (table, _ ("Stored-value top-ups"), &totals->top_ups);
  till_admin_table_print (table, "  ");
}

static void
print_tenders (const TillShiftTotals *totals)
{
  const char *const header[] = { _ ("Tender"), _ ("Taken"),   _ ("Refunded"),
                                 _ ("Net"),    _ ("Top-ups"), NULL };
  g_autoptr (TillAdminTable) table = till_admin_table_new (0x1e, 5, header);

  for (guint i = 0; i < totals->tenders->len; i++)
    {
      const TillTenderTally *tender = g_ptr_array_index (totals->tenders, i);

      till_admin_table_add (table, g_strdup (tender->method),
                            till_money_format (tender->taken.amount),
                            till_money_format (tender->refunded.amount),
                            till_money_format (tender->taken.amount - tender->refunded.amount),
                            till_money_format (tender->top_ups.amount));
    }
  till_admin_table_print (table, "  ");
}

static void
print_shift_summaries (GPtrArray *shifts)
{
  const char *const header[] = { _ ("Cashier"),  _ ("Opened"),  _ ("Closed"),   _ ("Sales"),
                                 _ ("Expected"), _ ("Counted"), _ ("Variance"), NULL };
  g_autoptr (TillAdminTable) table = till_admin_table_new (0x78, 7, header);

  for (guint i = 0; i < shifts->len; i++)
    {
      const TillShiftSummary *shift = g_ptr_array_index (shifts, i);

      till_admin_table_add (table, g_strdup_printf ("%s %s", shift->user_code, shift->user_name),
                            format_time (shift->opened_us), format_time (shift->closed_us),
                            till_money_format (shift->sales_total),
                            till_money_format (shift->expected), till_money_format (shift->counted),
                            till_money_format (shift->variance));
    }
  till_admin_table_print (table, "  ");
  if (shifts->len == 0)
    g_print ("  %s\n", _ ("(no shifts)"));
}

static void
print_z_report (const TillShiftReport *report)
{
  g_autofree char *title = g_strdup_printf (_ ("Z report No. %" PRId64), report->z_no);
  g_autofree char *opened = format_time (report->opened_us);
  g_autofree char *closed = format_time (report->closed_us);
  g_autofree char *taken_by =
      g_strdup_printf ("%s %s", report->user_code != NULL ? report->user_code : "",
                       report->user_name != NULL ? report->user_name : "");
  g_autofree char *outside = format_count (report->outside_sales.count);
  g_autofree char *grand_total = till_money_format (report->grand_total);
  g_autofree char *grand_sales = till_money_format (report->grand_sales);
  g_autofree char *grand_returns = till_money_format (report->grand_returns);
  g_autofree char *net =
      till_money_format (report->totals.sales.amount - report->totals.returns.amount);

  g_print ("%s\n\n", title);
  print_field (_ ("Till"), report->till_id);
  print_field (_ ("Day opened"), opened);
  print_field (_ ("Day closed"), closed);
  print_field (_ ("Taken by"), g_strstrip (taken_by));
  g_print ("\n%s\n", _ ("The day"));
  print_day_totals (&report->totals);
  print_field (_ ("Net (sales − returns)"), net);
  g_print ("\n%s\n", _ ("Tenders"));
  print_tenders (&report->totals);
  g_print ("\n%s\n", _ ("Shifts"));
  print_shift_summaries (report->shifts);
  print_field (_ ("Sales outside a shift"), outside);
  g_print ("\n%s\n", _ ("Grand totals (never reset)"));
  print_field (_ ("Grand total"), grand_total);
  print_field (_ ("Grand sales"), grand_sales);
  print_field (_ ("Grand returns"), grand_returns);
}

int
till_admin_z_report_run (int argc, char **argv)
{
  g_autofree char *db_path = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (TillStore) store = NULL;
  g_autoptr (TillShiftReport) report = NULL;
  guint64            z_no = 0;
  int                status;
  const GOptionEntry entries[] = {
    { "db", 0, 0, G_OPTION_ARG_FILENAME, &db_path,
      N_ ("The till database (default: $OPENTILL_DB or ~/.local/share/opentill/till.db)"),
      N_ ("PATH") },
    { NULL },
  };

  if (!till_admin_parse_options (
          "z-report", _ ("[N]"),
          _ ("Shows Z report N (the day’s closing report) as it was taken, or the last "
             "one: the day’s "
             "sales, tenders and shifts and the grand totals."),
          entries, &argc, &argv, 1, &status))
    return status;
  if (argc == 2 && !g_ascii_string_to_unsigned (argv[1], 10, 1, G_MAXINT64, &z_no, &error))
    {
      g_printerr ("opentill-admin z-report: %s\n", error->message);
      return EXIT_USAGE;
    }
  store = till_admin_open_store ("z-report", db_path, &status);
  if (store == NULL)
    return status;
  if (z_no == 0)
    {
      gint64 last = till_shift_get_last_z_no (store, &error);

      if (last < 0)
        goto fail;
      if (last == 0)
        {
          g_printerr ("%s\n", _ ("opentill-admin z-report: no Z report has been taken yet"));
          return EXIT_FAILED;
        }
      z_no = (guint64) last;
    }
  report = till_shift_load_z_report (store, (gint64) z_no, &error);
  if (report == NULL)
    goto fail;
  print_z_report (report);
  return EXIT_OK;

fail:
  g_printerr ("opentill-admin z-report: %s\n", error->message);
  return EXIT_FAILED;
}
