/* test-barcode.c: tests for src/core/till-barcode.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "till-core.h"
#include "till-test-util.h"

/* /core/barcode/check-digit */
START_TEST (test_check_digit)
{
  /* Published codes: 4006381333931 (the GS1/Wikipedia EAN-13 example),
   * 96385074 (the EAN-8 example), 036000291452 (the UPC-A example). */
  ck_assert_int_eq (till_barcode_ean_check_digit ("400638133393", 12), 1);
  ck_assert_int_eq (till_barcode_ean_check_digit ("9638507", 7), 4);
  ck_assert_int_eq (till_barcode_ean_check_digit ("03600029145", 11), 2);
  /* 6901234567892: 6+0+2+4+6+8 = 26, (9+1+3+5+7+9)×3 = 102, 128 → 2. */
  ck_assert_int_eq (till_barcode_ean_check_digit ("690123456789", 12), 2);
  ck_assert_int_eq (till_barcode_ean_check_digit ("000000000000", 12), 0);
  ck_assert_int_eq (till_barcode_ean_check_digit ("69012345678X", 12), -1);
}
END_TEST

/* /core/barcode/ean13-complete */
START_TEST (test_complete)
{
  g_autofree char *code = till_barcode_ean13_complete ("400638133393");
  g_autofree char *too_short = till_barcode_ean13_complete ("40063813339");
  g_autofree char *letters = till_barcode_ean13_complete ("40063813339A");

  ck_assert_str_eq (code, "4006381333931");
  ck_assert_ptr_null (too_short);
  ck_assert_ptr_null (letters);
}
END_TEST

/* /core/barcode/classify */
START_TEST (test_classify)
{
  ck_assert_int_eq (till_barcode_classify ("4006381333931"), TILL_BARCODE_EAN13);
  ck_assert_int_eq (till_barcode_classify ("6901234567892"), TILL_BARCODE_EAN13);
  ck_assert_int_eq (till_barcode_classify ("96385074"), TILL_BARCODE_EAN8);
  ck_assert_int_eq (till_barcode_classify ("036000291452"), TILL_BARCODE_UPCA);
  ck_assert_int_eq (till_barcode_classify ("4006381333932"), TILL_BARCODE_BAD_CHECK);
  ck_assert_int_eq (till_barcode_classify ("96385075"), TILL_BARCODE_BAD_CHECK);
  ck_assert_int_eq (till_barcode_classify ("036000291453"), TILL_BARCODE_BAD_CHECK);
  ck_assert_int_eq (till_barcode_classify ("10001"), TILL_BARCODE_OTHER);
  ck_assert_int_eq (till_barcode_classify ("ST-0042"), TILL_BARCODE_OTHER);
  ck_assert_int_eq (till_barcode_classify ("40063813339311"), TILL_BARCODE_OTHER);
  ck_assert_int_eq (till_barcode_classify (""), TILL_BARCODE_INVALID);
  ck_assert_int_eq (till_barcode_classify (NULL), TILL_BARCODE_INVALID);
  ck_assert_int_eq (till_barcode_classify ("4006381333931\r"), TILL_BARCODE_INVALID);
  ck_assert_int_eq (till_barcode_classify ("\x1b[A"), TILL_BARCODE_INVALID);
  ck_assert_int_eq (till_barcode_classify ("\xff\xfe"), TILL_BARCODE_INVALID);
  ck_assert_int_eq (
      till_barcode_classify ("0123456789012345678901234567890123456789012345678901234567890"),
      TILL_BARCODE_INVALID);
}
END_TEST

/* /core/barcode/every-check-digit-detects-a-single-error */
START_TEST (test_single_errors)
{
  const char *valid = "6901234567892";

  /* Changing any one digit of a valid code must make it fail. */
  for (int position = 0; position < 13; position++)
    for (char digit = '0'; digit <= '9'; digit++)
      {
        char code[14];

        if (valid[position] == digit)
          continue;
        memcpy (code, valid, 14);
        code[position] = digit;
        ck_assert_msg (till_barcode_classify (code) == TILL_BARCODE_BAD_CHECK, "%s passed", code);
      }
}
END_TEST

static Suite *
barcode_suite (void)
{
  Suite *suite = suite_create ("core/barcode");
  TCase *tc = tcase_create ("ean");

  tcase_add_test (tc, test_check_digit);
  tcase_add_test (tc, test_complete);
  tcase_add_test (tc, test_classify);
  tcase_add_test (tc, test_single_errors);
  suite_add_tcase (suite, tc);
  return suite;
}

int
main (void)
{
  return till_test_run_suite (barcode_suite ());
}
