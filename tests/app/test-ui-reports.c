/* test-ui-reports.c: /app/ui/reports: the real till under Xvfb: the manager
 * sells, opens the reports page and runs sales by period over today (the
 * figures equal the core's own run of the same report, the chart is drawn),
 * then the hour heat map and sales by category; exports the chart as PNG and
 * PDF and the table as CSV and XLSX, which read back. A cashier finds the
 * page closed until a supervisor approves.
 *
 * Screens go to the test output folder reports/.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <inttypes.h>
#include <string.h>

#include <cairo.h>
#include <glib/gstdio.h>
#include <sqlite3.h>
#include <till-sheet.h>

#include "till-app-test-util.h"
#include "till-application.h"
#include "till-override-dialog.h"
#include "till-reports-view.h"
#include "till-test-util.h"
#include "till-ui-test-util.h"
#include "till-window.h"

#define DEMO_SKUS 300
#define DEMO_SEED 11
#define WAIT_MS TILL_TEST_WAIT_MS
#define OUTPUT_DIR "reports"
#define N_SALES 3

typedef struct
{
  char            *dir;
  char            *db_path;
  char            *config_path;
  char            *receipt_dir;
  char            *barcode;
  TillApplication *app;
  TillWindow      *window;
  TillSession     *session;
  TillReportsView *view;
} Fixture;

static char *
single_text (TillStore *store, const char *sql)
{
  sqlite3_stmt *stmt = NULL;
  char         *text = NULL;

  ck_assert_int_eq (sqlite3_prepare_v2 (till_store_get_db (store), sql, -1, &stmt, NULL),
                    SQLITE_OK);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    text = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  return text;
}

/* The page is not one the window hands out: found among its widgets. */
static TillReportsView *
find_reports_view (GtkWidget *widget)
{
  if (TILL_IS_REPORTS_VIEW (widget))
    return TILL_REPORTS_VIEW (widget);
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      TillReportsView *view = find_reports_view (child);

      if (view != NULL)
        return view;
    }
  return NULL;
}

static void
fixture_setup (Fixture *fixture, const char *app_id)
{
  g_autoptr (TillStore) store = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *config = NULL;

  fixture->dir = till_test_make_tmpdir ();
  fixture->db_path = g_build_filename (fixture->dir, "till.db", NULL);
  fixture->config_path = g_build_filename (fixture->dir, "till.conf", NULL);
  fixture->receipt_dir = g_build_filename (fixture->dir, "receipts", NULL);
  ck_assert_int_eq (g_mkdir_with_parents (fixture->receipt_dir, 0700), 0);
  config = g_strdup_printf ("[till]\ndatabase=%s\nlanguage=zh_CN\n"
                            "[devices]\nprinter=sim://printer?dir=%s&width=80\n",
                            fixture->db_path, fixture->receipt_dir);
  ck_assert (g_file_set_contents (fixture->config_path, config, -1, NULL));

  store = till_store_open (fixture->db_path, &error);
  ck_assert_msg (store != NULL, "%s", error ? error->message : "");
  ck_assert_msg (till_demo_populate (store, DEMO_SKUS, DEMO_SEED, &error), "%s",
                 error ? error->message : "");
  fixture->barcode = single_text (
      store, "SELECT b.code FROM barcode b JOIN product p ON p.id = b.product_id "
             "WHERE p.active AND NOT p.weighed AND length(b.code) = 13 AND p.price >= 500 "
             "AND p.price <= 5000 ORDER BY p.price, p.id LIMIT 1");
  ck_assert_ptr_nonnull (fixture->barcode);
  g_clear_object (&store); /* the till takes the lock */

  fixture->window = till_test_start_till (app_id, fixture->config_path, FALSE, &fixture->app);
  fixture->session = till_window_get_session (fixture->window);
  ck_assert_msg (fixture->session != NULL, "%s", till_application_get_startup_error (fixture->app));
  fixture->view = find_reports_view (GTK_WIDGET (fixture->window));
  ck_assert_ptr_nonnull (fixture->view);
}

static void
fixture_teardown (Fixture *fixture)
{
  if (fixture->window != NULL)
    gtk_window_destroy (GTK_WINDOW (fixture->window));
  g_clear_object (&fixture->app);
  till_test_remove_tree (fixture->dir);
  g_free (fixture->dir);
  g_free (fixture->db_path);
  g_free (fixture->config_path);
  g_free (fixture->receipt_dir);
  g_free (fixture->barcode);
}

static void
activate (Fixture *fixture, const char *name, GVariant *parameter)
{
  till_test_activate (fixture->window, name, parameter);
}

static TillStore *
get_store (Fixture *fixture)
{
  return till_session_get_store (fixture->session);
}

static gboolean
shows_toast (GtkWidget *widget)
{
  if (!gtk_widget_get_mapped (widget))
    return FALSE;
  if (g_str_equal (gtk_widget_get_css_name (widget), "toast"))
    return TRUE;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (shows_toast (child))
      return TRUE;
  return FALSE;
}

static gboolean
no_toast (gpointer data)
{
  return !shows_toast (data);
}

/* The sign-in's toast ("Shift opened…") would cover the chart: it goes by
 * itself after a few seconds. */
static void
screenshot (Fixture *fixture, GtkWidget *widget, const char *name)
{
  ck_assert (till_test_wait_until (no_toast, fixture->window, WAIT_MS));
  till_test_wait_for_frames (widget, 2);
  till_test_save_screenshot_in (widget, OUTPUT_DIR, name);
}

/* A cash sale of one product, paid exactly; its subtotal (what the
 * reports count as net sales). */
static gint64
cash_sale (Fixture *fixture)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TillSale) sale = NULL;

  activate (fixture, "sale.scan", g_variant_new_string (fixture->barcode));
  activate (fixture, "sale.pay", NULL);
  activate (fixture, "pay.exact", NULL);
  activate (fixture, "sale.new", NULL);
  sale = till_sale_load_last (get_store (fixture), &error);
  ck_assert_msg (sale != NULL, "%s", error ? error->message : "");
  return till_sale_get_subtotal (sale);
}

static char *
today (void)
{
  g_autoptr (GDateTime) now = g_date_time_new_now_local ();

  return g_date_time_format (now, "%Y-%m-%d");
}

/* ---- Waiting for the page ------------------------------------------------- */

static gboolean
page_shows_reports (gpointer data)
{
  Fixture *fixture = data;

  return g_strcmp0 (till_window_get_page (fixture->window), "reports") == 0 &&
         gtk_widget_get_mapped (GTK_WIDGET (fixture->view));
}

static void
open_reports (Fixture *fixture)
{
  activate (fixture, "win.reports", NULL);
  ck_assert_msg (till_test_wait_until (page_shows_reports, fixture, WAIT_MS), "window page %s",
                 till_window_get_page (fixture->window));
}

typedef struct
{
  Fixture       *fixture;
  TillReportKind kind;
} ReportWait;

static gboolean
report_ready (gpointer data)
{
  ReportWait *wait = data;
  TillReport *report = till_reports_view_get_report (wait->fixture->view);

  return !till_reports_view_is_busy (wait->fixture->view) && report != NULL &&
         report->kind == wait->kind;
}

/* Waits until the page shows a report of @kind: the main loop runs all the
 * while (a blocked UI would never get here in time). */
static TillReport *
wait_for_report (Fixture *fixture, TillReportKind kind)
{
  ReportWait wait = { fixture, kind };

  ck_assert_msg (till_test_wait_until (report_ready, &wait, WAIT_MS),
                 "no %s report; busy %d; message: %s", till_report_kind_to_string (kind),
                 till_reports_view_is_busy (fixture->view),
                 till_reports_view_get_message (fixture->view));
  ck_assert_msg (till_reports_view_get_message (fixture->view) == NULL, "%s",
                 till_reports_view_get_message (fixture->view));
  return till_reports_view_get_report (fixture->view);
}

static gboolean
chart_drawn (gpointer data)
{
  TillChartView *chart_view = data;

  return till_chart_view_get_chart (chart_view) != NULL &&
         till_chart_view_get_n_draws (chart_view) > 0;
}

/* The chart shows and is drawn, at least as high as the design says. */
static void
assert_chart_drawn (Fixture *fixture)
{
  TillChartView *chart_view = till_reports_view_get_chart_view (fixture->view);
  guint          draws_before = till_chart_view_get_n_draws (chart_view);

  ck_assert (gtk_widget_get_mapped (GTK_WIDGET (chart_view)));
  ck_assert_msg (till_test_wait_until (chart_drawn, chart_view, WAIT_MS), "the chart is not drawn");
  till_test_wait_for_frames (GTK_WIDGET (chart_view), 2);
  ck_assert_uint_ge (till_chart_view_get_n_draws (chart_view), MAX (draws_before, 1));
  ck_assert_int_ge (gtk_widget_get_height (GTK_WIDGET (chart_view)), TILL_CHART_VIEW_MIN_HEIGHT);
}

/* ---- What the page shows, against the core -------------------------------- */

static void
assert_rows_equal (const TillReport *wanted, const TillReportRow *a, const TillReportRow *b)
{
  ck_assert_str_eq (a->key, b->key);
  for (guint c = 0; c < wanted->columns->len; c++)
    {
      const TillReportColumn *column = g_ptr_array_index (wanted->columns, c);

      ck_assert_msg (a->values[c] == b->values[c],
                     "row %s, column %s: the page shows %" PRId64 ", the core %" PRId64, a->key,
                     column->id, a->values[c], b->values[c]);
    }
}

/* The page's report is the core's own run of the same query, row by row. */
static void
assert_report_equals_core (Fixture *fixture, const TillReport *shown, const TillReportQuery *query)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TillReport) wanted = till_report_run (get_store (fixture), query, &error);

  ck_assert_msg (wanted != NULL, "%s", error ? error->message : "");
  ck_assert_int_eq (shown->kind, wanted->kind);
  ck_assert_str_eq (shown->from_day, wanted->from_day);
  ck_assert_str_eq (shown->to_day, wanted->to_day);
  ck_assert_uint_eq (shown->columns->len, wanted->columns->len);
  for (guint c = 0; c < wanted->columns->len; c++)
    ck_assert_str_eq (((TillReportColumn *) g_ptr_array_index (shown->columns, c))->id,
                      ((TillReportColumn *) g_ptr_array_index (wanted->columns, c))->id);
  ck_assert_uint_eq (shown->rows->len, wanted->rows->len);
  for (guint r = 0; r < wanted->rows->len; r++)
    assert_rows_equal (wanted, g_ptr_array_index (shown->rows, r),
                       g_ptr_array_index (wanted->rows, r));
  ck_assert_int_eq (shown->totals != NULL, wanted->totals != NULL);
  if (wanted->totals != NULL)
    assert_rows_equal (wanted, shown->totals, wanted->totals);
  ck_assert_uint_eq (shown->headlines->len, wanted->headlines->len);
  for (guint h = 0; h < wanted->headlines->len; h++)
    {
      const TillReportHeadline *a = g_ptr_array_index (shown->headlines, h);
      const TillReportHeadline *b = g_ptr_array_index (wanted->headlines, h);

      ck_assert_str_eq (a->id, b->id);
      ck_assert_int_eq (a->value, b->value);
    }
}

/* ---- Exports ------------------------------------------------------------- */

static char *
export_to (Fixture *fixture, const char *dir, const char *name)
{
  char *path = g_build_filename (dir, name, NULL);

  activate (fixture, "reports.export", g_variant_new_string (path));
  ck_assert_msg (g_file_test (path, G_FILE_TEST_IS_REGULAR), "%s not written: %s", path,
                 till_reports_view_get_message (fixture->view));
  return path;
}

static void
assert_png_loads (const char *path)
{
  cairo_surface_t *surface = cairo_image_surface_create_from_png (path);

  ck_assert_int_eq (cairo_surface_status (surface), CAIRO_STATUS_SUCCESS);
  ck_assert_int_gt (cairo_image_surface_get_width (surface), 100);
  ck_assert_int_gt (cairo_image_surface_get_height (surface), 100);
  cairo_surface_destroy (surface);
}

static void
assert_pdf_written (const char *path)
{
  g_autofree char *contents = NULL;
  gsize            length = 0;

  ck_assert (g_file_get_contents (path, &contents, &length, NULL));
  ck_assert_uint_gt (length, 100);
  ck_assert (memcmp (contents, "%PDF-", 5) == 0);
}

/* The sheet has the header, a line per row and the totals: the labels are
 * the report's, in order. */
static void
assert_sheet_has_report (const char *path, const TillReport *report)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) rows = till_sheet_read (path, &error);
  guint wanted = 1 + report->rows->len + (report->totals != NULL ? 1 : 0);

  ck_assert_msg (rows != NULL, "%s: %s", path, error ? error->message : "");
  ck_assert_uint_eq (rows->len, wanted);
  for (guint r = 0; r < report->rows->len; r++)
    {
      const TillReportRow *row = g_ptr_array_index (report->rows, r);
      GStrv                cells = g_ptr_array_index (rows, r + 1);

      ck_assert_ptr_nonnull (cells[0]);
      ck_assert_str_eq (cells[0], row->label);
      ck_assert_uint_ge (g_strv_length (cells), report->columns->len);
    }
}

static void
export_all (Fixture *fixture)
{
  g_autofree char *dir = g_build_filename (fixture->dir, "exports", NULL);
  g_autofree char *png = NULL;
  g_autofree char *pdf = NULL;
  g_autofree char *csv = NULL;
  g_autofree char *xlsx = NULL;
  TillReport      *report = till_reports_view_get_report (fixture->view);

  ck_assert_int_eq (g_mkdir_with_parents (dir, 0700), 0);
  png = export_to (fixture, dir, "report.png");
  assert_png_loads (png);
  pdf = export_to (fixture, dir, "report.PDF");
  assert_pdf_written (pdf);
  csv = export_to (fixture, dir, "report.csv");
  assert_sheet_has_report (csv, report);
  xlsx = export_to (fixture, dir, "report.xlsx");
  assert_sheet_has_report (xlsx, report);

  /* A name the page cannot write says so, and writes nothing. */
  {
    g_autofree char *odd = g_build_filename (dir, "report.doc", NULL);

    activate (fixture, "reports.export", g_variant_new_string (odd));
    ck_assert (!g_file_test (odd, G_FILE_TEST_EXISTS));
    ck_assert_ptr_nonnull (till_reports_view_get_message (fixture->view));
  }
}

/* ---- The tests ------------------------------------------------------------ */

START_TEST (test_reports_manager)
{
  Fixture          fixture = { 0 };
  g_autofree char *day = today ();
  g_autofree char *week_from = NULL;
  g_autofree char *week_to = NULL;
  gint64           sold = 0;
  TillReport      *report;
  TillReportQuery  query = { 0 };

  fixture_setup (&fixture, "org.opentill.TillTest.Reports");
  till_test_sign_in (fixture.window, TILL_DEMO_MANAGER_CODE, TILL_DEMO_MANAGER_PIN);
  for (guint i = 0; i < N_SALES; i++)
    sold += cash_sale (&fixture);
  ck_assert_int_gt (sold, 0);

  /* The page opens on a report of the last days at once. */
  open_reports (&fixture);
  ck_assert_str_eq (till_reports_view_get_page (fixture.view), "report");
  wait_for_report (&fixture, TILL_REPORT_SALES_BY_PERIOD);

  /* Sales by day over today: what the core says, our three sales in it. */
  activate (&fixture, "reports.kind", g_variant_new_string ("sales-by-period"));
  activate (&fixture, "reports.period", g_variant_new_string ("day"));
  activate (&fixture, "reports.range", g_variant_new ("(ss)", day, day));
  report = wait_for_report (&fixture, TILL_REPORT_SALES_BY_PERIOD);
  query.kind = TILL_REPORT_SALES_BY_PERIOD;
  query.from_day = day;
  query.to_day = day;
  query.period = TILL_REPORT_PERIOD_DAY;
  assert_report_equals_core (&fixture, report, &query);
  ck_assert_uint_eq (report->rows->len, 1);
  ck_assert_ptr_nonnull (report->totals);
  {
    int sales = till_report_find_column (report, "sales");
    int net = till_report_find_column (report, "net");

    ck_assert_int_ge (sales, 0);
    ck_assert_int_ge (net, 0);
    ck_assert_int_eq (report->totals->values[sales], N_SALES);
    ck_assert_int_eq (report->totals->values[net], sold);
  }
  assert_chart_drawn (&fixture);
  screenshot (&fixture, GTK_WIDGET (fixture.window), "sales-by-period.png");

  /* The hour heat map over the last 7 days. */
  activate (&fixture, "reports.preset", g_variant_new_string ("last-7-days"));
  activate (&fixture, "reports.kind", g_variant_new_string ("hour-heatmap"));
  report = wait_for_report (&fixture, TILL_REPORT_HOUR_HEATMAP);
  query.kind = TILL_REPORT_HOUR_HEATMAP;
  /* The page's report goes with the next run: the query keeps its days. */
  week_from = g_strdup (report->from_day);
  week_to = g_strdup (report->to_day);
  query.from_day = week_from;
  query.to_day = week_to;
  ck_assert_str_eq (report->to_day, day);
  assert_report_equals_core (&fixture, report, &query);
  assert_chart_drawn (&fixture);
  screenshot (&fixture, GTK_WIDGET (fixture.window), "hour-heatmap.png");

  /* Sales by category: the one we sold in. */
  activate (&fixture, "reports.kind", g_variant_new_string ("by-category"));
  report = wait_for_report (&fixture, TILL_REPORT_BY_CATEGORY);
  query.kind = TILL_REPORT_BY_CATEGORY;
  assert_report_equals_core (&fixture, report, &query);
  ck_assert_uint_ge (report->rows->len, 1);
  assert_chart_drawn (&fixture);
  screenshot (&fixture, GTK_WIDGET (fixture.window), "by-category.png");

  export_all (&fixture);

  /* A second run while one is under way: only the last one shows. */
  activate (&fixture, "reports.kind", g_variant_new_string ("by-tender"));
  activate (&fixture, "reports.kind", g_variant_new_string ("by-cashier"));
  report = wait_for_report (&fixture, TILL_REPORT_BY_CASHIER);
  query.kind = TILL_REPORT_BY_CASHIER;
  assert_report_equals_core (&fixture, report, &query);

  /* Days that do not parse: a message, no crash. */
  activate (&fixture, "reports.range", g_variant_new ("(ss)", "2026-13-45", "yesterday"));
  {
    ReportWait wait = { &fixture, TILL_REPORT_BY_CASHIER };

    ck_assert (till_test_wait_until ((TillTestPredicate) report_ready, &wait, WAIT_MS));
    ck_assert_ptr_nonnull (till_reports_view_get_message (fixture.view));
  }
  screenshot (&fixture, GTK_WIDGET (fixture.window), "bad-range.png");

  fixture_teardown (&fixture);
}
END_TEST

static gboolean
no_override_dialog (gpointer data)
{
  return till_reports_view_get_override_dialog (data) == NULL;
}

START_TEST (test_reports_cashier)
{
  Fixture             fixture = { 0 };
  TillOverrideDialog *dialog;

  fixture_setup (&fixture, "org.opentill.TillTest.ReportsCashier");
  till_test_sign_in (fixture.window, TILL_DEMO_CASHIER_CODE, TILL_DEMO_CASHIER_PIN);
  open_reports (&fixture);
  ck_assert_str_eq (till_reports_view_get_page (fixture.view), "denied");
  ck_assert_ptr_nonnull (till_reports_view_get_message (fixture.view));
  ck_assert_ptr_null (till_reports_view_get_report (fixture.view));
  ck_assert (!till_reports_view_is_busy (fixture.view));
  screenshot (&fixture, GTK_WIDGET (fixture.window), "cashier-denied.png");

  /* Running anyway is refused. */
  activate (&fixture, "reports.run", NULL);
  ck_assert (!till_reports_view_is_busy (fixture.view));
  ck_assert_ptr_null (till_reports_view_get_report (fixture.view));

  /* The manager approves on the spot: the page opens for this visit. */
  activate (&fixture, "reports.approve", NULL);
  dialog = till_reports_view_get_override_dialog (fixture.view);
  ck_assert_ptr_nonnull (dialog);
  ck_assert (till_test_wait_until (till_test_is_mapped, dialog, WAIT_MS));
  till_override_dialog_set_credentials (dialog, TILL_DEMO_MANAGER_CODE, TILL_DEMO_MANAGER_PIN);
  gtk_widget_activate_action (GTK_WIDGET (dialog), "override.approve", NULL);
  ck_assert_msg (till_test_wait_until (no_override_dialog, fixture.view, WAIT_MS),
                 "the dialog stayed open: %s", till_override_dialog_get_error (dialog));
  ck_assert_str_eq (till_reports_view_get_page (fixture.view), "report");
  wait_for_report (&fixture, TILL_REPORT_SALES_BY_PERIOD);
  screenshot (&fixture, GTK_WIDGET (fixture.window), "cashier-approved.png");

  /* Shown again, the page asks again. */
  activate (&fixture, "reports.close", NULL);
  open_reports (&fixture);
  ck_assert_str_eq (till_reports_view_get_page (fixture.view), "denied");

  fixture_teardown (&fixture);
}
END_TEST

static Suite *
ui_reports_suite (void)
{
  Suite *suite = suite_create ("/app/ui/reports");
  TCase *tcase = tcase_create ("/app/ui/reports");

  tcase_set_timeout (tcase, 170);
  tcase_add_test (tcase, test_reports_manager);
  tcase_add_test (tcase, test_reports_cashier);
  suite_add_tcase (suite, tcase);
  return suite;
}

int
main (void)
{
  return till_test_run_suite (ui_reports_suite ());
}
