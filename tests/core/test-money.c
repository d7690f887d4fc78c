/* test-money.c: tests for src/core/till-money.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "till-core.h"
#include "till-test-util.h"

/* /core/money/round-half-up */
START_TEST (test_round_half_up)
{
  ck_assert_int_eq (till_money_round_half_up (25, 10), 3);
  ck_assert_int_eq (till_money_round_half_up (24, 10), 2);
  ck_assert_int_eq (till_money_round_half_up (-25, 10), -3);
  ck_assert_int_eq (till_money_round_half_up (-24, 10), -2);
  ck_assert_int_eq (till_money_round_half_up (0, 7), 0);
  ck_assert_int_eq (till_money_round_half_up (10, 3), 3);
  ck_assert_int_eq (till_money_round_half_up (11, 2), 6);
}
END_TEST

/* /core/money/line-amount */
START_TEST (test_line_amount)
{
  /* 3 bottles at ￥2.50 */
  ck_assert_int_eq (till_money_line_amount (250, 3000), 750);
  /* 0.457 kg at ￥3.58/kg = 1.63606 → 1.64 */
  ck_assert_int_eq (till_money_line_amount (358, 457), 164);
  /* 0.125 kg at ￥1.00/kg = 0.125 → 0.13 (half-up) */
  ck_assert_int_eq (till_money_line_amount (100, 125), 13);
  /* 0.124 kg → 0.12 */
  ck_assert_int_eq (till_money_line_amount (100, 124), 12);
  /* A refund mirrors the sale. */
  ck_assert_int_eq (till_money_line_amount (100, -125), -13);
  /* Large values do not overflow: ￥9,999,999.99 × 99,999 pieces. */
  ck_assert_int_eq (till_money_line_amount (999999999, 99999000), (gint64) 999999999 * 99999);
}
END_TEST

/* /core/money/rounding-rules (抹零) */
START_TEST (test_rounding_rules)
{
  ck_assert_int_eq (till_money_apply_rounding (1234, TILL_ROUNDING_NONE), 1234);
  ck_assert_int_eq (till_money_apply_rounding (1234, TILL_ROUNDING_DROP_FEN), 1230);
  ck_assert_int_eq (till_money_apply_rounding (1239, TILL_ROUNDING_DROP_FEN), 1230);
  ck_assert_int_eq (till_money_apply_rounding (1234, TILL_ROUNDING_DROP_JIAO), 1200);
  ck_assert_int_eq (till_money_apply_rounding (1299, TILL_ROUNDING_DROP_JIAO), 1200);
  ck_assert_int_eq (till_money_apply_rounding (1234, TILL_ROUNDING_ROUND_JIAO), 1230);
  ck_assert_int_eq (till_money_apply_rounding (1235, TILL_ROUNDING_ROUND_JIAO), 1240);
  ck_assert_int_eq (till_money_apply_rounding (1295, TILL_ROUNDING_ROUND_JIAO), 1300);
  ck_assert_int_eq (till_money_apply_rounding (5, TILL_ROUNDING_DROP_FEN), 0);
  ck_assert_int_eq (till_money_apply_rounding (0, TILL_ROUNDING_ROUND_JIAO), 0);
}
END_TEST

/* /core/money/rounding-never-favours-the-till: dropping never raises the amount,
 * rounding to the jiao moves it by at most 5 fen, and the result is always a whole
 * jiao or yuan as the rule says. */
START_TEST (test_rounding_property)
{
  for (gint64 amount = 0; amount < 100000; amount += 7)
    {
      gint64 fen = till_money_apply_rounding (amount, TILL_ROUNDING_DROP_FEN);
      gint64 jiao = till_money_apply_rounding (amount, TILL_ROUNDING_DROP_JIAO);
      gint64 round = till_money_apply_rounding (amount, TILL_ROUNDING_ROUND_JIAO);

      ck_assert (fen <= amount && amount - fen < 10 && fen % 10 == 0);
      ck_assert (jiao <= amount && amount - jiao < 100 && jiao % 100 == 0);
      ck_assert (round % 10 == 0 && ABS (round - amount) <= 5);
    }
}
END_TEST

/* /core/money/format */
START_TEST (test_format)
{
  struct
  {
    gint64      fen;
    const char *text;
    const char *yuan;
  } cases[] = {
    { 0, "0.00", "￥0.00" },
    { 5, "0.05", "￥0.05" },
    { 1250, "12.50", "￥12.50" },
    { 100000, "1000.00", "￥1000.00" },
    { -5, "-0.05", "-￥0.05" },
    { -1250, "-12.50", "-￥12.50" },
    { G_MININT64 + 1, "-92233720368547758.07", "-￥92233720368547758.07" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *text = till_money_format (cases[i].fen);
      g_autofree char *yuan = till_money_format_yuan (cases[i].fen);

      ck_assert_str_eq (text, cases[i].text);
      ck_assert_str_eq (yuan, cases[i].yuan);
      /* Never the half-width yen sign: GBK printers cannot print it. */
      ck_assert_ptr_null (strstr (yuan, "\xc2\xa5"));
    }
}
END_TEST

/* /core/money/parse */
START_TEST (test_parse)
{
  const struct
  {
    const char *text;
    gint64      fen;
  } good[] = {
    { "12", 1200 }, { "12.5", 1250 }, { "12.50", 1250 }, { "0.05", 5 },
    { " 7 ", 700 }, { ".5", 50 },     { "100.", 10000 }, { "0", 0 },
  };
  const char *bad[] = {
    "", " ", ".", "-1", "+1", "1.234", "1e3", "12a", "1.2.3", "１２", "99999999999999999999"
  };

  for (guint i = 0; i < G_N_ELEMENTS (good); i++)
    {
      g_autoptr (GError) error = NULL;
      gint64 fen = -1;

      ck_assert_msg (till_money_parse (good[i].text, &fen, &error), "%s", good[i].text);
      ck_assert_ptr_null (error);
      ck_assert_int_eq (fen, good[i].fen);
    }
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr (GError) error = NULL;
      gint64 fen = -1;

      ck_assert_msg (!till_money_parse (bad[i], &fen, &error), "accepted “%s”", bad[i]);
      ck_assert_ptr_nonnull (error);
      ck_assert_int_eq (error->domain, TILL_MONEY_ERROR);
      ck_assert_int_eq (fen, -1);
    }
}
END_TEST

/* /core/money/quantity */
START_TEST (test_quantity)
{
  gint64 quantity = 0;
  g_autoptr (GError) error = NULL;
  struct
  {
    gint64      quantity;
    const char *text;
  } cases[] = { { 3000, "3" }, { 456, "0.456" }, { 1500, "1.5" }, { 10, "0.01" }, { 0, "0" } };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *text = till_quantity_format (cases[i].quantity);
      gint64           back = -1;

      ck_assert_str_eq (text, cases[i].text);
      ck_assert (till_quantity_parse (text, &back, NULL));
      ck_assert_int_eq (back, cases[i].quantity);
    }
  ck_assert (!till_quantity_parse ("1.2345", &quantity, &error));
  ck_assert_int_eq (error->code, TILL_MONEY_ERROR_INVALID);
}
END_TEST

/* /core/money/rounding-names */
START_TEST (test_rounding_names)
{
  TillRounding rules[] = { TILL_ROUNDING_NONE, TILL_ROUNDING_DROP_FEN, TILL_ROUNDING_DROP_JIAO,
                           TILL_ROUNDING_ROUND_JIAO };
  TillRounding back;

  for (guint i = 0; i < G_N_ELEMENTS (rules); i++)
    {
      ck_assert (till_rounding_from_string (till_rounding_to_string (rules[i]), &back));
      ck_assert_int_eq (back, rules[i]);
    }
  ck_assert (!till_rounding_from_string ("round-yuan", &back));
  ck_assert (!till_rounding_from_string (NULL, &back));
}
END_TEST

static Suite *
money_suite (void)
{
  Suite *suite = suite_create ("/core/money");
  TCase *tc = tcase_create ("money");

  tcase_add_test (tc, test_round_half_up);
  tcase_add_test (tc, test_line_amount);
  tcase_add_test (tc, test_rounding_rules);
  tcase_add_test (tc, test_rounding_property);
  tcase_add_test (tc, test_format);
  tcase_add_test (tc, test_parse);
  tcase_add_test (tc, test_quantity);
  tcase_add_test (tc, test_rounding_names);
  suite_add_tcase (suite, tc);
  return suite;
}

int
main (void)
{
  return till_test_run_suite (money_suite ());
}
