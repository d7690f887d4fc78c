/* test-serial-scanner.c: /hw/serial-scanner: framing, settings and the driver
 * against a simulated scanner on a pty
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "till-scanner-sim.h"
#include "till-serial-scanner.h"
#include "till-test-util.h"

/* ---- The framer, byte by byte ------------------------------------------- */

static void
feed_text (TillScanFramer *framer, const char *text, gint64 now_ms, GPtrArray *codes)
{
  till_scan_framer_feed (framer, (const guint8 *) text, strlen (text), now_ms, codes);
}

static void
assert_codes (GPtrArray *codes, const char *const *expected)
{
  guint n = expected != NULL ? g_strv_length ((char **) expected) : 0;

  ck_assert_uint_eq (codes->len, n);
  for (guint i = 0; i < n; i++)
    ck_assert_str_eq (g_ptr_array_index (codes, i), expected[i]);
}

/* /hw/serial-scanner/framer/cr */
START_TEST (test_framer_cr)
{
  g_autoptr (TillScanFramer) framer = till_scan_framer_new (NULL, "\r", 100);
  g_autoptr (GPtrArray) codes = g_ptr_array_new_with_free_func (g_free);

  feed_text (framer, "6901234567892\r1345267890123", 0, codes);
  feed_text (framer, "45678\r", 5, codes);
  assert_codes (codes, (const char *[]){ "6901234567892", "134526789012345678", NULL });
  ck_assert_int_eq (till_scan_framer_get_deadline_ms (framer), G_MAXINT64);
}
END_TEST

/* /hw/serial-scanner/framer/line-endings: a CR, LF or CRLF suffix accepts any
 * of them, and the LF of a CRLF makes no empty code. */
START_TEST (test_framer_line_endings)
{
  const char *suffixes[] = { "\r", "\n", "\r\n" };

  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autoptr (TillScanFramer) framer = till_scan_framer_new (NULL, suffixes[i], 100);
      g_autoptr (GPtrArray) codes = g_ptr_array_new_with_free_func (g_free);

      feed_text (framer, "A1\r\nB2\rC3\nD4\r\n", 0, codes);
      assert_codes (codes, (const char *[]){ "A1", "B2", "C3", "D4", NULL });
    }
}
END_TEST

/* /hw/serial-scanner/framer/tab-suffix: any other suffix matches exactly, and
 * a CR is then garbage inside the code. */
START_TEST (test_framer_tab_suffix)
{
  g_autoptr (TillScanFramer) framer = till_scan_framer_new (NULL, "\t", 100);
  g_autoptr (GPtrArray) codes = g_ptr_array_new_with_free_func (g_free);

  feed_text (framer, "6901234567892\t", 0, codes);
  feed_text (framer, "12\r34\t", 1, codes);
  feed_text (framer, "https://m.example.cn/v?id=8\t", 2, codes);
  assert_codes (codes, (const char *[]){ "6901234567892", "https://m.example.cn/v?id=8", NULL });
  ck_assert_uint_eq (till_scan_framer_get_dropped (framer), 1);
}
END_TEST

/* /hw/serial-scanner/framer/multibyte-suffix: a suffix split across reads. */
START_TEST (test_framer_multibyte_suffix)
{
  g_autoptr (TillScanFramer) framer = till_scan_framer_new ("\x02", "\x03#", 100);
  g_autoptr (GPtrArray) codes = g_ptr_array_new_with_free_func (g_free);

  feed_text (framer,
             "\x02"
             "ABC\x03",
             0, codes);
  ck_assert_uint_eq (codes->len, 0);
  feed_text (framer,
             "#\x02"
             "DEF\x03#",
             1, codes);
  assert_codes (codes, (const char *[]){ "ABC", "DEF", NULL });
}
END_TEST

/* /hw/serial-scanner/framer/prefix: stripped; noise before it skipped; a code
 * without it dropped; a prefix inside the code kept. */
START_TEST (test_framer_prefix)
{
  g_autoptr (TillScanFramer) framer = till_scan_framer_new ("]Q", "\r", 100);
  g_autoptr (GPtrArray) codes = g_ptr_array_new_with_free_func (g_free);

  feed_text (framer, "]Q6901234567892\r", 0, codes);
  feed_text (framer,
             "\x07\x1b"
             "garbage]Q134526789012345678\r",
             1, codes);
  feed_text (framer, "6901234567892\r", 2, codes);
  feed_text (framer, "]QAB]QCD\r", 3, codes);
  assert_codes (codes, (const char *[]){ "6901234567892", "134526789012345678", "AB]QCD", NULL });
  ck_assert_uint_eq (till_scan_framer_get_dropped (framer), 1);
}
END_TEST

/* /hw/serial-scanner/framer/cut-code-dropped: with a suffix, bytes that never
 * get theirs are dropped after the gap, and the next scan is whole. */
START_TEST (test_framer_cut_code_dropped)
{
  g_autoptr (TillScanFramer) framer = till_scan_framer_new (NULL, "\r", 100);
  g_autoptr (GPtrArray) codes = g_ptr_array_new_with_free_func (g_free);

  feed_text (framer, "690123", 1000, codes);
  ck_assert_int_eq (till_scan_framer_get_deadline_ms (framer), 1101);
  till_scan_framer_check_timeout (framer, 1100, codes); /* not yet */
  ck_assert_int_eq (till_scan_framer_get_deadline_ms (framer), 1101);
  till_scan_framer_check_timeout (framer, 1101, codes);
  ck_assert_uint_eq (codes->len, 0);
  ck_assert_uint_eq (till_scan_framer_get_dropped (framer), 1);
  /* The rest of a cut code arriving late is not glued onto the old half. */
  feed_text (framer, "6901234567892\r", 1500, codes);
  assert_codes (codes, (const char *[]){ "6901234567892", NULL });

  /* A pause inside one feed sequence: the new bytes start afresh. */
  g_ptr_array_set_size (codes, 0);
  feed_text (framer, "1234", 2000, codes);
  feed_text (framer, "987654\r", 2200, codes);
  assert_codes (codes, (const char *[]){ "987654", NULL });
}
END_TEST

/* /hw/serial-scanner/framer/no-suffix: the gap ends a code. */
START_TEST (test_framer_no_suffix)
{
  g_autoptr (TillScanFramer) framer = till_scan_framer_new (NULL, NULL, 50);
  g_autoptr (GPtrArray) codes = g_ptr_array_new_with_free_func (g_free);

  feed_text (framer, "69012", 0, codes);
  feed_text (framer, "34567892", 20, codes);
  till_scan_framer_check_timeout (framer, 70, codes);
  ck_assert_uint_eq (codes->len, 0);
  till_scan_framer_check_timeout (framer, 71, codes);
  feed_text (framer, "134526789012345678", 200, codes);
  feed_text (framer, "ABC", 300, codes);
  till_scan_framer_check_timeout (framer, 400, codes);
  assert_codes (codes, (const char *[]){ "6901234567892", "134526789012345678", "ABC", NULL });
}
END_TEST

/* /hw/serial-scanner/framer/garbage: control bytes and invalid UTF-8 drop the
 * code; the GS1 separator and UTF-8 text pass. */
START_TEST (test_framer_garbage)
{
  g_autoptr (TillScanFramer) framer = till_scan_framer_new (NULL, "\r", 100);
  g_autoptr (GPtrArray) codes = g_ptr_array_new_with_free_func (g_free);

  till_scan_framer_feed (framer,
                         (const guint8 *) "12\x00"
                                          "34\r",
                         6, 1, codes);
  feed_text (framer,
             "\xff\xfe"
             "1234\r",
             2, codes);
  feed_text (framer, "\x1b[A1234\r", 3, codes);
  feed_text (framer,
             "0106901234567892\x1d"
             "10ABC\r",
             4, codes);
  feed_text (framer, "会员:13800138000\r", 5, codes);
  assert_codes (codes, (const char *[]){ "0106901234567892\x1d"
                                         "10ABC",
                                         "会员:13800138000", NULL });
  ck_assert_uint_eq (till_scan_framer_get_dropped (framer), 3);
}
END_TEST

/* /hw/serial-scanner/framer/overlong: a code past the limit is dropped whole,
 * and the framer is in step again after its suffix. */
START_TEST (test_framer_overlong)
{
  g_autoptr (TillScanFramer) framer = till_scan_framer_new (NULL, "\r\n", 100);
  g_autoptr (GPtrArray) codes = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *longest = g_strnfill (TILL_SCAN_MAX_CODE_LENGTH, '7');
  g_autofree char *too_long = g_strnfill (TILL_SCAN_MAX_CODE_LENGTH * 3, '8');

  feed_text (framer, too_long, 0, codes);
  feed_text (framer, "\r\nOK1\r\n", 1, codes);
  feed_text (framer, longest, 2, codes);
  feed_text (framer, "\r\n", 3, codes);
  ck_assert_uint_eq (codes->len, 2);
  ck_assert_str_eq (g_ptr_array_index (codes, 0), "OK1");
  ck_assert_str_eq (g_ptr_array_index (codes, 1), longest);
  ck_assert_uint_eq (till_scan_framer_get_dropped (framer), 1);
}
END_TEST

/* /hw/serial-scanner/framer/random-chunks: any split of the byte stream gives
 * the same codes. */
START_TEST (test_framer_random_chunks)
{
  g_autoptr (GRand) rand = g_rand_new_with_seed (4);
  g_autoptr (GString) stream = g_string_new (NULL);
  g_autoptr (GPtrArray) expected = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < 200; i++)
    {
      char *code = g_strdup_printf ("%u%08u", i, g_rand_int_range (rand, 0, 99999999));

      g_ptr_array_add (expected, code);
      g_string_append_printf (stream, "\x02%s\r\n", code);
    }
  for (guint round = 0; round < 20; round++)
    {
      g_autoptr (TillScanFramer) framer = till_scan_framer_new ("\x02", "\r\n", 100);
      g_autoptr (GPtrArray) codes = g_ptr_array_new_with_free_func (g_free);

      for (gsize at = 0; at < stream->len;)
        {
          gsize chunk = MIN ((gsize) g_rand_int_range (rand, 1, 40), stream->len - at);

          till_scan_framer_feed (framer, (const guint8 *) stream->str + at, chunk, 0, codes);
          at += chunk;
        }
      ck_assert_uint_eq (codes->len, expected->len);
      for (guint i = 0; i < codes->len; i++)
        ck_assert_str_eq (g_ptr_array_index (codes, i), g_ptr_array_index (expected, i));
    }
}
END_TEST

/* ---- Settings --------------------------------------------------------------- */

/* /hw/serial-scanner/uri: the scanner keys leave the transport URI. */
START_TEST (test_uri)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TillSerialScanner) scanner = till_serial_scanner_new (
      "serial:///dev/"
      "ttyUSB1?baud=115200&protocol=scanner&prefix=%5DQ&suffix=%09&gap=30&parity=even",
      &error);
  g_autoptr (TillSerialScanner) plain = NULL;

  ck_assert_ptr_null (error);
  ck_assert_ptr_nonnull (scanner);
  ck_assert_str_eq (till_serial_scanner_get_transport_uri (scanner),
                    "serial:///dev/ttyUSB1?baud=115200&parity=even");
  ck_assert_int_eq (till_serial_scanner_get_state (scanner), TILL_SERIAL_SCANNER_STATE_STOPPED);

  plain = till_serial_scanner_new ("serial:///dev/ttyS0?protocol=scanner", &error);
  ck_assert_ptr_null (error);
  ck_assert_str_eq (till_serial_scanner_get_transport_uri (plain), "serial:///dev/ttyS0");
}
END_TEST

/* /hw/serial-scanner/uri-invalid: each bad setting is named. */
START_TEST (test_uri_invalid)
{
  const char *bad[][2] = {
    { "serial:///dev/ttyUSB1?protocol=toledo-8217", "protocol=toledo-8217" },
    { "serial:///dev/ttyUSB1?gap=0", "gap=0" },
    { "serial:///dev/ttyUSB1?gap=fast", "gap=fast" },
    { "serial:///dev/ttyUSB1?suffix=%00", "suffix=%00" },
    { "serial:///dev/ttyUSB1?prefix=%zz", "prefix=%zz" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (TillSerialScanner) scanner = till_serial_scanner_new (bad[i][0], &error);

      ck_assert_ptr_null (scanner);
      ck_assert (g_error_matches (error, TILL_SERIAL_SCANNER_ERROR,
                                  TILL_SERIAL_SCANNER_ERROR_INVALID_URI));
      ck_assert_msg (strstr (error->message, bad[i][1]) != NULL, "%s", error->message);
      ck_assert_msg (strstr (error->message, "/dev/ttyUSB1") != NULL, "%s", error->message);
    }
}
END_TEST

/* ---- The driver against the simulator --------------------------------------- */

typedef struct
{
  GPtrArray *codes;
  GThread   *main_thread;
  gboolean   wrong_thread;
} Received;

static void
code_scanned_cb (TillSerialScanner *scanner, const char *code, Received *received)
{
  if (g_thread_self () != received->main_thread)
    received->wrong_thread = TRUE;
  g_ptr_array_add (received->codes, g_strdup (code));
}

static void
received_init (Received *received, TillSerialScanner *scanner)
{
  received->codes = g_ptr_array_new_with_free_func (g_free);
  received->main_thread = g_thread_self ();
  received->wrong_thread = FALSE;
  g_signal_connect (scanner, "code-scanned", G_CALLBACK (code_scanned_cb), received);
}

static void
received_clear (Received *received)
{
  g_clear_pointer (&received->codes, g_ptr_array_unref);
}

/* Runs the main context until @count codes have come or @timeout_ms passed;
 * never longer. */
static void
wait_for_codes (Received *received, guint count, guint timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + timeout_ms * G_TIME_SPAN_MILLISECOND;

  while (received->codes->len < count && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, FALSE), g_usleep (1000);
}

static void
wait_for_state (TillSerialScanner *scanner, TillSerialScannerState state, guint timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + timeout_ms * G_TIME_SPAN_MILLISECOND;

  while (till_serial_scanner_get_state (scanner) != state && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, FALSE), g_usleep (1000);
  ck_assert_int_eq (till_serial_scanner_get_state (scanner), state);
}

/* Lets the worker read and drain whatever is on the wire (used to prove that
 * nothing more comes). */
static void
settle (guint ms)
{
  gint64 deadline = g_get_monotonic_time () + ms * G_TIME_SPAN_MILLISECOND;

  while (g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, FALSE), g_usleep (1000);
}

static TillSerialScanner *
start_scanner (TillScannerSim *sim, const char *extra_query, Received *received)
{
  g_autoptr (GError) error = NULL;
  g_autofree char   *uri = till_scanner_sim_get_uri (sim, extra_query);
  TillSerialScanner *scanner = till_serial_scanner_new (uri, &error);

  ck_assert_msg (scanner != NULL, "%s", error ? error->message : "");
  received_init (received, scanner);
  till_serial_scanner_start (scanner);
  wait_for_state (scanner, TILL_SERIAL_SCANNER_STATE_READY, 5000);
  return scanner;
}

/* /hw/serial-scanner/sim/scan: codes arrive whole, in order, on the main thread. */
START_TEST (test_sim_scan)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TillScannerSim) sim = till_scanner_sim_new (NULL, "\r", &error);
  g_autoptr (TillSerialScanner) scanner = NULL;
  Received    received;
  const char *expected[] = { "6901234567892", "134526789012345678", "https://u.wechat.com/abc",
                             "会员:M0001", NULL };

  ck_assert_ptr_nonnull (sim);
  scanner = start_scanner (sim, NULL, &received);
  for (guint i = 0; expected[i] != NULL; i++)
    ck_assert (till_scanner_sim_scan (sim, expected[i], 0, &error));
  wait_for_codes (&received, 4, 5000);
  assert_codes (received.codes, expected);
  ck_assert (!received.wrong_thread);
  received_clear (&received);
}
END_TEST

/* /hw/serial-scanner/sim/prefix-crlf-trickle: prefix and CRLF, bytes sent one
 * at a time 2 ms apart (slower than 9600 baud), well inside the gap. */
START_TEST (test_sim_prefix_crlf_trickle)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TillScannerSim) sim = till_scanner_sim_new ("\x02", "\r\n", &error);
  g_autoptr (TillSerialScanner) scanner = NULL;
  Received received;

  scanner = start_scanner (sim, "gap=60", &received);
  ck_assert (till_scanner_sim_scan (sim, "134526789012345678", 2000, &error));
  ck_assert (till_scanner_sim_scan (sim, "6901234567892", 0, &error));
  wait_for_codes (&received, 2, 5000);
  assert_codes (received.codes, (const char *[]){ "134526789012345678", "6901234567892", NULL });
  received_clear (&received);
}
END_TEST

/* /hw/serial-scanner/sim/cut-code: a cut scan is dropped, the rescan comes. */
START_TEST (test_sim_cut_code)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TillScannerSim) sim = till_scanner_sim_new (NULL, "\r", &error);
  g_autoptr (TillSerialScanner) scanner = NULL;
  Received received;

  scanner = start_scanner (sim, "gap=50", &received);
  ck_assert (till_scanner_sim_scan_cut (sim, "6901234567892", 6, &error));
  g_usleep (150 * 1000); /* the cashier notices nothing happened and rescans */
  ck_assert (till_scanner_sim_scan (sim, "6901234567892", 0, &error));
  wait_for_codes (&received, 1, 5000);
  settle (200);
  assert_codes (received.codes, (const char *[]){ "6901234567892", NULL });
  ck_assert_uint_eq (till_serial_scanner_get_dropped (scanner), 1);
  received_clear (&received);
}
END_TEST

/* /hw/serial-scanner/sim/noise: line noise followed by a pause is dropped;
 * with a prefix, noise right before a scan is skipped and the scan read. */
START_TEST (test_sim_noise)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TillScannerSim) sim = till_scanner_sim_new (NULL, "\r", &error);
  g_autoptr (TillScannerSim) prefixed = till_scanner_sim_new ("]C0", "\r", &error);
  g_autoptr (TillSerialScanner) scanner = NULL;
  g_autoptr (TillSerialScanner) prefixed_scanner = NULL;
  Received received;
  Received prefixed_received;

  scanner = start_scanner (sim, "gap=50", &received);
  prefixed_scanner = start_scanner (prefixed, "gap=50", &prefixed_received);
  for (guint32 seed = 1; seed <= 5; seed++)
    {
      ck_assert (till_scanner_sim_send_noise (sim, 24, seed, &error));
      ck_assert (till_scanner_sim_send_noise (prefixed, 24, seed, &error));
      ck_assert (till_scanner_sim_scan (prefixed, "134526789012345678", 0, &error));
      g_usleep (120 * 1000);
      ck_assert (till_scanner_sim_scan (sim, "6901234567892", 0, &error));
    }
  wait_for_codes (&received, 5, 5000);
  wait_for_codes (&prefixed_received, 5, 5000);
  settle (200);
  ck_assert_uint_eq (received.codes->len, 5);
  ck_assert_uint_eq (prefixed_received.codes->len, 5);
  for (guint i = 0; i < 5; i++)
    {
      ck_assert_str_eq (g_ptr_array_index (received.codes, i), "6901234567892");
      ck_assert_str_eq (g_ptr_array_index (prefixed_received.codes, i), "134526789012345678");
    }
  received_clear (&received);
  received_clear (&prefixed_received);
}
END_TEST

/* /hw/serial-scanner/sim/no-suffix: the gap ends each code. */
START_TEST (test_sim_no_suffix)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TillScannerSim) sim = till_scanner_sim_new (NULL, NULL, &error);
  g_autoptr (TillSerialScanner) scanner = NULL;
  Received received;

  scanner = start_scanner (sim, "gap=40", &received);
  ck_assert (till_scanner_sim_scan (sim, "6901234567892", 0, &error));
  g_usleep (150 * 1000);
  ck_assert (till_scanner_sim_scan (sim, "134526789012345678", 0, &error));
  wait_for_codes (&received, 2, 5000);
  assert_codes (received.codes, (const char *[]){ "6901234567892", "134526789012345678", NULL });
  received_clear (&received);
}
END_TEST

/* /hw/serial-scanner/sim/unplug: the state says so, naming the device; a scan
 * cut by the unplug is not delivered; stop returns promptly. */
START_TEST (test_sim_unplug)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TillScannerSim) sim = till_scanner_sim_new (NULL, "\r", &error);
  g_autoptr (TillSerialScanner) scanner = NULL;
  g_autofree char *path = NULL;
  Received         received;
  gint64           stop_started;

  scanner = start_scanner (sim, NULL, &received);
  path = g_strdup (till_scanner_sim_get_device_path (sim));
  ck_assert (till_scanner_sim_scan (sim, "6901234567892", 0, &error));
  wait_for_codes (&received, 1, 5000);
  ck_assert (till_scanner_sim_scan_cut (sim, "134526789012345678", 9, &error));
  till_scanner_sim_unplug (sim);
  wait_for_state (scanner, TILL_SERIAL_SCANNER_STATE_DISCONNECTED, 5000);
  ck_assert_ptr_nonnull (till_serial_scanner_get_error_message (scanner));
  ck_assert_msg (strstr (till_serial_scanner_get_error_message (scanner), path) != NULL, "%s",
                 till_serial_scanner_get_error_message (scanner));
  settle (300);
  assert_codes (received.codes, (const char *[]){ "6901234567892", NULL });

  stop_started = g_get_monotonic_time ();
  till_serial_scanner_stop (scanner);
  ck_assert_int_lt (g_get_monotonic_time () - stop_started, G_USEC_PER_SEC);
  ck_assert_int_eq (till_serial_scanner_get_state (scanner), TILL_SERIAL_SCANNER_STATE_STOPPED);
  received_clear (&received);
}
END_TEST

/* /hw/serial-scanner/sim/missing-device: a port that does not exist is a
 * DISCONNECTED state naming it, retried, never a hang. */
START_TEST (test_sim_missing_device)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TillSerialScanner) scanner =
      till_serial_scanner_new ("serial:///dev/ttyNOSUCH9?protocol=scanner", &error);

  ck_assert_ptr_nonnull (scanner);
  till_serial_scanner_start (scanner);
  wait_for_state (scanner, TILL_SERIAL_SCANNER_STATE_DISCONNECTED, 5000);
  ck_assert_msg (strstr (till_serial_scanner_get_error_message (scanner), "/dev/ttyNOSUCH9") !=
                     NULL,
                 "%s", till_serial_scanner_get_error_message (scanner));
  till_serial_scanner_stop (scanner);
}
END_TEST

/* /hw/serial-scanner/sim/stop-drops-late-codes: codes read before stop() but
 * not yet dispatched are not emitted after it. */
START_TEST (test_sim_stop_drops_late_codes)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TillScannerSim) sim = till_scanner_sim_new (NULL, "\r", &error);
  g_autoptr (TillSerialScanner) scanner = NULL;
  Received received;

  scanner = start_scanner (sim, NULL, &received);
  ck_assert (till_scanner_sim_scan (sim, "6901234567892", 0, &error));
  g_usleep (300 * 1000); /* read by the worker, not dispatched: nobody iterates */
  till_serial_scanner_stop (scanner);
  settle (100);
  ck_assert_uint_eq (received.codes->len, 0);
  received_clear (&received);
}
END_TEST

static Suite *
serial_scanner_suite (void)
{
  Suite *suite = suite_create ("/hw/serial-scanner");
  TCase *framer = tcase_create ("/hw/serial-scanner/framer");
  TCase *settings = tcase_create ("/hw/serial-scanner/uri");
  TCase *sim = tcase_create ("/hw/serial-scanner/sim");

  tcase_add_test (framer, test_framer_cr);
  tcase_add_test (framer, test_framer_line_endings);
  tcase_add_test (framer, test_framer_tab_suffix);
  tcase_add_test (framer, test_framer_multibyte_suffix);
  tcase_add_test (framer, test_framer_prefix);
  tcase_add_test (framer, test_framer_cut_code_dropped);
  tcase_add_test (framer, test_framer_no_suffix);
  tcase_add_test (framer, test_framer_garbage);
  tcase_add_test (framer, test_framer_overlong);
  tcase_add_test (framer, test_framer_random_chunks);
  suite_add_tcase (suite, framer);

  tcase_add_test (settings, test_uri);
  tcase_add_test (settings, test_uri_invalid);
  suite_add_tcase (suite, settings);

  tcase_set_timeout (sim, 30);
  tcase_add_test (sim, test_sim_scan);
  tcase_add_test (sim, test_sim_prefix_crlf_trickle);
  tcase_add_test (sim, test_sim_cut_code);
  tcase_add_test (sim, test_sim_noise);
  tcase_add_test (sim, test_sim_no_suffix);
  tcase_add_test (sim, test_sim_unplug);
  tcase_add_test (sim, test_sim_missing_device);
  tcase_add_test (sim, test_sim_stop_drops_late_codes);
  suite_add_tcase (suite, sim);
  return suite;
}

int
main (void)
{
  return till_test_run_suite (serial_scanner_suite ());
}
