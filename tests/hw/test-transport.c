/* test-transport.c: tests for hw/till-transport.c and the sim:// backend
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "till-escpos.h"
#include "till-printer-sim.h"
#include "till-test-util.h"
#include "till-transport.h"

static GBytes *
small_receipt (const char *text)
{
  g_autoptr (TillPrinterProfile) profile = till_printer_profile_new (TILL_PAPER_80MM);
  g_autoptr (TillEscpos) pos = till_escpos_new (profile);

  till_escpos_initialize (pos);
  till_escpos_align (pos, TILL_ALIGN_CENTER);
  till_escpos_size (pos, TRUE, TRUE);
  till_escpos_line (pos, text);
  till_escpos_size (pos, FALSE, FALSE);
  for (guint i = 0; i < 8; i++)
    till_escpos_row (pos, "矿泉水 550ml", "2.00");
  till_escpos_qr (pos, text);
  till_escpos_cut (pos);
  return till_escpos_finish (pos);
}

/* /hw/transport/file */

START_TEST (test_file_appends)
{
  g_autofree char *dir = till_test_make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "receipt.bin", NULL);
  g_autofree char *uri = g_strconcat ("file://", path, NULL);
  g_autoptr (TillTransport) transport = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) first = small_receipt ("第一张");
  g_autoptr (GBytes) second = small_receipt ("第二张");
  g_autofree char *contents = NULL;
  gsize            len;
  guint8           buffer[4];

  /* Something already there is kept: the transport appends. */
  ck_assert (g_file_set_contents (path, "\x1b@", 2, NULL));
  transport = till_transport_open (uri, &error);
  ck_assert_msg (transport != NULL, "%s", error ? error->message : "");
  ck_assert_str_eq (till_transport_get_uri (transport), uri);
  ck_assert (till_transport_write_bytes (transport, first, &error));
  ck_assert (till_transport_write_bytes (transport, second, &error));

  ck_assert (g_file_get_contents (path, &contents, &len, NULL));
  ck_assert_uint_eq (len, 2 + g_bytes_get_size (first) + g_bytes_get_size (second));
  ck_assert_int_eq (memcmp (contents, "\x1b@", 2), 0);
  ck_assert_int_eq (memcmp (contents + 2, g_bytes_get_data (first, NULL), g_bytes_get_size (first)),
                    0);
  ck_assert_int_eq (memcmp (contents + 2 + g_bytes_get_size (first),
                            g_bytes_get_data (second, NULL), g_bytes_get_size (second)),
                    0);

  /* A file gives nothing back: reading is not supported. */
  ck_assert_int_eq (till_transport_read (transport, buffer, sizeof buffer, 10, &error), -1);
  ck_assert (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED));
  g_clear_error (&error);

  ck_assert (till_transport_close (transport, &error));
  ck_assert (till_transport_close (transport, &error));
  ck_assert (!till_transport_write_bytes (transport, first, &error));
  ck_assert (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CLOSED));
  till_test_remove_tree (dir);
}
END_TEST

START_TEST (test_file_bad_path)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TillTransport) relative = till_transport_open ("file:receipt.bin", &error);
  g_autoptr (TillTransport) missing_dir = NULL;

  ck_assert (relative == NULL);
  ck_assert (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT));
  g_clear_error (&error);
  missing_dir = till_transport_open ("file:///nonexistent-dir/x/receipt.bin", &error);
  ck_assert (missing_dir == NULL);
  ck_assert (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND));
  ck_assert (strstr (error->message, "/nonexistent-dir/x/receipt.bin") != NULL);
}
END_TEST

/* /hw/transport/uri */

START_TEST (test_unknown_scheme)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TillTransport) transport = till_transport_open ("lpt://1", &error);

  ck_assert (transport == NULL);
  ck_assert (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED));
  ck_assert_msg (strstr (error->message, "lpt://1") != NULL, "%s", error->message);
}
END_TEST

START_TEST (test_bad_uris)
{
  const char *bad[] = { "",
                        "not a uri",
                        "://x",
                        "sim://printer?width=76",
                        "sim://printer?width=80&dir=",
                        "sim://printer?dir=relative/dir" };

  till_printer_sim_register_transport ();
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (TillTransport) transport = till_transport_open (bad[i], &error);

      ck_assert_msg (transport == NULL, "“%s” opened", bad[i]);
      ck_assert_msg (error != NULL && error->domain == G_IO_ERROR, "“%s”", bad[i]);
    }
}
END_TEST

START_TEST (test_sim_unknown_device)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TillTransport) transport = NULL;

  till_printer_sim_register_transport ();
  transport = till_transport_open ("sim://toaster", &error);
  ck_assert (transport == NULL);
  ck_assert (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED));
}
END_TEST

/* /hw/transport/sim */

START_TEST (test_sim_writes_pngs)
{
  g_autofree char *dir = till_test_make_tmpdir ();
  g_autofree char *uri = g_strdup_printf ("sim://printer?dir=%s&width=58", dir);
  g_autofree char *first = g_build_filename (dir, "receipt-0001.png", NULL);
  g_autofree char *second = g_build_filename (dir, "receipt-0002.png", NULL);
  g_autoptr (GBytes) a = small_receipt ("一号");
  g_autoptr (GBytes) b = small_receipt ("二号");
  g_autoptr (TillTransport) transport = NULL;
  g_autoptr (GError) error = NULL;
  guint8 reply[4] = { 0 };
  gsize  half = g_bytes_get_size (b) / 2;

  till_printer_sim_register_transport ();
  transport = till_transport_open (uri, &error);
  ck_assert_msg (transport != NULL, "%s", error ? error->message : "");

  ck_assert (till_transport_write_bytes (transport, a, &error));
  ck_assert (g_file_test (first, G_FILE_TEST_IS_REGULAR));
  ck_assert (!g_file_test (second, G_FILE_TEST_EXISTS));
  /* The second receipt in two writes: the PNG appears with the cut. */
  ck_assert (till_transport_write_all (transport, g_bytes_get_data (b, NULL), half, &error));
  ck_assert (!g_file_test (second, G_FILE_TEST_EXISTS));
  ck_assert (till_transport_write_all (transport,
                                       (const guint8 *) g_bytes_get_data (b, NULL) + half,
                                       g_bytes_get_size (b) - half, &error));
  ck_assert (g_file_test (second, G_FILE_TEST_IS_REGULAR));

  /* The simulated printer answers DLE EOT 1 with "all is well". */
  ck_assert (till_transport_write_all (transport, (const guint8 *) "\x10\x04\x01", 3, &error));
  ck_assert_int_eq (till_transport_read (transport, reply, sizeof reply, 100, &error), 1);
  ck_assert_uint_eq (reply[0], TILL_PRINTER_SIM_STATUS_OK);
  ck_assert_int_eq (till_transport_read (transport, reply, sizeof reply, 10, &error), 0);
  ck_assert (till_transport_close (transport, &error));
  till_test_remove_tree (dir);
}
END_TEST

typedef struct
{
  GMainLoop *loop;
  gboolean   ok;
  GError    *error;
  GThread   *callback_thread;
} AsyncResult;

static void
write_done_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  AsyncResult *async = user_data;

  async->ok = till_transport_write_bytes_finish (TILL_TRANSPORT (source), result, &async->error);
  async->callback_thread = g_thread_self ();
  g_main_loop_quit (async->loop);
}

START_TEST (test_async_write)
{
  g_autofree char *dir = till_test_make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "async.bin", NULL);
  g_autofree char *uri = g_strconcat ("file://", path, NULL);
  g_autoptr (GBytes) bytes = small_receipt ("异步");
  g_autoptr (TillTransport) transport = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  AsyncResult      async = { loop, FALSE, NULL, NULL };
  g_autofree char *contents = NULL;
  gsize            len;

  transport = till_transport_open (uri, &error);
  ck_assert (transport != NULL);
  till_transport_write_bytes_async (transport, bytes, NULL, write_done_cb, &async);
  g_main_loop_run (loop);
  ck_assert_msg (async.ok, "%s", async.error ? async.error->message : "");
  /* The callback comes back to the thread that runs the main loop. */
  ck_assert (async.callback_thread == g_thread_self ());
  ck_assert (g_file_get_contents (path, &contents, &len, NULL));
  ck_assert_uint_eq (len, g_bytes_get_size (bytes));

  /* A cancelled write reports cancellation and writes nothing. */
  {
    g_autoptr (GCancellable) cancellable = g_cancellable_new ();
    g_autofree char *after = NULL;

    g_cancellable_cancel (cancellable);
    async.ok = TRUE;
    till_transport_write_bytes_async (transport, bytes, cancellable, write_done_cb, &async);
    g_main_loop_run (loop);
    ck_assert (!async.ok);
    ck_assert (g_error_matches (async.error, G_IO_ERROR, G_IO_ERROR_CANCELLED));
    g_clear_error (&async.error);
    ck_assert (g_file_get_contents (path, &after, &len, NULL));
    ck_assert_uint_eq (len, g_bytes_get_size (bytes));
  }
  till_test_remove_tree (dir);
}
END_TEST

START_TEST (test_print_bytes)
{
  g_autofree char *dir = till_test_make_tmpdir ();
  g_autofree char *uri = g_strdup_printf ("sim://printer?dir=%s", dir);
  g_autofree char *png = g_build_filename (dir, "receipt-0001.png", NULL);
  g_autoptr (GBytes) bytes = small_receipt ("一次打印");
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  g_autoptr (GError) error = NULL;

  till_printer_sim_register_transport ();
  ck_assert_msg (till_transport_print_bytes (uri, bytes, NULL, &error), "%s",
                 error ? error->message : "");
  ck_assert (g_file_test (png, G_FILE_TEST_IS_REGULAR));

  ck_assert (!till_transport_print_bytes ("nope://x", bytes, NULL, &error));
  ck_assert (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED));
  g_clear_error (&error);
  g_cancellable_cancel (cancellable);
  ck_assert (!till_transport_print_bytes (uri, bytes, cancellable, &error));
  ck_assert (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED));
  till_test_remove_tree (dir);
}
END_TEST

static Suite *
transport_suite (void)
{
  Suite *suite = suite_create ("/hw/transport");
  TCase *file = tcase_create ("/hw/transport/file");
  TCase *uri = tcase_create ("/hw/transport/uri");
  TCase *sim = tcase_create ("/hw/transport/sim");

  tcase_add_test (file, test_file_appends);
  tcase_add_test (file, test_file_bad_path);
  tcase_add_test (file, test_async_write);
  suite_add_tcase (suite, file);

  tcase_add_test (uri, test_unknown_scheme);
  tcase_add_test (uri, test_bad_uris);
  tcase_add_test (uri, test_sim_unknown_device);
  suite_add_tcase (suite, uri);

  tcase_add_test (sim, test_sim_writes_pngs);
  tcase_add_test (sim, test_print_bytes);
  suite_add_tcase (suite, sim);
  return suite;
}

int
main (void)
{
  return till_test_run_suite (transport_suite ());
}
