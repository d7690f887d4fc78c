/* test-ui-shift.c: /app/ui/shift: the real till under Xvfb: the cashier
 * counts a float by tapping + and opens a shift, sells, reads the X report,
 * drops cash to the safe and pays out with a supervisor's approval, hands
 * over with a count off by more than the threshold (refused until the
 * manager accepts it with a reason), the manager accepts the float handed
 * over, sells, closes the shift and ends the day with a Z report; a till
 * killed in the middle of a close resumes at the count.
 *
 * Screens go to the test output folder shift/, and so do the printed
 * reports as the simulated printer renders them.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <inttypes.h>
#include <string.h>

#include <glib/gi18n-lib.h>
#include <sqlite3.h>

#include "till-app-test-util.h"
#include "till-application.h"
#include "till-override-dialog.h"
#include "till-shift-view.h"
#include "till-test-util.h"
#include "till-ui-test-util.h"
#include "till-ui-util.h"
#include "till-window.h"

#define DEMO_SKUS 300
#define DEMO_SEED 7
#define WAIT_MS TILL_TEST_WAIT_MS
#define OUTPUT_DIR "shift"

typedef struct
{
  const char      *app_id;
  char            *dir;
  char            *db_path;
  char            *config_path;
  char            *receipt_dir;
  char            *barcode;
  TillApplication *app;
  TillWindow      *window;
  TillSession     *session;
  TillShiftView   *view;
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

static void
fixture_start_app (Fixture *fixture)
{
  fixture->window =
      till_test_start_till (fixture->app_id, fixture->config_path, FALSE, &fixture->app);
  fixture->session = till_window_get_session (fixture->window);
  ck_assert_msg (fixture->session != NULL, "%s", till_application_get_startup_error (fixture->app));
  fixture->view = till_window_get_shift_view (fixture->window);
}

static void
fixture_setup (Fixture *fixture)
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

  fixture_start_app (fixture);
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

static void
screenshot (GtkWidget *widget, const char *name)
{
  till_test_wait_for_frames (widget, 2);
  till_test_save_screenshot_in (widget, OUTPUT_DIR, name);
}

/* A finger on a button (gtk_widget_activate() would wait for its animation). */
static void
tap (GtkWidget *button)
{
  ck_assert (gtk_widget_is_sensitive (button));
  g_signal_emit_by_name (button, "clicked");
}

static GVariant *
count_variant (const TillCashCount *count)
{
  return g_variant_new_fixed_array (G_VARIANT_TYPE_INT64, count->pieces, TILL_N_DENOMINATIONS,
                                    sizeof (gint64));
}

/* @amount (fen, a multiple of 10) as notes and coins, largest first. */
static void
count_for (gint64 amount, TillCashCount *out_count)
{
  memset (out_count, 0, sizeof *out_count);
  for (guint i = 0; i < TILL_N_DENOMINATIONS; i++)
    {
      gint64 value = till_denomination_get_value (i);

      /* The 1 yuan coin is counted apart from the note: the note takes it. */
      if (i == TILL_DENOMINATION_COIN_1)
        continue;
      out_count->pieces[i] = amount / value;
      amount -= out_count->pieces[i] * value;
    }
  ck_assert_int_eq (amount, 0);
}

/* ---- Printed papers ------------------------------------------------------- */

static int
compare_names (gconstpointer a, gconstpointer b)
{
  return g_strcmp0 (*(const char *const *) a, *(const char *const *) b);
}

static GPtrArray *
list_pngs (const char *path)
{
  g_autoptr (GDir) dir = g_dir_open (path, 0, NULL);
  GPtrArray  *names = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    if (g_str_has_suffix (name, ".png"))
      g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, compare_names);
  return names;
}

static guint
count_pngs (const char *path)
{
  g_autoptr (GPtrArray) names = list_pngs (path);

  return names->len;
}

typedef struct
{
  const char *dir;
  guint       wanted;
} PngWait;

static gboolean
enough_pngs (gpointer data)
{
  PngWait *wait = data;

  return count_pngs (wait->dir) >= wait->wanted;
}

typedef struct
{
  const char *path;
  char       *contents;
  gsize       length;
} PaperWait;

/* The simulated printer writes its PNG in place: a whole one ends with
 * the IEND chunk. */
static gboolean
paper_written (gpointer data)
{
  static const guchar iend[] = { 'I', 'E', 'N', 'D', 0xae, 0x42, 0x60, 0x82 };
  PaperWait          *wait = data;

  g_clear_pointer (&wait->contents, g_free);
  if (!g_file_get_contents (wait->path, &wait->contents, &wait->length, NULL))
    return FALSE;
  return wait->length > sizeof iend &&
         memcmp (wait->contents + wait->length - sizeof iend, iend, sizeof iend) == 0;
}

/* Waits for one more printed paper and keeps it as shift/@name. */
static void
keep_next_paper (Fixture *fixture, guint *papers, const char *name)
{
  PngWait wait = { fixture->receipt_dir, *papers + 1 };
  g_autoptr (GPtrArray) names = NULL;
  g_autofree char *from = NULL;
  g_autofree char *to = NULL;
  PaperWait        paper = { 0 };

  ck_assert_msg (till_test_wait_until (enough_pngs, &wait, WAIT_MS),
                 "%u printed papers in %s, wanted %u", count_pngs (fixture->receipt_dir),
                 fixture->receipt_dir, wait.wanted);
  names = list_pngs (fixture->receipt_dir);
  *papers = names->len;
  if (name == NULL)
    return;
  from = g_build_filename (fixture->receipt_dir, g_ptr_array_index (names, names->len - 1), NULL);
  paper.path = from;
  ck_assert_msg (till_test_wait_until (paper_written, &paper, WAIT_MS), "%s is not whole", from);
  to = till_test_output_path (OUTPUT_DIR, name);
  ck_assert (g_file_set_contents (to, paper.contents, (gssize) paper.length, NULL));
  g_free (paper.contents);
}

/* ---- What the screen shows ------------------------------------------------ */

typedef struct
{
  Fixture    *fixture;
  const char *page;
} PageWait;

static gboolean
shift_page_shows (gpointer data)
{
  PageWait *wait = data;

  return g_strcmp0 (till_window_get_page (wait->fixture->window), "shift") == 0 &&
         g_strcmp0 (till_shift_view_get_page (wait->fixture->view), wait->page) == 0;
}

static void
assert_shift_page (Fixture *fixture, const char *page)
{
  PageWait wait = { fixture, page };

  ck_assert_msg (till_test_wait_until (shift_page_shows, &wait, WAIT_MS),
                 "window page %s, shift page %s (wanted %s); message: %s",
                 till_window_get_page (fixture->window), till_shift_view_get_page (fixture->view),
                 page, till_shift_view_get_message (fixture->view, NULL));
}

static void
assert_text_has (const char *text, const char *wanted)
{
  ck_assert_msg (strstr (text, wanted) != NULL, "“%s” not in:\n%s", wanted, text);
}

/* Whether a label or button that shows on screen says @text. */
static gboolean
screen_shows (GtkWidget *widget, const char *text)
{
  const char *shown = NULL;

  if (!gtk_widget_get_mapped (widget))
    return FALSE;
  if (GTK_IS_LABEL (widget))
    shown = gtk_label_get_text (GTK_LABEL (widget));
  if (shown != NULL && strstr (shown, text) != NULL)
    return TRUE;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (screen_shows (child, text))
      return TRUE;
  return FALSE;
}

/* The report row @label as "count\tvalue" from the screen's text. */
static char *
report_row (Fixture *fixture, const char *label)
{
  g_autofree char *text = till_shift_view_dup_report_text (fixture->view);
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);
  g_autofree char *prefix = g_strconcat (label, "\t", NULL);

  for (guint i = 0; lines[i] != NULL; i++)
    if (g_str_has_prefix (lines[i], prefix))
      return g_strdup (lines[i] + strlen (prefix));
  ck_abort_msg ("no row %s in the report:\n%s", label, text);
  return NULL;
}

static void
assert_report_row (Fixture *fixture, const char *label, gint64 count, gint64 amount)
{
  g_autofree char *row = report_row (fixture, label);
  g_autofree char *money = till_ui_format_money (amount);
  g_autofree char *wanted = count >= 0 ? g_strdup_printf ("%" PRId64 "\t%s", count, money)
                                       : g_strdup_printf ("\t%s", money);

  ck_assert_str_eq (row, wanted);
}

static gboolean
no_override_dialog (gpointer data)
{
  return till_shift_view_get_override_dialog (data) == NULL;
}

/* The demo manager keys their code and PIN into the open dialog. */
static void
manager_approves (Fixture *fixture, const char *screenshot_name)
{
  TillOverrideDialog *dialog = till_shift_view_get_override_dialog (fixture->view);

  ck_assert_ptr_nonnull (dialog);
  ck_assert (till_test_wait_until (till_test_is_mapped, dialog, WAIT_MS));
  if (screenshot_name != NULL)
    screenshot (GTK_WIDGET (dialog), screenshot_name);
  till_override_dialog_set_credentials (dialog, TILL_DEMO_MANAGER_CODE, TILL_DEMO_MANAGER_PIN);
  gtk_widget_activate_action (GTK_WIDGET (dialog), "override.approve", NULL);
  ck_assert_msg (till_test_wait_until (no_override_dialog, fixture->view, WAIT_MS),
                 "the dialog stayed open: %s", till_override_dialog_get_error (dialog));
}

/* A cash sale of one product, paid exactly. */
static TillSale *
cash_sale (Fixture *fixture)
{
  g_autoptr (GError) error = NULL;
  TillSale *sale;

  activate (fixture, "sale.scan", g_variant_new_string (fixture->barcode));
  activate (fixture, "sale.pay", NULL);
  activate (fixture, "pay.exact", NULL);
  activate (fixture, "sale.new", NULL);
  sale = till_sale_load_last (get_store (fixture), &error);
  ck_assert_msg (sale != NULL, "%s", error ? error->message : "");
  return sale;
}

static gint64
expected_cash_now (Fixture *fixture)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TillShiftReport) x =
      till_shift_x_report (get_store (fixture), till_session_get_journal (fixture->session),
                           till_session_get_user (fixture->session), NULL, &error);

  ck_assert_msg (x != NULL, "%s", error ? error->message : "");
  return till_shift_totals_get_expected_cash (&x->totals, x->opening_float);
}

static TillShift *
current_shift (Fixture *fixture)
{
  g_autoptr (GError) error = NULL;
  TillShift *shift = till_shift_get_current (get_store (fixture), &error);

  ck_assert_msg (error == NULL, "%s", error ? error->message : "");
  return shift;
}

/* ---- The day ------------------------------------------------------------- */

/* The cashier counts ¥285 by tapping + and opens the shift. */
static void
open_with_counted_float (Fixture *fixture)
{
  TillCashCounter *counter;
  g_autoptr (TillShift) shift = NULL;
  g_autofree char *total = till_ui_format_money (28500);
  TillCashCount    count;
  const struct
  {
    TillDenomination denomination;
    guint            taps;
  } taps[] = {
    { TILL_DENOMINATION_NOTE_100, 2 },
    { TILL_DENOMINATION_NOTE_50, 1 },
    { TILL_DENOMINATION_NOTE_10, 3 },
    { TILL_DENOMINATION_COIN_1, 5 },
  };

  activate (fixture, "win.login",
            g_variant_new ("(ss)", TILL_DEMO_CASHIER_CODE, TILL_DEMO_CASHIER_PIN));
  assert_shift_page (fixture, "open");
  ck_assert_str_eq (till_shift_view_get_banner_text (fixture->view), "");
  ck_assert (!till_shift_view_get_z_offered (fixture->view));
  screenshot (GTK_WIDGET (fixture->window), "01-open-shift.png");

  counter = till_shift_view_get_open_counter (fixture->view);
  for (guint i = 0; i < G_N_ELEMENTS (taps); i++)
    for (guint n = 0; n < taps[i].taps; n++)
      tap (till_cash_counter_get_plus_button (counter, taps[i].denomination));
  /* One too many ten-yuan notes, taken back with −. */
  tap (till_cash_counter_get_plus_button (counter, TILL_DENOMINATION_NOTE_10));
  tap (till_cash_counter_get_minus_button (counter, TILL_DENOMINATION_NOTE_10));
  ck_assert_int_eq (till_cash_counter_get_total (counter), 28500);
  ck_assert_str_eq (till_cash_counter_get_total_text (counter), total);
  {
    g_autofree char *row = till_ui_format_money (20000);

    ck_assert_str_eq (till_cash_counter_get_row_amount_text (counter, TILL_DENOMINATION_NOTE_100),
                      row);
  }
  screenshot (GTK_WIDGET (fixture->window), "02-float-counted.png");

  till_cash_counter_get_count (counter, &count);
  activate (fixture, "win.shift-open", count_variant (&count));
  ck_assert_str_eq (till_window_get_page (fixture->window), "checkout");
  shift = current_shift (fixture);
  ck_assert_ptr_nonnull (shift);
  ck_assert_str_eq (till_shift_get_user_code (shift), TILL_DEMO_CASHIER_CODE);
  ck_assert_int_eq (till_shift_get_opening_float (shift), 28500);
  ck_assert_int_eq (till_shift_get_float_count (shift)->pieces[TILL_DENOMINATION_NOTE_100], 2);
  ck_assert_int_eq (till_shift_get_float_count (shift)->pieces[TILL_DENOMINATION_COIN_1], 5);
}

/* The X report on screen says what the core's says, and prints. */
static void
x_report (Fixture *fixture, guint *papers)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TillShiftReport) core = NULL;
  const TillShiftReport *shown;
  const TillTenderTally *cash;

  activate (fixture, "win.x-report", NULL);
  assert_shift_page (fixture, "report");
  shown = till_shift_view_get_report (fixture->view);
  ck_assert_ptr_nonnull (shown);
  ck_assert_int_eq (shown->kind, TILL_SHIFT_REPORT_X);
  core = till_shift_x_report (get_store (fixture), till_session_get_journal (fixture->session),
                              till_session_get_user (fixture->session), NULL, &error);
  ck_assert_msg (core != NULL, "%s", error ? error->message : "");
  ck_assert_int_eq (core->totals.sales.count, 1);
  assert_report_row (fixture, _ ("Sales"), core->totals.sales.count, core->totals.sales.amount);
  assert_report_row (fixture, _ ("Returns"), core->totals.returns.count,
                     core->totals.returns.amount);
  assert_report_row (fixture, _ ("Voided lines"), core->totals.voided_lines.count,
                     core->totals.voided_lines.amount);
  assert_report_row (fixture, _ ("Discounts"), core->totals.discounts.count,
                     core->totals.discounts.amount);
  assert_report_row (fixture, _ ("Opening float"), -1, core->opening_float);
  assert_report_row (fixture, _ ("Expected cash"), -1,
                     till_shift_totals_get_expected_cash (&core->totals, core->opening_float));
  cash = till_shift_totals_get_tender (&core->totals, "cash");
  ck_assert_ptr_nonnull (cash);
  ck_assert_int_eq (cash->taken.amount, core->totals.sales.amount);
  {
    g_autofree char *no_sales = report_row (fixture, _ ("No-sales"));
    g_autofree char *wanted = g_strdup_printf ("%" PRId64 "\t", core->totals.no_sales.count);

    ck_assert_str_eq (no_sales, wanted);
  }
  keep_next_paper (fixture, papers, "paper-x-report.png");
  screenshot (GTK_WIDGET (fixture->window), "04-x-report.png");
  activate (fixture, "win.shift-done", NULL);
  ck_assert_str_eq (till_window_get_page (fixture->window), "checkout");
}

/* A drop needs nobody; a payout needs a supervisor, asked on the spot. */
static void
cash_movements (Fixture *fixture)
{
  g_autoptr (TillShift) shift = NULL;
  GtkWindow *dialog;

  activate (fixture, "win.cash-dialog", NULL);
  dialog = till_shift_view_get_cash_dialog (fixture->view);
  ck_assert_ptr_nonnull (dialog);
  ck_assert (till_test_wait_until (till_test_is_mapped, dialog, WAIT_MS));
  screenshot (GTK_WIDGET (dialog), "05-cash-dialog.png");
  activate (fixture, "win.cash-movement",
            g_variant_new ("(sxs)", "drop", (gint64) 10000, "To the safe"));
  ck_assert_ptr_null (till_shift_view_get_cash_dialog (fixture->view));
  ck_assert_str_eq (till_window_get_page (fixture->window), "checkout");

  activate (fixture, "win.cash-dialog", NULL);
  activate (fixture, "win.cash-movement",
            g_variant_new ("(sxs)", "out", (gint64) 500, "Petty cash"));
  /* Refused for the cashier: the dialog waits for a supervisor. */
  ck_assert_ptr_nonnull (till_shift_view_get_cash_dialog (fixture->view));
  manager_approves (fixture, "06-payout-override.png");
  ck_assert_ptr_null (till_shift_view_get_cash_dialog (fixture->view));
  {
    g_autofree char *sql_count = single_text (
        get_store (fixture), "SELECT count(*) FROM cash_movement WHERE kind IN ('drop', 'out')");

    ck_assert_str_eq (sql_count, "2");
  }
}

/* The blind count ¥10 short; the handover is refused until the manager
 * accepts the variance with a reason. */
static void
hand_over_short (Fixture *fixture, guint *papers)
{
  gint64           expected = expected_cash_now (fixture);
  gint64           counted = (expected - 1000) / 10 * 10;
  g_autofree char *expected_text = till_ui_format_money (expected);
  g_autoptr (TillShift) shift = NULL;
  const TillShiftReport *report;
  TillCashCount          count;
  gboolean               is_error = FALSE;

  activate (fixture, "win.shift-close", g_variant_new_boolean (TRUE));
  assert_shift_page (fixture, "count");
  /* Blind: what the till expects shows nowhere yet. */
  ck_assert (!screen_shows (GTK_WIDGET (fixture->window), expected_text));
  screenshot (GTK_WIDGET (fixture->window), "07-blind-count.png");

  count_for (counted, &count);
  till_cash_counter_set_count (till_shift_view_get_close_counter (fixture->view), &count);
  activate (fixture, "win.shift-count", count_variant (&count));
  assert_shift_page (fixture, "variance");
  {
    g_autofree char *text = till_shift_view_dup_variance_text (fixture->view);
    g_autofree char *counted_text = till_ui_format_money (counted);

    assert_text_has (text, expected_text);
    assert_text_has (text, counted_text);
  }
  ck_assert (till_shift_view_get_reason_shown (fixture->view));
  screenshot (GTK_WIDGET (fixture->window), "08-variance.png");

  /* No reason: said on the page, nothing closes. */
  activate (fixture, "win.shift-finish", g_variant_new_string (""));
  till_shift_view_get_message (fixture->view, &is_error);
  ck_assert (is_error);
  ck_assert_ptr_null (till_shift_view_get_override_dialog (fixture->view));

  /* A reason, but the cashier may not accept it: refused until approved. */
  activate (fixture, "win.shift-finish", g_variant_new_string ("Counting error"));
  ck_assert_ptr_nonnull (till_shift_view_get_override_dialog (fixture->view));
  shift = current_shift (fixture);
  ck_assert_int_eq (till_shift_get_state (shift), TILL_SHIFT_STATE_CLOSING);
  manager_approves (fixture, "09-variance-override.png");
  assert_shift_page (fixture, "report");
  report = till_shift_view_get_report (fixture->view);
  ck_assert_int_eq (report->kind, TILL_SHIFT_REPORT_CLOSE);
  ck_assert (report->handover);
  ck_assert_int_eq (report->counted, counted);
  ck_assert_int_eq (report->expected, expected);
  ck_assert_int_eq (report->variance, counted - expected);
  ck_assert_str_eq (report->variance_reason, "Counting error");
  ck_assert_ptr_nonnull (report->approved_by);
  assert_report_row (fixture, _ ("Counted cash"), -1, counted);
  g_clear_object (&shift);
  ck_assert_ptr_null (current_shift (fixture));
  keep_next_paper (fixture, papers, "paper-handover-report.png");
  screenshot (GTK_WIDGET (fixture->window), "10-handover-report.png");

  activate (fixture, "win.shift-done", NULL);
  ck_assert_str_eq (till_window_get_page (fixture->window), "login");
  ck_assert_ptr_null (till_session_get_user (fixture->session));
}

/* The manager takes the float handed over. */
static gint64
manager_accepts (Fixture *fixture, gint64 handed)
{
  g_autofree char *amount = till_ui_format_money (handed);
  g_autoptr (TillShift) shift = NULL;

  activate (fixture, "win.login",
            g_variant_new ("(ss)", TILL_DEMO_MANAGER_CODE, TILL_DEMO_MANAGER_PIN));
  assert_shift_page (fixture, "open");
  assert_text_has (till_shift_view_get_banner_text (fixture->view), amount);
  ck_assert (till_shift_view_get_z_offered (fixture->view));
  screenshot (GTK_WIDGET (fixture->window), "11-accept-handover.png");
  activate (fixture, "win.shift-accept-handover", NULL);
  ck_assert_str_eq (till_window_get_page (fixture->window), "checkout");
  shift = current_shift (fixture);
  ck_assert_str_eq (till_shift_get_user_code (shift), TILL_DEMO_MANAGER_CODE);
  ck_assert_int_eq (till_shift_get_opening_float (shift), handed);
  ck_assert_str_ne (till_shift_get_handover_from (shift), "");
  return till_shift_get_opening_float (shift);
}

/* The manager closes with an exact count, then ends the day. */
static void
close_and_z (Fixture *fixture, guint *papers)
{
  gint64                 expected = expected_cash_now (fixture);
  TillCashCount          count;
  const TillShiftReport *report;

  activate (fixture, "win.shift-close", g_variant_new_boolean (FALSE));
  assert_shift_page (fixture, "count");
  count_for (expected / 10 * 10, &count);
  activate (fixture, "win.shift-count", count_variant (&count));
  assert_shift_page (fixture, "variance");
  ck_assert (!till_shift_view_get_reason_shown (fixture->view));
  screenshot (GTK_WIDGET (fixture->window), "12-close-even.png");
  activate (fixture, "win.shift-finish", g_variant_new_string (""));
  assert_shift_page (fixture, "report");
  report = till_shift_view_get_report (fixture->view);
  ck_assert_int_eq (report->kind, TILL_SHIFT_REPORT_CLOSE);
  ck_assert (!report->handover);
  keep_next_paper (fixture, papers, "paper-close-report.png");
  screenshot (GTK_WIDGET (fixture->window), "13-close-report.png");
  activate (fixture, "win.shift-done", NULL);
  ck_assert_str_eq (till_window_get_page (fixture->window), "login");

  /* Back in: nothing handed over; the Z is offered and taken. */
  activate (fixture, "win.login",
            g_variant_new ("(ss)", TILL_DEMO_MANAGER_CODE, TILL_DEMO_MANAGER_PIN));
  assert_shift_page (fixture, "open");
  ck_assert_str_eq (till_shift_view_get_banner_text (fixture->view), "");
  activate (fixture, "win.z-report", NULL);
  assert_shift_page (fixture, "report");
  report = till_shift_view_get_report (fixture->view);
  ck_assert_int_eq (report->kind, TILL_SHIFT_REPORT_Z);
  ck_assert_int_eq (report->z_no, 1);
  ck_assert_uint_eq (report->shifts->len, 2);
  ck_assert_int_eq (report->totals.sales.count, 2);
  assert_report_row (fixture, _ ("Sales"), report->totals.sales.count, report->totals.sales.amount);
  keep_next_paper (fixture, papers, "paper-z-report.png");
  screenshot (GTK_WIDGET (fixture->window), "14-z-report.png");
  activate (fixture, "win.shift-done", NULL);
  ck_assert_str_eq (till_window_get_page (fixture->window), "login");
  ck_assert_int_eq (till_shift_get_last_z_no (get_store (fixture), NULL), 1);
}

/* /app/ui/shift/day */
START_TEST (test_shift_day)
{
  Fixture fixture = { 0 };
  g_autoptr (TillSale) first = NULL;
  g_autoptr (TillSale) second = NULL;
  guint  papers = 0;
  gint64 handed = 0;

  fixture_setup (&fixture);
  open_with_counted_float (&fixture);

  first = cash_sale (&fixture);
  keep_next_paper (&fixture, &papers, NULL);
  screenshot (GTK_WIDGET (fixture.window), "03-after-sale.png");
  x_report (&fixture, &papers);
  cash_movements (&fixture);
  hand_over_short (&fixture, &papers);
  {
    g_autofree char *by = NULL;

    ck_assert (till_shift_get_pending_handover (get_store (&fixture), &handed, &by, NULL));
  }
  manager_accepts (&fixture, handed);
  second = cash_sale (&fixture);
  keep_next_paper (&fixture, &papers, NULL);
  close_and_z (&fixture, &papers);

  fixture_teardown (&fixture);
}
END_TEST

/* /app/ui/shift/resume-close: a till killed after the close began starts
 * again at the blind count; another cashier sees whose shift it is. */
START_TEST (test_shift_resume_close)
{
  Fixture fixture = { 0 };
  g_autoptr (GError) error = NULL;
  g_autoptr (TillStore) store = NULL;

  fixture_setup (&fixture);
  till_test_sign_in (fixture.window, TILL_DEMO_CASHIER_CODE, TILL_DEMO_CASHIER_PIN);

  /* Another cashier signs in while the shift is open: it is not theirs. */
  ck_assert (till_user_create (get_store (&fixture), "1002", "张小红", TILL_ROLE_CASHIER, "2222",
                               NULL) > 0);
  activate (&fixture, "win.logout", NULL);
  activate (&fixture, "win.login", g_variant_new ("(ss)", "1002", "2222"));
  assert_shift_page (&fixture, "other");
  {
    g_autoptr (TillShift) shift = current_shift (&fixture);

    assert_text_has (till_shift_view_get_other_text (fixture.view),
                     till_shift_get_user_name (shift));
  }
  screenshot (GTK_WIDGET (fixture.window), "15-other-cashier.png");
  activate (&fixture, "win.logout", NULL);

  /* The close begins through the core; then the till goes down. */
  {
    g_autoptr (TillUser) cashier = till_user_authenticate (
        get_store (&fixture), TILL_DEMO_CASHIER_CODE, TILL_DEMO_CASHIER_PIN, &error);

    ck_assert_msg (cashier != NULL, "%s", error ? error->message : "");
    ck_assert_msg (till_shift_begin_close (get_store (&fixture),
                                           till_session_get_journal (fixture.session), cashier,
                                           NULL, &error),
                   "%s", error ? error->message : "");
  }
  gtk_window_destroy (GTK_WINDOW (fixture.window));
  fixture.window = NULL;
  till_application_close_session (fixture.app);
  g_clear_object (&fixture.app);
  store = till_store_open (fixture.db_path, &error);
  ck_assert_msg (store != NULL, "the database is still held: %s", error ? error->message : "");
  g_clear_object (&store);

  /* The first till's D-Bus object path stays exported in this process. */
  fixture.app_id = "org.opentill.TillTest.Restarted";
  fixture_start_app (&fixture);
  activate (&fixture, "win.login",
            g_variant_new ("(ss)", TILL_DEMO_CASHIER_CODE, TILL_DEMO_CASHIER_PIN));
  assert_shift_page (&fixture, "count");
  screenshot (GTK_WIDGET (fixture.window), "16-resumed-count.png");
  {
    TillCashCount count = { { 0 } };

    activate (&fixture, "win.shift-count", count_variant (&count));
    assert_shift_page (&fixture, "variance");
  }

  fixture_teardown (&fixture);
}
END_TEST

static Suite *
ui_shift_suite (void)
{
  Suite *suite = suite_create ("/app/ui/shift");
  TCase *tcase = tcase_create ("/app/ui/shift");

  tcase_set_timeout (tcase, 170);
  tcase_add_test (tcase, test_shift_day);
  tcase_add_test (tcase, test_shift_resume_close);
  suite_add_tcase (suite, tcase);
  return suite;
}

int
main (void)
{
  return till_test_run_suite (ui_shift_suite ());
}
