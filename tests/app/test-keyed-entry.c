/* test-keyed-entry.c: tests for src/app/till-keyed-entry.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "till-keyed-entry.h"
#include "till-test-util.h"

/* /app/keyed-entry/valid */
START_TEST (test_valid)
{
  const struct
  {
    const char *text;
    gint64      quantity;
    const char *code;
  } cases[] = {
    { "8001", 0, "8001" },
    { "3×8001", 3000, "8001" },
    { "3*8001", 3000, "8001" },
    { "0.456×10001", 456, "10001" },
    { " 1.5 * 10001 ", 1500, "10001" },
    { "2×", 2000, "" },
    { "0.25*", 250, "" },
    { "6901234567892", 0, "6901234567892" },
    { "12×6901234567892", 12000, "6901234567892" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autofree char *code = NULL;
      gint64           quantity = -1;

      ck_assert_msg (till_keyed_entry_parse (cases[i].text, &quantity, &code, &error), "%s: %s",
                     cases[i].text, error ? error->message : "");
      ck_assert_int_eq (quantity, cases[i].quantity);
      ck_assert_str_eq (code, cases[i].code);
    }
}
END_TEST

/* /app/keyed-entry/invalid: each refused with the reason, nothing returned. */
START_TEST (test_invalid)
{
  const struct
  {
    const char *text;
    int         code;
  } cases[] = {
    { "", TILL_KEYED_ENTRY_ERROR_EMPTY },
    { "  ", TILL_KEYED_ENTRY_ERROR_EMPTY },
    { "×8001", TILL_KEYED_ENTRY_ERROR_QUANTITY },
    { "0×8001", TILL_KEYED_ENTRY_ERROR_QUANTITY },
    { "1.2345×8001", TILL_KEYED_ENTRY_ERROR_QUANTITY },
    { "2×3×8001", TILL_KEYED_ENTRY_ERROR_QUANTITY },
    { "abc", TILL_KEYED_ENTRY_ERROR_CODE },
    { "2×80.01", TILL_KEYED_ENTRY_ERROR_CODE },
    { "12a", TILL_KEYED_ENTRY_ERROR_CODE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autofree char *code = NULL;
      gint64           quantity = -1;

      ck_assert_msg (!till_keyed_entry_parse (cases[i].text, &quantity, &code, &error),
                     "accepted “%s”", cases[i].text);
      ck_assert_msg (g_error_matches (error, TILL_KEYED_ENTRY_ERROR, cases[i].code), "“%s”: %s",
                     cases[i].text, error ? error->message : "no error");
      ck_assert_ptr_null (code);
      ck_assert_int_eq (quantity, -1);
    }
}
END_TEST

static Suite *
keyed_entry_suite (void)
{
  Suite *suite = suite_create ("/app/keyed-entry");
  TCase *tc = tcase_create ("keyed-entry");

  tcase_add_test (tc, test_valid);
  tcase_add_test (tc, test_invalid);
  suite_add_tcase (suite, tc);
  return suite;
}

int
main (void)
{
  return till_test_run_suite (keyed_entry_suite ());
}
