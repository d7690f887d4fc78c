/* test-admin.c: tests for src/admin/opentill-admin.c, run as a program
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "till-core.h"
#include "till-display-sim.h"
#include "till-printer-sim.h"
#include "till-scale-sim.h"
#include "till-test-util.h"

/* Exit statuses opentill-admin promises to scripts. */
#define EXIT_FAILED 1
#define EXIT_USAGE 2

static const char *admin_path;
static char       *scratch;
static char       *db_path;

static void
setup (void)
{
  scratch = till_test_make_tmpdir ();
  db_path = g_build_filename (scratch, "till.db", NULL);
}

static void
teardown (void)
{
  till_test_remove_tree (scratch);
  g_clear_pointer (&scratch, g_free);
  g_clear_pointer (&db_path, g_free);
}

/* Runs opentill-admin with @args (NULL-terminated) and returns its exit status,
 * with what it printed in @out_stdout and @out_stderr. */
static int
run_admin (char **out_stdout, char **out_stderr, ...)
{
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  g_autoptr (GError) error = NULL;
  const char *arg;
  int         wait_status = 0;
  va_list     args;

  g_ptr_array_add (argv, (char *) admin_path);
  va_start (args, out_stderr);
  while ((arg = va_arg (args, const char *)) != NULL)
    g_ptr_array_add (argv, (char *) arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);

  ck_assert_msg (g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                               out_stdout, out_stderr, &wait_status, &error),
                 "running %s: %s", admin_path, error ? error->message : "");
  ck_assert_msg (WIFEXITED (wait_status), "opentill-admin did not exit (status %d): %s",
                 wait_status, *out_stderr);
  return WEXITSTATUS (wait_status);
}

static gint64
count_products (const char *path)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TillStore) store = till_store_open (path, &error);
  g_autoptr (TillCatalog) catalog = NULL;

  ck_assert_msg (store != NULL, "%s", error ? error->message : "");
  catalog = till_catalog_new (store);
  return till_catalog_count_products (catalog, NULL);
}

/* /admin/demo/creates-store */
START_TEST (test_demo_creates_store)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int              status = run_admin (&out, &err, "demo", "--skus", "500", "--db", db_path, NULL);

  ck_assert_msg (status == 0, "exit %d: %s", status, err);
  ck_assert (g_file_test (db_path, G_FILE_TEST_IS_REGULAR));
  ck_assert_int_eq (count_products (db_path), 500);
  /* The summary names the database and the products made. */
  ck_assert_ptr_nonnull (strstr (out, db_path));
  ck_assert_ptr_nonnull (strstr (out, "500 products"));
}
END_TEST

/* /admin/demo/refuses-filled-store */
START_TEST (test_demo_refuses_filled_store)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *out2 = NULL;
  g_autofree char *err2 = NULL;

  ck_assert_int_eq (run_admin (&out, &err, "demo", "--skus", "500", "--db", db_path, NULL), 0);
  ck_assert_int_eq (run_admin (&out2, &err2, "demo", "--skus", "500", "--db", db_path, NULL),
                    EXIT_FAILED);
  ck_assert_msg (strstr (err2, "already has 500 products") != NULL, "stderr: %s", err2);
  /* Nothing was added the second time. */
  ck_assert_int_eq (count_products (db_path), 500);
}
END_TEST

/* /admin/usage/unknown-command */
START_TEST (test_unknown_command)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int              status = run_admin (&out, &err, "frobnicate", NULL);

  ck_assert_int_eq (status, EXIT_USAGE);
  ck_assert_msg (strstr (err, "frobnicate") != NULL, "stderr: %s", err);
  ck_assert_msg (strstr (err, "Usage:") != NULL, "stderr: %s", err);
  ck_assert_str_eq (out, "");
}
END_TEST

/* /admin/usage/no-command */
START_TEST (test_no_command)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  ck_assert_int_eq (run_admin (&out, &err, NULL), EXIT_USAGE);
  ck_assert_msg (strstr (err, "Usage:") != NULL, "stderr: %s", err);
}
END_TEST

/* /admin/demo/bad-number */
START_TEST (test_demo_bad_number)
{
  static const char *const bad[][2] = {
    { "--skus", "many" },
    { "--skus", "0" },
    { "--skus", "-5" },
    { "--seed", "12x" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autofree char *out = NULL;
      g_autofree char *err = NULL;
      int status = run_admin (&out, &err, "demo", bad[i][0], bad[i][1], "--db", db_path, NULL);

      ck_assert_msg (status == EXIT_USAGE, "%s %s: exit %d", bad[i][0], bad[i][1], status);
      ck_assert_msg (strstr (err, bad[i][0]) != NULL, "%s %s: stderr: %s", bad[i][0], bad[i][1],
                     err);
      /* A refused option makes no database. */
      ck_assert (!g_file_test (db_path, G_FILE_TEST_EXISTS));
    }
}
END_TEST

/* /admin/demo/locked-database */
START_TEST (test_demo_locked_database)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TillStore) holder = till_store_open (db_path, &error);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *our_pid = g_strdup_printf ("process %d", (int) getpid ());
  int              status;

  ck_assert_msg (holder != NULL, "%s", error ? error->message : "");
  status = run_admin (&out, &err, "demo", "--skus", "500", "--db", db_path, NULL);
  ck_assert_int_eq (status, EXIT_FAILED);
  ck_assert_msg (strstr (err, "Another till program") != NULL, "stderr: %s", err);
  /* The message names the process that holds the lock: this test. */
  ck_assert_msg (strstr (err, our_pid) != NULL, "stderr: %s", err);
  g_clear_object (&holder);
  ck_assert_int_eq (count_products (db_path), 0);
}
END_TEST

/* /admin/usage/help */
START_TEST (test_help)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *demo_out = NULL;
  g_autofree char *demo_err = NULL;

  ck_assert_int_eq (run_admin (&out, &err, "--help", NULL), 0);
  ck_assert_msg (strstr (out, "Usage:") != NULL, "stdout: %s", out);
  ck_assert_msg (strstr (out, "  demo ") != NULL, "stdout: %s", out);

  /* The command's own help lists its options. */
  ck_assert_int_eq (run_admin (&demo_out, &demo_err, "demo", "--help", NULL), 0);
  ck_assert_msg (strstr (demo_out, "--skus") != NULL && strstr (demo_out, "--db") != NULL &&
                     strstr (demo_out, "--seed") != NULL,
                 "stdout: %s", demo_out);
}
END_TEST

/* --- shifts and z-report ----------------------------------------------------------- */

/* A till at db_path where, through the core: 王小丽 (1001) opened a shift
 * with ¥200.00, sold two ¥12.50 bottles for cash and closed with ¥225.00
 * counted; the manager 李经理 (9001) took Z 1; 王小丽 then opened a shift
 * with ¥100.00 that is still open. */
typedef struct
{
  TillStore   *store;
  TillJournal *journal;
  TillCatalog *catalog;
  TillUser    *cashier;
  TillUser    *manager;
  gint64       product_id;
} ShiftTill;

static void
shift_till_close (ShiftTill *till)
{
  g_clear_object (&till->manager);
  g_clear_object (&till->cashier);
  g_clear_object (&till->catalog);
  g_clear_object (&till->journal);
  g_clear_object (&till->store);
}

static void
shift_till_open (ShiftTill *till)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *key_path = g_build_filename (scratch, "till.key", NULL);
  TillProductSpec  spec = { .sku = "100001",
                            .name = "农夫山泉 550ml",
                            .unit = "瓶",
                            .price = 1250,
                            .cost = 600,
                            .vat_rate = 1300,
                            .active = TRUE };

  till->store = till_store_open (db_path, &error);
  ck_assert_msg (till->store != NULL, "%s", error ? error->message : "");
  till->journal = till_journal_new (till->store, key_path, &error);
  ck_assert_msg (till->journal != NULL, "%s", error ? error->message : "");
  till->catalog = till_catalog_new (till->store);
  till->product_id = till_catalog_add_product (till->catalog, &spec, &error);
  ck_assert_msg (till->product_id > 0, "%s", error ? error->message : "");
  ck_assert (till_user_create (till->store, "1001", "王小丽", TILL_ROLE_CASHIER, "1234", &error) >
             0);
  ck_assert (till_user_create (till->store, "9001", "李经理", TILL_ROLE_MANAGER, "9999", &error) >
             0);
  till->cashier = till_user_authenticate (till->store, "1001", "1234", &error);
  till->manager = till_user_authenticate (till->store, "9001", "9999", &error);
  ck_assert (till->cashier != NULL && till->manager != NULL);
}

static void
shift_till_sell (ShiftTill *till, gint64 quantity)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TillCart) cart = till_cart_new (till->store, till->catalog);
  g_autoptr (TillProduct) product = NULL;
  g_autoptr (TillSale) sale = NULL;

  ck_assert_msg (till_cart_restore (cart, &error), "%s", error ? error->message : "");
  product = till_catalog_lookup_id (till->catalog, till->product_id, &error);
  ck_assert_msg (product != NULL, "%s", error ? error->message : "");
  ck_assert (till_cart_add_product (cart, product, quantity, &error) != NULL);
  sale = till_sale_commit_cash (cart, till->journal, till->cashier, till_cart_get_total (cart),
                                &error);
  ck_assert_msg (sale != NULL, "%s", error ? error->message : "");
}

static void
make_till_with_shifts (void)
{
  g_autoptr (GError) error = NULL;
  ShiftTill     till = { 0 };
  TillCashCount opening = { .pieces = { [TILL_DENOMINATION_NOTE_100] = 2 } };
  TillCashCount closing = { .pieces = { [TILL_DENOMINATION_NOTE_100] = 2,
                                        [TILL_DENOMINATION_NOTE_10] = 2,
                                        [TILL_DENOMINATION_NOTE_5] = 1 } };
  TillCashCount second = { .pieces = { [TILL_DENOMINATION_NOTE_50] = 2 } };
  g_autoptr (TillShift) first_shift = NULL;
  g_autoptr (TillShift) second_shift = NULL;
  g_autoptr (TillShiftReport) z = NULL;

  shift_till_open (&till);
  first_shift = till_shift_open (till.store, till.journal, till.cashier, &opening, &error);
  ck_assert_msg (first_shift != NULL, "%s", error ? error->message : "");
  shift_till_sell (&till, 2000);
  ck_assert_msg (
      till_shift_begin_close (till.store, till.journal, till.cashier, NULL, &error) &&
          till_shift_record_count (till.store, till.journal, till.cashier, &closing, &error) &&
          till_shift_finish_close (till.store, till.journal, till.cashier, FALSE, NULL, NULL,
                                   &error),
      "close: %s", error ? error->message : "");
  z = till_shift_z_report (till.store, till.journal, till.manager, NULL, &error);
  ck_assert_msg (z != NULL, "Z: %s", error ? error->message : "");
  ck_assert_int_eq (z->z_no, 1);
  /* Opened a second later, so that "newest first" is plain. */
  g_usleep (G_USEC_PER_SEC);
  second_shift = till_shift_open (till.store, till.journal, till.cashier, &second, &error);
  ck_assert_msg (second_shift != NULL, "%s", error ? error->message : "");
  shift_till_close (&till);
}

/* The line of @out that holds @text, or NULL. */
static char *
line_with (const char *out, const char *text)
{
  g_auto (GStrv) lines = g_strsplit (out, "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    if (strstr (lines[i], text) != NULL)
      return g_strdup (lines[i]);
  return NULL;
}

/* Whether the last words of @line (split at spaces) are the texts given. */
static gboolean
ends_with_words (const char *line, ...)
{
  g_auto (GStrv) words = g_strsplit_set (line != NULL ? line : "", " ", -1);
  g_autoptr (GPtrArray) expected = g_ptr_array_new ();
  g_autoptr (GPtrArray) found = g_ptr_array_new ();
  const char *word;
  va_list     args;

  va_start (args, line);
  while ((word = va_arg (args, const char *)) != NULL)
    g_ptr_array_add (expected, (gpointer) word);
  va_end (args);
  for (guint i = 0; words[i] != NULL; i++)
    if (*words[i] != '\0')
      g_ptr_array_add (found, words[i]);
  if (found->len < expected->len)
    return FALSE;
  for (guint i = 0; i < expected->len; i++)
    if (g_strcmp0 (found->pdata[found->len - expected->len + i], expected->pdata[i]) != 0)
      return FALSE;
  return TRUE;
}

/* /admin/shifts/list: newest first; the counted shift with its sales, expected
 * and counted cash and variance; the open one without (the count is blind). */
START_TEST (test_shifts_list)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *later_out = NULL;
  g_autofree char *later_err = NULL;
  g_autofree char *bad_out = NULL;
  g_autofree char *bad_err = NULL;
  g_auto (GStrv) lines = NULL;
  int status;

  make_till_with_shifts ();
  status = run_admin (&out, &err, "shifts", "--db", db_path, NULL);
  ck_assert_msg (status == 0, "exit %d: %s", status, err);
  lines = g_strsplit (out, "\n", -1);
  ck_assert_msg (g_strv_length (lines) == 4 && *lines[3] == '\0', "%s", out);
  ck_assert_msg (strstr (lines[0], "Cashier") && strstr (lines[0], "Variance"), "%s", out);
  /* The open shift first, nothing counted. */
  ck_assert_msg (strstr (lines[1], "1001 王小丽") &&
                     ends_with_words (lines[1], "open", "-", "-", "-", "-", NULL),
                 "%s", lines[1]);
  ck_assert_msg (strstr (lines[1], "225.00") == NULL, "%s", lines[1]);
  /* Then the closed one: sales 25.00, expected 225.00, counted 225.00,
   * variance 0.00. */
  ck_assert_msg (
      strstr (lines[2], "1001 王小丽") &&
          ends_with_words (lines[2], "closed", "25.00", "225.00", "225.00", "0.00", NULL),
      "%s", lines[2]);

  ck_assert_int_eq (
      run_admin (&later_out, &later_err, "shifts", "--db", db_path, "--since", "2999-01-01", NULL),
      0);
  ck_assert_msg (strstr (later_out, "(no shifts)") && !strstr (later_out, "王小丽"), "%s",
                 later_out);
  ck_assert_int_eq (
      run_admin (&bad_out, &bad_err, "shifts", "--db", db_path, "--since", "yesterday", NULL),
      EXIT_USAGE);
  ck_assert_msg (strstr (bad_err, "yesterday") != NULL, "%s", bad_err);
}
END_TEST

/* /admin/shifts/z-report: the last Z, or Z N, as text; none yet is a failure */
START_TEST (test_z_report)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *first_out = NULL;
  g_autofree char *first_err = NULL;
  g_autofree char *missing_out = NULL;
  g_autofree char *missing_err = NULL;
  g_autofree char *sales = NULL;
  g_autofree char *grand = NULL;
  g_autofree char *shift = NULL;
  g_autofree char *cash = NULL;
  int              status;

  make_till_with_shifts ();
  status = run_admin (&out, &err, "z-report", "--db", db_path, NULL);
  ck_assert_msg (status == 0, "exit %d: %s", status, err);
  ck_assert_msg (g_str_has_prefix (out, "Z report No. 1\n"), "%s", out);
  ck_assert_msg (strstr (out, "9001 李经理") != NULL, "%s", out);
  sales = line_with (out, "  Sales ");
  ck_assert_msg (ends_with_words (sales, "Sales", "1", "25.00", NULL), "%s", out);
  grand = line_with (out, "Grand total ");
  ck_assert_msg (ends_with_words (grand, "total", "25.00", NULL), "%s", out);
  cash = line_with (out, "  cash ");
  ck_assert_msg (ends_with_words (cash, "cash", "25.00", "0.00", "25.00", "0.00", NULL), "%s", out);
  /* The day's one shift, counted to the fen. */
  shift = line_with (out, "王小丽");
  ck_assert_msg (ends_with_words (shift, "25.00", "225.00", "225.00", "0.00", NULL), "%s", out);

  ck_assert_int_eq (run_admin (&first_out, &first_err, "z-report", "1", "--db", db_path, NULL), 0);
  ck_assert_str_eq (first_out, out);
  ck_assert_int_eq (run_admin (&missing_out, &missing_err, "z-report", "2", "--db", db_path, NULL),
                    EXIT_FAILED);
  ck_assert_msg (strstr (missing_err, "2") != NULL, "%s", missing_err);
}
END_TEST

/* /admin/shifts/no-z-yet: a till that never took a Z says so */
START_TEST (test_z_report_none)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *usage_out = NULL;
  g_autofree char *usage_err = NULL;
  ShiftTill        till = { 0 };

  shift_till_open (&till);
  shift_till_close (&till);
  ck_assert_int_eq (run_admin (&out, &err, "z-report", "--db", db_path, NULL), EXIT_FAILED);
  ck_assert_msg (strstr (err, "no Z report") != NULL, "%s", err);
  ck_assert_int_eq (run_admin (&usage_out, &usage_err, "z-report", "first", "--db", db_path, NULL),
                    EXIT_USAGE);
}
END_TEST

/* /admin/report: a report printed, exported as CSV and XLSX, its chart as
 * PNG and PDF; the list of reports; an unknown one is a usage error */
START_TEST (test_report)
{
  g_autofree char *out = NULL, *err = NULL, *list_out = NULL, *list_err = NULL;
  g_autofree char *bad_out = NULL, *bad_err = NULL, *files_out = NULL, *files_err = NULL;
  g_autofree char *csv_path = g_build_filename (scratch, "sales.csv", NULL);
  g_autofree char *xlsx_path = g_build_filename (scratch, "sales.xlsx", NULL);
  g_autofree char *png_path = g_build_filename (scratch, "sales.png", NULL);
  g_autofree char *pdf_path = g_build_filename (scratch, "sales.pdf", NULL);
  g_autoptr (GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *today = g_date_time_format (now, "%Y-%m-%d");
  g_autofree char *csv = NULL, *png = NULL, *pdf = NULL, *xlsx = NULL;
  gsize            png_length = 0, pdf_length = 0, xlsx_length = 0;
  ShiftTill        till = { 0 };
  int              status;

  shift_till_open (&till);
  shift_till_sell (&till, 2000); /* 2 × 12.50 */
  shift_till_sell (&till, 1000);
  shift_till_close (&till);

  status = run_admin (&out, &err, "report", "sales-by-period", "--from", today, "--to", today,
                      "--db", db_path, NULL);
  ck_assert_msg (status == 0, "exit %d: %s", status, err);
  /* The day's row: 2 sales, 37.50 net. */
  ck_assert_msg (strstr (out, today) != NULL && strstr (out, "37.50") != NULL, "%s", out);

  status = run_admin (&files_out, &files_err, "report", "by-product", "--from", today, "--to",
                      today, "--csv", csv_path, "--xlsx", xlsx_path, "--png", png_path, "--pdf",
                      pdf_path, "--db", db_path, NULL);
  ck_assert_msg (status == 0, "exit %d: %s", status, files_err);
  ck_assert (g_file_get_contents (csv_path, &csv, NULL, NULL));
  ck_assert_msg (strstr (csv, "农夫山泉 550ml") != NULL && strstr (csv, "37.50") != NULL, "%s",
                 csv);
  ck_assert (g_file_get_contents (png_path, &png, &png_length, NULL));
  ck_assert (png_length > 8 && memcmp (png, "\x89PNG", 4) == 0);
  ck_assert (g_file_get_contents (pdf_path, &pdf, &pdf_length, NULL));
  ck_assert (pdf_length > 5 && memcmp (pdf, "%PDF-", 5) == 0);
  ck_assert (g_file_get_contents (xlsx_path, &xlsx, &xlsx_length, NULL));
  ck_assert (xlsx_length > 4 && memcmp (xlsx, "PK\x03\x04", 4) == 0);

  ck_assert_int_eq (run_admin (&list_out, &list_err, "report", "list", NULL), 0);
  ck_assert_msg (strstr (list_out, "hour-heatmap") != NULL || strstr (list_out, "heatmap") != NULL,
                 "%s", list_out);
  ck_assert_int_eq (run_admin (&bad_out, &bad_err, "report", "profits", "--db", db_path, NULL),
                    EXIT_USAGE);
  ck_assert_msg (strstr (bad_err, "profits") != NULL, "%s", bad_err);
}
END_TEST

/* The hw command against the printer simulator on a real pty: the admin
 * program opens /dev/pts/N as a serial port, as it would open /dev/ttyUSB0. */
static TillPrinterSim *printer;
static char           *printer_uri;

static void
hw_setup (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *path = NULL;

  printer = till_printer_sim_new (576);
  path = till_printer_sim_serve_pty (printer, &error);
  ck_assert_msg (path != NULL, "%s", error ? error->message : "");
  printer_uri = g_strconcat ("serial://", path, "?baud=9600", NULL);
}

static void
hw_teardown (void)
{
  till_printer_sim_stop_serving (printer);
  g_clear_object (&printer);
  g_clear_pointer (&printer_uri, g_free);
}

/* /admin/hw/status/states */
START_TEST (test_hw_status_states)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *out2 = NULL;
  g_autofree char *err2 = NULL;
  int              status;

  status = run_admin (&out, &err, "hw", "status", printer_uri, NULL);
  ck_assert_msg (status == 0, "exit %d: %s", status, err);
  ck_assert_msg (strstr (out, "The printer is ready") != NULL, "stdout: %s", out);
  ck_assert_msg (strstr (out, "DLE EOT 1 = 0x12 DLE EOT 2 = 0x12 DLE EOT 4 = 0x12") != NULL,
                 "stdout: %s", out);

  till_printer_sim_set_state (printer, TILL_PRINTER_SIM_PAPER_OUT);
  status = run_admin (&out2, &err2, "hw", "status", printer_uri, NULL);
  ck_assert_int_eq (status, EXIT_FAILED);
  ck_assert_msg (strstr (out2, "The printer is out of paper") != NULL, "stdout: %s", out2);
  ck_assert_msg (strstr (out2, "DLE EOT 1 = 0x1a DLE EOT 2 = 0x32 DLE EOT 4 = 0x7e") != NULL,
                 "stdout: %s", out2);
}
END_TEST

/* /admin/hw/status/silent: no answer within --timeout, then exit 1. */
START_TEST (test_hw_status_silent)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  gint64           start = g_get_monotonic_time ();
  int              status;

  till_printer_sim_set_silent (printer, TRUE);
  status = run_admin (&out, &err, "hw", "status", printer_uri, "--timeout", "300", NULL);
  ck_assert_int_eq (status, EXIT_FAILED);
  ck_assert_msg (strstr (out, "does not answer") != NULL, "stdout: %s", out);
  ck_assert ((g_get_monotonic_time () - start) / 1000 < 10000);
}
END_TEST

/* /admin/hw/test/prints: a test page with Chinese text, a QR code and a cut
 * arrives, and the status is reported after it. */
START_TEST (test_hw_test_prints)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  const GPtrArray *lines;
  gboolean         found_title = FALSE;
  int              status = run_admin (&out, &err, "hw", "test", printer_uri, NULL);

  ck_assert_msg (status == 0, "exit %d: %s", status, err);
  ck_assert_msg (strstr (out, "Sent a test page") != NULL, "stdout: %s", out);
  ck_assert_msg (strstr (out, "The printer is ready") != NULL, "stdout: %s", out);
  till_printer_sim_stop_serving (printer);

  ck_assert_uint_eq (till_printer_sim_get_n_receipts (printer), 1);
  ck_assert_uint_eq (till_printer_sim_get_n_cuts (printer), 1);
  ck_assert_uint_eq (till_printer_sim_get_qr_payloads (printer)->len, 1);
  /* The QR code carries the printer's URI, for store IT to scan. */
  ck_assert_str_eq (g_ptr_array_index (till_printer_sim_get_qr_payloads (printer), 0), printer_uri);
  lines = till_printer_sim_get_receipt_lines (printer, 0);
  for (guint i = 0; i < lines->len; i++)
    found_title |= g_str_equal (g_ptr_array_index (lines, i), "打印测试");
  ck_assert (found_title);
  ck_assert_uint_eq (till_printer_sim_get_n_garbage_bytes (printer), 0);
}
END_TEST

/* /admin/hw/test/unplugged: the printer goes away mid-page: exit 1, a message
 * that names the device, and no hang. */
START_TEST (test_hw_test_unplugged)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int              status;

  till_printer_sim_unplug_after (printer, 20);
  status = run_admin (&out, &err, "hw", "test", printer_uri, NULL);
  ck_assert_int_eq (status, EXIT_FAILED);
  ck_assert_msg (strstr (err, printer_uri) != NULL, "stderr: %s", err);
}
END_TEST

/* /admin/hw/usage */
START_TEST (test_hw_usage)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *out2 = NULL;
  g_autofree char *err2 = NULL;

  ck_assert_int_eq (run_admin (&out, &err, "hw", "frobnicate", NULL), EXIT_USAGE);
  ck_assert_msg (strstr (err, "hw status URI") != NULL, "stderr: %s", err);
  ck_assert_int_eq (run_admin (&out2, &err2, "hw", "status", "gopher://printer", NULL),
                    EXIT_FAILED);
  ck_assert_msg (strstr (err2, "gopher://printer") != NULL, "stderr: %s", err2);
}
END_TEST

/* Whether @needle occurs in what the printer simulator received. */
static gboolean
printer_received (const guint8 *needle, gsize len)
{
  g_autoptr (GBytes) received = till_printer_sim_dup_received (printer);
  gsize         size;
  const guint8 *data = g_bytes_get_data (received, &size);

  for (gsize i = 0; size >= len && i <= size - len; i++)
    if (memcmp (data + i, needle, len) == 0)
      return TRUE;
  return FALSE;
}

/* /admin/hw/drawer/pin2: ESC p 0 25 250 arrives, the simulator counts one
 * kick, and the sensor level of DLE EOT 1 is reported. */
START_TEST (test_hw_drawer_pin2)
{
  static const guint8 kick[] = { 0x1b, 0x70, 0x00, 0x19, 0xfa };
  g_autofree char    *out = NULL;
  g_autofree char    *err = NULL;
  int                 status = run_admin (&out, &err, "hw", "drawer", printer_uri, NULL);

  ck_assert_msg (status == 0, "exit %d: %s", status, err);
  ck_assert_uint_eq (till_printer_sim_get_n_drawer_kicks (printer), 1);
  ck_assert (printer_received (kick, sizeof kick));
  ck_assert_msg (strstr (out, "pulse on pin 2") != NULL, "stdout: %s", out);
  ck_assert_msg (strstr (out, "Drawer sensor: pin 3 low (DLE EOT 1 = 0x12)") != NULL, "stdout: %s",
                 out);
}
END_TEST

/* /admin/hw/drawer/pin5-sensor-high */
START_TEST (test_hw_drawer_pin5)
{
  static const guint8 kick[] = { 0x1b, 0x70, 0x01, 0x19, 0xfa };
  static const guint8 pin2[] = { 0x1b, 0x70, 0x00 };
  g_autofree char    *out = NULL;
  g_autofree char    *err = NULL;
  int                 status;

  /* 0x16: the idle reply with bit 2, the drawer's pin 3, high. */
  till_printer_sim_set_status (printer, 1, 0x16);
  status = run_admin (&out, &err, "hw", "drawer", printer_uri, "--pin", "5", NULL);
  ck_assert_msg (status == 0, "exit %d: %s", status, err);
  ck_assert_uint_eq (till_printer_sim_get_n_drawer_kicks (printer), 1);
  ck_assert (printer_received (kick, sizeof kick));
  ck_assert (!printer_received (pin2, sizeof pin2));
  ck_assert_msg (strstr (out, "Drawer sensor: pin 3 high (DLE EOT 1 = 0x16)") != NULL, "stdout: %s",
                 out);
}
END_TEST

/* /admin/hw/drawer/printer-not-ready: a printer out of paper takes the pulse
 * but will not run it: exit 1, and the message says why. */
START_TEST (test_hw_drawer_paper_out)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int              status;

  till_printer_sim_set_state (printer, TILL_PRINTER_SIM_PAPER_OUT);
  status = run_admin (&out, &err, "hw", "drawer", printer_uri, NULL);
  ck_assert_int_eq (status, EXIT_FAILED);
  ck_assert_uint_eq (till_printer_sim_get_n_drawer_kicks (printer), 1);
  ck_assert_msg (strstr (err, printer_uri) != NULL && strstr (err, "out of paper") != NULL,
                 "stderr: %s", err);
}
END_TEST

/* /admin/hw/drawer/no-status: a drawer that answers nothing (a serial drawer)
 * gets its pulse; the sensor is unknown after --timeout, and that is no
 * failure. */
START_TEST (test_hw_drawer_no_status)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  gint64           start = g_get_monotonic_time ();
  int              status;

  till_printer_sim_set_silent (printer, TRUE);
  status = run_admin (&out, &err, "hw", "drawer", printer_uri, "--timeout", "200", NULL);
  ck_assert_msg (status == 0, "exit %d: %s", status, err);
  ck_assert_uint_eq (till_printer_sim_get_n_drawer_kicks (printer), 1);
  ck_assert_msg (strstr (out, "Drawer sensor: unknown") != NULL, "stdout: %s", out);
  ck_assert ((g_get_monotonic_time () - start) / 1000 < 10000);
}
END_TEST

/* /admin/hw/drawer/file: a transport with no way back. */
START_TEST (test_hw_drawer_file)
{
  static const guint8 kick[] = { 0x1b, 0x70, 0x00, 0x19, 0xfa };
  g_autofree char    *dir = till_test_make_tmpdir ();
  g_autofree char    *path = g_build_filename (dir, "drawer.bin", NULL);
  g_autofree char    *uri = g_strconcat ("file://", path, NULL);
  g_autofree char    *out = NULL;
  g_autofree char    *err = NULL;
  g_autofree char    *contents = NULL;
  gsize               len = 0;
  int                 status = run_admin (&out, &err, "hw", "drawer", uri, NULL);

  ck_assert_msg (status == 0, "exit %d: %s", status, err);
  ck_assert_msg (strstr (out, "Drawer sensor: not available") != NULL, "stdout: %s", out);
  ck_assert (g_file_get_contents (path, &contents, &len, NULL));
  ck_assert_uint_eq (len, sizeof kick);
  ck_assert_mem_eq (contents, kick, sizeof kick);
  till_test_remove_tree (dir);
}
END_TEST

/* /admin/hw/drawer/unplugged: exit 1 and a message naming the device. */
START_TEST (test_hw_drawer_unplugged)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int              status;

  till_printer_sim_unplug (printer);
  status = run_admin (&out, &err, "hw", "drawer", printer_uri, "--timeout", "300", NULL);
  ck_assert_int_eq (status, EXIT_FAILED);
  ck_assert_msg (strstr (err, printer_uri) != NULL, "stderr: %s", err);
}
END_TEST

/* The scale commands against a CAS-style indicator (ST,GS,+0000.456kg: three
 * decimals, stable/unstable, gross/net) on a pty. */
static TillScaleSim *scale;

static void
scale_setup (void)
{
  g_autoptr (GError) error = NULL;

  scale = till_scale_sim_new ("cas", "variant=generic", &error);
  ck_assert_msg (scale != NULL, "%s", error ? error->message : "");
}

static void
scale_teardown (void)
{
  g_clear_pointer (&scale, till_scale_sim_free);
}

/* /admin/hw/scale/stable */
START_TEST (test_hw_scale_stable)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_auto (GStrv) lines = NULL;
  guint n_readings = 0;
  int   status;

  till_scale_sim_set_weight (scale, 456);
  status =
      run_admin (&out, &err, "hw", "scale", till_scale_sim_get_uri (scale), "--count", "3", NULL);
  ck_assert_msg (status == 0, "exit %d: %s", status, err);
  lines = g_strsplit (out, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    if (g_str_has_prefix (lines[i], "Reading "))
      {
        n_readings++;
        ck_assert_msg (strstr (lines[i], "stable  0.456 kg  gross") != NULL, "%s", lines[i]);
      }
  ck_assert_uint_eq (n_readings, 3);
}
END_TEST

/* /admin/hw/scale/simulated: the demo's simulated scale answers the admin
 * tool as it answers the till. */
START_TEST (test_hw_scale_simulated)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int              status;

  status =
      run_admin (&out, &err, "hw", "scale", "sim://scale?protocol=toledo-8217&weight=0.456", NULL);
  ck_assert_msg (status == 0, "exit %d: %s", status, err);
  ck_assert_msg (strstr (out, "Reading 1: stable  0.456 kg") != NULL, "stdout: %s", out);
}
END_TEST

/* /admin/hw/scale/unstable */
START_TEST (test_hw_scale_unstable)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int              status;

  till_scale_sim_set_weight (scale, 1250);
  till_scale_sim_set_condition (scale, TILL_SCALE_SIM_UNSTABLE);
  status = run_admin (&out, &err, "hw", "scale", till_scale_sim_get_uri (scale), NULL);
  ck_assert_msg (status == 0, "exit %d: %s", status, err);
  ck_assert_msg (strstr (out, "Reading 1: unstable  1.250 kg") != NULL, "stdout: %s", out);
}
END_TEST

/* /admin/hw/scale/no-answer: a silent scale, each reading bounded by
 * --timeout; exit 1 naming the scale. */
START_TEST (test_hw_scale_no_answer)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  gint64           start = g_get_monotonic_time ();
  int              status;

  till_scale_sim_set_silent (scale, TRUE);
  status = run_admin (&out, &err, "hw", "scale", till_scale_sim_get_uri (scale), "--count", "2",
                      "--timeout", "200", NULL);
  ck_assert_int_eq (status, EXIT_FAILED);
  ck_assert_msg (strstr (out, "Reading 1: no answer") != NULL &&
                     strstr (out, "Reading 2: no answer") != NULL,
                 "stdout: %s", out);
  ck_assert_msg (strstr (err, till_scale_sim_get_uri (scale)) != NULL, "stderr: %s", err);
  ck_assert ((g_get_monotonic_time () - start) / 1000 < 10000);
}
END_TEST

/* /admin/hw/scale/tare: the tare command reaches the scale and the reading
 * after it is net. */
START_TEST (test_hw_scale_tare)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int              status;

  till_scale_sim_set_weight (scale, 120);
  status = run_admin (&out, &err, "hw", "scale", till_scale_sim_get_uri (scale), "--tare", NULL);
  ck_assert_msg (status == 0, "exit %d: %s", status, err);
  ck_assert_uint_eq (till_scale_sim_get_n_tare (scale), 1);
  ck_assert_msg (strstr (out, "Tared") != NULL, "stdout: %s", out);
  ck_assert_msg (strstr (out, "Reading 1: stable  0.000 kg  net") != NULL, "stdout: %s", out);
}
END_TEST

/* /admin/hw/scale/bad-uri: no protocol= is a setting to fix (exit 2); a
 * device that is not there is a failure (exit 1). */
START_TEST (test_hw_scale_bad_uri)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *out2 = NULL;
  g_autofree char *err2 = NULL;

  ck_assert_int_eq (run_admin (&out, &err, "hw", "scale", "serial:///dev/ttyUSB9?baud=9600", NULL),
                    EXIT_USAGE);
  ck_assert_msg (strstr (err, "protocol=") != NULL, "stderr: %s", err);
  ck_assert_int_eq (run_admin (&out2, &err2, "hw", "scale",
                               "serial:///dev/opentill-no-such-port?protocol=cas", NULL),
                    EXIT_FAILED);
  ck_assert_msg (strstr (err2, "/dev/opentill-no-such-port") != NULL, "stderr: %s", err2);
}
END_TEST

/* The display commands against the display simulator on a pty. */
static TillDisplaySim *display;
static char           *display_path;

static char *
display_uri (const char *protocol)
{
  return g_strdup_printf ("serial://%s?baud=9600&protocol=%s", display_path, protocol);
}

static void
open_display (const char *protocol)
{
  g_autoptr (GError) error = NULL;

  display = till_display_sim_new (protocol, NULL);
  ck_assert_ptr_nonnull (display);
  ck_assert_msg (till_display_sim_open_pty (display, &display_path, &error), "%s",
                 error ? error->message : "");
}

static void
display_teardown (void)
{
  g_clear_object (&display);
  g_clear_pointer (&display_path, g_free);
}

/* /admin/hw/display/vfd-two-lines */
START_TEST (test_hw_display_vfd)
{
  g_autofree char *uri = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *row1 = NULL;
  g_autofree char *row2 = NULL;
  int              status;

  open_display ("cd5220");
  uri = display_uri ("cd5220");
  status = run_admin (&out, &err, "hw", "display", uri, "WELCOME", "TOTAL 12.50", NULL);
  ck_assert_msg (status == 0, "exit %d: %s", status, err);
  ck_assert (till_display_sim_sync (display, 2000));
  row1 = till_display_sim_dup_row (display, 1);
  row2 = till_display_sim_dup_row (display, 2);
  ck_assert_str_eq (row1, "WELCOME             ");
  ck_assert_str_eq (row2, "TOTAL 12.50         ");
  ck_assert_uint_eq (till_display_sim_get_n_garbage_bytes (display), 0);
}
END_TEST

/* /admin/hw/display/vfd-one-line-clears-the-other: line 2 left from before
 * does not stay; --clear alone blanks the display. */
START_TEST (test_hw_display_vfd_clear)
{
  g_autofree char *uri = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *out2 = NULL;
  g_autofree char *err2 = NULL;
  g_autofree char *out3 = NULL;
  g_autofree char *err3 = NULL;
  g_autofree char *row1 = NULL;
  g_autofree char *row2 = NULL;
  g_autofree char *blank1 = NULL;
  guint            clears;

  open_display ("epson");
  uri = display_uri ("epson");
  ck_assert_int_eq (run_admin (&out, &err, "hw", "display", uri, "ONE", "TWO", NULL), 0);
  ck_assert_int_eq (run_admin (&out2, &err2, "hw", "display", uri, "THREE", NULL), 0);
  ck_assert (till_display_sim_sync (display, 2000));
  row1 = till_display_sim_dup_row (display, 1);
  row2 = till_display_sim_dup_row (display, 2);
  ck_assert_str_eq (row1, "THREE               ");
  ck_assert_str_eq (row2, "                    ");

  clears = till_display_sim_get_n_clears (display);
  ck_assert_int_eq (run_admin (&out3, &err3, "hw", "display", uri, "--clear", NULL), 0);
  ck_assert (till_display_sim_sync (display, 2000));
  ck_assert_uint_gt (till_display_sim_get_n_clears (display), clears);
  blank1 = till_display_sim_dup_row (display, 1);
  ck_assert_str_eq (blank1, "                    ");
}
END_TEST

/* /admin/hw/display/led-amount-and-lamp */
START_TEST (test_hw_display_led)
{
  g_autofree char *uri = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *digits = NULL;
  int              status;

  open_display ("led8");
  uri = display_uri ("led8");
  status = run_admin (&out, &err, "hw", "display", uri, "23.5", "--lamp", "total", NULL);
  ck_assert_msg (status == 0, "exit %d: %s", status, err);
  ck_assert (till_display_sim_sync (display, 2000));
  digits = till_display_sim_dup_digits (display);
  ck_assert_str_eq (digits, "23.50");
  ck_assert_uint_eq (till_display_sim_get_lamps (display), TILL_DISPLAY_SIM_LAMP_TOTAL);
}
END_TEST

/* /admin/hw/display/unplugged */
START_TEST (test_hw_display_unplugged)
{
  g_autofree char *uri = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int              status;

  open_display ("cd5220");
  uri = display_uri ("cd5220");
  till_display_sim_unplug (display);
  status = run_admin (&out, &err, "hw", "display", uri, "HELLO", "--timeout", "300", NULL);
  ck_assert_int_eq (status, EXIT_FAILED);
  ck_assert_msg (strstr (err, display_path) != NULL, "stderr: %s", err);
}
END_TEST

/* /admin/hw/display/usage: what does not fit the display is refused before
 * anything goes out. */
START_TEST (test_hw_display_usage)
{
  g_autofree char *vfd = NULL;
  g_autofree char *led = NULL;
  const char      *bad[][5] = {
         { "ONE", "TWO", "THREE", NULL },      /* three lines on a 2-line VFD */
         { "HELLO", "--lamp", "total", NULL }, /* a lamp on a VFD */
         { NULL },                             /* nothing to show */
  };
  const char *bad_led[][4] = {
    { "abc", NULL },                        /* not an amount */
    { "1.00", "2.00", NULL },               /* two amounts */
    { "1.00", "--lamp", "discount", NULL }, /* no such lamp */
    { "123456789", NULL },                  /* does not fit 8 digits */
  };

  open_display ("cd5220");
  vfd = display_uri ("cd5220");
  led = g_strdup_printf ("serial://%s?baud=9600&protocol=led8", display_path);
  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autofree char *out = NULL;
      g_autofree char *err = NULL;
      int status = run_admin (&out, &err, "hw", "display", vfd, bad[i][0], bad[i][1], bad[i][2],
                              bad[i][3], NULL);

      ck_assert_msg (status == EXIT_USAGE, "case %zu: exit %d: %s", i, status, err);
    }
  for (gsize i = 0; i < G_N_ELEMENTS (bad_led); i++)
    {
      g_autofree char *out = NULL;
      g_autofree char *err = NULL;
      int status = run_admin (&out, &err, "hw", "display", led, bad_led[i][0], bad_led[i][1],
                              bad_led[i][2], NULL);

      ck_assert_msg (status == EXIT_USAGE, "led case %zu: exit %d: %s", i, status, err);
    }
  /* None of it reached the display. */
  till_display_sim_sync (display, 500);
  ck_assert_uint_eq (till_display_sim_get_n_bytes (display), 0);
}
END_TEST

/* /admin/hw/usage/options: options given to the wrong command, or with values
 * out of range, exit 2 naming the option. */
START_TEST (test_hw_option_usage)
{
  static const char *const bad[][5] = {
    { "drawer", "file:///dev/null", "--pin", "3", NULL },
    { "drawer", "file:///dev/null", "--tare", NULL },
    { "scale", "sim://scale?protocol=cas", "--pin", "5", NULL },
    { "scale", "sim://scale?protocol=cas", "--count", "0", NULL },
    { "status", "file:///dev/null", "--lamp", "total", NULL },
    { "test", "file:///dev/null", "--clear", NULL },
    { "drawer", NULL },
    { "scale", NULL },
    { "display", NULL },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autofree char *out = NULL;
      g_autofree char *err = NULL;
      int status = run_admin (&out, &err, "hw", bad[i][0], bad[i][1], bad[i][2], bad[i][3], NULL);

      ck_assert_msg (status == EXIT_USAGE, "case %zu: exit %d: %s", i, status, err);
      ck_assert_msg (bad[i][2] == NULL || strstr (err, bad[i][2]) != NULL, "case %zu: stderr: %s",
                     i, err);
      ck_assert_msg (bad[i][1] != NULL || strstr (err, "hw drawer URI") != NULL,
                     "case %zu: stderr: %s", i, err);
    }
}
END_TEST

/* /admin/hw/usage/help: `hw --help` and the top-level help name the new
 * commands and their options. */
START_TEST (test_hw_help)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *top_out = NULL;
  g_autofree char *top_err = NULL;

  ck_assert_int_eq (run_admin (&out, &err, "hw", "--help", NULL), 0);
  for (const char *const *word =
           (const char *const[]){ "drawer URI", "scale URI", "display URI", "--pin", "--tare",
                                  "--zero", "--count", "--lamp", "--clear", "--timeout", NULL };
       *word != NULL; word++)
    ck_assert_msg (strstr (out, *word) != NULL, "%s missing: %s", *word, out);
  ck_assert_int_eq (run_admin (&top_out, &top_err, "--help", NULL), 0);
  ck_assert_msg (strstr (top_out, "drawer|scale|display") != NULL, "stdout: %s", top_out);
}
END_TEST

static Suite *
admin_suite (void)
{
  Suite *suite = suite_create ("admin");
  TCase *tc;

  tc = tcase_create ("usage");
  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_add_test (tc, test_unknown_command);
  tcase_add_test (tc, test_no_command);
  tcase_add_test (tc, test_help);
  suite_add_tcase (suite, tc);

  tc = tcase_create ("demo");
  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_add_test (tc, test_demo_creates_store);
  tcase_add_test (tc, test_demo_refuses_filled_store);
  tcase_add_test (tc, test_demo_bad_number);
  tcase_add_test (tc, test_demo_locked_database);
  suite_add_tcase (suite, tc);

  tc = tcase_create ("shifts");
  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_set_timeout (tc, 60);
  tcase_add_test (tc, test_shifts_list);
  tcase_add_test (tc, test_z_report);
  tcase_add_test (tc, test_z_report_none);
  tcase_add_test (tc, test_report);
  suite_add_tcase (suite, tc);

  tc = tcase_create ("hw");
  tcase_add_checked_fixture (tc, hw_setup, hw_teardown);
  tcase_add_test (tc, test_hw_status_states);
  tcase_add_test (tc, test_hw_status_silent);
  tcase_add_test (tc, test_hw_test_prints);
  tcase_add_test (tc, test_hw_test_unplugged);
  tcase_add_test (tc, test_hw_usage);
  tcase_add_test (tc, test_hw_drawer_pin2);
  tcase_add_test (tc, test_hw_drawer_pin5);
  tcase_add_test (tc, test_hw_drawer_paper_out);
  tcase_add_test (tc, test_hw_drawer_no_status);
  tcase_add_test (tc, test_hw_drawer_file);
  tcase_add_test (tc, test_hw_drawer_unplugged);
  tcase_add_test (tc, test_hw_option_usage);
  tcase_add_test (tc, test_hw_help);
  suite_add_tcase (suite, tc);

  tc = tcase_create ("hw-scale");
  tcase_add_checked_fixture (tc, scale_setup, scale_teardown);
  tcase_add_test (tc, test_hw_scale_stable);
  tcase_add_test (tc, test_hw_scale_simulated);
  tcase_add_test (tc, test_hw_scale_unstable);
  tcase_add_test (tc, test_hw_scale_no_answer);
  tcase_add_test (tc, test_hw_scale_tare);
  tcase_add_test (tc, test_hw_scale_bad_uri);
  suite_add_tcase (suite, tc);

  tc = tcase_create ("hw-display");
  tcase_add_checked_fixture (tc, NULL, display_teardown);
  tcase_add_test (tc, test_hw_display_vfd);
  tcase_add_test (tc, test_hw_display_vfd_clear);
  tcase_add_test (tc, test_hw_display_led);
  tcase_add_test (tc, test_hw_display_unplugged);
  tcase_add_test (tc, test_hw_display_usage);
  suite_add_tcase (suite, tc);

  return suite;
}

int
main (int argc, char **argv)
{
  if (argc != 2)
    {
      g_printerr ("usage: %s PATH-TO-OPENTILL-ADMIN\n", argv[0]);
      return 2;
    }
  admin_path = argv[1];
  return till_test_run_suite (admin_suite ());
}
