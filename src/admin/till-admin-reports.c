/* till-admin-reports.c: `opentill-admin report`, the till's reports for store
 * IT, run through the core (till-report.h) and written by the chart and
 * sheet layers, as the screens do
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "opentill-admin"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "till-admin-reports.h"
#include "till-admin-util.h"
#include "till-chart.h"
#include "till-core.h"
#include "till-sheet.h"

/* Today, and the first day of this month, as the default range. */
static char *
local_day (int days_back, gboolean first_of_month)
{
  g_autoptr (GDateTime) now = g_date_time_new_now_local ();
  g_autoptr (GDateTime) day = g_date_time_add_days (now, -days_back);

  return g_date_time_format (day, first_of_month ? "%Y-%m-01" : "%Y-%m-%d");
}

static gboolean
parse_period (const char *text, TillReportPeriod *out_period)
{
  static const char *const names[] = { "day", "week", "month" };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    if (g_strcmp0 (text, names[i]) == 0)
      {
        *out_period = (TillReportPeriod) i;
        return TRUE;
      }
  return FALSE;
}

static void
print_kinds (void)
{
  for (guint i = 0; i < TILL_N_REPORT_KINDS; i++)
    g_print ("%-20s %s\n", till_report_kind_to_string (i), till_report_kind_get_title (i));
}

static void
print_report (const TillReport *report)
{
  g_autoptr (GPtrArray) header = g_ptr_array_new ();
  g_autoptr (TillAdminTable) table = NULL;
  guint n_columns = report->columns->len + 1;

  g_print ("%s\n\n", report->title);
  for (guint i = 0; i < report->headlines->len; i++)
    {
      const TillReportHeadline *headline = g_ptr_array_index (report->headlines, i);
      g_autofree char          *value = till_report_format_value (headline->kind, headline->value);

      g_print ("  %s: %s\n", headline->title, value);
    }
  if (report->headlines->len > 0)
    g_print ("\n");

  g_ptr_array_add (header, (gpointer) "");
  for (guint c = 0; c < report->columns->len; c++)
    g_ptr_array_add (header, ((TillReportColumn *) g_ptr_array_index (report->columns, c))->title);
  g_ptr_array_add (header, NULL);
  table = till_admin_table_new (~(guint64) 1, n_columns, (const char *const *) header->pdata);
  for (guint r = 0; r <= report->rows->len; r++)
    {
      const TillReportRow *row =
          r < report->rows->len ? g_ptr_array_index (report->rows, r) : report->totals;
      char **cells;

      if (row == NULL)
        continue;
      cells = g_new0 (char *, n_columns + 1);
      cells[0] = g_strdup (r < report->rows->len ? row->label : _ ("Totals"));
      for (guint c = 0; c < report->columns->len; c++)
        {
          const TillReportColumn *column = g_ptr_array_index (report->columns, c);

          cells[c + 1] = till_report_format_value (column->kind, row->values[c]);
        }
      till_admin_table_add_row (table, cells);
    }
  till_admin_table_print (table, "  ");
}

/* Writes each file asked for; FALSE at the first that fails (said why). */
static gboolean
write_exports (const TillReport *report,
               const char       *csv_path,
               const char       *xlsx_path,
               const char       *png_path,
               const char       *pdf_path)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TillChart) chart = NULL;

  if (csv_path != NULL && !till_sheet_write_report (report, csv_path, TILL_SHEET_CSV, &error))
    goto failed;
  if (xlsx_path != NULL && !till_sheet_write_report (report, xlsx_path, TILL_SHEET_XLSX, &error))
    goto failed;
  if (png_path != NULL || pdf_path != NULL)
    chart = till_chart_new_for_report (report);
  if (png_path != NULL && !till_chart_save_png (chart, png_path, 1200, 700, &error))
    goto failed;
  if (pdf_path != NULL && !till_chart_save_pdf (chart, pdf_path, 842, 595, &error))
    goto failed;
  return TRUE;

failed:
  g_printerr ("opentill-admin report: %s\n", error->message);
  return FALSE;
}

int
till_admin_report_run (int argc, char **argv)
{
  g_autofree char   *db_path = NULL, *from = NULL, *to = NULL, *period_text = NULL;
  g_autofree char   *csv_path = NULL, *xlsx_path = NULL, *png_path = NULL, *pdf_path = NULL;
  int                limit = 0;
  const GOptionEntry entries[] = {
    { "db", 0, 0, G_OPTION_ARG_FILENAME, &db_path, N_ ("The till’s database"), N_ ("PATH") },
    { "from", 0, 0, G_OPTION_ARG_STRING, &from, N_ ("First day (default: the 1st of this month)"),
      N_ ("YYYY-MM-DD") },
    { "to", 0, 0, G_OPTION_ARG_STRING, &to, N_ ("Last day (default: today)"), N_ ("YYYY-MM-DD") },
    { "period", 0, 0, G_OPTION_ARG_STRING, &period_text, N_ ("day, week or month"), N_ ("PERIOD") },
    { "limit", 0, 0, G_OPTION_ARG_INT, &limit, N_ ("At most N rows (products, members)"),
      N_ ("N") },
    { "csv", 0, 0, G_OPTION_ARG_FILENAME, &csv_path, N_ ("Write the table as CSV"), N_ ("FILE") },
    { "xlsx", 0, 0, G_OPTION_ARG_FILENAME, &xlsx_path, N_ ("Write the table as XLSX"),
      N_ ("FILE") },
    { "png", 0, 0, G_OPTION_ARG_FILENAME, &png_path, N_ ("Draw the chart as PNG"), N_ ("FILE") },
    { "pdf", 0, 0, G_OPTION_ARG_FILENAME, &pdf_path, N_ ("Draw the chart as PDF"), N_ ("FILE") },
    { NULL },
  };
  g_autoptr (TillStore) store = NULL;
  g_autoptr (TillReport) report = NULL;
  g_autoptr (GError) error = NULL;
  TillReportQuery query = { 0 };
  gboolean        done = FALSE;
  int             status;

  if (!till_admin_parse_options ("report", _ ("KIND|list"),
                                 _ ("Run one of the till’s reports, print it or export it."),
                                 entries, &argc, &argv, 1, &status))
    return status;
  if (argc < 2)
    {
      g_printerr (_ ("opentill-admin report: which report? (opentill-admin report list)\n"));
      return EXIT_USAGE;
    }
  if (g_str_equal (argv[1], "list"))
    {
      print_kinds ();
      return EXIT_OK;
    }
  if (!till_report_kind_from_string (argv[1], &query.kind))
    {
      g_printerr (_ ("opentill-admin report: no report “%s” (opentill-admin report list)\n"),
                  argv[1]);
      return EXIT_USAGE;
    }
  if (period_text != NULL && !parse_period (period_text, &query.period))
    {
      g_printerr (_ ("opentill-admin report: the period is day, week or month\n"));
      return EXIT_USAGE;
    }
  if (from == NULL)
    from = local_day (0, TRUE);
  if (to == NULL)
    to = local_day (0, FALSE);
  query.from_day = from;
  query.to_day = to;
  query.limit = (guint) MAX (limit, 0);

  store = till_admin_open_store ("report", db_path, &status);
  if (store == NULL)
    return status;
  while (!done)
    if (!till_report_refresh (store, 10000, &done, &error))
      break;
  if (error == NULL)
    report = till_report_run (store, &query, &error);
  if (report == NULL)
    {
      g_printerr ("opentill-admin report: %s\n", error->message);
      return EXIT_FAILED;
    }
  if (csv_path == NULL && xlsx_path == NULL && png_path == NULL && pdf_path == NULL)
    print_report (report);
  else if (!write_exports (report, csv_path, xlsx_path, png_path, pdf_path))
    return EXIT_FAILED;
  return EXIT_OK;
}
