/* test-admin.c: tests for src/admin/opentill-admin.c, run as a program
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "till-core.h"
#include "till-printer-sim.h"
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
  ck_assert_str_eq (g_ptr_array_index (till_printer_sim_get_qr_payloads (printer), 0),
                    "https://opentill.org/hw-test");
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

  tc = tcase_create ("hw");
  tcase_add_checked_fixture (tc, hw_setup, hw_teardown);
  tcase_add_test (tc, test_hw_status_states);
  tcase_add_test (tc, test_hw_status_silent);
  tcase_add_test (tc, test_hw_test_prints);
  tcase_add_test (tc, test_hw_test_unplugged);
  tcase_add_test (tc, test_hw_usage);
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
