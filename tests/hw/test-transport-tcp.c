/* test-transport-tcp.c: tests for hw/transport/till-transport-tcp.c
 *
 * The printer simulator listens on 127.0.0.1 like a port-9100 printer; the
 * driver connects with GSocketClient over real loopback TCP.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "till-escpos.h"
#include "till-printer-sim.h"
#include "till-printer-status.h"
#include "till-test-util.h"
#include "till-transport.h"

static TillPrinterSim *sim;
static guint16         port;
static char           *uri;

static void
setup (void)
{
  g_autoptr (GError) error = NULL;

  sim = till_printer_sim_new (576);
  port = till_printer_sim_serve_tcp (sim, 0, &error);
  ck_assert_msg (port != 0, "%s", error ? error->message : "");
  uri = g_strdup_printf ("tcp://127.0.0.1:%u", port);
}

static void
teardown (void)
{
  till_printer_sim_stop_serving (sim);
  g_clear_object (&sim);
  g_clear_pointer (&uri, g_free);
}

static GBytes *
make_receipt (const char *title)
{
  g_autoptr (TillPrinterProfile) profile = till_printer_profile_new (TILL_PAPER_58MM);
  g_autoptr (TillEscpos) pos = till_escpos_new (profile);

  till_escpos_initialize (pos);
  till_escpos_line (pos, title);
  for (guint i = 0; i < 15; i++)
    till_escpos_row (pos, "康师傅红烧牛肉面", "4.50");
  till_escpos_qr (pos, title);
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

/* A port nothing listens on: bound, read, and closed again. */
static guint16
free_port (void)
{
  struct sockaddr_in address = { .sin_family = AF_INET };
  socklen_t          len = sizeof address;
  int                fd = socket (AF_INET, SOCK_STREAM, 0);

  address.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  ck_assert_int_eq (bind (fd, (struct sockaddr *) &address, sizeof address), 0);
  ck_assert_int_eq (getsockname (fd, (struct sockaddr *) &address, &len), 0);
  close (fd);
  return ntohs (address.sin_port);
}

/* /hw/transport-tcp/print/bytes-identical: two jobs, two connections. */
START_TEST (test_print_receipts)
{
  g_autoptr (GBytes) first = make_receipt ("第一张小票");
  g_autoptr (GBytes) second = make_receipt ("第二张小票");
  g_autoptr (GBytes) received = NULL;
  g_autoptr (GByteArray) expected = g_byte_array_new ();
  g_autoptr (GError) error = NULL;

  ck_assert_msg (till_transport_print_bytes (uri, first, NULL, &error), "%s",
                 error ? error->message : "");
  ck_assert_msg (till_transport_print_bytes (uri, second, NULL, &error), "%s",
                 error ? error->message : "");
  g_byte_array_append (expected, g_bytes_get_data (first, NULL), g_bytes_get_size (first));
  g_byte_array_append (expected, g_bytes_get_data (second, NULL), g_bytes_get_size (second));
  ck_assert (till_printer_sim_wait_received (sim, expected->len, 5000));
  till_printer_sim_stop_serving (sim);

  received = till_printer_sim_dup_received (sim);
  ck_assert_uint_eq (g_bytes_get_size (received), expected->len);
  ck_assert_int_eq (memcmp (g_bytes_get_data (received, NULL), expected->data, expected->len), 0);
  ck_assert_uint_eq (till_printer_sim_get_n_connections (sim), 2);
  ck_assert_uint_eq (till_printer_sim_get_n_receipts (sim), 2);
  ck_assert_str_eq (g_ptr_array_index (till_printer_sim_get_receipt_lines (sim, 1), 0),
                    "第二张小票");
  ck_assert_uint_eq (till_printer_sim_get_n_garbage_bytes (sim), 0);
}
END_TEST

/* /hw/transport-tcp/status/each-state */
START_TEST (test_status_each_state)
{
  static const struct
  {
    TillPrinterSimState    state;
    TillPrinterStatusFlags flags;
    guint8                 reply4;
  } cases[] = {
    { TILL_PRINTER_SIM_ONLINE, 0, 0x12 },
    { TILL_PRINTER_SIM_PAPER_NEAR_END, TILL_PRINTER_STATUS_PAPER_NEAR_END, 0x1e },
    { TILL_PRINTER_SIM_PAPER_OUT,
      TILL_PRINTER_STATUS_OFFLINE | TILL_PRINTER_STATUS_PAPER_OUT |
          TILL_PRINTER_STATUS_PAPER_NEAR_END,
      0x7e },
    { TILL_PRINTER_SIM_COVER_OPEN, TILL_PRINTER_STATUS_OFFLINE | TILL_PRINTER_STATUS_COVER_OPEN,
      0x12 },
    { TILL_PRINTER_SIM_OFFLINE, TILL_PRINTER_STATUS_OFFLINE, 0x12 },
  };
  g_autoptr (TillTransport) transport = open_ok (uri);
  g_autoptr (GError) error = NULL;

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      TillPrinterStatus status;

      till_printer_sim_set_state (sim, cases[i].state);
      ck_assert_msg (till_printer_status_query (transport, 2000, &status, &error), "%s",
                     error ? error->message : "");
      ck_assert_msg (status.flags == cases[i].flags, "state %d: 0x%x", cases[i].state,
                     status.flags);
      ck_assert_uint_eq (status.replies[4], cases[i].reply4);
    }
  ck_assert (till_transport_close (transport, &error));
}
END_TEST

/* /hw/transport-tcp/status/silent */
START_TEST (test_silent_timeout)
{
  g_autoptr (TillTransport) transport = open_ok (uri);
  g_autoptr (GError) error = NULL;
  TillPrinterStatus status;
  gint64            start = g_get_monotonic_time ();
  gint64            elapsed_ms;

  till_printer_sim_set_silent (sim, TRUE);
  ck_assert (till_printer_status_query (transport, 250, &status, &error));
  elapsed_ms = (g_get_monotonic_time () - start) / 1000;
  ck_assert_uint_eq (status.flags, TILL_PRINTER_STATUS_NO_ANSWER);
  ck_assert_msg (elapsed_ms >= 240 && elapsed_ms < 1500, "waited %" G_GINT64_FORMAT " ms",
                 elapsed_ms);
}
END_TEST

/* /hw/transport-tcp/connect/refused */
START_TEST (test_connection_refused)
{
  g_autofree char *closed_uri = g_strdup_printf ("tcp://127.0.0.1:%u", free_port ());
  g_autoptr (GError) error = NULL;
  g_autoptr (TillTransport) transport = NULL;
  gint64 start = g_get_monotonic_time ();

  transport = till_transport_open (closed_uri, &error);
  ck_assert (transport == NULL);
  ck_assert_msg (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED), "%s",
                 error->message);
  ck_assert_msg (g_str_has_prefix (error->message, closed_uri), "%s", error->message);
  ck_assert ((g_get_monotonic_time () - start) / 1000 < 3000);
}
END_TEST

/* /hw/transport-tcp/reset/mid-job: the printer resets the connection after
 * 1000 bytes of a 16 MiB job (more than loopback buffers hold). */
START_TEST (test_reset_mid_job)
{
  g_autoptr (TillTransport) transport = open_ok (uri);
  g_autoptr (GError) error = NULL;
  gsize              len = 16 * 1024 * 1024;
  g_autofree guint8 *job = g_malloc (len);
  gint64             start = g_get_monotonic_time ();

  memset (job, 'B', len);
  till_printer_sim_unplug_after (sim, 1000);
  ck_assert (!till_transport_write_all (transport, job, len, &error));
  ck_assert_msg (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED), "%s",
                 error->message);
  ck_assert_msg (strstr (error->message, "reset the connection") != NULL, "%s", error->message);
  ck_assert_msg (g_str_has_prefix (error->message, uri), "%s", error->message);
  ck_assert ((g_get_monotonic_time () - start) / 1000 < 5000);
  ck_assert (till_printer_sim_get_unplugged (sim));
}
END_TEST

/* /hw/transport-tcp/reset/at-close: a small job fits in the socket buffers, so
 * the write succeeds; closing still finds out the printer reset. */
START_TEST (test_reset_seen_at_close)
{
  g_autoptr (TillTransport) transport = open_ok (uri);
  g_autoptr (GBytes) receipt = make_receipt ("一张");
  g_autoptr (GError) error = NULL;

  till_printer_sim_unplug_after (sim, 50);
  ck_assert_msg (till_transport_write_bytes (transport, receipt, &error), "%s",
                 error ? error->message : "");
  ck_assert (!till_transport_close (transport, &error));
  ck_assert_msg (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED), "%s",
                 error->message);
  ck_assert_msg (strstr (error->message, "reset the connection") != NULL, "%s", error->message);
}
END_TEST

/* /hw/transport-tcp/uri/bad */
START_TEST (test_uri_bad)
{
  static const struct
  {
    const char *uri;
    const char *says;
  } cases[] = {
    { "tcp://", "tcp://HOST:PORT" },
    { "tcp://10.0.0.5:9100/printer", "tcp://HOST:PORT" },
    { "tcp://127.0.0.1:0", "Port 0" },
    { "tcp://127.0.0.1:9100?timeout=soon", "timeout" },
    { "tcp://127.0.0.1:9100?connect_timeout=-1", "connect_timeout" },
    { "tcp://no-such-printer.invalid:9100", "Cannot connect" },
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
transport_tcp_suite (void)
{
  Suite *suite = suite_create ("hw/transport-tcp");
  TCase *tc;

  tc = tcase_create ("loopback");
  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_add_test (tc, test_print_receipts);
  tcase_add_test (tc, test_status_each_state);
  tcase_add_test (tc, test_silent_timeout);
  tcase_add_test (tc, test_reset_mid_job);
  tcase_add_test (tc, test_reset_seen_at_close);
  suite_add_tcase (suite, tc);

  tc = tcase_create ("errors");
  tcase_add_test (tc, test_connection_refused);
  tcase_add_test (tc, test_uri_bad);
  suite_add_tcase (suite, tc);
  return suite;
}

int
main (void)
{
  return till_test_run_suite (transport_tcp_suite ());
}
