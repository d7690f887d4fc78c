/* test-scan-detector.c: /app/scan-detector: telling a scanner from a person
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "till-scan-detector.h"
#include "till-test-util.h"

/* Feeds text one character every gap_ms from start_ms; returns the time of the
 * last character. */
static guint32
type_text (TillScanDetector *detector, const char *text, guint32 start_ms, guint32 gap_ms)
{
  guint32 time_ms = start_ms;

  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    {
      ck_assert_int_eq (till_scan_detector_feed_char (detector, g_utf8_get_char (p), time_ms),
                        TILL_SCAN_PASS);
      time_ms += gap_ms;
    }
  return time_ms - gap_ms;
}

/* /app/scan-detector/fast-burst-is-a-scan */
START_TEST (test_fast_burst_is_scan)
{
  g_autoptr (TillScanDetector) detector = till_scan_detector_new (50, 4);
  guint32          last = type_text (detector, "6901234567892", 1000, 8);
  g_autofree char *code = NULL;

  ck_assert_ptr_null (till_scan_detector_take_code (detector));
  ck_assert_int_eq (till_scan_detector_feed_enter (detector, last + 8), TILL_SCAN_COMPLETE);
  code = till_scan_detector_take_code (detector);
  ck_assert_str_eq (code, "6901234567892");
  /* Taken once: the detector forgets it. */
  ck_assert_ptr_null (till_scan_detector_take_code (detector));
}
END_TEST

/* /app/scan-detector/slow-typing-passes */
START_TEST (test_slow_typing_passes)
{
  g_autoptr (TillScanDetector) detector = till_scan_detector_new (50, 4);
  guint32 last = type_text (detector, "12345678", 1000, 120);

  ck_assert_int_eq (till_scan_detector_feed_enter (detector, last + 100), TILL_SCAN_PASS);
  ck_assert_ptr_null (till_scan_detector_take_code (detector));
}
END_TEST

/* /app/scan-detector/short-burst-passes: three fast keys are not a barcode. */
START_TEST (test_short_burst_passes)
{
  g_autoptr (TillScanDetector) detector = till_scan_detector_new (50, 4);
  guint32 last = type_text (detector, "123", 1000, 5);

  ck_assert_int_eq (till_scan_detector_feed_enter (detector, last + 5), TILL_SCAN_PASS);
  /* Exactly the minimum is a scan. */
  last = type_text (detector, "1234", 2000, 5);
  ck_assert_int_eq (till_scan_detector_feed_enter (detector, last + 5), TILL_SCAN_COMPLETE);
  g_free (till_scan_detector_take_code (detector));
}
END_TEST

/* /app/scan-detector/slow-prefix-is-dropped: a person typed "12", paused, then
 * the scanner sent its code: only the fast burst is the scan. */
START_TEST (test_slow_prefix_dropped)
{
  g_autoptr (TillScanDetector) detector = till_scan_detector_new (50, 4);
  guint32          last = type_text (detector, "12", 1000, 200);
  g_autofree char *code = NULL;

  last = type_text (detector, "ABC-9876", last + 400, 10);
  ck_assert_int_eq (till_scan_detector_feed_enter (detector, last + 10), TILL_SCAN_COMPLETE);
  code = till_scan_detector_take_code (detector);
  ck_assert_str_eq (code, "ABC-9876");
}
END_TEST

/* /app/scan-detector/late-enter-passes: a fast burst that a person ends with
 * Enter much later (e.g. pasted text, then Enter) is not a scan. */
START_TEST (test_late_enter_passes)
{
  g_autoptr (TillScanDetector) detector = till_scan_detector_new (50, 4);
  guint32 last = type_text (detector, "123456", 1000, 5);

  ck_assert_int_eq (till_scan_detector_feed_enter (detector, last + 51), TILL_SCAN_PASS);
  ck_assert_ptr_null (till_scan_detector_take_code (detector));
}
END_TEST

/* /app/scan-detector/gap-boundary: 50 ms is still fast, 51 ms is not. */
START_TEST (test_gap_boundary)
{
  g_autoptr (TillScanDetector) detector = till_scan_detector_new (50, 4);
  guint32 last = type_text (detector, "98765", 1000, 50);

  ck_assert_int_eq (till_scan_detector_feed_enter (detector, last + 50), TILL_SCAN_COMPLETE);
  g_free (till_scan_detector_take_code (detector));

  /* One slow gap in the middle leaves a burst of 3 after it: too short. */
  till_scan_detector_feed_char (detector, '1', 5000);
  till_scan_detector_feed_char (detector, '2', 5010);
  till_scan_detector_feed_char (detector, '3', 5061);
  till_scan_detector_feed_char (detector, '4', 5070);
  till_scan_detector_feed_char (detector, '5', 5080);
  ck_assert_int_eq (till_scan_detector_feed_enter (detector, 5090), TILL_SCAN_PASS);
}
END_TEST

/* /app/scan-detector/other-key-breaks-burst */
START_TEST (test_other_key_breaks_burst)
{
  g_autoptr (TillScanDetector) detector = till_scan_detector_new (50, 4);
  guint32 last = type_text (detector, "1234", 1000, 5);

  till_scan_detector_feed_other (detector, last + 5);
  last = type_text (detector, "56", last + 10, 5);
  ck_assert_int_eq (till_scan_detector_feed_enter (detector, last + 5), TILL_SCAN_PASS);
}
END_TEST

/* /app/scan-detector/clock-wrap: event times wrap at 2^32 ms. */
START_TEST (test_clock_wrap)
{
  g_autoptr (TillScanDetector) detector = till_scan_detector_new (50, 4);
  guint32          last = type_text (detector, "4711", G_MAXUINT32 - 12, 8);
  g_autofree char *code = NULL;

  ck_assert_int_eq (till_scan_detector_feed_enter (detector, last + 8), TILL_SCAN_COMPLETE);
  code = till_scan_detector_take_code (detector);
  ck_assert_str_eq (code, "4711");
}
END_TEST

/* /app/scan-detector/unicode: codes are UTF-8 and counted in characters. */
START_TEST (test_unicode)
{
  g_autoptr (TillScanDetector) detector = till_scan_detector_new (50, 4);
  guint32          last = type_text (detector, "货号ab", 1000, 5);
  g_autofree char *code = NULL;

  ck_assert_int_eq (till_scan_detector_feed_enter (detector, last + 5), TILL_SCAN_COMPLETE);
  code = till_scan_detector_take_code (detector);
  ck_assert_str_eq (code, "货号ab");
}
END_TEST

/* /app/scan-detector/reset */
START_TEST (test_reset)
{
  g_autoptr (TillScanDetector) detector = till_scan_detector_new (50, 4);
  guint32 last = type_text (detector, "12345", 1000, 5);

  till_scan_detector_reset (detector);
  ck_assert_int_eq (till_scan_detector_feed_enter (detector, last + 5), TILL_SCAN_PASS);
}
END_TEST

static Suite *
scan_detector_suite (void)
{
  Suite *suite = suite_create ("/app/scan-detector");
  TCase *tcase = tcase_create ("/app/scan-detector");

  tcase_add_test (tcase, test_fast_burst_is_scan);
  tcase_add_test (tcase, test_slow_typing_passes);
  tcase_add_test (tcase, test_short_burst_passes);
  tcase_add_test (tcase, test_slow_prefix_dropped);
  tcase_add_test (tcase, test_late_enter_passes);
  tcase_add_test (tcase, test_gap_boundary);
  tcase_add_test (tcase, test_other_key_breaks_burst);
  tcase_add_test (tcase, test_clock_wrap);
  tcase_add_test (tcase, test_unicode);
  tcase_add_test (tcase, test_reset);
  suite_add_tcase (suite, tcase);
  return suite;
}

int
main (void)
{
  return till_test_run_suite (scan_detector_suite ());
}
