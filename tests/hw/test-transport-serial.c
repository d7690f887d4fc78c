/* test-transport-serial.c: tests for hw/transport/till-transport-serial.c
 *
 * The printer simulator serves a real pseudo-terminal from a thread; the
 * driver opens /dev/pts/N through termios, exactly as it opens a USB-serial
 * port that libserialport does not know.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <fcntl.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "till-escpos.h"
#include "till-printer-sim.h"
#include "till-printer-status.h"
#include "till-test-util.h"
#include "till-transport-serial.h"
#include "till-transport.h"

static TillPrinterSim *sim;
static char           *device_path;
static char           *uri;

static void
setup (void)
{
  g_autoptr (GError) error = NULL;

  sim = till_printer_sim_new (576);
  device_path = till_printer_sim_serve_pty (sim, &error);
  ck_assert_msg (device_path != NULL, "%s", error ? error->message : "");
  uri = g_strdup_printf ("serial://%s?baud=9600&parity=none&flow=none", device_path);
}

static void
teardown (void)
{
  till_printer_sim_stop_serving (sim);
  g_clear_object (&sim);
  g_clear_pointer (&device_path, g_free);
  g_clear_pointer (&uri, g_free);
}

static GBytes *
make_receipt (void)
{
  g_autoptr (TillPrinterProfile) profile = till_printer_profile_new (TILL_PAPER_80MM);
  g_autoptr (TillEscpos) pos = till_escpos_new (profile);

  till_escpos_initialize (pos);
  till_escpos_align (pos, TILL_ALIGN_CENTER);
  till_escpos_size (pos, TRUE, TRUE);
  till_escpos_line (pos, "好邻居便利店");
  till_escpos_size (pos, FALSE, FALSE);
  till_escpos_align (pos, TILL_ALIGN_LEFT);
  for (guint i = 0; i < 20; i++)
    till_escpos_row (pos, "农夫山泉 550ml", "2.00");
  till_escpos_row (pos, "合计", "￥40.00");
  till_escpos_qr (pos, "https://hq.example.cn/r/0001-000042");
  till_escpos_cut (pos);
  return till_escpos_finish (pos);
}

static TillTransport *
open_ok (const char *device_uri)
{
  g_autoptr (GError) error = NULL;
  TillTransport *transport = till_transport_open (device_uri, &error);

  ck_assert_msg (transport != NULL, "%s: %s", device_uri, error ? error->message : "");
  return transport;
}

/* /hw/transport-serial/print/bytes-identical */
START_TEST (test_print_receipt)
{
  g_autoptr (GBytes) receipt = make_receipt ();
  g_autoptr (GBytes) received = NULL;
  g_autoptr (GError) error = NULL;
  const GPtrArray *lines;
  gboolean         found_total = FALSE;

  ck_assert_msg (till_transport_print_bytes (uri, receipt, NULL, &error), "%s",
                 error ? error->message : "");
  ck_assert (till_printer_sim_wait_received (sim, g_bytes_get_size (receipt), 5000));
  till_printer_sim_stop_serving (sim);

  received = till_printer_sim_dup_received (sim);
  ck_assert_uint_eq (g_bytes_get_size (received), g_bytes_get_size (receipt));
  ck_assert (g_bytes_equal (received, receipt));
  /* And the printer understood them: one cut receipt, Chinese text, the QR. */
  ck_assert_uint_eq (till_printer_sim_get_n_receipts (sim), 1);
  ck_assert_uint_eq (till_printer_sim_get_n_garbage_bytes (sim), 0);
  lines = till_printer_sim_get_receipt_lines (sim, 0);
  ck_assert_str_eq (g_ptr_array_index (lines, 0), "好邻居便利店");
  for (guint i = 0; i < lines->len; i++)
    found_total |= g_str_has_prefix (g_ptr_array_index (lines, i), "合计");
  ck_assert (found_total);
  ck_assert_uint_eq (till_printer_sim_get_qr_payloads (sim)->len, 1);
  ck_assert_str_eq (g_ptr_array_index (till_printer_sim_get_qr_payloads (sim), 0),
                    "https://hq.example.cn/r/0001-000042");
}
END_TEST

/* /hw/transport-serial/status/each-state: DLE EOT 1, 2, 4 answered byte for
 * byte in each state, and decoded. */
START_TEST (test_status_each_state)
{
  static const struct
  {
    TillPrinterSimState state;
    guint8              replies[3]; /* to n = 1, 2, 4 */
    const char         *message;
  } cases[] = {
    { TILL_PRINTER_SIM_ONLINE, { 0x12, 0x12, 0x12 }, "The printer is ready" },
    { TILL_PRINTER_SIM_PAPER_NEAR_END, { 0x12, 0x12, 0x1e }, "The printer paper is running low" },
    { TILL_PRINTER_SIM_PAPER_OUT, { 0x1a, 0x32, 0x7e }, "The printer is out of paper" },
    { TILL_PRINTER_SIM_COVER_OPEN, { 0x1a, 0x16, 0x12 }, "The printer cover is open" },
    { TILL_PRINTER_SIM_OFFLINE, { 0x1a, 0x12, 0x12 }, "The printer is offline" },
  };
  g_autoptr (TillTransport) transport = open_ok (uri);
  g_autoptr (GError) error = NULL;

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      static const guint8 ask[] = { 0x10, 0x04, 1, 0x10, 0x04, 2, 0x10, 0x04, 4 };
      guint8              reply[3];
      gsize               got = 0;
      TillPrinterStatus   status;
      g_autofree char    *message = NULL;

      till_printer_sim_set_state (sim, cases[i].state);
      /* The raw bytes first. */
      ck_assert (till_transport_write_all (transport, ask, sizeof ask, &error));
      while (got < sizeof reply)
        {
          gssize n = till_transport_read (transport, reply + got, sizeof reply - got, 2000, &error);

          ck_assert_msg (n > 0, "state %d: %s", cases[i].state,
                         error ? error->message : "no answer");
          got += (gsize) n;
        }
      ck_assert_int_eq (memcmp (reply, cases[i].replies, sizeof reply), 0);

      /* Then through the status module. */
      ck_assert_msg (till_printer_status_query (transport, 2000, &status, &error), "%s",
                     error ? error->message : "");
      ck_assert_uint_eq (status.replies[1], cases[i].replies[0]);
      ck_assert_uint_eq (status.replies[2], cases[i].replies[1]);
      ck_assert_uint_eq (status.replies[4], cases[i].replies[2]);
      message = till_printer_status_describe (&status);
      ck_assert_str_eq (message, cases[i].message);
    }
  ck_assert (till_transport_close (transport, &error));
}
END_TEST

/* /hw/transport-serial/status/paper-out-job: a job sent to a printer without
 * paper still arrives, and the status says why nothing came out. */
START_TEST (test_paper_out_job)
{
  g_autoptr (TillTransport) transport = open_ok (uri);
  g_autoptr (GBytes) receipt = make_receipt ();
  g_autoptr (GError) error = NULL;
  TillPrinterStatus status;

  till_printer_sim_set_state (sim, TILL_PRINTER_SIM_PAPER_OUT);
  ck_assert (till_printer_status_query (transport, 1000, &status, &error));
  ck_assert (!till_printer_status_is_ready (&status));
  ck_assert (status.flags & TILL_PRINTER_STATUS_PAPER_OUT);
  till_printer_sim_set_state (sim, TILL_PRINTER_SIM_ONLINE);
  ck_assert (till_printer_status_query (transport, 1000, &status, &error));
  ck_assert (till_printer_status_is_ready (&status));
  ck_assert (till_transport_write_bytes (transport, receipt, &error));
  ck_assert (till_transport_close (transport, &error));
}
END_TEST

/* /hw/transport-serial/status/silent: no answer is a state, within the timeout. */
START_TEST (test_silent_timeout)
{
  g_autoptr (TillTransport) transport = open_ok (uri);
  g_autoptr (GError) error = NULL;
  TillPrinterStatus status;
  guint8            byte;
  gint64            start;
  gint64            elapsed_ms;

  till_printer_sim_set_silent (sim, TRUE);
  start = g_get_monotonic_time ();
  ck_assert (till_transport_read (transport, &byte, 1, 200, &error) == 0);
  elapsed_ms = (g_get_monotonic_time () - start) / 1000;
  ck_assert_msg (elapsed_ms >= 190 && elapsed_ms < 1500, "read waited %" G_GINT64_FORMAT " ms",
                 elapsed_ms);

  start = g_get_monotonic_time ();
  ck_assert_msg (till_printer_status_query (transport, 300, &status, &error), "%s",
                 error ? error->message : "");
  elapsed_ms = (g_get_monotonic_time () - start) / 1000;
  ck_assert_uint_eq (status.flags, TILL_PRINTER_STATUS_NO_ANSWER);
  ck_assert (!till_printer_status_is_ready (&status));
  /* One timeout, not one per question. */
  ck_assert_msg (elapsed_ms >= 290 && elapsed_ms < 1500, "query waited %" G_GINT64_FORMAT " ms",
                 elapsed_ms);
  /* The question went out once (DLE EOT 1), and after the silence no more. */
  {
    g_autoptr (GBytes) received = NULL;
    g_autoptr (GBytes) asked = g_bytes_new_static ("\x10\x04\x01", 3);

    ck_assert (till_printer_sim_wait_received (sim, 3, 1000));
    received = till_printer_sim_dup_received (sim);
    ck_assert (g_bytes_equal (received, asked));
  }
}
END_TEST

/* /hw/transport-serial/unplug/mid-job: the pty master closes after 1000 bytes
 * of a 1 MiB job: the write fails with a clear error, and fast. */
START_TEST (test_unplug_mid_job)
{
  g_autoptr (TillTransport) transport = open_ok (uri);
  g_autoptr (GError) error = NULL;
  gsize              len = 1024 * 1024;
  g_autofree guint8 *job = g_malloc (len);
  gint64             start;
  gint64             elapsed_ms;
  guint8             byte;

  memset (job, 'A', len);
  till_printer_sim_unplug_after (sim, 1000);
  start = g_get_monotonic_time ();
  ck_assert (!till_transport_write_all (transport, job, len, &error));
  elapsed_ms = (g_get_monotonic_time () - start) / 1000;
  ck_assert_msg (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED), "%s",
                 error->message);
  ck_assert_msg (strstr (error->message, uri) != NULL, "%s", error->message);
  ck_assert_msg (strstr (error->message, "went away") != NULL, "%s", error->message);
  ck_assert_msg (elapsed_ms < 3000, "took %" G_GINT64_FORMAT " ms", elapsed_ms);
  ck_assert (till_printer_sim_get_unplugged (sim));
  g_clear_error (&error);

  /* Reading the status of a printer that is gone fails too, without a hang. */
  ck_assert_int_eq (till_transport_read (transport, &byte, 1, 5000, &error), -1);
  ck_assert (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED));
  g_clear_error (&error);
  /* Closing a dead port does not wait for the queued bytes. */
  start = g_get_monotonic_time ();
  till_transport_close (transport, NULL);
  ck_assert ((g_get_monotonic_time () - start) / 1000 < 6000);
}
END_TEST

/* /hw/transport-serial/unplug/status: unplugged between jobs. */
START_TEST (test_unplug_status)
{
  g_autoptr (TillTransport) transport = open_ok (uri);
  g_autoptr (GError) error = NULL;
  TillPrinterStatus status;

  till_printer_sim_unplug (sim);
  ck_assert (!till_printer_status_query (transport, 1000, &status, &error));
  ck_assert_msg (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED), "%s",
                 error->message);
}
END_TEST

/* /hw/transport-serial/settings/applied: baud, parity, bits, stop reach the tty. */
START_TEST (test_settings_applied)
{
  g_autofree char *custom = g_strdup_printf (
      "serial://%s?baud=19200&parity=even&bits=7&stop=2&flow=xonxoff", device_path);
  g_autoptr (TillTransport) transport = open_ok (custom);
  g_autoptr (GError) error = NULL;
  struct termios tio;
  int            fd = open (device_path, O_RDWR | O_NOCTTY);

  ck_assert_int_ge (fd, 0);
  ck_assert_int_eq (tcgetattr (fd, &tio), 0);
  close (fd);
  /* The Linux pty driver forces CS8 without parity whatever is asked, so only
   * the speed, stop bits and flow control can be seen here. */
  ck_assert_uint_eq (cfgetospeed (&tio), B19200);
  ck_assert (tio.c_cflag & CSTOPB);
  ck_assert (tio.c_iflag & IXON);
  /* Raw: no CR/LF translation, no canonical mode. */
  ck_assert (!(tio.c_oflag & OPOST));
  ck_assert (!(tio.c_lflag & ICANON));
  ck_assert (till_transport_close (transport, &error));
}
END_TEST

/* /hw/transport-serial/uri/parse */
START_TEST (test_uri_parse)
{
  TillSerialSettings settings;
  g_autoptr (GError) error = NULL;

  ck_assert (till_serial_settings_parse ("serial:///dev/ttyUSB0", &settings, &error));
  ck_assert_str_eq (settings.path, "/dev/ttyUSB0");
  ck_assert_uint_eq (settings.baud, 9600);
  ck_assert_uint_eq (settings.data_bits, 8);
  ck_assert_uint_eq (settings.stop_bits, 1);
  ck_assert_int_eq (settings.parity, TILL_SERIAL_PARITY_NONE);
  ck_assert_int_eq (settings.flow, TILL_SERIAL_FLOW_NONE);
  till_serial_settings_clear (&settings);

  ck_assert (till_serial_settings_parse (
      "serial:///dev/ttyS1?baud=115200&parity=odd&databits=7&stopbits=2&flow=dtrdsr&width=58",
      &settings, &error));
  ck_assert_str_eq (settings.path, "/dev/ttyS1");
  ck_assert_uint_eq (settings.baud, 115200);
  ck_assert_uint_eq (settings.data_bits, 7);
  ck_assert_uint_eq (settings.stop_bits, 2);
  ck_assert_int_eq (settings.parity, TILL_SERIAL_PARITY_ODD);
  ck_assert_int_eq (settings.flow, TILL_SERIAL_FLOW_DTRDSR);
  till_serial_settings_clear (&settings);
}
END_TEST

/* /hw/transport-serial/uri/bad: each mistake is named, with the URI. */
START_TEST (test_uri_bad)
{
  static const struct
  {
    const char *uri;
    const char *says;
  } cases[] = {
    { "serial://", "device path" },
    { "serial:ttyUSB0", "device path" },
    { "serial:///dev/ttyUSB0?baud=fast", "baud" },
    { "serial:///dev/ttyUSB0?baud=12345", "12345 baud" }, /* not a standard rate */
    { "serial:///dev/ttyUSB0?parity=mark", "parity" },
    { "serial:///dev/ttyUSB0?flow=magic", "flow" },
    { "serial:///dev/ttyUSB0?bits=9", "bits" },
    { "serial:///dev/ttyUSB0?stop=3", "stop" },
    { "serial:///dev/opentill-no-such-port", "No such file" },
    { "serial:///dev/null", "serial port" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (TillTransport) transport = till_transport_open (cases[i].uri, &error);

      ck_assert_msg (transport == NULL, "%s opened", cases[i].uri);
      ck_assert_msg (strstr (error->message, cases[i].says) != NULL, "%s: %s", cases[i].uri,
                     error->message);
      ck_assert_msg (g_str_has_prefix (error->message, cases[i].uri), "%s: %s", cases[i].uri,
                     error->message);
    }
}
END_TEST

static Suite *
transport_serial_suite (void)
{
  Suite *suite = suite_create ("hw/transport-serial");
  TCase *tc;

  tc = tcase_create ("pty");
  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_add_test (tc, test_print_receipt);
  tcase_add_test (tc, test_status_each_state);
  tcase_add_test (tc, test_paper_out_job);
  tcase_add_test (tc, test_silent_timeout);
  tcase_add_test (tc, test_unplug_mid_job);
  tcase_add_test (tc, test_unplug_status);
  tcase_add_test (tc, test_settings_applied);
  suite_add_tcase (suite, tc);

  tc = tcase_create ("uri");
  tcase_add_test (tc, test_uri_parse);
  tcase_add_test (tc, test_uri_bad);
  suite_add_tcase (suite, tc);
  return suite;
}

int
main (void)
{
  return till_test_run_suite (transport_serial_suite ());
}
