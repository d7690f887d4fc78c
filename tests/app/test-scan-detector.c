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

/* /app/scan-detector/tab-suffix: a scanner set to end with Tab; Enter is then
 * an ordinary key that breaks the burst. */
START_TEST (test_tab_suffix)
{
  g_autoptr (TillScanDetector) detector = till_scan_detector_new (50, 4);
  g_autofree char *code = NULL;
  guint32          last;

  till_scan_detector_set_suffix (detector, TILL_SCAN_SUFFIX_TAB);
  last = type_text (detector, "6901234567892", 1000, 8);
  ck_assert_int_eq (till_scan_detector_feed_tab (detector, last + 8), TILL_SCAN_COMPLETE);
  code = till_scan_detector_take_code (detector);
  ck_assert_str_eq (code, "6901234567892");
  ck_assert_uint_eq (till_scan_detector_get_typed_length (detector), 13);

  last = type_text (detector, "6901234567892", 2000, 8);
  ck_assert_int_eq (till_scan_detector_feed_enter (detector, last + 8), TILL_SCAN_PASS);
  ck_assert_int_eq (till_scan_detector_feed_tab (detector, last + 16), TILL_SCAN_PASS);
  ck_assert_ptr_null (till_scan_detector_take_code (detector));
}
END_TEST

/* /app/scan-detector/tab-not-suffix: with the default Enter suffix, Tab ends a
 * burst like any other key. */
START_TEST (test_tab_not_suffix)
{
  g_autoptr (TillScanDetector) detector = till_scan_detector_new (50, 4);
  guint32 last = type_text (detector, "6901234567892", 1000, 8);

  ck_assert_int_eq (till_scan_detector_feed_tab (detector, last + 8), TILL_SCAN_PASS);
  ck_assert_int_eq (till_scan_detector_feed_enter (detector, last + 16), TILL_SCAN_PASS);
  ck_assert_ptr_null (till_scan_detector_take_code (detector));
}
END_TEST

/* /app/scan-detector/slow-tab-passes: timing holds whatever the suffix. */
START_TEST (test_slow_tab_passes)
{
  g_autoptr (TillScanDetector) detector = till_scan_detector_new (50, 4);
  guint32 last;

  till_scan_detector_set_suffix (detector, TILL_SCAN_SUFFIX_TAB);
  last = type_text (detector, "6901234567892", 1000, 120);
  ck_assert_int_eq (till_scan_detector_feed_tab (detector, last + 100), TILL_SCAN_PASS);
  last = type_text (detector, "6901234567892", 5000, 8);
  ck_assert_int_eq (till_scan_detector_feed_tab (detector, last + 51), TILL_SCAN_PASS);
  ck_assert_ptr_null (till_scan_detector_take_code (detector));
}
END_TEST

/* /app/scan-detector/char-suffix: a printable suffix such as '#' ends the scan
 * when it is typed, and is not part of the code. */
START_TEST (test_char_suffix)
{
  g_autoptr (TillScanDetector) detector = till_scan_detector_new (50, 4);
  g_autofree char *code = NULL;
  guint32          last;

  till_scan_detector_set_suffix (detector, '#');
  last = type_text (detector, "134526789012345678", 1000, 5);
  ck_assert_int_eq (till_scan_detector_feed_char (detector, '#', last + 5), TILL_SCAN_COMPLETE);
  code = till_scan_detector_take_code (detector);
  ck_assert_str_eq (code, "134526789012345678");
  /* Enter is now just a key. */
  last = type_text (detector, "134526789012345678", 2000, 5);
  ck_assert_int_eq (till_scan_detector_feed_enter (detector, last + 5), TILL_SCAN_PASS);
  ck_assert_ptr_null (till_scan_detector_take_code (detector));
}
END_TEST

/* /app/scan-detector/prefix: stripped from the code, counted in what was typed. */
START_TEST (test_prefix)
{
  g_autoptr (TillScanDetector) detector = till_scan_detector_new (50, 4);
  g_autofree char *code = NULL;
  guint32          last;

  till_scan_detector_set_prefix (detector, "]E0");
  last = type_text (detector, "]E06901234567892", 1000, 6);
  ck_assert_int_eq (till_scan_detector_feed_enter (detector, last + 6), TILL_SCAN_COMPLETE);
  code = till_scan_detector_take_code (detector);
  ck_assert_str_eq (code, "6901234567892");
  ck_assert_uint_eq (till_scan_detector_get_typed_length (detector), 16);
}
END_TEST

/* /app/scan-detector/prefix-required: with a prefix set, a fast burst without it
 * is not a scan (someone hammering the keypad, another device). */
START_TEST (test_prefix_required)
{
  g_autoptr (TillScanDetector) detector = till_scan_detector_new (50, 4);
  guint32 last;

  till_scan_detector_set_prefix (detector, "]E0");
  last = type_text (detector, "6901234567892", 1000, 6);
  ck_assert_int_eq (till_scan_detector_feed_enter (detector, last + 6), TILL_SCAN_PASS);
  /* The prefix alone and three characters are too short a code. */
  last = type_text (detector, "]E0123", 2000, 6);
  ck_assert_int_eq (till_scan_detector_feed_enter (detector, last + 6), TILL_SCAN_PASS);
  /* A slow person typing the prefix is still a person. */
  last = type_text (detector, "]E06901234567892", 3000, 150);
  ck_assert_int_eq (till_scan_detector_feed_enter (detector, last + 150), TILL_SCAN_PASS);
  ck_assert_ptr_null (till_scan_detector_take_code (detector));
}
END_TEST

/* /app/scan-detector/prefix-after-stray-key: a key typed just before the scan
 * is not counted as typed by the scanner. */
START_TEST (test_prefix_after_stray_key)
{
  g_autoptr (TillScanDetector) detector = till_scan_detector_new (50, 4);
  g_autofree char *code = NULL;
  guint32          last;

  till_scan_detector_set_prefix (detector, "$");
  till_scan_detector_feed_char (detector, '7', 990);
  last = type_text (detector, "$M20240001234", 1000, 4);
  ck_assert_int_eq (till_scan_detector_feed_enter (detector, last + 4), TILL_SCAN_COMPLETE);
  code = till_scan_detector_take_code (detector);
  ck_assert_str_eq (code, "M20240001234");
  ck_assert_uint_eq (till_scan_detector_get_typed_length (detector), 13);
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
  tcase_add_test (tcase, test_tab_suffix);
  tcase_add_test (tcase, test_tab_not_suffix);
  tcase_add_test (tcase, test_slow_tab_passes);
  tcase_add_test (tcase, test_char_suffix);
  tcase_add_test (tcase, test_prefix);
  tcase_add_test (tcase, test_prefix_required);
  tcase_add_test (tcase, test_prefix_after_stray_key);
  suite_add_tcase (suite, tcase);
  return suite;
}

int
main (void)
{
  return till_test_run_suite (scan_detector_suite ());
}
