/* test-printer-status.c: tests for hw/printer/till-printer-status.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "till-printer-sim.h"
#include "till-printer-status.h"
#include "till-test-util.h"

/* /hw/printer-status/parse/table: every row of DEVICES.md §1.7, one bit at a
 * time on top of the healthy 0x12. */
START_TEST (test_parse_table)
{
  static const struct
  {
    guint                  n;
    guint8                 byte;
    TillPrinterStatusFlags flags;
  } rows[] = {
    { 1, 0x12, 0 },
    { 1, 0x16, TILL_PRINTER_STATUS_DRAWER_PIN3_HIGH },
    { 1, 0x1a, TILL_PRINTER_STATUS_OFFLINE },
    { 1, 0x32, TILL_PRINTER_STATUS_WAITING_RECOVERY },
    { 1, 0x52, TILL_PRINTER_STATUS_FEED_BUTTON },
    { 2, 0x12, 0 },
    { 2, 0x16, TILL_PRINTER_STATUS_COVER_OPEN },
    { 2, 0x1a, TILL_PRINTER_STATUS_PAPER_FED_BY_BUTTON },
    { 2, 0x32, TILL_PRINTER_STATUS_PAPER_OUT },
    { 2, 0x52, TILL_PRINTER_STATUS_ERROR },
    { 3, 0x12, 0 },
    { 3, 0x16, TILL_PRINTER_STATUS_MECHANICAL_ERROR },
    { 3, 0x1a, TILL_PRINTER_STATUS_AUTOCUTTER_ERROR },
    { 3, 0x32, TILL_PRINTER_STATUS_UNRECOVERABLE_ERROR },
    { 3, 0x52, TILL_PRINTER_STATUS_AUTO_RECOVERABLE_ERROR },
    { 4, 0x12, 0 },
    { 4, 0x1e, TILL_PRINTER_STATUS_PAPER_NEAR_END },
    { 4, 0x72, TILL_PRINTER_STATUS_PAPER_OUT },
    { 4, 0x7e, TILL_PRINTER_STATUS_PAPER_NEAR_END | TILL_PRINTER_STATUS_PAPER_OUT },
    /* Clones that set one bit of a sensor pair. */
    { 4, 0x16, TILL_PRINTER_STATUS_PAPER_NEAR_END },
    { 4, 0x52, TILL_PRINTER_STATUS_PAPER_OUT },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (rows); i++)
    {
      TillPrinterStatus status = { 0 };

      ck_assert_msg (till_printer_status_add_reply (&status, rows[i].n, rows[i].byte),
                     "row %zu: 0x%02x refused", i, rows[i].byte);
      ck_assert_msg (status.flags == rows[i].flags, "DLE EOT %u reply 0x%02x: flags 0x%x, not 0x%x",
                     rows[i].n, rows[i].byte, status.flags, rows[i].flags);
      ck_assert_uint_eq (status.replies[rows[i].n], rows[i].byte);
      ck_assert_uint_eq (status.answered, 1u << rows[i].n);
    }
}
END_TEST

/* /hw/printer-status/parse/out-of-paper-example: 1A 32 7E from §1.7. */
START_TEST (test_parse_out_of_paper_example)
{
  TillPrinterStatus status = { 0 };
  g_autofree char  *message = NULL;
  g_autofree char  *words = NULL;

  ck_assert (till_printer_status_add_reply (&status, 1, 0x1a));
  ck_assert (till_printer_status_add_reply (&status, 2, 0x32));
  ck_assert (till_printer_status_add_reply (&status, 4, 0x7e));
  ck_assert (status.flags & TILL_PRINTER_STATUS_OFFLINE);
  ck_assert (status.flags & TILL_PRINTER_STATUS_PAPER_OUT);
  ck_assert (!till_printer_status_is_ready (&status));
  message = till_printer_status_describe (&status);
  ck_assert_str_eq (message, "The printer is out of paper");
  words = till_printer_status_flags_to_string (status.flags);
  ck_assert_msg (strstr (words, "paper-out") && strstr (words, "offline"), "%s", words);
}
END_TEST

/* /hw/printer-status/parse/invalid: bytes outside 0xx1xx10 change nothing. */
START_TEST (test_parse_invalid)
{
  static const guint8 bad[] = { 0x00, 0x10, 0x13, 0x92, 0x02, 0xff, 0x1b, 0x0a, 0x14, 0x90 };

  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    for (guint n = 1; n <= 4; n++)
      {
        TillPrinterStatus status = { 0 };

        ck_assert_msg (!till_printer_status_add_reply (&status, n, bad[i]), "0x%02x accepted",
                       bad[i]);
        ck_assert_uint_eq (status.flags, 0);
        ck_assert_uint_eq (status.answered, 0);
      }
}
END_TEST

/* /hw/printer-status/find/garbage-and-asb: the reply is found behind noise and
 * behind an ASB message whose later bytes look like replies. */
START_TEST (test_find_reply)
{
  /* Garbage, then ASB 14 12 12 00 (its 2nd and 3rd bytes match 0xx1xx10), then
   * the reply 0x1e. */
  static const guint8 stream[] = { 0x00, 0xff, 0x41, 0x14, 0x12, 0x12, 0x00, 0x1e };
  static const guint8 nothing[] = { 0x00, 0x0a, 0x10, 0x12, 0x12, 0x00 };

  ck_assert_int_eq (till_printer_status_find_reply (stream, sizeof stream), 7);
  ck_assert_int_eq (till_printer_status_find_reply (stream + 7, 1), 0);
  ck_assert_int_eq (till_printer_status_find_reply (nothing, sizeof nothing), -1);
  ck_assert_int_eq (till_printer_status_find_reply (nothing, 0), -1);
}
END_TEST

/* /hw/printer-status/describe/priorities: one line each, most urgent first. */
START_TEST (test_describe)
{
  static const struct
  {
    TillPrinterStatusFlags flags;
    const char            *message;
    gboolean               ready;
  } cases[] = {
    { 0, "The printer is ready", TRUE },
    { TILL_PRINTER_STATUS_PAPER_NEAR_END, "The printer paper is running low", TRUE },
    { TILL_PRINTER_STATUS_DRAWER_PIN3_HIGH, "The printer is ready", TRUE },
    { TILL_PRINTER_STATUS_NO_ANSWER,
      "The printer does not answer: check that it is on and connected", FALSE },
    { TILL_PRINTER_STATUS_OFFLINE | TILL_PRINTER_STATUS_COVER_OPEN, "The printer cover is open",
      FALSE },
    { TILL_PRINTER_STATUS_OFFLINE, "The printer is offline", FALSE },
    { TILL_PRINTER_STATUS_ERROR | TILL_PRINTER_STATUS_AUTOCUTTER_ERROR,
      "The printer’s paper cutter is jammed", FALSE },
    { TILL_PRINTER_STATUS_ERROR | TILL_PRINTER_STATUS_UNRECOVERABLE_ERROR,
      "The printer has a fault: switch it off and on again", FALSE },
    { TILL_PRINTER_STATUS_ERROR, "The printer reports an error", FALSE },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      TillPrinterStatus status = { .flags = cases[i].flags };
      g_autofree char  *message = till_printer_status_describe (&status);

      ck_assert_str_eq (message, cases[i].message);
      ck_assert_int_eq (till_printer_status_is_ready (&status), cases[i].ready);
    }
}
END_TEST

/* /hw/printer-status/query/sim: the whole exchange against the in-process
 * simulator, in each of its states. */
START_TEST (test_query_sim_states)
{
  static const struct
  {
    TillPrinterSimState    state;
    TillPrinterStatusFlags must;
  } cases[] = {
    { TILL_PRINTER_SIM_ONLINE, 0 },
    { TILL_PRINTER_SIM_PAPER_NEAR_END, TILL_PRINTER_STATUS_PAPER_NEAR_END },
    /* 7E: both sensor pairs, near end and end. */
    { TILL_PRINTER_SIM_PAPER_OUT, TILL_PRINTER_STATUS_PAPER_OUT | TILL_PRINTER_STATUS_OFFLINE |
                                      TILL_PRINTER_STATUS_PAPER_NEAR_END },
    { TILL_PRINTER_SIM_COVER_OPEN, TILL_PRINTER_STATUS_COVER_OPEN | TILL_PRINTER_STATUS_OFFLINE },
    { TILL_PRINTER_SIM_OFFLINE, TILL_PRINTER_STATUS_OFFLINE },
  };
  g_autoptr (TillPrinterSim) sim = till_printer_sim_new (576);
  g_autoptr (GError) error = NULL;
  g_autofree char *path = till_printer_sim_serve_pty (sim, &error);
  g_autofree char *uri = NULL;
  g_autoptr (TillTransport) transport = NULL;

  ck_assert_msg (path != NULL, "%s", error ? error->message : "");
  uri = g_strconcat ("serial://", path, NULL);
  transport = till_transport_open (uri, &error);
  ck_assert_msg (transport != NULL, "%s", error ? error->message : "");
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      TillPrinterStatus status;

      till_printer_sim_set_state (sim, cases[i].state);
      ck_assert_msg (till_printer_status_query (transport, 1000, &status, &error), "%s",
                     error ? error->message : "");
      ck_assert_msg (status.flags == cases[i].must, "state %d: flags 0x%x", cases[i].state,
                     status.flags);
      ck_assert_uint_eq (status.answered, (1u << 1) | (1u << 2) | (1u << 4));
    }
  ck_assert (till_transport_close (transport, &error));
  till_printer_sim_stop_serving (sim);
}
END_TEST

/* /hw/printer-status/query/file-cannot-read: no status from a file. */
START_TEST (test_query_file)
{
  g_autofree char *dir = till_test_make_tmpdir ();
  g_autofree char *uri = g_strconcat ("file://", dir, "/out.bin", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (TillTransport) transport = till_transport_open (uri, &error);
  TillPrinterStatus status;

  ck_assert_msg (transport != NULL, "%s", error ? error->message : "");
  ck_assert (!till_printer_status_query (transport, 100, &status, &error));
  ck_assert (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED));
  ck_assert_msg (strstr (error->message, uri) != NULL, "%s", error->message);
  till_test_remove_tree (dir);
}
END_TEST

static Suite *
printer_status_suite (void)
{
  Suite *suite = suite_create ("hw/printer-status");
  TCase *tc;

  tc = tcase_create ("parse");
  tcase_add_test (tc, test_parse_table);
  tcase_add_test (tc, test_parse_out_of_paper_example);
  tcase_add_test (tc, test_parse_invalid);
  tcase_add_test (tc, test_find_reply);
  tcase_add_test (tc, test_describe);
  suite_add_tcase (suite, tc);

  tc = tcase_create ("query");
  tcase_add_test (tc, test_query_sim_states);
  tcase_add_test (tc, test_query_file);
  suite_add_tcase (suite, tc);
  return suite;
}

int
main (void)
{
  return till_test_run_suite (printer_status_suite ());
}
